// Package storetest is the conformance suite of [inbox.Store]: every Store
// calls [Run] from a test, and passes it.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) inbox.Store { return memstore.New() })
//	}
//
// Run checks every method of [inbox.ReadTx] and [inbox.Tx], errors by
// [errors.Is] and values by cmp.Diff; transactions (an Update whose function
// fails or panics keeps nothing; later transactions see what committed; a
// View is a snapshot; concurrent Updates are serializable); tenancy (two
// inboxes of one Store never see each other's data); the order and cursors
// of ticket lists under every filter, while tickets are added between pages;
// and, in a rapid state machine, random sequences of transactions against a
// plain-map model (tickets, threads, events, the rotation, follow-up due
// times and customers). Through a real [inbox.Inbox] on the Store it checks
// reports: a story across a DST day whose every figure was worked out by
// hand, and a rapid property comparing the reports of random histories with
// a brute-force reference; a Store that passes gives the same reports as
// every other, to the percentile.
//
// Three helpers serve the tests and benchmarks of any Store or host:
// [Clock], a clock set by hand; [Month], a month of work to report on; and
// [ClaimRace], agents racing to claim the tickets waiting in Unassigned.
//
// The suite holds nothing specific to one Store. Times are whole
// microseconds (PostgreSQL keeps no more) and are compared with
// [time.Time.Equal] (cmp.Diff uses a type's Equal method), so a Store may
// return them in any location. Empty and nil slices compare equal.
//
// # The contract where the inbox package's doc comments are silent
//
// These are the readings of [inbox.Store] the suite enforces; a store author
// can rely on them, and the inbox façade does.
//
//   - Inbox IDs: an empty inbox ID is an error matching [inbox.ErrInvalid];
//     an inbox nobody wrote to reads as empty.
//   - Numbers and sequences are dense: tickets are numbered 1, 2, 3… and
//     events 1, 2, 3… per inbox, and a rolled-back transaction consumes
//     neither (keep a per-inbox counter row, not a SQL sequence).
//   - Reads inside an Update see that transaction's own writes.
//   - An Update whose function panics keeps nothing and lets the panic
//     continue. A function that returns an error gets that very error back
//     from Update (==, not wrapped).
//   - Done contexts: Update and View return an error matching ctx.Err()
//     without running the function.
//   - CreateTicket ignores Ticket.Number; PutTicket finds the ticket by it.
//     A ticket's Channel, Customer and Key are fixed at creation (they are
//     what the indexes file it under): PutTicket refuses to change them with
//     [inbox.ErrInvalid]. Status and Channel must be valid values, and
//     NewReplies from 0 to math.MaxInt32 ([inbox.ErrInvalid] otherwise).
//   - An empty Ticket.Key is not indexed: TicketByKey with an empty key is
//     [inbox.ErrNotFound], and empty SMS keys never conflict. Likewise an
//     empty Message.ID is not indexed and never conflicts. Message IDs are
//     unique per inbox and channel kind, across tickets.
//   - CustomerTickets of an unknown customer is 0, not an error.
//   - AddMessage ignores Message.Index and returns the thread's length as
//     the message's index; its kind must be valid. Messages(ticket, before,
//     limit) wants limit > 0 and before >= 0 ([inbox.ErrInvalid]); before = 0
//     is past the end of the thread (empty), and the newest page is asked for
//     with math.MaxInt.
//   - Ticket lists: Filter.Limit must be positive and Filter.Statuses
//     non-empty and valid, channels valid, the order known
//     ([inbox.ErrInvalid]); a status listed twice counts once; Count ignores
//     After and Limit. A Position is compared as a key (keyset pagination):
//     a page starts after it whether or not a ticket is still there, and a
//     ticket added after the cursor's place appears on a later page. In
//     LatestActivity, tickets active at the same time are ordered by Number,
//     descending. An Assignee filter naming nobody lists nothing. CreatedAt
//     zero counts as the earliest time.
//   - SnoozeDue lists tickets whose Status is Snoozed, by SnoozedUntil then
//     Number; "not after now" includes now. limit must be positive.
//   - FollowUpDue lists tickets of any status whose FollowUpAt is not zero,
//     by FollowUpAt then Number; "not after now" includes now. limit must be
//     positive. CreateTicket and PutTicket keep it current, and a rollback
//     takes back what they changed.
//   - Every field of a Ticket (the automations' times and CustomerAway
//     included), of a Message (its Attribution, nil or not) and of an Event
//     is returned as it was stored, zero times as zero. An event's Message
//     is kept as given, even when it differs from a stored message in one
//     field only; its Messages and Recipients are kept in order.
//   - Emit returns the event's Seq (the events read back carry it and their
//     Inbox, whatever Emit was given); Type must be a known type and
//     Ticket 0 or an existing ticket ([inbox.ErrNotFound]). A ticket's
//     History is its events in Seq order; events without a ticket are in no
//     history.
//   - Outbox(after, limit) lists every event above after, delivered or not;
//     after >= 0 and limit > 0. SetDelivered(seq) wants 0 <= seq <= the last
//     Seq ([inbox.ErrInvalid]) and never moves Delivered back: a lower seq
//     changes nothing. Pending is the last Seq less Delivered.
//   - Customers: PutCustomer inserts or replaces the whole record; Customer
//     of a key never put is [inbox.ErrNotFound]; an empty key is
//     [inbox.ErrInvalid] for both. A rolled-back PutCustomer leaves no
//     trace.
//   - Values are copies both ways: changing a slice or pointer after
//     passing it in, or in a value read (tags, a customer's Sent, the
//     settings' SMSNotify.Recipients, a message's Attribution, an event's
//     lists), changes nothing stored.
//   - Lease(name, holder, now, until): a lease held until u is expired at
//     any now at or after u. name and holder must not be empty and until must
//     be after now ([inbox.ErrInvalid]). A refused lease is (false, nil).
//   - Members are ordered by Joined, then ID; DeleteMember and
//     DeleteSavedView of an absent ID are [inbox.ErrNotFound]; an empty
//     member or view ID is [inbox.ErrInvalid]. RemoveRotationMember of a
//     non-member does nothing, as [assign.Rotation.Remove] does; rotation
//     writes return the assign package's errors ([assign.ErrInvalidMember],
//     [assign.ErrStale], [assign.ErrNoChoice]) and change nothing.
//   - The *assign.Rotation that Rotation returns may be read only inside the
//     transaction; a saved view is kept as given (its Query.Cursor too).
package storetest
