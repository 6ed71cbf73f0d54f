package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/routedesk/routedesk/inbox"
)

// TestMigrateEventColumns fills a schema at version 5 (type and at
// generated from the JSON) with events by SQL and migrates it: 0006 keeps
// their values, Events finds them by type and time, the store fills the
// columns of the events it emits as the JSON says, and a writer that leaves
// them out is refused.
func TestMigrateEventColumns(t *testing.T) {
	t.Parallel()
	p := testPool(t)
	ctx := context.Background()
	schema := fmt.Sprint(schemaPrefix, "from_v5")
	q, s := upgraded(t, schema, 5, `INSERT INTO inboxes (id) VALUES ('a');
		INSERT INTO counters VALUES ('a', 0, 2, 0, 0);
		INSERT INTO events (inbox, seq, event) VALUES
			('a', 1, '{"seq":1,"inbox":"a","type":"keyword_received","at":"2025-03-03T09:00:00Z","keyword":"STOP"}'),
			('a', 2, '{"seq":2,"inbox":"a","type":"keyword_received","at":"2025-03-03T10:00:00.000001+01:00","keyword":"HELP"}')`)
	nine := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, "a", func(tx inbox.Tx) error {
		_, err := tx.Emit(inbox.Event{Type: inbox.PresenceChanged, At: nine.Add(30*time.Minute + 7*time.Microsecond), Assignee: "a1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seqs := func(f inbox.EventFilter) []int64 {
		var out []int64
		err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
			return tx.Events(f, func(e inbox.Event) error {
				out = append(out, e.Seq)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, c := range []struct {
		f    inbox.EventFilter
		want []int64
	}{
		{inbox.EventFilter{}, []int64{1, 2, 3}},
		{inbox.EventFilter{From: nine.Add(2 * time.Microsecond)}, []int64{3}}, // 10:00:00.000001+01:00 is 09:00:00.000001Z
		{inbox.EventFilter{From: nine, To: nine.Add(time.Microsecond)}, []int64{1}},
		{inbox.EventFilter{Types: []inbox.EventType{inbox.PresenceChanged}}, []int64{3}},
		{inbox.EventFilter{Types: []inbox.EventType{inbox.KeywordReceived}, To: nine.Add(time.Hour)}, []int64{1, 2}},
	} {
		if got := seqs(c.f); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Events(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	var differ int
	if err := p.QueryRow(ctx, `SELECT count(*) FROM `+q+`.events
		WHERE type IS DISTINCT FROM event->>'type' OR at IS DISTINCT FROM (event->>'at')::timestamptz`).Scan(&differ); err != nil || differ != 0 {
		t.Errorf("%d events' type or at differ from their JSON (%v)", differ, err)
	}
	_, err = p.Exec(ctx, `INSERT INTO `+q+`.events (inbox, seq, event) VALUES ('a', 4, '{"type":"keyword_received","at":"2025-03-03T11:00:00Z"}')`)
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "23502" {
		t.Errorf("an event without type and at: %v, want a not-null violation", err)
	}
}
