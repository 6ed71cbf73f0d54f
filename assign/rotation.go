package assign

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Hours is a set of open hours: the inbox's office hours, or an agent's own
// working hours. *officehours.Schedule is the usual implementation. A nil
// Hours means "always open".
type Hours interface {
	// IsOpen reports whether t falls inside the hours. It must be a pure
	// function of t (no side effects, the same answer for the same instant on
	// every replica) and must not panic.
	IsOpen(t time.Time) bool
}

// Member is one agent of a pool as the rotation sees them.
//
// ID, Joined and Last are the rotation state a store persists (with the
// pool's [Rotation.Seq]); Presence, Open, Capacity and Hours are the agent's
// live attributes, which the store supplies from the agent's record and keeps
// up to date with [Rotation.Put].
type Member struct {
	// ID identifies the agent. It must not be empty.
	ID string
	// Joined is the member's join order, assigned by the caller (usually a
	// per-pool counter). Members never assigned automatically take their
	// first turns in Joined order; equal Joined values are ordered by ID.
	Joined uint64
	// Last is the pool sequence number of the member's last automatic
	// assignment; 0 means never. Only [Rotation.Apply] advances it.
	Last uint64

	// Presence: only Online members receive automatic assignments.
	Presence Presence
	// Open is the number of open tickets assigned to the member, by any
	// means. It must not be negative.
	Open int
	// Capacity caps Open for automatic assignment: the member is eligible
	// only while Open < Capacity. 0 means no cap; it must not be negative.
	Capacity int
	// Hours are the member's own working hours, checked in addition to the
	// inbox's office hours; nil means none (always available).
	Hours Hours
}

// validate reports why m cannot be stored, if it cannot.
func (m *Member) validate() error {
	var problem string
	switch {
	case m.ID == "":
		problem = "empty ID"
	case !m.Presence.Valid():
		problem = m.Presence.String()
	case m.Open < 0:
		problem = fmt.Sprintf("negative open ticket count %d", m.Open)
	case m.Capacity < 0:
		problem = fmt.Sprintf("negative capacity %d", m.Capacity)
	default:
		return nil
	}
	return &MemberError{ID: m.ID, Problem: problem}
}

// atCapacity reports whether m has a cap and has reached it.
func (m *Member) atCapacity() bool { return m.Capacity > 0 && m.Open >= m.Capacity }

// available reports whether m is online and under capacity: whether m is in
// the index.
func (m *Member) available() bool { return m.Presence == Online && !m.atCapacity() }

// inHours reports whether m's own hours, if any, are open at now.
func (m *Member) inHours(now time.Time) bool { return m.Hours == nil || m.Hours.IsOpen(now) }

// Rotation is the round-robin state of one pool of agents and the index that
// makes [Rotation.Pick] cost O(1) plus the members it skips. Its zero value is
// an empty pool with Seq 0.
//
// A Rotation is not safe for concurrent use with its writes (Put, Remove,
// Apply, SetSeq), and must not be copied after first use. Its reads (Seq,
// Member, Members, Pick, Explain) write nothing: any number may run at once,
// as a store's readers of one snapshot do.
type Rotation struct {
	seq        uint64
	members    map[string]*node
	recent     *node // the member written last, checked first (see find)
	offline    int   // members not online
	atCapacity int   // online members at capacity
	idx        index
}

// Seq returns the pool sequence number: the number of the latest automatic
// assignment (0 before any).
func (r *Rotation) Seq() uint64 { return r.seq }

// SetSeq sets the pool sequence number, as a store does when it restores a
// persisted rotation or undoes a rolled-back transaction. It changes nothing
// else; for a fair rotation seq should be at least every member's Last.
func (r *Rotation) SetSeq(seq uint64) { r.seq = seq }

// Put inserts m, or replaces the member with m's ID, all fields. A store calls
// it when an agent joins the pool, when the agent's presence, open-ticket
// count, capacity or hours change, and to restore persisted state or undo a
// rolled-back change. Putting back a Member value obtained from the rotation
// restores that member exactly.
//
// Put refuses a member with an empty ID, an invalid Presence, or a negative
// Open or Capacity with a [*MemberError] and changes nothing.
func (r *Rotation) Put(m Member) error {
	if err := m.validate(); err != nil {
		return err
	}
	n := r.find(m.ID)
	switch {
	case n == nil:
		if r.members == nil {
			r.members = make(map[string]*node)
		}
		n = r.idx.newNode()
		r.members[m.ID] = n
	case n.m.available() && m.available() && n.m.Last == m.Last && n.m.Joined == m.Joined:
		n.m = m // same place in line
		r.recent = n
		return nil
	default:
		r.unlink(n)
	}
	n.m = m
	r.link(n)
	r.recent = n
	return nil
}

// Remove takes the member with the given ID out of the pool. Removing an
// agent who is not a member does nothing.
func (r *Rotation) Remove(id string) {
	if n := r.find(id); n != nil {
		r.unlink(n)
		delete(r.members, id)
		r.recent = nil
	}
}

// find returns the node of the member with the given ID, or nil. It checks
// the member written last and the first in line before the map: a store's
// writes for one new ticket ask for the one Pick chose (to keep it for
// undo, to apply the decision, to count the ticket), and a string
// comparison costs less than a map lookup. find writes nothing, so that the
// reads (Member, Pick) stay safe for concurrent use by the readers of a
// store's snapshot; Put and Apply set recent.
func (r *Rotation) find(id string) *node {
	if n := r.recent; n != nil && n.m.ID == id {
		return n
	}
	if n := r.idx.first(); n != nil && n.m.ID == id {
		return n
	}
	return r.members[id]
}

// link counts n's member or puts them in the index.
func (r *Rotation) link(n *node) {
	switch {
	case n.m.Presence != Online:
		r.offline++
	case n.m.atCapacity():
		r.atCapacity++
	default:
		r.idx.insert(n)
	}
}

// unlink undoes link(n) for n's current member.
func (r *Rotation) unlink(n *node) {
	switch {
	case n.m.Presence != Online:
		r.offline--
	case n.m.atCapacity():
		r.atCapacity--
	default:
		r.idx.delete(n)
	}
}

// Member returns the member with the given ID and whether there is one.
func (r *Rotation) Member(id string) (Member, bool) {
	if n := r.find(id); n != nil {
		return n.m, true
	}
	return Member{}, false
}

// Members returns every member in join order (Joined, then ID): the order
// in which a store persists or lists them. The slice is new on each call.
func (r *Rotation) Members() []Member {
	ms := r.collect()
	slices.SortFunc(ms, func(a, b Member) int {
		return cmp.Or(cmp.Compare(a.Joined, b.Joined), strings.Compare(a.ID, b.ID))
	})
	return ms
}

// collect returns every member, in no particular order.
func (r *Rotation) collect() []Member {
	ms := make([]Member, 0, len(r.members))
	for n := range maps.Values(r.members) {
		ms = append(ms, n.m)
	}
	return ms
}

// Pick decides who gets the next automatic assignment at now, given the
// inbox's office hours (nil: always open), without changing the rotation.
//
// When the inbox is closed nobody is chosen and the decision says so.
// Otherwise Pick walks the members who are online and under capacity in turn
// order (least recently assigned first, never assigned before all, then join
// order, then ID), skips those outside their own hours, and chooses the first
// of the rest; when there is none, the decision chose nobody and its counts
// say why. Pick costs O(1) plus the number of members skipped, and allocates
// nothing. Record the choice with [Rotation.Apply].
func (r *Rotation) Pick(now time.Time, inbox Hours) Decision {
	if inbox != nil && !inbox.IsOpen(now) {
		return Decision{Closed: true, Seq: r.seq, Offline: r.offline, AtCapacity: r.atCapacity}
	}
	skipped, agent := 0, ""
	n := r.idx.first()
	for ; n != nil && !n.m.inHours(now); n = n.next[0] {
		skipped++
	}
	if n != nil {
		agent = n.m.ID
	}
	// One literal, not a local filled in field by field: copying such a
	// local into the result costs a store-forwarding stall on every call.
	return Decision{
		Agent: agent, Seq: r.seq, Eligible: r.idx.size - skipped,
		Offline: r.offline, AtCapacity: r.atCapacity, OutsideHours: skipped,
	}
}

// Apply records the automatic assignment that d, a decision of
// [Rotation.Pick] on this rotation, made: Seq advances by one and the chosen
// member's Last becomes the new Seq, which sends them to the back of the line.
// Apply does not count the ticket: the store updates the member's Open with
// [Rotation.Put] when it records the assignment.
//
// Apply changes nothing and returns an error matching [ErrNoChoice] when d
// chose nobody; a [*StaleError] when Seq moved since d was made, when the
// chosen agent is no longer a member, online and under capacity, or when a
// member without own hours is now ahead of them; and [ErrSeqExhausted] when
// Seq cannot advance. Apply cannot recheck hours: apply a decision in the
// same transaction as the Pick that made it. In the steady state (the chosen
// member is first in line) Apply costs O(1) expected and allocates nothing.
func (r *Rotation) Apply(d Decision) error {
	if d.Agent == "" || d.Closed {
		return fmt.Errorf("%w: %s", ErrNoChoice, d.Reason())
	}
	if d.Seq != r.seq {
		return stale(d, fmt.Sprintf("the pool's sequence number is now %d", r.seq))
	}
	n := r.idx.first()
	if n == nil || n.m.ID != d.Agent {
		n = r.find(d.Agent)
		switch {
		case n == nil:
			return stale(d, "the agent is no longer a member")
		case n.m.Presence != Online:
			return stale(d, "the agent is now offline")
		case n.m.atCapacity():
			return stale(d, "the agent is now at capacity")
		}
		for p := r.idx.first(); p != n; p = p.next[0] {
			if p.m.Hours == nil {
				return stale(d, fmt.Sprintf("%q is now ahead in line", p.m.ID))
			}
		}
	}
	if r.seq == math.MaxUint64 {
		return ErrSeqExhausted
	}
	r.idx.delete(n)
	r.seq++
	n.m.Last = r.seq
	r.idx.insert(n)
	r.recent = n
	return nil
}

// stale returns a *StaleError for d.
func stale(d Decision, problem string) error {
	return &StaleError{Agent: d.Agent, Seq: d.Seq, Problem: problem}
}
