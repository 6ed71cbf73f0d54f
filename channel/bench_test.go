package channel_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// messageID returns the i-th Message-ID of the benchmark's store, shaped like
// Gmail's (about 50 bytes).
func messageID(i int) string {
	return fmt.Sprintf("CAF%016x+%d@mail.gmail.com", uint64(i)*0x9E3779B97F4A7C15, i)
}

// millionIDs is a store holding 1,000,000 email Message-IDs over 100,000
// tickets, built once for all benchmarks.
var millionIDs = sync.OnceValue(func() *memStore {
	const ids, perTicket = 1_000_000, 10
	m := newMemStore()
	m.messages[channel.Email] = make(map[string]int64, ids)
	for i := range ids {
		if i%perTicket == 0 {
			m.open(channel.Email, fmt.Sprintf("email:c%d@example.com", i/perTicket), status.Closed)
		}
		m.hold(channel.Email, messageID(i), int64(len(m.tickets)))
	}
	return m
})

// BenchmarkThreadLookup resolves an email's ticket from its References
// against 1M known Message-IDs, the worst case: no In-Reply-To, and only the
// oldest reference known, so Route asks about every one. The Inbound is
// built once, as the inbox builds it once per message, so the measured path
// is Route itself: validation, the duplicate check, one lookup per
// reference, the decision. The goal is 150 ns + 50 ns per reference.
func BenchmarkThreadLookup(b *testing.B) {
	m := millionIDs()
	for _, n := range []int{1, 10, 50} {
		refs := []string{messageID(424242)} // the thread's root, on ticket 42425
		for i := 1; i < n; i++ {
			refs = append(refs, fmt.Sprintf("unknown.%d.%d@elsewhere.example", n, i))
		}
		in := email("ann@example.com", fmt.Sprintf("new.%d@example.com", n), nil, refs, "Re: order")
		b.Run(fmt.Sprintf("refs=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := channel.Route(in, m)
				if err != nil || d.Action != channel.Reopen || d.Ticket.Number != 42425 {
					b.Fatalf("Route = %+v, %v", d, err)
				}
			}
		})
	}
}
