package inbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// assignees lists who got each new ticket from a run of web chats.
func (f *fixture) assignees(n int) []string {
	f.t.Helper()
	var got []string
	for range n {
		r := f.receive(chat(nextID(), "v", "hi"))
		got = append(got, f.ticket(r.Ticket).Assignee)
	}
	return got
}

func TestRoundRobinRotatesAmongOnline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.online("ann", "bob", "cy")
	f.roundRobin(true)
	if diff := cmp.Diff([]string{"ann", "bob", "cy", "ann", "bob"}, f.assignees(5)); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	// Bob goes offline: he keeps his place and is skipped meanwhile.
	bob := inbox.Actor{ID: "bob", Role: inbox.Support}
	f.must(f.ib.SetPresence(f.ctx, bob, "bob", assign.Offline))
	if diff := cmp.Diff([]string{"cy", "ann", "cy"}, f.assignees(3)); diff != "" {
		t.Fatalf("bob offline (-want +got)\n%s", diff)
	}
	// Back online, bob is next at once: his last ticket is the oldest.
	f.must(f.ib.SetPresence(f.ctx, bob, "bob", assign.Online))
	if diff := cmp.Diff([]string{"bob", "ann", "cy"}, f.assignees(3)); diff != "" {
		t.Fatalf("bob back (-want +got)\n%s", diff)
	}
	// Signing out makes an agent offline.
	f.must(f.ib.SignOut(f.ctx, "ann"))
	if diff := cmp.Diff([]string{"bob", "cy"}, f.assignees(2)); diff != "" {
		t.Fatalf("ann signed out (-want +got)\n%s", diff)
	}
}

func TestRoundRobinOffByDefault(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.online("ann")
	r := f.receive(chat("c", "v", "hi"))
	if r.Decision != nil || f.ticket(r.Ticket).Assignee != "" {
		t.Errorf("round robin off, yet %+v assigned to %q", r, f.ticket(r.Ticket).Assignee)
	}
}

func TestRoundRobinRespectsOfficeHours(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	loc, _ := time.LoadLocation("UTC")
	nineToFive := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
	hours, err := officehours.New(loc, officehours.Week{time.Monday: nineToFive, time.Tuesday: nineToFive})
	f.must(err)
	on := true
	_, err = f.ib.UpdateSettings(f.ctx, f.owner, inbox.SettingsPatch{RoundRobin: &on, OfficeHours: hours})
	f.must(err)
	ann := f.online("ann")[0]
	f.clock.Add(8 * time.Hour) // Monday 18:00: closed
	r := f.receive(chat("c1", "v", "hi"))
	if r.Decision == nil || !r.Decision.Closed || f.ticket(r.Ticket).Assignee != "" {
		t.Fatalf("outside hours: %+v", r.Decision)
	}
	// An agent may still take it by hand outside hours, without touching the rotation.
	f.must(f.ib.Claim(f.ctx, ann, r.Ticket))
	f.clock.Add(15 * time.Hour) // Tuesday 09:00: open
	if got := f.assignees(1); got[0] != "ann" {
		t.Errorf("inside hours: %v", got)
	}
}

func TestManualAssignmentKeepsRotation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	as := f.online("ann", "bob")
	f.roundRobin(true)
	f.assignees(1) // ann
	// Bob claims and is assigned tickets by hand; unassigns one; ann is given one.
	f.roundRobin(false)
	x := f.receive(chat("x", "v", "hi")).Ticket
	y := f.receive(chat("y", "v", "hi")).Ticket
	f.must(f.ib.Claim(f.ctx, as[1], x))
	f.must(f.ib.Assign(f.ctx, f.owner, "bob", y))
	f.must(f.ib.Assign(f.ctx, f.owner, "ann", y))
	f.must(f.ib.Unassign(f.ctx, as[0], y))
	f.roundRobin(true)
	if diff := cmp.Diff([]string{"bob", "ann"}, f.assignees(2)); diff != "" {
		t.Errorf("manual work changed the rotation (-want +got)\n%s", diff)
	}
}

func TestClaimNeverSteals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	as := f.online("ann", "bob")
	n := f.receive(chat("c", "v", "hi")).Ticket
	f.must(f.ib.Claim(f.ctx, as[0], n))
	f.must(f.ib.Claim(f.ctx, as[0], n)) // again: nothing to do
	err := f.ib.Claim(f.ctx, as[1], n)
	var ae *inbox.AssignedError
	if !errors.Is(err, inbox.ErrAlreadyAssigned) || !errors.As(err, &ae) || ae.Assignee != "ann" {
		t.Fatalf("claim of ann's ticket by bob: %v", err)
	}
	if got := f.ticket(n).Assignee; got != "ann" {
		t.Errorf("assignee %q after a refused claim", got)
	}
}

func TestBulkAssignIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.online("ann")
	a := f.receive(chat("a", "v", "hi")).Ticket
	b := f.receive(chat("b", "v", "hi")).Ticket
	if err := f.ib.Assign(f.ctx, f.owner, "ann", a, b, 999); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("bulk assign with an unknown ticket: %v", err)
	}
	if got := f.numbers(f.owner, inbox.Query{View: inbox.Unassigned}); len(got) != 2 {
		t.Fatalf("after refused bulk assign, unassigned = %v; want both", got)
	}
	f.must(f.ib.Assign(f.ctx, f.owner, "ann", a, b))
	ann := inbox.Actor{ID: "ann", Role: inbox.Support}
	if diff := cmp.Diff([]int64{b, a}, f.numbers(ann, inbox.Query{View: inbox.Mine})); diff != "" {
		t.Errorf("ann's inbox (-want +got)\n%s", diff)
	}
	if err := f.ib.Assign(f.ctx, f.owner, "nobody", a); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("assign to a stranger: %v", err)
	}
}

func TestPresenceOnlyOwn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	as := f.online("ann", "bob")
	if err := f.ib.SetPresence(f.ctx, as[0], "bob", assign.Offline); !errors.Is(err, inbox.ErrForbidden) {
		t.Errorf("ann setting bob's presence: %v, want ErrForbidden", err)
	}
	if err := f.ib.SetPresence(f.ctx, f.owner, "bob", assign.Offline); !errors.Is(err, inbox.ErrForbidden) {
		t.Errorf("the owner setting bob's presence: %v, want ErrForbidden", err)
	}
}

func TestCapacityCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.online("ann", "bob")
	f.must(f.ib.PutMember(f.ctx, inbox.Member{ID: "ann", Name: "Ann", Role: inbox.Support, Capacity: 1}))
	f.roundRobin(true)
	got := f.assignees(3)
	if diff := cmp.Diff([]string{"ann", "bob", "bob"}, got); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	// Closing ann's ticket frees her capacity.
	first := f.numbers(inbox.Actor{ID: "ann", Role: inbox.Support}, inbox.Query{View: inbox.Mine})
	f.must(f.ib.Close(f.ctx, f.owner, first[0]))
	if got := f.assignees(1); got[0] != "ann" {
		t.Errorf("after close: %v", got)
	}
}

func TestWaitingTicketsAssigned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	on := true
	_, err := f.ib.UpdateSettings(f.ctx, f.owner, inbox.SettingsPatch{RoundRobin: &on, AssignWaiting: &on})
	f.must(err)
	ann := f.member("ann", inbox.Support)
	bob := f.member("bob", inbox.Support)
	var waiting []int64
	for range 3 {
		waiting = append(waiting, f.receive(chat(nextID(), "v", "hi")).Ticket)
	}
	f.must(f.ib.SetPresence(f.ctx, ann, "ann", assign.Online)) // all three go to ann, oldest first
	if diff := cmp.Diff([]int64{waiting[2], waiting[1], waiting[0]}, f.numbers(ann, inbox.Query{View: inbox.Mine})); diff != "" {
		t.Fatalf("ann (-want +got)\n%s", diff)
	}
	f.must(f.ib.SetPresence(f.ctx, bob, "bob", assign.Online))
	if got := f.numbers(bob, inbox.Query{View: inbox.Mine}); len(got) != 0 {
		t.Errorf("bob got %v; nothing was waiting", got)
	}
}

func TestRemoveMemberUnassigns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.online("ann")
	f.roundRobin(true)
	n := f.receive(chat("c", "v", "hi")).Ticket
	f.must(f.ib.RemoveMember(f.ctx, "ann"))
	if tk := f.ticket(n); tk.Assignee != "" || tk.Status != status.Open {
		t.Errorf("ticket of a removed member: %+v", tk)
	}
	r := f.receive(chat("d", "v", "hi"))
	if r.Decision == nil || r.Decision.Agent != "" {
		t.Errorf("removed member still in rotation: %+v", r.Decision)
	}
}
