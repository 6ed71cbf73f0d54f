package assign

import "fmt"

// CheckIndex verifies the rotation's internal invariants: every level of the
// skip list is in turn order, holds exactly the nodes of that level and ends
// at its cached tail, and the counters and the index account for every member
// exactly once. Tests call it after every step.
func (r *Rotation) CheckIndex() error {
	x := &r.idx
	if x.head == nil {
		if x.size != 0 || x.tail != [maxLevel]*node{} {
			return fmt.Errorf("no head, but size %d and tails %v", x.size, x.tail)
		}
	} else {
		for i := range maxLevel {
			count, last := 0, x.head
			for n := x.head.next[i]; n != nil; last, n = n, n.next[i] {
				switch {
				case len(n.next) <= i:
					return fmt.Errorf("%q of level %d is linked at level %d", n.m.ID, len(n.next), i)
				case last != x.head && !before(&last.m, &n.m):
					return fmt.Errorf("%q is not after %q at level %d", n.m.ID, last.m.ID, i)
				case !n.m.available():
					return fmt.Errorf("%q is indexed but not available", n.m.ID)
				case r.members[n.m.ID] != n:
					return fmt.Errorf("indexed %q is not the member of that ID", n.m.ID)
				}
				count++
			}
			if x.tail[i] != last {
				return fmt.Errorf("tail of level %d is wrong", i)
			}
			if i == 0 && count != x.size {
				return fmt.Errorf("index size %d, but %d nodes", x.size, count)
			}
		}
	}
	offline, atCapacity := 0, 0
	for id, n := range r.members {
		switch {
		case n.m.ID != id:
			return fmt.Errorf("member %q is stored under %q", n.m.ID, id)
		case n.m.Presence != Online:
			offline++
		case n.m.atCapacity():
			atCapacity++
		default:
			continue
		}
		for i, next := range n.next {
			if next != nil {
				return fmt.Errorf("unindexed %q still links at level %d", n.m.ID, i)
			}
		}
	}
	if offline != r.offline || atCapacity != r.atCapacity || offline+atCapacity+x.size != len(r.members) {
		return fmt.Errorf("counters %d offline, %d at capacity, %d indexed for %d members; want %d offline, %d at capacity",
			r.offline, r.atCapacity, x.size, len(r.members), offline, atCapacity)
	}
	return nil
}
