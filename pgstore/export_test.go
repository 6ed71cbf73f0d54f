package pgstore

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/inbox"
)

// Explain returns the plans PostgreSQL chooses for Tickets(f) and Count(f)
// in the inbox.
func (s *Store) Explain(ctx context.Context, id string, f inbox.Filter) (tickets, count string, err error) {
	explain := func(q string, args []any, err error) (string, error) {
		if err != nil {
			return "", err
		}
		rows, _ := s.pool.Query(ctx, "EXPLAIN "+q, args...)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		return strings.Join(lines, "\n"), err
	}
	if tickets, err = explain(s.ticketsQuery(id, &f)); err != nil {
		return "", "", err
	}
	count, err = explain(s.countQuery(id, &f))
	return tickets, count, err
}

// ParseMigrationName is parseMigrationName.
var ParseMigrationName = parseMigrationName
