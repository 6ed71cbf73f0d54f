package memstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

const (
	benchInbox  = "bench"
	benchAgents = 10
	bodyLen     = 48 // a size class of its own, so a body costs exactly its length
)

// fixture is a store holding one inbox of typical tickets: new SMS and web
// chat tickets, each with one inbound message (so its LastCustomerAt is
// set) and three events (created, message received, assigned by round
// robin). A quarter are open, a
// twentieth snoozed, the rest closed; nine in ten are assigned, round robin
// over benchAgents agents, the rest unassigned.
type fixture struct {
	store   *Store
	rng     *rand.Rand // draws the IDs of new tickets
	tickets int
	// bytesPerTicket is the heap the inbox took per ticket after a GC, its
	// message bodies excluded.
	bytesPerTicket float64
}

var (
	fixtureMu sync.Mutex
	fixtures  = map[int]*fixture{}
)

// benchFixture builds the fixture of n tickets once per process: make test
// runs every benchmark, each once.
func benchFixture(b *testing.B, n int) *fixture {
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if f := fixtures[n]; f != nil {
		return f
	}
	start := time.Now()
	f := &fixture{store: New(), rng: rand.New(rand.NewPCG(1, uint64(n))), tickets: n}
	grown := fill(b, f.store, n, func(tx inbox.Tx, i int) error { return addTypicalTicket(tx, f.rng, i) })
	f.bytesPerTicket = float64(grown-int64(n*bodyLen)) / float64(n)
	b.Logf("fixture of %d tickets built in %v", n, time.Since(start).Round(time.Millisecond))
	fixtures[n] = f
	return f
}

// fill calls add for 0 to n-1, in transactions of a thousand calls, and
// returns how much the heap grew, after a GC.
func fill(b *testing.B, s *Store, n int, add func(tx inbox.Tx, i int) error) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const batch = 1000
	for first := 0; first < n; first += batch {
		err := s.Update(context.Background(), benchInbox, func(tx inbox.Tx) error {
			for i := first; i < min(n, first+batch); i++ {
				if err := add(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

var (
	benchEpoch = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	agents     = func() (a [benchAgents]string) {
		for i := range a {
			a[i] = fmt.Sprintf("agent-%02d", i)
		}
		return a
	}()
)

// addTypicalTicket stores ticket i as the inbox façade would: each string is
// freshly made, as when a host parses a request.
func addTypicalTicket(tx inbox.Tx, rng *rand.Rand, i int) error {
	at := benchEpoch.Add(time.Duration(i) * 7 * time.Second)
	t := inbox.Ticket{Status: status.Open, Unread: true, CreatedAt: at, ActiveAt: at, LastCustomerAt: at}
	var msgID string
	if i%2 == 0 {
		phone := string(strconv.AppendInt([]byte("+1555"), 1e7+int64(i), 10)) // +1555 and 8 digits
		t.Channel, t.Customer, t.Key = channel.SMS, "sms:"+phone, phone
		msgID = string(strconv.AppendUint(strconv.AppendUint([]byte("SM"), rng.Uint64(), 16), rng.Uint64(), 16))
	} else {
		t.Channel, t.Customer, t.Key = channel.WebChat, "webchat:"+ulid(rng), ulid(rng)
		msgID = ulid(rng)
	}
	switch r := rng.IntN(20); {
	case r < 5:
	case r < 6:
		t.Status, t.SnoozedUntil = status.Snoozed, at.Add(24*time.Hour)
	default:
		t.Status, t.ClosedAt = status.Closed, at.Add(time.Hour)
	}
	agent := ""
	if rng.IntN(10) != 0 {
		agent = agents[i%benchAgents]
	}
	t.Assignee = agent
	var err error
	if t.Number, err = tx.CreateTicket(t); err != nil {
		return err
	}
	body := string(strconv.AppendInt([]byte("Hello there, where is my order #"), 1e15+int64(i), 10))
	if len(body) != bodyLen {
		return fmt.Errorf("body of %d bytes, want %d", len(body), bodyLen)
	}
	m := inbox.Message{Ticket: t.Number, Direction: inbox.Inbound, Author: strings.Clone(t.Customer), ID: msgID, Body: body, At: at}
	if m.Index, err = tx.AddMessage(t.Channel, m); err != nil {
		return err
	}
	if _, err := tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: at, Ticket: t.Number}); err != nil {
		return err
	}
	if _, err := tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: at, Ticket: t.Number, Message: &m}); err != nil {
		return err
	}
	if agent == "" {
		return nil
	}
	_, err = tx.Emit(inbox.Event{Type: inbox.TicketAssigned, At: at, Ticket: t.Number, Assignee: agent,
		Decision: &assign.Decision{Agent: agent, Seq: uint64(i), Eligible: 7, Offline: 3}})
	return err
}

// ulid returns a random 26-character ID, the length of a ULID.
func ulid(rng *rand.Rand) string {
	const digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := make([]byte, 26)
	for i := 0; i < len(b); i += 12 {
		for r, j := rng.Uint64(), i; j < min(i+12, len(b)); r, j = r>>5, j+1 {
			b[j] = digits[r&31]
		}
	}
	return string(b)
}

// The sizes of the benchmarks' fixtures.
var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"1M", 1_000_000}}

// viewFilter is the first page of My inbox of an agent (i even) or of
// Unassigned (i odd): the standard views BenchmarkView lists, one per op.
func viewFilter(i int) inbox.Filter {
	f := inbox.Filter{Statuses: []status.Status{status.Open}, Assignee: new(string), Limit: 50}
	if i%2 == 0 {
		f.Assignee = &agents[i/2%benchAgents]
	}
	return f
}

// BenchmarkView lists the first page (50 tickets) of My inbox and of
// Unassigned in turn, one page per op, through the indexes; its fullscan
// benchmark lists the same pages by checking every ticket and sorting the
// matches, what the indexes save.
func BenchmarkView(b *testing.B) {
	for _, size := range benchSizes {
		for _, bench := range []struct {
			name string
			page func(tx inbox.ReadTx, f inbox.Filter) ([]inbox.Ticket, error)
		}{
			{"", func(tx inbox.ReadTx, f inbox.Filter) ([]inbox.Ticket, error) { return tx.Tickets(f) }},
			{"/fullscan", func(rt inbox.ReadTx, f inbox.Filter) ([]inbox.Ticket, error) { return scan(rt.(*tx).d, f), nil }},
		} {
			b.Run("tickets="+size.name+bench.name, func(b *testing.B) {
				f := benchFixture(b, size.n)
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					err := f.store.View(context.Background(), benchInbox, func(tx inbox.ReadTx) error {
						q := viewFilter(i)
						page, err := bench.page(tx, q)
						if err != nil || len(page) != q.Limit {
							return fmt.Errorf("a page of %d tickets (%v)", len(page), err)
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if bench.name == "" {
					b.ReportMetric(f.bytesPerTicket, "bytes/ticket") // after the loop, which resets metrics
				}
			})
		}
	}
}

// scan lists a standard view without the indexes: every ticket is checked
// and the matches sorted.
func scan(d *data, f inbox.Filter) []inbox.Ticket {
	var matches []entry
	for i := range d.tickets.len() {
		t := d.tickets.at(i)
		if slices.Contains(f.Statuses, t.status) && d.assignees.value(t.assignee) == *f.Assignee {
			matches = append(matches, entry{t.active, int64(i + 1)})
		}
	}
	slices.SortFunc(matches, byLatest)
	out := make([]inbox.Ticket, min(f.Limit, len(matches)))
	for i := range out {
		d.ticketOut(&out[i], matches[i].n, d.tickets.at(int(matches[i].n-1)))
	}
	return out
}

func BenchmarkAddTicket(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("tickets="+size.name, func(b *testing.B) {
			f := benchFixture(b, size.n)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				err := f.store.Update(context.Background(), benchInbox, func(tx inbox.Tx) error {
					f.tickets++
					return addTypicalTicket(tx, f.rng, f.tickets)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCustomer reads a customer and puts it back changed, as the inbox
// does when it attributes an inbound SMS to a campaign text, in an inbox of
// 100k customers who each received three texts. It reports the heap a
// customer takes.
func BenchmarkCustomer(b *testing.B) {
	const customers, sent = 100_000, 3
	s := New()
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, customers)
	grown := fill(b, s, customers, func(tx inbox.Tx, i int) error {
		keys[i] = "sms:" + string(strconv.AppendInt([]byte("+1555"), 1e7+int64(i), 10))
		c := inbox.Customer{Key: keys[i]}
		for j := range sent {
			c.Sent = append(c.Sent, channel.Sent{ID: ulid(rng), Origin: channel.Campaign, At: benchEpoch.Add(time.Duration(j) * time.Hour)})
		}
		return tx.PutCustomer(c)
	})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		err := s.Update(context.Background(), benchInbox, func(tx inbox.Tx) error {
			c, err := tx.Customer(keys[i%customers])
			if err != nil {
				return err
			}
			c.Sent[sent-1].Attributed = !c.Sent[sent-1].Attributed
			return tx.PutCustomer(c)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(grown)/customers, "bytes/customer")
}
