package pgstore_test

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/pgstore"
)

// Example wires an inbox to PostgreSQL: connect, migrate (every replica may,
// at start-up), open the store, and receive a message. It needs a server, so
// it is compiled but not run; the tests run the same calls.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	store, err := pgstore.New(pool)
	if err != nil {
		log.Fatal(err)
	}
	ib, err := inbox.New(store, "acme")
	if err != nil {
		log.Fatal(err)
	}
	r, err := ib.Receive(ctx, channel.Inbound{Kind: channel.SMS, Body: "Where is my order?",
		SMS: channel.SMSFields{From: "+15551234567", To: "+15559876543", MessageID: "SM1"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Action, r.Ticket)
}

// ExampleMigrations lists the SQL files that a host's own migration tool
// applies, in order, with search_path set to the store's schema.
func ExampleMigrations() {
	files, err := fs.Glob(pgstore.Migrations, "*.sql")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(files)
	// Output: [0001_init.sql 0002_automations.sql 0003_ticket_counts.sql 0004_event_times.sql 0005_new_replies.sql 0006_insert_costs.sql 0007_event_names.sql]
}

// ExampleNew opens the store in a schema of the host's choice. New does no
// I/O (the pool connects when first used), so its only errors are invalid
// options.
func ExampleNew() {
	pool, err := pgxpool.New(context.Background(), "postgres:///support?host=/run/postgresql")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	_, err = pgstore.New(pool, pgstore.WithSchema(""))
	fmt.Println(err)
	store, err := pgstore.New(pool, pgstore.WithSchema("helpdesk"), pgstore.WithMaxAttempts(5))
	fmt.Println(store != nil, err)
	// Output:
	// inbox: invalid schema: "": give 1 to 63 bytes
	// true <nil>
}
