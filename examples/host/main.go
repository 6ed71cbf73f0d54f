// Command host is a small, real host of a routedesk inbox: the net/http JSON
// API that a web app calls, over the in-memory store or PostgreSQL.
//
//	go run ./examples/host                       # memstore, 127.0.0.1:8080
//	go run ./examples/host -postgres "$DATABASE_URL"
//
// It takes the inbound messages of the three channels as webhooks (web chat
// and email as JSON, SMS form-encoded as SMS providers post it), serves the
// agents' calls (presence, claim, assign, reply, snooze, close, tags, the
// three views, saved views, the report), runs the inbox's due-work loop
// (inbox.Inbox.Run) in the background, logs with log/slog, and shuts down
// gracefully on SIGINT or SIGTERM: the server stops taking connections,
// finishes the requests under way, and delivers the events they wrote.
//
// # Decisions of this example
//
//   - Who calls: the X-Actor and X-Role headers say it. A real host takes
//     both from its own session; this one trusts the caller, so it must never
//     face the internet as it is. A call without them is 401.
//   - Webhooks are host calls and take no actor. A real host checks the
//     provider's signature on each (Twilio's X-Twilio-Signature, say).
//   - The team: PUT /members/{id} stands in for the host's user directory,
//     which keeps the inbox's members in sync (inbox.Inbox.PutMember).
//     Whoever may change the settings (inbox.OpSettings) may call it.
//   - SMS consent comes from the host's subscription records. This host
//     keeps them in memory, changed by SMS keywords only: a STOP-like keyword
//     withdraws consent, a START-like one gives consent to transactional texts
//     (support replies are transactional). A customer who never texted START
//     has none, so a reply to them is 422.
//   - The Notifier logs each event; a real host sends replies, follow-up
//     emails and notifications through its providers there.
//   - Errors map to HTTP in one function (see httpError): bad input is 400
//     naming the field, no consent 422, a forbidden call 403, an unknown
//     ticket or view 404, a claim of a held ticket or a status move the
//     ticket cannot make 409.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/pgstore"
)

// shutdownTimeout is how long the requests under way get to finish when the
// host is told to stop.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], env{log: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "host:", err)
		os.Exit(1)
	}
}

// env is what run takes from its surroundings besides the flags; the tests
// give their own.
type env struct {
	log   io.Writer   // where logs and usage go
	clock inbox.Clock // nil: the system clock
	// listening, when not nil, is called with the server's address once it
	// listens.
	listening func(net.Addr)
}

// run serves the host's API until ctx ends, then shuts down gracefully. It
// returns nil after a clean shutdown, and after -h.
func run(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	fs.SetOutput(e.log)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on")
	pgURL := fs.String("postgres", "", "PostgreSQL `URL` of the store; without it the store is in memory")
	schema := fs.String("schema", pgstore.DefaultSchema, "PostgreSQL `schema` of the store, with -postgres")
	id := fs.String("inbox", "support", "`ID` of the inbox this host serves")
	domain := fs.String("mail-domain", "", "`domain` of the Message-IDs of email replies (default routedesk.invalid)")
	tick := fs.Duration("tick", time.Second, "how often due work and event delivery run")
	jsonLog := fs.Bool("json-log", false, "log JSON lines instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *tick <= 0 {
		return fmt.Errorf("-tick %v: want a positive duration", *tick)
	}
	var handler slog.Handler = slog.NewTextHandler(e.log, nil)
	if *jsonLog {
		handler = slog.NewJSONHandler(e.log, nil)
	}
	log := slog.New(handler)

	store, closeStore, err := openStore(ctx, *pgURL, *schema)
	if err != nil {
		return err
	}
	defer closeStore()
	opts := []inbox.Option{inbox.WithNotifier(logNotifier(log))}
	if e.clock != nil {
		opts = append(opts, inbox.WithClock(e.clock))
	}
	if *domain != "" {
		opts = append(opts, inbox.WithMessageIDDomain(*domain))
	}
	ib, err := inbox.New(store, *id, opts...)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newAPI(ib, log).routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "inbox", *id, "store", storeName(*pgURL))
	if e.listening != nil {
		e.listening(ln.Addr())
	}

	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = ib.Run(ctx, *tick, func(err error) { log.Error("due work", "err", err) })
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case serveErr = <-served:
	}
	down, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(down)
	<-loopDone
	// The last requests' events: deliver them now rather than at the next
	// start (an in-memory store would lose them).
	if n, err := ib.Deliver(down); err != nil {
		log.Error("delivering the last events", "err", err)
	} else if n > 0 {
		log.Info("delivered the last events", "events", n)
	}
	if serveErr != nil {
		return serveErr
	}
	if shutErr != nil {
		return shutErr
	}
	log.Info("stopped")
	return nil
}

// openStore opens the in-memory store, or with a URL the PostgreSQL store in
// schema, migrated. release closes it.
func openStore(ctx context.Context, url, schema string) (s inbox.Store, release func(), err error) {
	if url == "" {
		return memstore.New(), func() {}, nil
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, nil, fmt.Errorf("-postgres: %w", err)
	}
	if err := pgstore.Migrate(ctx, pool, pgstore.WithSchema(schema)); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	ps, err := pgstore.New(pool, pgstore.WithSchema(schema))
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return ps, pool.Close, nil
}

func storeName(url string) string {
	if url == "" {
		return "memory"
	}
	return "postgres"
}

// logNotifier logs each event of the inbox. A real host delivers the
// customer-facing ones (ReplySent, FollowUpSent, SMSNotification) through
// its providers here, returning an error to have the event tried again.
func logNotifier(log *slog.Logger) inbox.Notifier {
	return inbox.NotifierFunc(func(ctx context.Context, e inbox.Event) error {
		attrs := []slog.Attr{slog.Int64("seq", e.Seq), slog.String("type", e.Type.String())}
		add := func(key, value string) {
			if value != "" {
				attrs = append(attrs, slog.String(key, value))
			}
		}
		if e.Ticket != 0 {
			attrs = append(attrs, slog.Int64("ticket", e.Ticket))
		}
		add("actor", e.Actor)
		add("assignee", e.Assignee)
		if e.Decision != nil {
			add("reason", e.Decision.Reason())
		}
		if e.To.Valid() {
			add("status", e.To.String())
		}
		add("keyword", e.Keyword)
		if e.Message != nil {
			add("message_id", e.Message.ID)
			attrs = append(attrs, slog.Int("body_bytes", len(e.Message.Body)))
		}
		add("email_to", e.EmailTo)
		log.LogAttrs(ctx, slog.LevelInfo, "event", attrs...)
		return nil
	})
}
