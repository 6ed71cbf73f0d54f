package pgstore

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
)

// Settings implements [inbox.ReadTx]. They come with the inbox's row, read
// when the transaction began.
func (r *readTx) Settings() (inbox.Settings, error) {
	if err := r.load(); err != nil {
		return inbox.Settings{}, err
	}
	if r.settings == nil {
		if r.row.settings == nil {
			return inbox.Settings{}, fmt.Errorf("pgstore: no settings saved: %w", inbox.ErrNotFound)
		}
		s, ok := settingsTexts.load(r.row.settings)
		if !ok {
			if err := decode("stored settings", r.row.settings, &s); err != nil {
				return inbox.Settings{}, err
			}
			settingsTexts.store(string(r.row.settings), s)
		}
		hours, err := decodeSchedule(r.row.officeHours)
		if err != nil {
			return inbox.Settings{}, err
		}
		s.OfficeHours = hours
		r.settings = &s
	}
	s := *r.settings
	s.SMSNotify.Recipients = slices.Clone(s.SMSNotify.Recipients)
	return s, nil
}

// PutSettings implements [inbox.Tx].
func (w *writeTx) PutSettings(s inbox.Settings) error {
	if err := w.usable(); err != nil {
		return err
	}
	hours, err := encodeSchedule("Settings.OfficeHours", s.OfficeHours)
	err = firstError(err, checkText("Settings.OrganizationPrefix", s.OrganizationPrefix), checkText("Settings.SupportEmail", s.SupportEmail),
		checkText("Settings.SMSAutoReply.Template", s.SMSAutoReply.Template), checkText("Settings.WebChatAutoReply.InHours", s.WebChatAutoReply.InHours),
		checkText("Settings.WebChatAutoReply.OutOfHours", s.WebChatAutoReply.OutOfHours))
	for _, r := range s.SMSNotify.Recipients {
		err = firstError(err, checkText("Settings.SMSNotify.Recipients", r))
	}
	if err != nil {
		return err
	}
	s.SMSNotify.Recipients = slices.Clone(s.SMSNotify.Recipients)
	rest := s
	rest.OfficeHours = nil
	text, err := json.Marshal(rest)
	if err != nil {
		return invalid("Settings", err.Error())
	}
	w.settings = &s
	return w.write(w.s.sql(`UPDATE {s}.inboxes SET settings = $2, office_hours = $3 WHERE id = $1`), w.inbox, string(text), hours)
}

const memberColumns = `id, name, role, presence, capacity, hours, joined`

// members runs a query of memberColumns and returns its rows.
func (r *readTx) members(q string, args ...any) ([]inbox.Member, error) {
	var out []inbox.Member
	err := r.query(q, args, func(rows pgx.Rows) error {
		var m inbox.Member
		var presence string
		var hours []byte
		err := rows.Scan(&m.ID, &m.Name, &m.Role, &presence, &m.Capacity, &hours, &m.Joined)
		if err == nil {
			err = m.Presence.UnmarshalText([]byte(presence))
		}
		if err == nil {
			m.Hours, err = decodeSchedule(hours)
		}
		out = append(out, m)
		return err
	})
	return out, err
}

// Member implements [inbox.ReadTx].
func (r *readTx) Member(id string) (inbox.Member, error) {
	ms, err := r.members(r.s.sql(`SELECT `+memberColumns+` FROM {s}.members WHERE inbox = $1 AND id = $2`), r.inbox, id)
	return first(ms, err, "member", strconv.Quote(id))
}

// Members implements [inbox.ReadTx].
func (r *readTx) Members() ([]inbox.Member, error) {
	return r.members(r.s.sql(`SELECT `+memberColumns+` FROM {s}.members WHERE inbox = $1 ORDER BY joined, id`), r.inbox)
}

// PutMember implements [inbox.Tx]. The ID must not be empty.
func (w *writeTx) PutMember(m inbox.Member) error {
	if err := w.usable(); err != nil {
		return err
	}
	if m.ID == "" {
		return invalid("Member.ID", "empty")
	}
	presence, err := m.Presence.MarshalText()
	if err != nil {
		return invalid("Member.Presence", err.Error())
	}
	hours, err := encodeSchedule("Member.Hours", m.Hours)
	if err = firstError(err, checkKey("Member.ID", m.ID), checkText("Member.Name", m.Name), checkText("Member.Role", string(m.Role)),
		checkUint("Member.Joined", m.Joined)); err != nil {
		return err
	}
	return w.write(w.s.sql(`INSERT INTO {s}.members AS m (inbox, `+memberColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (inbox, id) DO UPDATE SET name = excluded.name, role = excluded.role, presence = excluded.presence,
		capacity = excluded.capacity, hours = excluded.hours, joined = excluded.joined`),
		w.inbox, m.ID, m.Name, string(m.Role), string(presence), m.Capacity, hours, int64(m.Joined))
}

// DeleteMember implements [inbox.Tx].
func (w *writeTx) DeleteMember(id string) error {
	return w.delete(`DELETE FROM {s}.members WHERE inbox = $1 AND id = $2 RETURNING true`, "member", id)
}

// delete runs a DELETE … RETURNING of the row with the ID, which must exist.
func (w *writeTx) delete(q, what, id string) error {
	if err := w.usable(); err != nil {
		return err
	}
	found, err := w.queryRow(w.s.sql(q), []any{w.inbox, id}, new(bool))
	if err == nil && !found {
		err = notFound(what, strconv.Quote(id))
	}
	return err
}

// Rotation implements [inbox.ReadTx]. An Update reads the first
// rotationPrefetch+1 members with the inbox's row; when that was all of them
// (or a View asks) the rotation costs no more round trips; otherwise it is
// read when first asked for. The assign.Rotation is rebuilt from its rows
// once per transaction, and kept in step with the transaction's writes.
func (r *readTx) Rotation() (*assign.Rotation, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	if r.rotation != nil {
		return r.rotation, nil
	}
	members := r.prefetched
	if members == nil || len(members) > rotationPrefetch {
		members = []assign.Member{}
		if err := r.query(r.s.sql(selectRotation), []any{r.inbox}, collectRotation(&members)); err != nil {
			return nil, err
		}
	}
	rot := new(assign.Rotation)
	rot.SetSeq(uint64(r.row.rotationSeq))
	r.rotationStored = make(map[string]bool, len(members))
	for _, m := range members {
		if err := rot.Put(m); err != nil {
			return nil, &Error{Op: "decode a stored rotation member", Err: err}
		}
		r.rotationStored[m.ID] = true
	}
	r.rotation, r.prefetched = rot, nil
	return rot, nil
}

// rotationPrefetch is how many rotation members an Update reads with the
// inbox's row: a team of up to that many costs no round trip of its own.
const rotationPrefetch = 64

const selectRotation = `SELECT agent, joined, last_seq, presence, open_tickets, capacity, hours FROM {s}.rotation WHERE inbox = $1`

// collectRotation returns the scan function that appends the rows of
// selectRotation to members. The rows are scanned into one destination,
// made once: a row allocates only its member's ID.
func collectRotation(members *[]assign.Member) func(pgx.Rows) error {
	var m assign.Member
	var hours scheduleJSON
	dest := []any{&m.ID, &m.Joined, &m.Last, (*presenceText)(&m.Presence), &m.Open, &m.Capacity, &hours}
	return func(rows pgx.Rows) error {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		row := m
		if hours.s != nil {
			row.Hours = hours.s
		}
		*members = append(*members, row)
		return nil
	}
}

// presenceText scans a rotation member's presence from its text.
type presenceText assign.Presence

// ScanBytes implements pgtype.BytesScanner.
func (p *presenceText) ScanBytes(b []byte) error {
	if err := (*assign.Presence)(p).UnmarshalText(b); err != nil {
		return &Error{Op: "decode a stored rotation member", Err: err}
	}
	return nil
}

// scheduleJSON scans a schedule from its JSON through the cache of
// decoded schedules; NULL is none.
type scheduleJSON struct{ s *officehours.Schedule }

// ScanBytes implements pgtype.BytesScanner.
func (j *scheduleJSON) ScanBytes(b []byte) (err error) {
	j.s, err = decodeSchedule(b)
	return err
}

// PutRotationMember implements [inbox.Tx]. It keeps hours that are an
// *officehours.Schedule, and refuses others with an error matching
// [inbox.ErrInvalid].
func (w *writeTx) PutRotationMember(m assign.Member) error {
	rot, err := w.Rotation()
	if err != nil {
		return err
	}
	_, err = hoursSchedule(m.Hours)
	if err = firstError(err, checkKey("rotation member ID", m.ID), checkUint("rotation member Joined", m.Joined),
		checkUint("rotation member Last", m.Last)); err != nil {
		return err
	}
	if err := rot.Put(m); err != nil {
		return err
	}
	w.rotationWritten(m.ID)
	return nil
}

// RemoveRotationMember implements [inbox.Tx].
func (w *writeTx) RemoveRotationMember(id string) error {
	rot, err := w.Rotation()
	if err != nil {
		return err
	}
	if _, ok := rot.Member(id); ok {
		rot.Remove(id)
		w.rotationWritten(id)
	}
	return nil
}

// ApplyDecision implements [inbox.Tx]. PostgreSQL keeps the pool's sequence
// number in a bigint, so past 2^63-1 it is exhausted
// ([assign.ErrSeqExhausted]).
func (w *writeTx) ApplyDecision(d assign.Decision) error {
	rot, err := w.Rotation()
	if err != nil {
		return err
	}
	if rot.Seq() >= math.MaxInt64 {
		return fmt.Errorf("pgstore: %w at %d, the largest bigint", assign.ErrSeqExhausted, rot.Seq())
	}
	if err := rot.Apply(d); err != nil {
		return err
	}
	w.row.rotationSeq, w.dirty = int64(rot.Seq()), true
	w.rotationWritten(d.Agent)
	return nil
}

// rotationWritten records that the rotation member with the ID changed.
func (w *writeTx) rotationWritten(id string) {
	if w.rotationWrites == nil {
		w.rotationWrites = make(map[string]bool)
	}
	w.rotationWrites[id] = true
}

// queueRotation queues the saving of the rotation members written, as the
// rotation now holds them: one statement each.
func (w *writeTx) queueRotation() error {
	for id := range w.rotationWrites {
		m, ok := w.rotation.Member(id)
		stored := w.rotationStored[id]
		switch {
		case !ok && stored:
			w.queue(w.s.sql(`DELETE FROM {s}.rotation WHERE inbox = $1 AND agent = $2`), w.inbox, id)
		case ok:
			s, _ := hoursSchedule(m.Hours) // checked when put
			hours, err := encodeSchedule("rotation member hours", s)
			if err != nil {
				return err
			}
			q := `UPDATE {s}.rotation SET joined = $3, last_seq = $4, presence = $5, open_tickets = $6, capacity = $7, hours = $8
				WHERE inbox = $1 AND agent = $2`
			if !stored {
				q = `INSERT INTO {s}.rotation (inbox, agent, joined, last_seq, presence, open_tickets, capacity, hours)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
			}
			w.queue(w.s.sql(q), w.inbox, m.ID, int64(m.Joined), int64(m.Last), m.Presence.String(), m.Open, m.Capacity, hours)
		}
	}
	return nil
}

const viewColumns = `id, name, owner, shared, query`

// savedViews runs a query of viewColumns and returns its rows.
func (r *readTx) savedViews(q string, args ...any) ([]inbox.SavedView, error) {
	var out []inbox.SavedView
	err := r.query(q, args, func(rows pgx.Rows) error {
		var v inbox.SavedView
		var query []byte
		err := rows.Scan(&v.ID, &v.Name, &v.Owner, &v.Shared, &query)
		if err == nil {
			err = decode("a stored view's query", query, &v.Query)
		}
		out = append(out, v)
		return err
	})
	return out, err
}

// SavedViews implements [inbox.ReadTx].
func (r *readTx) SavedViews(member string) ([]inbox.SavedView, error) {
	return r.savedViews(r.s.sql(`SELECT `+viewColumns+` FROM {s}.saved_views WHERE inbox = $1 AND (shared OR owner = $2) ORDER BY id`),
		r.inbox, member)
}

// SavedView implements [inbox.ReadTx].
func (r *readTx) SavedView(id string) (inbox.SavedView, error) {
	vs, err := r.savedViews(r.s.sql(`SELECT `+viewColumns+` FROM {s}.saved_views WHERE inbox = $1 AND id = $2`), r.inbox, id)
	return first(vs, err, "saved view", strconv.Quote(id))
}

// PutSavedView implements [inbox.Tx]. The ID must not be empty; the query is
// kept in its JSON form, Cursor included.
func (w *writeTx) PutSavedView(v inbox.SavedView) error {
	if err := w.usable(); err != nil {
		return err
	}
	if v.ID == "" {
		return invalid("SavedView.ID", "empty")
	}
	q := v.Query
	err := firstError(checkKey("SavedView.ID", v.ID), checkText("SavedView.Name", v.Name), checkKey("SavedView.Owner", v.Owner),
		checkText("SavedView.Query.Assignee", q.Assignee), checkText("SavedView.Query.Cursor", q.Cursor))
	for _, tag := range q.Tags {
		err = firstError(err, checkText("SavedView.Query.Tags", tag))
	}
	if err != nil {
		return err
	}
	query, err := json.Marshal(q)
	if err != nil {
		return invalid("SavedView.Query", err.Error())
	}
	return w.write(w.s.sql(`INSERT INTO {s}.saved_views AS v (inbox, `+viewColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (inbox, id) DO UPDATE SET name = excluded.name, owner = excluded.owner, shared = excluded.shared, query = excluded.query`),
		w.inbox, v.ID, v.Name, v.Owner, v.Shared, string(query))
}

// DeleteSavedView implements [inbox.Tx].
func (w *writeTx) DeleteSavedView(id string) error {
	return w.delete(`DELETE FROM {s}.saved_views WHERE inbox = $1 AND id = $2 RETURNING true`, "saved view", id)
}
