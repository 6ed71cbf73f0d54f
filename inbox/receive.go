package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
	"unsafe"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// Received says what [Inbox.Receive] did with a message.
type Received struct {
	// Action is channel's decision: New, Append, Reopen, Wake, Keyword,
	// Duplicate or Drop (a bounce).
	Action channel.Action `json:"action"`
	// Ticket is the ticket the message is in; 0 for Keyword and Drop.
	Ticket int64 `json:"ticket,omitempty"`
	// Keyword and KeywordClass name an SMS keyword (Action Keyword): the host
	// updates the customer's subscription.
	Keyword      string               `json:"keyword,omitempty"`
	KeywordClass channel.KeywordClass `json:"keyword_class,omitzero"`
	// Auto marks an automatic email (auto-reply or bounce): nothing may
	// answer it automatically.
	Auto channel.Auto `json:"auto,omitzero"`
	// Decision is round robin's decision for a new ticket, when round robin
	// is on: Decision.Agent got it, or Decision.Reason() says why nobody did.
	Decision *assign.Decision `json:"decision,omitempty"`
}

// Receive files an inbound customer message by its channel's rules (see
// channel.Route): it starts a new ticket, joins one (reopening or waking it),
// or, for an SMS keyword, a duplicate delivery or a bounce, adds nothing. A
// ticket that gets a message is marked unread. A new ticket goes to round
// robin when it is on; one that finds no eligible member waits in
// Unassigned. The automations the settings turn on run in the same
// transaction (see Settings). Receive is a host call: it takes no Actor.
func (ib *Inbox) Receive(ctx context.Context, in channel.Inbound) (Received, error) {
	rc := receipts.Get().(*receipt)
	rc.ib, rc.in = ib, in
	err := ib.store.Update(ctx, ib.id, rc.run)
	r := rc.r
	// The pool keeps no message, only the function and the blocks. (Zeroing
	// the receipt whole and putting them back costs less than a literal
	// naming them, which the compiler builds aside and copies.)
	run, keys, decisions := rc.run, rc.keys, rc.decisions
	*rc = receipt{}
	rc.run, rc.keys, rc.decisions = run, keys, decisions
	receipts.Put(rc)
	return r, err
}

// receipt is one Receive: its message, what it decided, and the
// transaction's function. The store's Update and channel.Route take
// functions and interfaces, so whatever they reach would otherwise move to
// the heap on every message (the Inbound alone is ~300 bytes); a receipt
// comes from a pool instead, its function bound once, with the blocks it
// carves customer keys and decisions from.
type receipt struct {
	ib    *Inbox
	in    channel.Inbound
	r     Received
	m     Message   // the message as filed
	auto  automated // what the automations do once the ticket is kept
	known lookup
	run   func(Tx) error // file
	// keys and decisions are blocks that the receipt's messages carve their
	// customer keys and round robin's decisions from, rather than allocate
	// each (see customerKey and decision). What is carved is never written
	// again, so it may outlive the Receive; a block stays allocated while
	// anything carved from it is referenced.
	keys      []byte
	decisions []assign.Decision
}

// customerKey returns rc.in's customer key (channel.Inbound.CustomerKey),
// carved from rc.keys.
func (rc *receipt) customerKey() string {
	if cap(rc.keys)-len(rc.keys) < 64 { // room for a usual key, or a new block
		rc.keys = make([]byte, 0, 512)
	}
	n := len(rc.keys)
	rc.keys = rc.in.AppendCustomerKey(rc.keys) // a longer key moves the block
	if len(rc.keys) == n {
		return ""
	}
	return unsafe.String(&rc.keys[n], len(rc.keys)-n)
}

// decision returns a place for round robin's decision, carved from
// rc.decisions: Received.Decision points there.
func (rc *receipt) decision() *assign.Decision {
	if len(rc.decisions) == cap(rc.decisions) {
		rc.decisions = make([]assign.Decision, 0, 16)
	}
	rc.decisions = rc.decisions[:len(rc.decisions)+1]
	return &rc.decisions[len(rc.decisions)-1]
}

var receipts = sync.Pool{New: func() any {
	rc := new(receipt)
	rc.run = rc.file
	return rc
}}

// file is Receive's transaction. It sets everything it reads (the store may
// run it more than once).
func (rc *receipt) file(tx Tx) error {
	now, in := rc.ib.now(), &rc.in
	rc.known = lookup{tx}
	d, err := channel.Route(in, &rc.known, rc.ib.route...)
	if err != nil {
		return err
	}
	customer := rc.customerKey()
	rc.r = Received{Action: d.Action, Ticket: d.Ticket.Number, Keyword: d.Keyword, KeywordClass: d.KeywordClass, Auto: d.Auto}
	r, m := &rc.r, &rc.m
	*m = Message{Direction: Inbound, Author: customer, ID: in.MessageKey(), Body: in.Body, At: now, Automatic: d.Auto != channel.NotAuto}
	switch d.Action {
	case channel.Keyword:
		_, err := tx.Emit(Event{Type: KeywordReceived, At: now, Keyword: d.Keyword, Message: m})
		return err
	case channel.Duplicate, channel.Drop:
		return nil
	}
	s, err := settings(tx)
	if err != nil {
		return err
	}
	var t Ticket
	if d.Action == channel.New {
		// Field by field: a composite literal would be built aside and copied.
		t.Channel, t.Customer, t.Key, t.Subject, t.Status, t.CreatedAt = in.Kind, customer, in.ThreadKey(), in.Email.Subject, status.Open, now
		if s.RoundRobin {
			r.Decision = rc.decision()
			if err := roundRobin(tx, &t, &s, now, r.Decision); err != nil {
				return err
			}
		}
		if err := rc.arrived(tx, &s, &t, true); err != nil {
			return err
		}
		if err := create(tx, &t, r.Decision); err != nil {
			return err
		}
	} else {
		old, err := tx.Ticket(d.Ticket.Number)
		if err != nil {
			return err
		}
		t = old
		if ev, ok := d.Event(); ok {
			if t, err = transition(t, ev, now); err != nil {
				return err
			}
			if _, err := tx.Emit(Event{Type: StatusChanged, At: now, Ticket: t.Number, From: old.Status, To: t.Status, Status: ev}); err != nil {
				return err
			}
		}
		if err := rc.arrived(tx, &s, &t, false); err != nil {
			return err
		}
		if err := putTicket(tx, old, t); err != nil {
			return err
		}
	}
	r.Ticket, m.Ticket = t.Number, t.Number
	if m.Index, err = tx.AddMessage(in.Kind, *m); err != nil {
		return err
	}
	if _, err := tx.Emit(Event{Type: MessageReceived, At: now, Ticket: t.Number, Message: m}); err != nil {
		return err
	}
	if d.Action == channel.New && t.Assignee != "" {
		if _, err := tx.Emit(Event{Type: TicketAssigned, At: now, Ticket: t.Number, Assignee: t.Assignee, Decision: r.Decision}); err != nil {
			return err
		}
	}
	return rc.auto.emit(tx, &s, t.Number, t.Channel, m, now)
}

// arrived marks t as having the customer's message: unread, active, and for
// web chat no longer waiting for a follow-up; and runs the automations the
// message calls for, for rc.auto to emit once the ticket is kept.
func (rc *receipt) arrived(tx Tx, s *Settings, t *Ticket, isNew bool) (err error) {
	now := rc.m.At
	t.Unread, t.ActiveAt, t.LastCustomerAt, t.NewReplies = true, now, now, 0
	if t.Channel == channel.WebChat { // the visitor is back: no follow-up
		t.CustomerAway, t.FollowUpAt = false, time.Time{}
	}
	rc.auto, err = automate(tx, s, &rc.in, isNew, t, &rc.m, now)
	return err
}

// create stores a new ticket, counts it against its assignee's capacity and
// records it. Round robin's decision d goes with it only when it chose
// nobody (see Event.Decision): a choice is the TicketAssigned event's.
func create(tx Tx, t *Ticket, d *assign.Decision) error {
	var err error
	if t.Number, err = tx.CreateTicket(*t); err != nil {
		return err
	}
	if err := addLoad(tx, holder(t), +1); err != nil {
		return err
	}
	if d != nil && d.Agent != "" {
		d = nil
	}
	_, err = tx.Emit(Event{Type: TicketCreated, At: t.CreatedAt, Ticket: t.Number, Decision: d})
	return err
}

// Reply sends an agent's answer on a ticket: the host delivers it through its
// provider when it gets the ReplySent event. The channel's reply rules apply:
// an SMS customer must have consented (channel.ErrNoConsent otherwise),
// which the host says from its subscription records. The first reply stamps
// the ticket's first response time. An email reply gets a Message-ID (in the
// event's message) so that the customer's answer threads back to the ticket.
func (ib *Inbox) Reply(ctx context.Context, a Actor, ticket int64, body string, consent channel.Consent) (Message, error) {
	if err := check(a, OpReply); err != nil {
		return Message{}, err
	}
	if body == "" {
		return Message{}, invalid("reply body", "empty")
	}
	var m Message
	err := ib.update(ctx, func(tx Tx, now time.Time) error {
		t, err := tx.Ticket(ticket)
		if err != nil {
			return err
		}
		if err := channel.CanReply(t.Channel, consent); err != nil {
			return err
		}
		m = Message{Ticket: t.Number, Direction: Outbound, Author: a.ID, Body: body, At: now}
		if t.Channel == channel.Email {
			var r [6]byte
			_, _ = rand.Read(r[:])
			m.ID = fmt.Sprintf("%d.%d.%s@%s", t.Number, now.UnixMicro(), hex.EncodeToString(r[:]), ib.domain)
		}
		if m.Index, err = tx.AddMessage(t.Channel, m); err != nil {
			return err
		}
		s, err := settings(tx)
		if err != nil {
			return err
		}
		old := t
		t.ActiveAt, t.LastReplyAt = now, now
		t.NewReplies = min(t.NewReplies+1, math.MaxInt32)
		if t.FirstResponseAt.IsZero() {
			t.FirstResponseAt = now
		}
		scheduleFollowUp(&t, s)
		if err := putTicket(tx, old, t); err != nil {
			return err
		}
		_, err = tx.Emit(Event{Type: ReplySent, At: now, Actor: a.ID, Ticket: t.Number, Message: &m})
		return err
	})
	return m, err
}

// lookup answers channel.Route's questions from a transaction.
type lookup struct{ tx ReadTx }

func (l *lookup) Message(kind channel.Kind, id string) (channel.TicketRef, bool, error) {
	n, err := l.tx.TicketByMessage(kind, id)
	if err != nil {
		return notFound(err)
	}
	return l.Ticket(n)
}

func (l *lookup) Thread(kind channel.Kind, key string) (channel.TicketRef, bool, error) {
	t, err := l.tx.TicketByKey(kind, key)
	if err != nil {
		return notFound(err)
	}
	return ref(t), true, nil
}

func (l *lookup) Ticket(number int64) (channel.TicketRef, bool, error) {
	t, err := l.tx.Ticket(number)
	if err != nil {
		return notFound(err)
	}
	return ref(t), true, nil
}

func ref(t Ticket) channel.TicketRef {
	return channel.TicketRef{Number: t.Number, Kind: t.Channel, Status: t.Status, Customer: t.Customer}
}

// notFound turns ErrNotFound into found == false.
func notFound(err error) (channel.TicketRef, bool, error) {
	if errors.Is(err, ErrNotFound) {
		return channel.TicketRef{}, false, nil
	}
	return channel.TicketRef{}, false, err
}
