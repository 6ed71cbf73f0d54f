package inbox_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
)

// rung is one step of the benchmarks' size ladder: an inbox holding tickets
// web chat tickets, with a team of agents of whom onlinePct percent are
// online (0: nobody, so every ticket waits in Unassigned). Round robin is on.
type rung struct {
	tickets, agents, onlinePct int
}

func (r rung) String() string {
	return fmt.Sprintf("tickets=%s/agents=%d/online=%d%%", count(r.tickets), r.agents, r.onlinePct)
}

// count writes 10000 as 10k and 1000000 as 1M.
func count(n int) string {
	switch {
	case n >= 1e6 && n%1e6 == 0:
		return strconv.Itoa(n/1e6) + "M"
	case n >= 1e3 && n%1e3 == 0:
		return strconv.Itoa(n/1e3) + "k"
	}
	return strconv.Itoa(n)
}

// benchInbox is the inbox of a rung over memstore.
type benchInbox struct {
	rung    rung
	ib      *inbox.Inbox
	agents  []inbox.Actor
	tickets int // how many it holds now
	// bytesPerTicket is the heap the tickets took, after a GC, divided by
	// their number, bodies excluded; heap is the heap the whole inbox took.
	bytesPerTicket, heap float64
}

var (
	benchMu sync.Mutex
	benched *benchInbox // the inbox of the rung measured last
)

// getBenchInbox returns the inbox of rung r, built once for all the calls of
// its benchmark function (testing calls it once per b.N it tries, and a 1M
// inbox takes seconds to build). The benchmarks add tickets to it; once it
// has no room for another chatBatch tickets below twice its rung's, it is
// built afresh, so that a rung keeps its size. Only the rung in use is kept:
// the inboxes of the other rungs would be heap for the collector to mark
// while this one is measured, a cost of the harness, not of Receive.
func getBenchInbox(b *testing.B, r rung) *benchInbox {
	benchMu.Lock()
	defer benchMu.Unlock()
	if bi := benched; bi != nil && bi.rung == r && bi.roomy() {
		return bi
	}
	benched = nil // the old one may go before the new one is built
	benched = buildBenchInbox(b, r)
	return benched
}

func heapAlloc() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

func buildBenchInbox(b *testing.B, r rung) *benchInbox {
	began := time.Now()
	ctx := context.Background()
	before := heapAlloc()
	store := memstore.New()
	ib, err := inbox.New(store, "bench", inbox.WithClock(storetest.NewClock(start)))
	if err != nil {
		b.Fatal(err)
	}
	bi := &benchInbox{rung: r, ib: ib, agents: make([]inbox.Actor, r.agents)}
	// The team, as PutMember and SetPresence leave it, a thousand members
	// per transaction: PutMember reads every member to number the new one,
	// which is quadratic over 100,000 agents.
	for first := 0; first < r.agents; first += 1000 {
		err = store.Update(ctx, "bench", func(tx inbox.Tx) error {
			for i := first; i < min(r.agents, first+1000); i++ {
				m := inbox.Member{ID: fmt.Sprintf("agent-%06d", i), Role: inbox.Support, Joined: uint64(i + 1)}
				if r.onlinePct > 0 && i%(100/r.onlinePct) == 0 {
					m.Presence = assign.Online
				}
				bi.agents[i] = inbox.Actor{ID: m.ID, Role: m.Role}
				if err := tx.PutMember(m); err != nil {
					return err
				}
				if err := tx.PutRotationMember(assign.Member{ID: m.ID, Joined: m.Joined, Presence: m.Presence}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	on := true
	if _, err := ib.UpdateSettings(ctx, inbox.Actor{ID: "owner", Role: inbox.Owner}, inbox.SettingsPatch{RoundRobin: &on}); err != nil {
		b.Fatal(err)
	}
	team := heapAlloc()
	var ins []channel.Inbound
	for bi.tickets < r.tickets {
		ins = newChats(ins[:0], min(chatBatch, r.tickets-bi.tickets))
		bi.receive(b, ins)
	}
	after := heapAlloc()
	bi.bytesPerTicket = (after - team - float64(r.tickets*len(chatBody))) / float64(r.tickets)
	bi.heap = after - before
	b.Logf("%v built in %v", r, time.Since(began).Round(time.Millisecond))
	return bi
}

// roomy reports whether bi can take another chatBatch tickets and stay
// below twice its rung's.
func (bi *benchInbox) roomy() bool { return bi.tickets+chatBatch <= 2*bi.rung.tickets }

// maxAgents is the largest team of the ladder.
const maxAgents = 100_000

// receive receives the messages, each of which must open a ticket.
func (bi *benchInbox) receive(b *testing.B, ins []channel.Inbound) {
	for i := range ins {
		got, err := bi.ib.Receive(context.Background(), ins[i])
		if err != nil || got.Action != channel.New {
			b.Fatal(got, err)
		}
	}
	bi.tickets += len(ins)
}

const (
	chatBody  = "hello"
	chatBatch = 10_000 // how many chats newChats makes at a time
)

// chats numbers the benchmarks' web chats, which are all distinct.
var chats atomic.Int64

// newChats appends n first messages of new web chats by new visitors.
func newChats(ins []channel.Inbound, n int) []channel.Inbound {
	for range n {
		c := strconv.FormatInt(chats.Add(1), 10)
		ins = append(ins, channel.Inbound{Kind: channel.WebChat, Body: chatBody,
			WebChat: channel.WebChatFields{Visitor: "v" + c, Conversation: "c" + c}})
	}
	return ins
}

// receiveRungs are BenchmarkReceive's rungs: every team at 10k tickets, and
// the usual one at 1M.
var receiveRungs = []rung{
	{10_000, 10, 10}, {10_000, 10, 100},
	{10_000, 1000, 10}, {10_000, 1000, 100},
	{10_000, maxAgents, 10}, {10_000, maxAgents, 100},
	{1_000_000, 1000, 10},
}

// BenchmarkReceive measures the first message of a new web chat from a new
// visitor: a new ticket, given by round robin to the next online agent.
// It reports the heap the inbox took after it was built (MB) and per
// ticket (bodies excluded).
func BenchmarkReceive(b *testing.B) {
	for _, r := range receiveRungs {
		b.Run(r.String(), func(b *testing.B) {
			bi := getBenchInbox(b, r)
			var ins []channel.Inbound
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i%chatBatch == 0 { // new chats, and a fresh inbox when this one doubled
					b.StopTimer()
					bi = getBenchInbox(b, r)
					ins = newChats(ins[:0], chatBatch)
					b.StartTimer()
				}
				got, err := bi.ib.Receive(context.Background(), ins[i%chatBatch])
				if err != nil || got.Action != channel.New || got.Decision == nil || (got.Decision.Agent == "") != (r.onlinePct == 0) {
					b.Fatal(got, err)
				}
				bi.tickets++
			}
			b.ReportMetric(bi.bytesPerTicket, "bytes/ticket")
			b.ReportMetric(bi.heap/1e6, "MB-heap")
		})
	}
}

// BenchmarkClaim has agents race for the tickets waiting in Unassigned
// (storetest.ClaimRace). A claim reads and writes one ticket and the heads
// of two lists, so it is run at 10k tickets only: a second 1M inbox would
// double the time make test spends building them.
func BenchmarkClaim(b *testing.B) {
	for _, r := range []rung{{10_000, 1000, 0}} {
		b.Run(r.String(), func(b *testing.B) {
			bi := getBenchInbox(b, r)
			storetest.ClaimRace(b, bi.ib, bi.agents)
		})
	}
}
