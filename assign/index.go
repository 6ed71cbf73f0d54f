package assign

import "math/bits"

// maxLevel bounds the levels of the skip list; with a quarter of the nodes
// of each level promoted to the next, 16 levels serve 4^16 members.
const maxLevel = 16

// node holds one member of a Rotation. While the member is online and under
// capacity the node is also linked into the rotation's index.
type node struct {
	next   []*node  // next[i] follows the node at level i; len(next) is its level
	inline [2]*node // next's storage for the 15 nodes in 16 whose level is 1 or 2
	m      Member
}

// index is a skip list of the members who are online and under capacity, in
// turn order (see before). It keeps the last node of every level, so that the
// steady-state round robin (take the first, put it back as the last)
// searches nothing and rewrites a few pointers per level of the node moved
// (4/3 levels on average).
type index struct {
	head *node           // sentinel: head.next[i] is the first node at level i
	tail [maxLevel]*node // tail[i] is the last node at level i, or head
	size int
	rng  uint64 // splitmix64 state for levels
}

// before reports whether a's turn comes before b's: oldest last automatic
// assignment first (never assigned, Last 0, before all), then join order,
// then ID.
func before(a, b *Member) bool {
	if a.Last != b.Last {
		return a.Last < b.Last
	}
	if a.Joined != b.Joined {
		return a.Joined < b.Joined
	}
	return a.ID < b.ID
}

// newNode returns an unlinked node of a pseudo-random level: level k+1 with
// probability 3/4^(k+1). Levels only shape the list; no choice depends on them.
func (x *index) newNode() *node {
	x.rng += 0x9e3779b97f4a7c15
	z := x.rng
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	n := new(node)
	if level := min(1+bits.TrailingZeros64(z)/2, maxLevel); level <= len(n.inline) {
		n.next = n.inline[:level]
	} else {
		n.next = make([]*node, level)
	}
	return n
}

// first returns the first node in turn order, or nil.
func (x *index) first() *node {
	if x.head == nil {
		return nil
	}
	return x.head.next[0]
}

// insert links n, which is not in the index, by its member's turn.
func (x *index) insert(n *node) {
	if x.head == nil {
		x.head = &node{next: make([]*node, maxLevel)}
		for i := range x.tail {
			x.tail[i] = x.head
		}
	}
	x.size++
	if t := x.tail[0]; t == x.head || before(&t.m, &n.m) { // the steady state: to the back of the line
		for i := range n.next {
			x.tail[i].next[i], x.tail[i] = n, n
		}
		return
	}
	var pred [maxLevel]*node
	x.search(&n.m, &pred)
	for i := range n.next {
		n.next[i], pred[i].next[i] = pred[i].next[i], n
		if n.next[i] == nil {
			x.tail[i] = n
		}
	}
}

// delete unlinks n, which is in the index.
func (x *index) delete(n *node) {
	x.size--
	if n == x.head.next[0] { // the steady state: n is first at every level it has
		for i := range n.next {
			x.unlink(i, x.head, n)
		}
		return
	}
	var pred [maxLevel]*node
	x.search(&n.m, &pred)
	for i := range n.next {
		x.unlink(i, pred[i], n)
	}
}

// unlink takes n out of level i, where p precedes it.
func (x *index) unlink(i int, p, n *node) {
	p.next[i] = n.next[i]
	if x.tail[i] == n {
		x.tail[i] = p
	}
	n.next[i] = nil
}

// search sets pred[i] to the last node at level i whose turn comes before m.
func (x *index) search(m *Member, pred *[maxLevel]*node) {
	p := x.head
	for i := maxLevel - 1; i >= 0; i-- {
		for q := p.next[i]; q != nil && before(&q.m, m); q = p.next[i] {
			p = q
		}
		pred[i] = p
	}
}
