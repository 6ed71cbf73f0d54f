package assign

import (
	"strconv"
	"strings"
)

// Decision is what [Rotation.Pick] decided: the chosen agent, or why nobody
// was chosen, with the counts behind its compact [Decision.Reason]. It is a
// plain comparable value, meant to be stored with the ticket's history (its
// JSON form, in the events that carry it, names the fields in snake_case and
// leaves out the counts of zero but Eligible). The zero Decision chose nobody
// from an empty pool.
type Decision struct {
	// Agent is the ID of the chosen agent; empty when nobody was chosen.
	Agent string `json:"agent,omitempty"`
	// Closed reports that the inbox was outside its office hours, so nobody
	// was chosen.
	Closed bool `json:"closed,omitempty"`
	// Seq is the pool's sequence number when the decision was made; Apply
	// refuses the decision once it has moved.
	Seq uint64 `json:"seq"`
	// Eligible counts the members who were online and under capacity and not
	// found outside their own hours (members behind the chosen one are not
	// checked against their own hours). 0 when Closed.
	Eligible int `json:"eligible"`
	// Offline counts the members who were offline.
	Offline int `json:"offline,omitempty"`
	// AtCapacity counts the online members who were at their capacity.
	AtCapacity int `json:"at_capacity,omitempty"`
	// OutsideHours counts the members skipped as outside their own working
	// hours: those ahead of the chosen one, or all of them when nobody was
	// chosen. 0 when Closed.
	OutsideHours int `json:"outside_hours,omitempty"`
}

// Reason formats the compact reason of the decision, for example
// "round robin: least recently assigned of 37 eligible; 5 offline, 2 at
// capacity", "inbox closed: outside office hours", or "no eligible agent: 3
// offline, 1 at capacity". Counts of zero are left out.
func (d Decision) Reason() string {
	if d.Closed {
		return "inbox closed: outside office hours"
	}
	var b strings.Builder
	if d.Agent != "" {
		b.WriteString("round robin: least recently assigned of ")
		b.WriteString(strconv.Itoa(d.Eligible))
		b.WriteString(" eligible")
	} else {
		b.WriteString("no eligible agent")
	}
	sep := "; "
	if d.Agent == "" {
		sep = ": "
	}
	for _, c := range [...]struct {
		n    int
		what string
	}{{d.Offline, " offline"}, {d.AtCapacity, " at capacity"}, {d.OutsideHours, " outside their hours"}} {
		if c.n != 0 {
			b.WriteString(sep)
			b.WriteString(strconv.Itoa(c.n))
			b.WriteString(c.what)
			sep = ", "
		}
	}
	if d.Agent == "" && sep == ": " {
		b.WriteString(": the pool is empty")
	}
	return b.String()
}
