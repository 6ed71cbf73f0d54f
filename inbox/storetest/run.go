package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// Run runs the whole Store contract as subtests of t. newStore must return a
// new, empty Store each time it is called; it is called from parallel
// subtests, with the subtest's t (to register cleanups, or skip).
func Run(t *testing.T, newStore func(t *testing.T) inbox.Store) {
	groups := [][]behaviour{ticketTests, viewTests, threadTests, eventTests, customerTests, teamTests, txTests, reportTests}
	for _, g := range groups {
		for _, b := range g {
			t.Run(b.name, func(t *testing.T) {
				t.Parallel()
				b.test(t, newStore(t))
			})
		}
	}
	t.Run("Model", func(t *testing.T) {
		t.Parallel()
		testModel(t, newStore)
	})
}

// behaviour is one subtest of Run, on a new Store.
type behaviour struct {
	name string
	test func(t *testing.T, s inbox.Store)
}

// Inbox IDs of the tests.
const (
	acme   = "acme"
	globex = "globex"
)

// epoch is the tests' first instant: every time is epoch plus whole minutes.
var epoch = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return epoch.Add(time.Duration(minutes) * time.Minute) }

// errBoom is what failing transactions return.
var errBoom = errors.New("storetest: boom")

// cmpOpts compare what stores return: empty and nil slices alike, and
// schedules by their JSON form. Times compare with Equal, as cmp does for
// any type with an Equal method.
var cmpOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b *officehours.Schedule) bool {
		if a == nil || b == nil {
			return a == b
		}
		ja, errA := json.Marshal(a)
		jb, errB := json.Marshal(b)
		return errA == nil && errB == nil && bytes.Equal(ja, jb)
	}),
}

// fataler is what *testing.T and *rapid.T have in common that the helpers
// use.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// diff fails the test when want and got differ.
func diff(t fataler, what string, want, got any) {
	t.Helper()
	if reflect.DeepEqual(want, got) {
		return // equal under cmpOpts too, and much faster to find
	}
	if d := cmp.Diff(want, got, cmpOpts); d != "" {
		t.Fatalf("%s (-want +got):\n%s", what, d)
	}
}

// result holds what a method returned, for must and fails.
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must returns the value, failing the test on an error.
func (r result[T]) must(t fataler) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	return r.v
}

// fails checks that the call failed with an error matching target.
func (r result[T]) fails(t fataler, target error) {
	t.Helper()
	isErr(t, r.err, target)
}

// isErr fails the test unless err matches target.
func isErr(t fataler, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want one matching %v", err, target)
	}
}

// ok fails the test on an error.
func ok(t fataler, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// update runs fn in a transaction of inbox id that must commit.
func update(t fataler, s inbox.Store, id string, fn func(tx inbox.Tx)) {
	t.Helper()
	ok(t, s.Update(context.Background(), id, func(tx inbox.Tx) error {
		fn(tx)
		return nil
	}))
}

// view runs fn in a View of inbox id.
func view(t fataler, s inbox.Store, id string, fn func(tx inbox.ReadTx)) {
	t.Helper()
	ok(t, s.View(context.Background(), id, func(tx inbox.ReadTx) error {
		fn(tx)
		return nil
	}))
}

// fail runs fn in an Update of inbox id that returns errBoom, and checks
// that Update returns errBoom itself.
func fail(t fataler, s inbox.Store, id string, fn func(tx inbox.Tx)) {
	t.Helper()
	err := s.Update(context.Background(), id, func(tx inbox.Tx) error {
		fn(tx)
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Update returned %v, want the function's error unchanged", err)
	}
}

// newTicket returns an open ticket created and active at minute m.
func newTicket(kind channel.Kind, customer, key string, m int) inbox.Ticket {
	return inbox.Ticket{Channel: kind, Customer: customer, Key: key, Status: status.Open, CreatedAt: at(m), ActiveAt: at(m), Unread: true}
}

// create stores tickets in one committed transaction and returns them with
// their numbers.
func create(t fataler, s inbox.Store, id string, tickets ...inbox.Ticket) []inbox.Ticket {
	t.Helper()
	out := make([]inbox.Ticket, len(tickets))
	update(t, s, id, func(tx inbox.Tx) {
		for i, tk := range tickets {
			out[i] = created(t, tx, tk)
		}
	})
	return out
}

// created stores tk as a new ticket and returns it with its number.
func created(t fataler, tx inbox.Tx, tk inbox.Ticket) inbox.Ticket {
	t.Helper()
	tk.Number = try(tx.CreateTicket(tk)).must(t)
	return tk
}

// added adds m to its ticket's thread and returns it with its index.
func added(t fataler, tx inbox.Tx, kind channel.Kind, m inbox.Message) inbox.Message {
	t.Helper()
	m.Index = try(tx.AddMessage(kind, m)).must(t)
	return m
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
