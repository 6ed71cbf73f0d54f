package assign_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/assign"
)

// machine drives a Rotation (the system) and a model through the same
// actions and compares them after every step.
type machine struct {
	sys    *assign.Rotation
	md     model
	now    time.Time
	inbox  assign.Hours
	nextID int

	// The current run of choices over an unchanged eligible set.
	runSet    string
	runCounts map[string]int
}

var drawHours = rapid.Custom(func(t *rapid.T) assign.Hours {
	if rapid.Bool().Draw(t, "hasHours") {
		return cycle(rapid.Uint32().Draw(t, "cycle"))
	}
	return nil
})

func (m *machine) put(t *rapid.T, mem assign.Member) {
	if err := m.sys.Put(mem); err != nil {
		t.Fatalf("Put(%+v): %v", mem, err)
	}
	if i := m.index(mem.ID); i >= 0 {
		m.md.members[i] = mem
	} else {
		m.md.members = append(m.md.members, mem)
	}
}

func (m *machine) index(id string) int {
	return slices.IndexFunc(m.md.members, func(x assign.Member) bool { return x.ID == id })
}

// drawMember returns the index of a model member, skipping the action when
// the pool is empty.
func (m *machine) drawMember(t *rapid.T) int {
	if len(m.md.members) == 0 {
		t.Skip("empty pool")
	}
	return rapid.IntRange(0, len(m.md.members)-1).Draw(t, "member")
}

func (m *machine) newMember(t *rapid.T) assign.Member {
	m.nextID++
	return assign.Member{
		ID:       fmt.Sprintf("a%d", m.nextID),
		Joined:   rapid.Uint64Range(0, 8).Draw(t, "joined"),
		Presence: rapid.SampledFrom([]assign.Presence{assign.Offline, assign.Online}).Draw(t, "presence"),
		Open:     rapid.IntRange(0, 3).Draw(t, "open"),
		Capacity: rapid.IntRange(0, 3).Draw(t, "capacity"),
		Hours:    drawHours.Draw(t, "hours"),
	}
}

// eligible returns the IDs of the members eligible now, sorted.
func (m *machine) eligible() []string {
	var ids []string
	for i := range m.md.members {
		x := &m.md.members[i]
		if x.Presence == assign.Online && !atCapacity(x) && isOpen(x.Hours, m.now) && isOpen(m.inbox, m.now) {
			ids = append(ids, x.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (m *machine) join(t *rapid.T) { m.put(t, m.newMember(t)) }

func (m *machine) leave(t *rapid.T) {
	if rapid.Bool().Draw(t, "stranger") {
		m.sys.Remove("stranger") // not a member: nothing happens
		return
	}
	i := m.drawMember(t)
	m.sys.Remove(m.md.members[i].ID)
	m.md.members = slices.Delete(m.md.members, i, i+1)
}

func (m *machine) presence(t *rapid.T) {
	mem := m.md.members[m.drawMember(t)]
	mem.Presence = rapid.SampledFrom([]assign.Presence{assign.Offline, assign.Online}).Draw(t, "presence")
	m.put(t, mem)
}

func (m *machine) capacity(t *rapid.T) {
	mem := m.md.members[m.drawMember(t)]
	mem.Capacity = rapid.IntRange(0, 4).Draw(t, "capacity")
	m.put(t, mem)
}

func (m *machine) closeTicket(t *rapid.T) {
	mem := m.md.members[m.drawMember(t)]
	if mem.Open == 0 {
		t.Skip("no open ticket")
	}
	mem.Open--
	m.put(t, mem)
}

// manual assigns a ticket by hand: the store counts it, the rotation state
// stays, and the next choice is the same unless the agent just reached
// capacity.
func (m *machine) manual(t *rapid.T) {
	mem := m.md.members[m.drawMember(t)]
	before := m.sys.Pick(m.now, m.inbox)
	wasCapped := atCapacity(&mem)
	mem.Open++
	m.put(t, mem)
	if got, _ := m.sys.Member(mem.ID); got.Last != mem.Last || m.sys.Seq() != m.md.seq {
		t.Fatalf("manual assignment changed rotation state: Last %d→%d, Seq %d→%d", mem.Last, got.Last, m.md.seq, m.sys.Seq())
	}
	if atCapacity(&mem) != wasCapped && mem.Presence == assign.Online {
		return // the agent left the eligible set; the model covers the new choice
	}
	if diff := cmp.Diff(before, m.sys.Pick(m.now, m.inbox)); diff != "" {
		t.Fatalf("manual assignment to %s changed the next choice (-before +after)\n%s", mem.ID, diff)
	}
}

// tick moves time on, opening and closing office and working hours.
func (m *machine) tick(t *rapid.T) {
	m.now = m.now.Add(time.Duration(rapid.IntRange(1, 7).Draw(t, "hours")) * time.Hour)
}

// pick chooses, checks the choice against the model and the stated
// properties, applies it and counts the ticket as the store would.
func (m *machine) pick(t *rapid.T) {
	eligible := m.eligible()
	d := m.sys.Pick(m.now, m.inbox)
	want, i := m.md.decide(m.now, m.inbox)
	if diff := cmp.Diff(want, d); diff != "" {
		t.Fatalf("Pick (-want +got)\n%s", diff)
	}
	if d.Agent == "" {
		if err := m.sys.Apply(d); !errors.Is(err, assign.ErrNoChoice) {
			t.Fatalf("Apply(%+v) = %v, want ErrNoChoice", d, err)
		}
		return
	}
	if _, ok := slices.BinarySearch(eligible, d.Agent); !ok {
		t.Fatalf("chose %s, who is not eligible (eligible: %v)", d.Agent, eligible)
	}
	if err := m.sys.Apply(d); err != nil {
		t.Fatalf("Apply(%+v): %v", d, err)
	}
	m.md.apply(i)
	if rapid.Bool().Draw(t, "applyTwice") {
		if err := m.sys.Apply(d); !errors.Is(err, assign.ErrStale) {
			t.Fatalf("second Apply(%+v) = %v, want ErrStale", d, err)
		}
	}
	m.fair(t, eligible, d.Agent)
	mem := m.md.members[i]
	mem.Open++
	m.put(t, mem)
}

// joinBeforeApply lets a newcomer, online and without own hours, join
// between a Pick and its Apply: Apply must refuse the decision when the
// newcomer is now ahead in line, and accept it otherwise.
func (m *machine) joinBeforeApply(t *rapid.T) {
	d := m.sys.Pick(m.now, m.inbox)
	if d.Agent == "" {
		t.Skip("nobody chosen")
	}
	newcomer := m.newMember(t)
	newcomer.Presence, newcomer.Capacity, newcomer.Hours = assign.Online, 0, nil
	m.put(t, newcomer)
	i := m.index(d.Agent)
	err := m.sys.Apply(d)
	if turnLess(&newcomer, &m.md.members[i]) {
		if !errors.Is(err, assign.ErrStale) {
			t.Fatalf("Apply(%+v) with %s now ahead = %v, want ErrStale", d, newcomer.ID, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Apply(%+v) with %s behind: %v", d, newcomer.ID, err)
	}
	m.md.apply(i)
}

// fair checks that over the current run of choices among an unchanged
// eligible set of n agents, each got ⌊k/n⌋ or ⌈k/n⌉ of the k tickets.
func (m *machine) fair(t *rapid.T, eligible []string, chosen string) {
	if set := strings.Join(eligible, ","); set != m.runSet {
		m.runSet, m.runCounts = set, map[string]int{}
	}
	m.runCounts[chosen]++
	lo, hi := m.runCounts[eligible[0]], m.runCounts[eligible[0]]
	for _, id := range eligible {
		lo, hi = min(lo, m.runCounts[id]), max(hi, m.runCounts[id])
	}
	if hi-lo > 1 {
		t.Fatalf("unfair run over %v: counts %v", eligible, m.runCounts)
	}
}

// restore persists the rotation (members and Seq) and rebuilds a new one
// from it in any order; the next choice must be the same.
func (m *machine) restore(t *rapid.T) {
	before := m.sys.Pick(m.now, m.inbox)
	members := rapid.Permutation(m.sys.Members()).Draw(t, "order")
	seqFirst := rapid.Bool().Draw(t, "seqFirst")
	fresh := new(assign.Rotation)
	if seqFirst {
		fresh.SetSeq(m.sys.Seq())
	}
	for _, mem := range members {
		if err := fresh.Put(mem); err != nil {
			t.Fatalf("restoring Put(%+v): %v", mem, err)
		}
	}
	if !seqFirst {
		fresh.SetSeq(m.sys.Seq())
	}
	m.sys = fresh
	if diff := cmp.Diff(before, m.sys.Pick(m.now, m.inbox)); diff != "" {
		t.Fatalf("restoring changed the next choice (-before +after)\n%s", diff)
	}
}

// rollback makes a few changes as a transaction would, then undoes them the
// way an in-memory store does (put the old values back in reverse order,
// then the old Seq); the rotation must be exactly as before.
func (m *machine) rollback(t *rapid.T) {
	type saved struct {
		id      string
		old     assign.Member
		existed bool
	}
	beforeMembers, beforeSeq := m.sys.Members(), m.sys.Seq()
	before := m.sys.Pick(m.now, m.inbox)
	var log []saved
	save := func(id string) {
		old, ok := m.sys.Member(id)
		log = append(log, saved{id, old, ok})
	}
	for range rapid.IntRange(1, 6).Draw(t, "changes") {
		members := m.sys.Members()
		switch op := rapid.IntRange(0, 4).Draw(t, "op"); {
		case op == 0 && len(members) > 0:
			mem := rapid.SampledFrom(members).Draw(t, "changed")
			save(mem.ID)
			switch rapid.IntRange(0, 3).Draw(t, "field") {
			case 0:
				mem.Last = rapid.Uint64Range(0, m.sys.Seq()+3).Draw(t, "last")
			case 1:
				mem.Joined = rapid.Uint64Range(0, 8).Draw(t, "joined")
			case 2:
				mem.Presence = 1 - mem.Presence
			default:
				mem.Open = rapid.IntRange(0, 4).Draw(t, "open")
			}
			if err := m.sys.Put(mem); err != nil {
				t.Fatal(err)
			}
		case op == 1 && len(members) > 0:
			id := rapid.SampledFrom(members).Draw(t, "removed").ID
			save(id)
			m.sys.Remove(id)
		case op == 2:
			mem := m.newMember(t)
			save(mem.ID)
			if err := m.sys.Put(mem); err != nil {
				t.Fatal(err)
			}
		case op == 3:
			if d := m.sys.Pick(m.now, m.inbox); d.Agent != "" {
				save(d.Agent)
				if err := m.sys.Apply(d); err != nil {
					t.Fatal(err)
				}
			}
		default:
			m.sys.SetSeq(rapid.Uint64Range(0, m.sys.Seq()+3).Draw(t, "seq"))
		}
		if err := m.sys.CheckIndex(); err != nil {
			t.Fatalf("inside the transaction: %v", err)
		}
	}
	for _, s := range slices.Backward(log) {
		if !s.existed {
			m.sys.Remove(s.id)
		} else if err := m.sys.Put(s.old); err != nil {
			t.Fatalf("undo Put(%+v): %v", s.old, err)
		}
	}
	m.sys.SetSeq(beforeSeq)
	if diff := cmp.Diff(beforeMembers, m.sys.Members()); diff != "" {
		t.Fatalf("undo left members (-before +after)\n%s", diff)
	}
	if diff := cmp.Diff(before, m.sys.Pick(m.now, m.inbox)); diff != "" {
		t.Fatalf("undo changed the next choice (-before +after)\n%s", diff)
	}
}

// check compares the whole state with the model after every step.
func (m *machine) check(t *rapid.T) {
	if err := m.sys.CheckIndex(); err != nil {
		t.Fatal(err)
	}
	if m.sys.Seq() != m.md.seq {
		t.Fatalf("Seq() = %d, want %d", m.sys.Seq(), m.md.seq)
	}
	joined := slices.Clone(m.md.members)
	slices.SortFunc(joined, func(a, b assign.Member) int {
		if a.Joined != b.Joined {
			return int(a.Joined) - int(b.Joined)
		}
		return strings.Compare(a.ID, b.ID)
	})
	if diff := cmp.Diff(joined, m.sys.Members(), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("Members() (-want +got)\n%s", diff)
	}

	d, _ := m.md.decide(m.now, m.inbox)
	turn := slices.Clone(m.md.members)
	slices.SortFunc(turn, func(a, b assign.Member) int {
		if turnLess(&a, &b) {
			return -1
		}
		return 1
	})
	want := assign.Explanation{Decision: d, Candidates: make([]assign.Candidate, len(turn))}
	for i, x := range turn {
		v := assign.NotNext
		switch {
		case x.Presence != assign.Online:
			v = assign.AgentOffline
		case atCapacity(&x):
			v = assign.AtCapacity
		case !isOpen(m.inbox, m.now):
			v = assign.InboxClosed
		case !isOpen(x.Hours, m.now):
			v = assign.OutsideOwnHours
		case x.ID == d.Agent:
			v = assign.Chosen
		}
		want.Candidates[i] = assign.Candidate{Member: x, Verdict: v}
	}
	got := m.sys.Explain(m.now, m.inbox)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("Explain (-want +got)\n%s", diff)
	}
	if v := got.For("stranger"); v != assign.NotInPool {
		t.Fatalf("For(stranger) = %v, want not_in_pool", v)
	}
}

// TestRotationStateMachine runs random sequences of joins, leaves, presence
// and capacity changes, manual assignments, ticket closes, the passing of
// office and working hours, choices, persist-and-restore and rolled-back
// transactions against the plain-scan model.
func TestRotationStateMachine(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := &machine{sys: new(assign.Rotation), now: t0, inbox: drawHours.Draw(t, "inbox")}
		t.Repeat(map[string]func(*rapid.T){
			"join":            m.join,
			"leave":           m.leave,
			"presence":        m.presence,
			"capacity":        m.capacity,
			"closeTicket":     m.closeTicket,
			"manual":          m.manual,
			"tick":            m.tick,
			"pick":            m.pick,
			"joinBeforeApply": m.joinBeforeApply,
			"restore":         m.restore,
			"rollback":        m.rollback,
			"":                m.check,
		})
	})
}
