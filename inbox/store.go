package inbox

import (
	"context"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// Store keeps the data of many inboxes and runs transactions, each scoped to
// one inbox: nothing a transaction reads or writes belongs to another inbox.
// A Store keeps data only; every business rule lives in [Inbox]. Stores are
// safe for concurrent use. Every Store passes storetest.Run.
type Store interface {
	// Update runs fn in a read-write transaction over inbox. When fn returns
	// an error, nothing it wrote is kept (no ticket, no event, no rotation
	// change) and Update returns that error unchanged. fn may run more than
	// once if a conflicting transaction commits first, so it must have no
	// effects outside tx. Transactions over one inbox are serializable.
	Update(ctx context.Context, inbox string, fn func(Tx) error) error
	// View runs fn on a consistent read-only snapshot of inbox.
	View(ctx context.Context, inbox string, fn func(ReadTx) error) error
}

// ReadTx reads one inbox inside a transaction. Values returned are copies:
// changing them changes nothing in the store. "Not found" is ErrNotFound.
type ReadTx interface {
	// Settings returns the saved settings, or ErrNotFound if none were saved.
	Settings() (Settings, error)
	// Member returns the member with the ID.
	Member(id string) (Member, error)
	// Members returns every member, ordered by Joined.
	Members() ([]Member, error)

	// Ticket returns the ticket with the number.
	Ticket(number int64) (Ticket, error)
	// TicketByKey returns the newest ticket with the channel key (Ticket.Key).
	TicketByKey(kind channel.Kind, key string) (Ticket, error)
	// TicketByMessage returns the number of the ticket holding a message
	// with the channel's message ID (Message.ID).
	TicketByMessage(kind channel.Kind, id string) (int64, error)
	// Tickets returns up to f.Limit tickets matching f, in f.Order, after
	// f.After when it is set. The standard views (a status set and an
	// assignee, no other filter) cost O(page), not O(tickets).
	Tickets(f Filter) ([]Ticket, error)
	// Count returns how many tickets match f, ignoring its After and Limit.
	Count(f Filter) (int, error)
	// CustomerTickets returns how many tickets the customer has.
	CustomerTickets(customer string) (int, error)
	// Messages returns up to limit messages of the ticket whose Index is
	// below before, newest first (math.MaxInt for the newest page). A
	// negative before or a limit below 1 is ErrInvalid.
	Messages(ticket int64, before, limit int) ([]Message, error)
	// History returns the events of the ticket in Seq order.
	History(ticket int64) ([]Event, error)
	// SnoozeDue returns the numbers of up to limit snoozed tickets whose
	// SnoozedUntil is not after now, earliest first.
	SnoozeDue(now time.Time, limit int) ([]int64, error)
	// FollowUpDue returns the numbers of up to limit tickets whose
	// FollowUpAt is set and not after now, earliest first.
	FollowUpDue(now time.Time, limit int) ([]int64, error)
	// Customer returns what the inbox keeps about the customer with the key.
	Customer(key string) (Customer, error)

	// Rotation returns the round-robin rotation of the inbox, valid only
	// inside the transaction. The caller must not change it: writes go
	// through Tx.
	Rotation() (*assign.Rotation, error)

	// SavedViews returns the views member may use (their own and the shared
	// ones), ordered by ID.
	SavedViews(member string) ([]SavedView, error)
	// SavedView returns the view with the ID.
	SavedView(id string) (SavedView, error)

	// Events calls fn with every event whose At is in [f.From, f.To) and
	// whose Type is one of f.Types (any type when empty), in Seq order,
	// and stops at the first error fn returns, which Events returns. Reports
	// read the inbox's history through it: it costs O(events in the range)
	// for events written in time order, however long the history before.
	// What the event's Message, Decision and Presence point to is valid
	// until fn returns (a Store may decode the next event into the same
	// memory): fn copies what it keeps of them. fn must not call the
	// transaction's methods: a Store may be reading the events meanwhile.
	Events(f EventFilter, fn func(Event) error) error
	// Outbox returns up to limit events with Seq above after, in Seq order.
	Outbox(after int64, limit int) ([]Event, error)
	// Delivered returns the Seq of the last event delivered (0 if none).
	Delivered() (int64, error)
	// Pending returns how many events wait in the outbox after Delivered.
	Pending() (int64, error)
}

// Tx reads and writes one inbox inside a read-write transaction. When a
// method of Tx fails, fn must return (that error or another): a SQL store
// cannot go on with a transaction after, say, a unique violation.
//
// The writes that number what they add (CreateTicket, AddMessage, Emit)
// return only the number: the caller has the rest, and copying these large
// structs back would be work on every message received.
type Tx interface {
	ReadTx
	// PutSettings saves the settings.
	PutSettings(Settings) error
	// PutMember inserts or replaces a member.
	PutMember(Member) error
	// DeleteMember removes a member; ErrNotFound if absent.
	DeleteMember(id string) error

	// CreateTicket stores a new ticket with the next number of the inbox
	// (the first is 1), ignoring t.Number, and returns the number. It is
	// ErrConflict if an SMS ticket with the same key exists: one SMS ticket
	// per phone.
	CreateTicket(t Ticket) (int64, error)
	// PutTicket replaces an existing ticket; ErrNotFound if absent. A
	// ticket's Channel, Customer and Key are fixed at creation: changing one
	// is ErrInvalid.
	PutTicket(t Ticket) error
	// AddMessage appends a message to its ticket's thread, ignoring m.Index,
	// and returns its Index there. A message ID (Message.ID) already held in
	// the inbox for the same channel is ErrConflict.
	AddMessage(kind channel.Kind, m Message) (int, error)

	// PutCustomer inserts or replaces what the inbox keeps about a customer.
	PutCustomer(Customer) error

	// PutRotationMember inserts or replaces a member of the rotation.
	PutRotationMember(assign.Member) error
	// RemoveRotationMember removes a member from the rotation.
	RemoveRotationMember(id string) error
	// ApplyDecision records round robin's choice in the rotation, as
	// assign.Rotation.Apply does, with the same errors.
	ApplyDecision(assign.Decision) error

	// Emit appends an event to the outbox (and, when it has a ticket, to the
	// ticket's history), ignoring e.Seq and e.Inbox, and returns its Seq:
	// dense, from 1, per inbox. An unknown Type, or a Ticket that does not
	// exist, is an error.
	Emit(e Event) (int64, error)
	// SetDelivered records that every event up to seq was delivered. It never
	// moves back: a smaller seq leaves it as it is. A seq below 0 or above
	// the last event's is ErrInvalid.
	SetDelivered(seq int64) error
	// Lease takes or renews the named lease for holder until the given time,
	// if it is free, expired at now (a lease held until U is expired at U),
	// or already held by holder; it reports whether holder has it.
	Lease(name, holder string, now, until time.Time) (bool, error)

	// PutSavedView inserts or replaces a saved view.
	PutSavedView(SavedView) error
	// DeleteSavedView removes a saved view; ErrNotFound if absent.
	DeleteSavedView(id string) error
}

// Order is the order of a ticket list.
type Order uint8

// Orders of a ticket list.
const (
	// LatestActivity lists the most recently active tickets first (by
	// ActiveAt, then Number, descending). The default.
	LatestActivity Order = iota
	// OldestFirst lists tickets in the order they were created.
	OldestFirst
)

// Filter is the resolved form of a [Query] that a Store runs.
type Filter struct {
	Statuses []status.Status // at least one
	// Assignee, when not nil, keeps only tickets assigned to *Assignee;
	// a pointer to "" keeps the unassigned ones.
	Assignee    *string
	Channels    []channel.Kind // any of; empty means all
	Tags        []string       // all of (normalised); empty means any
	UnreadOnly  bool
	CreatedFrom time.Time // inclusive; zero means unbounded
	CreatedTo   time.Time // exclusive; zero means unbounded
	Order       Order
	After       *Position // exclusive start; nil starts at the top
	Limit       int       // > 0
}

// EventFilter selects events for [ReadTx.Events].
type EventFilter struct {
	From  time.Time   // inclusive; zero means unbounded
	To    time.Time   // exclusive; zero means unbounded
	Types []EventType // any of (an unknown type matches none); empty means all
}

// Position is a place in a ticket list: the ticket's sort time (ActiveAt for
// LatestActivity; unused for OldestFirst) and number.
type Position struct {
	At     time.Time
	Number int64
}
