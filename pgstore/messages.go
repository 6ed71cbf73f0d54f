package pgstore

import (
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// AddMessage implements [inbox.Tx]. One statement numbers the message after
// the thread's last and inserts it, unless its ID is taken (ErrConflict).
func (w *writeTx) AddMessage(kind channel.Kind, m inbox.Message) (int, error) {
	if err := w.load(); err != nil {
		return 0, err
	}
	if !kind.Valid() {
		return 0, invalid("channel kind", kind.String())
	}
	if !w.exists(m.Ticket) {
		return 0, notFound("ticket", m.Ticket)
	}
	if err := firstError(checkMessage("Message", &m), checkKey("Message.ID", m.ID)); err != nil {
		return 0, err
	}
	attribution, err := encodeAttribution(m.Attribution)
	if err != nil {
		return 0, err
	}
	key := uniqueKey{messageID, kind, m.ID}
	if next, ok := w.threads[m.Ticket]; ok && (m.ID == "" || w.absent[key]) {
		// The index is known and the ID cannot be taken: queue it.
		m.Index = next
		err := w.write(w.s.sql(`INSERT INTO {s}.messages (inbox, ticket, index, kind, direction, author, id, body, sent_at, automatic, attribution)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`),
			w.inbox, m.Ticket, int64(m.Index), kind.String(), int16(m.Direction), m.Author, m.ID, m.Body, keptTime(m.At), m.Automatic, attribution)
		if err != nil {
			return 0, err
		}
		w.added(key, m.Ticket, m.Index)
		return m.Index, nil
	}
	inserted, err := w.queryRow(w.s.sql(`INSERT INTO {s}.messages (inbox, ticket, index, kind, direction, author, id, body, sent_at, automatic, attribution)
		SELECT $1, $2, coalesce(max(index) + 1, 0), $3, $4, $5, $6, $7, $8, $9, $10 FROM {s}.messages WHERE inbox = $1 AND ticket = $2
		ON CONFLICT DO NOTHING RETURNING index`),
		[]any{w.inbox, m.Ticket, kind.String(), int16(m.Direction), m.Author, m.ID, m.Body, keptTime(m.At), m.Automatic, attribution}, &m.Index)
	switch {
	case err != nil:
		return 0, err
	case !inserted:
		return 0, fmt.Errorf("pgstore: a %v message with ID %q exists: %w", kind, m.ID, inbox.ErrConflict)
	}
	w.added(key, m.Ticket, m.Index)
	return m.Index, nil
}

// uniqueKey is a value that a unique index holds: a message ID of a channel,
// or the key of an SMS ticket.
type uniqueKey struct {
	what uint8 // messageID or smsKey
	kind channel.Kind
	key  string
}

const (
	messageID uint8 = iota
	smsKey
)

// missing records that a lookup in the transaction found no row with key:
// until the transaction adds one, an insert with it cannot conflict.
func (r *readTx) missing(key uniqueKey) {
	if r.absent == nil {
		r.absent = make(map[uniqueKey]bool)
	}
	r.absent[key] = true
}

// added records a message added at index of ticket's thread.
func (w *writeTx) added(key uniqueKey, ticket int64, index int) {
	if w.threads == nil {
		w.threads = make(map[int64]int)
	}
	w.threads[ticket] = index + 1
	delete(w.absent, key)
}

// Messages implements [inbox.ReadTx].
func (r *readTx) Messages(ticket int64, before, limit int) ([]inbox.Message, error) {
	switch {
	case limit <= 0:
		return nil, invalid("limit", fmt.Sprintf("%d; give at least 1", limit))
	case before < 0:
		return nil, invalid("before", fmt.Sprintf("%d is negative", before))
	}
	if err := r.load(); err != nil {
		return nil, err
	}
	if !r.exists(ticket) {
		return nil, notFound("ticket", ticket)
	}
	var out []inbox.Message
	err := r.query(r.s.sql(`SELECT index, direction, author, id, body, sent_at, automatic, attribution FROM {s}.messages
		WHERE inbox = $1 AND ticket = $2 AND index < $3 ORDER BY index DESC LIMIT $4`),
		[]any{r.inbox, ticket, int64(before), int64(limit)}, func(rows pgx.Rows) error {
			m := inbox.Message{Ticket: ticket}
			var dir int16
			var attribution []byte
			err := rows.Scan(&m.Index, &dir, &m.Author, &m.ID, &m.Body, scanTime(&m.At), &m.Automatic, &attribution)
			if err == nil && attribution != nil {
				m.Attribution = new(channel.Sent)
				err = decode("a stored message's attribution", attribution, m.Attribution)
			}
			m.Direction = inbox.Direction(dir)
			out = append(out, m)
			return err
		})
	return out, err
}

// TicketByMessage implements [inbox.ReadTx].
func (r *readTx) TicketByMessage(kind channel.Kind, id string) (int64, error) {
	var n int64
	found, err := r.queryRow(r.s.sql(`SELECT ticket FROM {s}.messages WHERE inbox = $1 AND kind = $2 AND id = $3 AND id <> ''`),
		[]any{r.inbox, kind.String(), id}, &n)
	if err == nil && !found {
		r.missing(uniqueKey{messageID, kind, id})
		err = notFound(kind.String()+" message", strconv.Quote(id))
	}
	return n, err
}
