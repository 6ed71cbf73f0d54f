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
// # Reports
//
// [Inbox.Report] reads the events of a time range (through
// [ReadTx.Events]) and the tickets they concern, and returns plain values
// with JSON tags, or CSV ([Report.WriteCSV]): volume per bucket and channel,
// first response and resolution times (count, mean, exact median and 90th
// percentile) in calendar time and in business hours, per agent and per tag,
// round robin's fair shares with Jain's index, and SMS replies per campaign
// and flow. A ticket still waiting at the end of the range is counted as
// open, never as a zero.
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
//   - Reports filter and group tickets by what they are when the report runs
//     (their channel, current tags and current assignee), as a support lead
//     reading last month's figures by tag expects. Times go to the agent who
//     sent the first reply, and resolutions to the ticket's assignee when it
//     was closed (its closer if nobody held it). A fair share counts each
//     automatic assignment as 1/n for each of the n agents online and in
//     their hours at that moment; capacity caps are not counted, so an agent
//     held back by their cap shows below their share.
package inbox
