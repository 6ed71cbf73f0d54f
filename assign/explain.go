package assign

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verdict says why an agent was chosen or passed over for a ticket. The zero
// value is not a valid verdict.
type Verdict uint8

// The verdicts. [Rotation.Explain] gives each member the first of them that
// fits, in this order; [NotInPool] is only for agents who are not members.
const (
	// AgentOffline: the member is offline.
	AgentOffline Verdict = iota + 1
	// AtCapacity: the member has a capacity cap and as many open tickets.
	AtCapacity
	// InboxClosed: the inbox was outside its office hours, so nobody was
	// chosen.
	InboxClosed
	// OutsideOwnHours: the member is outside their own working hours.
	OutsideOwnHours
	// Chosen: the member is the eligible one whose last automatic assignment
	// is oldest.
	Chosen
	// NotNext: the member is eligible, but another was next in line.
	NotNext
	// NotInPool: the agent is not a member of the pool.
	NotInPool
)

var verdictNames = []string{
	AgentOffline:    "offline",
	AtCapacity:      "at_capacity",
	InboxClosed:     "inbox_closed",
	OutsideOwnHours: "outside_hours",
	Chosen:          "chosen",
	NotNext:         "not_next",
	NotInPool:       "not_in_pool",
}

// Valid reports whether v is one of the named verdicts.
func (v Verdict) Valid() bool { return v >= AgentOffline && v <= NotInPool }

// String returns the verdict's text form ("offline", "at_capacity",
// "inbox_closed", "outside_hours", "chosen", "not_next" or "not_in_pool"), and
// "invalid verdict(N)" for anything else.
func (v Verdict) String() string { return nameOf(verdictNames, uint8(v), "verdict") }

// MarshalText encodes v as its String form. An invalid verdict is an error
// matching [ErrUnknown].
func (v Verdict) MarshalText() ([]byte, error) {
	return marshalName(verdictNames, uint8(v), "verdict")
}

// UnmarshalText decodes the text form of a verdict (exactly, in lower case).
// Anything else is an error matching [ErrUnknown] and leaves v unchanged.
func (v *Verdict) UnmarshalText(text []byte) error {
	x, err := parseName(verdictNames, text, "verdict")
	if err == nil {
		*v = Verdict(x)
	}
	return err
}

// Candidate is one member of the pool and the verdict on them.
type Candidate struct {
	Member  Member  // the member as the rotation holds them
	Verdict Verdict // why they were chosen or passed over
}

// String describes the candidate in one line for a person, e.g.
// "dana: chosen, least recently assigned (last automatic assignment #3)".
func (c Candidate) String() string {
	m := &c.Member
	last := "never assigned automatically"
	if m.Last != 0 {
		last = fmt.Sprintf("last automatic assignment #%d", m.Last)
	}
	var why string
	switch c.Verdict {
	case AgentOffline:
		why = "offline"
	case AtCapacity:
		why = fmt.Sprintf("at capacity (%d of %d open)", m.Open, m.Capacity)
	case InboxClosed:
		why = "not chosen, the inbox is closed"
	case OutsideOwnHours:
		why = "outside their own working hours"
	case Chosen:
		why = "chosen, least recently assigned (" + last + ")"
	case NotNext:
		why = "eligible but not next (" + last + ")"
	default:
		why = c.Verdict.String()
	}
	return m.ID + ": " + why
}

// Explanation is the full account of a decision: the decision itself and the
// verdict on every member.
type Explanation struct {
	// Decision is what Pick decides in the same state.
	Decision Decision
	// Candidates lists every member in turn order: least recently assigned
	// first (never assigned before all), then join order, then ID. The
	// chosen member is the first whose verdict is not a reason to pass over.
	Candidates []Candidate
}

// For returns the verdict on the agent with the given ID, or [NotInPool]
// when the agent is not a member. It costs O(members).
func (e Explanation) For(agentID string) Verdict {
	i := slices.IndexFunc(e.Candidates, func(c Candidate) bool { return c.Member.ID == agentID })
	if i < 0 {
		return NotInPool
	}
	return e.Candidates[i].Verdict
}

// String formats the explanation for a person: the decision's reason, then
// one line per candidate in turn order.
func (e Explanation) String() string {
	var b strings.Builder
	b.WriteString(e.Decision.Reason())
	for _, c := range e.Candidates {
		b.WriteString("\n  ")
		b.WriteString(c.String())
	}
	return b.String()
}

// Explain decides as [Rotation.Pick] does and lists every member with the
// verdict on them, evaluating everyone's own hours. It does not change the
// rotation. It costs O(n log n) for n members and allocates the list.
func (r *Rotation) Explain(now time.Time, inbox Hours) Explanation {
	d := r.Pick(now, inbox)
	ms := r.collect()
	slices.SortFunc(ms, func(a, b Member) int { return turnCmp(&a, &b) })
	cs := make([]Candidate, len(ms))
	for i, m := range ms {
		cs[i] = Candidate{Member: m, Verdict: verdict(&m, d, now)}
	}
	return Explanation{Decision: d, Candidates: cs}
}

// verdict returns the verdict on member m under decision d made at now.
func verdict(m *Member, d Decision, now time.Time) Verdict {
	switch {
	case m.Presence != Online:
		return AgentOffline
	case m.atCapacity():
		return AtCapacity
	case d.Closed:
		return InboxClosed
	case m.ID == d.Agent:
		return Chosen
	case !m.inHours(now):
		return OutsideOwnHours
	default:
		return NotNext
	}
}

// turnCmp is before as a three-way comparison, for sorting.
func turnCmp(a, b *Member) int {
	switch {
	case before(a, b):
		return -1
	case before(b, a):
		return 1
	}
	return 0
}
