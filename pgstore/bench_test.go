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
)

// receiveCallers are the numbers of goroutines that receive at once.
var receiveCallers = []int{1, 8, 32}

// BenchmarkReceive measures new web chat tickets assigned by round robin
// among ten online agents, received by 1, 8 and 32 goroutines at once into
// one inbox: through inbox.Inbox on the Store ("pgstore"), and as the bare
// SQL transaction that does the same work without routedesk ("baseline":
// lock the pool's row, pick the least recently assigned online agent,
// insert the ticket). It reports tickets/s and the 99th percentile latency.
func BenchmarkReceive(b *testing.B) {
	p := testPool(b)
	s := newStore(b)
	base := newBaseline(b, p)
	for _, callers := range receiveCallers {
		b.Run(fmt.Sprintf("callers=%d/pgstore", callers), func(b *testing.B) {
			ib := roundRobinInbox(b, s, fmt.Sprint("bench-", time.Now().UnixNano()), 10)
			var seq atomic.Int64
			runCallers(b, callers, func(ctx context.Context) error {
				in := channel.Inbound{Kind: channel.WebChat, Body: "hello",
					WebChat: channel.WebChatFields{Visitor: "v", Conversation: fmt.Sprint("c", seq.Add(1))}}
				r, err := ib.Receive(ctx, in)
				if err == nil && (r.Action != channel.New || r.Decision == nil || r.Decision.Agent == "") {
					err = fmt.Errorf("received %+v", r)
				}
				return err
			})
		})
		b.Run(fmt.Sprintf("callers=%d/baseline", callers), func(b *testing.B) {
			id := base.newPool(b)
			runCallers(b, callers, func(ctx context.Context) error { return base.receive(ctx, id) })
		})
	}
}

// runCallers runs op b.N times from callers goroutines, and reports
// tickets/s and the latency of op at the 99th percentile.
func runCallers(b *testing.B, callers int, op func(context.Context) error) {
	ctx := context.Background()
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range callers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
				t0 := time.Now()
				if err := op(ctx); err != nil {
					errs <- err
					return
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tickets/s")
	b.ReportMetric(float64(latencies[(len(latencies)*99)/100])/float64(time.Millisecond), "p99-ms")
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

// newPool makes a pool of ten online agents and returns its ID.
func (bl *baseline) newPool(b *testing.B) int64 {
	id := bl.pools.Add(1)
	var batch pgx.Batch
	batch.Queue(`INSERT INTO `+bl.schema+`.bare_pools VALUES ($1, 0)`, id)
	batch.Queue(`INSERT INTO `+bl.schema+`.bare_agents SELECT $1, 'a' || i, true, i, 0 FROM generate_series(0, 9) AS i`, id)
	if err := testPool(b).SendBatch(context.Background(), &batch).Close(); err != nil {
		b.Fatal(err)
	}
	return id
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
