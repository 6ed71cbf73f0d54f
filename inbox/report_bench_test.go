package inbox_test

import (
	"context"
	"testing"

	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
)

// BenchmarkReport measures a 30-day report by day, with every section, over
// a month of 10k or 1M tickets (storetest.Month) in memstore.
func BenchmarkReport(b *testing.B) {
	for _, size := range []struct {
		name    string
		tickets int
	}{{"tickets=10k", 10_000}, {"tickets=1M", 1_000_000}} {
		b.Run(size.name, func(b *testing.B) {
			ib, owner, q := storetest.Month(b, memstore.New(), size.tickets)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r, err := ib.Report(ctx, owner, q)
				if err != nil || r.FirstResponse.Calendar.Count == 0 || len(r.Volume) != storetest.MonthDays+1 { // from 10:00 on day 1 to 10:00 on day 31
					b.Fatal(err, r.FirstResponse, len(r.Volume))
				}
			}
		})
	}
}
