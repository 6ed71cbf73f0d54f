package assign

import (
	"cmp"
	"strings"
)

// node holds one member of a Rotation. While the member is online and under
// capacity the node is also linked into the rotation's index.
type node struct {
	m      Member
	kid    [2]*node // kid[0] is the left (earlier) child, kid[1] the right
	parent *node
	prio   uint64 // treap priority: a parent's is never lower than its children's
}

// index is a treap of the members who are online and under capacity, in turn
// order (see cmpTurn), with its first and last node cached so that the
// steady-state round robin (take the first, put it back as the last) costs
// O(1) expected.
type index struct {
	root *node
	end  [2]*node // end[0] is the first node in turn order, end[1] the last
	size int
	rng  uint64 // splitmix64 state for priorities
}

// cmpTurn orders members by turn: oldest last automatic assignment first
// (never assigned, Last 0, before all), then join order, then ID.
func cmpTurn(a, b *Member) int {
	if c := cmp.Compare(a.Last, b.Last); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Joined, b.Joined); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// nextPrio returns a pseudo-random priority for a new node. Priorities only
// shape the tree; no choice depends on them.
func (x *index) nextPrio() uint64 {
	x.rng += 0x9e3779b97f4a7c15
	z := x.rng
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// step returns the node after n in turn order when d is 1, the node before
// it when d is 0, or nil at the end.
func step(n *node, d int) *node {
	if c := n.kid[d]; c != nil {
		for c.kid[1-d] != nil {
			c = c.kid[1-d]
		}
		return c
	}
	for n.parent != nil && n == n.parent.kid[d] {
		n = n.parent
	}
	return n.parent
}

// insert links n, which is not in the index, by its member's turn.
func (x *index) insert(n *node) {
	x.size++
	if x.root == nil {
		x.root, x.end = n, [2]*node{n, n}
		return
	}
	var p *node
	var d int
	switch {
	case cmpTurn(&x.end[1].m, &n.m) < 0: // the steady state: to the back of the line
		p, d = x.end[1], 1
		x.end[1] = n
	case cmpTurn(&n.m, &x.end[0].m) < 0:
		p, d = x.end[0], 0
		x.end[0] = n
	default:
		for p = x.root; ; p = p.kid[d] {
			d = 0
			if cmpTurn(&p.m, &n.m) < 0 {
				d = 1
			}
			if p.kid[d] == nil {
				break
			}
		}
	}
	p.kid[d], n.parent = n, p
	for n.parent != nil && n.prio > n.parent.prio {
		x.rotateUp(n)
	}
}

// delete unlinks n, which is in the index.
func (x *index) delete(n *node) {
	x.size--
	for d, e := range x.end {
		if e == n {
			x.end[d] = step(n, 1-d)
		}
	}
	for n.kid[0] != nil && n.kid[1] != nil {
		c := n.kid[0]
		if n.kid[1].prio > c.prio {
			c = n.kid[1]
		}
		x.rotateUp(c)
	}
	child := n.kid[0]
	if child == nil {
		child = n.kid[1]
	}
	if child != nil {
		child.parent = n.parent
	}
	x.replace(n.parent, n, child)
	n.kid, n.parent = [2]*node{}, nil
}

// rotateUp makes n take its parent's place, keeping the turn order.
func (x *index) rotateUp(n *node) {
	p := n.parent
	d := 0
	if n == p.kid[1] {
		d = 1
	}
	p.kid[d] = n.kid[1-d]
	if p.kid[d] != nil {
		p.kid[d].parent = p
	}
	n.kid[1-d] = p
	n.parent = p.parent
	p.parent = n
	x.replace(n.parent, p, n)
}

// replace puts new where old was under parent (nil parent: the root).
func (x *index) replace(parent, old, new *node) {
	switch {
	case parent == nil:
		x.root = new
	case parent.kid[0] == old:
		parent.kid[0] = new
	default:
		parent.kid[1] = new
	}
}
