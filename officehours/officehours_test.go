package officehours_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/officehours"
)

func TestNewRefusesInvalidSchedules(t *testing.T) {
	t.Parallel()
	ny := load(t, "America/New_York")
	span := func(start, end officehours.TimeOfDay) []officehours.Span {
		return []officehours.Span{{Start: start, End: end}}
	}
	christmas := officehours.Date{Month: time.December, Day: 25}
	tests := []struct {
		name       string
		loc        *time.Location
		week       officehours.Week
		exceptions []officehours.Exception
		want       officehours.Error
	}{
		{
			name: "no zone",
			want: officehours.Error{Field: "zone", Err: officehours.ErrZone, Detail: "missing"},
		},
		{
			name: "a zone more than a day off UTC",
			loc:  time.FixedZone("far", 25*60*60),
			want: officehours.Error{Field: "zone", Err: officehours.ErrZone, Detail: "far is a day or more off UTC"},
		},
		{
			name: "the machine's zone",
			loc:  time.Local,
			want: officehours.Error{Field: "zone", Err: officehours.ErrZone, Detail: `"Local" is not an IANA zone name`},
		},
		{
			name: "a start at 24:00",
			loc:  ny, week: officehours.Week{time.Monday: span(officehours.At(24, 0), officehours.At(2, 0))},
			want: officehours.Error{Field: "weekly.monday[0].start", Err: officehours.ErrTimeOfDay, Detail: "24:00 can only end a span"},
		},
		{
			name: "an hour out of range",
			loc:  ny, week: officehours.Week{time.Tuesday: span(officehours.At(9, 0), officehours.At(25, 0))},
			want: officehours.Error{Field: "weekly.tuesday[0].end", Err: officehours.ErrTimeOfDay, Detail: "invalid time of day(-1) is outside 00:00–24:00"},
		},
		{
			name: "a negative time of day",
			loc:  ny, week: officehours.Week{time.Sunday: span(-5, 60)},
			want: officehours.Error{Field: "weekly.sunday[0].start", Err: officehours.ErrTimeOfDay, Detail: "invalid time of day(-5) is outside 00:00–23:59"},
		},
		{
			name: "overlapping spans",
			loc:  ny, week: officehours.Week{time.Friday: spans(t, "13:00-18:00,09:00-14:00")},
			want: officehours.Error{Field: "weekly.friday[0]", Err: officehours.ErrOverlap, Detail: "13:00–18:00 overlaps or touches weekly.friday[1] 09:00–14:00"},
		},
		{
			name: "touching spans",
			loc:  ny, week: officehours.Week{time.Friday: spans(t, "09:00-12:00,12:00-17:00")},
			want: officehours.Error{Field: "weekly.friday[1]", Err: officehours.ErrOverlap, Detail: "12:00–17:00 overlaps or touches weekly.friday[0] 09:00–12:00"},
		},
		{
			name: "two overnight spans",
			loc:  ny, week: officehours.Week{time.Saturday: spans(t, "20:00-01:00,23:00-02:00")},
			want: officehours.Error{Field: "weekly.saturday[1]", Err: officehours.ErrOverlap, Detail: "23:00–02:00 overlaps or touches weekly.saturday[0] 20:00–01:00"},
		},
		{
			name: "an overnight span over the morning",
			loc:  ny, week: officehours.Week{time.Saturday: spans(t, "08:00-09:00,22:00-10:00,23:00-23:30")},
			want: officehours.Error{Field: "weekly.saturday[2]", Err: officehours.ErrOverlap, Detail: "23:00–23:30 overlaps or touches weekly.saturday[1] 22:00–10:00"},
		},
		{
			name:       "a date that does not exist",
			loc:        ny,
			exceptions: []officehours.Exception{{Date: christmas}, {Date: officehours.Date{Year: 2025, Month: time.February, Day: 29}}},
			want:       officehours.Error{Field: "exceptions[1].date", Err: officehours.ErrDate, Detail: "2025-02-29 does not exist"},
		},
		{
			name:       "a month out of range",
			loc:        ny,
			exceptions: []officehours.Exception{{Date: officehours.Date{Month: 13, Day: 1}}},
			want:       officehours.Error{Field: "exceptions[0].date", Err: officehours.ErrDate, Detail: "13-01 does not exist"},
		},
		{
			name:       "a year out of range",
			loc:        ny,
			exceptions: []officehours.Exception{{Date: officehours.Date{Year: 10000, Month: 1, Day: 1}}},
			want:       officehours.Error{Field: "exceptions[0].date", Err: officehours.ErrDate, Detail: "10000-01-01 does not exist"},
		},
		{
			name:       "two exceptions on one date",
			loc:        ny,
			exceptions: []officehours.Exception{{Date: christmas}, {Date: officehours.Date{Year: 2025, Month: 12, Day: 24}}, {Date: christmas, Spans: spans(t, "10:00-12:00")}},
			want:       officehours.Error{Field: "exceptions[2].date", Err: officehours.ErrDuplicateDate, Detail: "12-25 is also the date of exceptions[0]"},
		},
		{
			name:       "bad spans in an exception",
			loc:        ny,
			exceptions: []officehours.Exception{{Date: christmas, Spans: spans(t, "10:00-12:00,11:00-13:00")}},
			want:       officehours.Error{Field: "exceptions[0].spans[1]", Err: officehours.ErrOverlap, Detail: "11:00–13:00 overlaps or touches exceptions[0].spans[0] 10:00–12:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := officehours.New(tt.loc, tt.week, tt.exceptions...)
			if s != nil {
				t.Errorf("New returned a schedule with error %v", err)
			}
			var got *officehours.Error
			if !errors.As(err, &got) {
				t.Fatalf("New error = %v, want an *Error", err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if !errors.Is(err, officehours.ErrInvalid) || !errors.Is(err, tt.want.Err) {
				t.Errorf("errors.Is(%v) does not match ErrInvalid and %v", err, tt.want.Err)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	var tod officehours.TimeOfDay
	err := tod.UnmarshalText([]byte("25:00"))
	if got, want := err.Error(), `officehours: invalid time of day: "25:00" is not HH:MM from 00:00 to 24:00`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e := &officehours.Error{Field: "weekly.monday[1].end", Err: officehours.ErrTimeOfDay, Detail: "x"}
	if got, want := e.Error(), "officehours: invalid time of day: weekly.monday[1].end: x"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (&officehours.Error{}).Error(), "officehours: invalid schedule"; got != want {
		t.Errorf("zero Error() = %q, want %q", got, want)
	}
	if errors.Is(e, officehours.ErrDate) {
		t.Error("an ErrTimeOfDay error matches ErrDate")
	}
}

// TestSpecialSchedules covers the zero value, the empty and the always-open
// schedule, and spans that meet every day.
func TestSpecialSchedules(t *testing.T) {
	t.Parallel()
	ny := load(t, "America/New_York")
	q := instant(t, "2025-03-09T02:30:00-05:00") // inside the spring-forward gap
	empty, err := officehours.New(ny, officehours.Week{})
	if err != nil {
		t.Fatal(err)
	}
	always, err := officehours.AlwaysOpen(ny)
	if err != nil {
		t.Fatal(err)
	}
	// 09:00–09:00 every day: each day's span runs into the next.
	var roundTheClock officehours.Week
	for d := range roundTheClock {
		roundTheClock[d] = []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(9, 0)}}
	}
	chained, err := officehours.New(ny, roundTheClock)
	if err != nil {
		t.Fatal(err)
	}
	type answers struct {
		IsOpen              bool
		NextOpen, NextClose string
		OpenBetween         time.Duration
	}
	ask := func(s *officehours.Schedule) answers {
		format := func(v time.Time, ok bool) string {
			if !ok {
				return "never"
			}
			return v.UTC().Format(time.RFC3339)
		}
		return answers{
			IsOpen:      s.IsOpen(q),
			NextOpen:    format(s.NextOpen(q)),
			NextClose:   format(s.NextClose(q)),
			OpenBetween: s.OpenBetween(q, q.Add(48*time.Hour)),
		}
	}
	tests := []struct {
		name string
		s    *officehours.Schedule
		want answers
	}{
		{"zero value", new(officehours.Schedule), answers{NextOpen: "never", NextClose: "2025-03-09T07:30:00Z"}},
		{"empty", empty, answers{NextOpen: "never", NextClose: "2025-03-09T07:30:00Z"}},
		{"always open", always, answers{IsOpen: true, NextOpen: "2025-03-09T07:30:00Z", NextClose: "never", OpenBetween: 48 * time.Hour}},
		{"09:00-09:00 every day", chained, answers{IsOpen: true, NextOpen: "2025-03-09T07:30:00Z", NextClose: "never", OpenBetween: 48 * time.Hour}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ask(tt.s)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
	if got := new(officehours.Schedule).Location(); got != time.UTC {
		t.Errorf("zero value Location() = %v, want UTC", got)
	}
}

// TestFarAnswers checks answers that lie far outside the cached window,
// including schedules closed, or open, for years by exceptions.
func TestFarAnswers(t *testing.T) {
	t.Parallel()
	london := load(t, "Europe/London")
	from := instant(t, "2025-06-01T12:00:00Z")
	weekdays := week(t, map[time.Weekday]string{time.Monday: "09:00-17:00", time.Tuesday: "09:00-17:00", time.Wednesday: "09:00-17:00", time.Thursday: "09:00-17:00", time.Friday: "09:00-17:00"})
	var holidays []officehours.Exception // every day from 2025-06-01 for three years
	for d := from; d.Before(from.AddDate(3, 0, 0)); d = d.AddDate(0, 0, 1) {
		holidays = append(holidays, officehours.Exception{Date: officehours.Date{Year: d.Year(), Month: d.Month(), Day: d.Day()}})
	}
	var allYear []officehours.Exception // every date of the year a holiday
	for d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2024; d = d.AddDate(0, 0, 1) {
		allYear = append(allYear, officehours.Exception{Date: officehours.Date{Month: d.Month(), Day: d.Day()}})
	}
	oneDay := officehours.Exception{Date: officehours.Date{Year: 2040, Month: time.July, Day: 4}, Spans: spans(t, "10:00-11:00")}
	inGap := officehours.Exception{Date: officehours.Date{Year: 2030, Month: time.March, Day: 31}, Spans: spans(t, "01:15-01:45")}
	leapDayOnly := officehours.Exception{Date: officehours.Date{Month: time.February, Day: 29}, Spans: spans(t, "12:00-13:00")}
	christmas := officehours.Date{Month: time.December, Day: 25}
	chainWeek := week(t, map[time.Weekday]string{0: "09:00-09:00", 1: "09:00-09:00", 2: "09:00-09:00", 3: "09:00-09:00", 4: "09:00-09:00", 5: "09:00-09:00", 6: "09:00-09:00"})
	alwaysWeek := week(t, map[time.Weekday]string{0: "00:00-24:00", 1: "00:00-24:00", 2: "00:00-24:00", 3: "00:00-24:00", 4: "00:00-24:00", 5: "00:00-24:00", 6: "00:00-24:00"})
	tests := []struct {
		name            string
		week            officehours.Week
		exceptions      []officehours.Exception
		nextOpen, close string
	}{
		{"closed for three years by holidays", weekdays, holidays, "2028-06-01 09:00 +01:00", "2025-06-01 13:00 +01:00"},
		{"only one day, fifteen years ahead", officehours.Week{}, []officehours.Exception{oneDay}, "2040-07-04 10:00 +01:00", "2025-06-01 13:00 +01:00"},
		{"only a span that falls in a spring-forward gap", officehours.Week{}, []officehours.Exception{inGap}, "never", "2025-06-01 13:00 +01:00"},
		{"every date a yearly holiday", weekdays, allYear, "never", "2025-06-01 13:00 +01:00"},
		{"every date a holiday but one-offs", weekdays, append(allYear[:len(allYear):len(allYear)], oneDay), "2040-07-04 10:00 +01:00", "2025-06-01 13:00 +01:00"},
		{"29 February only", officehours.Week{}, []officehours.Exception{leapDayOnly}, "2028-02-29 12:00 +00:00", "2025-06-01 13:00 +01:00"},
		{"always open but one day, fifteen years ahead", alwaysWeek, []officehours.Exception{{Date: oneDay.Date}}, "2025-06-01 13:00 +01:00", "2040-07-04 00:00 +01:00"},
		{"always open but 29 February", alwaysWeek, []officehours.Exception{{Date: leapDayOnly.Date}}, "2025-06-01 13:00 +01:00", "2028-02-29 00:00 +00:00"},
		{"always open with a yearly all-day exception", alwaysWeek, []officehours.Exception{{Date: leapDayOnly.Date, Spans: spans(t, "00:00-00:00")}}, "2025-06-01 13:00 +01:00", "never"},
		{"09:00-09:00 every day, and on a yearly exception", chainWeek, []officehours.Exception{{Date: christmas, Spans: spans(t, "09:00-09:00")}}, "2025-06-01 13:00 +01:00", "never"},
		{"09:00-09:00 every day, and on a yearly exception that cuts the night before", chainWeek, []officehours.Exception{{Date: christmas, Spans: spans(t, "09:00-09:00"), CutOvernight: true}}, "2025-06-01 13:00 +01:00", "2025-12-25 00:00 +00:00"},
		{"09:00-09:00 every day, but a yearly exception ends at midnight", chainWeek, []officehours.Exception{{Date: christmas, Spans: spans(t, "00:00-24:00")}}, "2025-06-01 13:00 +01:00", "2025-12-26 00:00 +00:00"},
		{"always open but a yearly exception from noon", alwaysWeek, []officehours.Exception{{Date: officehours.Date{Month: 12, Day: 25}, Spans: spans(t, "12:00-00:00")}}, "2025-06-01 13:00 +01:00", "2025-12-25 00:00 +00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := officehours.New(london, tt.week, tt.exceptions...)
			if err != nil {
				t.Fatal(err)
			}
			format := func(v time.Time, ok bool) string {
				if !ok {
					return "never"
				}
				return v.In(london).Format(layout)
			}
			got := []string{format(s.NextOpen(from)), format(s.NextClose(from))}
			if diff := cmp.Diff([]string{tt.nextOpen, tt.close}, got); diff != "" {
				t.Errorf("NextOpen, NextClose (-want +got)\n%s", diff)
			}
			uncached := []string{format(officehours.NextOpenUncached(s, from)), format(officehours.NextCloseUncached(s, from))}
			if diff := cmp.Diff([]string{tt.nextOpen, tt.close}, uncached); diff != "" {
				t.Errorf("without the cache (-want +got)\n%s", diff)
			}
		})
	}
}

// TestRange covers the ends of the instants a schedule covers.
func TestRange(t *testing.T) {
	t.Parallel()
	always, err := officehours.AlwaysOpen(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	before, after := first.Add(-time.Nanosecond), end
	if always.IsOpen(before) || always.IsOpen(after) || !always.IsOpen(first) || !always.IsOpen(end.Add(-1)) {
		t.Error("IsOpen at the ends of the range: want closed outside, open inside")
	}
	if got, ok := always.NextOpen(before); !ok || !got.Equal(first) {
		t.Errorf("NextOpen(before the range) = %v, %v; want %v", got, ok, first)
	}
	if _, ok := always.NextOpen(after); ok {
		t.Error("NextOpen(after the range) found an instant")
	}
	if got, ok := always.NextClose(after); !ok || !got.Equal(after) {
		t.Errorf("NextClose(after the range) = %v, %v; want itself", got, ok)
	}
	if _, ok := always.NextClose(end.Add(-time.Hour)); ok {
		t.Error("NextClose just before the end of the range found an instant")
	}
	if got, want := always.OpenBetween(before.Add(-time.Hour), first.Add(time.Hour)), time.Hour; got != want {
		t.Errorf("OpenBetween across the start = %v, want %v", got, want)
	}
	if got, want := always.OpenBetween(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), end), time.Duration(1<<63-1); got != want {
		t.Errorf("OpenBetween over the whole range = %v, want the largest Duration", got)
	}
	extreme := []time.Time{{}, time.Unix(-1<<62, 0), time.Unix(1<<62, 0)}
	for _, q := range extreme {
		always.IsOpen(q) // must not panic
		always.NextOpen(q)
		always.NextClose(q)
	}
}

// TestConcurrentUse runs questions about far apart instants from many
// goroutines, so that the cached window is replaced while being read.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	ny := load(t, "America/New_York")
	s, err := officehours.New(ny, week(t, map[time.Weekday]string{time.Monday: "09:00-17:00", time.Saturday: "22:00-02:00"}),
		officehours.Exception{Date: officehours.Date{Month: 12, Day: 25}})
	if err != nil {
		t.Fatal(err)
	}
	reference, err := officehours.New(ny, s.Weekly(), s.Exceptions()...)
	if err != nil {
		t.Fatal(err)
	}
	base := instant(t, "2025-01-06T14:00:00Z") // a Monday, 09:00 in New York
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				q := base.AddDate(0, 0, 7*((g*200+i)%97*5))
				if !s.IsOpen(q) && !(q.Month() == 12 && q.Day() == 25) {
					t.Errorf("IsOpen(%v) = false", q)
					return
				}
				s.NextClose(q)
				s.NextOpen(q.Add(8 * time.Hour))
			}
		})
	}
	wg.Wait()
	for i := range 97 {
		q := base.AddDate(0, 0, 7*i*5).Add(9 * time.Hour)
		a, _ := s.NextOpen(q)
		b, _ := reference.NextOpen(q)
		if !a.Equal(b) {
			t.Errorf("NextOpen(%v) = %v after concurrent use, %v on a fresh schedule", q, a, b)
		}
	}
}

// TestLastDayOfLeapYear covers go.dev/issue/81583: in the last UTC day of a
// leap year served by a zone's TZ rule, ZoneBounds reports an end before the
// instant. The walk must still see one period to the next real change, and
// answer right across that day.
func TestLastDayOfLeapYear(t *testing.T) {
	t.Parallel()
	ny := load(t, "America/New_York")
	s, err := officehours.New(ny, officehours.Week{}, officehours.Exception{Date: officehours.Date{Month: 1, Day: 1}, Spans: spans(t, "00:00-01:00")})
	if err != nil {
		t.Fatal(err)
	}
	q := instant(t, "2040-12-31T12:00:00Z")
	if end := officehours.ZoneEnd(s, q); end.Sub(q) < time.Hour {
		t.Errorf("period at %v ends at %v: stepping by seconds", q, end)
	}
	if end, want := officehours.ZoneEnd(s, instant(t, "2041-06-01T00:00:00Z")), instant(t, "2041-11-03T06:00:00Z"); !end.Equal(want) {
		t.Errorf("period in June 2041 ends at %v, want %v", end, want)
	}
	got := intervals(t, s, instant(t, "2040-06-01T00:00:00Z"), instant(t, "2045-01-02T00:00:00Z"))
	var want []string
	for y := 2041; y <= 2045; y++ {
		want = append(want, fmt.Sprintf("%d-01-01 00:00 -05:00 – %d-01-01 01:00 -05:00", y, y))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("open intervals (-want +got)\n%s", diff)
	}
	if got := officehours.OpenBetweenUncached(s, instant(t, "2040-06-01T00:00:00Z"), instant(t, "2045-06-01T00:00:00Z")); got != 5*time.Hour {
		t.Errorf("OpenBetween = %v, want 5h", got)
	}
}
