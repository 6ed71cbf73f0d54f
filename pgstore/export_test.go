package pgstore

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/inbox"
)

// Explain returns the plans PostgreSQL chooses for Tickets(f) in a View
// (with the count, when the ticket_counts table answers it) and Count(f)
// in the inbox.
func (s *Store) Explain(ctx context.Context, id string, f inbox.Filter) (tickets, count string, err error) {
	explain := func(q string, args []any, err error) (string, error) {
		if err != nil {
			return "", err
		}
		return s.explain(ctx, q, args...)
	}
	if tickets, err = explain(s.TicketsStatement(id, f)); err != nil {
		return "", "", err
	}
	q, args, err := s.countQuery(id, &f)
	count, err = explain(q, args, err)
	return tickets, count, err
}

// TicketsStatement returns the statement, and its arguments, that a View's
// Tickets(f) sends in the inbox (with the count, when the ticket_counts
// table answers it).
func (s *Store) TicketsStatement(id string, f inbox.Filter) (string, []any, error) {
	return s.ticketsQuery(id, &f, countedByTable(&f))
}

// ExplainFollowUpDue returns the plan PostgreSQL chooses for
// FollowUpDue(now, limit) in the inbox.
func (s *Store) ExplainFollowUpDue(ctx context.Context, id string, now time.Time, limit int) (string, error) {
	return s.explain(ctx, s.sql(followUpDue), id, upTo(now), limit)
}

// explain returns the plan of the query q with args.
func (s *Store) explain(ctx context.Context, q string, args ...any) (string, error) {
	rows, _ := s.pool.Query(ctx, "EXPLAIN "+q, args...)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}

// ParseMigrationName is parseMigrationName.
var ParseMigrationName = parseMigrationName
