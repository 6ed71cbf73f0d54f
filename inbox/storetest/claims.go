package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/routedesk/routedesk/inbox"
)

// ClaimRace is the body of a claim benchmark on any Store: many goroutines
// (8 per CPU), each one of agents, read the first page of Unassigned (10
// tickets), pick one at random and claim it; a ticket another agent took
// first is a conflict. A claimed ticket is given back (Unassign) so that the
// race never runs dry: an op is a page, a claim and, for a won claim, a
// give-back. It reports the won claims per second and the conflicts per won
// claim. ib must have tickets waiting in Unassigned, and agents must be its
// members.
func ClaimRace(b *testing.B, ib *inbox.Inbox, agents []inbox.Actor) {
	var agent, claims, conflicts atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		i := agent.Add(1)
		a := agents[int(i)%len(agents)]
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		for pb.Next() {
			p, err := ib.Tickets(ctx, a, inbox.Query{View: inbox.Unassigned, Limit: 10})
			if err != nil || len(p.Tickets) == 0 {
				b.Error(len(p.Tickets), err)
				return
			}
			n := p.Tickets[rng.IntN(len(p.Tickets))].Number
			var taken *inbox.AssignedError
			switch err := ib.Claim(ctx, a, n); {
			case err == nil:
				claims.Add(1)
				if err := ib.Unassign(ctx, a, n); err != nil {
					b.Error(err)
					return
				}
			case errors.As(err, &taken):
				conflicts.Add(1)
			default:
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(claims.Load())/b.Elapsed().Seconds(), "claims/s")
	b.ReportMetric(float64(conflicts.Load())/float64(max(1, claims.Load())), "conflicts/claim")
}
