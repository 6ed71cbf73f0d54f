package memstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// ticket is a ticket as memstore keeps it: times as Unix nanoseconds, the
// assignee interned, and links to the ticket's last message and event.
type ticket struct {
	customer, key, subject  str // in data.text
	created, active         int64
	snoozed, responded      int64
	closed                  int64
	lastCustomer, lastReply int64
	followUp, followedUp    int64
	notified                int64
	lastEvent               int64  // Seq of the ticket's last event; 0 if none
	assignee                uint32 // in data.assignees
	tags                    uint32 // in data.tagSets
	customerCount           uint32 // on the customer's newest ticket: the customer's tickets
	lastMessage             uint32 // number of the thread's last message; 0 if none
	messageCount            uint32
	newReplies              uint32
	channel                 channel.Kind
	status                  status.Status
	unread, away            bool
}

// record converts t to its kept form, leaving the links zero. When t
// replaces old, its strings are old's unless they changed.
func (d *data) record(t *inbox.Ticket, old *ticket) (ticket, error) {
	if !t.Channel.Valid() {
		return ticket{}, invalid("Ticket.Channel", fmt.Sprintf("%v is not a channel", t.Channel))
	}
	if !t.Status.Valid() {
		return ticket{}, invalid("Ticket.Status", fmt.Sprintf("%v is not a status", t.Status))
	}
	if t.NewReplies < 0 || t.NewReplies > math.MaxInt32 {
		return ticket{}, invalid("Ticket.NewReplies", fmt.Sprintf("%d is outside 0 to %d", t.NewReplies, math.MaxInt32))
	}
	r := ticket{
		tags:     d.tagSet(t.Tags),
		assignee: d.assignees.id(t.Assignee, t.Assignee),
		channel:  t.Channel, status: t.Status, unread: t.Unread, away: t.CustomerAway,
		newReplies: uint32(t.NewReplies),
	}
	var err error
	keep := func(field string, t time.Time) int64 {
		if t.IsZero() { // most of a new ticket's times: no call (encodeTime, at 87, is over the inlining budget)
			return noTime
		}
		v, e := d.encodeTime(field, t)
		if err == nil {
			err = e
		}
		return v
	}
	r.created = keep("Ticket.CreatedAt", t.CreatedAt)
	r.active = keep("Ticket.ActiveAt", t.ActiveAt)
	r.snoozed = keep("Ticket.SnoozedUntil", t.SnoozedUntil)
	r.responded = keep("Ticket.FirstResponseAt", t.FirstResponseAt)
	r.closed = keep("Ticket.ClosedAt", t.ClosedAt)
	r.lastCustomer = keep("Ticket.LastCustomerAt", t.LastCustomerAt)
	r.lastReply = keep("Ticket.LastReplyAt", t.LastReplyAt)
	r.followUp = keep("Ticket.FollowUpAt", t.FollowUpAt)
	r.followedUp = keep("Ticket.FollowedUpAt", t.FollowedUpAt)
	r.notified = keep("Ticket.NotifiedAt", t.NotifiedAt)
	if err != nil {
		return ticket{}, err
	}
	if old == nil {
		r.customer, r.key, r.subject = d.text.put(t.Customer), d.text.put(t.Key), d.text.put(t.Subject)
		return r, nil
	}
	r.customer, r.key, r.subject = old.customer, old.key, old.subject
	if t.Subject != d.text.get(old.subject) {
		r.subject = d.text.put(t.Subject)
	}
	return r, nil
}

// tagSet returns the number of the tag set of tags, adding it when it is
// new; only then does it allocate (every change to a ticket writes its tags
// back).
func (d *data) tagSet(tags []string) uint32 {
	if len(tags) == 0 {
		return 0
	}
	d.tagKey = appendTagKey(d.tagKey[:0], tags)
	if id, ok := d.tagSets.ids[string(d.tagKey)]; ok { // the conversion allocates nothing here
		return id
	}
	return d.tagSets.add(string(d.tagKey), slices.Clip(slices.Clone(tags)))
}

// appendTagKey appends the key of the tag set of tags to b: each tag's
// length (uvarint) and bytes.
func appendTagKey(b []byte, tags []string) []byte {
	for _, t := range tags {
		b = append(binary.AppendUvarint(b, uint64(len(t))), t...)
	}
	return b
}

// Ticket implements [inbox.ReadTx].
func (r *tx) Ticket(number int64) (inbox.Ticket, error) {
	d, err := r.inbox()
	if err != nil {
		return inbox.Ticket{}, err
	}
	t := d.ticket(number)
	if t == nil {
		return inbox.Ticket{}, noTicket(number)
	}
	var out inbox.Ticket
	d.ticketOut(&out, number, t)
	return out, nil
}

// ticket returns the ticket numbered n, or nil.
func (d *data) ticket(n int64) *ticket {
	if n < 1 || n > int64(d.tickets.len()) {
		return nil
	}
	return d.tickets.at(int(n - 1))
}

// ticketOut sets *out to ticket n, kept as t. It writes the fields in place
// (out is usually an element of a page), rather than copying a whole Ticket.
func (d *data) ticketOut(out *inbox.Ticket, n int64, t *ticket) {
	out.Number, out.Channel = n, t.channel
	out.Customer, out.Key, out.Subject = d.text.get(t.customer), d.text.get(t.key), d.text.get(t.subject)
	out.Status, out.Assignee, out.Unread = t.status, d.assignees.value(t.assignee), t.unread
	out.Tags = slices.Clone(d.tagSets.value(t.tags))
	out.CreatedAt, out.ActiveAt, out.SnoozedUntil = decodeTime(t.created), decodeTime(t.active), decodeTime(t.snoozed)
	out.FirstResponseAt, out.ClosedAt = decodeTime(t.responded), decodeTime(t.closed)
	out.LastCustomerAt, out.LastReplyAt = decodeTime(t.lastCustomer), decodeTime(t.lastReply)
	out.CustomerAway, out.FollowUpAt, out.NewReplies = t.away, decodeTime(t.followUp), int(t.newReplies)
	out.FollowedUpAt, out.NotifiedAt = decodeTime(t.followedUp), decodeTime(t.notified)
}

// TicketByKey implements [inbox.ReadTx]. Tickets with an empty Key are not
// indexed: an empty key finds nothing. A miss is errNoTicketWithKey.
func (r *tx) TicketByKey(kind channel.Kind, key string) (inbox.Ticket, error) {
	d, err := r.inbox()
	if err != nil {
		return inbox.Ticket{}, err
	}
	if n := d.byThread.get(threadKey{kind, key}); n != 0 && key != "" {
		var out inbox.Ticket
		d.ticketOut(&out, int64(n), d.tickets.at(int(n-1)))
		return out, nil
	}
	return inbox.Ticket{}, errNoTicketWithKey
}

// CustomerTickets implements [inbox.ReadTx]; a customer without tickets has 0.
func (r *tx) CustomerTickets(customer string) (int, error) {
	d, err := r.inbox()
	if err != nil {
		return 0, err
	}
	if n := d.byCustomer.get(customer); n != 0 {
		return int(d.tickets.at(int(n - 1)).customerCount), nil
	}
	return 0, nil
}

// CreateTicket implements [inbox.Tx].
func (w *tx) CreateTicket(t inbox.Ticket) (int64, error) {
	d, err := w.writable()
	if err != nil {
		return 0, err
	}
	n := d.tickets.len() + 1
	if n > math.MaxUint32 {
		return 0, conflict("the inbox holds the most tickets memstore can number")
	}
	thread, customer := threadKey{t.Channel, t.Key}, t.Customer
	if t.Channel == channel.SMS && t.Key != "" && d.byThread.get(thread) != 0 {
		return 0, conflict("an SMS ticket with key %q exists", t.Key)
	}
	rec, err := d.record(&t, nil)
	if err != nil {
		return 0, err
	}
	// The index reads no record of the new ticket yet: one lookup both
	// files it and finds the customer's previous ticket.
	ref := uint32(n)
	prevCustomer := d.byCustomer.put(customer, ref)
	rec.customerCount = 1
	if prevCustomer != 0 {
		rec.customerCount += d.tickets.at(int(prevCustomer - 1)).customerCount
	}
	d.tickets.push(rec)
	var prevThread uint32
	if thread.key != "" {
		prevThread = d.byThread.put(thread, ref)
	}
	d.index(ref, nil, &rec)
	d.undo.add(undoStep{kind: undoCreate, n: n, refs: [2]uint32{prevThread, prevCustomer}})
	return int64(n), nil
}

// restore makes k refer to ref again, or removes k when ref is 0.
func restore[K comparable](x *refIndex[K], k K, ref uint32) {
	if ref == 0 {
		x.delete(k)
	} else {
		x.put(k, ref)
	}
}

// PutTicket implements [inbox.Tx]. A ticket's Channel, Customer and Key are
// fixed when it is created: changing one is an error matching
// [inbox.ErrInvalid].
func (w *tx) PutTicket(t inbox.Ticket) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	old := d.ticket(t.Number)
	if old == nil {
		return noTicket(t.Number)
	}
	switch {
	case t.Channel != old.channel:
		return invalid("Ticket.Channel", fmt.Sprintf("ticket %d is on %v; a ticket's channel cannot change", t.Number, old.channel))
	case t.Customer != d.text.get(old.customer):
		return invalid("Ticket.Customer", fmt.Sprintf("ticket %d is %q's; a ticket's customer cannot change", t.Number, d.text.get(old.customer)))
	case t.Key != d.text.get(old.key):
		return invalid("Ticket.Key", fmt.Sprintf("ticket %d has key %q; a ticket's key cannot change", t.Number, d.text.get(old.key)))
	}
	rec, err := d.record(&t, old)
	if err != nil {
		return err
	}
	rec.lastEvent, rec.customerCount = old.lastEvent, old.customerCount
	rec.lastMessage, rec.messageCount = old.lastMessage, old.messageCount
	d.undo.tickets = append(d.undo.tickets, *old)
	d.undo.add(undoStep{kind: undoReplace, number: t.Number})
	d.replace(t.Number, rec)
	return nil
}

// replace stores next as ticket n and updates the view indexes.
func (d *data) replace(n int64, next ticket) {
	cur := d.ticket(n)
	old := *cur
	*cur = next
	d.index(uint32(n), &old, cur)
}
