package inbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"time"

	"github.com/routedesk/routedesk/status"
)

// Page sizes of ticket lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Tickets returns a page of a view: All, My inbox (Mine) or Unassigned,
// refined by the query's filters. Page.Next continues it.
func (ib *Inbox) Tickets(ctx context.Context, a Actor, q Query) (Page, error) {
	f, err := resolve(a, q)
	if err != nil {
		return Page{}, err
	}
	var p Page
	err = ib.view(ctx, a, OpRead, func(tx ReadTx) error {
		ts, err := tx.Tickets(f)
		if err != nil {
			return err
		}
		if len(ts) > f.Limit-1 { // one more than asked: there is a next page
			ts = ts[:f.Limit-1]
			last := ts[len(ts)-1]
			p.Next = encodeCursor(f.Order, Position{At: last.ActiveAt, Number: last.Number})
		}
		p.Tickets = ts
		p.Total, err = tx.Count(f)
		return err
	})
	if p.Tickets == nil {
		p.Tickets = []Ticket{}
	}
	return p, err
}

// resolve turns a person's query into the Filter a Store runs (asking for one
// ticket more than the page, to know whether another page follows).
func resolve(a Actor, q Query) (Filter, error) {
	f := Filter{
		Statuses:    slices.Clone(q.Statuses),
		Channels:    q.Channels,
		UnreadOnly:  q.UnreadOnly,
		CreatedFrom: q.CreatedFrom,
		CreatedTo:   q.CreatedTo,
		Order:       q.Order,
		Limit:       q.Limit,
	}
	if len(f.Statuses) == 0 {
		f.Statuses = []status.Status{status.Open}
	}
	slices.Sort(f.Statuses)
	f.Statuses = slices.Compact(f.Statuses)
	for _, s := range f.Statuses {
		switch {
		case !s.Valid():
			return f, invalid("query statuses", "%v", s)
		case s == status.Closed && q.View != All:
			return f, invalid("query statuses", "closed tickets are archived from My inbox and Unassigned; use All with Assignee")
		}
	}
	for _, k := range q.Channels {
		if !k.Valid() {
			return f, invalid("query channels", "%v", k)
		}
	}
	var err error
	if f.Tags, err = NormalizeTags(q.Tags); err != nil {
		return f, err
	}
	switch q.View {
	case All:
		if q.Assignee != "" {
			f.Assignee = &q.Assignee
		}
	case Mine, Unassigned:
		if q.Assignee != "" {
			return f, invalid("query assignee", "only the All view takes an assignee")
		}
		id := ""
		if q.View == Mine {
			id = a.ID
		}
		f.Assignee = &id
	default:
		return f, invalid("query view", "%d is not a view", q.View)
	}
	if q.Order > OldestFirst {
		return f, invalid("query order", "%d is not an order", q.Order)
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return f, invalid("query limit", "%d; give 1 to %d", f.Limit, MaxPageSize)
	}
	f.Limit++
	if q.Cursor != "" {
		pos, err := decodeCursor(f.Order, q.Cursor)
		if err != nil {
			return f, err
		}
		f.After = &pos
	}
	return f, nil
}

// A cursor is the order, the sort time in Unix microseconds and the ticket
// number, base64url-encoded: opaque to callers, stable under inserts.
func encodeCursor(o Order, p Position) string {
	var b [17]byte
	b[0] = byte(o)
	binary.BigEndian.PutUint64(b[1:], uint64(p.At.UnixMicro()))
	binary.BigEndian.PutUint64(b[9:], uint64(p.Number))
	if o == OldestFirst {
		clear(b[1:9])
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeCursor(o Order, s string) (Position, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 17 || b[0] != byte(o) {
		return Position{}, invalid("query cursor", "not a cursor of this query")
	}
	p := Position{Number: int64(binary.BigEndian.Uint64(b[9:]))}
	if o == LatestActivity {
		p.At = time.UnixMicro(int64(binary.BigEndian.Uint64(b[1:]))).UTC()
	}
	return p, nil
}

// UnreadCount returns how many open tickets are unread: the number on the
// navigation badge. It is 0 when Settings.UnreadBadge is off.
func (ib *Inbox) UnreadCount(ctx context.Context, a Actor) (int, error) {
	var n int
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) error {
		s, err := settings(tx)
		if err != nil || !s.UnreadBadge {
			return err
		}
		n, err = tx.Count(Filter{Statuses: []status.Status{status.Open}, UnreadOnly: true})
		return err
	})
	return n, err
}

// SaveView saves a custom view for the actor, or shared with the whole team
// when v.Shared (which takes OpShareView). An empty v.ID saves a new view and
// the returned view carries its ID; otherwise the view with that ID is
// replaced, which only its owner may do (or, for a shared view, anyone
// allowed OpShareView). The query is checked as [Inbox.Tickets] would.
func (ib *Inbox) SaveView(ctx context.Context, a Actor, v SavedView) (SavedView, error) {
	if err := check(a, viewOp(v)); err != nil {
		return SavedView{}, err
	}
	if v.Name == "" {
		return SavedView{}, invalid("view name", "empty")
	}
	v.Query.Cursor = ""
	if _, err := resolve(a, v.Query); err != nil {
		return SavedView{}, err
	}
	err := ib.update(ctx, func(tx Tx, _ time.Time) error {
		if v.ID == "" {
			var id [8]byte
			_, _ = rand.Read(id[:])
			v.ID, v.Owner = hex.EncodeToString(id[:]), a.ID
		} else {
			old, err := tx.SavedView(v.ID)
			if err != nil {
				return err
			}
			if err := mayChange(a, old); err != nil {
				return err
			}
			v.Owner = old.Owner
		}
		return tx.PutSavedView(v)
	})
	return v, err
}

// SavedViews lists the custom views the actor may use: their own and the
// shared ones.
func (ib *Inbox) SavedViews(ctx context.Context, a Actor) ([]SavedView, error) {
	var vs []SavedView
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) (err error) {
		vs, err = tx.SavedViews(a.ID)
		return err
	})
	return vs, err
}

// DeleteView deletes a custom view, under the same rule as replacing it.
func (ib *Inbox) DeleteView(ctx context.Context, a Actor, id string) error {
	if err := check(a, OpSaveView); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, _ time.Time) error {
		old, err := tx.SavedView(id)
		if err != nil {
			return err
		}
		if err := mayChange(a, old); err != nil {
			return err
		}
		return tx.DeleteSavedView(id)
	})
}

func viewOp(v SavedView) Op {
	if v.Shared {
		return OpShareView
	}
	return OpSaveView
}

// mayChange says whether a may replace or delete the saved view v.
func mayChange(a Actor, v SavedView) error {
	if v.Owner == a.ID && Allowed(a.Role, viewOp(v)) || v.Shared && Allowed(a.Role, OpShareView) {
		return nil
	}
	return &ForbiddenError{Actor: a, Op: viewOp(v)}
}
