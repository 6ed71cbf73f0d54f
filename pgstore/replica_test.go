package pgstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/pgstore"
	"github.com/routedesk/routedesk/status"
)

// workerVar holds a worker's replicaConfig as JSON: a test binary started
// with it runs TestReplicaWorker as one replica of TestReplicas.
const workerVar = "ROUTEDESK_REPLICA_WORKER"

// replicaConfig is what one worker process does.
type replicaConfig struct {
	Schema    string   // the store's schema
	Inbox     string   // the inbox under test, round robin on
	Twin      string   // a second inbox of the same schema that gets copies of some messages
	Process   int      // the worker's number, in its message IDs and application_name
	Customers int      // goroutines sending messages
	Messages  int      // messages each customer goroutine sends
	Phones    int      // the SMS numbers every process texts from
	Agents    []string // the agents whose presence this process owns, one goroutine each
	Tickers   int      // goroutines calling Tick
	Record    string   // the JSON lines file of what the process did
	Seed      uint64
}

// appName is the application_name of a worker's connections, by which the
// fault injector finds them: the schema keeps runs apart.
func appName(schema string, process int) string { return fmt.Sprintf("replica-%s-%d", schema, process) }

// record is one line of a worker's log: something it did and saw, written
// only once the call returned.
type record struct {
	Op     string `json:"op"` // msg, visitor, presence, signout, claim, reply, close, unassign, tick, error
	Inbox  string `json:"inbox,omitempty"`
	Kind   string `json:"kind,omitempty"` // msg: the channel
	ID     string `json:"id,omitempty"`   // msg: the channel's message ID
	Thread string `json:"thread,omitempty"`
	Action string `json:"action,omitempty"` // msg: Received.Action
	Ticket int64  `json:"ticket,omitempty"`
	// Email is the address a web chat message gave for its visitor.
	Email string `json:"email,omitempty"`
	// Agent is the agent for presence, claim, reply, close and unassign,
	// and the agent round robin chose for a new ticket.
	Agent string `json:"agent,omitempty"`
	// Presence is an agent's, or a web chat visitor's (Thread names the
	// conversation).
	Presence assign.Presence `json:"presence,omitzero"`
	// Ticker names the goroutine of a tick.
	Ticker string `json:"ticker,omitempty"`
	// Redelivery marks a message sent a second time on purpose.
	Redelivery bool `json:"redelivery,omitempty"`
	// Retried: the call failed (on the connection or server) at least once
	// before this outcome, so an earlier attempt may have committed.
	Retried bool `json:"retried,omitempty"`
	// Already: a claim found the ticket held by someone else.
	Already bool `json:"already,omitempty"`
	// Uncertain: a claim, close or give-back failed on the connection or
	// server; it may have committed.
	Uncertain bool      `json:"uncertain,omitempty"`
	Err       string    `json:"err,omitempty"`
	Before    time.Time `json:"before"`
	After     time.Time `json:"after"`
}

// recorder writes records to a file, one write per line, so a line that was
// written survives a SIGKILL of the process.
type recorder struct {
	mu sync.Mutex
	f  *os.File
}

func (r *recorder) add(rec record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err = r.f.Write(append(b, '\n'))
	return err
}

// readRecords reads a worker's log.
func readRecords(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

// TestReplicaWorker is one replica of TestReplicas, run in a process of its
// own; it skips when the test binary was not started as a worker.
func TestReplicaWorker(t *testing.T) {
	raw := os.Getenv(workerVar)
	if raw == "" {
		t.Skip("a worker process of TestReplicas: runs only when that test starts it")
	}
	var cfg replicaConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("%s: %v", workerVar, err)
	}
	pcfg, err := pgxpool.ParseConfig(os.Getenv(urlVar))
	if err != nil {
		t.Fatal(err)
	}
	pcfg.MaxConns = int32(cfg.Customers + len(cfg.Agents) + cfg.Tickers + 2)
	pcfg.ConnConfig.RuntimeParams["application_name"] = appName(cfg.Schema, cfg.Process)
	ctx := context.Background()
	p, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s, err := pgstore.New(p, pgstore.WithSchema(cfg.Schema))
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{cfg: cfg}
	if w.main, err = inbox.New(s, cfg.Inbox); err != nil {
		t.Fatal(err)
	}
	if w.twin, err = inbox.New(s, cfg.Twin); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(cfg.Record, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w.rec = &recorder{f: f}

	var customers, agents sync.WaitGroup
	errs := make(chan error, cfg.Customers+len(cfg.Agents)+cfg.Tickers)
	var done atomic.Bool
	for g := range cfg.Customers {
		customers.Go(func() {
			if err := w.customer(ctx, g); err != nil {
				errs <- fmt.Errorf("customer %d: %w", g, err)
			}
		})
	}
	for _, a := range cfg.Agents {
		agents.Go(func() {
			if err := w.agent(ctx, a, &done); err != nil {
				errs <- fmt.Errorf("agent %s: %w", a, err)
			}
		})
	}
	for k := range cfg.Tickers {
		agents.Go(func() {
			if err := w.ticker(ctx, k, &done); err != nil {
				errs <- fmt.Errorf("ticker %d: %w", k, err)
			}
		})
	}
	customers.Wait()
	done.Store(true)
	agents.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// worker is one replica's state.
type worker struct {
	cfg        replicaConfig
	main, twin *inbox.Inbox
	rec        *recorder
}

// maxOutage is how long a worker keeps retrying a call that fails on the
// connection or the server before it gives up.
const maxOutage = time.Minute

// call runs op until it succeeds or fails with an error of the inbox's
// rules (which it returns), retrying any other error (a lost connection, a
// server restarting) and recording each as an "error" line. It reports
// whether op failed at least once, and the time of the first attempt.
func (w *worker) call(op string, fn func() error) (before time.Time, retried bool, err error) {
	before = time.Now()
	for {
		err = fn()
		if err == nil || rulesError(err) {
			return before, retried, err
		}
		if rerr := w.rec.add(record{Op: "error", Action: op, Err: err.Error(), Before: time.Now(), After: time.Now()}); rerr != nil {
			return before, retried, rerr
		}
		if time.Since(before) > maxOutage {
			return before, retried, fmt.Errorf("%s: still failing after %s: %w", op, maxOutage, err)
		}
		retried = true
		time.Sleep(time.Duration(5+rand.IntN(20)) * time.Millisecond)
	}
}

// rulesError reports whether err is the inbox's answer rather than a
// failure of the store's connection or server.
func rulesError(err error) bool {
	for _, target := range []error{inbox.ErrAlreadyAssigned, inbox.ErrNotFound, inbox.ErrForbidden, inbox.ErrInvalid, status.ErrInvalidTransition} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// visitor is a web chat conversation of a customer goroutine, and whether
// its visitor is away.
type visitor struct {
	conversation, email string
	away                bool
}

// customer sends cfg.Messages messages on all three channels: web chat
// conversations and email threads of its own (replies refer to earlier
// Message-IDs), and texts from the phones every process shares. One in ten
// also goes to the twin inbox; one text in twenty is delivered twice. Three
// web chat visitors in four give an email address; a visitor goes away after
// half of their messages, and now and then one comes back (to write, or only
// to read and perhaps leave again).
func (w *worker) customer(ctx context.Context, g int) error {
	rng := rand.New(rand.NewPCG(w.cfg.Seed, uint64(w.cfg.Process*1000+g)))
	var chats []*visitor
	var threads [][]string // the Message-IDs of each email thread, oldest first
	for i := range w.cfg.Messages {
		id := fmt.Sprintf("%d-%d-%d", w.cfg.Process, g, i)
		body := "message " + id
		var in channel.Inbound
		var v *visitor
		thread := ""
		switch i % 3 {
		case 0:
			if len(chats) == 0 || rng.IntN(4) == 0 {
				v = &visitor{conversation: "chat-" + id}
				if rng.IntN(4) != 0 {
					v.email = v.conversation + "@visitor.example"
				}
				chats = append(chats, v)
			} else {
				v = chats[rng.IntN(len(chats))]
			}
			if v.away && rng.IntN(3) == 0 {
				if err := w.visit(ctx, v, true); err != nil {
					return err
				}
			}
			thread = v.conversation
			in = channel.Inbound{Kind: channel.WebChat, Body: body, WebChat: channel.WebChatFields{
				Conversation: thread, Visitor: "visitor-" + thread, MessageID: "wc-" + id, Email: v.email}}
		case 1:
			mid := "em-" + id + "@customer.example"
			e := channel.EmailFields{MessageID: mid, To: []string{"help@shop.example"}}
			k := len(threads)
			if k == 0 || rng.IntN(3) == 0 {
				threads = append(threads, nil)
				e.Subject = "order " + id
			} else {
				k = rng.IntN(len(threads))
				refs := threads[k]
				e.Subject = "Re: order"
				e.InReplyTo = []string{refs[len(refs)-1]}
				e.References = refs[max(0, len(refs)-channel.MaxMessageIDs):]
			}
			threads[k] = append(threads[k], mid)
			thread = fmt.Sprintf("thread-%d-%d-%d", w.cfg.Process, g, k)
			e.From = thread + "@customer.example"
			in = channel.Inbound{Kind: channel.Email, Body: body, Email: e}
		default:
			thread = fmt.Sprintf("+1555000%04d", rng.IntN(w.cfg.Phones))
			in = channel.Inbound{Kind: channel.SMS, Body: body, SMS: channel.SMSFields{
				From: thread, To: "+15559990000", MessageID: "sm-" + id}}
		}
		if err := w.receive(ctx, w.main, in, thread, false); err != nil {
			return err
		}
		if v != nil {
			v.away = false // writing brought them back
			if rng.IntN(2) == 0 {
				if err := w.visit(ctx, v, false); err != nil {
					return err
				}
			}
		}
		if in.Kind == channel.SMS && rng.IntN(20) == 0 {
			if err := w.receive(ctx, w.main, in, thread, true); err != nil {
				return err
			}
		}
		if rng.IntN(10) == 0 {
			if err := w.receive(ctx, w.twin, in, thread, false); err != nil {
				return err
			}
		}
		if len(chats) > 0 && rng.IntN(8) == 0 {
			v := chats[rng.IntN(len(chats))]
			if err := w.visit(ctx, v, v.away); err != nil {
				return err
			}
			if !v.away && rng.IntN(2) == 0 {
				if err := w.visit(ctx, v, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// visit reports a web chat visitor online or away, and records it.
func (w *worker) visit(ctx context.Context, v *visitor, online bool) error {
	before, retried, err := w.call("visitor", func() error { return w.main.SetVisitorOnline(ctx, v.conversation, online) })
	if err != nil {
		return err
	}
	v.away = !online
	p := assign.Offline
	if online {
		p = assign.Online
	}
	return w.rec.add(record{Op: "visitor", Thread: v.conversation, Presence: p, Retried: retried, Before: before, After: time.Now()})
}

// receive passes one message to ib and records the outcome.
func (w *worker) receive(ctx context.Context, ib *inbox.Inbox, in channel.Inbound, thread string, redelivery bool) error {
	var r inbox.Received
	before, retried, err := w.call("receive", func() (err error) {
		r, err = ib.Receive(ctx, in)
		return err
	})
	if err != nil {
		return err
	}
	rec := record{Op: "msg", Inbox: ib.ID(), Kind: in.Kind.String(), ID: in.MessageKey(), Thread: thread,
		Action: r.Action.String(), Ticket: r.Ticket, Email: in.WebChat.Email, Redelivery: redelivery, Retried: retried, Before: before, After: time.Now()}
	if r.Decision != nil {
		rec.Agent = r.Decision.Agent
	}
	return w.rec.add(rec)
}

// agent plays one agent until done: it goes online and offline (signing out
// now and then), replies to a web chat of its own (now and then twice),
// closes and gives back tickets of its own, and claims a ticket of
// Unassigned, racing the agents of the other processes.
func (w *worker) agent(ctx context.Context, id string, done *atomic.Bool) error {
	rng := rand.New(rand.NewPCG(w.cfg.Seed, uint64(len(id))<<32|uint64(w.cfg.Process)))
	a := inbox.Actor{ID: id, Role: inbox.Support}
	online := false
	for !done.Load() {
		online = !online
		p, op := assign.Offline, "presence"
		if online {
			p = assign.Online
		}
		set := func() error { return w.main.SetPresence(ctx, a, id, p) }
		if !online && rng.IntN(3) == 0 {
			op, set = "signout", func() error { return w.main.SignOut(ctx, id) }
		}
		if err := w.act(op, id, 0, set, func(r *record) { r.Presence = p }); err != nil {
			return err
		}
		time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)

		mine, err := w.firstPage(ctx, a, inbox.Mine)
		if err != nil {
			return err
		}
		var chats []int64
		for _, tk := range mine {
			if tk.Channel == channel.WebChat {
				chats = append(chats, tk.Number)
			}
		}
		if len(chats) > 0 {
			n := chats[rng.IntN(len(chats))]
			for k := range 1 + boolInt(rng.IntN(4) == 0) {
				reply := func() error {
					_, err := w.main.Reply(ctx, a, n, fmt.Sprintf("reply %d from %s", k, id), channel.Consent{})
					return err
				}
				if err := w.act("reply", id, n, reply, nil); err != nil {
					return err
				}
			}
		}
		if n := len(mine); n > 0 {
			last := mine[n-1].Number
			if err := w.act("close", id, last, func() error { return w.main.Close(ctx, a, last) }, nil); err != nil {
				return err
			}
			if n > 1 && rng.IntN(2) == 0 {
				first := mine[0].Number
				if err := w.act("unassign", id, first, func() error { return w.main.Unassign(ctx, a, first) }, nil); err != nil {
					return err
				}
			}
		}
		waiting, err := w.firstPage(ctx, a, inbox.Unassigned)
		if err != nil {
			return err
		}
		if len(waiting) > 0 {
			n := waiting[rng.IntN(len(waiting))].Number
			claim := func() error { return w.main.Claim(ctx, a, n) }
			if err := w.act("claim", id, n, claim, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// act runs an agent's call and records it; a claim that finds the ticket
// taken is recorded as such. Presence changes are retried until they
// succeed (setting the same presence again changes nothing). A claim,
// reply, close or give-back is not: between a lost answer and a retry
// another agent may have changed the ticket (and a reply would be sent
// twice), so a failed one is recorded as Uncertain.
func (w *worker) act(op, agent string, ticket int64, fn func() error, fill func(*record)) error {
	before, retried, err := time.Now(), false, error(nil)
	if op == "presence" || op == "signout" {
		before, retried, err = w.call(op, fn)
	} else if err = fn(); err != nil && !rulesError(err) {
		return w.rec.add(record{Op: op, Agent: agent, Ticket: ticket, Uncertain: true, Err: err.Error(), Before: before, After: time.Now()})
	}
	rec := record{Op: op, Agent: agent, Ticket: ticket, Retried: retried, Before: before, After: time.Now()}
	switch {
	case op == "claim" && errors.Is(err, inbox.ErrAlreadyAssigned):
		rec.Already = true
	case err != nil:
		return fmt.Errorf("%s ticket %d: %w", op, ticket, err)
	}
	if fill != nil {
		fill(&rec)
	}
	return w.rec.add(rec)
}

// ticker calls Tick until done, as every replica's due-work loop does, and
// records each call.
func (w *worker) ticker(ctx context.Context, k int, done *atomic.Bool) error {
	rng := rand.New(rand.NewPCG(w.cfg.Seed, 1<<48|uint64(w.cfg.Process)<<16|uint64(k)))
	name := fmt.Sprintf("ticker-%d-%d", w.cfg.Process, k)
	for !done.Load() {
		before, retried, err := w.call("tick", func() error { return w.main.Tick(ctx) })
		if err != nil {
			return err
		}
		if err := w.rec.add(record{Op: "tick", Ticker: name, Retried: retried, Before: before, After: time.Now()}); err != nil {
			return err
		}
		time.Sleep(tickEvery/2 + time.Duration(rng.Int64N(int64(tickEvery))))
	}
	return nil
}

// firstPage reads the first ten tickets of a view, oldest first.
func (w *worker) firstPage(ctx context.Context, a inbox.Actor, v inbox.View) ([]inbox.Ticket, error) {
	var page inbox.Page
	_, _, err := w.call("tickets", func() (err error) {
		page, err = w.main.Tickets(ctx, a, inbox.Query{View: v, Order: inbox.OldestFirst, Limit: 10})
		return err
	})
	return page.Tickets, err
}

// replicaRun is one run of TestReplicas' processes over a new schema.
type replicaRun struct {
	t       *testing.T
	store   *pgstore.Store
	dir     string
	stable  []string // agents online all along, owned by the test process
	configs []replicaConfig
	cmds    []*exec.Cmd
}

// The shape of a run: processes, their goroutines, and the team.
const (
	replicaProcesses  = 4
	replicaCustomers  = 3
	agentsPerProcess  = 2
	tickersPerProcess = 2
	stableAgents      = 3
	replicaPhones     = 40
)

// The automations of the run's inbox, short enough that many fire while
// it runs, and the ticker's mean wait between two Ticks.
const (
	followUpAfter  = 80 * time.Millisecond
	notifyInterval = 150 * time.Millisecond
	replyCooldown  = 200 * time.Millisecond
	tickEvery      = 100 * time.Millisecond
	supportEmail   = "help@shop.example"
)

// notifyRecipients are the addresses the run's SMS notifications go to.
var notifyRecipients = []string{"lead@shop.example", "night@shop.example"}

// autoReplyTemplate is the run's SMS auto-reply, and autoReplyText the
// reply it renders to.
const (
	autoReplyTemplate = "{{organization_prefix}}: reply YES to get texts from us, or email {{email}}."
	autoReplyText     = "Shop: reply YES to get texts from us, or email help@shop.example."
)

// newReplicaRun sets up the inbox (its team, the stable agents online, round
// robin, the follow-up email, SMS notifications and the SMS auto-responder
// on) and the configs of the workers, each sending messages messages
// from each customer goroutine.
func newReplicaRun(t *testing.T, messages int) *replicaRun {
	t.Helper()
	if testing.Short() {
		messages /= 4
	}
	schema := newSchema(t)
	s, err := pgstore.New(testPool(t), pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	r := &replicaRun{t: t, store: s, dir: t.TempDir()}
	ctx := context.Background()
	ib := r.inbox("main", nil)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	for p := range replicaProcesses {
		cfg := replicaConfig{Schema: schema, Inbox: "main", Twin: "twin", Process: p, Customers: replicaCustomers,
			Tickers: tickersPerProcess, Messages: messages, Phones: replicaPhones, Record: filepath.Join(r.dir, fmt.Sprint("process-", p, ".jsonl")), Seed: seed}
		for k := range agentsPerProcess {
			cfg.Agents = append(cfg.Agents, fmt.Sprintf("agent-%d-%d", p, k))
		}
		r.configs = append(r.configs, cfg)
	}
	for i := range stableAgents {
		r.stable = append(r.stable, fmt.Sprint("stable-", i))
	}
	for _, id := range r.stable {
		r.must(ib.PutMember(ctx, inbox.Member{ID: id, Name: id, Role: inbox.Support}))
		r.must(ib.SetPresence(ctx, inbox.Actor{ID: id, Role: inbox.Support}, id, assign.Online))
	}
	for _, cfg := range r.configs {
		for _, id := range cfg.Agents {
			r.must(ib.PutMember(ctx, inbox.Member{ID: id, Name: id, Role: inbox.Support}))
		}
	}
	on, prefix, support := true, "Shop", supportEmail
	_, err = ib.UpdateSettings(ctx, r.owner(), inbox.SettingsPatch{RoundRobin: &on, OrganizationPrefix: &prefix, SupportEmail: &support,
		FollowUp:     &inbox.FollowUp{On: true, After: followUpAfter},
		SMSNotify:    &inbox.SMSNotify{On: true, Recipients: notifyRecipients, Interval: notifyInterval},
		SMSAutoReply: &inbox.SMSAutoReply{On: true, Template: autoReplyTemplate, Cooldown: replyCooldown}})
	r.must(err)
	return r
}

func (r *replicaRun) must(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

// owner is the actor the checks read as.
func (r *replicaRun) owner() inbox.Actor { return inbox.Actor{ID: r.stable[0], Role: inbox.Owner} }

// inbox opens an inbox of the run's store.
func (r *replicaRun) inbox(id string, n inbox.Notifier) *inbox.Inbox {
	r.t.Helper()
	opts := []inbox.Option{}
	if n != nil {
		opts = append(opts, inbox.WithNotifier(n))
	}
	ib, err := inbox.New(r.store, id, opts...)
	r.must(err)
	return ib
}

// start starts the worker processes: this test binary again, running
// TestReplicaWorker.
func (r *replicaRun) start() {
	r.t.Helper()
	for _, cfg := range r.configs {
		raw, err := json.Marshal(cfg)
		r.must(err)
		out, err := os.Create(filepath.Join(r.dir, fmt.Sprint("process-", cfg.Process, ".out")))
		r.must(err)
		r.t.Cleanup(func() { out.Close() })
		cmd := exec.Command(os.Args[0], "-test.run=^TestReplicaWorker$", "-test.v", "-test.timeout=5m")
		cmd.Env = append(os.Environ(), workerVar+"="+string(raw))
		cmd.Stdout, cmd.Stderr = out, out
		r.must(cmd.Start())
		r.cmds = append(r.cmds, cmd)
	}
	r.t.Cleanup(func() {
		for _, c := range r.cmds {
			if c.ProcessState == nil {
				_ = c.Process.Kill()
				_ = c.Wait()
			}
		}
	})
}

// wait waits for the workers; those in killed were killed on purpose.
// Any other that failed fails the test, with its output.
func (r *replicaRun) wait(killed map[int]bool) {
	r.t.Helper()
	for i, c := range r.cmds {
		err := c.Wait()
		if err != nil && !killed[i] {
			out, _ := os.ReadFile(filepath.Join(r.dir, fmt.Sprint("process-", i, ".out")))
			r.t.Errorf("worker %d: %v\n%s", i, err, out)
		}
	}
	if r.t.Failed() {
		r.t.FailNow()
	}
}

// TestReplicas runs four worker processes of five goroutines each over one
// inbox: three send web chat, email and SMS messages, two play agents who
// go online and offline, close, give back and claim tickets; round robin is
// on, and three agents stay online throughout. Every process logs what it
// did and saw; checkReplicas then holds the logs against the database.
func TestReplicas(t *testing.T) {
	r := newReplicaRun(t, 300)
	r.start()
	r.wait(nil)
	st := r.check(nil)
	t.Logf("%s", st)
}
