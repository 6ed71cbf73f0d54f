package assign_test

import (
	"time"

	"github.com/routedesk/routedesk/assign"
)

// fixed is Hours that are always open (true) or always closed (false).
type fixed bool

func (f fixed) IsOpen(time.Time) bool { return bool(f) }

// cycle is Hours over a 32-hour cycle: open during hour i of the cycle (hours
// since the Unix epoch, modulo 32) when bit i is set.
type cycle uint32

func (c cycle) IsOpen(t time.Time) bool { return c>>(uint64(t.Unix()/3600)%32)&1 == 1 }

// t0 is the start time of the tests; any time works with fixed hours.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// model is the specification of a rotation: a plain slice of members scanned
// on every choice.
type model struct {
	seq     uint64
	members []assign.Member
}

// turnLess orders members by turn: Last, then Joined, then ID.
func turnLess(a, b *assign.Member) bool {
	if a.Last != b.Last {
		return a.Last < b.Last
	}
	if a.Joined != b.Joined {
		return a.Joined < b.Joined
	}
	return a.ID < b.ID
}

func isOpen(h assign.Hours, now time.Time) bool { return h == nil || h.IsOpen(now) }

func atCapacity(m *assign.Member) bool { return m.Capacity > 0 && m.Open >= m.Capacity }

// decide chooses as the package documents it, by linear scan, and returns
// the decision and the index of the chosen member (-1 for nobody).
func (md *model) decide(now time.Time, inbox assign.Hours) (assign.Decision, int) {
	d := assign.Decision{Seq: md.seq}
	chosen, available, outside := -1, 0, false
	for i := range md.members {
		m := &md.members[i]
		switch {
		case m.Presence != assign.Online:
			d.Offline++
		case atCapacity(m):
			d.AtCapacity++
		case !isOpen(m.Hours, now):
			available++
			outside = true
		default:
			available++
			if chosen < 0 || turnLess(m, &md.members[chosen]) {
				chosen = i
			}
		}
	}
	if !isOpen(inbox, now) {
		return assign.Decision{Seq: md.seq, Closed: true, Offline: d.Offline, AtCapacity: d.AtCapacity}, -1
	}
	for i := 0; outside && i < len(md.members); i++ {
		m := &md.members[i]
		if m.Presence == assign.Online && !atCapacity(m) && !isOpen(m.Hours, now) &&
			(chosen < 0 || turnLess(m, &md.members[chosen])) {
			d.OutsideHours++
		}
	}
	d.Eligible = available - d.OutsideHours
	if chosen >= 0 {
		d.Agent = md.members[chosen].ID
	}
	return d, chosen
}

// apply records an automatic assignment to member i.
func (md *model) apply(i int) {
	md.seq++
	md.members[i].Last = md.seq
}
