package pgstore

import (
	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/inbox"
)

// allEventTypes names every event type: Events with no type filter asks for
// all of them, so that the (inbox, type, at) index serves it too.
var allEventTypes = func() []string {
	var names []string
	for t := inbox.EventType(1); t.Valid(); t++ {
		names = append(names, t.String())
	}
	return names
}()

// Events implements [inbox.ReadTx]: one query over the events table's type
// and time columns (migrations 0004 and 0006), streamed to fn.
func (r *readTx) Events(f inbox.EventFilter, fn func(inbox.Event) error) error {
	types := allEventTypes
	if len(f.Types) > 0 {
		types = nil
		for _, t := range f.Types {
			if t.Valid() {
				types = append(types, t.String())
			}
		}
	}
	q, args := `SELECT event FROM {s}.events WHERE inbox = $1 AND type = ANY($2)`, []any{r.inbox, types}
	if !f.From.IsZero() {
		q, args = q+` AND at >= $3`, append(args, f.From)
	}
	if !f.To.IsZero() {
		args = append(args, f.To)
		q += ` AND at < $` + string(rune('0'+len(args)))
	}
	return r.query(r.s.sql(q+` ORDER BY seq`), args, func(rows pgx.Rows) error {
		var text []byte
		if err := rows.Scan(&text); err != nil {
			return err
		}
		e, err := decodeEvent(text)
		if err != nil {
			return err
		}
		return fn(e)
	})
}
