package memstore

import (
	"encoding/binary"
	"fmt"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// pageSize is the size of the event log's pages.
const pageSize = 64 << 10

// eventLog keeps every event of an inbox, encoded (see encodeEvent), in Seq
// order: about 25 bytes for a typical event, where an inbox.Event takes 200.
// Records are packed into pages of pageSize (a larger record gets a page of
// its own), and located by their page and offset.
type eventLog struct {
	pages [][]byte
	at    chunks[uint64] // event Seq n: page<<32 | offset, at index n-1
}

func (l *eventLog) len() int { return l.at.len() }

// add appends a record.
func (l *eventLog) add(rec []byte) {
	k := len(l.pages) - 1
	switch {
	case k < 0:
		l.pages = append(l.pages, nil) // the first page grows like a slice
		k = 0
	case len(l.pages[k]) > 0 && len(l.pages[k])+len(rec) > pageSize:
		l.pages = append(l.pages, make([]byte, 0, max(pageSize, len(rec))))
		k++
	}
	l.at.push(uint64(k)<<32 | uint64(len(l.pages[k])))
	l.pages[k] = append(l.pages[k], rec...)
}

// record returns the bytes from the start of event seq's record.
func (l *eventLog) record(seq int64) []byte {
	at := *l.at.at(int(seq - 1))
	return l.pages[at>>32][at&(1<<32-1):]
}

// truncate drops the events from Seq n+1 on.
func (l *eventLog) truncate(n int) {
	if n == l.len() {
		return
	}
	at := *l.at.at(n)
	k := int(at >> 32)
	clear(l.pages[k+1:])
	l.pages = l.pages[:k+1]
	l.pages[k] = l.pages[k][:at&(1<<32-1)]
	l.at.truncate(n)
}

// The flags of an encoded event: which fields follow.
const (
	hasTicket = 1 << iota
	hasActor
	hasMessageRef // Message is the stored message whose number follows
	hasMessage    // Message is encoded in full
	hasAssignee
	hasDecision
	hasFrom
	hasTo
	hasStatus
	hasTags
	hasKeyword
	hasPresence
)

// encodeEvent appends the record of e to b. back is how many events before e
// the previous event of e's ticket is (0 if none); msg is the number of the
// stored message equal to *e.Message, or 0; at and msgAt are e.At and
// e.Message.At as kept. The record is: the type, the flags (uvarint), At (8
// bytes), then the fields that are set, in the order of the flags. Strings
// are a uvarint length and the bytes.
func encodeEvent(b []byte, e *inbox.Event, back int64, msg uint32, at, msgAt int64) []byte {
	var flags uint64
	set := func(f uint64, ok bool) {
		if ok {
			flags |= f
		}
	}
	set(hasTicket, e.Ticket != 0)
	set(hasActor, e.Actor != "")
	set(hasMessageRef, e.Message != nil && msg != 0)
	set(hasMessage, e.Message != nil && msg == 0)
	set(hasAssignee, e.Assignee != "")
	set(hasDecision, e.Decision != nil)
	set(hasFrom, e.From != 0)
	set(hasTo, e.To != 0)
	set(hasStatus, e.Status != 0)
	set(hasTags, len(e.Tags) > 0)
	set(hasKeyword, e.Keyword != "")
	set(hasPresence, e.Presence != nil)

	b = append(b, byte(e.Type))
	b = binary.AppendUvarint(b, flags)
	b = binary.LittleEndian.AppendUint64(b, uint64(at))
	if flags&hasTicket != 0 {
		b = binary.AppendUvarint(b, uint64(e.Ticket))
		b = binary.AppendUvarint(b, uint64(back))
	}
	if flags&hasActor != 0 {
		b = appendString(b, e.Actor)
	}
	if flags&hasMessageRef != 0 {
		b = binary.AppendUvarint(b, uint64(msg))
	}
	if flags&hasMessage != 0 {
		m := e.Message
		b = binary.AppendVarint(b, m.Ticket)
		b = binary.AppendVarint(b, int64(m.Index))
		b = append(b, byte(m.Direction), boolByte(m.Automatic))
		b = appendString(appendString(appendString(b, m.Author), m.ID), m.Body)
		b = binary.LittleEndian.AppendUint64(b, uint64(msgAt))
	}
	if flags&hasAssignee != 0 {
		b = appendString(b, e.Assignee)
	}
	if flags&hasDecision != 0 {
		d := e.Decision
		b = appendString(b, d.Agent)
		b = append(b, boolByte(d.Closed))
		b = binary.AppendUvarint(b, d.Seq)
		for _, n := range [...]int{d.Eligible, d.Offline, d.AtCapacity, d.OutsideHours} {
			b = binary.AppendVarint(b, int64(n))
		}
	}
	for _, f := range [...]struct {
		flag uint64
		v    byte
	}{{hasFrom, byte(e.From)}, {hasTo, byte(e.To)}, {hasStatus, byte(e.Status)}} {
		if flags&f.flag != 0 {
			b = append(b, f.v)
		}
	}
	if flags&hasTags != 0 {
		b = binary.AppendUvarint(b, uint64(len(e.Tags)))
		for _, t := range e.Tags {
			b = appendString(b, t)
		}
	}
	if flags&hasKeyword != 0 {
		b = appendString(b, e.Keyword)
	}
	if flags&hasPresence != 0 {
		b = append(b, byte(*e.Presence))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// decoder reads a record that encodeEvent wrote.
type decoder []byte

func (d *decoder) byte() byte {
	v := (*d)[0]
	*d = (*d)[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(*d)
	*d = (*d)[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(*d)
	*d = (*d)[n:]
	return v
}

func (d *decoder) fixed() int64 {
	v := binary.LittleEndian.Uint64(*d)
	*d = (*d)[8:]
	return int64(v)
}

func (d *decoder) string() string {
	n := d.uvarint()
	s := string((*d)[:n])
	*d = (*d)[n:]
	return s
}

// decodeEvent decodes the record of event seq, and returns it with the Seq
// of the previous event of its ticket (0 if none).
func (d *data) decodeEvent(seq int64) (inbox.Event, int64) {
	r := decoder(d.events.record(seq))
	e := inbox.Event{Seq: seq, Inbox: d.id, Type: inbox.EventType(r.byte())}
	flags := r.uvarint()
	e.At = decodeTime(r.fixed())
	var prev int64
	if flags&hasTicket != 0 {
		e.Ticket = int64(r.uvarint())
		if back := int64(r.uvarint()); back != 0 {
			prev = seq - back
		}
	}
	if flags&hasActor != 0 {
		e.Actor = r.string()
	}
	if flags&hasMessageRef != 0 {
		m := d.messageOut(uint32(r.uvarint()))
		e.Message = &m
	}
	if flags&hasMessage != 0 {
		m := inbox.Message{Ticket: r.varint(), Index: int(r.varint())}
		m.Direction, m.Automatic = inbox.Direction(r.byte()), r.byte() == 1
		m.Author, m.ID, m.Body = r.string(), r.string(), r.string()
		m.At = decodeTime(r.fixed())
		e.Message = &m
	}
	if flags&hasAssignee != 0 {
		e.Assignee = r.string()
	}
	if flags&hasDecision != 0 {
		dec := assign.Decision{Agent: r.string(), Closed: r.byte() == 1, Seq: r.uvarint()}
		for _, n := range [...]*int{&dec.Eligible, &dec.Offline, &dec.AtCapacity, &dec.OutsideHours} {
			*n = int(r.varint())
		}
		e.Decision = &dec
	}
	if flags&hasFrom != 0 {
		e.From = status.Status(r.byte())
	}
	if flags&hasTo != 0 {
		e.To = status.Status(r.byte())
	}
	if flags&hasStatus != 0 {
		e.Status = status.Event(r.byte())
	}
	if flags&hasTags != 0 {
		e.Tags = make([]string, r.uvarint())
		for i := range e.Tags {
			e.Tags[i] = r.string()
		}
	}
	if flags&hasKeyword != 0 {
		e.Keyword = r.string()
	}
	if flags&hasPresence != 0 {
		p := assign.Presence(r.byte())
		e.Presence = &p
	}
	return e, prev
}

// Emit implements [inbox.Tx]. It sets e.Seq and e.Inbox, ignoring what they
// held. e.Type must be a known type, and e.Ticket 0 or an existing ticket.
func (w *writeTx) Emit(e inbox.Event) (inbox.Event, error) {
	d, err := w.inbox()
	if err != nil {
		return inbox.Event{}, err
	}
	if !e.Type.Valid() {
		return inbox.Event{}, invalid("Event.Type", fmt.Sprintf("%d is not an event type", e.Type))
	}
	at, err := encodeTime("Event.At", e.At)
	if err != nil {
		return inbox.Event{}, err
	}
	var t *ticket
	if e.Ticket != 0 {
		if t = d.ticket(e.Ticket); t == nil {
			return inbox.Event{}, noTicket(e.Ticket)
		}
	}
	var msg uint32
	var msgAt int64
	if e.Message != nil {
		if msgAt, err = encodeTime("Event.Message.At", e.Message.At); err != nil {
			return inbox.Event{}, err
		}
		msg = d.storedMessage(e.Message, msgAt)
	}
	seq := int64(d.events.len() + 1)
	var prev, back int64
	if t != nil {
		prev = t.lastEvent
		if prev != 0 {
			back = seq - prev
		}
		t.lastEvent = seq
	}
	d.scratch = encodeEvent(d.scratch[:0], &e, back, msg, at, msgAt)
	d.events.add(d.scratch)
	d.undo = append(d.undo, undoStep{kind: undoEvent, n: int(seq), number: e.Ticket, prev: prev})
	e.Seq, e.Inbox = seq, d.id
	return e, nil
}

// storedMessage returns the number of the last message of m's ticket when m
// is equal to it (the usual event: the message just added), so the event
// can refer to it instead of holding a copy; otherwise 0.
func (d *data) storedMessage(m *inbox.Message, at int64) uint32 {
	t := d.ticket(m.Ticket)
	if t == nil || t.lastMessage == 0 {
		return 0
	}
	s := d.messages.at(int(t.lastMessage - 1))
	if int(s.index) == m.Index && s.direction == m.Direction && s.at == at && s.automatic == m.Automatic &&
		d.text.get(s.author) == m.Author && d.text.get(s.id) == m.ID && d.text.get(s.body) == m.Body {
		return t.lastMessage
	}
	return 0
}

// History implements [inbox.ReadTx].
func (r *readTx) History(ticket int64) ([]inbox.Event, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	t := d.ticket(ticket)
	if t == nil {
		return nil, noTicket(ticket)
	}
	var out []inbox.Event
	for seq := t.lastEvent; seq != 0; {
		var e inbox.Event
		e, seq = d.decodeEvent(seq)
		out = append(out, e)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Outbox implements [inbox.ReadTx]. It returns events delivered or not:
// pass Delivered() as after for the undelivered ones.
func (r *readTx) Outbox(after int64, limit int) ([]inbox.Event, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	switch {
	case after < 0:
		return nil, invalid("after", fmt.Sprintf("%d is negative", after))
	case limit <= 0:
		return nil, invalid("limit", fmt.Sprintf("%d is not positive", limit))
	}
	var out []inbox.Event
	for seq := min(after, int64(d.events.len())) + 1; seq <= int64(d.events.len()) && len(out) < limit; seq++ {
		e, _ := d.decodeEvent(seq)
		out = append(out, e)
	}
	return out, nil
}

// Delivered implements [inbox.ReadTx].
func (r *readTx) Delivered() (int64, error) {
	d, err := r.inbox()
	if err != nil {
		return 0, err
	}
	return d.delivered, nil
}

// SetDelivered implements [inbox.Tx]. Delivered never goes back: a seq below
// it changes nothing. A seq above the last event's is an error matching
// [inbox.ErrInvalid].
func (w *writeTx) SetDelivered(seq int64) error {
	d, err := w.inbox()
	if err != nil {
		return err
	}
	if seq < 0 || seq > int64(d.events.len()) {
		return invalid("seq", fmt.Sprintf("%d is not the Seq of an event (the last is %d)", seq, d.events.len()))
	}
	if seq > d.delivered {
		old := d.delivered
		d.delivered = seq
		d.onUndo(func() { d.delivered = old })
	}
	return nil
}
