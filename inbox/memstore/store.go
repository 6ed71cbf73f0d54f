package memstore

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// ErrTxDone is returned by every method of a transaction used after its
// function returned.
var ErrTxDone = errors.New("memstore: transaction has ended")

// Store is an in-memory [inbox.Store] holding any number of inboxes. The zero
// value is not usable; call [New]. A Store is safe for concurrent use.
type Store struct {
	mu      sync.Mutex
	inboxes map[string]*data
	last    atomic.Pointer[data] // the inbox opened last (see open)
	seed    maphash.Seed
}

var _ inbox.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{inboxes: make(map[string]*data), seed: maphash.MakeSeed()}
}

// Update runs fn in a read-write transaction over the inbox with the given
// ID, holding the inbox's lock, so transactions over one inbox are
// serializable and fn runs exactly once. When fn returns an error or panics,
// every write it made is undone, in reverse order, before Update returns the
// error unchanged (or the panic continues). Update returns ctx.Err() without
// running fn when ctx is done, and an error matching [inbox.ErrInvalid] for
// an empty inbox ID. fn must not call the Store: that deadlocks.
func (s *Store) Update(ctx context.Context, id string, fn func(inbox.Tx) error) error {
	d, err := s.open(ctx, id, true)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := d.newTx()
	committed := false
	defer func() {
		tx.done = true
		if !committed {
			d.rollback()
		}
		d.undo.reset()
		d.added.m, d.added.ref = inbox.Message{}, 0
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return nil
}

// View runs fn on the inbox with the given ID, holding the inbox's read lock:
// fn sees a consistent snapshot, concurrently with other Views but not with
// an Update of the same inbox. It returns ctx.Err() without running fn when
// ctx is done, and an error matching [inbox.ErrInvalid] for an empty inbox ID.
// An inbox nobody wrote to reads as empty. fn must not call the Store.
func (s *Store) View(ctx context.Context, id string, fn func(inbox.ReadTx) error) error {
	d, err := s.open(ctx, id, false)
	if err != nil {
		return err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	rt := &tx{d: d}
	defer func() { rt.done = true }()
	return fn(rt)
}

// open returns the inbox with the given ID, creating it when create is set;
// otherwise a missing inbox is a fresh empty one that is not kept. The inbox
// opened last is remembered: most calls are for the inbox of the call
// before (a host with one inbox, or one busy one), and find it without
// taking the Store's lock.
func (s *Store) open(ctx context.Context, id string, create bool) (*data, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, invalid("inbox", "empty inbox ID")
	}
	if d := s.last.Load(); d != nil && d.id == id {
		return d, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.inboxes[id]
	if d == nil {
		d = newData(id, s.seed)
		if !create {
			return d, nil
		}
		s.inboxes[id] = d
	}
	s.last.Store(d)
	return d, nil
}

// data is one inbox.
type data struct {
	mu sync.RWMutex
	id string

	tickets    chunks[ticket]      // ticket n at index n-1
	byThread   refIndex[threadKey] // (channel, Key) → newest ticket
	byCustomer refIndex[string]    // Customer → newest ticket
	lists      viewLists           // the view indexes
	snoozes    dueList             // snoozed tickets by (SnoozedUntil, Number)
	followUps  dueList             // tickets with a follow-up due by (FollowUpAt, Number)
	messages   chunks[message]     // message n at index n-1, in insertion order
	text       text                // the strings of tickets and messages
	byMessage  refIndex[threadKey] // (channel, message ID) → message
	events     eventLog            // event Seq n is the n-th
	assignees  interned[string]    // keyed by themselves
	tagSets    interned[[]string]  // keyed by appendTagKey
	tagKey     []byte              // where tagSet writes a key
	settings   *inbox.Settings     // nil until saved
	customers  map[string]inbox.Customer
	members    map[string]inbox.Member
	rotation   assign.Rotation
	views      map[string]inbox.SavedView
	leases     map[string]lease
	delivered  int64

	undo    undoLog // the open transaction's
	scratch []byte  // where Emit encodes
	txs     []tx    // Update's transactions, from txs[nextTx] on (see newTx)
	nextTx  int
	// added is the message AddMessage last returned in the open
	// transaction, and its number: an event of that message (the usual one)
	// refers to it instead of holding a copy.
	added struct {
		m   inbox.Message
		ref uint32
	}
	// lastTime is the time data.encodeTime converted last, and what to.
	lastTime struct {
		t time.Time
		v int64
	}
}

// threadKey is a key unique within a channel: a ticket's Key or a message's ID.
type threadKey struct {
	kind channel.Kind
	key  string
}

func newData(id string, seed maphash.Seed) *data {
	d := &data{id: id}
	d.lastTime.v = noTime // what the zero time converts to
	hashThread := func(k threadKey) uint64 { return maphash.String(seed, k.key) ^ uint64(k.kind)*0x9e3779b97f4a7c15 }
	d.byThread = refIndex[threadKey]{
		keyOf: func(n uint32) threadKey {
			t := d.tickets.at(int(n) - 1)
			return threadKey{t.channel, d.text.get(t.key)}
		},
		hash: hashThread,
	}
	d.byCustomer = refIndex[string]{
		keyOf: func(n uint32) string { return d.text.get(d.tickets.at(int(n) - 1).customer) },
		hash:  func(k string) uint64 { return maphash.String(seed, k) },
	}
	d.byMessage = refIndex[threadKey]{
		keyOf: func(n uint32) threadKey { m := d.messages.at(int(n) - 1); return threadKey{m.kind, d.text.get(m.id)} },
		hash:  hashThread,
	}
	d.snoozes, d.followUps = newDueList(false), newDueList(true)
	return d
}

// tx is a transaction over d: read-write when write is set (Update's),
// read-only otherwise (View's), and done once it has ended. One type serves
// both so that Update's reads call the same methods as View's, with no
// wrapper between that would copy what they return (a Ticket is 376 bytes);
// the write methods check write. Ending one sets a flag rather than clearing
// d: a pointer written to the heap takes the garbage collector's write
// barrier (see appendTo).
type tx struct {
	d           *data
	write, done bool
}

// newTx returns a new read-write transaction over d. Each is used once, so
// that one kept past its function sees ErrTxDone, and they are carved from
// blocks: a block of 256 costs one allocation where each would cost its
// own, and its transactions are pointed at d when it is made, so that
// taking one writes no pointer. The caller holds d's lock.
func (d *data) newTx() *tx {
	if d.nextTx == len(d.txs) {
		d.txs = make([]tx, 256)
		for i := range d.txs {
			d.txs[i] = tx{d: d, write: true}
		}
		d.nextTx = 0
	}
	t := &d.txs[d.nextTx]
	d.nextTx++
	return t
}

// inbox returns the transaction's inbox, or ErrTxDone once it has ended.
func (r *tx) inbox() (*data, error) {
	if r.done {
		return nil, ErrTxDone
	}
	return r.d, nil
}

// writable is inbox for the write methods: a read-only transaction (a
// View's, asserted to inbox.Tx) gets an error matching [inbox.ErrInvalid].
func (w *tx) writable() (*data, error) {
	if !w.write && !w.done {
		return nil, invalid("transaction", "a View's transaction cannot write")
	}
	return w.inbox()
}

// interned numbers the distinct values of a kind that many tickets share
// (assignees, tag sets), so that a ticket keeps a 32-bit number. Number 0 is
// the zero value, whose key is "". Values are never forgotten: there are as
// many as distinct values ever stored.
type interned[V any] struct {
	list []V
	ids  map[string]uint32
}

// id returns the number of the value with the given key, adding v as that
// value when the key is new.
func (n *interned[V]) id(key string, v V) uint32 {
	if id, ok := n.lookup(key); ok {
		return id
	}
	return n.add(key, v)
}

// add adds v as the value of key, which is new, and returns its number.
func (n *interned[V]) add(key string, v V) uint32 {
	if n.ids == nil {
		n.ids = make(map[string]uint32)
		n.list = make([]V, 1)
	}
	id := uint32(len(n.list))
	n.list = append(n.list, v)
	n.ids[key] = id
	return id
}

// lookup returns the number of the value with the given key, if it was ever
// added.
func (n *interned[V]) lookup(key string) (uint32, bool) {
	if key == "" {
		return 0, true
	}
	id, ok := n.ids[key]
	return id, ok
}

func (n *interned[V]) value(id uint32) V {
	if id == 0 {
		var zero V
		return zero
	}
	return n.list[id]
}

// Times are kept as Unix nanoseconds, with the zero time as noTime. A time
// that int64 nanoseconds cannot hold (before 1678 or after 2261) is refused.
const (
	noTime = math.MinInt64
	minSec = math.MinInt64/int64(time.Second) + 1
	maxSec = math.MaxInt64/int64(time.Second) - 1
)

// encodeTime returns t as kept, or an *inbox.InvalidError naming field.
func encodeTime(field string, t time.Time) (int64, error) {
	if t.IsZero() { // year 1, outside the range; a message's absent Attribution.At
		return noTime, nil
	}
	if s := t.Unix(); s >= minSec && s <= maxSec {
		return s*int64(time.Second) + int64(t.Nanosecond()), nil
	}
	return 0, invalid(field, fmt.Sprintf("%v is outside the years 1678 to 2261", t))
}

// encodeTime is encodeTime for the writes of a transaction (a new ticket's
// times, its message's, its events'), which mostly carry the one time it ran
// at: the time converted last is remembered, and the same time again is a
// comparison, not a conversion.
func (d *data) encodeTime(field string, t time.Time) (int64, error) {
	if t == d.lastTime.t {
		return d.lastTime.v, nil
	}
	v, err := encodeTime(field, t)
	if err == nil {
		d.lastTime.t, d.lastTime.v = t, v
	}
	return v, err
}

// decodeTime returns a kept time, in UTC.
func decodeTime(n int64) time.Time {
	if n == noTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func invalid(field, reason string) error {
	return &inbox.InvalidError{Field: field, Reason: reason}
}

// notFoundError says what a lookup did not find; it matches
// [inbox.ErrNotFound]. It is formatted only when its message is asked for.
type notFoundError struct {
	what string // "ticket" (numbered), or "member", "customer"… (keyed)
	key  string
	n    int64
}

func (e *notFoundError) Error() string {
	if e.what == "ticket" {
		return fmt.Sprintf("memstore: ticket %d: %v", e.n, inbox.ErrNotFound)
	}
	return fmt.Sprintf("memstore: %s %q: %v", e.what, e.key, inbox.ErrNotFound)
}

// Is reports whether target is [inbox.ErrNotFound].
func (e *notFoundError) Is(target error) bool { return target == inbox.ErrNotFound }

func noTicket(n int64) error { return &notFoundError{what: "ticket", n: n} }

func notFound(what, key string) error { return &notFoundError{what: what, key: key} }

var errNoSettings = fmt.Errorf("memstore: no settings saved: %w", inbox.ErrNotFound)

// The misses of the lookups by a channel's keys. Every first message of a
// conversation makes one, so they are made once, and do not repeat the key
// (which the caller has): a miss allocates nothing.
var (
	errNoTicketWithKey = fmt.Errorf("memstore: no ticket has that channel and key: %w", inbox.ErrNotFound)
	errNoMessageWithID = fmt.Errorf("memstore: no message has that channel and ID: %w", inbox.ErrNotFound)
)

func conflict(format string, args ...any) error {
	return fmt.Errorf("memstore: %s: %w", fmt.Sprintf(format, args...), inbox.ErrConflict)
}
