// Package inbox is routedesk's façade: what a host application calls to run a
// multi-channel support inbox. It joins package status (ticket lifecycle),
// channel (which ticket a message goes to, reply rules), officehours and
// assign (round robin) into one set of business rules, kept here once; a
// [Store] only keeps data.
//
// The flow: the host opens an inbox with [New] over a Store (memstore in
// memory, pgstore on PostgreSQL), a [Clock] and a [Notifier]; keeps its team in
// sync with [Inbox.PutMember]; passes every inbound web chat, email and SMS
// message to [Inbox.Receive]; and lets agents work tickets through calls that
// each take an [Actor] and are checked against one permission table
// ([Allowed]). Every change writes [Event]s to a transactional outbox that
// [Inbox.Run] delivers to the Notifier after commit; timed work (snooze
// wake-ups, assigning waiting tickets when office hours open) is stored as due
// times and done by [Inbox.Tick].
package inbox
