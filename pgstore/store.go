package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
)

// DefaultSchema is the schema a Store uses unless [WithSchema] names another.
const DefaultSchema = "routedesk"

// DefaultMaxAttempts is how many times [Store.Update] runs a transaction that
// keeps failing with a serialization failure or a deadlock, unless
// [WithMaxAttempts] says otherwise.
const DefaultMaxAttempts = 10

// Option configures a [Store] and [Migrate].
type Option func(*config)

type config struct {
	schema      string
	maxAttempts int
}

// WithSchema names the PostgreSQL schema that holds the store's tables; the
// default is [DefaultSchema]. Any name PostgreSQL accepts will do (1 to 63
// bytes of UTF-8 without NUL); it is quoted, so case matters.
func WithSchema(name string) Option { return func(c *config) { c.schema = name } }

// WithMaxAttempts sets how many times Update runs a transaction that fails
// with a serialization failure or a deadlock before it gives up with an
// error matching [inbox.ErrConflict]; at least 1. [Migrate] ignores it.
func WithMaxAttempts(n int) Option { return func(c *config) { c.maxAttempts = n } }

// configure applies opts over the defaults and checks the result.
func configure(opts []Option) (config, error) {
	c := config{schema: DefaultSchema, maxAttempts: DefaultMaxAttempts}
	for _, o := range opts {
		o(&c)
	}
	switch {
	case c.schema == "" || len(c.schema) > 63:
		return c, invalid("schema", fmt.Sprintf("%q: give 1 to 63 bytes", c.schema))
	case !utf8.ValidString(c.schema) || strings.IndexByte(c.schema, 0) >= 0:
		return c, invalid("schema", fmt.Sprintf("%q is not UTF-8 text without NUL", c.schema))
	case c.maxAttempts < 1:
		return c, invalid("max attempts", fmt.Sprintf("%d; give at least 1", c.maxAttempts))
	}
	return c, nil
}

// Store is the [inbox.Store] on PostgreSQL. It is safe for concurrent use,
// by any number of goroutines and processes over one database.
type Store struct {
	pool        *pgxpool.Pool
	schema      string // quoted
	maxAttempts int
	statements  sync.Map // SQL template → SQL with the schema
	shapes      sync.Map // filterShape → SQL of Tickets or Count
}

var _ inbox.Store = (*Store)(nil)

// New returns the Store over pool, in the schema that [Migrate] prepared. It
// does no I/O: its only errors are invalid options (matching
// [inbox.ErrInvalid]).
func New(pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, invalid("pool", "nil")
	}
	c, err := configure(opts)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool, schema: pgx.Identifier{c.schema}.Sanitize(), maxAttempts: c.maxAttempts}, nil
}

// sql returns the statement template with "{s}" replaced by the store's
// schema.
func (s *Store) sql(template string) string {
	if q, ok := s.statements.Load(template); ok {
		return q.(string)
	}
	q := strings.ReplaceAll(template, "{s}", s.schema)
	s.statements.Store(template, q)
	return q
}

// Update runs fn in a read-write transaction over the inbox with the given ID,
// as [inbox.Store] says. Its first statement locks the inbox's row FOR
// UPDATE, so the Updates of one inbox run one at a time, each seeing every
// one committed before it, and Updates of different inboxes never wait for
// each other. When a statement fails with a serialization failure or a
// deadlock (which SQL run beside the store's own can cause), or the
// connection is lost before COMMIT is sent, Update rolls back and runs fn
// again, after a short random wait, up to the configured number of attempts;
// then it returns the last error, which for a serialization failure or a
// deadlock matches [inbox.ErrConflict]. A connection lost while COMMIT is on
// its way leaves the outcome unknown: Update returns that error.
//
// When fn returns an error, or panics, the transaction is rolled back and
// Update returns that error unchanged (or the panic goes on). Update returns
// an error matching ctx.Err() without running fn when ctx is done, and one
// matching [inbox.ErrInvalid] for an inbox ID that is empty or is not UTF-8
// text without NUL of at most 1024 bytes. fn must not use the transaction
// after it returns (its methods then answer [ErrTxDone]) nor from several
// goroutines at once.
func (s *Store) Update(ctx context.Context, id string, fn func(inbox.Tx) error) error {
	if err := startable(ctx, id); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		err, retry := s.update(ctx, id, fn)
		if !retry || attempt >= s.maxAttempts {
			return err
		}
		// Up to 1 ms, 2 ms, 4 ms… (at most 64 ms), at random within it, so
		// that the transactions that collided do not collide again.
		wait := time.Duration(rand.Int64N(int64(time.Millisecond << min(attempt-1, 6))))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// update makes one attempt of Update, and says whether to make another.
func (s *Store) update(ctx context.Context, id string, fn func(inbox.Tx) error) (err error, retry bool) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return interpretError("acquire a connection", err), false
	}
	defer conn.Release()
	w := &writeTx{readTx{s: s, ctx: ctx, conn: conn.Conn(), inbox: id}}
	committed := false
	defer func() {
		if !committed {
			w.rollback()
		}
	}()
	w.begin()
	fnErr := fn(w)
	w.done = true
	switch {
	case w.err != nil && (retryable(w.err) || w.lost()):
		return w.err, true // the transaction died: whatever fn said, run it again
	case fnErr != nil:
		return fnErr, false
	case w.err != nil:
		return w.err, false
	}
	if err := w.commit(); err != nil {
		// A connection lost now may have committed: only the server's own
		// refusals are run again.
		return err, retryable(err)
	}
	committed = true
	return nil, false
}

// lost reports whether the transaction's connection was lost (the server
// was restarted, say, or the backend terminated) while ctx is not done: the
// server rolled the transaction back, so it may run again. Only statements
// before COMMIT get here.
func (w *writeTx) lost() bool { return w.conn.IsClosed() && w.ctx.Err() == nil }

// View runs fn on a consistent snapshot of the inbox with the given ID: a
// REPEATABLE READ, READ ONLY transaction, which never waits for an Update and
// never fails for one. It returns what fn returns; its errors about ctx and
// the inbox ID are Update's. An inbox nobody wrote to reads as empty.
func (s *Store) View(ctx context.Context, id string, fn func(inbox.ReadTx) error) error {
	if err := startable(ctx, id); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return interpretError("acquire a connection", err)
	}
	defer conn.Release()
	r := &readTx{s: s, ctx: ctx, conn: conn.Conn(), inbox: id, readOnly: true}
	defer r.rollback()
	r.begin()
	err = fn(r)
	r.done = true
	return err
}

// startable checks what Update and View check before they start.
func startable(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if id == "" {
		return invalid("inbox ID", "empty")
	}
	return checkKey("inbox ID", id)
}

// ErrTxDone is returned by every method of a transaction used after its
// function returned.
var ErrTxDone = errors.New("pgstore: transaction has ended")

// readTx is a transaction. A View gets it as an inbox.ReadTx; an Update gets
// the writeTx around it.
type readTx struct {
	s        *Store
	ctx      context.Context
	conn     *pgx.Conn
	inbox    string
	readOnly bool
	done     bool  // fn returned
	err      error // the first error of a statement: the transaction is dead
	// queued holds the writes not yet sent: they go with the next read, or
	// with the commit, in one round trip. emitted holds the events emitted
	// since, inserted by one statement before the next read.
	queued  pgx.Batch
	emitted eventRows

	row        inboxRow
	rowQueued  bool // row's read was queued (or sent)
	rowPending bool // row's read is queued, not sent: call load before using row
	dirty      bool // row's counters changed
	settings   *inbox.Settings
	rotation   *assign.Rotation
	prefetched []assign.Member // rotation members read with the row, in an Update
	// rotationWrites holds the IDs of the rotation members written: each is
	// saved (or deleted) once, at commit. Reads of the rotation go through
	// the rotation read when the transaction first asked.
	rotationWrites map[string]bool
	rotationStored map[string]bool // the IDs of the members the rotation table holds
	// tickets holds what fixes each ticket read or created in the
	// transaction, so that PutTicket checks it without a round trip.
	tickets map[int64]identity
	// threads holds the next message index of the tickets whose thread
	// length the transaction knows, and absent the message IDs and SMS keys
	// it found missing: AddMessage and CreateTicket queue what cannot
	// conflict.
	threads map[int64]int
	absent  map[uniqueKey]bool
	// ticketRow is where ticket rows are scanned; counted is the count
	// that a View's Tickets read with its page, if it did.
	ticketRow *ticketRow
	counted   *prefetched
}

// writeTx is a read-write transaction.
type writeTx struct{ readTx }

// inboxRow is the inbox's rows of the inboxes and counters tables.
type inboxRow struct {
	counted                                       bool // the counters have a row
	lastTicket, lastEvent, delivered, rotationSeq int64
	settings, officeHours                         []byte // JSON; nil when NULL
}

// begin queues the start of the transaction, to go with its first
// statement: BEGIN, and in an Update the lock of the inbox's row (inserted if
// it is new), the read of that row and of the first rotation members. A
// View reads the inbox's row only when it needs it (see load).
func (r *readTx) begin() {
	if r.readOnly {
		r.queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
		return
	}
	r.queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	// The store counts the tickets it inserts itself (see insertTicket).
	r.queue("SET LOCAL routedesk.counting = 'store'")
	// ON CONFLICT DO UPDATE locks the row it finds even when its WHERE
	// leaves it unchanged. The lock is FOR UPDATE: the Updates of the
	// inbox wait for it in turn.
	r.queue(r.s.sql(`INSERT INTO {s}.inboxes (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET id = excluded.id WHERE false`), r.inbox)
	r.queueRow()
	r.prefetched = []assign.Member{}
	r.queueQuery(r.s.sql(selectRotation+` LIMIT `+strconv.Itoa(rotationPrefetch+1)), []any{r.inbox}, collectRotation(&r.prefetched))
}

// queueRow queues the read of the inbox's row.
func (r *readTx) queueRow() {
	x := &r.row
	r.queueQuery(r.s.sql(`SELECT c.inbox IS NOT NULL, coalesce(c.last_ticket, 0), coalesce(c.last_event, 0), coalesce(c.delivered, 0),
		coalesce(c.rotation_seq, 0), i.settings, i.office_hours FROM {s}.inboxes AS i LEFT JOIN {s}.counters AS c ON c.inbox = i.id WHERE i.id = $1`),
		[]any{r.inbox}, func(rows pgx.Rows) error {
			return rows.Scan(&x.counted, &x.lastTicket, &x.lastEvent, &x.delivered, &x.rotationSeq, &x.settings, &x.officeHours)
		})
	r.rowQueued, r.rowPending = true, true
}

// load makes sure the inbox's row was read, sending what is queued if need
// be.
func (r *readTx) load() error {
	if !r.rowQueued {
		if err := r.usable(); err != nil {
			return err
		}
		r.queueRow()
	}
	if !r.rowPending {
		return r.usable()
	}
	return r.send()
}

// commit sends the queued writes, the rotation members written, the inbox's
// counters if they changed, and COMMIT, in one round trip.
func (w *writeTx) commit() error {
	w.queueEvents()
	if err := w.queueRotation(); err != nil {
		return err
	}
	if x := &w.row; w.dirty {
		q := `UPDATE {s}.counters SET last_ticket = $2, last_event = $3, delivered = $4, rotation_seq = $5 WHERE inbox = $1`
		if !x.counted {
			q = `INSERT INTO {s}.counters (inbox, last_ticket, last_event, delivered, rotation_seq) VALUES ($1, $2, $3, $4, $5)`
		}
		w.queue(w.s.sql(q), w.inbox, x.lastTicket, x.lastEvent, x.delivered, x.rotationSeq)
	}
	w.queue("COMMIT")
	return w.flush()
}

// rollback ends the transaction when it did not commit. A connection it
// cannot roll back is closed, and the pool drops it.
func (r *readTx) rollback() {
	r.done = true
	if r.conn.PgConn().TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 5*time.Second)
	defer cancel()
	if _, err := r.conn.Exec(ctx, "ROLLBACK"); err != nil {
		_ = r.conn.Close(ctx)
	}
}

// usable returns why the transaction cannot run a statement, if it cannot.
func (r *readTx) usable() error {
	switch {
	case r.done:
		return ErrTxDone
	case r.err != nil:
		return r.err
	}
	return r.ctx.Err()
}

// queue adds a statement to send with the next round trip.
func (r *readTx) queue(sql string, args ...any) {
	r.queued.Queue(sql, args...)
}

// send sends the queued statements, if the transaction can still run them.
func (r *readTx) send() error {
	if err := r.usable(); err != nil {
		return err
	}
	return r.flush()
}

// flush sends the queued statements. The first error kills the transaction:
// every later call returns it.
func (r *readTx) flush() error {
	err := r.conn.SendBatch(r.ctx, &r.queued).Close()
	r.queued, r.rowPending = pgx.Batch{}, false
	if err != nil {
		r.err = interpretError("transaction", err)
	}
	return r.err
}

// query sends the queued writes and the query q, and calls scan on each row
// of q's result.
func (r *readTx) query(q string, args []any, scan func(pgx.Rows) error) error {
	r.queueEvents()
	r.queueQuery(q, args, scan)
	return r.send()
}

// queueQuery queues the query q, to call scan on each row of its result.
func (r *readTx) queueQuery(q string, args []any, scan func(pgx.Rows) error) {
	r.queued.Queue(q, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// queryRow sends the queued writes and the query q, and scans the first row
// of its result into dest, reporting whether there was one.
func (r *readTx) queryRow(q string, args []any, dest ...any) (found bool, err error) {
	err = r.query(q, args, func(rows pgx.Rows) error {
		if found {
			return nil
		}
		found = true
		return rows.Scan(dest...)
	})
	return found && err == nil, err
}

// write queues a write in an Update: it is sent with the next read or the
// commit.
func (w *writeTx) write(sql string, args ...any) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.queue(sql, args...)
	return nil
}
