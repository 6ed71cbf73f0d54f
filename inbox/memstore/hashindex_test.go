package memstore

import (
	"hash/maphash"
	"testing"

	"pgregory.net/rapid"
)

func TestRefIndexModel(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		// Records are numbered from 1; a key may be held by several records,
		// and the index refers to one of them, as for tickets of one thread.
		recs := []int{0}
		hash := func(k int) uint64 { return maphash.Comparable(maphash.Seed{}, k) }
		if rapid.Bool().Draw(rt, "collide") {
			// Few distinct hashes: long probe runs that wrap around the table.
			hash = func(k int) uint64 { return uint64(k%3) * 0x9e3779b97f4a7c15 }
		}
		x := refIndex[int]{keyOf: func(ref uint32) int { return recs[ref] }, hash: hash}
		model := map[int]uint32{}
		key := rapid.IntRange(0, 60)
		rt.Repeat(map[string]func(*rapid.T){
			"put": func(rt *rapid.T) {
				k := key.Draw(rt, "k")
				recs = append(recs, k)
				ref := uint32(len(recs) - 1)
				if old := x.put(k, ref); old != model[k] {
					rt.Fatalf("put(%d) replaced %d, want %d", k, old, model[k])
				}
				model[k] = ref
			},
			"delete": func(rt *rapid.T) {
				k := key.Draw(rt, "k")
				x.delete(k)
				delete(model, k)
			},
			"": func(rt *rapid.T) {
				if x.n != len(model) {
					rt.Fatalf("n = %d, want %d", x.n, len(model))
				}
				for k := range 61 {
					if got, want := x.get(k), model[k]; got != want {
						rt.Fatalf("get(%d) = %d, want %d", k, got, want)
					}
				}
			},
		})
	})
}
