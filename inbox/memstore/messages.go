package memstore

import (
	"fmt"
	"math"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// message is a message as memstore keeps it. The messages of all tickets are
// kept in one sequence; each links to the previous message of its ticket.
type message struct {
	author, id, body str // in data.text
	at               int64
	sentID           str   // Attribution.ID, in data.text
	sentAt           int64 // Attribution.At
	ticket           uint32
	index            uint32 // Message.Index
	prev             uint32 // number of the ticket's previous message; 0 if none
	kind             channel.Kind
	direction        inbox.Direction
	flags            uint8 // msgAutomatic, msgAttributed, msgSentAttributed
	origin           channel.Origin
}

// The flags of a kept message.
const (
	msgAutomatic      = 1 << iota // Automatic
	msgAttributed                 // Attribution is not nil
	msgSentAttributed             // Attribution.Attributed
)

// messageFlags returns the flags of m.
func messageFlags(m *inbox.Message) uint8 {
	var f uint8
	if m.Automatic {
		f |= msgAutomatic
	}
	if a := m.Attribution; a != nil {
		f |= msgAttributed
		if a.Attributed {
			f |= msgSentAttributed
		}
	}
	return f
}

// attribution returns the Attribution of a message with the given flags.
func attribution(flags uint8, origin channel.Origin, id string, at int64) *channel.Sent {
	if flags&msgAttributed == 0 {
		return nil
	}
	return &channel.Sent{ID: id, Origin: origin, At: decodeTime(at), Attributed: flags&msgSentAttributed != 0}
}

// messageOut returns message n as an inbox.Message.
func (d *data) messageOut(n uint32) inbox.Message {
	m := d.messages.at(int(n - 1))
	return inbox.Message{
		Ticket: int64(m.ticket), Index: int(m.index), Direction: m.direction, Author: d.text.get(m.author),
		ID: d.text.get(m.id), Body: d.text.get(m.body), At: decodeTime(m.at), Automatic: m.flags&msgAutomatic != 0,
		Attribution: attribution(m.flags, m.origin, d.text.get(m.sentID), m.sentAt),
	}
}

// AddMessage implements [inbox.Tx]. The channel kind must be valid; a message
// with an empty ID is not indexed and never conflicts.
func (w *tx) AddMessage(kind channel.Kind, m inbox.Message) (int, error) {
	d, err := w.writable()
	if err != nil {
		return 0, err
	}
	if !kind.Valid() {
		return 0, invalid("kind", fmt.Sprintf("%v is not a channel", kind))
	}
	t := d.ticket(m.Ticket)
	if t == nil {
		return 0, noTicket(m.Ticket)
	}
	at, err := d.encodeTime("Message.At", m.At)
	if err != nil {
		return 0, err
	}
	var sent channel.Sent
	if m.Attribution != nil {
		sent = *m.Attribution
	}
	sentAt, err := encodeTime("Message.Attribution.At", sent.At)
	if err != nil {
		return 0, err
	}
	key := threadKey{kind, m.ID}
	if m.ID != "" && d.byMessage.get(key) != 0 {
		return 0, conflict("a %v message with ID %q exists", kind, m.ID)
	}
	n := d.messages.len() + 1
	if n >= math.MaxUint32 {
		return 0, conflict("the inbox holds the most messages memstore can number")
	}
	author := t.customer // the usual author of an inbound message
	if m.Author != d.text.get(author) {
		author = d.text.put(m.Author)
	}
	ref := uint32(n)
	d.messages.push(message{
		author: author, id: d.text.put(m.ID), body: d.text.put(m.Body), at: at,
		sentID: d.text.put(sent.ID), sentAt: sentAt, ticket: uint32(m.Ticket), index: t.messageCount,
		prev: t.lastMessage, kind: kind, direction: m.Direction, flags: messageFlags(&m), origin: sent.Origin,
	})
	m.Index = int(t.messageCount)
	d.added.m, d.added.ref = m, ref
	t.lastMessage = ref
	t.messageCount++
	if key.key != "" {
		d.byMessage.put(key, ref)
	}
	d.undo.add(undoStep{kind: undoMessage, n: n, number: m.Ticket})
	return m.Index, nil
}

// TicketByMessage implements [inbox.ReadTx]. An empty ID finds nothing. A miss
// is errNoMessageWithID.
func (r *tx) TicketByMessage(kind channel.Kind, id string) (int64, error) {
	d, err := r.inbox()
	if err != nil {
		return 0, err
	}
	if n := d.byMessage.get(threadKey{kind, id}); n != 0 && id != "" {
		return int64(d.messages.at(int(n - 1)).ticket), nil
	}
	return 0, errNoMessageWithID
}

// Messages implements [inbox.ReadTx]. before 0 is the end of the thread
// (nothing is below it); pass math.MaxInt for the newest page. It costs the
// messages newer than before plus limit.
func (r *tx) Messages(ticket int64, before, limit int) ([]inbox.Message, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	switch {
	case before < 0:
		return nil, invalid("before", fmt.Sprintf("%d is negative", before))
	case limit <= 0:
		return nil, invalid("limit", fmt.Sprintf("%d is not positive", limit))
	}
	t := d.ticket(ticket)
	if t == nil {
		return nil, noTicket(ticket)
	}
	var out []inbox.Message
	for n := t.lastMessage; n != 0 && len(out) < limit; {
		m := d.messages.at(int(n - 1))
		if int(m.index) < before {
			out = append(out, d.messageOut(n))
		}
		n = m.prev
	}
	return out, nil
}
