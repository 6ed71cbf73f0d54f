package pgstore

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// A filterShape is what the statements of Tickets(f) and Count(f) depend
// on: the statuses asked for, which filters are set, the order, whether
// there is a cursor, and whether a page reads its count. The filters'
// values go as arguments, so a Store builds each statement once per shape
// (there are a few thousand at most) and keeps it.
type filterShape uint16

// keptStatuses are the statuses the tickets table holds (its CHECK
// constraint): a filterShape has bit i for keptStatuses[i].
var keptStatuses = [...]status.Status{status.Open, status.Snoozed, status.Closed}

// The bits of a filterShape above the statuses.
const (
	shapeAssignee filterShape = 1 << (iota + 3)
	shapeChannels
	shapeTags
	shapeUnread
	shapeFrom // CreatedFrom
	shapeTo   // CreatedTo
	shapeOldestFirst
	shapeAfter
	shapeCounted // Tickets, with the count after each row
	shapeCount   // Count

	// shapeRefined are the filters that the ticket_counts table cannot
	// answer: their counts count the tickets.
	shapeRefined = shapeChannels | shapeTags | shapeUnread | shapeFrom | shapeTo
)

// shapeOf checks what Tickets and Count check, and returns f's shape
// without shapeCounted and shapeCount.
func shapeOf(f *inbox.Filter) (filterShape, error) {
	if len(f.Statuses) == 0 {
		return 0, invalid("Filter.Statuses", "none")
	}
	var sh filterShape
	for _, s := range f.Statuses {
		i := slices.Index(keptStatuses[:], s)
		if i < 0 {
			return 0, invalid("Filter.Statuses", s.String())
		}
		sh |= 1 << i
	}
	for _, k := range f.Channels {
		if !k.Valid() {
			return 0, invalid("Filter.Channels", k.String())
		}
	}
	if f.Order > inbox.OldestFirst {
		return 0, invalid("Filter.Order", f.Order.String())
	}
	for _, set := range [...]struct {
		bit filterShape
		set bool
	}{
		{shapeAssignee, f.Assignee != nil}, {shapeChannels, len(f.Channels) > 0}, {shapeTags, len(f.Tags) > 0},
		{shapeUnread, f.UnreadOnly}, {shapeFrom, !f.CreatedFrom.IsZero()}, {shapeTo, !f.CreatedTo.IsZero()},
		{shapeOldestFirst, f.Order == inbox.OldestFirst}, {shapeAfter, f.After != nil},
	} {
		if set.set {
			sh |= set.bit
		}
	}
	return sh, nil
}

// countedByTable reports whether the ticket_counts table answers Count(f)
// (f checked): whether the filters other than the statuses and the
// assignee add no condition.
func countedByTable(f *inbox.Filter) bool {
	sh, err := shapeOf(f)
	return err == nil && sh&shapeRefined == 0
}

// filterArgs appends the arguments of f's filters, in the order of the
// placeholders of conditions.
func filterArgs(f *inbox.Filter, args []any) []any {
	if f.Assignee != nil {
		args = append(args, *f.Assignee)
	}
	if len(f.Channels) > 0 {
		kinds := make([]string, len(f.Channels))
		for i, k := range f.Channels {
			kinds[i] = k.String()
		}
		args = append(args, kinds)
	}
	if len(f.Tags) > 0 {
		args = append(args, f.Tags)
	}
	if !f.CreatedFrom.IsZero() {
		args = append(args, from(f.CreatedFrom))
	}
	if !f.CreatedTo.IsZero() {
		args = append(args, from(f.CreatedTo))
	}
	return args
}

// conditions returns the SQL conditions of a shape's filters, numbering
// their placeholders from $next on, in the order of filterArgs, and the
// number after the last.
func conditions(sh filterShape, next int) (string, int) {
	var b strings.Builder
	for _, c := range [...]struct {
		bit filterShape
		sql string // with %d for the placeholder's number, if it takes one
	}{
		{shapeAssignee, ` AND assignee = $%d`}, {shapeChannels, ` AND channel = ANY($%d)`}, {shapeTags, ` AND tags @> $%d`},
		{shapeUnread, ` AND unread`}, {shapeFrom, ` AND created_at >= $%d`}, {shapeTo, ` AND created_at < $%d`},
	} {
		switch {
		case sh&c.bit == 0:
		case strings.Contains(c.sql, "%d"):
			fmt.Fprintf(&b, c.sql, next)
			next++
		default:
			b.WriteString(c.sql)
		}
	}
	return b.String(), next
}

// statement returns the statement of a shape, building it with build (from
// a template, see Store.sql) the first time.
func (s *Store) statement(sh filterShape, build func(filterShape) string) string {
	if q, ok := s.shapes.Load(sh); ok {
		return q.(string)
	}
	q := s.sql(build(sh))
	s.shapes.Store(sh, q)
	return q
}

// ticketsQuery returns the statement of Tickets(f) in an inbox, and its
// arguments; when counted, each row ends with Count(f), from the
// ticket_counts table (countedByTable must hold).
func (s *Store) ticketsQuery(id string, f *inbox.Filter, counted bool) (string, []any, error) {
	if f.Limit <= 0 {
		return "", nil, invalid("Filter.Limit", fmt.Sprintf("%d; give at least 1", f.Limit))
	}
	sh, err := shapeOf(f)
	if err != nil {
		return "", nil, err
	}
	if counted {
		sh |= shapeCounted
	}
	args := filterArgs(f, append(make([]any, 0, 8), id, int64(f.Limit)))
	if f.After != nil {
		if f.Order == inbox.OldestFirst {
			args = append(args, f.After.Number)
		} else {
			at, number := after(f.After)
			args = append(args, at, number)
		}
	}
	return s.statement(sh, ticketsSQL), args, nil
}

// ticketsSQL builds the statement of Tickets of a shape: $1 is the inbox,
// $2 the limit, then come the filters' values and the cursor's.
func ticketsSQL(sh filterShape) string {
	where, next := conditions(sh, 3)
	count := ""
	if sh&shapeCounted != 0 {
		count = `, ` + countExpr(sh, where)
	}
	order := `active_at DESC, number DESC`
	switch {
	case sh&shapeOldestFirst != 0:
		order = `number`
		if sh&shapeAfter != 0 {
			where += fmt.Sprintf(` AND number > $%d`, next)
		}
	case sh&shapeAfter != 0:
		where += fmt.Sprintf(` AND (active_at, number) < ($%d, $%d)`, next, next+1)
	}
	statuses := statusNames(sh)
	var q strings.Builder
	if len(statuses) > 1 {
		q.WriteString(`SELECT *` + count + ` FROM (`)
		count = ""
	}
	for i, st := range statuses {
		if i > 0 {
			q.WriteString(` UNION ALL `)
		}
		fmt.Fprintf(&q, `(SELECT `+ticketColumns+`%s FROM {s}.tickets WHERE inbox = $1 AND status = '%s'%s ORDER BY %s LIMIT $2)`, count, st, where, order)
	}
	if len(statuses) > 1 {
		fmt.Fprintf(&q, `) AS page ORDER BY %s LIMIT $2`, order)
	}
	return q.String()
}

// after returns the keyset bound (time, number) of a LatestActivity cursor:
// a kept ticket comes after p exactly when (active_at, number) < the bound.
func after(p *inbox.Position) (any, int64) {
	at := upTo(p.At)
	switch {
	case at.InfinityModifier == pgtype.Finite && !p.At.Truncate(time.Microsecond).Equal(p.At):
		// Between two microseconds: the tickets at the one before are all
		// after p.
		return at, math.MaxInt64
	case at.InfinityModifier != pgtype.Finite && !p.At.IsZero():
		// Before or after every kept time but the zero time, which is
		// -infinity itself and comes after p.
		return at, math.MaxInt64
	}
	return at, p.Number
}

// countQuery returns the statement of Count(f) in an inbox and its
// arguments.
func (s *Store) countQuery(id string, f *inbox.Filter) (string, []any, error) {
	sh, err := shapeOf(f)
	if err != nil {
		return "", nil, err
	}
	// The order and the cursor do not change a count.
	sh = sh&^(shapeOldestFirst|shapeAfter) | shapeCount
	return s.statement(sh, func(sh filterShape) string {
		where, _ := conditions(sh, 2)
		return `SELECT ` + countExpr(sh, where)
	}), filterArgs(f, append(make([]any, 0, 4), id)), nil
}

// countExpr returns the scalar subquery (a bigint) that counts the tickets
// of a shape in the inbox $1 that meet the conditions where: from the
// ticket_counts table unless the shape has refining filters. One status and
// an assignee are one row of that table (its key), read without an
// aggregate, which PostgreSQL would set up on every execution.
func countExpr(sh filterShape, where string) string {
	statuses := statusNames(sh)
	in := `'` + strings.Join(statuses, `', '`) + `'`
	switch {
	case sh&shapeRefined != 0:
		return `(SELECT count(*) FROM {s}.tickets WHERE inbox = $1 AND status IN (` + in + `)` + where + `)`
	case len(statuses) == 1 && sh&shapeAssignee != 0:
		return `coalesce((SELECT tickets FROM {s}.ticket_counts WHERE inbox = $1 AND status = ` + in + where + `), 0)`
	}
	return `(SELECT coalesce(sum(tickets), 0)::bigint FROM {s}.ticket_counts WHERE inbox = $1 AND status IN (` + in + `)` + where + `)`
}

// statusNames returns the names of a shape's statuses.
func statusNames(sh filterShape) []string {
	var names []string
	for i, st := range keptStatuses {
		if sh&(1<<i) != 0 {
			names = append(names, st.String())
		}
	}
	return names
}
