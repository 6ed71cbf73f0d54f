package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/officehours"
)

// Clock tells the time. Narrow on purpose: a mock clock in tests, the system
// clock by default.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Notifier receives the events of an inbox after they are committed, at least
// once and in order ([Inbox.Deliver]). An error makes the inbox try the same
// event again later; it loses nothing.
type Notifier interface {
	Notify(ctx context.Context, e Event) error
}

// NotifierFunc adapts a function to [Notifier].
type NotifierFunc func(ctx context.Context, e Event) error

// Notify calls f(ctx, e).
func (f NotifierFunc) Notify(ctx context.Context, e Event) error { return f(ctx, e) }

// Option configures an [Inbox].
type Option func(*Inbox)

// WithClock sets the clock; the default is the system clock.
func WithClock(c Clock) Option { return func(ib *Inbox) { ib.clock = c } }

// WithNotifier sets where events are delivered; the default drops them.
func WithNotifier(n Notifier) Option { return func(ib *Inbox) { ib.notifier = n } }

// WithKeywords sets the SMS keywords that make no ticket; the default is
// channel.DefaultKeywords().
func WithKeywords(k channel.KeywordSet) Option {
	return func(ib *Inbox) { ib.route = []channel.Option{channel.WithKeywords(k)} }
}

// WithMessageIDDomain sets the domain of the Message-IDs given to email
// replies (so the customer's answer threads back); the default is
// "routedesk.invalid". Use the domain of your support address.
func WithMessageIDDomain(domain string) Option { return func(ib *Inbox) { ib.domain = domain } }

// Inbox is one inbox of a Store: the calls a host makes. It is safe for
// concurrent use, and several Inbox values (in one process or in many
// replicas) may serve the same inbox over the same Store.
type Inbox struct {
	store    Store
	id       string
	clock    Clock
	notifier Notifier
	route    []channel.Option // how channel.Route files messages
	domain   string
	holder   string // this value's name when it takes the delivery lease
}

// New opens the inbox with the given ID in store. The ID is the tenant: one
// Store holds many inboxes, and nothing of one is visible through another.
func New(store Store, id string, opts ...Option) (*Inbox, error) {
	if store == nil {
		return nil, invalid("store", "nil")
	}
	if id == "" {
		return nil, invalid("inbox ID", "empty")
	}
	var name [8]byte
	_, _ = rand.Read(name[:]) // never fails (crypto/rand)
	ib := &Inbox{
		store:    store,
		id:       id,
		clock:    systemClock{},
		notifier: NotifierFunc(func(context.Context, Event) error { return nil }),
		domain:   "routedesk.invalid",
		holder:   hex.EncodeToString(name[:]),
	}
	for _, o := range opts {
		o(ib)
	}
	return ib, nil
}

// ID returns the inbox's ID.
func (ib *Inbox) ID() string { return ib.id }

// now is the clock's time in UTC, to the microsecond: what every Store keeps.
// It truncates as Truncate(time.Microsecond) does (UTC has dropped the
// monotonic reading), in about half of Truncate's instructions: Truncate
// handles any duration, and a Receive asks for the time once.
func (ib *Inbox) now() time.Time {
	t := ib.clock.Now().UTC()
	return t.Add(-time.Duration(t.Nanosecond() % 1000))
}

// update runs fn in a transaction with the current time.
func (ib *Inbox) update(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	return ib.store.Update(ctx, ib.id, func(tx Tx) error { return fn(tx, ib.now()) })
}

// view runs fn on a snapshot after checking that a may perform op.
func (ib *Inbox) view(ctx context.Context, a Actor, op Op, fn func(tx ReadTx) error) error {
	if err := check(a, op); err != nil {
		return err
	}
	return ib.store.View(ctx, ib.id, fn)
}

// settings returns the saved settings, or the defaults.
func settings(tx ReadTx) (Settings, error) {
	s, err := tx.Settings()
	if err != nil && errors.Is(err, ErrNotFound) {
		return DefaultSettings(), nil
	}
	return s, err
}

// hoursOf turns an optional schedule into assign's Hours, where nil means
// always open (a nil *Schedule inside the interface would not be nil).
func hoursOf(s *officehours.Schedule) assign.Hours {
	if s == nil {
		return nil
	}
	return s
}
