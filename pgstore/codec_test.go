package pgstore

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/routedesk/routedesk/inbox"
)

func TestTimeRange(t *testing.T) {
	t.Parallel()
	// PostgreSQL's timestamptz runs from 4714-11-24 BC (year -4713 in Go's
	// proleptic Gregorian calendar) to the end of 294276 AD.
	if got := time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC).Unix(); got != pgMinUnix {
		t.Errorf("pgMinUnix = %d, want %d", pgMinUnix, got)
	}
	if got := time.Date(294277, 1, 1, 0, 0, 0, 0, time.UTC).Unix(); got != pgEndUnix {
		t.Errorf("pgEndUnix = %d, want %d", pgEndUnix, got)
	}
	first, end := time.Unix(pgMinUnix, 0), time.Unix(pgEndUnix, 0)
	for _, c := range []struct {
		t  time.Time
		ok bool
	}{
		{time.Time{}, true}, {first, true}, {end.Add(-time.Nanosecond), true},
		{first.Add(-time.Nanosecond), false}, {end, false},
		{time.Unix(math.MinInt64/2, 0), false}, {time.Unix(math.MaxInt64/2, 0), false},
	} {
		if err := checkTime("t", c.t); (err == nil) != c.ok || (err != nil && !errors.Is(err, inbox.ErrInvalid)) {
			t.Errorf("checkTime(%v) = %v, want ok = %v", c.t, err, c.ok)
		}
	}
}

func TestBounds(t *testing.T) {
	t.Parallel()
	neg := pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	inf := pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	at := func(t time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: t, Valid: true} }
	noon := time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	odd := noon.Add(1500 * time.Nanosecond) // between two microseconds
	before, beyond := time.Unix(pgMinUnix-1, 0), time.Unix(pgEndUnix, 0)
	equal := cmp.Comparer(func(a, b pgtype.Timestamptz) bool {
		return a.Valid == b.Valid && a.InfinityModifier == b.InfinityModifier && a.Time.Equal(b.Time)
	})
	for _, c := range []struct {
		name string
		got  pgtype.Timestamptz
		want pgtype.Timestamptz
	}{
		{"upTo(zero)", upTo(time.Time{}), neg},
		{"upTo(before the range)", upTo(before), neg},
		{"upTo(beyond the range)", upTo(beyond), inf},
		{"upTo(noon)", upTo(noon), at(noon)},
		{"from(noon)", from(noon), at(noon)},
		{"from(between microseconds)", from(odd), at(noon.Add(2 * time.Microsecond))},
		{"from(before the range)", from(before), at(time.Unix(pgMinUnix, 0))},
		{"from(beyond the range)", from(beyond), inf},
		{"keptTime(zero)", keptTime(time.Time{}), neg},
		{"optionalTime(zero)", optionalTime(time.Time{}), pgtype.Timestamptz{}},
	} {
		if d := cmp.Diff(c.want, c.got, equal); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
	type bound struct {
		At     pgtype.Timestamptz
		Number int64
	}
	for _, c := range []struct {
		name string
		p    inbox.Position
		want bound
	}{
		{"a kept time", inbox.Position{At: noon, Number: 7}, bound{at(noon), 7}},
		{"between microseconds", inbox.Position{At: odd, Number: 7}, bound{at(odd), math.MaxInt64}},
		{"the zero time", inbox.Position{Number: 7}, bound{neg, 7}},
		{"before the range", inbox.Position{At: before, Number: 7}, bound{neg, math.MaxInt64}},
		{"beyond the range", inbox.Position{At: beyond, Number: 7}, bound{inf, math.MaxInt64}},
	} {
		at, n := after(&c.p)
		if d := cmp.Diff(c.want, bound{at.(pgtype.Timestamptz), n}, equal); d != "" {
			t.Errorf("after(%s) (-want +got):\n%s", c.name, d)
		}
	}
}

func TestCheckText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s        string
		text, id bool
	}{
		{"", true, true}, {"héllo", true, true}, {"a\x00b", false, false}, {"\xff", false, false},
		{strings.Repeat("x", maxKeyLen), true, true}, {strings.Repeat("x", maxKeyLen+1), true, false},
	} {
		if err := checkText("f", c.s); (err == nil) != c.text || (err != nil && !errors.Is(err, inbox.ErrInvalid)) {
			t.Errorf("checkText(%.20q) = %v", c.s, err)
		}
		if err := checkKey("f", c.s); (err == nil) != c.id || (err != nil && !errors.Is(err, inbox.ErrInvalid)) {
			t.Errorf("checkKey(%.20q) = %v", c.s, err)
		}
	}
}

func TestParseMigrationName(t *testing.T) {
	t.Parallel()
	type parsed struct {
		Version int
		Name    string
		OK      bool
	}
	for file, want := range map[string]parsed{
		"0001_init.sql":        {1, "init", true},
		"0042_add_index_2.sql": {42, "add_index_2", true},
		"9999_x.sql":           {9999, "x", true},
		"0000_zero.sql":        {},
		"001_short.sql":        {},
		"00001_long.sql":       {},
		"0001_.sql":            {},
		"0001_Init.sql":        {},
		"0001_init.SQL":        {},
		"0001_init":            {},
		"0001-init.sql":        {},
		"x001_init.sql":        {},
		"":                     {},
	} {
		v, name, err := parseMigrationName(file)
		if d := cmp.Diff(want, parsed{v, name, err == nil}); d != "" {
			t.Errorf("parseMigrationName(%q) (-want +got):\n%s", file, d)
		}
	}
}

func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"0001_init.sql", "0000_x.sql", "12_x.sql", "0001_a b.sql", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		v, name, err := parseMigrationName(file)
		if err != nil {
			return
		}
		if v < 1 || v > 9999 || file[:4]+"_"+name+".sql" != file {
			t.Fatalf("parseMigrationName(%q) = %d, %q", file, v, name)
		}
	})
}

// FuzzDecodeEvent feeds stored event texts to decodeEvent: it never panics,
// and what it decodes encodes to a text that decodes to the same event.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"inbox":"a","type":"ticket_created","at":"2025-03-03T09:00:00Z","ticket":1}`,
		`{"seq":2,"inbox":"a","type":"message_received","at":"2025-03-03T09:00:00.000001Z","ticket":1,"message":{"ticket":1,"index":0,"direction":"inbound","author":"sms:+1","body":"hi","at":"2025-03-03T09:00:00Z"}}`,
		`{"seq":3,"inbox":"a","type":"ticket_assigned","at":"2025-03-03T09:00:00Z","ticket":1,"assignee":"ann","decision":{"agent":"ann","seq":18446744073709551615,"eligible":2}}`,
		`{"seq":4,"inbox":"a","type":"status_changed","at":"2025-03-03T09:00:00Z","from":"open","to":"snoozed","status_event":"snooze"}`,
		`{"seq":5,"inbox":"a","type":"presence_changed","at":"2025-03-03T09:00:00Z","presence":"online","tags":["a","b"]}`,
		`{"type":"nonsense"}`, `{"at":"yesterday"}`, `[]`, ``, `{"seq":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		e, err := decodeEvent(text)
		if err != nil {
			var mine *Error
			if !errors.As(err, &mine) {
				t.Fatalf("decodeEvent error %T is not an *Error", err)
			}
			return
		}
		again, err := json.Marshal(&e)
		if err != nil {
			return // decoded, but not a valid event (an unknown type, say)
		}
		e2, err := decodeEvent(again)
		if err != nil {
			t.Fatalf("decodeEvent(%s) of its own encoding: %v", again, err)
		}
		if d := cmp.Diff(e, e2); d != "" {
			t.Fatalf("event changed through encoding (-first +second):\n%s", d)
		}
	})
}
