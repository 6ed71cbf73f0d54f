package memstore

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
)

// Settings implements [inbox.ReadTx].
func (r *tx) Settings() (inbox.Settings, error) {
	d, err := r.inbox()
	if err != nil {
		return inbox.Settings{}, err
	}
	if d.settings == nil {
		return inbox.Settings{}, errNoSettings
	}
	return cloneSettings(*d.settings), nil
}

// PutSettings implements [inbox.Tx].
func (w *tx) PutSettings(s inbox.Settings) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	old := d.settings
	s = cloneSettings(s)
	d.settings = &s
	d.onUndo(func() { d.settings = old })
	return nil
}

// Member implements [inbox.ReadTx].
func (r *tx) Member(id string) (inbox.Member, error) {
	d, err := r.inbox()
	if err != nil {
		return inbox.Member{}, err
	}
	m, ok := d.members[id]
	if !ok {
		return inbox.Member{}, notFound("member", id)
	}
	return m, nil
}

// Members implements [inbox.ReadTx]; members who joined together are ordered
// by ID.
func (r *tx) Members() ([]inbox.Member, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	return slices.SortedFunc(maps.Values(d.members), func(a, b inbox.Member) int {
		return cmp.Or(cmp.Compare(a.Joined, b.Joined), strings.Compare(a.ID, b.ID))
	}), nil
}

// PutMember implements [inbox.Tx]. The ID must not be empty.
func (w *tx) PutMember(m inbox.Member) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	if m.ID == "" {
		return invalid("Member.ID", "empty")
	}
	putUndoable(d, &d.members, m.ID, m)
	return nil
}

// DeleteMember implements [inbox.Tx].
func (w *tx) DeleteMember(id string) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	return deleteUndoable(d, d.members, id, "member")
}

// putUndoable sets (*m)[k] to v in the open transaction of d, making the
// map if need be.
func putUndoable[V any](d *data, m *map[string]V, k string, v V) {
	if *m == nil {
		*m = make(map[string]V)
	}
	old, had := (*m)[k]
	(*m)[k] = v
	d.onUndo(func() {
		if had {
			(*m)[k] = old
		} else {
			delete(*m, k)
		}
	})
}

// deleteUndoable deletes m[k] in the open transaction of d, or returns an
// error matching inbox.ErrNotFound, naming the value's kind what, when k is
// absent.
func deleteUndoable[V any](d *data, m map[string]V, k, what string) error {
	old, ok := m[k]
	if !ok {
		return notFound(what, k)
	}
	delete(m, k)
	d.onUndo(func() { m[k] = old })
	return nil
}

// Rotation implements [inbox.ReadTx]. It returns the inbox's own rotation,
// not a copy: it may be read only inside the transaction.
func (r *tx) Rotation() (*assign.Rotation, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	return &d.rotation, nil
}

// PutRotationMember implements [inbox.Tx]. It returns the
// [*assign.MemberError] of [assign.Rotation.Put] for a member it refuses.
func (w *tx) PutRotationMember(m assign.Member) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	d.undoRotationMember(m.ID)
	return d.rotation.Put(m)
}

// RemoveRotationMember implements [inbox.Tx]. Removing someone who is not a
// member does nothing, as in [assign.Rotation.Remove].
func (w *tx) RemoveRotationMember(id string) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	d.undoRotationMember(id)
	d.rotation.Remove(id)
	return nil
}

// ApplyDecision implements [inbox.Tx].
func (w *tx) ApplyDecision(dec assign.Decision) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	d.undoRotationMember(dec.Agent)
	return d.rotation.Apply(dec)
}

// SavedViews implements [inbox.ReadTx].
func (r *tx) SavedViews(member string) ([]inbox.SavedView, error) {
	d, err := r.inbox()
	if err != nil {
		return nil, err
	}
	var out []inbox.SavedView
	for _, id := range slices.Sorted(maps.Keys(d.views)) {
		if v := d.views[id]; v.Shared || v.Owner == member {
			out = append(out, cloneView(v))
		}
	}
	return out, nil
}

// SavedView implements [inbox.ReadTx].
func (r *tx) SavedView(id string) (inbox.SavedView, error) {
	d, err := r.inbox()
	if err != nil {
		return inbox.SavedView{}, err
	}
	v, ok := d.views[id]
	if !ok {
		return inbox.SavedView{}, notFound("saved view", id)
	}
	return cloneView(v), nil
}

// PutSavedView implements [inbox.Tx]. The ID must not be empty. The view is
// kept as given, Query.Cursor included.
func (w *tx) PutSavedView(v inbox.SavedView) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	if v.ID == "" {
		return invalid("SavedView.ID", "empty")
	}
	putUndoable(d, &d.views, v.ID, cloneView(v))
	return nil
}

// DeleteSavedView implements [inbox.Tx].
func (w *tx) DeleteSavedView(id string) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	return deleteUndoable(d, d.views, id, "saved view")
}

// cloneSettings returns s with its own copy of every slice in it. Its
// *officehours.Schedule is shared: a Schedule is immutable.
func cloneSettings(s inbox.Settings) inbox.Settings {
	s.SMSNotify.Recipients = slices.Clone(s.SMSNotify.Recipients)
	return s
}

func cloneView(v inbox.SavedView) inbox.SavedView {
	v.Query.Statuses = slices.Clone(v.Query.Statuses)
	v.Query.Channels = slices.Clone(v.Query.Channels)
	v.Query.Tags = slices.Clone(v.Query.Tags)
	return v
}

// lease is who holds a named lease, until when (kept time).
type lease struct {
	holder string
	until  int64
}

// Lease implements [inbox.Tx]. A lease held until u is expired at any now
// not before u. name and holder must not be empty, and until must be after
// now.
func (w *tx) Lease(name, holder string, now, until time.Time) (bool, error) {
	d, err := w.writable()
	if err != nil {
		return false, err
	}
	switch {
	case name == "":
		return false, invalid("name", "empty")
	case holder == "":
		return false, invalid("holder", "empty")
	case !until.After(now):
		return false, invalid("until", fmt.Sprintf("%v is not after now (%v)", until, now))
	}
	at, err := encodeTime("now", now)
	if err != nil {
		return false, err
	}
	end, err := encodeTime("until", until)
	if err != nil {
		return false, err
	}
	if cur, ok := d.leases[name]; ok && cur.holder != holder && cur.until > at {
		return false, nil
	}
	putUndoable(d, &d.leases, name, lease{holder, end})
	return true, nil
}
