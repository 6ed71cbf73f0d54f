package memstore

import (
	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
)

// undoKind says which write an undoStep reverts.
type undoKind uint8

const (
	undoFunc     undoKind = iota // a rare write: call the next function of undoLog.funcs
	undoCreate                   // CreateTicket of ticket n, with the index references refs it replaced
	undoMessage                  // AddMessage of message n to ticket number
	undoEvent                    // Emit of event n to ticket number
	undoReplace                  // PutTicket of ticket number over the next record of undoLog.tickets
	undoRotation                 // a rotation write: put the next member of undoLog.members back (or remove it), and seq back
	undoCustomer                 // PutCustomer: put the next customer of undoLog.customers back (or remove it)
)

// undoLog is how to revert the open transaction's writes: one step per
// write, in order. Every write appends a step, so a step is small (48
// bytes) and holds no pointer: appending one costs the collector nothing,
// even while it marks (a step with a pointer is copied through write
// barriers then), and the log needs no clearing. The old values that
// PutTicket, PutCustomer and the rotation's writes put back, and the
// functions that revert the rare writes, are kept in stacks of their own,
// in the order of their steps. The frequent writes are typed steps rather
// than closures, so that a transaction allocates nothing for its undo log
// once the log has grown.
type undoLog struct {
	steps     []undoStep
	tickets   []ticket
	customers []inbox.Customer // a customer's Key is set even when it was not kept
	members   []assign.Member  // a member's ID is set even when it was not in the rotation
	funcs     []func()
}

// undoStep is how to revert one write. A new ticket's keys and a message's
// ID are read back from their records, which are still there when the step
// is reverted.
type undoStep struct {
	kind   undoKind
	had    bool      // the member was in the rotation, or the customer was kept
	refs   [2]uint32 // the index references a new ticket replaced: thread, customer
	n      int       // ticket, message or event number
	number int64     // the ticket a message or event belongs to, or that PutTicket replaced
	prev   int64     // the ticket's previous last event
	seq    uint64    // the rotation's Seq before the write
}

func (u *undoLog) add(s undoStep) { u.steps = append(u.steps, s) }

// onUndo records how to undo a rare write of the open transaction.
func (d *data) onUndo(f func()) {
	d.undo.funcs = append(d.undo.funcs, f)
	d.undo.add(undoStep{kind: undoFunc})
}

// rollback reverts every step, newest first.
func (d *data) rollback() {
	u := &d.undo
	for i := len(u.steps) - 1; i >= 0; i-- {
		d.revert(&u.steps[i])
	}
}

// keptSteps is the most steps whose room the log keeps after a transaction:
// a rare big one (a bulk import) must not hold its log's memory for good.
const keptSteps = 1 << 12

// reset empties the log for the next transaction.
func (u *undoLog) reset() {
	if cap(u.steps) > keptSteps {
		*u = undoLog{}
		return
	}
	// The stacks of values with pointers are cleared, not to keep what they
	// point to, when they hold any (a Receive leaves one rotation member, most
	// transactions nothing); each is resliced on its own, which writes the
	// length alone (see appendTo).
	if len(u.customers) > 0 {
		clear(u.customers)
		u.customers = u.customers[:0]
	}
	if len(u.members) > 0 {
		clear(u.members)
		u.members = u.members[:0]
	}
	if len(u.funcs) > 0 {
		clear(u.funcs)
		u.funcs = u.funcs[:0]
	}
	u.steps = u.steps[:0]
	u.tickets = u.tickets[:0]
}

// pop removes the last element of a stack and returns it.
func pop[T any](s *[]T) T {
	v := (*s)[len(*s)-1]
	*s = (*s)[:len(*s)-1]
	return v
}

// revert undoes one step.
func (d *data) revert(u *undoStep) {
	switch u.kind {
	case undoFunc:
		pop(&d.undo.funcs)()
	case undoCreate:
		t := d.tickets.at(u.n - 1)
		d.index(uint32(u.n), t, nil)
		if key := d.text.get(t.key); key != "" {
			restore(&d.byThread, threadKey{t.channel, key}, u.refs[0])
		}
		restore(&d.byCustomer, d.text.get(t.customer), u.refs[1])
		d.tickets.truncate(u.n - 1)
	case undoMessage:
		m := d.messages.at(u.n - 1)
		if id := d.text.get(m.id); id != "" {
			d.byMessage.delete(threadKey{m.kind, id})
		}
		t := d.ticket(u.number)
		t.lastMessage = m.prev
		t.messageCount--
		d.messages.truncate(u.n - 1)
	case undoEvent:
		if u.number != 0 {
			d.ticket(u.number).lastEvent = u.prev
		}
		d.events.truncate(u.n - 1)
	case undoReplace:
		d.replace(u.number, pop(&d.undo.tickets))
	case undoRotation:
		m := pop(&d.undo.members)
		if u.had {
			_ = d.rotation.Put(m) // Put cannot refuse a member it returned
		} else {
			d.rotation.Remove(m.ID)
		}
		d.rotation.SetSeq(u.seq)
	case undoCustomer:
		c := pop(&d.undo.customers)
		if u.had {
			d.customers[c.Key] = c
		} else {
			delete(d.customers, c.Key)
		}
	}
}

// undoRotationMember records how to put the rotation member id and the
// rotation's Seq back as they are now, unless the transaction's last
// rotation step was id's: a rotation write changes only its member and the
// Seq, and each records its step first, so that step already puts both back
// as they were (round robin's decision and the new ticket's load write the
// same member in turn). A write that then fails leaves its step: putting
// back what is there changes nothing.
func (d *data) undoRotationMember(id string) {
	u := &d.undo
	if n := len(u.members); n > 0 && u.members[n-1].ID == id {
		return
	}
	old, had := d.rotation.Member(id)
	if !had {
		old.ID = id
	}
	u.members = append(u.members, old)
	u.add(undoStep{kind: undoRotation, had: had, seq: d.rotation.Seq()})
}
