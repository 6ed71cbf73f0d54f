// Package memstore is the in-memory [inbox.Store]: the embedded default, for
// a single process, and for tests. It passes storetest.Run, whose package doc
// states the parts of the Store contract that the inbox package leaves
// implicit.
//
// # Transactions
//
// One [Store] holds many inboxes, each with its own data and its own
// read-write lock: nothing of one inbox is reachable through another, and
// inboxes never wait for each other. [Store.Update] holds the inbox's lock
// for the whole transaction, so transactions over one inbox are serializable
// and the function runs exactly once. Every write records how to undo itself
// in an undo log (the old value of a map entry, the length to truncate an
// append-only sequence to, the rotation member and sequence number to put
// back); when the function returns an error or panics, the log is played
// backwards and nothing it wrote is kept. The store is never copied. [Store.View]
// holds the read lock: Views of one inbox run together, and see a snapshot
// because no Update can run beside them. A transaction's function must not
// call the Store (that deadlocks), and a transaction used after its function
// returned answers [ErrTxDone]. A View's transaction asserted to [inbox.Tx]
// writes nothing: its write methods return an error matching
// [inbox.ErrInvalid].
//
// # Indexes and costs
//
// Tickets, messages and events are numbered densely from 1, so each kind is
// kept in a sequence indexed by number (in chunks of 1024, so that a large
// inbox grows without copying). On top of them:
//
//   - View lists: per status and assignee, and per status for everyone, a
//     B-tree of (ActiveAt, Number) read backwards for LatestActivity and a
//     B-tree of Number for OldestFirst. A standard view (statuses and at most
//     an assignee) costs O(log n + page) per status asked for; Count of a
//     standard view is the size of those trees, O(1). Channel, tag, unread
//     and creation filters are checked while walking the same trees, so they
//     cost what the walk skips, and their Count walks every ticket of the
//     statuses (and assignee) asked for.
//   - Cursors are keys: a page starts after the Position it is given, so
//     tickets added while a client pages never make it repeat or skip one.
//   - SnoozeDue and FollowUpDue: B-trees of (SnoozedUntil, Number) of the
//     snoozed tickets and of (FollowUpAt, Number) of the tickets whose
//     FollowUpAt is set, whatever their status. A call costs O(log n +
//     limit); CreateTicket and PutTicket move a ticket's entries only when
//     the time or the status that files it changed.
//   - TicketByKey, TicketByMessage and CustomerTickets: hash indexes from
//     (channel, key), (channel, message ID) and customer to the newest
//     ticket, the message, and the customer's newest ticket, which holds the
//     customer's count. They store only 32-bit numbers and hash bits; keys
//     are read back from the records.
//   - History: each event record links to the previous event of its ticket,
//     and each ticket to its last event; Messages: each message links to the
//     previous message of its ticket. Both cost what they return (Messages
//     also what it skips above before).
//   - Outbox: events are kept in one log in Seq order, so a page costs
//     O(limit); Pending is the log's length less Delivered, O(1).
//   - Customer: a map from the customer key to the record.
//
// A write costs O(log n) for the indexes it changes and one undo entry.
//
// # Memory
//
// A typical ticket (a new SMS or web chat ticket with one inbound message and
// three events) takes about 475 bytes at a million tickets, its body
// excluded (BenchmarkView reports it as bytes/ticket). The records keep times
// as int64 Unix nanoseconds, and assignees and tag sets as 32-bit numbers of
// interned values: the ten times of a ticket take 80 bytes of its
// 144-byte record. Their strings (keys, subjects, authors, message IDs,
// attribution IDs, bodies) are packed into pages of bytes, so that the
// records hold no pointers and the garbage collector never scans them: a
// million tickets leave it a few thousand large pointer-free blocks and the
// B-tree nodes to mark, instead of millions of small strings. A message's
// Attribution lives in the message's 64-byte record (17 bytes and two flag
// bits, set or not), so that an inbound SMS answering a campaign costs no
// more than another, its attribution's ID excepted. An
// inbound message's author is its ticket's customer key, kept once. Events
// are encoded into a byte log (about 25 bytes for a typical one), an event
// carrying the message just added refers to it instead of copying it, and
// inbox.Event values are rebuilt on read. Every value a transaction returns
// is a fresh copy the caller may change, except the rotation (see below);
// strings point into the pages, whose bytes never change once written.
//
// Customers are not packed: each is an ordinary Go value in a map
// (about 440 bytes for a customer with three campaign texts, as
// BenchmarkCustomer reports). Unlike tickets and messages, a customer is
// rewritten often (every campaign text recorded, every reply attributed), and
// text packed into the pages is never reclaimed: the pages would grow with
// every write.
//
// # Decisions where the contract was silent
//
//   - Times are kept to the nanosecond and returned in UTC, without a
//     monotonic reading. A time outside the years 1678 to 2261 (what int64
//     nanoseconds hold) is refused with an error matching [inbox.ErrInvalid];
//     the zero time is kept as such.
//   - An inbox holds at most 2³²−1 tickets and as many messages, about a
//     terabyte of memory; past that CreateTicket and AddMessage return an
//     error matching [inbox.ErrConflict].
//   - Rotation returns the inbox's own *assign.Rotation, not a copy (a copy
//     costs O(members)): read it only inside the transaction, and change it
//     only through the Tx methods. A rolled-back rotation change is undone
//     by putting back the members' old values and sequence number.
//   - Interned assignees and tag sets are never forgotten; there are as many
//     as distinct values ever stored, which for a support team is few.
//   - The text a rolled-back transaction wrote into the pages stays there,
//     unused: its strings may have been handed out, and strings must not
//     change. A rolled-back write of a ticket or message costs its text.
//   - An inbox comes to exist with its first Update; a View of an inbox
//     nobody wrote to reads an empty one and keeps nothing.
//   - Settings and members are kept as given: their *officehours.Schedule
//     is shared, which is safe because a Schedule is immutable. The slices
//     of settings (SMSNotify.Recipients), customers (Sent) and messages
//     (the Attribution they point to) are copied in and out.
//   - A customer's times are kept as a ticket's are. An empty customer key
//     is an error matching [inbox.ErrInvalid], for Customer as for
//     PutCustomer. PutCustomer keeps every Sent text it is given: keeping at
//     most [inbox.MaxSentKept] is the inbox's rule, not the store's.
//   - Values that no index reads are kept as given, valid or not: a
//     message's Direction, an attribution's Origin, an event's statuses.
//   - FollowUpDue lists a ticket whatever its status: clearing FollowUpAt
//     when a ticket closes is the inbox's business.
package memstore
