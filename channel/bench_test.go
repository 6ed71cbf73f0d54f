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

// rootTicket is the ticket that holds messageID(424242), the thread's root.
const rootTicket = 42425

// lateReply is a customer's reply to a closed thread, with references
// References, no In-Reply-To, and only the oldest reference (the root)
// known: the worst case, where Route asks about every reference.
func lateReply(references int) channel.Inbound {
	refs := []string{messageID(424242)}
	for i := 1; i < references; i++ {
		refs = append(refs, fmt.Sprintf("unknown.%d.%d@elsewhere.example", references, i))
	}
	return email("ann@example.com", fmt.Sprintf("new.%d@example.com", references), nil, refs, "Re: order")
}

// eachSize runs bench as the sub-benchmarks refs=1, refs=10 and refs=50, on
// the store of a million Message-IDs and the lateReply of that many
// references.
func eachSize(b *testing.B, bench func(b *testing.B, m *memStore, in channel.Inbound)) {
	m := millionIDs()
	for _, n := range []int{1, 10, 50} {
		in := lateReply(n)
		b.Run(fmt.Sprintf("refs=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			bench(b, m, in)
		})
	}
}

// BenchmarkThreadLookup resolves an email's ticket from References of 1, 10
// and 50 IDs against 1M known Message-IDs, through Route and the map store
// that inbox's memstore is shaped like, in the worst case of lateReply. The
// Inbound is built once, as the inbox builds it once per message, so header
// parsing is not measured; what is: validation, the duplicate check, one
// lookup per reference, the decision. The goal is 150 ns + 50 ns per
// reference.
func BenchmarkThreadLookup(b *testing.B) {
	eachSize(b, func(b *testing.B, m *memStore, in channel.Inbound) {
		for b.Loop() {
			d, err := channel.Route(&in, m)
			if err != nil || d.Action != channel.Reopen || d.Ticket.Number != rootTicket {
				b.Fatalf("Route = %+v, %v", d, err)
			}
		}
	})
}

// BenchmarkThreadLookupFloor makes only the map lookups that
// BenchmarkThreadLookup's Route makes (the duplicate check and one per
// reference), with no validation and no decision: the floor under Route on
// the same machine and in the same run.
func BenchmarkThreadLookupFloor(b *testing.B) {
	eachSize(b, func(b *testing.B, m *memStore, in channel.Inbound) {
		for b.Loop() {
			m.Message(channel.Email, in.Email.MessageID)
			refs := in.Email.References
			for i := len(refs) - 1; i >= 0; i-- {
				if t, found, _ := m.Message(channel.Email, refs[i]); found {
					if t.Number != rootTicket {
						b.Fatalf("ticket %d", t.Number)
					}
					break
				}
			}
		}
	})
}
