package assign_test

import (
	"fmt"
	"testing"

	"github.com/routedesk/routedesk/assign"
)

// poolOf returns n members, one in every 100/onlinePct of them online, none
// with a cap or own hours, never assigned.
func poolOf(n, onlinePct int) []assign.Member {
	ms := make([]assign.Member, n)
	for i := range ms {
		ms[i] = assign.Member{ID: fmt.Sprintf("agent-%06d", i), Joined: uint64(i)}
		if i%(100/onlinePct) == 0 {
			ms[i].Presence = assign.Online
		}
	}
	return ms
}

var benchPools = []struct{ agents, onlinePct int }{
	{10, 100}, {1000, 10}, {1000, 100}, {100000, 10}, {100000, 100},
}

// BenchmarkPick measures the steady-state choice: Pick, then Apply, with the
// inbox's office hours consulted on every choice.
func BenchmarkPick(b *testing.B) {
	for _, p := range benchPools {
		b.Run(fmt.Sprintf("agents=%d/online=%d%%", p.agents, p.onlinePct), func(b *testing.B) {
			var r assign.Rotation
			for _, m := range poolOf(p.agents, p.onlinePct) {
				if err := r.Put(m); err != nil {
					b.Fatal(err)
				}
			}
			inbox := fixed(true)
			b.ReportAllocs()
			for b.Loop() {
				d := r.Pick(t0, inbox)
				if err := r.Apply(d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPickLinearScan is the baseline: the same steady-state choice by
// the test model's plain scan over all members.
func BenchmarkPickLinearScan(b *testing.B) {
	md := model{members: poolOf(1000, 100)}
	inbox := fixed(true)
	b.ReportAllocs()
	for b.Loop() {
		d, i := md.decide(t0, inbox)
		if d.Agent == "" {
			b.Fatal("nobody chosen")
		}
		md.apply(i)
	}
}
