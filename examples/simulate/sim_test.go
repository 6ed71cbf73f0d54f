package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// checkRun runs plans under p with a team of agents and checks what the run
// measured against the inbox's own record of every ticket (its History).
func checkRun(t rapid.TB, p Policy, seed uint64, tickets, agents int) {
	ctx := context.Background()
	cfg := config{seed: seed, tickets: tickets, zone: mustZone(t)}
	day, plans := cfg.day(), cfg.plans()
	s, err := newSim(ctx, p, plans, teamNames(agents), day)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.loop(); err != nil {
		t.Fatal(err)
	}
	o, err := s.outcome()
	if err != nil {
		t.Fatal(err)
	}
	r := o.report

	// Every plan made one ticket, and every conversation ended with it
	// closed: in the inbox's views and in its report.
	page, err := s.ib.Tickets(ctx, lead, inbox.Query{View: inbox.All, Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := s.ib.Tickets(ctx, lead, inbox.Query{View: inbox.All, Statuses: []status.Status{status.Closed}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := []int{len(s.tickets), page.Total, closed.Total, s.left, volume(r).Created, r.FirstResponse.Calendar.Count, r.LastResolution.Calendar.Count, r.LastResolution.Calendar.Open}
	if want := []int{tickets, tickets, tickets, 0, tickets, tickets, tickets, 0}; !slices.Equal(got, want) {
		t.Fatalf("tickets made, in the inbox, closed, conversations left, created by the report, first responses, resolved, open: got %v, want %v", got, want)
	}

	// The inbox's history of each ticket: the customer's messages each
	// answered once, the assignments the run counted, the waits it measured.
	var auto, manual int
	var waits []time.Duration
	for _, tk := range s.tickets {
		h, err := s.ib.History(ctx, lead, tk.n)
		if err != nil {
			t.Fatal(err)
		}
		var in, out int
		var waited time.Duration
		var since time.Time // while open and unassigned
		assigned, open := false, false
		stretch := func(at time.Time, waiting bool) {
			if !since.IsZero() {
				waited += at.Sub(since)
			}
			since = time.Time{}
			if waiting {
				since = at
			}
		}
		for _, e := range h {
			switch e.Type {
			case inbox.TicketCreated:
				open = true
				stretch(e.At, true)
			case inbox.MessageReceived:
				in++
			case inbox.ReplySent:
				out++
			case inbox.TicketAssigned:
				assigned = true
				stretch(e.At, false)
				if e.Decision != nil {
					auto++
				} else {
					manual++
				}
			case inbox.TicketUnassigned:
				assigned = false
				stretch(e.At, open)
			case inbox.StatusChanged:
				open = e.To == status.Open
				stretch(e.At, open && !assigned)
			}
		}
		if n := len(tk.plan.msgs); in != n || out != n {
			t.Fatalf("ticket %d: %d messages in and %d replies out, want %d each", tk.n, in, out, n)
		}
		if waited > 0 {
			waits = append(waits, waited)
		}
	}
	// Each agent's assignments: the report's, the hours the run counted and
	// the histories agree.
	hourly := 0
	for i, n := range perAgent(r, agents) {
		if h := sum(o.hourly[i]); h != n {
			t.Fatalf("agent %s: the report counts %d assignments, the run %d", agentID(i), n, h)
		}
		hourly += n
	}
	if got, want := []int{assigned(r, true), assigned(r, false), hourly}, []int{auto, manual, auto + manual}; !slices.Equal(got, want) {
		t.Fatalf("automatic assignments, manual ones, all of the agents': got %v, want %v", got, want)
	}
	if !p.RoundRobin && (auto > 0 || r.Fairness != 0) {
		t.Fatalf("round robin is off, yet %d tickets were assigned automatically (fairness %v)", auto, r.Fairness)
	}
	if diff := cmp.Diff(waits, o.waits); diff != "" {
		t.Fatalf("waits in Unassigned (-history +run):\n%s", diff)
	}
}

func mustZone(t rapid.TB) *time.Location {
	loc, err := loadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestInvariants checks every policy of the golden run.
func TestInvariants(t *testing.T) {
	t.Parallel()
	for _, p := range small(t, 1).policies {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			checkRun(t, p, 1, 300, 6)
		})
	}
}

// TestInvariantsProperty checks small random days under random policies.
func TestInvariantsProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := Policy{RoundRobin: rapid.Bool().Draw(t, "rr"), Cap: rapid.IntRange(0, 4).Draw(t, "cap")}
		p.Waiting = p.RoundRobin && rapid.Bool().Draw(t, "waiting")
		checkRun(t, p, rapid.Uint64().Draw(t, "seed"), rapid.IntRange(1, 40).Draw(t, "tickets"), rapid.IntRange(1, 4).Draw(t, "agents"))
	})
}
