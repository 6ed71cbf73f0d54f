package pgstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/inbox"
)

// Emit implements [inbox.Tx]. The event is kept in its JSON form, with its
// times to the microsecond, in UTC.
func (w *writeTx) Emit(e inbox.Event) (int64, error) {
	if err := w.load(); err != nil {
		return 0, err
	}
	if !e.Type.Valid() {
		return 0, invalid("Event.Type", e.Type.String())
	}
	if e.Ticket != 0 && !w.exists(e.Ticket) {
		return 0, notFound("ticket", e.Ticket)
	}
	e.Seq, e.Inbox = w.row.lastEvent+1, w.inbox
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Tags, e.Recipients = slices.Clone(e.Tags), slices.Clone(e.Recipients)
	if e.Message != nil {
		m := keptMessage(*e.Message)
		e.Message = &m
	}
	if e.Messages != nil {
		ms := make([]inbox.Message, len(e.Messages))
		for i, m := range e.Messages {
			ms[i] = keptMessage(m)
		}
		e.Messages = ms
	}
	if err := checkEvent(&e); err != nil {
		return 0, err
	}
	text, err := json.Marshal(&e)
	if err != nil {
		return 0, invalid("Event", err.Error())
	}
	w.emitted.add(&e, text)
	w.row.lastEvent, w.dirty = e.Seq, true
	return e.Seq, nil
}

// eventRows are events waiting to be inserted, by column.
type eventRows struct {
	seqs    []int64
	tickets []*int64 // nil for none
	types   []string
	ats     []time.Time
	texts   []string
}

// add adds the event e, kept as text.
func (ev *eventRows) add(e *inbox.Event, text []byte) {
	var t *int64
	if e.Ticket != 0 {
		n := e.Ticket
		t = &n
	}
	ev.seqs, ev.tickets, ev.texts = append(ev.seqs, e.Seq), append(ev.tickets, t), append(ev.texts, string(text))
	ev.types, ev.ats = append(ev.types, e.Type.String()), append(ev.ats, e.At)
}

// queueEvents queues the insert of the events emitted since the last round
// trip, in one statement, with their type and time as columns beside the
// JSON (migration 0006).
func (r *readTx) queueEvents() {
	if len(r.emitted.seqs) == 0 {
		return
	}
	ev := &r.emitted
	r.queue(r.s.sql(`INSERT INTO {s}.events (inbox, seq, ticket, type, at, event)
		SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::json[])`),
		r.inbox, ev.seqs, ev.tickets, ev.types, ev.ats, ev.texts)
	r.emitted = eventRows{}
}

// checkEvent refuses the strings that the store keeps nowhere (text is UTF-8
// without NUL): encoding/json would replace invalid UTF-8 silently.
func checkEvent(e *inbox.Event) error {
	err := firstError(checkText("Event.Actor", e.Actor), checkText("Event.Assignee", e.Assignee), checkText("Event.Keyword", e.Keyword),
		checkText("Event.EmailFrom", e.EmailFrom), checkText("Event.EmailTo", e.EmailTo))
	if m := e.Message; m != nil {
		err = firstError(err, checkMessage("Event.Message", m))
	}
	for i := range e.Messages {
		err = firstError(err, checkMessage("Event.Messages", &e.Messages[i]))
	}
	for _, tag := range e.Tags {
		err = firstError(err, checkText("Event.Tags", tag))
	}
	for _, r := range e.Recipients {
		err = firstError(err, checkText("Event.Recipients", r))
	}
	return err
}

// eventList runs a query of the event column and decodes its rows.
func (r *readTx) eventList(q string, args ...any) ([]inbox.Event, error) {
	var out []inbox.Event
	err := r.query(q, args, func(rows pgx.Rows) error {
		var text []byte
		if err := rows.Scan(&text); err != nil {
			return err
		}
		e, err := decodeEvent(text)
		out = append(out, e)
		return err
	})
	return out, err
}

// decodeEvent decodes a kept event.
func decodeEvent(text []byte) (inbox.Event, error) {
	var e inbox.Event
	if err := decode("a stored event", text, &e); err != nil {
		return inbox.Event{}, err
	}
	return e, nil
}

// History implements [inbox.ReadTx].
func (r *readTx) History(ticket int64) ([]inbox.Event, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	if !r.exists(ticket) {
		return nil, notFound("ticket", ticket)
	}
	return r.eventList(r.s.sql(`SELECT event FROM {s}.events WHERE inbox = $1 AND ticket = $2 ORDER BY seq`), r.inbox, ticket)
}

// Outbox implements [inbox.ReadTx].
func (r *readTx) Outbox(after int64, limit int) ([]inbox.Event, error) {
	switch {
	case after < 0:
		return nil, invalid("after", fmt.Sprintf("%d is negative", after))
	case limit <= 0:
		return nil, invalid("limit", fmt.Sprintf("%d; give at least 1", limit))
	}
	return r.eventList(r.s.sql(`SELECT event FROM {s}.events WHERE inbox = $1 AND seq > $2 ORDER BY seq LIMIT $3`),
		r.inbox, after, int64(limit))
}

// Delivered implements [inbox.ReadTx].
func (r *readTx) Delivered() (int64, error) {
	if err := r.load(); err != nil {
		return 0, err
	}
	return r.row.delivered, nil
}

// Pending implements [inbox.ReadTx]: the counters give it, with the inbox's
// row.
func (r *readTx) Pending() (int64, error) {
	if err := r.load(); err != nil {
		return 0, err
	}
	return r.row.lastEvent - r.row.delivered, nil
}

// SetDelivered implements [inbox.Tx].
func (w *writeTx) SetDelivered(seq int64) error {
	if err := w.load(); err != nil {
		return err
	}
	if seq < 0 || seq > w.row.lastEvent {
		return invalid("delivered seq", fmt.Sprintf("%d; give 0 to %d, the last event", seq, w.row.lastEvent))
	}
	if seq > w.row.delivered {
		w.row.delivered, w.dirty = seq, true
	}
	return nil
}

// Lease implements [inbox.Tx] with one conditional upsert: the lease is
// taken when it is free, expired at now, or held by holder.
func (w *writeTx) Lease(name, holder string, now, until time.Time) (bool, error) {
	if err := w.usable(); err != nil {
		return false, err
	}
	switch {
	case name == "":
		return false, invalid("lease name", "empty")
	case holder == "":
		return false, invalid("lease holder", "empty")
	case !until.After(now):
		return false, invalid("lease until", fmt.Sprintf("%v is not after now (%v)", until, now))
	}
	if err := firstError(checkKey("lease name", name), checkKey("lease holder", holder),
		checkTime("lease now", now), checkTime("lease until", until)); err != nil {
		return false, err
	}
	return w.queryRow(w.s.sql(`INSERT INTO {s}.leases AS l (inbox, name, holder, expires_at) VALUES ($1, $2, $3, $5)
		ON CONFLICT (inbox, name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE l.holder = excluded.holder OR l.expires_at <= $4
		RETURNING true`), []any{w.inbox, name, holder, keptTime(now), keptTime(until)}, new(bool))
}
