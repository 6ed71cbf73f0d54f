package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/pgstore"
	"github.com/routedesk/routedesk/status"
)

// ticket returns an open ticket of the channel with the key.
func ticket(kind channel.Kind, key string) inbox.Ticket {
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	return inbox.Ticket{Channel: kind, Customer: "customer", Key: key, Status: status.Open, CreatedAt: at, ActiveAt: at}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	// A pool connects only when a connection is first acquired, and New and
	// the checks of Migrate do no I/O: no server is needed.
	p, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, c := range map[string]struct {
		pool *pgxpool.Pool
		opts []pgstore.Option
	}{
		"nil pool":        {nil, nil},
		"empty schema":    {p, []pgstore.Option{pgstore.WithSchema("")}},
		"long schema":     {p, []pgstore.Option{pgstore.WithSchema(strings.Repeat("s", 64))}},
		"NUL in schema":   {p, []pgstore.Option{pgstore.WithSchema("a\x00b")}},
		"no attempts":     {p, []pgstore.Option{pgstore.WithMaxAttempts(0)}},
		"not UTF-8":       {p, []pgstore.Option{pgstore.WithSchema("\xff")}},
		"negative tries":  {p, []pgstore.Option{pgstore.WithMaxAttempts(-1)}},
		"last one counts": {p, []pgstore.Option{pgstore.WithSchema("ok"), pgstore.WithSchema("")}},
	} {
		if _, err := pgstore.New(c.pool, c.opts...); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("New with %s: %v, want an error matching ErrInvalid", name, err)
		}
		if err := pgstore.Migrate(context.Background(), c.pool, c.opts...); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("Migrate with %s: %v, want an error matching ErrInvalid", name, err)
		}
	}
	for _, schema := range []string{"routedesk", "Support Desk", `we"ird`, strings.Repeat("s", 63)} {
		if _, err := pgstore.New(p, pgstore.WithSchema(schema), pgstore.WithMaxAttempts(1)); err != nil {
			t.Errorf("New with schema %q: %v", schema, err)
		}
	}
}

// count returns the result of a count query.
func count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := testPool(t).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	p := testPool(t)
	ctx := context.Background()
	files, err := fs.Glob(pgstore.Migrations, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("Migrations holds %v (%v)", files, err)
	}
	schema := `Mixed "Case" ` + t.Name() + fmt.Sprint(time.Now().UnixNano())
	q := pgx.Identifier{schema}.Sanitize()
	t.Cleanup(func() { _, _ = p.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+q+` CASCADE`) })
	// Replicas starting together: one migrates, the others wait and find
	// nothing to do.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = pgstore.Migrate(ctx, p, pgstore.WithSchema(schema)) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
	if err := pgstore.Migrate(ctx, p, pgstore.WithSchema(schema)); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	if n := count(t, `SELECT count(*) FROM `+q+`.migrations`); n != len(files) {
		t.Errorf("%d migrations recorded, want %d", n, len(files))
	}
	s, err := pgstore.New(p, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		_, err := tx.CreateTicket(ticket(channel.Email, ""))
		return err
	}); err != nil {
		t.Fatalf("a store in the migrated schema: %v", err)
	}
}

// TestMigrationsByHand applies Migrations as a host's own migration tool
// would: each file in order, with search_path set to the schema.
func TestMigrationsByHand(t *testing.T) {
	t.Parallel()
	p := testPool(t)
	ctx := context.Background()
	schema := fmt.Sprint("by_hand_", time.Now().UnixNano())
	t.Cleanup(func() { _, _ = p.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	files, _ := fs.Glob(pgstore.Migrations, "*.sql")
	err := pgx.BeginFunc(ctx, p, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA `+schema+`; SET LOCAL search_path TO `+schema); err != nil {
			return err
		}
		for _, f := range files {
			sql, err := fs.ReadFile(pgstore.Migrations, f)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.New(p, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	err = s.Update(ctx, "a", func(tx inbox.Tx) (err error) {
		got, err = tx.CreateTicket(ticket(channel.SMS, "+15550001"))
		return err
	})
	if err != nil || got != 1 {
		t.Fatalf("CreateTicket in a schema migrated by hand: ticket %d, %v", got, err)
	}
}

// schemaAt makes the schema named name as Migrate leaves it at the given
// version, for a test of the upgrade from there: it applies the first
// version files of Migrations and records them in the migrations table,
// then runs fill (SQL that names no schema) in it. It returns the name
// quoted; the schema is dropped when the test ends.
func schemaAt(t *testing.T, name string, version int, fill string) string {
	t.Helper()
	p := testPool(t)
	q := pgx.Identifier{name}.Sanitize()
	t.Cleanup(func() { _, _ = p.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+q+` CASCADE`) })
	files, err := fs.Glob(pgstore.Migrations, "*.sql") // in version order
	if err != nil || len(files) < version {
		t.Fatalf("Migrations holds %v (%v), not version %d", files, err, version)
	}
	sql := `CREATE SCHEMA ` + q + `; SET LOCAL search_path TO ` + q + `;
		CREATE TABLE migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`
	for i, f := range files[:version] {
		text, err := fs.ReadFile(pgstore.Migrations, f)
		if err != nil {
			t.Fatal(err)
		}
		sql += string(text) + fmt.Sprintf(";\nINSERT INTO migrations (version, name) VALUES (%d, '%s');\n", i+1, strings.TrimSuffix(f[5:], ".sql"))
	}
	if err := pgx.BeginFunc(context.Background(), p, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql+fill)
		return err
	}); err != nil {
		t.Fatalf("schema at version %d: %v", version, err)
	}
	return q
}

// upgraded makes the schema at version with fill (see schemaAt), migrates it
// to the latest version and returns its quoted name and a Store on it.
func upgraded(t *testing.T, name string, version int, fill string) (string, *pgstore.Store) {
	t.Helper()
	q := schemaAt(t, name, version, fill)
	p := testPool(t)
	if err := pgstore.Migrate(context.Background(), p, pgstore.WithSchema(name)); err != nil {
		t.Fatalf("Migrate from version %d: %v", version, err)
	}
	s, err := pgstore.New(p, pgstore.WithSchema(name))
	if err != nil {
		t.Fatal(err)
	}
	return q, s
}

// TestMigrateFromVersion1 upgrades a schema that a host migrated to version
// 1 and filled before the automations: its rows read with the automations'
// fields zero, and take the new ones.
func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := fmt.Sprint("from_v1_", time.Now().UnixNano())
	_, s := upgraded(t, schema, 1, `INSERT INTO inboxes (id) VALUES ('a');
		INSERT INTO counters VALUES ('a', 1, 0, 0, 0);
		INSERT INTO tickets VALUES ('a', 1, 'sms', 'sms:+15550001', '+15550001', '', 'open', '', '{}', true,
			'2025-03-03 09:00Z', '2025-03-03 09:00Z', NULL, NULL, NULL);
		INSERT INTO messages VALUES ('a', 1, 0, 'sms', 1, 'sms:+15550001', 'SM1', 'hi', '2025-03-03 09:00Z', false)`)
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	want := inbox.Ticket{Number: 1, Channel: channel.SMS, Customer: "sms:+15550001", Key: "+15550001", Status: status.Open,
		Unread: true, CreatedAt: at, ActiveAt: at}
	wantThread := []inbox.Message{{Ticket: 1, Direction: inbox.Inbound, Author: "sms:+15550001", ID: "SM1", Body: "hi", At: at}}
	err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		got, err := tx.Ticket(1)
		if err != nil {
			return err
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("a ticket of version 1 (-want +got):\n%s", d)
		}
		thread, err := tx.Messages(1, math.MaxInt, 10)
		if err != nil {
			return err
		}
		if d := cmp.Diff(wantThread, thread); d != "" {
			t.Errorf("a thread of version 1 (-want +got):\n%s", d)
		}
		got.LastCustomerAt, got.FollowUpAt, got.CustomerAway = at, at.Add(time.Minute), true
		return tx.PutTicket(got)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, "a", func(tx inbox.ReadTx) error {
		due, err := tx.FollowUpDue(at.Add(time.Hour), 10)
		if d := cmp.Diff([]int64{1}, due); err == nil && d != "" {
			t.Errorf("FollowUpDue after the upgrade (-want +got):\n%s", d)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateEventNames upgrades a schema at version 6 whose events have
// the JSON form of before migration 7 (a decision's fields by their Go
// names, a message's direction by number): they read as they were written,
// and their JSON has the names of today.
func TestMigrateEventNames(t *testing.T) {
	t.Parallel()
	p := testPool(t)
	ctx := context.Background()
	schema := fmt.Sprint(schemaPrefix, "event_names")
	q, s := upgraded(t, schema, 6, `INSERT INTO inboxes (id) VALUES ('a');
		INSERT INTO counters VALUES ('a', 1, 4, 0, 0);
		INSERT INTO tickets (inbox, number, channel, customer, key, subject, status, assignee, tags, unread, created_at, active_at)
			VALUES ('a', 1, 'webchat', 'webchat:v', 'c1', '', 'open', 'ann', '{}', true, '2025-03-03 09:00Z', '2025-03-03 09:00Z');
		INSERT INTO events (inbox, seq, ticket, type, at, event) VALUES
		('a', 1, 1, 'ticket_assigned', '2025-03-03 09:00Z', '{"seq":1,"inbox":"a","type":"ticket_assigned","at":"2025-03-03T09:00:00Z","ticket":1,"assignee":"ann",
			"decision":{"Agent":"ann","Closed":false,"Seq":7,"Eligible":2,"Offline":1,"AtCapacity":3,"OutsideHours":4}}'),
		('a', 2, 1, 'message_received', '2025-03-03 09:00Z', '{"seq":2,"inbox":"a","type":"message_received","at":"2025-03-03T09:00:00Z","ticket":1,
			"message":{"ticket":1,"index":0,"direction":1,"author":"webchat:v","body":"hi","at":"2025-03-03T09:00:00Z"}}'),
		('a', 3, 1, 'follow_up_sent', '2025-03-03 09:00Z', '{"seq":3,"inbox":"a","type":"follow_up_sent","at":"2025-03-03T09:00:00Z","ticket":1,
			"email_to":"v@example.com","messages":[{"ticket":1,"index":1,"direction":2,"author":"ann","body":"a","at":"2025-03-03T09:00:00Z"},
			{"ticket":1,"index":2,"direction":0,"author":"ann","body":"b","at":"2025-03-03T09:00:00Z"}]}'),
		('a', 4, NULL, 'presence_changed', '2025-03-03 09:00Z', '{"seq":4,"inbox":"a","type":"presence_changed","at":"2025-03-03T09:00:00Z","actor":"ann","presence":"online"}')`)
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	online := assign.Online
	want := []inbox.Event{
		{Seq: 1, Inbox: "a", Type: inbox.TicketAssigned, At: at, Ticket: 1, Assignee: "ann",
			Decision: &assign.Decision{Agent: "ann", Seq: 7, Eligible: 2, Offline: 1, AtCapacity: 3, OutsideHours: 4}},
		{Seq: 2, Inbox: "a", Type: inbox.MessageReceived, At: at, Ticket: 1,
			Message: &inbox.Message{Ticket: 1, Direction: inbox.Inbound, Author: "webchat:v", Body: "hi", At: at}},
		{Seq: 3, Inbox: "a", Type: inbox.FollowUpSent, At: at, Ticket: 1, EmailTo: "v@example.com", Messages: []inbox.Message{
			{Ticket: 1, Index: 1, Direction: inbox.Outbound, Author: "ann", Body: "a", At: at},
			{Ticket: 1, Index: 2, Author: "ann", Body: "b", At: at}}},
		{Seq: 4, Inbox: "a", Type: inbox.PresenceChanged, At: at, Actor: "ann", Presence: &online},
	}
	err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
		got, err := tx.Outbox(0, 10)
		if d := cmp.Diff(want, got); err == nil && d != "" {
			t.Errorf("the events of version 6 (-want +got):\n%s", d)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var stale int
	if err := p.QueryRow(ctx, `SELECT count(*) FROM `+q+`.events
		WHERE event::text ~ '"(Agent|AtCapacity|OutsideHours)"|"direction": *[0-9]'`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d events keep the names of before migration 7 (%v)", stale, err)
	}
}

// TestInvalidInput checks that what PostgreSQL cannot keep is refused with
// an error matching ErrInvalid, and that the transaction goes on.
func TestInvalidInput(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	long := strings.Repeat("x", 1025)
	tooLate := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
	withTicket := func(edit func(*inbox.Ticket)) inbox.Ticket {
		tk := ticket(channel.WebChat, "c1")
		edit(&tk)
		return tk
	}
	err := s.Update(context.Background(), "a", func(tx inbox.Tx) error {
		good := func() error { _, err := tx.CreateTicket(ticket(channel.Email, "")); return err }
		if err := good(); err != nil {
			return err
		}
		for name, call := range map[string]func() error{
			"NUL in a customer": func() error {
				_, err := tx.CreateTicket(withTicket(func(t *inbox.Ticket) { t.Customer = "a\x00" }))
				return err
			},
			"bad UTF-8 in a subject": func() error {
				_, err := tx.CreateTicket(withTicket(func(t *inbox.Ticket) { t.Subject = "\xc3\x28" }))
				return err
			},
			"a long key": func() error {
				_, err := tx.CreateTicket(withTicket(func(t *inbox.Ticket) { t.Key = long }))
				return err
			},
			"a long tag": func() error {
				_, err := tx.CreateTicket(withTicket(func(t *inbox.Ticket) { t.Tags = []string{long} }))
				return err
			},
			"a time too late": func() error {
				_, err := tx.CreateTicket(withTicket(func(t *inbox.Ticket) { t.ActiveAt = tooLate }))
				return err
			},
			"a put time": func() error {
				return tx.PutTicket(withTicket(func(t *inbox.Ticket) { t.Number, t.ClosedAt = 1, tooLate }))
			},
			"a message body": func() error {
				_, err := tx.AddMessage(channel.Email, inbox.Message{Ticket: 1, Body: "\x00"})
				return err
			},
			"a long message ID": func() error { _, err := tx.AddMessage(channel.Email, inbox.Message{Ticket: 1, ID: long}); return err },
			"a message time": func() error {
				_, err := tx.AddMessage(channel.Email, inbox.Message{Ticket: 1, At: tooLate})
				return err
			},
			"an event actor": func() error { _, err := tx.Emit(inbox.Event{Type: inbox.TicketCreated, Actor: "\xff"}); return err },
			"an event tag": func() error {
				_, err := tx.Emit(inbox.Event{Type: inbox.TagsChanged, Tags: []string{"\x00"}})
				return err
			},
			"an event in year 10000": func() error {
				_, err := tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
				return err
			},
			"an event type":   func() error { _, err := tx.Emit(inbox.Event{Type: 77}); return err },
			"a member name":   func() error { return tx.PutMember(inbox.Member{ID: "ann", Name: "\x00"}) },
			"a member joined": func() error { return tx.PutMember(inbox.Member{ID: "ann", Joined: math.MaxUint64}) },
			"a presence":      func() error { return tx.PutMember(inbox.Member{ID: "ann", Presence: 9}) },
			"a rotation last": func() error {
				return tx.PutRotationMember(assign.Member{ID: "ann", Last: math.MaxInt64 + 1})
			},
			"hours of another kind": func() error {
				return tx.PutRotationMember(assign.Member{ID: "ann", Hours: otherHours(nil)})
			},
			"nil schedule hours": func() error {
				return tx.PutRotationMember(assign.Member{ID: "ann", Hours: (*officehours.Schedule)(nil)})
			},
			"a view name":  func() error { return tx.PutSavedView(inbox.SavedView{ID: "v", Name: "\xff"}) },
			"a view query": func() error { return tx.PutSavedView(inbox.SavedView{ID: "v", Query: inbox.Query{View: 9}}) },
			"a follow-up time": func() error {
				return tx.PutTicket(withTicket(func(t *inbox.Ticket) { t.Number, t.FollowUpAt = 1, tooLate }))
			},
			"a message attribution origin": func() error {
				_, err := tx.AddMessage(channel.SMS, inbox.Message{Ticket: 1, Attribution: &channel.Sent{ID: "C1"}})
				return err
			},
			"a message attribution in year 10000": func() error {
				_, err := tx.AddMessage(channel.SMS, inbox.Message{Ticket: 1,
					Attribution: &channel.Sent{ID: "C1", Origin: channel.Flow, At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}})
				return err
			},
			"an event recipient": func() error {
				_, err := tx.Emit(inbox.Event{Type: inbox.SMSNotification, Recipients: []string{"a\x00"}})
				return err
			},
			"an event's email sender": func() error {
				_, err := tx.Emit(inbox.Event{Type: inbox.FollowUpSent, EmailFrom: "\xff"})
				return err
			},
			"a message of an event's list": func() error {
				_, err := tx.Emit(inbox.Event{Type: inbox.FollowUpSent, Messages: []inbox.Message{{Body: "ok"}, {Body: "\x00"}}})
				return err
			},
			"a customer email":    func() error { return tx.PutCustomer(inbox.Customer{Key: "k", Email: "\xff"}) },
			"a long customer key": func() error { return tx.PutCustomer(inbox.Customer{Key: long}) },
			"a customer's text origin": func() error {
				return tx.PutCustomer(inbox.Customer{Key: "k", Sent: []channel.Sent{{ID: "C1", Origin: 7}}})
			},
			"a customer's auto-reply time": func() error { return tx.PutCustomer(inbox.Customer{Key: "k", AutoRepliedAt: tooLate}) },
			"a settings template": func() error {
				return tx.PutSettings(inbox.Settings{SMSAutoReply: inbox.SMSAutoReply{Template: "\x00"}})
			},
			"a settings recipient": func() error {
				return tx.PutSettings(inbox.Settings{SMSNotify: inbox.SMSNotify{Recipients: []string{"\xff"}}})
			},
			"a lease holder": func() error { _, err := tx.Lease("l", long, time.Now(), time.Now().Add(time.Second)); return err },
			"a lease until":  func() error { _, err := tx.Lease("l", "me", time.Now(), tooLate); return err },
		} {
			if err := call(); !errors.Is(err, inbox.ErrInvalid) {
				t.Errorf("%s: %v, want an error matching ErrInvalid", name, err)
			}
		}
		// No customer can be kept under a key PutCustomer refuses.
		if _, err := tx.Customer(long); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("Customer with a long key: %v, want an error matching ErrNotFound", err)
		}
		return good()
	})
	if err != nil {
		t.Fatalf("the transaction did not go on after refusing invalid input: %v", err)
	}
	if err := s.View(context.Background(), "a", func(tx inbox.ReadTx) error {
		n, err := tx.Count(inbox.Filter{Statuses: []status.Status{status.Open}})
		if err == nil && n != 2 {
			err = fmt.Errorf("%d tickets, want 2", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a\x00", "\xff", strings.Repeat("i", 1025)} {
		if err := s.View(context.Background(), id, func(inbox.ReadTx) error { return nil }); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("View of inbox %.10q: %v, want an error matching ErrInvalid", id, err)
		}
	}
}

// otherHours are assign.Hours that are no officehours.Schedule.
type otherHours func(time.Time) bool

func (otherHours) IsOpen(time.Time) bool { return true }

// TestTimesRoundTrip keeps the earliest and latest times PostgreSQL holds,
// and drops what is below a microsecond.
func TestTimesRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	first := time.Unix(-210866803200, 0).UTC()
	last := time.Unix(9224318016000, 0).Add(-time.Microsecond).UTC()
	odd := time.Date(2025, 3, 3, 9, 0, 0, 1999, time.UTC)
	in := ticket(channel.Email, "")
	in.CreatedAt, in.ActiveAt, in.SnoozedUntil, in.ClosedAt = first, last, odd, time.Time{}
	want := in
	err := s.Update(context.Background(), "a", func(tx inbox.Tx) (err error) {
		want.Number, err = tx.CreateTicket(in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want.SnoozedUntil = odd.Truncate(time.Microsecond)
	var got inbox.Ticket
	if err := s.View(context.Background(), "a", func(tx inbox.ReadTx) (err error) { got, err = tx.Ticket(1); return err }); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ticket (-want +got):\n%s", d)
	}
}

// TestTxDone uses a transaction after its function returned.
func TestTxDone(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var kept inbox.Tx
	if err := s.Update(context.Background(), "a", func(tx inbox.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.CreateTicket(ticket(channel.Email, "")); !errors.Is(err, pgstore.ErrTxDone) {
		t.Errorf("CreateTicket after the transaction: %v, want ErrTxDone", err)
	}
	if _, err := kept.Ticket(1); !errors.Is(err, pgstore.ErrTxDone) {
		t.Errorf("Ticket after the transaction: %v, want ErrTxDone", err)
	}
}

// TestContextDoneInside cancels the context while the function runs.
func TestContextDoneInside(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		if _, err := tx.CreateTicket(ticket(channel.SMS, "+1")); err != nil {
			return err
		}
		cancel()
		_, err := tx.Ticket(1)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update: %v, want context.Canceled", err)
	}
	if err := s.View(context.Background(), "a", func(tx inbox.ReadTx) error {
		_, err := tx.Ticket(1)
		if !errors.Is(err, inbox.ErrNotFound) {
			return fmt.Errorf("ticket of a canceled Update: %v", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestQueuedMessages adds messages and an SMS ticket that the transaction
// knows to be new (queued without a round trip), and then ones that are not.
func TestQueuedMessages(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	err := s.Update(context.Background(), "a", func(tx inbox.Tx) error {
		n, err := tx.CreateTicket(ticket(channel.SMS, "+1"))
		if err != nil {
			return err
		}
		if _, err := tx.TicketByMessage(channel.SMS, "m1"); !errors.Is(err, inbox.ErrNotFound) {
			return fmt.Errorf("TicketByMessage of a new ID: %v", err)
		}
		for i, id := range []string{"m1", "", "m2"} {
			index, err := tx.AddMessage(channel.SMS, inbox.Message{Ticket: n, ID: id, Body: "hi"})
			if err != nil || index != i {
				return fmt.Errorf("AddMessage %d: index %d, %v", i, index, err)
			}
		}
		if _, err := tx.AddMessage(channel.SMS, inbox.Message{Ticket: n, ID: "m1"}); !errors.Is(err, inbox.ErrConflict) {
			return fmt.Errorf("AddMessage of a queued ID again: %v, want ErrConflict", err)
		}
		ms, err := tx.Messages(n, math.MaxInt, 10)
		if err == nil && len(ms) != 3 {
			err = fmt.Errorf("%d messages, want 3", len(ms))
		}
		if err != nil {
			return err
		}
		// An SMS key looked up and missing: the ticket is queued, and a
		// second one with the key conflicts.
		if _, err := tx.TicketByKey(channel.SMS, "+2"); !errors.Is(err, inbox.ErrNotFound) {
			return fmt.Errorf("TicketByKey of a new phone: %v", err)
		}
		if _, err := tx.CreateTicket(ticket(channel.SMS, "+2")); err != nil {
			return err
		}
		if _, err := tx.CreateTicket(ticket(channel.SMS, "+2")); !errors.Is(err, inbox.ErrConflict) {
			return fmt.Errorf("a second SMS ticket of a queued phone: %v, want ErrConflict", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLargeRotation has more members than an Update reads with the inbox's
// row.
func TestLargeRotation(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const n = 70
	ctx := context.Background()
	if err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		for i := range n {
			if err := tx.PutRotationMember(assign.Member{ID: fmt.Sprintf("a%02d", i), Joined: uint64(i + 1), Presence: assign.Online}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		if err := s.Update(ctx, "a", func(tx inbox.Tx) error {
			r, err := tx.Rotation()
			if err != nil {
				return err
			}
			if got := len(r.Members()); got != n {
				return fmt.Errorf("%d members, want %d", got, n)
			}
			d := r.Pick(time.Now(), nil)
			if want := fmt.Sprintf("a%02d", round); d.Agent != want {
				return fmt.Errorf("Pick chose %q, want %q", d.Agent, want)
			}
			return tx.ApplyDecision(d)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// rawDump returns every row of the inbox in the store's tables, as JSON.
func rawDump(t *testing.T, schema, id string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, key := range map[string]string{
		"inboxes": "id", "counters": "inbox", "tickets": "inbox", "messages": "inbox", "events": "inbox",
		"members": "inbox", "rotation": "inbox", "saved_views": "inbox", "leases": "inbox",
	} {
		rows, _ := testPool(t).Query(context.Background(),
			`SELECT row_to_json(t)::text FROM "`+schema+`".`+table+` AS t WHERE `+key+` = $1 ORDER BY 1`, id)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out[table] = lines
	}
	return out
}

// TestFailedUpdateLeavesNoRow checks the tables themselves after an Update
// that wrote to every one of them and failed.
func TestFailedUpdateLeavesNoRow(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	s, err := pgstore.New(testPool(t), pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	writeAll := func(tx inbox.Tx) error {
		n, err := tx.CreateTicket(ticket(channel.SMS, fmt.Sprint("+1555", now.Unix())))
		if err != nil {
			return err
		}
		m := inbox.Message{Ticket: n, ID: fmt.Sprint("SM", now.Unix()), Body: "hi", At: now}
		if m.Index, err = tx.AddMessage(channel.SMS, m); err != nil {
			return err
		}
		if _, err := tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: now, Ticket: n, Message: &m}); err != nil {
			return err
		}
		if err := tx.PutRotationMember(assign.Member{ID: "ann", Joined: 1, Presence: assign.Online}); err != nil {
			return err
		}
		r, err := tx.Rotation()
		if err != nil {
			return err
		}
		if err := tx.ApplyDecision(r.Pick(now, nil)); err != nil {
			return err
		}
		if err := tx.SetDelivered(1); err != nil {
			return err
		}
		if err := tx.PutSettings(inbox.Settings{RoundRobin: true}); err != nil {
			return err
		}
		if err := tx.PutMember(inbox.Member{ID: fmt.Sprint("m", now.Unix()), Name: "M"}); err != nil {
			return err
		}
		if err := tx.PutSavedView(inbox.SavedView{ID: fmt.Sprint("v", now.Unix()), Name: "V"}); err != nil {
			return err
		}
		_, err = tx.Lease(fmt.Sprint("l", now.Unix()), "me", now, now.Add(time.Minute))
		return err
	}
	if err := s.Update(ctx, "a", writeAll); err != nil {
		t.Fatal(err)
	}
	before := rawDump(t, schema, "a")
	for table, rows := range before {
		if len(rows) == 0 {
			t.Fatalf("no row in %s after an Update that wrote to every table", table)
		}
	}
	now = now.Add(time.Hour)
	boom := errors.New("boom")
	if err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		if err := writeAll(tx); err != nil {
			return err
		}
		return boom
	}); err != boom {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	if d := cmp.Diff(before, rawDump(t, schema, "a")); d != "" {
		t.Errorf("rows after a failed Update (-before +after):\n%s", d)
	}
	// The other inbox of the schema, written by neither, has no row at all.
	for table, rows := range rawDump(t, schema, "b") {
		if len(rows) > 0 {
			t.Errorf("inbox b has rows in %s: %v", table, rows)
		}
	}
}

// TestRetryAfterDeadlock makes an Update the victim of a real deadlock with
// a transaction run beside the store (a host's own SQL): the Update runs its
// function again and commits once.
func TestRetryAfterDeadlock(t *testing.T) {
	t.Parallel()
	for _, attempts := range []int{pgstore.DefaultMaxAttempts, 1} {
		t.Run(fmt.Sprint("attempts=", attempts), func(t *testing.T) {
			t.Parallel()
			schema := newSchema(t)
			p := testPool(t)
			s, err := pgstore.New(p, pgstore.WithSchema(schema), pgstore.WithMaxAttempts(attempts))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Update(ctx, "a", func(tx inbox.Tx) error { _, err := tx.CreateTicket(ticket(channel.Email, "")); return err }); err != nil {
				t.Fatal(err)
			}
			// The other transaction holds ticket 1.
			other, err := p.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Rollback(ctx)
			q := pgx.Identifier{schema}.Sanitize()
			if _, err := other.Exec(ctx, `UPDATE `+q+`.tickets SET subject = 'other' WHERE inbox = 'a' AND number = 1`); err != nil {
				t.Fatal(err)
			}
			// The Update holds the inbox and waits for ticket 1. Its second
			// run waits until the other transaction has the inbox's row:
			// a waiter woken by the first run's abort takes the row only
			// once its backend runs again, and a second run sent meanwhile
			// (a millisecond later, at most) would lock the row first and
			// make the same deadlock again, which PostgreSQL may break by
			// aborting the other transaction. Nothing is sent before fn's
			// first statement, so waiting at its start sends nothing.
			var runs atomic.Int32
			otherLocked := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- s.Update(ctx, "a", func(tx inbox.Tx) error {
					if runs.Add(1) > 1 {
						<-otherLocked
					}
					tk := ticket(channel.Email, "")
					tk.Number, tk.Subject = 1, "store"
					if err := tx.PutTicket(tk); err != nil {
						return err
					}
					_, err := tx.Ticket(1) // sends the update
					return err
				})
			}()
			for count(t, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND strpos(query, $1) > 0`, q) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			// Now the other transaction waits for the inbox: a deadlock, which
			// the Update finds and loses, as it waited first: each backend
			// looks for a deadlock once it has waited deadlock_timeout (1 s),
			// and the gap keeps a busy machine from reversing the order.
			time.Sleep(300 * time.Millisecond)
			_, err = other.Exec(ctx, `SELECT 1 FROM `+q+`.inboxes WHERE id = 'a' FOR UPDATE`)
			close(otherLocked)
			if err != nil {
				t.Fatalf("the other transaction: %v", err)
			}
			if err := other.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			err = <-done
			subject := ""
			if err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
				tk, err := tx.Ticket(1)
				subject = tk.Subject
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if attempts == 1 {
				var pg *pgconn.PgError
				if !errors.Is(err, inbox.ErrConflict) || !errors.As(err, &pg) || pg.Code != "40P01" {
					t.Fatalf("Update with one attempt: %v, want a deadlock matching ErrConflict", err)
				}
				if runs.Load() != 1 || subject != "other" {
					t.Fatalf("%d runs, subject %q; want 1 run and the other transaction's subject", runs.Load(), subject)
				}
				return
			}
			if err != nil || runs.Load() != 2 || subject != "store" {
				t.Fatalf("Update: %v after %d runs, subject %q; want success after 2 runs, subject \"store\"", err, runs.Load(), subject)
			}
		})
	}
}

// TestConcurrentReceive receives messages into one inbox from several
// goroutines through inbox.Inbox, and checks what a history must show:
// tickets and events numbered densely, one SMS ticket per phone holding
// every text, and round robin's counts within one of each other.
func TestConcurrentReceive(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	ib := roundRobinInbox(t, s, "busy", 4)
	const workers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				in := channel.Inbound{Kind: channel.WebChat, Body: "hi",
					WebChat: channel.WebChatFields{Visitor: "v", Conversation: fmt.Sprintf("c%d-%d", w, i)}}
				if i%3 == 0 { // every worker texts the same two phones
					in = channel.Inbound{Kind: channel.SMS, Body: "hi", SMS: channel.SMSFields{
						From: fmt.Sprint("+1555000000", i%2), To: "+15559990000", MessageID: fmt.Sprintf("SM%d-%d", w, i)}}
				}
				if _, err := ib.Receive(ctx, in); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const chats, texts = workers * each * 2 / 3, workers * each / 3
	err := s.View(ctx, "busy", func(tx inbox.ReadTx) error {
		all, err := tx.Tickets(inbox.Filter{Statuses: []status.Status{status.Open}, Order: inbox.OldestFirst, Limit: 1000})
		if err != nil {
			return err
		}
		if len(all) != chats+2 {
			return fmt.Errorf("%d tickets, want %d chats and 2 phones", len(all), chats)
		}
		perAgent := map[string]int{}
		for i, tk := range all {
			if tk.Number != int64(i+1) {
				return fmt.Errorf("ticket %d of the list has number %d", i+1, tk.Number)
			}
			perAgent[tk.Assignee]++
			if tk.Channel == channel.SMS {
				ms, err := tx.Messages(tk.Number, math.MaxInt, 1000)
				if err != nil {
					return err
				}
				if len(ms) != texts/2 {
					return fmt.Errorf("phone %s has %d texts, want %d", tk.Key, len(ms), texts/2)
				}
			}
		}
		low, high := math.MaxInt, 0
		for _, n := range perAgent {
			low, high = min(low, n), max(high, n)
		}
		if len(perAgent) != 4 || high-low > 1 {
			return fmt.Errorf("round robin gave %v", perAgent)
		}
		events, err := tx.Outbox(0, 100000)
		if err != nil {
			return err
		}
		for i, e := range events {
			if e.Seq != int64(i+1) {
				return fmt.Errorf("event %d of the outbox has seq %d", i+1, e.Seq)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRetryAfterLostConnection terminates the Update's backend in the middle
// of its function: the server rolls the transaction back, and the Update
// runs the function again on another connection and commits once.
func TestRetryAfterLostConnection(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	p := testPool(t)
	s, err := pgstore.New(p, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	q := pgx.Identifier{schema}.Sanitize()
	var runs atomic.Int32
	err = s.Update(ctx, "a", func(tx inbox.Tx) error {
		if _, err := tx.CreateTicket(ticket(channel.SMS, "+1")); err != nil { // sent: SMS tickets go at once
			return err
		}
		if runs.Add(1) == 1 {
			var killed bool
			err := p.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE state = 'idle in transaction' AND strpos(query, $1) > 0`, q).Scan(&killed)
			if err != nil || !killed {
				return fmt.Errorf("terminate the Update's backend: %v, %v", killed, err)
			}
		}
		_, err := tx.CreateTicket(ticket(channel.SMS, "+2"))
		return err
	})
	if err != nil || runs.Load() != 2 {
		t.Fatalf("Update: %v after %d runs; want success after 2", err, runs.Load())
	}
	if n := count(t, `SELECT count(*) FROM `+q+`.tickets`); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
}
