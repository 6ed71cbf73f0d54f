package memstore

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// check verifies the B-tree's shape: keys in order, every leaf at the same
// depth, every node within its capacity, every internal node but the root
// with at least one key, and the size; it returns the keys in order.
func (t *btree[K]) check(tb fataler) []K {
	tb.Helper()
	var keys []K
	depth := -1
	var walk func(n *bnode[K], d int)
	walk = func(n *bnode[K], d int) {
		if n.n > maxItems || n.n < 0 {
			tb.Fatalf("node with %d keys", n.n)
		}
		if n.leaf() {
			if depth == -1 {
				depth = d
			} else if depth != d {
				tb.Fatalf("leaves at depths %d and %d", depth, d)
			}
			keys = append(keys, n.items[:n.n]...)
			return
		}
		if n.n == 0 {
			tb.Fatalf("internal node without keys at depth %d", d)
		}
		for i := 0; i <= n.n; i++ {
			walk(n.kids[i], d+1)
			if i < n.n {
				keys = append(keys, n.items[i])
			}
		}
	}
	if t.root != nil {
		walk(t.root, 0)
	}
	for i := 1; i < len(keys); i++ {
		if t.cmp(keys[i-1], keys[i]) >= 0 {
			tb.Fatalf("keys out of order at %d: %v, %v", i, keys[i-1], keys[i])
		}
	}
	if len(keys) != t.size {
		tb.Fatalf("size %d, but %d keys", t.size, len(keys))
	}
	return keys
}

// fataler is what testing.TB and *rapid.T have in common that the checks use.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func compareInts(a, b int) int { return a - b }

var cmpEmpty = cmpopts.EquateEmpty()

func TestBtreeModel(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		tree := btree[int]{cmp: compareInts}
		var model []int // sorted
		// A small key range makes hits and misses both common; a run of
		// increasing or decreasing keys exercises the skewed splits.
		key := rapid.IntRange(0, 400)
		rt.Repeat(map[string]func(*rapid.T){
			"insert": func(rt *rapid.T) {
				k := key.Draw(rt, "k")
				i, found := slices.BinarySearch(model, k)
				if got := tree.insert(k); got == found {
					rt.Fatalf("insert(%d) = %v with the key present: %v", k, got, found)
				}
				if !found {
					model = slices.Insert(model, i, k)
				}
			},
			"run": func(rt *rapid.T) {
				start, n := key.Draw(rt, "start"), rapid.IntRange(1, 150).Draw(rt, "n")
				step := rapid.SampledFrom([]int{1, -1}).Draw(rt, "step")
				for k := start; n > 0; k, n = k+step, n-1 {
					if tree.insert(k) {
						i, _ := slices.BinarySearch(model, k)
						model = slices.Insert(model, i, k)
					}
				}
			},
			"delete": func(rt *rapid.T) {
				k := key.Draw(rt, "k")
				if len(model) > 0 && rapid.Bool().Draw(rt, "present") {
					k = rapid.SampledFrom(model).Draw(rt, "present k")
				}
				i, found := slices.BinarySearch(model, k)
				if got := tree.delete(k); got != found {
					rt.Fatalf("delete(%d) = %v, want %v", k, got, found)
				}
				if found {
					model = slices.Delete(model, i, i+1)
				}
			},
			"walk": func(rt *rapid.T) {
				// Ascend from a key, or descend from it, or walk all keys.
				down := rapid.Bool().Draw(rt, "descend")
				var bound *int
				want := slices.Clone(model)
				if rapid.Bool().Draw(rt, "bounded") {
					k := key.Draw(rt, "bound")
					bound = &k
					i, found := slices.BinarySearch(model, k)
					switch {
					case down:
						want = want[:i]
					case found:
						want = want[i+1:]
					default:
						want = want[i:]
					}
				}
				walk := tree.ascend
				if down {
					walk = tree.descend
					slices.Reverse(want)
				}
				limit := rapid.IntRange(1, 200).Draw(rt, "limit")
				want = want[:min(limit, len(want))]
				var got []int
				walk(bound, func(k int) bool {
					got = append(got, k)
					return len(got) < limit
				})
				if !slices.Equal(want, got) {
					rt.Fatalf("walk (-want +got):\n%s", cmp.Diff(want, got, cmpEmpty))
				}
			},
			"": func(rt *rapid.T) {
				// slices.Equal first: cmp.Diff on every step would dominate the run.
				if got := tree.check(rt); !slices.Equal(model, got) {
					rt.Fatalf("keys (-want +got):\n%s", cmp.Diff(model, got, cmpEmpty))
				}
			},
		})
	})
}

// TestBtreeAppendFills checks that keys added at either end of the tree fill
// its leaves instead of leaving them half empty.
func TestBtreeAppendFills(t *testing.T) {
	t.Parallel()
	for _, step := range []int{1, -1} {
		tree := btree[int]{cmp: compareInts}
		const n = 100_000
		for i := range n {
			tree.insert(i * step)
		}
		tree.check(t)
		leaves := 0
		var count func(*bnode[int])
		count = func(b *bnode[int]) {
			if b.leaf() {
				leaves++
				return
			}
			for _, k := range b.kids[:b.n+1] {
				count(k)
			}
		}
		count(tree.root)
		if fill := float64(n) / float64(leaves*maxItems); fill < 0.95 {
			t.Errorf("step %d: leaves %.0f%% full, want at least 95%%", step, 100*fill)
		}
	}
}
