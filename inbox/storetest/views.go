package storetest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

var viewTests = []behaviour{
	{"Views/EveryFilterAndOrder", testViewFilters},
	{"Views/CursorStableUnderInserts", testCursorInserts},
	{"Views/CursorIsAKey", testCursorKey},
	{"Views/SeesTicketChanges", testViewChanges},
	{"Views/Invalid", testViewInvalid},
	{"Views/SnoozeDue", testSnoozeDue},
	{"Views/FollowUpDue", testFollowUpDue},
}

// matches reports whether t passes every filter of f (not After or Limit).
func matches(f *inbox.Filter, t *inbox.Ticket) bool {
	switch {
	case !slices.Contains(f.Statuses, t.Status),
		f.Assignee != nil && t.Assignee != *f.Assignee,
		len(f.Channels) > 0 && !slices.Contains(f.Channels, t.Channel),
		f.UnreadOnly && !t.Unread,
		!f.CreatedFrom.IsZero() && t.CreatedAt.Before(f.CreatedFrom),
		!f.CreatedTo.IsZero() && !t.CreatedAt.Before(f.CreatedTo):
		return false
	}
	for _, tag := range f.Tags {
		if !slices.Contains(t.Tags, tag) {
			return false
		}
	}
	return true
}

// compareIn orders tickets as a list in order o does.
func compareIn(o inbox.Order, a, b *inbox.Ticket) int {
	if o == inbox.OldestFirst {
		return cmp.Compare(a.Number, b.Number)
	}
	return cmp.Or(b.ActiveAt.Compare(a.ActiveAt), cmp.Compare(b.Number, a.Number))
}

// positionOf is the place of t in a list.
func positionOf(t *inbox.Ticket) inbox.Position {
	return inbox.Position{At: t.ActiveAt, Number: t.Number}
}

// expect is the brute-force answer to f over all, ignoring Limit.
func expect(all []inbox.Ticket, f inbox.Filter) []inbox.Ticket {
	var out []inbox.Ticket
	for _, t := range all {
		if !matches(&f, &t) {
			continue
		}
		if f.After != nil {
			cursor := inbox.Ticket{ActiveAt: f.After.At, Number: f.After.Number}
			if compareIn(f.Order, &cursor, &t) >= 0 {
				continue
			}
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b inbox.Ticket) int { return compareIn(f.Order, &a, &b) })
	return out
}

// walk lists f page by page from the top, calling between (if not nil) with
// the cursor after each full page, and returns every ticket listed.
func walk(t fataler, s inbox.Store, id string, f inbox.Filter, between func(cursor inbox.Position)) []inbox.Ticket {
	t.Helper()
	var all []inbox.Ticket
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("more than 1000 pages of %+v", f)
		}
		var page []inbox.Ticket
		view(t, s, id, func(tx inbox.ReadTx) { page = try(tx.Tickets(f)).must(t) })
		if len(page) > f.Limit {
			t.Fatalf("page of %d tickets, limit %d", len(page), f.Limit)
		}
		all = append(all, page...)
		if len(page) < f.Limit {
			return all
		}
		f.After = ptr(positionOf(&page[len(page)-1]))
		if between != nil {
			between(*f.After)
		}
	}
}

// viewFixture stores 36 tickets mixing every attribute a filter looks at,
// with ties in ActiveAt and some zero CreatedAt, and returns them.
func viewFixture(t *testing.T, s inbox.Store) []inbox.Ticket {
	kinds := []channel.Kind{channel.WebChat, channel.Email, channel.SMS}
	statuses := []status.Status{status.Open, status.Open, status.Snoozed, status.Closed}
	assignees := []string{"", "ann", "ann", "bob", ""}
	tags := [][]string{nil, {"billing"}, {"billing", "vip"}, {"vip"}, {"bug"}, nil}
	var in []inbox.Ticket
	for i := range 36 {
		tk := inbox.Ticket{
			Channel: kinds[i%3], Customer: fmt.Sprintf("customer-%d", i%7), Status: statuses[i%4],
			Assignee: assignees[i%5], Tags: tags[i%6], Unread: i%2 == 0, CreatedAt: at(i), ActiveAt: at(i * 7 % 11),
		}
		if tk.Channel != channel.Email {
			tk.Key = fmt.Sprintf("key-%d", i)
		}
		if tk.Status == status.Snoozed {
			tk.SnoozedUntil = at(100 + i%3)
		}
		if i%9 == 8 {
			tk.CreatedAt = time.Time{} // the earliest time
		}
		in = append(in, tk)
	}
	return create(t, s, acme, in...)
}

func testViewFilters(t *testing.T, s inbox.Store) {
	all := viewFixture(t, s)
	statusSets := [][]status.Status{
		{status.Open}, {status.Snoozed}, {status.Closed}, {status.Open, status.Snoozed},
		{status.Closed, status.Open, status.Snoozed},
	}
	assignees := []*string{nil, ptr(""), ptr("ann"), ptr("nobody")}
	refine := []func(*inbox.Filter){
		func(*inbox.Filter) {},
		func(f *inbox.Filter) { f.Channels = []channel.Kind{channel.SMS} },
		func(f *inbox.Filter) { f.Channels = []channel.Kind{channel.WebChat, channel.Email} },
		func(f *inbox.Filter) { f.Tags = []string{"billing"} },
		func(f *inbox.Filter) { f.Tags = []string{"billing", "vip"} },
		func(f *inbox.Filter) { f.UnreadOnly = true },
		func(f *inbox.Filter) { f.CreatedFrom, f.CreatedTo = at(10), at(20) },
		func(f *inbox.Filter) { f.CreatedTo = at(25) },
	}
	limits := []int{1, 4, 50}
	k := 0
	for _, st := range statusSets {
		for _, a := range assignees {
			for _, r := range refine {
				for _, o := range []inbox.Order{inbox.LatestActivity, inbox.OldestFirst} {
					f := inbox.Filter{Statuses: st, Assignee: a, Order: o, Limit: limits[k%len(limits)]}
					k++
					r(&f)
					want := expect(all, f)
					diff(t, fmt.Sprintf("pages of %+v", f), want, walk(t, s, acme, f, nil))
					view(t, s, acme, func(tx inbox.ReadTx) {
						if n := try(tx.Count(f)).must(t); n != len(want) {
							t.Fatalf("Count(%+v) = %d, want %d", f, n, len(want))
						}
					})
				}
			}
		}
	}
	// A status listed twice counts once; Count ignores After and Limit.
	f := inbox.Filter{Statuses: []status.Status{status.Open, status.Open}, Limit: 50}
	want := expect(all, f)
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "a status listed twice", want, try(tx.Tickets(f)).must(t))
		f.After, f.Limit = ptr(positionOf(&want[0])), 1
		if n := try(tx.Count(f)).must(t); n != len(want) {
			t.Fatalf("Count with After and Limit = %d, want %d", n, len(want))
		}
	})
}

func testCursorInserts(t *testing.T, s inbox.Store) {
	for _, order := range []inbox.Order{inbox.LatestActivity, inbox.OldestFirst} {
		id := fmt.Sprintf("inbox-%d", order)
		var first []inbox.Ticket
		for i := range 10 {
			first = append(first, newTicket(channel.WebChat, "webchat:v", fmt.Sprintf("c%d", i), 10+i/2))
		}
		want := create(t, s, id, first...)
		f := inbox.Filter{Statuses: []status.Status{status.Open}, Order: order, Limit: 3}
		rounds := 0
		got := walk(t, s, id, f, func(cursor inbox.Position) {
			if rounds++; rounds > 4 {
				return // let the walk end
			}
			// Newer than every ticket, as old as the cursor's, and older
			// than every ticket: a ticket whose place is after the cursor
			// must be listed later, one before it must not.
			at := inbox.Ticket{ActiveAt: cursor.At, Number: cursor.Number}
			for _, tk := range create(t, s, id,
				newTicket(channel.SMS, "sms:+1", "", 100),
				newTicket(channel.SMS, "sms:+1", "", int(cursor.At.Sub(epoch)/time.Minute)),
				newTicket(channel.SMS, "sms:+1", "", 0),
			) {
				if compareIn(order, &at, &tk) < 0 {
					want = append(want, tk)
				}
			}
		})
		slices.SortFunc(want, func(a, b inbox.Ticket) int { return compareIn(order, &a, &b) })
		diff(t, fmt.Sprintf("%v pages with tickets added between them", order), want, got)
	}
}

func testCursorKey(t *testing.T, s inbox.Store) {
	var in []inbox.Ticket
	for i := range 6 {
		in = append(in, newTicket(channel.Email, "email:a@example.com", "", i))
	}
	all := create(t, s, acme, in...)
	f := inbox.Filter{Statuses: []status.Status{status.Open}, Limit: 2}
	var page []inbox.Ticket
	view(t, s, acme, func(tx inbox.ReadTx) { page = try(tx.Tickets(f)).must(t) })
	diff(t, "first page", []inbox.Ticket{all[5], all[4]}, page)
	// The last ticket of the page becomes the most active: the next page
	// still starts after the place it had.
	moved := page[1]
	moved.ActiveAt = at(50)
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutTicket(moved)) })
	f.After = ptr(positionOf(&page[1]))
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "page after a ticket that moved", []inbox.Ticket{all[3], all[2]}, try(tx.Tickets(f)).must(t))
		// A place where no ticket is.
		f.After = &inbox.Position{At: at(3), Number: 99}
		diff(t, "page after an empty place", []inbox.Ticket{all[3], all[2]}, try(tx.Tickets(f)).must(t))
		f.After = &inbox.Position{At: at(3), Number: 0}
		diff(t, "page after (at 3, number 0)", []inbox.Ticket{all[2], all[1]}, try(tx.Tickets(f)).must(t))
		f.Order, f.After = inbox.OldestFirst, &inbox.Position{Number: 4}
		diff(t, "oldest first after 4", []inbox.Ticket{moved, all[5]}, try(tx.Tickets(f)).must(t))
		f.After = &inbox.Position{Number: math.MinInt64}
		diff(t, "oldest first after MinInt64", []inbox.Ticket{all[0], all[1]}, try(tx.Tickets(f)).must(t))
		f.After = &inbox.Position{Number: math.MaxInt64}
		diff(t, "oldest first after MaxInt64", []inbox.Ticket(nil), try(tx.Tickets(f)).must(t))
		f.Order, f.After = inbox.LatestActivity, &inbox.Position{At: at(3), Number: math.MaxInt64}
		diff(t, "latest activity after (at 3, MaxInt64)", []inbox.Ticket{all[3], all[2]}, try(tx.Tickets(f)).must(t))
		f.After, f.Limit = nil, math.MaxInt
		diff(t, "the largest limit", []inbox.Ticket{moved, all[5], all[3], all[2], all[1], all[0]}, try(tx.Tickets(f)).must(t))
	})
}

func testViewChanges(t *testing.T, s inbox.Store) {
	all := create(t, s, acme,
		newTicket(channel.WebChat, "webchat:v1", "c1", 0),
		newTicket(channel.WebChat, "webchat:v2", "c2", 1),
	)
	mine := inbox.Filter{Statuses: []status.Status{status.Open}, Assignee: ptr("ann"), Limit: 10}
	unassigned := inbox.Filter{Statuses: []status.Status{status.Open}, Assignee: ptr(""), Limit: 10}
	closed := inbox.Filter{Statuses: []status.Status{status.Closed}, Limit: 10}
	tagged := inbox.Filter{Statuses: []status.Status{status.Open}, Tags: []string{"vip"}, Limit: 10}
	check := func(what string, want map[*inbox.Filter][]inbox.Ticket) {
		t.Helper()
		view(t, s, acme, func(tx inbox.ReadTx) {
			for f, w := range want {
				diff(t, fmt.Sprintf("%s: Tickets(%+v)", what, *f), w, try(tx.Tickets(*f)).must(t))
				if n := try(tx.Count(*f)).must(t); n != len(w) {
					t.Fatalf("%s: Count(%+v) = %d, want %d", what, *f, n, len(w))
				}
			}
		})
	}
	check("new", map[*inbox.Filter][]inbox.Ticket{&mine: nil, &unassigned: {all[1], all[0]}, &closed: nil, &tagged: nil})
	all[0].Assignee, all[0].ActiveAt, all[0].Tags = "ann", at(5), []string{"vip"}
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutTicket(all[0])) })
	check("assigned", map[*inbox.Filter][]inbox.Ticket{&mine: {all[0]}, &unassigned: {all[1]}, &closed: nil, &tagged: {all[0]}})
	all[0].Status, all[0].ClosedAt = status.Closed, at(6)
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutTicket(all[0])) })
	check("closed", map[*inbox.Filter][]inbox.Ticket{&mine: nil, &unassigned: {all[1]}, &closed: {all[0]}, &tagged: nil})
}

func testViewInvalid(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v1", "c1", 0))
	open := []status.Status{status.Open}
	view(t, s, acme, func(tx inbox.ReadTx) {
		for name, f := range map[string]inbox.Filter{
			"no status":      {Limit: 1},
			"zero status":    {Statuses: []status.Status{0}, Limit: 1},
			"status 9":       {Statuses: []status.Status{status.Open, 9}, Limit: 1},
			"zero channel":   {Statuses: open, Channels: []channel.Kind{0}, Limit: 1},
			"unknown order":  {Statuses: open, Order: 7, Limit: 1},
			"zero limit":     {Statuses: open},
			"negative limit": {Statuses: open, Limit: -1},
		} {
			if _, err := tx.Tickets(f); err == nil {
				t.Errorf("Tickets(%s) succeeded", name)
			} else {
				isErr(t, err, inbox.ErrInvalid)
			}
			if f.Limit <= 0 {
				continue // Count ignores the limit
			}
			if _, err := tx.Count(f); err == nil {
				t.Errorf("Count(%s) succeeded", name)
			} else {
				isErr(t, err, inbox.ErrInvalid)
			}
		}
		if n := try(tx.Count(inbox.Filter{Statuses: open})).must(t); n != 1 {
			t.Errorf("Count without a limit = %d, want 1", n)
		}
	})
}

// dueFunc is a due list of ReadTx: SnoozeDue or FollowUpDue.
type dueFunc func(tx inbox.ReadTx, now time.Time, limit int) ([]int64, error)

// checkDue stores five tickets that due lists at minutes 5, 10, 3, never and
// 5, checks its order, ties, limit and errors on them, and returns the
// tickets and what due lists at a minute.
func checkDue(t *testing.T, s inbox.Store, due dueFunc, tickets [5]inbox.Ticket) ([]inbox.Ticket, func(now int) []int64) {
	t.Helper()
	all := create(t, s, acme, tickets[:]...)
	list := func(now, limit int) []int64 {
		var got []int64
		view(t, s, acme, func(tx inbox.ReadTx) { got = try(due(tx, at(now), limit)).must(t) })
		return got
	}
	diff(t, "due at 5", []int64{3, 1, 5}, list(5, 10))
	diff(t, "due at 5, two at most", []int64{3, 1}, list(5, 2))
	diff(t, "due at 4", []int64{3}, list(4, 10))
	diff(t, "due at 2", []int64(nil), list(2, 10))
	view(t, s, acme, func(tx inbox.ReadTx) {
		for _, limit := range []int{0, -1} {
			try(due(tx, at(5), limit)).fails(t, inbox.ErrInvalid)
		}
	})
	return all, func(now int) []int64 { return list(now, 10) }
}

func testSnoozeDue(t *testing.T, s inbox.Store) {
	snoozed := func(key string, until int) inbox.Ticket {
		tk := newTicket(channel.WebChat, "webchat:v", key, 0)
		tk.Status, tk.SnoozedUntil = status.Snoozed, at(until)
		return tk
	}
	open := newTicket(channel.WebChat, "webchat:v", "open", 0)
	open.SnoozedUntil = at(1) // stale: only snoozed tickets are due
	all, due := checkDue(t, s, inbox.ReadTx.SnoozeDue, [5]inbox.Ticket{snoozed("a", 5), snoozed("b", 10), snoozed("c", 3), open, snoozed("d", 5)})
	all[2].Status, all[2].SnoozedUntil = status.Open, time.Time{}
	all[1].SnoozedUntil = at(4)
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutTicket(all[2]))
		ok(t, tx.PutTicket(all[1]))
	})
	diff(t, "due at 5 after a wake and a new time", []int64{2, 1, 5}, due(5))
}

func testFollowUpDue(t *testing.T, s inbox.Store) {
	withFollowUp := func(key string, st status.Status, minute int) inbox.Ticket {
		tk := newTicket(channel.WebChat, "webchat:v", key, 0)
		tk.Status, tk.FollowUpAt = st, at(minute)
		if st == status.Snoozed {
			tk.SnoozedUntil = at(50)
		}
		return tk
	}
	// Every status: the store keeps FollowUpAt as it is given.
	all, due := checkDue(t, s, inbox.ReadTx.FollowUpDue, [5]inbox.Ticket{withFollowUp("a", status.Open, 5),
		withFollowUp("b", status.Closed, 10), withFollowUp("c", status.Snoozed, 3), newTicket(channel.WebChat, "webchat:v", "none", 0),
		withFollowUp("d", status.Open, 5)})
	diff(t, "due at 10", []int64{3, 1, 5, 2}, due(10))
	all[2].FollowUpAt = time.Time{}
	all[1].FollowUpAt = at(4)
	all[3].FollowUpAt = at(5)
	update(t, s, acme, func(tx inbox.Tx) {
		for _, tk := range all[1:4] {
			ok(t, tx.PutTicket(tk))
		}
	})
	want := []int64{2, 1, 4, 5}
	diff(t, "due at 5 after a clear, a move and a new time", want, due(5))
	// A rolled-back transaction leaves no entry behind, and takes none away.
	fail(t, s, acme, func(tx inbox.Tx) {
		moved, cleared := all[0], all[1]
		moved.FollowUpAt, cleared.FollowUpAt = at(0), time.Time{}
		ok(t, tx.PutTicket(moved))
		ok(t, tx.PutTicket(cleared))
		try(tx.CreateTicket(withFollowUp("e", status.Open, 1))).must(t)
		diff(t, "due at 5 in the failing transaction", []int64{1, 6, 4, 5}, try(tx.FollowUpDue(at(5), 10)).must(t))
	})
	diff(t, "due at 5 after a rollback", want, due(5))
}
