package assign_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
)

// build returns a rotation holding members and seq, failing the test on error.
func build(t *testing.T, seq uint64, members ...assign.Member) *assign.Rotation {
	t.Helper()
	r := new(assign.Rotation)
	for _, m := range members {
		if err := r.Put(m); err != nil {
			t.Fatalf("Put(%+v): %v", m, err)
		}
	}
	r.SetSeq(seq)
	return r
}

func online(id string, joined, last uint64) assign.Member {
	return assign.Member{ID: id, Joined: joined, Last: last, Presence: assign.Online}
}

func with(m assign.Member, f func(*assign.Member)) assign.Member {
	f(&m)
	return m
}

func TestPick(t *testing.T) {
	t.Parallel()
	offline := func(m *assign.Member) { m.Presence = assign.Offline }
	full := func(m *assign.Member) { m.Open, m.Capacity = 2, 2 }
	away := func(m *assign.Member) { m.Hours = fixed(false) }
	tests := []struct {
		name    string
		seq     uint64
		members []assign.Member
		inbox   assign.Hours
		want    assign.Decision
	}{
		{name: "empty pool", want: assign.Decision{}},
		{
			name:    "never assigned first, in join order",
			seq:     3,
			members: []assign.Member{online("a", 0, 3), online("c", 2, 0), online("b", 1, 0)},
			want:    assign.Decision{Agent: "b", Seq: 3, Eligible: 3},
		},
		{
			name:    "equal join order: by ID",
			members: []assign.Member{online("zoe", 1, 0), online("amy", 1, 0)},
			want:    assign.Decision{Agent: "amy", Eligible: 2},
		},
		{
			name:    "least recently assigned",
			seq:     9,
			members: []assign.Member{online("a", 0, 9), online("b", 1, 4), online("c", 2, 7)},
			want:    assign.Decision{Agent: "b", Seq: 9, Eligible: 3},
		},
		{
			name:    "offline and at capacity are passed over and counted",
			seq:     9,
			members: []assign.Member{with(online("a", 0, 1), offline), with(online("b", 1, 2), full), online("c", 2, 3)},
			want:    assign.Decision{Agent: "c", Seq: 9, Eligible: 1, Offline: 1, AtCapacity: 1},
		},
		{
			name: "no cap means any number of open tickets",
			members: []assign.Member{
				with(online("a", 0, 0), func(m *assign.Member) { m.Open = 50 }),
				with(online("b", 1, 0), func(m *assign.Member) { m.Open, m.Capacity = 1, 2 }),
			},
			want: assign.Decision{Agent: "a", Eligible: 2},
		},
		{
			name:    "outside own hours are skipped and counted",
			seq:     9,
			members: []assign.Member{with(online("a", 0, 1), away), with(online("b", 1, 2), away), online("c", 2, 3), with(online("d", 3, 4), away)},
			inbox:   fixed(true),
			want:    assign.Decision{Agent: "c", Seq: 9, Eligible: 2, OutsideHours: 2},
		},
		{
			name:    "inside own hours",
			members: []assign.Member{with(online("a", 0, 0), func(m *assign.Member) { m.Hours = fixed(true) })},
			want:    assign.Decision{Agent: "a", Eligible: 1},
		},
		{
			name:    "inbox closed",
			seq:     5,
			members: []assign.Member{online("a", 0, 1), with(online("b", 1, 2), offline), with(online("c", 2, 3), full)},
			inbox:   fixed(false),
			want:    assign.Decision{Closed: true, Seq: 5, Offline: 1, AtCapacity: 1},
		},
		{
			name:    "nobody eligible",
			seq:     5,
			members: []assign.Member{with(online("a", 0, 1), away), with(online("b", 1, 2), offline), with(online("c", 2, 3), full)},
			want:    assign.Decision{Seq: 5, Offline: 1, AtCapacity: 1, OutsideHours: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, tt.seq, tt.members...)
			got := r.Pick(t0, tt.inbox)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Pick (-want +got)\n%s", diff)
			}
			if r.Seq() != tt.seq {
				t.Errorf("Pick changed Seq to %d", r.Seq())
			}
		})
	}
}

func TestReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    assign.Decision
		want string
	}{
		{assign.Decision{Agent: "dana", Eligible: 37, Offline: 5, AtCapacity: 2}, "round robin: least recently assigned of 37 eligible; 5 offline, 2 at capacity"},
		{assign.Decision{Agent: "dana", Eligible: 1}, "round robin: least recently assigned of 1 eligible"},
		{assign.Decision{Agent: "dana", Eligible: 3, OutsideHours: 1}, "round robin: least recently assigned of 3 eligible; 1 outside their hours"},
		{assign.Decision{Closed: true, Offline: 2}, "inbox closed: outside office hours"},
		{assign.Decision{Offline: 3, AtCapacity: 1}, "no eligible agent: 3 offline, 1 at capacity"},
		{assign.Decision{AtCapacity: 1, OutsideHours: 4}, "no eligible agent: 1 at capacity, 4 outside their hours"},
		{assign.Decision{}, "no eligible agent: the pool is empty"},
	}
	for _, tt := range tests {
		if got := tt.d.Reason(); got != tt.want {
			t.Errorf("%+v.Reason() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestRoundRobin follows one pool through a working day.
func TestRoundRobin(t *testing.T) {
	t.Parallel()
	r := build(t, 0, online("ann", 0, 0), online("bob", 1, 0), online("cy", 2, 0))
	var got []string
	pick := func() {
		d := r.Pick(t0, nil)
		if err := r.Apply(d); err != nil {
			t.Fatalf("Apply(%+v): %v", d, err)
		}
		got = append(got, d.Agent)
	}
	set := func(id string, f func(*assign.Member)) {
		m, ok := r.Member(id)
		if !ok {
			t.Fatalf("no member %s", id)
		}
		f(&m)
		if err := r.Put(m); err != nil {
			t.Fatal(err)
		}
	}
	pick()
	pick() // ann, bob
	set("cy", func(m *assign.Member) { m.Presence = assign.Offline })
	pick()
	pick() // ann, bob: cy keeps her place while offline
	set("cy", func(m *assign.Member) { m.Presence = assign.Online })
	set("ann", func(m *assign.Member) { m.Open += 3 }) // ann claims three tickets by hand
	pick()
	pick()
	pick() // cy first (never assigned), then ann, bob: manual work changed no turn
	if err := r.Put(online("dee", 3, 0)); err != nil {
		t.Fatal(err)
	}
	pick()
	pick() // the newcomer first, then cy
	r.Remove("ann")
	pick()
	pick()
	want := []string{"ann", "bob", "ann", "bob", "cy", "ann", "bob", "dee", "cy", "bob", "dee"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("choices (-want +got)\n%s", diff)
	}
	if r.Seq() != uint64(len(want)) {
		t.Errorf("Seq() = %d, want %d", r.Seq(), len(want))
	}
}

func TestPutRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    assign.Member
		want assign.MemberError
	}{
		{assign.Member{}, assign.MemberError{Problem: "empty ID"}},
		{assign.Member{ID: "a", Presence: 2}, assign.MemberError{ID: "a", Problem: "invalid presence(2)"}},
		{assign.Member{ID: "a", Open: -1}, assign.MemberError{ID: "a", Problem: "negative open ticket count -1"}},
		{assign.Member{ID: "a", Capacity: -3}, assign.MemberError{ID: "a", Problem: "negative capacity -3"}},
	}
	for _, tt := range tests {
		r := build(t, 1, online("a", 0, 1))
		err := r.Put(tt.m)
		if !errors.Is(err, assign.ErrInvalidMember) {
			t.Errorf("Put(%+v) = %v, want ErrInvalidMember", tt.m, err)
		}
		var me *assign.MemberError
		if !errors.As(err, &me) {
			t.Fatalf("Put(%+v) = %v, want *MemberError", tt.m, err)
		}
		if diff := cmp.Diff(tt.want, *me); diff != "" {
			t.Errorf("Put(%+v) error (-want +got)\n%s", tt.m, diff)
		}
		if diff := cmp.Diff([]assign.Member{online("a", 0, 1)}, r.Members()); diff != "" {
			t.Errorf("refused Put changed the members (-want +got)\n%s", diff)
		}
	}
	if got, want := (&assign.MemberError{ID: "a", Problem: "empty ID"}).Error(), `assign: invalid member "a": empty ID`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestApplyRefuses(t *testing.T) {
	t.Parallel()
	// ann (no own hours) is first in line, then bob (own hours), then cy.
	members := []assign.Member{online("ann", 0, 1), with(online("bob", 1, 2), func(m *assign.Member) { m.Hours = fixed(true) }), online("cy", 2, 3)}
	stale := func(agent string, seq uint64, problem string) error {
		return &assign.StaleError{Agent: agent, Seq: seq, Problem: problem}
	}
	tests := []struct {
		name   string
		change func(r *assign.Rotation)
		d      assign.Decision
		want   error // a *StaleError compared by value, or a sentinel
	}{
		{name: "nobody chosen", d: assign.Decision{Seq: 3, Offline: 2}, want: assign.ErrNoChoice},
		{name: "inbox closed", d: assign.Decision{Seq: 3, Closed: true}, want: assign.ErrNoChoice},
		{name: "seq moved", d: assign.Decision{Agent: "ann", Seq: 2}, want: stale("ann", 2, "the pool's sequence number is now 3")},
		{name: "left the pool", change: func(r *assign.Rotation) { r.Remove("ann") }, d: assign.Decision{Agent: "ann", Seq: 3}, want: stale("ann", 3, "the agent is no longer a member")},
		{name: "stranger", d: assign.Decision{Agent: "zed", Seq: 3}, want: stale("zed", 3, "the agent is no longer a member")},
		{
			name:   "went offline",
			change: func(r *assign.Rotation) { _ = r.Put(assign.Member{ID: "ann", Last: 1}) },
			d:      assign.Decision{Agent: "ann", Seq: 3},
			want:   stale("ann", 3, "the agent is now offline"),
		},
		{
			name: "reached capacity",
			change: func(r *assign.Rotation) {
				_ = r.Put(with(online("ann", 0, 1), func(m *assign.Member) { m.Open, m.Capacity = 1, 1 }))
			},
			d:    assign.Decision{Agent: "ann", Seq: 3},
			want: stale("ann", 3, "the agent is now at capacity"),
		},
		{name: "not next", d: assign.Decision{Agent: "cy", Seq: 3}, want: stale("cy", 3, `"ann" is now ahead in line`)},
		{name: "newcomer ahead", change: func(r *assign.Rotation) { _ = r.Put(online("new", 9, 0)) }, d: assign.Decision{Agent: "ann", Seq: 3}, want: stale("ann", 3, `"new" is now ahead in line`)},
		{name: "seq exhausted", change: func(r *assign.Rotation) { r.SetSeq(math.MaxUint64) }, d: assign.Decision{Agent: "ann", Seq: math.MaxUint64}, want: assign.ErrSeqExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, 3, members...)
			if tt.change != nil {
				tt.change(r)
			}
			before, seq := r.Members(), r.Seq()
			err := r.Apply(tt.d)
			var se *assign.StaleError
			if want, ok := tt.want.(*assign.StaleError); ok {
				if !errors.Is(err, assign.ErrStale) || !errors.As(err, &se) {
					t.Fatalf("Apply(%+v) = %v, want a *StaleError", tt.d, err)
				}
				if diff := cmp.Diff(*want, *se); diff != "" {
					t.Errorf("Apply error (-want +got)\n%s", diff)
				}
			} else if !errors.Is(err, tt.want) {
				t.Fatalf("Apply(%+v) = %v, want %v", tt.d, err, tt.want)
			}
			if diff := cmp.Diff(before, r.Members()); diff != "" || r.Seq() != seq {
				t.Errorf("refused Apply changed the rotation: Seq %d→%d (-before +after)\n%s", seq, r.Seq(), diff)
			}
		})
	}
}

// TestApplyAfterSkip applies a decision that skipped members outside their
// own hours: the chosen member is not first in line.
func TestApplyAfterSkip(t *testing.T) {
	t.Parallel()
	away := func(m *assign.Member) { m.Hours = fixed(false) }
	r := build(t, 3, with(online("ann", 0, 1), away), with(online("bob", 1, 2), away), online("cy", 2, 3))
	d := r.Pick(t0, nil)
	if err := r.Apply(d); err != nil {
		t.Fatalf("Apply(%+v): %v", d, err)
	}
	want := []assign.Member{with(online("ann", 0, 1), away), with(online("bob", 1, 2), away), online("cy", 2, 4)}
	if diff := cmp.Diff(want, r.Members()); diff != "" || r.Seq() != 4 {
		t.Errorf("after Apply: Seq %d (-want +got)\n%s", r.Seq(), diff)
	}
	if err := r.Apply(d); !errors.Is(err, assign.ErrStale) {
		t.Errorf("second Apply = %v, want ErrStale", err)
	}
}

func TestZeroRotation(t *testing.T) {
	t.Parallel()
	var r assign.Rotation
	if diff := cmp.Diff(assign.Decision{}, r.Pick(t0, nil)); diff != "" {
		t.Errorf("Pick (-want +got)\n%s", diff)
	}
	r.Remove("nobody")
	if m, ok := r.Member("nobody"); ok {
		t.Errorf("Member(nobody) = %+v, true", m)
	}
	if ms := r.Members(); len(ms) != 0 {
		t.Errorf("Members() = %+v", ms)
	}
	if err := r.Apply(r.Pick(t0, nil)); !errors.Is(err, assign.ErrNoChoice) {
		t.Errorf("Apply = %v, want ErrNoChoice", err)
	}
	e := r.Explain(t0, nil)
	if len(e.Candidates) != 0 || e.For("nobody") != assign.NotInPool {
		t.Errorf("Explain = %+v", e)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	r := build(t, 8,
		online("dana", 0, 2),
		online("lee", 1, 6),
		assign.Member{ID: "kim", Joined: 2, Last: 1},
		assign.Member{ID: "sam", Joined: 3, Presence: assign.Online, Open: 5, Capacity: 5},
		with(online("ray", 4, 0), func(m *assign.Member) { m.Hours = fixed(false) }),
		online("max", 5, 8),
	)
	e := r.Explain(t0, fixed(true))
	type row struct {
		ID      string
		Verdict assign.Verdict
	}
	var got []row
	for _, c := range e.Candidates {
		got = append(got, row{c.Member.ID, c.Verdict})
	}
	want := []row{
		{"sam", assign.AtCapacity}, {"ray", assign.OutsideOwnHours}, {"kim", assign.AgentOffline},
		{"dana", assign.Chosen}, {"lee", assign.NotNext}, {"max", assign.NotNext},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("candidates (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(r.Pick(t0, fixed(true)), e.Decision); diff != "" {
		t.Errorf("Explain's decision differs from Pick's (-pick +explain)\n%s", diff)
	}
	for id, want := range map[string]assign.Verdict{"dana": assign.Chosen, "kim": assign.AgentOffline, "zed": assign.NotInPool} {
		if got := e.For(id); got != want {
			t.Errorf("For(%s) = %v, want %v", id, got, want)
		}
	}
	closed := r.Explain(t0, fixed(false))
	for id, want := range map[string]assign.Verdict{"dana": assign.InboxClosed, "ray": assign.InboxClosed, "kim": assign.AgentOffline, "sam": assign.AtCapacity} {
		if got := closed.For(id); got != want {
			t.Errorf("closed: For(%s) = %v, want %v", id, got, want)
		}
	}
	wantText := `round robin: least recently assigned of 3 eligible; 1 offline, 1 at capacity, 1 outside their hours
  sam: at capacity (5 of 5 open)
  ray: outside their own working hours
  kim: offline
  dana: chosen, least recently assigned (last automatic assignment #2)
  lee: eligible but not next (last automatic assignment #6)
  max: eligible but not next (last automatic assignment #8)`
	if diff := cmp.Diff(wantText, e.String()); diff != "" {
		t.Errorf("String() (-want +got)\n%s", diff)
	}
	if got, want := closed.Candidates[1].String(), "ray: not chosen, the inbox is closed"; got != want {
		t.Errorf("closed candidate String() = %q, want %q", got, want)
	}
}

// TestLargePool runs a long deterministic random workload on a pool large
// enough to use many levels of the index, comparing every choice with the
// plain-scan model.
func TestLargePool(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var r assign.Rotation
	md := model{}
	put := func(m assign.Member) {
		if err := r.Put(m); err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(md.members, func(x assign.Member) bool { return x.ID == m.ID }); i >= 0 {
			md.members[i] = m
		} else {
			md.members = append(md.members, m)
		}
	}
	for i := range 1500 {
		put(assign.Member{
			ID: fmt.Sprintf("agent-%d", i), Joined: rng.Uint64N(100), Last: rng.Uint64N(500),
			Presence: assign.Presence(rng.IntN(2)), Capacity: rng.IntN(3), Open: rng.IntN(3),
		})
	}
	r.SetSeq(500)
	md.seq = 500
	for step := range 8000 {
		switch rng.IntN(4) {
		case 0: // presence or workload changes
			m := md.members[rng.IntN(len(md.members))]
			m.Presence, m.Open = assign.Presence(rng.IntN(2)), rng.IntN(3)
			put(m)
		default:
			want, i := md.decide(t0, nil)
			got := r.Pick(t0, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("step %d: Pick (-want +got)\n%s", step, diff)
			}
			if i < 0 {
				continue
			}
			if err := r.Apply(got); err != nil {
				t.Fatalf("step %d: Apply: %v", step, err)
			}
			md.apply(i)
		}
		if step%1000 == 0 {
			if err := r.CheckIndex(); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
	}
	if err := r.CheckIndex(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentReads reads one rotation from several goroutines at once,
// as a store's readers of one snapshot do: under -race, a read that wrote
// anything (a cache, say) fails it.
func TestConcurrentReads(t *testing.T) {
	t.Parallel()
	r := build(t, 3, online("ana", 1, 1), online("ben", 2, 2), online("cy", 3, 3))
	if err := r.Apply(r.Pick(time.Time{}, nil)); err != nil { // a write before the reads
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, id := range []string{"ana", "ben", "cy", "ana"} {
		wg.Go(func() {
			for range 100 {
				if m, ok := r.Member(id); !ok || m.ID != id {
					t.Errorf("Member(%q) = %+v, %v", id, m, ok)
					return
				}
				if d := r.Pick(time.Time{}, nil); d.Agent != "ben" {
					t.Errorf("Pick chose %q, want ben", d.Agent)
					return
				}
				_ = r.Members()
			}
		})
	}
	wg.Wait()
}
