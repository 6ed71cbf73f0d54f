package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

var txTests = []behaviour{
	{"Tx/FailedUpdateKeepsNothing", testFailedUpdate},
	{"Tx/PanicKeepsNothing", testPanicUpdate},
	{"Tx/ReadsOwnWrites", testReadOwnWrites},
	{"Tx/ContextDone", testContextDone},
	{"Tx/EmptyInboxID", testEmptyInboxID},
	{"Tx/ViewIsASnapshot", testViewSnapshot},
	{"Tx/ConcurrentUpdatesSerialize", testSerializable},
	{"Tenancy", testTenancy},
}

// probes name what snapshot looks up besides what it lists.
type probes struct {
	threads   []threadProbe // TicketByKey
	messages  []threadProbe // TicketByMessage
	customers []string      // CustomerTickets and Customer
	members   []string      // SavedViews
}

type threadProbe struct {
	Kind channel.Kind
	Key  string
}

// state is everything an inbox shows through ReadTx.
type state struct {
	Settings  *inbox.Settings
	Members   []inbox.Member
	Tickets   []inbox.Ticket
	Lists     map[string][]inbox.Ticket
	Counts    map[string]int
	ByKey     map[threadProbe]int64
	ByMessage map[threadProbe]int64
	Customers map[string]int            // CustomerTickets
	Records   map[string]inbox.Customer // Customer
	Threads   map[int64][]inbox.Message
	Histories map[int64][]inbox.Event
	Outbox    []inbox.Event
	Delivered int64
	Pending   int64
	Due       []int64 // SnoozeDue
	FollowUps []int64 // FollowUpDue
	Rotation  rotationState
	Views     map[string][]inbox.SavedView
}

// stateFilters are the lists a state holds.
var stateFilters = map[string]inbox.Filter{
	"all open":     {Statuses: []status.Status{status.Open}, Limit: 1000},
	"unassigned":   {Statuses: []status.Status{status.Open}, Assignee: ptr(""), Limit: 1000},
	"ann's":        {Statuses: []status.Status{status.Open, status.Snoozed}, Assignee: ptr("ann"), Limit: 1000},
	"every status": {Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}, Order: inbox.OldestFirst, Limit: 1000},
	"vip":          {Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}, Tags: []string{"vip"}, Limit: 1000},
}

// snapshot reads the state of the inbox of tx. Errors other than "not
// found" fail the test.
func snapshot(t fataler, tx inbox.ReadTx, p probes) state {
	t.Helper()
	st := state{
		Lists: map[string][]inbox.Ticket{}, Counts: map[string]int{}, ByKey: map[threadProbe]int64{},
		ByMessage: map[threadProbe]int64{}, Customers: map[string]int{}, Records: map[string]inbox.Customer{},
		Threads:   map[int64][]inbox.Message{},
		Histories: map[int64][]inbox.Event{}, Views: map[string][]inbox.SavedView{},
	}
	if set, err := tx.Settings(); err == nil {
		st.Settings = &set
	} else {
		isErr(t, err, inbox.ErrNotFound)
	}
	st.Members = try(tx.Members()).must(t)
	for n := int64(1); ; n++ {
		tk, err := tx.Ticket(n)
		if errors.Is(err, inbox.ErrNotFound) {
			break
		}
		ok(t, err)
		st.Tickets = append(st.Tickets, tk)
		st.Threads[n] = try(tx.Messages(n, math.MaxInt, 1000)).must(t)
		st.Histories[n] = try(tx.History(n)).must(t)
	}
	for name, f := range stateFilters {
		st.Lists[name] = try(tx.Tickets(f)).must(t)
		st.Counts[name] = try(tx.Count(f)).must(t)
	}
	for _, k := range p.threads {
		if tk, err := tx.TicketByKey(k.Kind, k.Key); err == nil {
			st.ByKey[k] = tk.Number
		} else {
			isErr(t, err, inbox.ErrNotFound)
		}
	}
	for _, k := range p.messages {
		if n, err := tx.TicketByMessage(k.Kind, k.Key); err == nil {
			st.ByMessage[k] = n
		} else {
			isErr(t, err, inbox.ErrNotFound)
		}
	}
	for _, c := range p.customers {
		st.Customers[c] = try(tx.CustomerTickets(c)).must(t)
		if rec, err := tx.Customer(c); err == nil {
			st.Records[c] = rec
		} else {
			isErr(t, err, inbox.ErrNotFound)
		}
	}
	for _, m := range p.members {
		st.Views[m] = try(tx.SavedViews(m)).must(t)
	}
	st.Outbox = try(tx.Outbox(0, 10000)).must(t)
	st.Delivered = try(tx.Delivered()).must(t)
	st.Pending = try(tx.Pending()).must(t)
	st.Due = try(tx.SnoozeDue(at(1_000_000), 1000)).must(t)
	st.FollowUps = try(tx.FollowUpDue(at(1_000_000), 1000)).must(t)
	st.Rotation = rotationOf(t, tx)
	return st
}

// seedState commits some of everything to inbox id and returns the probes
// that cover it and what failedWrites adds.
func seedState(t *testing.T, s inbox.Store, id string) probes {
	update(t, s, id, func(tx inbox.Tx) {
		ok(t, tx.PutSettings(inbox.Settings{RoundRobin: true, SMSNotify: inbox.SMSNotify{On: true, Recipients: []string{"ann@example.com"}}}))
		ok(t, tx.PutMember(inbox.Member{ID: "ann", Name: "Ann", Role: inbox.Support, Joined: 1}))
		ok(t, tx.PutMember(inbox.Member{ID: "bob", Name: "Bob", Role: inbox.Support, Joined: 2}))
		ok(t, tx.PutCustomer(inbox.Customer{Key: "sms:+15550001", Sent: []channel.Sent{{ID: "C1", Origin: channel.Campaign, At: at(-60)}}}))
		tk := newTicket(channel.SMS, "sms:+15550001", "+15550001", 0)
		tk.Assignee, tk.Tags, tk.FollowUpAt = "ann", []string{"vip"}, at(7)
		try(tx.CreateTicket(tk)).must(t)
		m := added(t, tx, channel.SMS, message(1, 0, "SM1"))
		try(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: at(0), Ticket: 1})).must(t)
		try(tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: at(0), Ticket: 1, Message: &m})).must(t)
		ok(t, tx.PutRotationMember(assign.Member{ID: "ann", Joined: 1, Presence: assign.Online}))
		ok(t, tx.PutRotationMember(assign.Member{ID: "bob", Joined: 2, Presence: assign.Online}))
		ok(t, tx.ApplyDecision(try(tx.Rotation()).must(t).Pick(at(0), nil)))
		ok(t, tx.PutSavedView(inbox.SavedView{ID: "v1", Name: "VIP", Owner: "ann", Query: inbox.Query{Tags: []string{"vip"}}}))
		ok(t, tx.SetDelivered(1))
		if !try(tx.Lease("tick", "r1", at(0), at(10))).must(t) {
			t.Fatal("a free lease was refused")
		}
	})
	return probes{
		threads:   []threadProbe{{channel.SMS, "+15550001"}, {channel.WebChat, "conv"}},
		messages:  []threadProbe{{channel.SMS, "SM1"}, {channel.SMS, "SM2"}, {channel.WebChat, "W1"}},
		customers: []string{"sms:+15550001", "webchat:v"},
		members:   []string{"ann", "bob"},
	}
}

// failedWrites makes every kind of write over the state of seedState.
func failedWrites(t fataler, tx inbox.Tx) {
	t.Helper()
	ok(t, tx.PutSettings(inbox.Settings{AssignWaiting: true, SMSNotify: inbox.SMSNotify{Recipients: []string{"bob@example.com"}}}))
	ok(t, tx.PutMember(inbox.Member{ID: "cy", Name: "Cy", Role: inbox.Admin, Joined: 3}))
	ok(t, tx.PutCustomer(inbox.Customer{Key: "webchat:v", Email: "v@example.com"}))
	ok(t, tx.PutCustomer(inbox.Customer{Key: "sms:+15550001", AutoRepliedAt: at(2),
		Sent: []channel.Sent{{ID: "C1", Origin: channel.Campaign, At: at(-60), Attributed: true}}}))
	ok(t, tx.PutMember(inbox.Member{ID: "ann", Name: "Ann B.", Role: inbox.Owner, Presence: assign.Online, Joined: 1}))
	ok(t, tx.DeleteMember("bob"))
	one := try(tx.Ticket(1)).must(t)
	one.Status, one.SnoozedUntil, one.Assignee, one.ActiveAt, one.Tags = status.Snoozed, at(5), "bob", at(3), nil
	one.FollowUpAt = at(4)
	ok(t, tx.PutTicket(one))
	two := newTicket(channel.WebChat, "webchat:v", "conv", 2)
	two.Tags, two.FollowUpAt = []string{"vip"}, at(3)
	two = created(t, tx, two)
	m := added(t, tx, channel.WebChat, message(two.Number, 0, "W1"))
	sms := message(1, 1, "SM2")
	sms.Attribution = &channel.Sent{ID: "C1", Origin: channel.Campaign, At: at(-60), Attributed: true}
	try(tx.AddMessage(channel.SMS, sms)).must(t)
	try(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: at(2), Ticket: two.Number})).must(t)
	try(tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: at(2), Ticket: two.Number, Message: &m})).must(t)
	try(tx.Emit(inbox.Event{Type: inbox.TicketAssigned, At: at(3), Ticket: 1, Assignee: "bob", Actor: "ann"})).must(t)
	ok(t, tx.SetDelivered(3))
	ok(t, tx.PutRotationMember(assign.Member{ID: "cy", Joined: 3, Presence: assign.Online}))
	ok(t, tx.PutRotationMember(assign.Member{ID: "ann", Joined: 1, Presence: assign.Offline, Open: 2}))
	d := try(tx.Rotation()).must(t).Pick(at(3), nil)
	ok(t, tx.ApplyDecision(d))
	picked, _ := try(tx.Rotation()).must(t).Member(d.Agent)
	picked.Open++
	ok(t, tx.PutRotationMember(picked)) // its ticket's load: a Receive writes the member it picked twice
	ok(t, tx.RemoveRotationMember("bob"))
	ok(t, tx.PutSavedView(inbox.SavedView{ID: "v1", Name: "renamed", Owner: "ann", Shared: true}))
	ok(t, tx.PutSavedView(inbox.SavedView{ID: "v2", Name: "new", Owner: "bob"}))
	ok(t, tx.DeleteSavedView("v1"))
	if !try(tx.Lease("other", "r2", at(0), at(10))).must(t) {
		t.Fatalf("a free lease was refused")
	}
}

// checkLeases checks that the leases are as seedState left them: "tick"
// held by r1 until minute 10, "other" free.
func checkLeases(t *testing.T, s inbox.Store, id string) {
	update(t, s, id, func(tx inbox.Tx) {
		if try(tx.Lease("tick", "r2", at(5), at(20))).must(t) {
			t.Error("the lease r1 holds was given to r2")
		}
		if !try(tx.Lease("other", "r3", at(5), at(20))).must(t) {
			t.Error("a lease taken in a failed transaction is still held")
		}
	})
}

func testFailedUpdate(t *testing.T, s inbox.Store) {
	p := seedState(t, s, acme)
	var before, inside state
	view(t, s, acme, func(tx inbox.ReadTx) { before = snapshot(t, tx, p) })
	fail(t, s, acme, func(tx inbox.Tx) {
		failedWrites(t, tx)
		inside = snapshot(t, tx, p)
	})
	if len(inside.Tickets) != 2 || len(inside.Outbox) != 5 {
		t.Fatalf("the failing transaction did not see its own writes: %d tickets, %d events", len(inside.Tickets), len(inside.Outbox))
	}
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "state after a failed Update", before, snapshot(t, tx, p)) })
	checkLeases(t, s, acme)
	// Numbers and sequences go on where the committed state left them.
	update(t, s, acme, func(tx inbox.Tx) {
		if n := try(tx.CreateTicket(newTicket(channel.Email, "email:a@example.com", "", 9))).must(t); n != 2 {
			t.Errorf("the next ticket is %d, want 2", n)
		}
		if seq := try(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: at(9), Ticket: 2})).must(t); seq != 3 {
			t.Errorf("the next event is %d, want 3", seq)
		}
		if index := try(tx.AddMessage(channel.SMS, message(1, 1, "SM2"))).must(t); index != 1 {
			t.Errorf("the next message of ticket 1 has index %d, want 1", index)
		}
	})
}

func testPanicUpdate(t *testing.T, s inbox.Store) {
	p := seedState(t, s, acme)
	var before state
	view(t, s, acme, func(tx inbox.ReadTx) { before = snapshot(t, tx, p) })
	type boom struct{ n int }
	func() {
		defer func() {
			if r := recover(); r != (boom{7}) {
				t.Fatalf("recovered %v, want the panic of the function", r)
			}
		}()
		_ = s.Update(context.Background(), acme, func(tx inbox.Tx) error {
			failedWrites(t, tx)
			panic(boom{7})
		})
		t.Fatal("Update returned after its function panicked")
	}()
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "state after a panicking Update", before, snapshot(t, tx, p)) })
	checkLeases(t, s, acme)
}

func testReadOwnWrites(t *testing.T, s inbox.Store) {
	p := seedState(t, s, acme)
	var inside state
	update(t, s, acme, func(tx inbox.Tx) {
		failedWrites(t, tx)
		inside = snapshot(t, tx, p)
	})
	// A later Update and a View see what committed.
	update(t, s, acme, func(tx inbox.Tx) { diff(t, "state in the next Update", inside, snapshot(t, tx, p)) })
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "state in a View", inside, snapshot(t, tx, p)) })
	if inside.Settings == nil || !inside.Settings.AssignWaiting || len(inside.Tickets) != 2 || inside.Delivered != 3 ||
		inside.ByKey[threadProbe{channel.WebChat, "conv"}] != 2 || inside.Customers["webchat:v"] != 1 ||
		inside.ByMessage[threadProbe{channel.WebChat, "W1"}] != 2 || len(inside.Views["bob"]) != 1 ||
		len(inside.Due) != 1 || len(inside.Rotation.Members) != 2 || inside.Rotation.Seq != 2 || inside.Pending != 2 ||
		inside.Records["webchat:v"].Email != "v@example.com" || inside.Records["sms:+15550001"].AutoRepliedAt.IsZero() ||
		len(inside.Threads[1]) != 2 || inside.Threads[1][0].Attribution == nil {
		t.Fatalf("a transaction did not see its own writes: %+v", inside)
	}
	diff(t, "FollowUpDue after moving one entry and adding one", []int64{2, 1}, inside.FollowUps)
}

func testContextDone(t *testing.T, s inbox.Store) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	for _, ctx := range []context.Context{canceled, expired} {
		ran := false
		err := s.Update(ctx, acme, func(tx inbox.Tx) error {
			ran = true
			_, err := tx.CreateTicket(newTicket(channel.Email, "email:a@example.com", "", 0))
			return err
		})
		isErr(t, err, ctx.Err())
		err = s.View(ctx, acme, func(inbox.ReadTx) error {
			ran = true
			return nil
		})
		isErr(t, err, ctx.Err())
		if ran {
			t.Fatalf("a transaction ran with a done context (%v)", ctx.Err())
		}
	}
	view(t, s, acme, func(tx inbox.ReadTx) { try(tx.Ticket(1)).fails(t, inbox.ErrNotFound) })
}

func testEmptyInboxID(t *testing.T, s inbox.Store) {
	ran := false
	isErr(t, s.Update(context.Background(), "", func(inbox.Tx) error { ran = true; return nil }), inbox.ErrInvalid)
	isErr(t, s.View(context.Background(), "", func(inbox.ReadTx) error { ran = true; return nil }), inbox.ErrInvalid)
	if ran {
		t.Fatal("a transaction ran on the empty inbox ID")
	}
}

func testViewSnapshot(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.Email, "email:a@example.com", "", 0))
	open := inbox.Filter{Statuses: []status.Status{status.Open}, Limit: 10}
	done := make(chan error, 1)
	view(t, s, acme, func(tx inbox.ReadTx) {
		first := try(tx.Tickets(open)).must(t)
		go func() {
			done <- s.Update(context.Background(), acme, func(tx inbox.Tx) error {
				_, err := tx.CreateTicket(newTicket(channel.Email, "email:b@example.com", "", 1))
				return err
			})
		}()
		// Give the Update time to commit, if the store lets it run beside
		// the View: the View must not see it either way.
		select {
		case err := <-done:
			done <- err
		case <-time.After(50 * time.Millisecond):
		}
		diff(t, "the same list later in a View", first, try(tx.Tickets(open)).must(t))
		try(tx.Ticket(2)).fails(t, inbox.ErrNotFound)
	})
	ok(t, <-done)
	view(t, s, acme, func(tx inbox.ReadTx) {
		if n := try(tx.Count(open)).must(t); n != 2 {
			t.Fatalf("a View after the Update counts %d tickets, want 2", n)
		}
	})
}

func testSerializable(t *testing.T, s inbox.Store) {
	const workers, rounds = 8, 25
	create(t, s, acme, newTicket(channel.Email, "email:counter@example.com", "", 0))
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				// Read, then write what was read plus one: a lost update
				// would show in the final count.
				err := s.Update(context.Background(), acme, func(tx inbox.Tx) error {
					tk, err := tx.Ticket(1)
					if err != nil {
						return err
					}
					var n int
					fmt.Sscan(tk.Subject, &n)
					tk.Subject = fmt.Sprint(n + 1)
					if err := tx.PutTicket(tk); err != nil {
						return err
					}
					_, err = tx.CreateTicket(newTicket(channel.WebChat, "webchat:v", fmt.Sprintf("w%d-%d", w, r), r))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	view(t, s, acme, func(tx inbox.ReadTx) {
		if got := try(tx.Ticket(1)).must(t).Subject; got != fmt.Sprint(workers*rounds) {
			t.Errorf("counter = %s after %d increments", got, workers*rounds)
		}
		all := try(tx.Tickets(inbox.Filter{Statuses: []status.Status{status.Open}, Order: inbox.OldestFirst, Limit: 1000})).must(t)
		for i, tk := range all {
			if tk.Number != int64(i+1) {
				t.Fatalf("ticket %d of the list is number %d: numbers are not dense and unique", i+1, tk.Number)
			}
		}
		if len(all) != workers*rounds+1 {
			t.Errorf("%d tickets, want %d", len(all), workers*rounds+1)
		}
	})
}

func testTenancy(t *testing.T, s inbox.Store) {
	p := seedState(t, s, acme)
	update(t, s, acme, func(tx inbox.Tx) { failedWrites(t, tx) })
	var empty, acmeState state
	view(t, s, globex, func(tx inbox.ReadTx) { empty = snapshot(t, tx, p) })
	view(t, s, acme, func(tx inbox.ReadTx) { acmeState = snapshot(t, tx, p) })
	if len(empty.Tickets) != 0 || empty.Settings != nil || len(empty.Members) != 0 || len(empty.Outbox) != 0 ||
		len(empty.ByKey) != 0 || len(empty.ByMessage) != 0 || empty.Customers["webchat:v"] != 0 ||
		empty.Rotation.Seq != 0 || len(empty.Rotation.Members) != 0 || len(empty.Views["ann"]) != 0 || empty.Delivered != 0 ||
		len(empty.Records) != 0 || len(empty.FollowUps) != 0 || empty.Pending != 0 {
		t.Fatalf("an inbox nobody wrote to shows another's data: %+v", empty)
	}
	// The same writes in another inbox: the same keys and IDs do not
	// conflict, numbers start again from 1, and each inbox shows only its
	// own.
	p2 := seedState(t, s, globex)
	var globexState state
	view(t, s, globex, func(tx inbox.ReadTx) { globexState = snapshot(t, tx, p2) })
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "acme after globex's writes", acmeState, snapshot(t, tx, p)) })
	if len(globexState.Tickets) != 1 || globexState.Tickets[0].Number != 1 || len(globexState.Outbox) != 2 ||
		globexState.Outbox[0].Inbox != globex || globexState.Rotation.Seq != 1 || len(globexState.Members) != 2 ||
		len(globexState.Records) != 1 || globexState.Records["sms:+15550001"].Key == "" || len(globexState.FollowUps) != 1 {
		t.Fatalf("globex shows more than its own data: %+v", globexState)
	}
	fail(t, s, globex, func(tx inbox.Tx) { failedWrites(t, tx) })
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "acme after globex's failed Update", acmeState, snapshot(t, tx, p)) })
	// A lease of one inbox is not held in another.
	update(t, s, globex, func(tx inbox.Tx) {
		if !try(tx.Lease("other", "r9", at(5), at(6))).must(t) {
			t.Error("acme's lease is held in globex")
		}
	})
}
