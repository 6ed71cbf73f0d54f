package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
	"github.com/routedesk/routedesk/status"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) inbox.Store { return memstore.New() })
}

var epoch = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func openTicket(key string, minute int) inbox.Ticket {
	at := epoch.Add(time.Duration(minute) * time.Minute)
	return inbox.Ticket{Channel: channel.WebChat, Customer: "webchat:v", Key: key, Status: status.Open, CreatedAt: at, ActiveAt: at}
}

func TestTxUsedAfterItEnded(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	var w inbox.Tx
	var r inbox.ReadTx
	ctx := context.Background()
	if err := s.Update(ctx, "a", func(tx inbox.Tx) error { w = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, "a", func(tx inbox.ReadTx) error { r = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Update's CreateTicket": second(w.CreateTicket(openTicket("k", 0))),
		"Update's Ticket":       second(w.Ticket(1)),
		"Update's Emit":         second(w.Emit(inbox.Event{Type: inbox.TicketCreated})),
		"Update's PutSettings":  w.PutSettings(inbox.DefaultSettings()),
		"View's Tickets":        second(r.Tickets(inbox.Filter{Statuses: []status.Status{status.Open}, Limit: 1})),
		"View's Rotation":       second(r.Rotation()),
	} {
		if !errors.Is(err, memstore.ErrTxDone) {
			t.Errorf("%s after the transaction: %v, want ErrTxDone", name, err)
		}
	}
	// Nor is it revived by the transactions that follow.
	err := s.Update(ctx, "a", func(inbox.Tx) error {
		if _, err := w.CreateTicket(openTicket("k", 0)); !errors.Is(err, memstore.ErrTxDone) {
			t.Errorf("Update's CreateTicket during a later Update: %v, want ErrTxDone", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	noTicketIn(t, s, "a", "a transaction used after it ended")
}

// noTicketIn checks that inbox id holds no ticket: who is what would have
// written one.
func noTicketIn(t *testing.T, s *memstore.Store, id, who string) {
	t.Helper()
	if err := s.View(context.Background(), id, func(tx inbox.ReadTx) error {
		_, err := tx.Ticket(1)
		return err
	}); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("%s wrote a ticket: %v", who, err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestViewCannotWrite checks that a View's transaction, asserted to
// inbox.Tx (it is the same type as Update's), writes nothing.
func TestViewCannotWrite(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	ctx := context.Background()
	err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
		w, ok := tx.(inbox.Tx)
		if !ok {
			return nil // a type that cannot write is as good
		}
		for name, err := range map[string]error{
			"CreateTicket": second(w.CreateTicket(openTicket("k", 0))),
			"Emit":         second(w.Emit(inbox.Event{Type: inbox.TicketCreated})),
			"PutSettings":  w.PutSettings(inbox.DefaultSettings()),
		} {
			if !errors.Is(err, inbox.ErrInvalid) {
				t.Errorf("View's %s: %v, want an error matching ErrInvalid", name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	noTicketIn(t, s, "a", "a View")
}

func TestTimesOutsideTheRange(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	early, late := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	err := s.Update(context.Background(), "a", func(tx inbox.Tx) error {
		var errs []error
		for _, when := range []time.Time{early, late} {
			tk := openTicket("k", 0)
			tk.ClosedAt = when
			errs = append(errs, second(tx.CreateTicket(tk)))
			tk = openTicket("k", 0)
			tk.FollowUpAt = when
			errs = append(errs, second(tx.CreateTicket(tk)))
			errs = append(errs, second(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: when})))
			errs = append(errs, second(tx.Emit(inbox.Event{Type: inbox.FollowUpSent, At: epoch, Messages: []inbox.Message{{At: epoch}, {At: when}}})))
			errs = append(errs, second(tx.Emit(inbox.Event{Type: inbox.SMSNotification, At: epoch,
				Message: &inbox.Message{At: epoch, Attribution: &channel.Sent{ID: "C1", Origin: channel.Campaign, At: when}}})))
			errs = append(errs, second(tx.Tickets(inbox.Filter{Statuses: []status.Status{status.Open}, CreatedFrom: when, Limit: 1})))
			errs = append(errs, second(tx.Tickets(inbox.Filter{Statuses: []status.Status{status.Open}, After: &inbox.Position{At: when}, Limit: 1})))
			errs = append(errs, second(tx.SnoozeDue(when, 1)))
			errs = append(errs, second(tx.FollowUpDue(when, 1)))
			errs = append(errs, second(tx.Lease("l", "h", when, when.Add(time.Second))))
			errs = append(errs, tx.PutCustomer(inbox.Customer{Key: "sms:+15550001", AutoRepliedAt: when}))
			errs = append(errs, tx.PutCustomer(inbox.Customer{Key: "sms:+15550001", Sent: []channel.Sent{{ID: "C1", At: epoch}, {ID: "C2", At: when}}}))
		}
		if _, err := tx.CreateTicket(openTicket("k", 0)); err != nil {
			return err
		}
		errs = append(errs, second(tx.AddMessage(channel.WebChat, inbox.Message{Ticket: 1, At: epoch,
			Attribution: &channel.Sent{ID: "C1", Origin: channel.Campaign, At: early}})))
		errs = append(errs, second(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: late, Ticket: 1})))
		for i, err := range errs {
			var ie *inbox.InvalidError
			if !errors.As(err, &ie) || !strings.Contains(ie.Reason, "outside the years 1678 to 2261") {
				t.Errorf("call %d: %v, want an *inbox.InvalidError naming the range", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(context.Background(), "a", func(tx inbox.ReadTx) error {
		if _, err := tx.Customer("sms:+15550001"); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("a refused customer was kept: %v", err)
		}
		if n, err := tx.Pending(); n != 0 || err != nil {
			t.Errorf("Pending = %d, %v: a refused event was kept", n, err)
		}
		if h, err := tx.History(1); len(h) != 0 || err != nil {
			t.Errorf("History(1) = %v, %v: a refused event was kept", h, err)
		}
		if m, err := tx.Messages(1, math.MaxInt, 10); len(m) != 0 || err != nil {
			t.Errorf("Messages(1) = %v, %v: a refused message was kept", m, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRollbackAcrossChunks rolls back writes that fill a chunk of tickets,
// messages and event positions and start the next, and events that start new
// pages of the event log (one larger than a page), then writes again.
func TestRollbackAcrossChunks(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	ctx := context.Background()
	write := func(from, to int, fail bool) error {
		return s.Update(ctx, "a", func(tx inbox.Tx) error {
			for i := from; i < to; i++ {
				n, err := tx.CreateTicket(openTicket(fmt.Sprint("k", i), i))
				if err != nil {
					return err
				}
				body := "hello"
				if i%700 == 0 {
					body = strings.Repeat("x", 100_000) // an event record larger than a page
				}
				m := inbox.Message{Ticket: n, ID: fmt.Sprint("m", i), Body: body, At: epoch}
				if m.Index, err = tx.AddMessage(channel.WebChat, m); err != nil {
					return err
				}
				m.Author = "not the stored message" // so the event holds the message, not a reference
				for range 3 {
					if _, err := tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: epoch, Ticket: n, Message: &m}); err != nil {
						return err
					}
				}
			}
			if fail {
				return errors.New("boom")
			}
			return nil
		})
	}
	if err := write(0, 1000, false); err != nil {
		t.Fatal(err)
	}
	if err := write(1000, 3000, true); err == nil {
		t.Fatal("the failing Update succeeded")
	}
	if err := write(1000, 2100, false); err != nil {
		t.Fatal(err) // message IDs and keys of the rolled-back writes are free again
	}
	err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
		open := inbox.Filter{Statuses: []status.Status{status.Open}, Order: inbox.OldestFirst, Limit: 5000}
		all, err := tx.Tickets(open)
		if err != nil {
			return err
		}
		if len(all) != 2100 || all[2099].Number != 2100 || all[2099].Key != "k2099" {
			return fmt.Errorf("%d tickets, the last %+v", len(all), all[len(all)-1])
		}
		events, err := tx.Outbox(0, 10_000)
		if err != nil {
			return err
		}
		if len(events) != 6300 {
			return fmt.Errorf("%d events, want 6300", len(events))
		}
		for i, e := range events {
			want := int64(i/3 + 1)
			if e.Seq != int64(i+1) || e.Ticket != want || e.Message.Ticket != want || len(e.Message.Body) != len(bodyOf(int(want-1))) {
				return fmt.Errorf("event %d is %+v", i+1, e)
			}
		}
		for _, n := range []int64{1, 1024, 1025, 2100} {
			msgs, err := tx.Messages(n, math.MaxInt, 10)
			if err != nil || len(msgs) != 1 || msgs[0].ID != fmt.Sprint("m", n-1) {
				return fmt.Errorf("thread of %d: %+v, %v", n, msgs, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func bodyOf(i int) string {
	if i%700 == 0 {
		return strings.Repeat("x", 100_000)
	}
	return "hello"
}

// TestReturnedValuesAreCopies changes everything a caller can reach through
// the values it got, and checks the store did not change.
func TestReturnedValuesAreCopies(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	ctx := context.Background()
	tags := []string{"vip"}
	err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		tk := openTicket("k", 0)
		tk.Tags = tags
		if _, err := tx.CreateTicket(tk); err != nil {
			return err
		}
		_, err := tx.Emit(inbox.Event{Type: inbox.TagsChanged, At: epoch, Ticket: 1, Tags: tags})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tags[0] = "changed"
	read := func() (inbox.Ticket, []inbox.Event) {
		var tk inbox.Ticket
		var h []inbox.Event
		err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
			var err error
			if tk, err = tx.Ticket(1); err != nil {
				return err
			}
			h, err = tx.History(1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return tk, h
	}
	tk, h := read()
	tk.Tags[0], h[0].Tags[0] = "changed", "changed"
	tk, h = read()
	if diff := cmp.Diff([]string{"vip"}, tk.Tags); diff != "" {
		t.Errorf("ticket tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vip"}, h[0].Tags, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("event tags (-want +got):\n%s", diff)
	}
}

func TestNotFoundErrors(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	err := s.View(context.Background(), "a", func(tx inbox.ReadTx) error {
		for _, c := range []struct {
			err  error
			want string
		}{
			{second(tx.Ticket(5)), "memstore: ticket 5: inbox: not found"},
			{second(tx.TicketByKey(channel.SMS, "+15550001")), "memstore: no ticket has that channel and key: inbox: not found"},
			{second(tx.TicketByMessage(channel.Email, "<a@b>")), "memstore: no message has that channel and ID: inbox: not found"},
			{second(tx.Member("ann")), `memstore: member "ann": inbox: not found`},
			{second(tx.SavedView("v1")), `memstore: saved view "v1": inbox: not found`},
			{second(tx.Settings()), "memstore: no settings saved: inbox: not found"},
			{second(tx.Customer("sms:+15550001")), `memstore: customer "sms:+15550001": inbox: not found`},
		} {
			if !errors.Is(c.err, inbox.ErrNotFound) || c.err.Error() != c.want {
				t.Errorf("error %q, want %q matching inbox.ErrNotFound", c.err, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMissAllocatesNothing checks the lookups that every first message of a
// conversation makes and misses. Not parallel: AllocsPerRun counts the
// whole process's allocations.
func TestMissAllocatesNothing(t *testing.T) {
	s := memstore.New()
	err := s.View(context.Background(), "a", func(tx inbox.ReadTx) error {
		misses := func() {
			_, _ = tx.TicketByKey(channel.SMS, "+15550001")
			_, _ = tx.TicketByMessage(channel.Email, "<a@b>")
		}
		if n := testing.AllocsPerRun(100, misses); n != 0 {
			t.Errorf("a miss by a channel's key allocates %v times, want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRewriteAllocatesNothing checks that writing back a tagged, assigned
// ticket whose tags and assignee are already known allocates nothing: every
// message and reply on a ticket rewrites it.
func TestRewriteAllocatesNothing(t *testing.T) {
	s := memstore.New()
	err := s.Update(context.Background(), "a", func(tx inbox.Tx) error {
		tk := inbox.Ticket{Channel: channel.SMS, Customer: "+15550001", Key: "+15550001", Status: status.Open,
			Assignee: "ann", Tags: []string{"billing", "vip"}, CreatedAt: time.Unix(1e9, 0)}
		n, err := tx.CreateTicket(tk)
		if err != nil {
			return err
		}
		tk.Number = n
		put := func() {
			if err := tx.PutTicket(tk); err != nil {
				t.Fatal(err)
			}
		}
		if n := testing.AllocsPerRun(100, put); n != 0 {
			t.Errorf("PutTicket allocates %v times, want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventsAcrossPages reads events by time from a log of many pages, whose
// times mostly rise but jump back now and then, after rolled-back writes.
func TestEventsAcrossPages(t *testing.T) {
	t.Parallel()
	s, ctx := memstore.New(), context.Background()
	boom := errors.New("rolled back")
	minute := 0
	for i := range 300 {
		err := s.Update(ctx, "a", func(tx inbox.Tx) error {
			for j := range 100 {
				if (i*100+j)%997 == 0 {
					minute -= 50 // a clock set back
				}
				minute++
				e := inbox.Event{Type: inbox.KeywordReceived, At: epoch.Add(time.Duration(minute) * time.Minute), Keyword: strings.Repeat("K", j)}
				if _, err := tx.Emit(e); err != nil {
					return err
				}
			}
			if i%7 == 3 {
				return boom
			}
			return nil
		})
		if err != nil && !errors.Is(err, boom) {
			t.Fatal(err)
		}
	}
	err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
		all, err := tx.Outbox(0, math.MaxInt)
		if err != nil {
			return err
		}
		for _, r := range [][2]int{{0, 100}, {1000, 1200}, {5000, 9000}, {20000, 30000}, {-100, 0}} {
			from, to := epoch.Add(time.Duration(r[0])*time.Minute), epoch.Add(time.Duration(r[1])*time.Minute)
			var want, got []int64
			for _, e := range all {
				if !e.At.Before(from) && e.At.Before(to) {
					want = append(want, e.Seq)
				}
			}
			if err := tx.Events(inbox.EventFilter{From: from, To: to}, func(e inbox.Event) error {
				got = append(got, e.Seq)
				return nil
			}); err != nil {
				return err
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Events in minutes %v (-want +got):\n%s", r, diff)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
