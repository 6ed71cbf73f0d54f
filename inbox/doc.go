// Package inbox is routedesk's façade: what a host application calls to run a
// multi-channel support inbox. It joins package status (ticket lifecycle),
// channel (which ticket a message goes to, reply rules), officehours and
// assign (round robin) into one set of business rules, kept here once; a
// [Store] only keeps data.
//
// # The flow
//
// The host opens an inbox with [New] over a Store (memstore in memory,
// pgstore on PostgreSQL), a [Clock] and a [Notifier]; keeps its team in sync
// with [Inbox.PutMember]; passes every inbound web chat, email and SMS message
// to [Inbox.Receive]; and lets agents work tickets through calls that each
// take an [Actor] and are checked against one permission table ([Allowed]).
// Every change writes [Event]s to a transactional outbox that [Inbox.Run]
// delivers to the Notifier after commit, at least once and in order; timed
// work (snooze wake-ups, follow-up emails, assigning waiting tickets when
// office hours open) is stored as due times and done by [Inbox.Tick], once
// however many replicas tick.
//
// # Decisions where the product is silent
//
//   - Members are the host's: [Inbox.PutMember] and [Inbox.RemoveMember] are
//     host calls. The Actor of a call says who calls and with which role; the
//     permission table decides. A removed member's open and snoozed tickets
//     go back to Unassigned.
//   - Capacity caps count a member's open tickets; snoozed ones are hidden
//     and do not count.
//   - A snoozed ticket cannot be snoozed again: reopen it first, so the
//     history shows both moves.
//   - Closed tickets are archived from My inbox and Unassigned: asking those
//     views for them is an error; All with an assignee lists them.
//   - Auto-replies are messages in the thread (Message.Automatic) delivered
//     through the same ReplySent event as agents' replies; they never count
//     as the first response.
//   - The SMS auto-responder answers at most once per customer per cool-down
//     (24 hours by default): at exactly the cool-down it may answer again.
//     It answers only customers without SMS consent unless told to answer
//     everyone; the host says a text's consent in channel.SMSFields.Consent.
//   - A web chat follow-up email covers one burst of agent replies: those
//     after the visitor's latest message and after the previous follow-up,
//     in the order the transactions committed (Ticket.NewReplies counts
//     them), whatever their times say: replicas' clocks may disagree. It is
//     due when more than the delay (3 minutes by default) has passed
//     since the burst's last reply while the visitor is away
//     ([Inbox.SetVisitorOnline]); the visitor writing or coming back cancels
//     it. The visitor's address comes from channel.WebChatFields.Email.
//   - New-SMS notifications go out at most once per ticket per interval (5
//     minutes by default): a chatty customer floods nobody's mailbox.
//   - No automation answers an automatic email (auto-reply, bounce), and
//     none fires for a duplicate delivery or an SMS keyword.
package inbox
