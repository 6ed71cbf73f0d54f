package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/pgstore"
)

// receiveCallers are the numbers of goroutines that receive at once.
var receiveCallers = []int{1, 8, 32}

// ratioRounds is how many rounds of each the ratio sub-benchmarks run.
const ratioRounds = 10

// BenchmarkReceive measures new web chat tickets assigned by round robin
// among ten online agents, received by 1, 8 and 32 goroutines at once into
// one inbox: through inbox.Inbox on the Store ("pgstore"), and as the bare
// SQL transaction that does the same work without routedesk ("baseline":
// lock the pool's row, pick the least recently assigned online agent,
// insert the ticket). Each reports tickets/s and the 99th percentile
// latency.
//
// The two run one after the other, so a change in the machine's load
// between them moves their ratio. "ratio" compares them in one stretch of
// time (see compare), each into an inbox and a pool of its own: it reports
// the median of the rounds' ratios of pgstore's tickets/s to the
// baseline's (metric "ratio"), pgstore's tickets/s and p99 over its rounds,
// and the baseline's tickets/s. An op of "ratio" is a ticket of each, so
// with -benchtime 6s a round of each takes about 0.3 s.
func BenchmarkReceive(b *testing.B) {
	s := newStore(b)
	base := newBaseline(b, testPool(b))
	for _, callers := range receiveCallers {
		b.Run(fmt.Sprintf("callers=%d/pgstore", callers), func(b *testing.B) {
			measure(b, callers, receiver(b, s))
		})
		b.Run(fmt.Sprintf("callers=%d/baseline", callers), func(b *testing.B) {
			measure(b, callers, base.receiver(b))
		})
		b.Run(fmt.Sprintf("callers=%d/ratio", callers), func(b *testing.B) {
			compare(b, callers, "tickets/s", receiver(b, s), base.receiver(b))
		})
	}
}

// receiver returns a Receive of a new web chat into a new inbox on s with
// ten online agents and round robin, checking that it made a ticket and
// gave it out.
func receiver(b *testing.B, s *pgstore.Store) func(context.Context) error {
	ib := roundRobinInbox(b, s, fmt.Sprint("bench-", time.Now().UnixNano()), 10)
	var seq atomic.Int64
	return func(ctx context.Context) error {
		in := channel.Inbound{Kind: channel.WebChat, Body: "hello",
			WebChat: channel.WebChatFields{Visitor: "v", Conversation: fmt.Sprint("c", seq.Add(1))}}
		r, err := ib.Receive(ctx, in)
		if err == nil && (r.Action != channel.New || r.Decision == nil || r.Decision.Agent == "") {
			err = fmt.Errorf("received %+v", r)
		}
		return err
	}
}

// measure runs op b.N times from callers goroutines, and reports it.
func measure(b *testing.B, callers int, op func(context.Context) error) {
	b.ReportAllocs()
	b.ResetTimer()
	r := runRound(b, callers, b.N, op)
	b.StopTimer()
	r.report(b, "tickets/s")
}

// compare measures op against base in one stretch of time: it splits b.N
// into ratioRounds rounds, each of which runs its share of ops through op
// and then as many through base, from callers goroutines, the order turning
// every round. It reports the median of the rounds' ratios of op's rate to
// base's (metric "ratio"), op's rate (in unit, for example "tickets/s")
// and p99 over its rounds, and base's rate ("base-" + unit).
func compare(b *testing.B, callers int, unit string, op, base func(context.Context) error) {
	ops := [2]func(context.Context) error{op, base}
	var all [2]round
	var ratios []float64
	b.ReportAllocs()
	b.ResetTimer()
	for i := range ratioRounds {
		n := b.N*(i+1)/ratioRounds - b.N*i/ratioRounds
		if n == 0 {
			continue
		}
		var r [2]round
		for k := range 2 {
			j := (i + k) % 2 // op first in even rounds, base first in odd ones
			r[j] = runRound(b, callers, n, ops[j])
			all[j].elapsed += r[j].elapsed
			all[j].latencies = append(all[j].latencies, r[j].latencies...)
		}
		ratios = append(ratios, r[0].rate()/r[1].rate())
	}
	b.StopTimer()
	all[0].report(b, unit)
	b.ReportMetric(all[1].rate(), "base-"+unit)
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
}

// round is what runRound measured: how long the tickets took in all, and
// each one's latency.
type round struct {
	elapsed   time.Duration
	latencies []time.Duration
}

func (r *round) rate() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

// runRound runs op n times from callers goroutines, and fails b at the
// first error.
func runRound(b *testing.B, callers, n int, op func(context.Context) error) round {
	ctx := context.Background()
	var next atomic.Int64
	r := round{latencies: make([]time.Duration, n)}
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	start := time.Now()
	for range callers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				t0 := time.Now()
				if err := op(ctx); err != nil {
					errs <- err
					return
				}
				r.latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return r
}

// report reports r's rate, in unit, and its latency at the 99th
// percentile.
func (r round) report(b *testing.B, unit string) {
	slices.Sort(r.latencies)
	b.ReportMetric(r.rate(), unit)
	b.ReportMetric(float64(r.latencies[(len(r.latencies)*99)/100])/float64(time.Millisecond), "p99-ms")
}

// baseline is the bare SQL of a new ticket given to the least recently
// assigned online agent, in tables of its own.
type baseline struct {
	schema string
	pools  atomic.Int64
}

func newBaseline(b *testing.B, p *pgxpool.Pool) *baseline {
	schema := newSchema(b)
	q := pgx.Identifier{schema}.Sanitize()
	_, err := p.Exec(context.Background(), `
		CREATE TABLE `+q+`.bare_pools (id bigint PRIMARY KEY, seq bigint NOT NULL);
		CREATE TABLE `+q+`.bare_agents (pool bigint NOT NULL, id text NOT NULL, online boolean NOT NULL,
			joined bigint NOT NULL, last_seq bigint NOT NULL, PRIMARY KEY (pool, id));
		CREATE TABLE `+q+`.bare_tickets (pool bigint NOT NULL, number bigint NOT NULL, customer text NOT NULL,
			assignee text NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (pool, number))`)
	if err != nil {
		b.Fatal(err)
	}
	return &baseline{schema: q}
}

// receiver returns a receive into a new pool of ten online agents.
func (bl *baseline) receiver(b *testing.B) func(context.Context) error {
	id := bl.pools.Add(1)
	var batch pgx.Batch
	batch.Queue(`INSERT INTO `+bl.schema+`.bare_pools VALUES ($1, 0)`, id)
	batch.Queue(`INSERT INTO `+bl.schema+`.bare_agents SELECT $1, 'a' || i, true, i, 0 FROM generate_series(0, 9) AS i`, id)
	if err := testPool(b).SendBatch(context.Background(), &batch).Close(); err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context) error { return bl.receive(ctx, id) }
}

// receive is one new ticket: lock the pool, pick the agent, insert the
// ticket and record the turn.
func (bl *baseline) receive(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var seq int64
		var agent string
		err := tx.QueryRow(ctx, `SELECT p.seq, a.id FROM `+bl.schema+`.bare_pools AS p,
			LATERAL (SELECT id FROM `+bl.schema+`.bare_agents WHERE pool = p.id AND online ORDER BY last_seq, joined, id LIMIT 1) AS a
			WHERE p.id = $1 FOR UPDATE OF p`, id).Scan(&seq, &agent)
		if err != nil {
			return err
		}
		seq++
		var batch pgx.Batch
		batch.Queue(`INSERT INTO `+bl.schema+`.bare_tickets VALUES ($1, $2, 'webchat:v', $3, now())`, id, seq, agent)
		batch.Queue(`UPDATE `+bl.schema+`.bare_agents SET last_seq = $3 WHERE pool = $1 AND id = $2`, id, agent, seq)
		batch.Queue(`UPDATE `+bl.schema+`.bare_pools SET seq = $2 WHERE id = $1`, id, seq)
		return tx.SendBatch(ctx, &batch).Close()
	})
}
