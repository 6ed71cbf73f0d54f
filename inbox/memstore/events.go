package memstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// pageSize is the size of the event log's pages.
const pageSize = 64 << 10

// eventLog keeps every event of an inbox, encoded (see encodeEvent), in Seq
// order: about 25 bytes for a typical event, where an inbox.Event takes 200.
// Records are packed into pages of pageSize (a larger record gets a page of
// its own), and located by their page and offset.
// Each page also keeps the span of its events' times, so that a scan by
// time ([tx.Events]) skips the pages outside its range.
type eventLog struct {
	pages [][]byte
	spans []span         // of each page
	at    chunks[uint64] // event Seq n: page<<32 | offset, at index n-1
}

// span is what a page of the event log holds: its first event's Seq, and
// the earliest and latest At of its events (as kept). After a rollback a
// span may be wider than its events: it is a bound, never too narrow.
type span struct {
	first  int64
	lo, hi int64
}

func (l *eventLog) len() int { return l.at.len() }

// add appends a record, whose At (as kept) is at.
func (l *eventLog) add(rec []byte, at int64) {
	k := len(l.pages) - 1
	switch {
	case k < 0:
		l.pages = append(l.pages, nil) // the first page grows like a slice
		k = 0
		l.spans = append(l.spans, span{first: 1, lo: at, hi: at})
	case len(l.pages[k]) > 0 && len(l.pages[k])+len(rec) > pageSize:
		l.pages = append(l.pages, make([]byte, 0, max(pageSize, len(rec))))
		k++
		l.spans = append(l.spans, span{first: int64(l.len() + 1), lo: at, hi: at})
	}
	sp := &l.spans[k]
	sp.lo, sp.hi = min(sp.lo, at), max(sp.hi, at)
	l.at.push(uint64(k)<<32 | uint64(len(l.pages[k])))
	appendTo(&l.pages[k], rec)
}

// recordAt returns the At (as kept) of the record that starts rec: it
// follows the type and the flags.
func recordAt(rec []byte) int64 { return int64(binary.LittleEndian.Uint64(rec[3:])) }

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
	l.spans = l.spans[:k+1]
	l.pages[k] = l.pages[k][:at&(1<<32-1)]
	l.at.truncate(n)
}

// The flags of an encoded event: which fields follow.
// A new ticket's events have only the first four: encodeEvent leaves the
// others to encoder.rest.
const (
	hasTicket     uint16 = 1 << iota
	hasMessageRef        // Message is the stored message whose number follows
	hasAssignee
	hasDecision
	hasActor
	hasMessage // Message is encoded in full
	hasFrom
	hasTo
	hasStatus
	hasTags
	hasKeyword
	hasPresence
	hasEmailFrom
	hasEmailTo
	hasMessages
	hasRecipients
)

// encodeEvent appends the record of e to b. at is e.At as kept; back is how
// many events before e the previous event of e's ticket is (0 if none); msg
// is the number of the stored message equal to *e.Message, or 0. The record
// is: the type, the flags (2 bytes, little-endian: which fields follow), At
// (8 bytes), then the fields that are set, in the order of the flags.
// Strings are a uvarint length and the bytes, times 8 bytes (as kept), lists
// a uvarint length and the items. It returns an error matching
// [inbox.ErrInvalid] when a time of e's messages cannot be kept.
func encodeEvent(b []byte, e *inbox.Event, at, back int64, msg uint32) ([]byte, error) {
	start := len(b)
	w := encoder{b: append(b, byte(e.Type), 0, 0)} // the flags, set at the end
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(at))
	if e.Ticket != 0 {
		w.flags |= hasTicket
		w.uvarint(uint64(e.Ticket))
		w.uvarint(uint64(back))
	}
	if e.Message != nil && msg != 0 {
		w.flags |= hasMessageRef
		w.uvarint(uint64(msg))
	}
	if e.Assignee != "" {
		w.flags |= hasAssignee
		w.string(e.Assignee)
	}
	if d := e.Decision; d != nil {
		w.flags |= hasDecision
		w.string(d.Agent)
		w.b = append(w.b, boolByte(d.Closed))
		w.uvarint(d.Seq)
		w.varint(int64(d.Eligible))
		w.varint(int64(d.Offline))
		w.varint(int64(d.AtCapacity))
		w.varint(int64(d.OutsideHours))
	}
	if e.Actor != "" || e.Message != nil && msg == 0 || e.From != 0 || e.To != 0 || e.Status != 0 ||
		len(e.Tags) > 0 || e.Keyword != "" || e.Presence != nil || e.EmailFrom != "" || e.EmailTo != "" ||
		len(e.Messages) > 0 || len(e.Recipients) > 0 {
		w.rest(e, msg)
	}
	binary.LittleEndian.PutUint16(w.b[start+1:], w.flags)
	return w.b, w.err
}

// rest appends the fields of e that no event of a new ticket has. They are
// apart so that the code a received message runs through is shorter: that
// code is larger than a processor's instruction cache.
func (w *encoder) rest(e *inbox.Event, msg uint32) {
	if e.Actor != "" {
		w.flags |= hasActor
		w.string(e.Actor)
	}
	if e.Message != nil && msg == 0 {
		w.flags |= hasMessage
		w.message(e.Message, "Event.Message.At", "Event.Message.Attribution.At")
	}
	if e.From != 0 {
		w.flags |= hasFrom
		w.b = append(w.b, byte(e.From))
	}
	if e.To != 0 {
		w.flags |= hasTo
		w.b = append(w.b, byte(e.To))
	}
	if e.Status != 0 {
		w.flags |= hasStatus
		w.b = append(w.b, byte(e.Status))
	}
	if len(e.Tags) > 0 {
		w.flags |= hasTags
		w.strings(e.Tags)
	}
	if e.Keyword != "" {
		w.flags |= hasKeyword
		w.string(e.Keyword)
	}
	if e.Presence != nil {
		w.flags |= hasPresence
		w.b = append(w.b, byte(*e.Presence))
	}
	if e.EmailFrom != "" {
		w.flags |= hasEmailFrom
		w.string(e.EmailFrom)
	}
	if e.EmailTo != "" {
		w.flags |= hasEmailTo
		w.string(e.EmailTo)
	}
	if len(e.Messages) > 0 {
		w.flags |= hasMessages
		w.uvarint(uint64(len(e.Messages)))
		for i := range e.Messages {
			w.message(&e.Messages[i], "Event.Messages.At", "Event.Messages.Attribution.At")
		}
	}
	if len(e.Recipients) > 0 {
		w.flags |= hasRecipients
		w.strings(e.Recipients)
	}
}

// encoder appends to a record, keeping the first error and the flags of the
// fields written.
type encoder struct {
	b     []byte
	flags uint16
	err   error
}

func (w *encoder) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *encoder) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }

func (w *encoder) string(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *encoder) strings(list []string) {
	w.uvarint(uint64(len(list)))
	for _, s := range list {
		w.string(s)
	}
}

// time appends t as kept, or records the error naming field.
func (w *encoder) time(field string, t time.Time) {
	v, err := encodeTime(field, t)
	if w.err == nil {
		w.err = err
	}
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(v))
}

// message appends m: Ticket, Index, Direction, the flags of a kept message,
// Author, ID, Body, At and, when m has one, the attribution's origin, ID and
// time. at and sentAt name m's times in an error.
func (w *encoder) message(m *inbox.Message, at, sentAt string) {
	w.varint(m.Ticket)
	w.varint(int64(m.Index))
	flags := messageFlags(m)
	w.b = append(w.b, byte(m.Direction), flags)
	w.string(m.Author)
	w.string(m.ID)
	w.string(m.Body)
	w.time(at, m.At)
	if a := m.Attribution; a != nil {
		w.b = append(w.b, byte(a.Origin))
		w.string(a.ID)
		w.time(sentAt, a.At)
	}
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

func (d *decoder) uint16() uint16 {
	v := binary.LittleEndian.Uint16(*d)
	*d = (*d)[2:]
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

func (d *decoder) strings() []string {
	list := make([]string, d.uvarint())
	for i := range list {
		list[i] = d.string()
	}
	return list
}

// message reads what encoder.message wrote.
func (d *decoder) message() inbox.Message {
	m := inbox.Message{Ticket: d.varint(), Index: int(d.varint()), Direction: inbox.Direction(d.byte())}
	flags := d.byte()
	m.Automatic = flags&msgAutomatic != 0
	m.Author, m.ID, m.Body = d.string(), d.string(), d.string()
	m.At = decodeTime(d.fixed())
	if flags&msgAttributed != 0 {
		origin, id := channel.Origin(d.byte()), d.string()
		m.Attribution = attribution(flags, origin, id, d.fixed())
	}
	return m
}

// decodeEvent decodes the record of event seq, and returns it with the Seq
// of the previous event of its ticket (0 if none).
func (d *data) decodeEvent(seq int64) (inbox.Event, int64) {
	var e inbox.Event
	prev := d.decodeInto(&e, seq, nil)
	return e, prev
}

// reuse is the memory that a scan of many events ([tx.Events]) decodes
// them into, so that a scan of millions allocates next to nothing: the
// Message, Decision and Presence of the event it passes, and the strings of
// its fields, kept once each (the IDs of a team's members recur in every
// event).
type reuse struct {
	message  inbox.Message
	decision assign.Decision
	presence assign.Presence
	strings  map[string]string
}

// string returns b as a string, the same one for the same bytes.
func (u *reuse) string(b []byte) string {
	if s, ok := u.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(u.strings) < 1<<16 {
		u.strings[s] = s
	}
	return s
}

// into returns where to decode a value: the place field gives in u, or new
// memory when u is nil.
func into[T any](u *reuse, field func(*reuse) *T) *T {
	if u == nil {
		return new(T)
	}
	return field(u)
}

// decodeInto decodes the record of event seq into *e, in the memory of u
// when u is not nil (else in new memory), and returns the Seq of the previous
// event of its ticket (0 if none).
func (d *data) decodeInto(e *inbox.Event, seq int64, u *reuse) int64 {
	r := decoder(d.events.record(seq))
	*e = inbox.Event{Seq: seq, Inbox: d.id, Type: inbox.EventType(r.byte())}
	str := r.string
	if u != nil {
		str = func() string {
			n := r.uvarint()
			s := u.string(r[:n])
			r = r[n:]
			return s
		}
	}
	flags := r.uint16()
	e.At = decodeTime(r.fixed())
	var prev int64
	if flags&hasTicket != 0 {
		e.Ticket = int64(r.uvarint())
		if back := int64(r.uvarint()); back != 0 {
			prev = seq - back
		}
	}
	if flags&(hasMessageRef|hasMessage) != 0 {
		e.Message = into(u, func(u *reuse) *inbox.Message { return &u.message })
	}
	if flags&hasMessageRef != 0 {
		*e.Message = d.messageOut(uint32(r.uvarint()))
	}
	if flags&hasAssignee != 0 {
		e.Assignee = str()
	}
	if flags&hasDecision != 0 {
		dec := into(u, func(u *reuse) *assign.Decision { return &u.decision })
		*dec = assign.Decision{Agent: str(), Closed: r.byte() == 1, Seq: r.uvarint()}
		for _, n := range [...]*int{&dec.Eligible, &dec.Offline, &dec.AtCapacity, &dec.OutsideHours} {
			*n = int(r.varint())
		}
		e.Decision = dec
	}
	if flags&hasActor != 0 {
		e.Actor = str()
	}
	if flags&hasMessage != 0 {
		*e.Message = r.message()
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
		e.Tags = r.strings()
	}
	if flags&hasKeyword != 0 {
		e.Keyword = str()
	}
	if flags&hasPresence != 0 {
		p := into(u, func(u *reuse) *assign.Presence { return &u.presence })
		*p = assign.Presence(r.byte())
		e.Presence = p
	}
	if flags&hasEmailFrom != 0 {
		e.EmailFrom = str()
	}
	if flags&hasEmailTo != 0 {
		e.EmailTo = str()
	}
	if flags&hasMessages != 0 {
		e.Messages = make([]inbox.Message, r.uvarint())
		for i := range e.Messages {
			e.Messages[i] = r.message()
		}
	}
	if flags&hasRecipients != 0 {
		e.Recipients = r.strings()
	}
	return prev
}

// Emit implements [inbox.Tx]. e.Type must be a known type, and e.Ticket 0 or
// an existing ticket.
func (w *tx) Emit(e inbox.Event) (int64, error) {
	d, err := w.writable()
	if err != nil {
		return 0, err
	}
	if !e.Type.Valid() {
		return 0, invalid("Event.Type", fmt.Sprintf("%d is not an event type", e.Type))
	}
	var t *ticket
	if e.Ticket != 0 {
		if t = d.ticket(e.Ticket); t == nil {
			return 0, noTicket(e.Ticket)
		}
	}
	at, err := d.encodeTime("Event.At", e.At)
	if err != nil {
		return 0, err
	}
	var msg uint32
	if e.Message != nil && *e.Message == d.added.m {
		msg = d.added.ref
	}
	seq := int64(d.events.len() + 1)
	var prev, back int64
	if t != nil {
		prev = t.lastEvent
		if prev != 0 {
			back = seq - prev
		}
	}
	rec, err := encodeEvent(d.scratch[:0], &e, at, back, msg)
	if err != nil {
		return 0, err
	}
	if cap(rec) > cap(d.scratch) { // grown: keep it (stored only then, see appendTo)
		d.scratch = rec
	}
	d.events.add(rec, at)
	if t != nil {
		t.lastEvent = seq
	}
	d.undo.add(undoStep{kind: undoEvent, n: int(seq), number: e.Ticket, prev: prev})
	return seq, nil
}

// History implements [inbox.ReadTx].
func (r *tx) History(ticket int64) ([]inbox.Event, error) {
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

// Events implements [inbox.ReadTx]. It decodes only the events of the pages
// whose span meets the range, and of those only the ones in it, each into
// the same memory (see reuse), as the contract allows.
func (r *tx) Events(f inbox.EventFilter, fn func(inbox.Event) error) error {
	d, err := r.inbox()
	if err != nil {
		return err
	}
	from, to := bound(f.From, math.MinInt64), bound(f.To, math.MaxInt64)
	var types uint64 // bit t set: type t is wanted (every kept type is below 64)
	for _, t := range f.Types {
		if t.Valid() {
			types |= 1 << t
		}
	}
	l := &d.events
	u := &reuse{strings: map[string]string{}}
	var e inbox.Event
	for k, sp := range l.spans {
		if sp.hi < from || sp.lo >= to {
			continue
		}
		last := int64(l.len())
		if k+1 < len(l.spans) {
			last = l.spans[k+1].first - 1
		}
		for seq := sp.first; seq <= last; seq++ {
			rec := l.record(seq)
			if at := recordAt(rec); at < from || at >= to || len(f.Types) > 0 && types&(1<<rec[0]) == 0 {
				continue
			}
			d.decodeInto(&e, seq, u)
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// bound returns t as kept, for comparing with kept times: the zero time is
// unbounded (zero says what that is), and a time beyond the years a time can
// be kept in is beyond every kept time but the zero time.
func bound(t time.Time, zero int64) int64 {
	switch s := t.Unix(); {
	case t.IsZero():
		return zero
	case s < minSec:
		return math.MinInt64 + 1
	case s > maxSec:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Outbox implements [inbox.ReadTx]. It returns events delivered or not:
// pass Delivered() as after for the undelivered ones.
func (r *tx) Outbox(after int64, limit int) ([]inbox.Event, error) {
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
func (r *tx) Delivered() (int64, error) {
	d, err := r.inbox()
	if err != nil {
		return 0, err
	}
	return d.delivered, nil
}

// Pending implements [inbox.ReadTx].
func (r *tx) Pending() (int64, error) {
	d, err := r.inbox()
	if err != nil {
		return 0, err
	}
	return int64(d.events.len()) - d.delivered, nil
}

// SetDelivered implements [inbox.Tx]. Delivered never goes back: a seq below
// it changes nothing. A seq above the last event's is an error matching
// [inbox.ErrInvalid].
func (w *tx) SetDelivered(seq int64) error {
	d, err := w.writable()
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
