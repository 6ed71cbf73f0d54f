package pgstore_test

import (
	"context"
	"testing"

	"github.com/routedesk/routedesk/inbox/storetest"
)

// BenchmarkReport measures a 30-day report by day, with every section, over
// a month of 1,000 tickets (storetest.Month; building more through the inbox
// takes too long for make test's single run), as BenchmarkReport in inbox
// does in memory.
func BenchmarkReport(b *testing.B) {
	b.Run("tickets=1k", func(b *testing.B) {
		ib, owner, q := storetest.Month(b, newStore(b), 1000)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			r, err := ib.Report(ctx, owner, q)
			if err != nil || r.FirstResponse.Calendar.Count == 0 {
				b.Fatal(err, r.FirstResponse)
			}
		}
	})
}
