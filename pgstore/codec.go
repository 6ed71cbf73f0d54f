package pgstore

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
)

// maxKeyLen is the longest identifier kept: inbox, member, view and lease
// IDs, customers, channel keys, message IDs, assignees. It keeps every index
// entry under PostgreSQL's limit (about 2700 bytes) and passes every
// identifier that package channel accepts (998 bytes and a prefix).
const maxKeyLen = 1024

// checkText refuses what a text column cannot hold: PostgreSQL text is UTF-8
// without NUL.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return invalid(field, "not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return invalid(field, "holds a NUL byte")
	}
	return nil
}

// checkKey is checkText for identifiers, which are also at most maxKeyLen
// bytes long.
func checkKey(field, s string) error {
	if len(s) > maxKeyLen {
		return invalid(field, fmt.Sprintf("%d bytes; at most %d", len(s), maxKeyLen))
	}
	return checkText(field, s)
}

// checkUint refuses a uint64 above the largest bigint.
func checkUint(field string, v uint64) error {
	if v > math.MaxInt64 {
		return invalid(field, fmt.Sprintf("%d is above 2^63-1, the largest PostgreSQL bigint", v))
	}
	return nil
}

// The instants timestamptz holds, in Unix seconds: from 4714-11-24 BC to the
// end of 294276 AD.
const (
	pgMinUnix int64 = -210866803200
	pgEndUnix int64 = 9224318016000
)

// checkTime refuses a time that timestamptz cannot hold. The zero time is
// fine: it is kept as NULL or -infinity.
func checkTime(field string, t time.Time) error {
	if u := t.Unix(); !t.IsZero() && (u < pgMinUnix || u >= pgEndUnix) {
		return invalid(field, fmt.Sprintf("%v is outside the years 4713 BC to 294276 AD that PostgreSQL keeps", t))
	}
	return nil
}

// Times are kept to the microsecond (the driver drops the rest). These turn a
// checked time into an argument: the zero time is -infinity where a time is
// required (so that it sorts first) and NULL where it is optional.
func keptTime(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

func optionalTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

// upTo returns the bound b such that a kept time k is at or before t exactly
// when k <= b: it works for any t, kept or not.
func upTo(t time.Time) pgtype.Timestamptz {
	switch u := t.Unix(); {
	case t.IsZero() || u < pgMinUnix:
		return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	case u >= pgEndUnix:
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: t, Valid: true} // the driver drops what is below a microsecond
}

// from returns the bound b such that a kept time k is at or after t exactly
// when k >= b, for any t but the zero time (which every kept time is at or
// after).
func from(t time.Time) pgtype.Timestamptz {
	switch u := t.Unix(); {
	case u < pgMinUnix:
		return pgtype.Timestamptz{Time: time.Unix(pgMinUnix, 0), Valid: true}
	case u >= pgEndUnix:
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	if f := t.Truncate(time.Microsecond); !f.Equal(t) {
		t = f.Add(time.Microsecond)
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// keptTimeOf scans a kept time: NULL and -infinity are the zero time, and
// others come back in UTC.
type keptTimeOf time.Time

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (k *keptTimeOf) ScanTimestamptz(v pgtype.Timestamptz) error {
	switch {
	case !v.Valid || v.InfinityModifier == pgtype.NegativeInfinity:
		*k = keptTimeOf{}
	case v.InfinityModifier == pgtype.Infinity:
		return fmt.Errorf("pgstore: a kept time is infinity")
	default:
		*k = keptTimeOf(v.Time.UTC())
	}
	return nil
}

// scanTime returns the destination that scans a kept time into t.
func scanTime(t *time.Time) *keptTimeOf { return (*keptTimeOf)(t) }

// Decoding an officehours.Schedule from JSON loads its time zone, which costs
// about 100 µs; rotations and settings are read in nearly every transaction.
// So decoded schedules are cached for the life of the process, by their JSON
// text as PostgreSQL returns it. A Schedule is immutable and safe for
// concurrent use, so one decoded value serves every transaction. Settings
// are cached the same way, as values that readers copy: decoding them took
// about a tenth of the CPU of a Receive.
var (
	schedules     decoded[*officehours.Schedule]
	scheduleTexts sync.Map // *officehours.Schedule → string, the other way
	settingsTexts decoded[inbox.Settings]
)

// decoded caches what JSON texts read from the database decode to. It stops
// growing at maxDecoded distinct texts (a team has a few schedules and one
// settings text per inbox).
type decoded[T any] struct {
	values sync.Map // string → T
	count  atomic.Int64
}

const maxDecoded = 10_000

// load returns the value decoded from text, if it is cached.
func (d *decoded[T]) load(text []byte) (T, bool) {
	v, ok := d.values.Load(string(text))
	if !ok {
		var zero T
		return zero, false
	}
	return v.(T), true
}

// store caches v as the value decoded from text, and reports whether there
// was room.
func (d *decoded[T]) store(text string, v T) bool {
	if d.count.Add(1) > maxDecoded {
		return false
	}
	d.values.Store(text, v)
	return true
}

// decodeSchedule returns the schedule of a JSON text read from the database;
// nil text (NULL) is no schedule.
func decodeSchedule(text []byte) (*officehours.Schedule, error) {
	if text == nil {
		return nil, nil
	}
	if s, ok := schedules.load(text); ok {
		return s, nil
	}
	s := new(officehours.Schedule)
	if err := s.UnmarshalJSON(text); err != nil {
		return nil, &Error{Op: "decode a stored schedule", Err: err}
	}
	cacheSchedule(s, string(text))
	return s, nil
}

// cacheSchedule remembers that text is the JSON of s, both ways.
func cacheSchedule(s *officehours.Schedule, text string) {
	if schedules.store(text, s) {
		scheduleTexts.Store(s, text)
	}
}

// encodeSchedule returns the argument that keeps s: its JSON, or NULL.
func encodeSchedule(field string, s *officehours.Schedule) (any, error) {
	if s == nil {
		return nil, nil
	}
	if text, ok := scheduleTexts.Load(s); ok {
		return text, nil
	}
	b, err := s.MarshalJSON()
	if err != nil {
		return nil, invalid(field, err.Error())
	}
	cacheSchedule(s, string(b))
	return string(b), nil
}

// hoursSchedule returns the schedule behind a rotation member's hours: the
// store keeps *officehours.Schedule hours, and nothing else.
func hoursSchedule(h assign.Hours) (*officehours.Schedule, error) {
	switch h := h.(type) {
	case nil:
		return nil, nil
	case *officehours.Schedule:
		if h == nil {
			return nil, invalid("rotation member hours", "a nil *officehours.Schedule; leave Hours nil for none")
		}
		return h, nil
	default:
		return nil, invalid("rotation member hours", fmt.Sprintf("%T: pgstore keeps only *officehours.Schedule", h))
	}
}

// firstError returns the first of errs that is not nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// decode decodes JSON text read from the database into v; what names it in
// the error.
func decode(what string, text []byte, v any) error {
	if err := json.Unmarshal(text, v); err != nil {
		return &Error{Op: "decode " + what, Err: err}
	}
	return nil
}

// checkSent refuses a campaign or flow text that cannot be kept.
func checkSent(field string, s *channel.Sent) error {
	if !s.Origin.Valid() {
		return invalid(field+".Origin", s.Origin.String())
	}
	return firstError(checkText(field+".ID", s.ID), checkTime(field+".At", s.At))
}

// keptSent returns a copy of s as it is kept (its time to the microsecond,
// in UTC), or nil for nil.
func keptSent(s *channel.Sent) *channel.Sent {
	if s == nil {
		return nil
	}
	k := *s
	k.At = k.At.UTC().Truncate(time.Microsecond)
	return &k
}

// keptMessage returns m as an event keeps it: its times to the microsecond,
// in UTC, and its attribution a copy.
func keptMessage(m inbox.Message) inbox.Message {
	m.At = m.At.UTC().Truncate(time.Microsecond)
	m.Attribution = keptSent(m.Attribution)
	return m
}

// checkMessage refuses the strings of a message that cannot be kept.
func checkMessage(field string, m *inbox.Message) error {
	err := firstError(checkText(field+".Author", m.Author), checkText(field+".ID", m.ID), checkText(field+".Body", m.Body),
		checkTime(field+".At", m.At))
	if m.Attribution != nil {
		err = firstError(err, checkSent(field+".Attribution", m.Attribution))
	}
	return err
}

// encodeAttribution returns the argument that keeps a checked message's
// attribution: its JSON, or NULL for none.
func encodeAttribution(s *channel.Sent) (any, error) {
	if s == nil {
		return nil, nil
	}
	text, err := json.Marshal(keptSent(s))
	if err != nil {
		return nil, invalid("Message.Attribution", err.Error())
	}
	return string(text), nil
}
