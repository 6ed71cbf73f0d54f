// Package pgstore is the [inbox.Store] on PostgreSQL, through pgx v5, for
// hosts that run several replicas over one database. It is its own Go module,
// so that routedesk's core module never requires pgx. It passes
// storetest.Run, like the in-memory store.
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	err = pgstore.Migrate(ctx, pool)      // at start-up, in every replica
//	store, err := pgstore.New(pool)       // no I/O
//	ib, err := inbox.New(store, "acme")
//
// # Transactions
//
// [Store.Update] is one READ COMMITTED transaction whose first statement
// locks the inbox's row of the inboxes table (creating it if need be). The
// Updates of one inbox therefore run one at a time, and every statement of
// each sees everything committed before it: they are serializable by the row
// lock, whatever the isolation level. The transactions only lock that row and
// never change it (the inbox's counters live in a row of their own), so
// PostgreSQL hands the lock on in the order the transactions asked for it.
// Updates of different inboxes never wait for each other. [Store.View] is a
// REPEATABLE READ, READ ONLY transaction: a snapshot that waits for nothing.
//
// The invariants are held by that lock and by the tables themselves:
//
//   - Ticket numbers and event sequence numbers come from the inbox's counters
//     row, written under the lock, so they are dense and a rolled-back
//     transaction consumes none; events commit in Seq order, so an outbox
//     reader never sees a later event before an earlier one.
//   - A unique index allows one SMS ticket per phone (a partial index on the
//     key of SMS tickets), another one message per message ID in an inbox and
//     channel (which also keeps one ticket per email thread). CreateTicket and
//     AddMessage insert ON CONFLICT DO NOTHING and report ErrConflict, so the
//     transaction goes on.
//   - The rotation is rebuilt from its rows (one per agent, with the pool's
//     sequence number in the counters row) once per transaction, changed in
//     memory by the assign package's own rules, and each member written back
//     once, at commit.
//   - Leases are taken by one conditional upsert.
//
// An Update that fails with a serialization failure (40001) or a deadlock
// (40P01), or whose connection is lost before COMMIT is sent (the server then
// rolls it back), runs its function again, after a random wait that doubles
// up to 64 ms, up to [DefaultMaxAttempts] times ([WithMaxAttempts]); then it
// returns the error, which for a conflict matches [inbox.ErrConflict]. The
// store's own transactions cannot deadlock each other (each takes one lock
// first); SQL run beside them, such as a host's own transactions on these
// tables, can. A connection lost while COMMIT is on its way leaves the
// outcome unknown, and that error is returned as it is.
//
// # Round trips
//
// Statements whose results a transaction does not need at once (inserted
// tickets other than SMS ones, events, updates, rotation rows, counters) are
// queued and sent with the transaction's next read or with COMMIT, in one
// round trip (a pgx batch, pipelined). BEGIN, the lock and the read of the
// inbox's row go with the first statement, and an Update reads the first
// rotationPrefetch+1 (65) rotation members with them. A new web chat ticket
// given out by round robin costs two round trips: the lookup of its
// conversation (with the lock and the rotation), and the commit. The
// automations add a read of the customer's record to each SMS (attribution
// and the auto-responder need it) and to a web chat that gives the
// visitor's email; the record is written back with the commit.
//
// # Views
//
// The standard views have indexes: (inbox, status, assignee, active_at DESC,
// number DESC) and (inbox, status, assignee, number) for My inbox and
// Unassigned, and the same without assignee for All. Tickets reads one index
// range per status asked for, each stopping at the page (LIMIT), merged in
// order by PostgreSQL (UNION ALL under Merge Append): O(statuses × page) when
// most tickets of those statuses pass the other filters, which are checked on
// the way. Cursors are keyset predicates, (active_at, number) < ($at,
// $number), so tickets inserted while a client pages never make a page repeat
// or skip one. Count of a standard view (statuses and at most an assignee)
// reads the ticket_counts table, a row per (inbox, status, assignee) that
// triggers on tickets keep in the writing transaction: O(statuses) for My
// inbox and Unassigned, O(statuses × assignees) for All. A count with other
// filters (channels, tags, unread, created range) counts the matching
// tickets through an index: O(matching tickets). TestExplain checks the
// plans.
//
// A View's page is the read the store makes most, and its path is kept
// light:
//
//   - In a View, Tickets of a standard view reads its count in the same
//     statement (ticket_counts' row, or the sum of its rows for several
//     statuses or All, as a scalar subquery, which PostgreSQL runs once,
//     ahead of the index scans): one statement, one snapshot, and Count
//     then costs nothing. An empty page from the top is a count of 0;
//     after a cursor, Count reads it.
//   - A View reads the inbox's row (settings, counters) only when it needs
//     it, so a page costs BEGIN with the page in one round trip and
//     ROLLBACK in another. The View stays a REPEATABLE READ transaction:
//     its function may read in several round trips, and only a transaction
//     keeps one snapshot across them (a batch outside one runs in an
//     implicit READ COMMITTED transaction, a snapshot per statement; and
//     pgxpool drops a connection given back inside a transaction, so the
//     ROLLBACK cannot be left for later).
//   - Ticket rows are decoded from PostgreSQL's binary form by hand rather
//     than through pgx's scan plans, and their strings are cut from shared
//     4 KiB buffers (a buffer lives as long as any of its strings) rather
//     than allocated one by one. A pool that asks for text results
//     (QueryExecModeSimpleProtocol) gets its rows scanned by pgx.
//   - The statements of Tickets and Count are built once per filter shape
//     (statuses, which filters are set, order, cursor) and kept: only
//     the values change, as arguments, and pgx's statement cache prepares
//     each statement once per connection.
//
// # Schema
//
// The tables live in one PostgreSQL schema, "routedesk" unless [WithSchema]
// names another. [Migrate] creates the schema and applies the embedded,
// versioned migrations ([Migrations], files NNNN_name.sql) that its
// migrations table does not list, in one transaction under an advisory lock
// named after the schema, so replicas may all call it as they start.
// A migration file, once released, is never edited: 0001_init made the
// tables; 0002_automations adds what issue 8's automations keep (customers,
// the tickets' automation columns and the follow-up index, messages'
// attribution) to a schema that may already hold data: its new columns
// rewrite no row, but it builds its index inside Migrate's transaction (a
// transaction cannot build one CONCURRENTLY), so writes to the tickets table
// wait while the index reads the table once. Rows made before it read with
// the new fields zero. 0003_ticket_counts adds the view counts, their
// triggers, and a count of the tickets already kept (writes to tickets wait
// while it reads the table once). 0004_event_times adds the events' type
// and time as generated columns and their index (rewriting the events
// table). 0005_new_replies adds the tickets' count of the replies a web chat
// follow-up carries (inbox.Ticket.NewReplies), filled from the threads of
// the tickets that have such replies. 0006_insert_costs makes the events'
// type and time plain columns that the store fills (no row is rewritten;
// NOT NULL reads the table once), which spares each insert two parses of
// the JSON, and lets the store count its own ticket inserts (the trigger,
// now a row trigger, stands aside in its transactions). 0007_event_names
// rewrites the kept events whose JSON numbered a message's direction or gave
// a decision's fields their Go names, to the names the JSON form has used
// since (every event is read once). Hosts with their own migration tool
// apply the files of [Migrations] instead.
// Every row carries its inbox's ID, the first column of every key;
// identifiers compare byte by byte (COLLATE "C"), as Go compares strings.
//
// # Decisions where the contract was silent
//
//   - Times are kept to the microsecond (the rest is dropped, as the inbox
//     does with its clock) and read back in UTC. The zero time is NULL in the
//     optional columns (snoozed_until, first_response_at, closed_at, the
//     automations' times, a customer's auto_replied_at) and -infinity in the
//     others, so it sorts first; times outside PostgreSQL's range (4713 BC to
//     294276 AD) are ErrInvalid. The times kept in JSON (an event's, a
//     message's attribution, a customer's texts) are truncated the same way,
//     and must lie in the years 0 to 9999 that JSON's time form holds.
//   - A customer (inbox.Customer) is a row of the customers table; its texts
//     (Sent) are one json column, since they are only ever read and written
//     whole, and a message's Attribution is a json column too (NULL for
//     none). A text's Origin must be valid. Customer of a key that PutCustomer
//     would refuse (over 1024 bytes, not UTF-8) is ErrNotFound, without a
//     round trip.
//   - FollowUpDue reads a partial index of the tickets whose follow_up_at is
//     set, in (follow_up_at, number) order: O(due tickets asked for), however
//     many tickets the inbox has. Pending is the counters' last event less
//     the delivered mark, read with the inbox's row: no round trip of its
//     own in an Update, and in a View the one that starts it.
//   - Text is UTF-8 without NUL (PostgreSQL's text); identifiers (inbox,
//     member, view and lease IDs, customers, keys, assignees, tags, message
//     IDs) are at most 1024 bytes, to keep index entries under PostgreSQL's
//     limit. Anything else is ErrInvalid, refused before it reaches the
//     server, so the transaction goes on. The database must be UTF8
//     ([Migrate] checks).
//   - uint64 values (Member.Joined, rotation Joined and Last and Seq) are
//     kept in bigint: above 2^63-1 they are ErrInvalid, and a rotation
//     Seq that would pass it is [assign.ErrSeqExhausted].
//   - A rotation member's Hours must be an *officehours.Schedule (or nil):
//     that is what the store can keep; other [assign.Hours] are ErrInvalid.
//   - Decoding a schedule from JSON loads its time zone (about 100 µs), so
//     schedules are cached for the life of the process by their JSON text
//     (up to 10,000 of them); a Schedule is immutable, so one value serves
//     every transaction.
//   - Events are kept as inbox.Event's JSON form (a json column, with their
//     inbox, seq, ticket, type and time as columns): the events table can be
//     read as an outbox by other tools; a tool that writes it fills them all.
//   - The view counts are kept in the database, not by the store's Go code,
//     so that they stay right whoever writes the tickets table (a host's
//     SQL, a bulk load): a row trigger counts each inserted ticket, another
//     moves a ticket whose status or assignee changed; nothing counts
//     deletions, which the store never makes. The store's own ticket insert
//     adds to its count in the same statement (a data-modifying WITH),
//     cheaper than the trigger, whose WHEN clause skips the store's
//     transactions (they SET LOCAL routedesk.counting = 'store'; migration
//     0006). The trigger functions run with the schema's search_path (SET
//     search_path FROM CURRENT). All's count sums a row per assignee rather
//     than keeping a second row per status that every write would update.
//   - There are no foreign keys: tickets are numbered densely and never
//     deleted, so the store checks references against the counters (a
//     foreign key would cost a lookup per insert).
//   - A transaction used after its function returned answers [ErrTxDone]; a
//     transaction is not safe for concurrent use.
//
// # Tests
//
// The tests read the database's URL from ROUTEDESK_PG_URL and give each test
// a schema of its own, dropped afterwards, so that they run in parallel;
// without it they skip, except when CI=true, where they fail. testdb.sh in
// this folder runs a command with a throwaway server (make test uses it).
package pgstore
