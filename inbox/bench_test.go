package inbox_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
)

// benchInbox is an inbox over memstore holding a number of web chat
// tickets, with round robin on and ten agents online. Building the 1M one
// takes seconds, so each size is built once per process.
type benchInbox struct {
	ib    *inbox.Inbox
	clock *testClock
	agent inbox.Actor
	// bytesPerTicket is the heap growth while receiving the tickets,
	// divided by their number, bodies excluded.
	bytesPerTicket float64
}

var (
	benchMu      sync.Mutex
	benchInboxes = map[int]*benchInbox{}
)

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func getBenchInbox(b *testing.B, tickets int) *benchInbox {
	benchMu.Lock()
	defer benchMu.Unlock()
	if bi := benchInboxes[tickets]; bi != nil {
		return bi
	}
	ctx := context.Background()
	clk := &testClock{t: start}
	before := heapAlloc()
	ib, err := inbox.New(memstore.New(), "bench", inbox.WithClock(clk))
	if err != nil {
		b.Fatal(err)
	}
	owner := inbox.Actor{ID: "a0", Role: inbox.Owner}
	for i := range 10 {
		a := inbox.Actor{ID: fmt.Sprintf("a%d", i), Role: inbox.Support}
		if err := ib.PutMember(ctx, inbox.Member{ID: a.ID, Role: a.Role}); err != nil {
			b.Fatal(err)
		}
		if err := ib.SetPresence(ctx, a, a.ID, assign.Online); err != nil {
			b.Fatal(err)
		}
	}
	on := true
	if _, err := ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{RoundRobin: &on}); err != nil {
		b.Fatal(err)
	}
	const body = "hello"
	in := channel.Inbound{Kind: channel.WebChat, Body: body, WebChat: channel.WebChatFields{Visitor: "v"}}
	for i := range tickets {
		in.WebChat.Conversation = fmt.Sprintf("c%d", i)
		if _, err := ib.Receive(ctx, in); err != nil {
			b.Fatal(err)
		}
		clk.Add(time.Millisecond)
	}
	bi := &benchInbox{ib: ib, clock: clk, agent: inbox.Actor{ID: "a1", Role: inbox.Support}}
	bi.bytesPerTicket = (float64(heapAlloc()) - float64(before) - float64(tickets*len(body))) / float64(tickets)
	benchInboxes[tickets] = bi
	return bi
}

var benchSizes = []struct {
	name    string
	tickets int
}{{"tickets=10k", 10_000}, {"tickets=1M", 1_000_000}}

// BenchmarkReceive measures a new web chat ticket with round-robin
// assignment, in an inbox that already holds 10k or 1M tickets.
func BenchmarkReceive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			bi := getBenchInbox(b, size.tickets)
			ctx := context.Background()
			ins := make([]channel.Inbound, b.N)
			for i := range ins {
				ins[i] = channel.Inbound{Kind: channel.WebChat, Body: "hello",
					WebChat: channel.WebChatFields{Visitor: "v", Conversation: fmt.Sprintf("bench-%d", msgSeq.Add(1))}}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				r, err := bi.ib.Receive(ctx, ins[i])
				if err != nil || r.Action != channel.New {
					b.Fatal(r, err)
				}
			}
			b.ReportMetric(bi.bytesPerTicket, "bytes/ticket")
		})
	}
}
