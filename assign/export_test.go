package assign

import "fmt"

// CheckIndex verifies the rotation's internal invariants: the treap's links,
// heap order, turn order and cached ends, and that the counters and the index
// account for every member exactly once. Tests call it after every step.
func (r *Rotation) CheckIndex() error {
	x := &r.idx
	if x.root != nil && x.root.parent != nil {
		return fmt.Errorf("root %q has a parent", x.root.m.ID)
	}
	var order []*node
	var walk func(n *node) error
	walk = func(n *node) error {
		if n == nil {
			return nil
		}
		for _, c := range n.kid {
			if c == nil {
				continue
			}
			if c.parent != n {
				return fmt.Errorf("%q's child %q points to another parent", n.m.ID, c.m.ID)
			}
			if c.prio > n.prio {
				return fmt.Errorf("%q has a higher priority than its parent %q", c.m.ID, n.m.ID)
			}
		}
		if err := walk(n.kid[0]); err != nil {
			return err
		}
		order = append(order, n)
		return walk(n.kid[1])
	}
	if err := walk(x.root); err != nil {
		return err
	}
	if len(order) != x.size {
		return fmt.Errorf("index size %d, but %d nodes", x.size, len(order))
	}
	for i, n := range order {
		if i > 0 && cmpTurn(&order[i-1].m, &n.m) >= 0 {
			return fmt.Errorf("%q is not after %q in turn order", n.m.ID, order[i-1].m.ID)
		}
		if !n.m.available() {
			return fmt.Errorf("%q is indexed but not available", n.m.ID)
		}
		if r.members[n.m.ID] != n {
			return fmt.Errorf("indexed %q is not the member of that ID", n.m.ID)
		}
	}
	var first, last *node
	if len(order) > 0 {
		first, last = order[0], order[len(order)-1]
	}
	if x.end[0] != first || x.end[1] != last {
		return fmt.Errorf("cached ends are wrong")
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
		}
	}
	if offline != r.offline || atCapacity != r.atCapacity || offline+atCapacity+x.size != len(r.members) {
		return fmt.Errorf("counters %d offline, %d at capacity, %d indexed for %d members; want %d offline, %d at capacity",
			r.offline, r.atCapacity, x.size, len(r.members), offline, atCapacity)
	}
	return nil
}
