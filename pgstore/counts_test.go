package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/pgstore"
	"github.com/routedesk/routedesk/status"
)

// countRow is a row of ticket_counts, or of the count it must equal.
type countRow struct {
	Status, Assignee string
	Tickets          int64
}

// checkCounts compares the inbox's rows of ticket_counts that are not 0
// with a count of its tickets, and returns the latter.
func checkCounts(t interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}, p *pgxpool.Pool, q, id string) []countRow {
	t.Helper()
	ctx := context.Background()
	read := func(sql string) []countRow {
		rows, _ := p.Query(ctx, sql, id)
		out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[countRow])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := read(`SELECT status, assignee, count(*) FROM ` + q + `.tickets WHERE inbox = $1 GROUP BY 1, 2 ORDER BY 1, 2`)
	got := read(`SELECT status, assignee, tickets FROM ` + q + `.ticket_counts WHERE inbox = $1 AND tickets <> 0 ORDER BY 1, 2`)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("ticket_counts of inbox %s (-want +got):\n%s", id, d)
	}
	return want
}

// TestTicketCounts writes tickets at random, through the store and by SQL
// beside it (a bulk reassignment), and checks after each step that
// ticket_counts counts the tickets, and that Count of the standard views,
// read through a View with and without a page, agrees.
func TestTicketCounts(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	p := testPool(t)
	s, err := pgstore.New(p, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	q := pgx.Identifier{schema}.Sanitize()
	statuses := []status.Status{status.Open, status.Snoozed, status.Closed}
	assignees := []string{"", "a", "b"}
	var inboxes atomic.Int64
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		id := fmt.Sprint("counts-", inboxes.Add(1))
		for step := range rapid.IntRange(1, 6).Draw(rt, "steps") {
			var err error
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0:
				err = s.Update(ctx, id, func(tx inbox.Tx) error {
					for range rapid.IntRange(1, 3).Draw(rt, "new tickets") {
						tk := inbox.Ticket{Channel: channel.Email, Customer: "c", Status: rapid.SampledFrom(statuses).Draw(rt, "status"),
							Assignee: rapid.SampledFrom(assignees).Draw(rt, "assignee")}
						if _, err := tx.CreateTicket(tk); err != nil {
							return err
						}
					}
					return nil
				})
			case 1:
				number := rapid.Int64Range(1, 10).Draw(rt, "ticket")
				err = s.Update(ctx, id, func(tx inbox.Tx) error {
					tk, err := tx.Ticket(number)
					if errors.Is(err, inbox.ErrNotFound) {
						return nil
					} else if err != nil {
						return err
					}
					tk.Status, tk.Assignee = rapid.SampledFrom(statuses).Draw(rt, "status"), rapid.SampledFrom(assignees).Draw(rt, "assignee")
					tk.Subject = fmt.Sprint("step ", step)
					return tx.PutTicket(tk)
				})
			case 2:
				from, to := rapid.SampledFrom(assignees).Draw(rt, "from"), rapid.SampledFrom(assignees).Draw(rt, "to")
				_, err = p.Exec(ctx, `UPDATE `+q+`.tickets SET assignee = $3 WHERE inbox = $1 AND assignee = $2`, id, from, to)
			}
			if err != nil {
				rt.Fatal(err)
			}
			want := checkCounts(rt, p, q, id)
			filter := inbox.Filter{Statuses: rapid.SliceOfNDistinct(rapid.SampledFrom(statuses), 1, 3, rapid.ID).Draw(rt, "statuses"), Limit: 1}
			if rapid.Bool().Draw(rt, "by assignee") {
				filter.Assignee = ptr(rapid.SampledFrom(assignees).Draw(rt, "assignee"))
			}
			wantTotal := 0
			for _, c := range want {
				if (filter.Assignee == nil || *filter.Assignee == c.Assignee) && containsStatus(filter.Statuses, c.Status) {
					wantTotal += int(c.Tickets)
				}
			}
			err = s.View(ctx, id, func(tx inbox.ReadTx) error {
				alone, err := tx.Count(filter)
				if err != nil {
					return err
				}
				if _, err := tx.Tickets(filter); err != nil {
					return err
				}
				withPage, err := tx.Count(filter)
				if alone != wantTotal || withPage != wantTotal {
					rt.Errorf("Count(%+v) = %d alone and %d after the page, want %d", filter, alone, withPage, wantTotal)
				}
				return err
			})
			if err != nil {
				rt.Fatal(err)
			}
		}
	})
}

func containsStatus(ss []status.Status, name string) bool {
	for _, s := range ss {
		if s.String() == name {
			return true
		}
	}
	return false
}

// TestTicketCountsMigrate fills a schema at version 2 by SQL, migrates it
// (0003 counts what is there), inserts more tickets by one SQL statement
// (counted by the trigger), and checks the counts after each.
func TestTicketCountsMigrate(t *testing.T) {
	t.Parallel()
	p := testPool(t)
	ctx := context.Background()
	schema := fmt.Sprint(schemaPrefix, "from_v2")
	q := pgx.Identifier{schema}.Sanitize()
	insert := func(from, to int) string {
		return fmt.Sprintf(`INSERT INTO `+q+`.tickets (inbox, number, channel, customer, key, subject, status, assignee, tags, unread, created_at, active_at)
			SELECT i, n, 'email', 'c', '', '', (ARRAY['open', 'snoozed', 'closed'])[n %% 3 + 1], (ARRAY['', 'a', 'b', 'c'])[n %% 4 + 1],
				'{}', false, '2025-01-01', '2025-01-01'
			FROM generate_series(%d, %d) AS n, (VALUES ('x'), ('y')) AS t (i)`, from, to)
	}
	schemaAt(t, schema, 2, insert(1, 100))
	if err := pgstore.Migrate(ctx, p, pgstore.WithSchema(schema)); err != nil {
		t.Fatalf("Migrate from version 2: %v", err)
	}
	checkCounts(t, p, q, "x")
	if _, err := p.Exec(ctx, insert(101, 150)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x", "y"} {
		total := int64(0)
		for _, c := range checkCounts(t, p, q, id) {
			total += c.Tickets
		}
		if total != 150 {
			t.Errorf("inbox %s counts %d tickets, want 150", id, total)
		}
	}
}

// TestTicketCountsBesideStore inserts tickets by SQL on a connection whose
// earlier transaction was one of the store's (which count their own
// inserts, and tell the trigger so for that transaction only): the trigger
// counts them.
func TestTicketCountsBesideStore(t *testing.T) {
	t.Parallel()
	p := testPool(t)
	ctx := context.Background()
	q := pgx.Identifier{newSchema(t)}.Sanitize()
	conn, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for i, sql := range []string{`BEGIN; SET LOCAL routedesk.counting = 'store'; COMMIT`,
		`INSERT INTO ` + q + `.tickets (inbox, number, channel, customer, key, subject, status, assignee, tags, unread, created_at, active_at)
			SELECT 'x', n, 'email', 'c', '', '', 'open', 'a', '{}', false, '2025-01-01', '2025-01-01' FROM generate_series(1, 3) AS n`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	if got := checkCounts(t, p, q, "x"); len(got) != 1 || got[0].Tickets != 3 {
		t.Errorf("counts %+v, want 3 open tickets of a", got)
	}
}
