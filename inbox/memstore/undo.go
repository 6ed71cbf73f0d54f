package memstore

import (
	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
)

// undoKind says which write an undoStep reverts.
type undoKind uint8

const (
	undoFunc     undoKind = iota // a rare write: call fn
	undoCreate                   // CreateTicket of ticket n
	undoMessage                  // AddMessage of message n to ticket number
	undoEvent                    // Emit of event n to ticket number
	undoReplace                  // PutTicket of ticket number over rec
	undoRotation                 // a rotation write: put member back (or remove it), and seq back
	undoCustomer                 // PutCustomer: put customer back (or remove it)
)

// undoStep is how to revert one write of the open transaction. The frequent
// writes are kept as typed steps rather than closures, so that a transaction
// allocates nothing for its undo log once the log has grown.
type undoStep struct {
	kind   undoKind
	n      int       // ticket, message or event number
	number int64     // the ticket a message or event belongs to
	prev   int64     // the ticket's previous last event
	refs   [2]uint32 // previous index references
	key    threadKey // a ticket's thread key or a message's ID
	rec    ticket    // the record PutTicket replaced
	// customer is the customer PutCustomer replaced, or, for a new ticket,
	// the ticket's customer (its Key only).
	customer inbox.Customer
	member   assign.Member
	had      bool   // member was in the rotation, or customer was kept
	seq      uint64 // the rotation's Seq before the write
	fn       func()
}

// onUndo records how to undo a rare write of the open transaction.
func (d *data) onUndo(f func()) { d.undo = append(d.undo, undoStep{kind: undoFunc, fn: f}) }

// revert undoes one step.
func (d *data) revert(u *undoStep) {
	switch u.kind {
	case undoFunc:
		u.fn()
	case undoCreate:
		ref := uint32(u.n)
		d.index(ref, d.tickets.at(u.n-1), nil)
		if u.key.key != "" {
			restore(&d.byThread, u.key, u.refs[0])
		}
		restore(&d.byCustomer, u.customer.Key, u.refs[1])
		d.tickets.truncate(u.n - 1)
	case undoMessage:
		if u.key.key != "" {
			d.byMessage.delete(u.key)
		}
		t := d.ticket(u.number)
		t.lastMessage = d.messages.at(u.n - 1).prev
		t.messageCount--
		d.messages.truncate(u.n - 1)
	case undoEvent:
		if u.number != 0 {
			d.ticket(u.number).lastEvent = u.prev
		}
		d.events.truncate(u.n - 1)
	case undoReplace:
		d.replace(u.number, u.rec)
	case undoRotation:
		if u.had {
			_ = d.rotation.Put(u.member) // Put cannot refuse a member it returned
		} else {
			d.rotation.Remove(u.member.ID)
		}
		d.rotation.SetSeq(u.seq)
	case undoCustomer:
		if u.had {
			d.customers[u.customer.Key] = u.customer
		} else {
			delete(d.customers, u.customer.Key)
		}
	}
}

// undoRotationMember records how to put the rotation member id and the
// rotation's Seq back as they are now.
func (d *data) undoRotationMember(id string) {
	old, had := d.rotation.Member(id)
	if !had {
		old.ID = id
	}
	d.undo = append(d.undo, undoStep{kind: undoRotation, member: old, had: had, seq: d.rotation.Seq()})
}
