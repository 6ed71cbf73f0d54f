package memstore

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// listKey names one view index: the tickets of a status held by one assignee
// (0: unassigned), or, when anyone is set, by anyone.
type listKey struct {
	status   status.Status
	assignee uint32
	anyone   bool
}

// viewLists are the view indexes: for each status, everyone's list and each
// assignee's, by the assignee's interned number, so that finding a list is
// two array reads, not a hash.
type viewLists [status.Closed]struct {
	anyone *list
	by     []*list // by assignee number; nil where the assignee holds none
}

// get returns the list of k, or nil when it was never made.
func (v *viewLists) get(k listKey) *list {
	ls := &v[k.status-1]
	switch {
	case k.anyone:
		return ls.anyone
	case int(k.assignee) < len(ls.by):
		return ls.by[k.assignee]
	}
	return nil
}

// ensure returns the list of k, making it when it is new.
func (v *viewLists) ensure(k listKey) *list {
	if l := v.get(k); l != nil {
		return l
	}
	l := &list{latest: btree[entry]{cmp: byTime}, oldest: btree[uint32]{cmp: cmp.Compare[uint32]}}
	ls := &v[k.status-1]
	if k.anyone {
		ls.anyone = l
		return l
	}
	if int(k.assignee) >= len(ls.by) {
		ls.by = append(ls.by, make([]*list, int(k.assignee)+1-len(ls.by))...)
	}
	ls.by[k.assignee] = l
	return l
}

// list is one view index, in both orders. Its size is the count of the
// standard view it serves.
type list struct {
	latest btree[entry]  // LatestActivity, read backwards: (ActiveAt, Number)
	oldest btree[uint32] // OldestFirst: Number
}

// entry is a ticket's place in a list ordered by a time: its ActiveAt in a
// view list, its due time in a due list.
type entry struct {
	at int64
	n  int64
}

// byTime orders the index entries: by time, then number.
func byTime(a, b entry) int {
	if a.at != b.at {
		return cmp.Compare(a.at, b.at)
	}
	return cmp.Compare(a.n, b.n)
}

// byLatest and byNumber order the pages of LatestActivity and OldestFirst.
func byLatest(a, b entry) int { return byTime(b, a) }
func byNumber(a, b entry) int { return cmp.Compare(a.n, b.n) }

// index moves ticket n in the view indexes from where old files it to where
// next does; a nil old or next is a ticket absent from them. It changes only
// the trees whose entries change: an assignment moves the ticket between
// two assignees' lists and leaves the everyone lists alone; new activity
// moves it within its lists' LatestActivity trees only.
func (d *data) index(n uint32, old, next *ticket) {
	for _, anyone := range [...]bool{false, true} {
		k0, e0, in0 := place(old, n, anyone)
		k1, e1, in1 := place(next, n, anyone)
		switch {
		case in0 && in1 && k0 == k1:
			if e0 != e1 {
				l := d.lists.get(k0)
				l.latest.delete(e0)
				l.latest.insert(e1)
			}
			continue
		case in0:
			l := d.lists.get(k0)
			l.latest.delete(e0)
			l.oldest.delete(n)
		}
		if in1 {
			l := d.lists.ensure(k1)
			l.latest.insert(e1)
			l.oldest.insert(n)
		}
	}
	d.snoozes.move(n, old, next)
	d.followUps.move(n, old, next)
}

// place returns the list of t (a ticket numbered n; nil for none), the
// assignee's or, when anyone is set, everyone's, and its entry there.
func place(t *ticket, n uint32, anyone bool) (listKey, entry, bool) {
	if t == nil {
		return listKey{}, entry{}, false
	}
	k := listKey{status: t.status, assignee: t.assignee, anyone: anyone}
	if anyone {
		k.assignee = 0
	}
	return k, entry{t.active, int64(n)}, true
}

// dueList files tickets by a due time, then number: the snoozed tickets by
// SnoozedUntil or, when followUp is set, the tickets whose FollowUpAt is set
// by FollowUpAt.
type dueList struct {
	btree[entry]
	followUp bool
}

func newDueList(followUp bool) dueList {
	return dueList{btree: btree[entry]{cmp: byTime}, followUp: followUp}
}

// move moves ticket n from where old files it to where next does; a nil old
// or next is a ticket absent from the list.
func (l *dueList) move(n uint32, old, next *ticket) {
	e0, in0 := l.entry(old, n)
	e1, in1 := l.entry(next, n)
	if in0 && in1 && e0 == e1 {
		return
	}
	if in0 {
		l.delete(e0)
	}
	if in1 {
		l.insert(e1)
	}
}

// entry returns the entry of t (a ticket numbered n; nil for none), if the
// list files it.
func (l *dueList) entry(t *ticket, n uint32) (entry, bool) {
	switch {
	case t == nil:
		return entry{}, false
	case l.followUp:
		return entry{t.followUp, int64(n)}, t.followUp != noTime
	default:
		return entry{t.snoozed, int64(n)}, t.status == status.Snoozed
	}
}

// due returns the numbers of up to limit tickets due at now (filed under a
// time not after it), earliest first; tickets due at the same time come in
// Number order.
func (l *dueList) due(now time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, invalid("limit", fmt.Sprintf("%d is not positive", limit))
	}
	at, err := encodeTime("now", now)
	if err != nil {
		return nil, err
	}
	var due []int64
	l.ascend(nil, func(e entry) bool {
		if e.at > at {
			return false
		}
		due = append(due, e.n)
		return len(due) < limit
	})
	return due, nil
}

// query is a Filter resolved against the indexes.
type query struct {
	lists    [status.Closed]*list // one per status asked for; nil when empty
	order    inbox.Order
	after    entry  // LatestActivity cursor, when cursored
	from     uint32 // OldestFirst cursor, when cursored
	cursored bool
	done     bool // the cursor is past every ticket
	match    matcher
}

// matcher holds the filters that no index serves.
type matcher struct {
	channels []channel.Kind
	tags     []string
	unread   bool
	from, to int64 // created in [from, to)
	sets     *interned[[]string]
}

func (m *matcher) any() bool {
	return len(m.channels) == 0 && len(m.tags) == 0 && !m.unread && m.from == noTime && m.to == math.MaxInt64
}

func (m *matcher) ok(t *ticket) bool {
	if m.unread && !t.unread || t.created < m.from || t.created >= m.to {
		return false
	}
	if len(m.channels) > 0 && !slices.Contains(m.channels, t.channel) {
		return false
	}
	for _, tag := range m.tags {
		if !slices.Contains(m.sets.value(t.tags), tag) {
			return false
		}
	}
	return true
}

// plan validates f and resolves it into q.
func (d *data) plan(q *query, f *inbox.Filter) error {
	if len(f.Statuses) == 0 {
		return invalid("Filter.Statuses", "no status")
	}
	if f.Order != inbox.LatestActivity && f.Order != inbox.OldestFirst {
		return invalid("Filter.Order", fmt.Sprintf("unknown order %d", f.Order))
	}
	for _, k := range f.Channels {
		if !k.Valid() {
			return invalid("Filter.Channels", fmt.Sprintf("%v is not a channel", k))
		}
	}
	*q = query{order: f.Order, match: matcher{
		channels: f.Channels, tags: f.Tags, unread: f.UnreadOnly, to: math.MaxInt64, sets: &d.tagSets,
	}}
	var err error
	if q.match.from, err = encodeTime("Filter.CreatedFrom", f.CreatedFrom); err != nil {
		return err
	}
	if !f.CreatedTo.IsZero() {
		if q.match.to, err = encodeTime("Filter.CreatedTo", f.CreatedTo); err != nil {
			return err
		}
	}
	if err := q.cursor(f.After); err != nil {
		return err
	}
	assignee, known := uint32(0), true
	if f.Assignee != nil {
		assignee, known = d.assignees.lookup(*f.Assignee)
	}
	for _, s := range f.Statuses {
		if !s.Valid() {
			return invalid("Filter.Statuses", fmt.Sprintf("%v is not a status", s))
		}
		if known {
			q.lists[s-1] = d.lists.get(listKey{status: s, assignee: assignee, anyone: f.Assignee == nil})
		}
	}
	return nil
}

// cursor sets the query's start after p.
func (q *query) cursor(p *inbox.Position) error {
	switch {
	case p == nil:
	case q.order == inbox.OldestFirst:
		switch {
		case p.Number > math.MaxUint32:
			q.done = true
		case p.Number > 0:
			q.from, q.cursored = uint32(p.Number), true
		}
	default:
		at, err := encodeTime("Filter.After.At", p.At)
		if err != nil {
			return err
		}
		q.after, q.cursored = entry{at, p.Number}, true
	}
	return nil
}

// walk calls fn on the tickets of l after the cursor, in order, until fn
// returns false.
func (q *query) walk(l *list, fn func(entry) bool) {
	switch {
	case q.done:
	case q.order == inbox.OldestFirst:
		l.oldest.ascend(cursor(&q.from, q.cursored), func(n uint32) bool { return fn(entry{n: int64(n)}) })
	default:
		l.latest.descend(cursor(&q.after, q.cursored), fn)
	}
}

// cursor returns k when the query is cursored, else nil.
func cursor[K any](k *K, cursored bool) *K {
	if cursored {
		return k
	}
	return nil
}

// Tickets implements [inbox.ReadTx]. A standard view costs O(Limit) per
// status asked for; every other filter is checked while walking the index of
// the statuses and assignee asked for.
func (r *tx) Tickets(f inbox.Filter) ([]inbox.Ticket, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		return nil, invalid("Filter.Limit", fmt.Sprintf("%d is not positive", f.Limit))
	}
	var q query
	if err := d.plan(&q, &f); err != nil {
		return nil, err
	}
	page := make([]entry, 0, min(f.Limit, 512))
	lists := 0
	for _, l := range q.lists {
		if l == nil {
			continue
		}
		lists++
		found := 0
		q.walk(l, func(e entry) bool {
			if q.match.ok(d.tickets.at(int(e.n - 1))) {
				page = append(page, e)
				found++
			}
			return found < f.Limit
		})
	}
	if lists > 1 {
		order := byLatest
		if q.order == inbox.OldestFirst {
			order = byNumber
		}
		slices.SortFunc(page, order)
		page = page[:min(len(page), f.Limit)]
	}
	out := make([]inbox.Ticket, len(page))
	for i, e := range page {
		d.ticketOut(&out[i], e.n, d.tickets.at(int(e.n-1)))
	}
	return out, nil
}

// Count implements [inbox.ReadTx]. A standard view costs O(1) per status;
// any other filter is checked on every ticket of the statuses and assignee
// asked for.
func (r *tx) Count(f inbox.Filter) (int, error) {
	d, err := r.inbox()
	if err != nil {
		return 0, err
	}
	f.After = nil
	var q query
	if err := d.plan(&q, &f); err != nil {
		return 0, err
	}
	n := 0
	for _, l := range q.lists {
		switch {
		case l == nil:
		case q.match.any():
			n += l.latest.size
		default:
			q.walk(l, func(e entry) bool {
				if q.match.ok(d.tickets.at(int(e.n - 1))) {
					n++
				}
				return true
			})
		}
	}
	return n, nil
}

// SnoozeDue implements [inbox.ReadTx]; tickets due at the same time come in
// Number order.
func (r *tx) SnoozeDue(now time.Time, limit int) ([]int64, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	return d.snoozes.due(now, limit)
}

// FollowUpDue implements [inbox.ReadTx]: it lists tickets of any status
// whose FollowUpAt is set; tickets due at the same time come in Number
// order.
func (r *tx) FollowUpDue(now time.Time, limit int) ([]int64, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	return d.followUps.due(now, limit)
}
