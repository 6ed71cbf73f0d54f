package inbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

func TestTickWakesSnoozedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	n := f.receive(chat("c", "v", "hi")).Ticket
	f.must(f.ib.MarkRead(f.ctx, f.owner, n))
	f.must(f.ib.Snooze(f.ctx, f.owner, n, start.Add(time.Hour)))
	if err := f.ib.Snooze(f.ctx, f.owner, n, start.Add(2*time.Hour)); !errors.Is(err, status.ErrInvalidTransition) {
		t.Errorf("snoozing a snoozed ticket: %v", err)
	}
	if err := f.ib.Snooze(f.ctx, f.owner, f.receive(chat("d", "v", "hi")).Ticket, start); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("snooze until now: %v, want ErrInvalid", err)
	}
	f.clock.Add(59 * time.Minute)
	f.must(f.ib.Tick(f.ctx))
	if got := f.ticket(n).Status; got != status.Snoozed {
		t.Fatalf("woke early: %v", got)
	}
	f.clock.Add(time.Minute)
	// Several replicas tick at once; the ticket wakes once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { f.must(f.open("shop").Tick(f.ctx)) })
	}
	wg.Wait()
	tk := f.ticket(n)
	if tk.Status != status.Open || !tk.Unread {
		t.Fatalf("after its time: %v unread=%v; want open, unread", tk.Status, tk.Unread)
	}
	es, err := f.ib.History(f.ctx, f.owner, n)
	f.must(err)
	wakes := 0
	for _, e := range es {
		if e.Type == inbox.StatusChanged && e.Status == status.Wake {
			wakes++
		}
	}
	if wakes != 1 {
		t.Errorf("%d wake events, want 1", wakes)
	}
}

// recorder is a Notifier that fails while failing is set.
type recorder struct {
	mu      sync.Mutex
	failing bool
	got     []inbox.Event
}

func (r *recorder) Notify(_ context.Context, e inbox.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return errors.New("provider down")
	}
	r.got = append(r.got, e)
	return nil
}

func TestDeliveryInOrderAndLossless(t *testing.T) {
	t.Parallel()
	rec := &recorder{failing: true}
	f := newFixture(t, inbox.WithNotifier(rec))
	for range 3 {
		f.receive(chat(nextID(), "v", "hi"))
	}
	if n, err := f.ib.Deliver(f.ctx); err == nil || n != 0 {
		t.Fatalf("Deliver with a failing notifier = %d, %v", n, err)
	}
	rec.mu.Lock()
	rec.failing = false
	rec.mu.Unlock()
	n, err := f.ib.Deliver(f.ctx)
	f.must(err)
	if n != 6 || len(rec.got) != 6 { // created + message, three times
		t.Fatalf("delivered %d (%d recorded), want 6", n, len(rec.got))
	}
	for i := 1; i < len(rec.got); i++ {
		if rec.got[i].Seq <= rec.got[i-1].Seq {
			t.Errorf("out of order: %d after %d", rec.got[i].Seq, rec.got[i-1].Seq)
		}
	}
	if n, _ := f.ib.Deliver(f.ctx); n != 0 {
		t.Errorf("delivered %d again", n)
	}
}

func TestRunDeliversUntilCancelled(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	f := newFixture(t, inbox.WithNotifier(rec))
	f.receive(chat("c", "v", "hi"))
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan error)
	go func() { done <- f.ib.Run(ctx, time.Millisecond, nil) }()
	for deadline := time.Now().Add(5 * time.Second); ; {
		rec.mu.Lock()
		n := len(rec.got)
		rec.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Run delivered %d events in 5s", n)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

func TestInboxesAreApart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := f.open("other")
	n := f.receive(chat("c", "v", "hi")).Ticket
	if _, err := other.Thread(f.ctx, f.owner, n, ""); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("other inbox reads shop's ticket: %v", err)
	}
	if err := other.Close(f.ctx, f.owner, n); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("other inbox closes shop's ticket: %v", err)
	}
	if err := other.SetPresence(f.ctx, f.owner, "owner", 1); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("shop's member is a member of other: %v", err)
	}
	if p, _ := other.Tickets(f.ctx, f.owner, inbox.Query{Statuses: allStatuses}); p.Total != 0 {
		t.Errorf("other inbox lists %d tickets", p.Total)
	}
}

// TestConcurrentReceiveAndClaim: many goroutines receive and claim at once;
// every message lands in exactly one ticket, and no claim steals.
func TestConcurrentReceiveAndClaim(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	agents := f.online("a1", "a2", "a3", "a4")
	f.roundRobin(true)
	const senders, each = 8, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := map[int64][]string{}
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				var r inbox.Received
				var err error
				switch i % 3 {
				case 0:
					r, err = f.ib.Receive(f.ctx, sms(phoneOf(s), "hi"))
				case 1:
					r, err = f.ib.Receive(f.ctx, chat(nextID(), "v", "hi"))
				default:
					r, err = f.ib.Receive(f.ctx, email("x@example.com", nextID()+"@mail", "subject"))
				}
				if err != nil {
					t.Error(err)
					return
				}
				a := agents[(s+i)%len(agents)]
				if err := f.ib.Claim(f.ctx, a, r.Ticket); err == nil {
					mu.Lock()
					claims[r.Ticket] = append(claims[r.Ticket], a.ID)
					mu.Unlock()
				} else if !errors.Is(err, inbox.ErrAlreadyAssigned) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	total := 0
	p := inbox.Query{Statuses: allStatuses, Limit: inbox.MaxPageSize}
	page, err := f.ib.Tickets(f.ctx, f.owner, p)
	f.must(err)
	for _, tk := range page.Tickets {
		th, err := f.ib.Thread(f.ctx, f.owner, tk.Number, "")
		f.must(err)
		total += len(th.Messages)
		if tk.Assignee == "" {
			t.Errorf("ticket %d unassigned with four agents online", tk.Number)
		}
		for _, who := range claims[tk.Number] {
			if who != tk.Assignee {
				t.Errorf("ticket %d: claim by %s succeeded but %s holds it", tk.Number, who, tk.Assignee)
			}
		}
	}
	if total != senders*each {
		t.Errorf("%d messages in tickets, want %d", total, senders*each)
	}
	// One SMS ticket per phone: senders phones, plus one ticket per chat and per email.
	wantTickets := senders + senders*(each/3) + senders*((each-2)/3+1)
	if page.Total != wantTickets {
		t.Errorf("%d tickets, want %d", page.Total, wantTickets)
	}
}
