package officehours_test

import (
	"encoding"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/officehours"
)

const sampleJSON = `{"zone":"America/New_York",` +
	`"weekly":{"monday":[{"start":"09:00","end":"17:30"}],"friday":[{"start":"22:00","end":"02:00"},{"start":"09:00","end":"12:00"}]},` +
	`"exceptions":[{"date":"12-25"},{"date":"2025-12-24","spans":[{"start":"09:00","end":"13:00"}]},{"date":"2026-01-01","cut_overnight":true}]}`

func TestJSONDecodes(t *testing.T) {
	t.Parallel()
	var s officehours.Schedule
	if err := json.Unmarshal([]byte(sampleJSON), &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Location().String(); got != "America/New_York" {
		t.Errorf("Location() = %q", got)
	}
	wantWeek := officehours.Week{
		time.Monday: {{Start: officehours.At(9, 0), End: officehours.At(17, 30)}},
		time.Friday: {{Start: officehours.At(22, 0), End: officehours.At(2, 0)}, {Start: officehours.At(9, 0), End: officehours.At(12, 0)}},
	}
	if diff := cmp.Diff(wantWeek, s.Weekly()); diff != "" {
		t.Errorf("Weekly() (-want +got)\n%s", diff)
	}
	wantExceptions := []officehours.Exception{
		{Date: officehours.Date{Month: time.December, Day: 25}},
		{Date: officehours.Date{Year: 2025, Month: time.December, Day: 24}, Spans: []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(13, 0)}}},
		{Date: officehours.Date{Year: 2026, Month: time.January, Day: 1}, CutOvernight: true},
	}
	if diff := cmp.Diff(wantExceptions, s.Exceptions()); diff != "" {
		t.Errorf("Exceptions() (-want +got)\n%s", diff)
	}
	got, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleJSON {
		t.Errorf("re-encoded\n got %s\nwant %s", got, sampleJSON)
	}
	// The decoded schedule answers: Friday 2025-12-26 22:00 runs into Saturday.
	if !s.IsOpen(instant(t, "2025-12-27T01:59:00-05:00")) || s.IsOpen(instant(t, "2025-12-27T02:00:00-05:00")) {
		t.Error("decoded overnight span does not run to 02:00")
	}
}

func TestJSONNullAndZero(t *testing.T) {
	t.Parallel()
	s, err := officehours.AlwaysOpen(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`null`), s); err != nil || !s.IsOpen(time.Unix(0, 0)) {
		t.Errorf("null: err %v, or the schedule changed", err)
	}
	got, err := json.Marshal(new(officehours.Schedule))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"zone":"UTC","weekly":{}}`; string(got) != want {
		t.Errorf("zero value encodes as %s, want %s", got, want)
	}
	var back officehours.Schedule
	if err := json.Unmarshal(got, &back); err != nil || back.Location() != time.UTC {
		t.Errorf("decoding %s: %v, zone %v", got, err, back.Location())
	}
}

func TestJSONErrorsNameTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		field    string
		err      error
	}{
		{"not an object", `[1]`, "", officehours.ErrSyntax},
		{"malformed", `{"zone":`, "", officehours.ErrSyntax},
		{"trailing data", `{"zone":"UTC"} {}`, "", officehours.ErrSyntax},
		{"unknown field", `{"zone":"UTC","hours":{}}`, "", officehours.ErrSyntax},
		{"unknown weekday", `{"zone":"UTC","weekly":{"funday":[]}}`, "", officehours.ErrSyntax},
		{"wrong type", `{"zone":7}`, "zone", officehours.ErrSyntax},
		{"missing zone", `{"weekly":{}}`, "zone", officehours.ErrZone},
		{"unknown zone", `{"zone":"Mars/Olympus_Mons"}`, "zone", officehours.ErrZone},
		{"the machine's zone", `{"zone":"Local"}`, "zone", officehours.ErrZone},
		{"bad start", `{"zone":"UTC","weekly":{"monday":[{"start":"9:00","end":"17:00"}]}}`, "weekly.monday[0].start", officehours.ErrTimeOfDay},
		{"missing end", `{"zone":"UTC","weekly":{"sunday":[{"start":"09:00"}]}}`, "weekly.sunday[0].end", officehours.ErrTimeOfDay},
		{"minute 60", `{"zone":"UTC","weekly":{"monday":[{"start":"09:00","end":"17:60"}]}}`, "weekly.monday[0].end", officehours.ErrTimeOfDay},
		{"start at 24:00", `{"zone":"UTC","weekly":{"monday":[{"start":"24:00","end":"02:00"}]}}`, "weekly.monday[0].start", officehours.ErrTimeOfDay},
		{"overlap", `{"zone":"UTC","weekly":{"monday":[{"start":"09:00","end":"12:00"},{"start":"11:00","end":"13:00"}]}}`, "weekly.monday[1]", officehours.ErrOverlap},
		{"bad date", `{"zone":"UTC","exceptions":[{"date":"2025-13-01"}]}`, "exceptions[0].date", officehours.ErrDate},
		{"year 0", `{"zone":"UTC","exceptions":[{"date":"0000-12-25"}]}`, "exceptions[0].date", officehours.ErrDate},
		{"date in another form", `{"zone":"UTC","exceptions":[{"date":"25/12"}]}`, "exceptions[0].date", officehours.ErrDate},
		{"bad exception span", `{"zone":"UTC","exceptions":[{"date":"12-25","spans":[{"start":"10:00","end":"x"}]}]}`, "exceptions[0].spans[0].end", officehours.ErrTimeOfDay},
		{"duplicate date", `{"zone":"UTC","exceptions":[{"date":"12-25"},{"date":"12-25"}]}`, "exceptions[1].date", officehours.ErrDuplicateDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := officehours.AlwaysOpen(time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			err = s.UnmarshalJSON([]byte(tt.in))
			var e *officehours.Error
			if !errors.As(err, &e) {
				t.Fatalf("UnmarshalJSON(%s) = %v, want an *Error", tt.in, err)
			}
			if e.Field != tt.field || !errors.Is(err, tt.err) || !errors.Is(err, officehours.ErrInvalid) {
				t.Errorf("UnmarshalJSON(%s) = %v (field %q); want field %q and %v", tt.in, err, e.Field, tt.field, tt.err)
			}
			if !s.IsOpen(time.Unix(0, 0)) || s.Location() != time.UTC {
				t.Error("a failed decode changed the schedule")
			}
		})
	}
}

func TestTimeOfDayText(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"00:00", "09:05", "23:59", "24:00"} {
		var v officehours.TimeOfDay
		if err := v.UnmarshalText([]byte(in)); err != nil {
			t.Errorf("UnmarshalText(%q): %v", in, err)
			continue
		}
		if out, err := v.MarshalText(); err != nil || string(out) != in {
			t.Errorf("round trip of %q = %q, %v", in, out, err)
		}
	}
	for _, in := range []string{"", "9:00", "09:0", "24:01", "25:00", "12:60", "12-00", "+1:00", "12:00 ", "１２:00"} {
		v := officehours.At(7, 0)
		if err := v.UnmarshalText([]byte(in)); !errors.Is(err, officehours.ErrTimeOfDay) || v != officehours.At(7, 0) {
			t.Errorf("UnmarshalText(%q) = %v, value %v; want ErrTimeOfDay, unchanged", in, err, v)
		}
	}
	if _, err := officehours.TimeOfDay(1441).MarshalText(); !errors.Is(err, officehours.ErrTimeOfDay) {
		t.Errorf("MarshalText(1441) error = %v", err)
	}
	if got := []officehours.TimeOfDay{officehours.At(24, 0), officehours.At(-1, 0), officehours.At(3, 60)}; got[0] != 1440 || got[1].Valid() || got[2].Valid() {
		t.Errorf("At: got %v", got)
	}
}

func TestDateText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want officehours.Date
	}{
		{"2025-12-25", officehours.Date{Year: 2025, Month: time.December, Day: 25}},
		{"0001-01-01", officehours.Date{Year: 1, Month: time.January, Day: 1}},
		{"2024-02-29", officehours.Date{Year: 2024, Month: time.February, Day: 29}},
		{"02-29", officehours.Date{Month: time.February, Day: 29}},
		{"12-25", officehours.Date{Month: time.December, Day: 25}},
	}
	for _, tt := range tests {
		var got officehours.Date
		if err := got.UnmarshalText([]byte(tt.in)); err != nil {
			t.Errorf("UnmarshalText(%q): %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("UnmarshalText(%q) (-want +got)\n%s", tt.in, diff)
		}
		if out, err := got.MarshalText(); err != nil || string(out) != tt.in {
			t.Errorf("MarshalText(%v) = %q, %v", got, out, err)
		}
	}
	for _, in := range []string{"", "2025-02-29", "1900-02-29", "02-30", "00-10", "2025-1-01", "12/25", "-025-01-01", "2025-12-25T00:00"} {
		var d officehours.Date
		if err := d.UnmarshalText([]byte(in)); !errors.Is(err, officehours.ErrDate) || d != (officehours.Date{}) {
			t.Errorf("UnmarshalText(%q) = %v, %v; want ErrDate, unchanged", in, err, d)
		}
	}
	if _, err := (officehours.Date{}).MarshalText(); !errors.Is(err, officehours.ErrDate) {
		t.Errorf("MarshalText(zero Date) error = %v, want ErrDate", err)
	}
}

// FuzzUnmarshalJSON checks that decoding never panics, that every failure is
// an *Error, and that whatever decodes re-encodes to JSON that decodes to
// the same schedule.
func FuzzUnmarshalJSON(f *testing.F) {
	f.Add(sampleJSON)
	f.Add(`{"zone":"UTC","weekly":{}}`)
	f.Add(`{"zone":"Australia/Lord_Howe","weekly":{"sunday":[{"start":"00:00","end":"00:00"}]},"exceptions":[{"date":"02-29","spans":[{"start":"23:00","end":"24:00"}]}]}`)
	f.Add(`{"zone":"Pacific/Chatham","exceptions":[{"date":"9999-12-31","spans":[{"start":"23:59","end":"00:01"}],"cut_overnight":true}]}`)
	f.Add(`{"zone":"UTC","weekly":{"monday":[{"start":"09:00","end":"12:00"},{"start":"12:00","end":"13:00"}]}}`)
	f.Add(`{"zone":"Local"}`)
	f.Add(`{"zone":"../etc/passwd"}`)
	f.Add(`null`)
	f.Add(`{"Zone":"UTC","WEEKLY":{"Monday":[{"Start":"01:00","End":"02:00"}]}}`)
	f.Fuzz(func(t *testing.T, in string) {
		var s officehours.Schedule
		err := json.Unmarshal([]byte(in), &s)
		if err != nil {
			var e *officehours.Error
			if json.Valid([]byte(in)) && !errors.As(err, &e) {
				t.Fatalf("Unmarshal(%q) = %v, not an *Error", in, err)
			}
			return
		}
		once, err := json.Marshal(&s)
		if err != nil {
			t.Fatalf("Marshal after decoding %q: %v", in, err)
		}
		var back officehours.Schedule
		if err := json.Unmarshal(once, &back); err != nil {
			t.Fatalf("decoding re-encoded %s: %v", once, err)
		}
		twice, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if string(once) != string(twice) {
			t.Fatalf("round trip changed the JSON\n once %s\ntwice %s", once, twice)
		}
		if diff := cmp.Diff(s.Weekly(), back.Weekly()); diff != "" {
			t.Fatalf("round trip changed the weekly spans (-first +second)\n%s", diff)
		}
		if diff := cmp.Diff(s.Exceptions(), back.Exceptions()); diff != "" {
			t.Fatalf("round trip changed the exceptions (-first +second)\n%s", diff)
		}
		if s.Location().String() != back.Location().String() {
			t.Fatalf("round trip changed the zone from %v to %v", s.Location(), back.Location())
		}
		q := time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC)
		if s.IsOpen(q) != back.IsOpen(q) || s.OpenBetween(q, q.AddDate(0, 0, 8)) != back.OpenBetween(q, q.AddDate(0, 0, 8)) {
			t.Fatalf("round trip changed the answers of %s", once)
		}
	})
}

// FuzzTimeOfDayText checks that parsing a time of day never panics, fails
// only with ErrTimeOfDay, and that whatever parses prints back the same text.
func FuzzTimeOfDayText(f *testing.F) {
	fuzzText[officehours.TimeOfDay](f, officehours.ErrTimeOfDay, "09:00", "24:00", "24:01", "9:00", "", "99:99")
}

// FuzzDateText does the same for dates.
func FuzzDateText(f *testing.F) {
	fuzzText[officehours.Date](f, officehours.ErrDate, "2025-12-25", "12-25", "02-29", "2023-02-29", "0000-01-01", "9999-12-31", "")
}

type textValue[T any] interface {
	*T
	encoding.TextMarshaler
	encoding.TextUnmarshaler
}

func fuzzText[T any, P textValue[T]](f *testing.F, sentinel error, seeds ...string) {
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v T
		if err := P(&v).UnmarshalText([]byte(in)); err != nil {
			if !errors.Is(err, sentinel) {
				t.Fatalf("UnmarshalText(%q) = %v, want %v", in, err, sentinel)
			}
			return
		}
		if out, err := P(&v).MarshalText(); err != nil || string(out) != in {
			t.Fatalf("UnmarshalText(%q) then MarshalText = %q, %v", in, out, err)
		}
	})
}
