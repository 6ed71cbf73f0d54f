package inbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

func TestViews(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := f.online("ann")[0]
	var n []int64 // tickets 1..5, a minute apart
	for range 5 {
		n = append(n, f.receive(chat(nextID(), "v", "hi")).Ticket)
		f.clock.Add(time.Minute)
	}
	f.must(f.ib.Assign(f.ctx, f.owner, "ann", n[0], n[1], n[2]))
	f.must(f.ib.Close(f.ctx, f.owner, n[1]))
	f.must(f.ib.Snooze(f.ctx, ann, n[2], f.clock.Now().Add(time.Hour)))
	f.receive(chat("reply", "v", "x")) // ticket 6, newest activity
	f.must(f.ib.MarkRead(f.ctx, ann, n[0], n[3]))
	f.must(f.ib.AddTags(f.ctx, ann, n[4], "vip"))

	for _, tc := range []struct {
		name string
		q    inbox.Query
		want []int64
	}{
		{"all open, latest first", inbox.Query{}, []int64{6, 5, 4, 1}},
		{"all open, oldest first", inbox.Query{Order: inbox.OldestFirst}, []int64{1, 4, 5, 6}},
		{"all statuses", inbox.Query{Statuses: allStatuses, Order: inbox.OldestFirst}, []int64{1, 2, 3, 4, 5, 6}},
		{"mine: open only", inbox.Query{View: inbox.Mine}, []int64{1}},
		{"mine with snoozed", inbox.Query{View: inbox.Mine, Statuses: []status.Status{status.Open, status.Snoozed}}, []int64{3, 1}},
		{"unassigned", inbox.Query{View: inbox.Unassigned}, []int64{6, 5, 4}},
		{"unread", inbox.Query{UnreadOnly: true}, []int64{6, 5}},
		{"tag", inbox.Query{Tags: []string{"VIP"}}, []int64{5}},
		{"assignee in All", inbox.Query{Assignee: "ann", Statuses: allStatuses, Order: inbox.OldestFirst}, []int64{1, 2, 3}},
		{"channel", inbox.Query{Channels: []channel.Kind{channel.Email}}, []int64{}},
		{"created range", inbox.Query{CreatedFrom: start.Add(time.Minute), CreatedTo: start.Add(4 * time.Minute), Order: inbox.OldestFirst}, []int64{4}},
	} {
		if diff := cmp.Diff(tc.want, f.numbers(ann, tc.q)); diff != "" {
			t.Errorf("%s (-want +got)\n%s", tc.name, diff)
		}
	}
	if got, err := f.ib.UnreadCount(f.ctx, ann); err != nil || got != 2 {
		t.Errorf("UnreadCount = %d, %v; want 2", got, err)
	}
	off := false
	_, err := f.ib.UpdateSettings(f.ctx, f.owner, inbox.SettingsPatch{UnreadBadge: &off})
	f.must(err)
	if got, err := f.ib.UnreadCount(f.ctx, ann); err != nil || got != 0 {
		t.Errorf("UnreadCount with the badge off = %d, %v; want 0", got, err)
	}
	for _, q := range []inbox.Query{
		{View: inbox.Mine, Statuses: []status.Status{status.Closed}},
		{View: inbox.Unassigned, Assignee: "ann"},
		{Limit: 501},
		{Cursor: "nonsense"},
		{View: 9},
		{Statuses: []status.Status{0}},
		{Tags: []string{" "}},
	} {
		if _, err := f.ib.Tickets(f.ctx, ann, q); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("Tickets(%+v): %v, want ErrInvalid", q, err)
		}
	}
}

func TestPagesAreStableUnderInserts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for range 7 {
		f.receive(sms(phoneOf(int(msgSeq.Add(1))), "hi"))
		f.clock.Add(time.Second)
	}
	for _, order := range []inbox.Order{inbox.LatestActivity, inbox.OldestFirst} {
		seen := map[int64]bool{}
		q := inbox.Query{Order: order, Limit: 3}
		for page := 0; ; page++ {
			p, err := f.ib.Tickets(f.ctx, f.owner, q)
			f.must(err)
			for _, tk := range p.Tickets {
				if seen[tk.Number] && tk.Number <= 7 {
					t.Errorf("order %d: ticket %d repeated", order, tk.Number)
				}
				seen[tk.Number] = true
			}
			if p.Next == "" {
				break
			}
			f.receive(chat(nextID(), "v", "new ticket between pages"))
			f.clock.Add(time.Second)
			q.Cursor = p.Next
		}
		for n := int64(1); n <= 7; n++ {
			if !seen[n] {
				t.Errorf("order %d: ticket %d skipped", order, n)
			}
		}
	}
}

func TestThreadPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	n := f.receive(sms("+15550001111", "0")).Ticket
	for range 119 {
		f.receive(sms("+15550001111", "more"))
	}
	var sizes []int
	cursor := ""
	for {
		p, err := f.ib.Thread(f.ctx, f.owner, n, cursor)
		f.must(err)
		sizes = append(sizes, len(p.Messages))
		if len(p.Messages) > 0 && p.Messages[0].Index < p.Messages[len(p.Messages)-1].Index {
			t.Fatal("thread page is not newest first")
		}
		if p.Older == "" {
			break
		}
		cursor = p.Older
	}
	if diff := cmp.Diff([]int{50, 50, 20}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got)\n%s", diff)
	}
}

func TestSavedViews(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := f.member("ann", inbox.Support)
	bob := f.member("bob", inbox.Support)
	mine, err := f.ib.SaveView(f.ctx, ann, inbox.SavedView{Name: "my vip", Query: inbox.Query{View: inbox.Mine, Tags: []string{"vip"}}})
	f.must(err)
	if _, err := f.ib.SaveView(f.ctx, ann, inbox.SavedView{Name: "team", Shared: true}); !errors.Is(err, inbox.ErrForbidden) {
		t.Errorf("support sharing a view: %v, want ErrForbidden", err)
	}
	shared, err := f.ib.SaveView(f.ctx, f.owner, inbox.SavedView{Name: "sms", Shared: true, Query: inbox.Query{Channels: []channel.Kind{channel.SMS}}})
	f.must(err)
	got, err := f.ib.SavedViews(f.ctx, bob)
	f.must(err)
	if len(got) != 1 || got[0].ID != shared.ID {
		t.Errorf("bob sees %+v; want only the shared view", got)
	}
	if err := f.ib.DeleteView(f.ctx, bob, mine.ID); !errors.Is(err, inbox.ErrForbidden) {
		t.Errorf("bob deleting ann's view: %v", err)
	}
	f.must(f.ib.DeleteView(f.ctx, ann, mine.ID))
	if got, _ := f.ib.SavedViews(f.ctx, ann); len(got) != 1 {
		t.Errorf("after delete ann sees %+v", got)
	}
}
