package memstore

// maxItems is the most keys a B-tree node holds. With 16-byte keys a node is
// exactly 1 KiB.
const (
	maxItems = 63
	minItems = maxItems / 2
)

// btree is an ordered set of keys of type K, ordered by cmp. Keys are stored
// in the nodes' arrays (no pointer per key), which keeps an index entry at
// little more than the key's own size.
//
// A node that must split while a key is appended past the end (or
// prepended before the start) of the whole tree keeps every old key on one
// side, so the common case of an index where new entries go to one end (ticket
// numbers, or the most recent activity) fills its nodes instead of leaving
// them half empty; and search checks the ends of a node first. Appending
// costs less than prepending (nothing moves in the node), so an index read
// newest first keeps its keys in ascending order and is read with descend.
type btree[K any] struct {
	cmp  func(a, b K) int
	root *bnode[K]
	size int
}

// bnode is a node of a btree. kids comes first: the garbage collector
// scans an object up to its last pointer, so a node costs it two words
// rather than its whole array of keys (which hold no pointers).
type bnode[K any] struct {
	kids  *[maxItems + 1]*bnode[K] // nil in a leaf
	n     int
	items [maxItems]K
}

func (n *bnode[K]) leaf() bool { return n.kids == nil }

// search returns the index of the first item of n not below k (or, when
// after is true, the first item above k), and whether the item at that
// index equals k.
func (t *btree[K]) search(n *bnode[K], k K, after bool) (int, bool) {
	lo, hi := 0, n.n
	// Most keys are added at either end of the tree: check the ends first.
	switch {
	case hi == 0:
		return 0, false
	case t.cmp(n.items[hi-1], k) < 0:
		return hi, false
	case t.cmp(k, n.items[0]) < 0:
		return 0, false
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c := t.cmp(n.items[m], k); c < 0 || after && c == 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, !after && lo < n.n && t.cmp(n.items[lo], k) == 0
}

// insert adds k and reports whether it was absent. A key above every key
// goes straight into the last leaf when it has room: the last leaf holds the
// tree's largest keys, so no separator above it needs to change.
func (t *btree[K]) insert(k K) bool {
	if t.root == nil {
		t.root = &bnode[K]{}
	}
	if l := t.lastLeaf(); l.n > 0 && l.n < maxItems && t.cmp(l.items[l.n-1], k) < 0 {
		l.items[l.n] = k
		l.n++
		t.size++
		return true
	}
	if t.root.n == maxItems {
		old := t.root
		t.root = &bnode[K]{kids: new([maxItems + 1]*bnode[K])}
		t.root.kids[0] = old
		t.split(t.root, 0, k, true, true)
	}
	n, first, last := t.root, true, true
	for {
		i, found := t.search(n, k, false)
		if found {
			return false
		}
		if n.leaf() {
			copy(n.items[i+1:n.n+1], n.items[i:n.n])
			n.items[i] = k
			n.n++
			t.size++
			return true
		}
		first, last = first && i == 0, last && i == n.n
		if n.kids[i].n == maxItems {
			t.split(n, i, k, first, last)
			switch c := t.cmp(k, n.items[i]); {
			case c == 0:
				return false
			case c > 0:
				i++
				first = false
			default:
				last = false
			}
		}
		n = n.kids[i]
	}
}

// lastLeaf returns the rightmost leaf of the tree, whose root is not nil.
func (t *btree[K]) lastLeaf() *bnode[K] {
	n := t.root
	for !n.leaf() {
		n = n.kids[n.n]
	}
	return n
}

// split splits the full child i of p around one of its keys, which moves up
// into p. k is the key being inserted; first and last say whether the child
// is the tree's first or last node at its depth.
func (t *btree[K]) split(p *bnode[K], i int, k K, first, last bool) {
	c := p.kids[i]
	s := maxItems / 2
	if c.leaf() {
		switch {
		case last && t.cmp(k, c.items[maxItems-1]) > 0:
			s = maxItems - 1
		case first && t.cmp(k, c.items[0]) < 0:
			s = 0
		}
	}
	r := &bnode[K]{n: c.n - s - 1}
	copy(r.items[:], c.items[s+1:c.n])
	if !c.leaf() {
		r.kids = new([maxItems + 1]*bnode[K])
		copy(r.kids[:], c.kids[s+1:c.n+1])
		clear(c.kids[s+1 : c.n+1])
	}
	sep := c.items[s]
	clear(c.items[s:c.n])
	c.n = s
	copy(p.items[i+1:p.n+1], p.items[i:p.n])
	copy(p.kids[i+2:p.n+2], p.kids[i+1:p.n+1])
	p.items[i] = sep
	p.kids[i+1] = r
	p.n++
}

// delete removes k and reports whether it was present.
func (t *btree[K]) delete(k K) bool {
	if t.root == nil {
		return false
	}
	_, ok := t.remove(t.root, k, false)
	if ok {
		t.size--
	}
	return ok
}

// remove deletes k from the subtree n (or, when max is true, its largest
// key) and returns the key removed. Every node it descends into holds more
// than minItems keys first, so removal never leaves a node it must revisit.
func (t *btree[K]) remove(n *bnode[K], k K, max bool) (K, bool) {
	for {
		var i int
		var found bool
		if max {
			i = n.n
			if n.leaf() {
				i--
			}
		} else {
			i, found = t.search(n, k, false)
		}
		if n.leaf() {
			var zero K
			if !max && !found {
				return zero, false
			}
			out := n.items[i]
			copy(n.items[i:n.n-1], n.items[i+1:n.n])
			n.n--
			n.items[n.n] = zero
			return out, true
		}
		if n.kids[i].n <= minItems {
			t.grow(n, i)
			if n.n == 0 { // only the root can lose its last key: its two children merged
				t.root = n.kids[0]
				n = t.root
			}
			continue
		}
		if found {
			out := n.items[i]
			n.items[i], _ = t.remove(n.kids[i], k, true)
			return out, true
		}
		n = n.kids[i]
	}
}

// grow gives child i of n one more key, by moving one through n from a
// sibling that can spare it, or by merging the child with a sibling.
func (t *btree[K]) grow(n *bnode[K], i int) {
	c := n.kids[i]
	switch {
	case i > 0 && n.kids[i-1].n > minItems:
		l := n.kids[i-1]
		copy(c.items[1:c.n+1], c.items[:c.n])
		c.items[0] = n.items[i-1]
		if !c.leaf() {
			copy(c.kids[1:c.n+2], c.kids[:c.n+1])
			c.kids[0] = l.kids[l.n]
			l.kids[l.n] = nil
		}
		c.n++
		l.n--
		n.items[i-1] = l.items[l.n]
		var zero K
		l.items[l.n] = zero
	case i < n.n && n.kids[i+1].n > minItems:
		r := n.kids[i+1]
		c.items[c.n] = n.items[i]
		if !c.leaf() {
			c.kids[c.n+1] = r.kids[0]
			copy(r.kids[:r.n], r.kids[1:r.n+1])
			r.kids[r.n] = nil
		}
		c.n++
		n.items[i] = r.items[0]
		copy(r.items[:r.n-1], r.items[1:r.n])
		r.n--
		var zero K
		r.items[r.n] = zero
	default:
		if i == n.n {
			i--
		}
		l, r := n.kids[i], n.kids[i+1]
		l.items[l.n] = n.items[i]
		copy(l.items[l.n+1:], r.items[:r.n])
		if !l.leaf() {
			copy(l.kids[l.n+1:], r.kids[:r.n+1])
		}
		l.n += r.n + 1
		copy(n.items[i:n.n-1], n.items[i+1:n.n])
		copy(n.kids[i+1:n.n], n.kids[i+2:n.n+1])
		n.n--
		var zero K
		n.items[n.n] = zero
		n.kids[n.n+1] = nil
	}
}

// ascend calls fn on every key after *from in ascending order (on every key
// when from is nil), until fn returns false.
func (t *btree[K]) ascend(from *K, fn func(K) bool) {
	if t.root != nil {
		t.ascendNode(t.root, from, fn)
	}
}

func (t *btree[K]) ascendNode(n *bnode[K], from *K, fn func(K) bool) bool {
	i := 0
	if from != nil {
		i, _ = t.search(n, *from, true)
	}
	for ; i < n.n; i++ {
		if !n.leaf() && !t.ascendNode(n.kids[i], from, fn) {
			return false
		}
		if !fn(n.items[i]) {
			return false
		}
		from = nil
	}
	return n.leaf() || t.ascendNode(n.kids[n.n], from, fn)
}

// descend calls fn on every key before *before in descending order (on every
// key when before is nil), until fn returns false.
func (t *btree[K]) descend(before *K, fn func(K) bool) {
	if t.root != nil {
		t.descendNode(t.root, before, fn)
	}
}

func (t *btree[K]) descendNode(n *bnode[K], before *K, fn func(K) bool) bool {
	i := n.n
	if before != nil {
		i, _ = t.search(n, *before, false)
	}
	if !n.leaf() && !t.descendNode(n.kids[i], before, fn) {
		return false
	}
	for i--; i >= 0; i-- {
		if !fn(n.items[i]) || !n.leaf() && !t.descendNode(n.kids[i], nil, fn) {
			return false
		}
	}
	return true
}
