package pgstore

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// identity is what fixes a ticket at creation: the indexes file it under
// these, and PutTicket refuses to change them.
type identity struct {
	channel  channel.Kind
	customer string
	key      string
}

func identityOf(t *inbox.Ticket) identity { return identity{t.Channel, t.Customer, t.Key} }

// ticketColumnNames are the columns of a ticket after its inbox, in the
// order of ticketArgs: the first four fix its identity.
var ticketColumnNames = []string{"number", "channel", "customer", "key", "subject", "status", "assignee", "tags", "unread",
	"created_at", "active_at", "snoozed_until", "first_response_at", "closed_at",
	"last_customer_at", "last_reply_at", "customer_away", "follow_up_at", "followed_up_at", "notified_at", "new_replies"}

// The statements of tickets, from ticketColumnNames: insertTicket takes the
// inbox and ticketArgs, as does updateTicket, which finds the ticket by its
// identity and sets the rest. insertSMS is insertTicket that inserts
// nothing when the SMS key is taken; both return a row when they inserted.
var (
	ticketColumns = strings.Join(ticketColumnNames, ", ")
	insertTicket  = countedInsert("")
	insertSMS     = countedInsert(" ON CONFLICT DO NOTHING")
	updateTicket  = func() string {
		sets := make([]string, 0, len(ticketColumnNames))
		for i, c := range ticketColumnNames[4:] {
			sets = append(sets, fmt.Sprintf("%s = $%d", c, i+6))
		}
		return `UPDATE {s}.tickets SET ` + strings.Join(sets, ", ") +
			` WHERE inbox = $1 AND number = $2 AND channel = $3 AND customer = $4 AND key = $5`
	}()
)

// countedInsert returns the insert of a ticket, with onConflict, that adds
// it to its count in ticket_counts in the same statement: the store's
// transactions set routedesk.counting, so the trigger of migration 0006
// leaves the count to it.
func countedInsert(onConflict string) string {
	return `WITH t AS (INSERT INTO {s}.tickets (inbox, ` + ticketColumns + `) VALUES (` + params(1, len(ticketColumnNames)+1) + `)` +
		onConflict + ` RETURNING status, assignee)
		INSERT INTO {s}.ticket_counts AS c (inbox, status, assignee, tickets) SELECT $1, status, assignee, 1 FROM t
		ON CONFLICT (inbox, status, assignee) DO UPDATE SET tickets = c.tickets + 1 RETURNING true`
}

// params returns the placeholders $from to $to, separated by commas.
func params(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		if i > from {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i)
	}
	return b.String()
}

// ticketList runs a query of ticketColumns and returns its rows; size is
// how many the caller expects at most. When counted, the query has a count
// after the ticket's columns, the same in every row: ticketList returns it
// (0 when there are no rows). An Update remembers each ticket's identity,
// for PutTicket.
func (r *readTx) ticketList(size int, counted bool, q string, args ...any) (ts []inbox.Ticket, total int64, err error) {
	if r.ticketRow == nil {
		r.ticketRow = new(ticketRow)
	}
	row := r.ticketRow
	row.total = 0
	out := make([]inbox.Ticket, 0, size)
	binary, checked := false, false
	err = r.query(q, args, func(rows pgx.Rows) error {
		if !checked {
			binary, checked = wireBinary(rows.FieldDescriptions()), true
		}
		// The row is decoded in place, into memory that make or Grow
		// zeroed.
		out = slices.Grow(out, 1)[:len(out)+1]
		t := &out[len(out)-1]
		if err := row.scan(rows, counted, binary, t); err != nil {
			return err
		}
		if !r.readOnly {
			if r.tickets == nil {
				r.tickets = make(map[int64]identity)
			}
			r.tickets[t.Number] = identityOf(t)
		}
		return nil
	})
	return out, row.total, err
}

// Ticket implements [inbox.ReadTx].
func (r *readTx) Ticket(number int64) (inbox.Ticket, error) {
	ts, _, err := r.ticketList(1, false, r.s.sql(`SELECT `+ticketColumns+` FROM {s}.tickets WHERE inbox = $1 AND number = $2`), r.inbox, number)
	return first(ts, err, "ticket", number)
}

// TicketByKey implements [inbox.ReadTx].
func (r *readTx) TicketByKey(kind channel.Kind, key string) (inbox.Ticket, error) {
	if key == "" {
		return inbox.Ticket{}, notFound(kind.String()+" ticket with key", strconv.Quote(key))
	}
	ts, _, err := r.ticketList(1, false, r.s.sql(`SELECT `+ticketColumns+` FROM {s}.tickets
		WHERE inbox = $1 AND channel = $2 AND key = $3 AND key <> '' ORDER BY number DESC LIMIT 1`), r.inbox, kind.String(), key)
	if err == nil && len(ts) == 0 && kind == channel.SMS {
		r.missing(uniqueKey{smsKey, kind, key})
	}
	return first(ts, err, kind.String()+" ticket with key", strconv.Quote(key))
}

// CustomerTickets implements [inbox.ReadTx].
func (r *readTx) CustomerTickets(customer string) (int, error) {
	var n int
	_, err := r.queryRow(r.s.sql(`SELECT count(*) FROM {s}.tickets WHERE inbox = $1 AND customer = $2`), []any{r.inbox, customer}, &n)
	return n, err
}

// exists reports whether the inbox has a ticket with the number: tickets are
// numbered densely from 1 and never deleted. Call load first.
func (r *readTx) exists(number int64) bool { return number >= 1 && number <= r.row.lastTicket }

// checkTicket refuses a ticket that cannot be kept.
func checkTicket(t *inbox.Ticket) error {
	switch {
	case !t.Channel.Valid():
		return invalid("Ticket.Channel", t.Channel.String())
	case !t.Status.Valid():
		return invalid("Ticket.Status", t.Status.String())
	case t.NewReplies < 0 || t.NewReplies > math.MaxInt32:
		return invalid("Ticket.NewReplies", fmt.Sprintf("%d is outside 0 to %d", t.NewReplies, math.MaxInt32))
	}
	err := firstError(checkKey("Ticket.Customer", t.Customer), checkKey("Ticket.Key", t.Key), checkKey("Ticket.Assignee", t.Assignee),
		checkText("Ticket.Subject", t.Subject), checkTime("Ticket.CreatedAt", t.CreatedAt), checkTime("Ticket.ActiveAt", t.ActiveAt),
		checkTime("Ticket.SnoozedUntil", t.SnoozedUntil), checkTime("Ticket.FirstResponseAt", t.FirstResponseAt),
		checkTime("Ticket.ClosedAt", t.ClosedAt), checkTime("Ticket.LastCustomerAt", t.LastCustomerAt),
		checkTime("Ticket.LastReplyAt", t.LastReplyAt), checkTime("Ticket.FollowUpAt", t.FollowUpAt),
		checkTime("Ticket.FollowedUpAt", t.FollowedUpAt), checkTime("Ticket.NotifiedAt", t.NotifiedAt))
	for _, tag := range t.Tags {
		err = firstError(err, checkKey("Ticket.Tags", tag))
	}
	return err
}

// ticketArgs are the arguments $3… of the ticket's columns after inbox and
// number.
func ticketArgs(t *inbox.Ticket) []any {
	tags := slices.Clone(t.Tags) // a queued write must not see the caller change them
	if tags == nil {
		tags = []string{}
	}
	return []any{t.Channel.String(), t.Customer, t.Key, t.Subject, t.Status.String(), t.Assignee, tags, t.Unread,
		keptTime(t.CreatedAt), keptTime(t.ActiveAt), optionalTime(t.SnoozedUntil), optionalTime(t.FirstResponseAt), optionalTime(t.ClosedAt),
		optionalTime(t.LastCustomerAt), optionalTime(t.LastReplyAt), t.CustomerAway, optionalTime(t.FollowUpAt), optionalTime(t.FollowedUpAt),
		optionalTime(t.NotifiedAt), t.NewReplies}
}

// CreateTicket implements [inbox.Tx]. An SMS ticket with a key is inserted
// at once, to learn whether the key is taken (ErrConflict), unless the
// transaction looked the key up and found no ticket; any other ticket cannot
// conflict, and is queued with the transaction's next round trip.
func (w *writeTx) CreateTicket(t inbox.Ticket) (int64, error) {
	if err := w.load(); err != nil {
		return 0, err
	}
	if err := checkTicket(&t); err != nil {
		return 0, err
	}
	if w.row.lastTicket == math.MaxInt64 {
		return 0, fmt.Errorf("pgstore: the inbox has %d tickets, the most it can number: %w", w.row.lastTicket, inbox.ErrConflict)
	}
	t.Number = w.row.lastTicket + 1
	args := append([]any{w.inbox, t.Number}, ticketArgs(&t)...)
	key := uniqueKey{smsKey, channel.SMS, t.Key}
	if t.Channel == channel.SMS && t.Key != "" && !w.absent[key] {
		inserted, err := w.queryRow(w.s.sql(insertSMS), args, new(bool))
		if err != nil {
			return 0, err
		}
		if !inserted {
			return 0, fmt.Errorf("pgstore: an SMS ticket with key %q exists: %w", t.Key, inbox.ErrConflict)
		}
	} else if err := w.write(w.s.sql(insertTicket), args...); err != nil {
		return 0, err
	}
	if t.Channel == channel.SMS {
		delete(w.absent, key)
	}
	w.row.lastTicket, w.dirty = t.Number, true
	if w.tickets == nil {
		w.tickets = make(map[int64]identity)
	}
	w.tickets[t.Number] = identityOf(&t)
	if w.threads == nil {
		w.threads = make(map[int64]int)
	}
	w.threads[t.Number] = 0
	return t.Number, nil
}

// PutTicket implements [inbox.Tx]. It reads the ticket's identity unless the
// transaction already did, and queues the update.
func (w *writeTx) PutTicket(t inbox.Ticket) error {
	if err := w.load(); err != nil {
		return err
	}
	if err := checkTicket(&t); err != nil {
		return err
	}
	if !w.exists(t.Number) {
		return notFound("ticket", t.Number)
	}
	id, ok := w.tickets[t.Number]
	if !ok {
		old, err := w.Ticket(t.Number)
		if err != nil {
			return err
		}
		id = identityOf(&old)
	}
	if id != identityOf(&t) {
		return invalid("Ticket", fmt.Sprintf("ticket %d: its channel, customer and key are fixed at creation", t.Number))
	}
	return w.write(w.s.sql(updateTicket), append([]any{w.inbox, t.Number}, ticketArgs(&t)...)...)
}

// SnoozeDue implements [inbox.ReadTx].
func (r *readTx) SnoozeDue(now time.Time, limit int) ([]int64, error) {
	return r.due(`SELECT number FROM {s}.tickets
		WHERE inbox = $1 AND status = 'snoozed' AND coalesce(snoozed_until, '-infinity') <= $2
		ORDER BY coalesce(snoozed_until, '-infinity'), number LIMIT $3`, now, limit)
}

// FollowUpDue implements [inbox.ReadTx]. The partial index tickets_follow_up
// holds only the tickets with a follow-up due.
func (r *readTx) FollowUpDue(now time.Time, limit int) ([]int64, error) {
	return r.due(followUpDue, now, limit)
}

// followUpDue is FollowUpDue's query, given the inbox, now and the limit.
// follow_up_at <= $2 implies that follow_up_at is not NULL, which lets
// PostgreSQL use the partial index; saying so as well would make it count
// that selectivity twice, and misjudge the plan.
const followUpDue = `SELECT number FROM {s}.tickets
	WHERE inbox = $1 AND follow_up_at <= $2
	ORDER BY follow_up_at, number LIMIT $3`

// due runs a query of ticket numbers due at now, given the inbox, now and
// the limit.
func (r *readTx) due(q string, now time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, invalid("limit", fmt.Sprintf("%d; give at least 1", limit))
	}
	var out []int64
	err := r.query(r.s.sql(q), []any{r.inbox, upTo(now), limit}, func(rows pgx.Rows) error {
		var n int64
		err := rows.Scan(&n)
		out = append(out, n)
		return err
	})
	return out, err
}

// Tickets implements [inbox.ReadTx]. The list is one index range scan per
// status asked for, each reading no further than the page (the other
// filters are checked on the way), merged by the order: O(statuses × page)
// when most tickets of a status pass the other filters. In a View, the
// count of a standard view comes in the same statement (see
// [readTx.Count]).
func (r *readTx) Tickets(f inbox.Filter) ([]inbox.Ticket, error) {
	// Only a View reads the count with the page: nothing it reads can
	// change between its Tickets and its Count.
	counted := r.readOnly && countedByTable(&f)
	q, args, err := r.s.ticketsQuery(r.inbox, &f, counted)
	if err != nil {
		return nil, err
	}
	ts, total, err := r.ticketList(min(f.Limit, inbox.MaxPageSize+1), counted, q, args...)
	// An empty page from the top is a count of 0; after a cursor, it says
	// nothing of the count.
	if err == nil && counted && (len(ts) > 0 || f.After == nil) {
		q, args, err := r.s.countQuery(r.inbox, &f)
		if err != nil {
			return nil, err
		}
		r.counted = &prefetched{q: q, args: args, n: int(total)}
	}
	return ts, err
}

// Count implements [inbox.ReadTx]. The count of a standard view (statuses
// and at most an assignee) sums rows of the ticket_counts table, which
// triggers keep: one row per status for My inbox and Unassigned, one per
// assignee and status for All. Other filters count the matching tickets.
// A count that Tickets read with the page in a View costs nothing more.
func (r *readTx) Count(f inbox.Filter) (int, error) {
	q, args, err := r.s.countQuery(r.inbox, &f)
	if err != nil {
		return 0, err
	}
	if c := r.counted; c != nil && c.q == q && reflect.DeepEqual(c.args, args) {
		return c.n, r.usable()
	}
	var n int
	_, err = r.queryRow(q, args, &n)
	return n, err
}

// prefetched is a Count that a View's Tickets read with its page.
type prefetched struct {
	q    string
	args []any
	n    int
}
