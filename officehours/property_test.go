package officehours_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/officehours"
)

// propertyZones have whole-minute offsets since 1970, so the reference can
// walk UTC minutes.
var propertyZones = []string{
	"UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago",
	"Asia/Kathmandu", "Pacific/Chatham", "Pacific/Apia", "America/St_Johns",
	"Africa/Casablanca", "Europe/Dublin", "America/Havana", "Australia/Adelaide",
}

// drawSpans draws the valid spans of one day: up to three that neither
// overlap nor touch, the last possibly overnight.
func drawSpans(t *rapid.T, label string) []officehours.Span {
	n := rapid.IntRange(0, 3).Draw(t, label+" spans")
	minute := rapid.OneOf(rapid.Map(rapid.IntRange(0, 96), func(q int) int { return q * 15 }), rapid.IntRange(0, 1440))
	points := rapid.SliceOfNDistinct(minute, 2*n, 2*n, func(m int) int { return m }).Draw(t, label+" points")
	slices.Sort(points)
	var out []officehours.Span
	for i := 0; i < len(points); i += 2 {
		out = append(out, officehours.Span{Start: officehours.TimeOfDay(points[i]), End: officehours.TimeOfDay(points[i+1])})
	}
	if n > 0 && rapid.Bool().Draw(t, label+" overnight") {
		last := &out[n-1]
		last.End = officehours.TimeOfDay(rapid.IntRange(0, int(last.Start)).Draw(t, label+" overnight end"))
	}
	return out
}

// fixture is a random schedule with the plain data it was built from.
type fixture struct {
	loc        *time.Location
	week       officehours.Week
	exceptions []officehours.Exception
	s          *officehours.Schedule
	start      time.Time // a whole UTC minute, near a change of offset when the zone has one
}

func drawFixture(t *rapid.T) fixture {
	var f fixture
	f.loc = must(loadZone(rapid.SampledFrom(propertyZones).Draw(t, "zone")))
	day := time.Date(rapid.IntRange(1975, 2045).Draw(t, "year"), 1, 1, 0, 0, 0, 0, time.UTC).
		AddDate(0, 0, rapid.IntRange(0, 364).Draw(t, "day"))
	f.start = day
	if _, end := day.In(f.loc).ZoneBounds(); !end.IsZero() && end.Sub(day) < 400*24*time.Hour {
		f.start = end.Add(-time.Duration(rapid.IntRange(0, 5*24*60).Draw(t, "minutes before change")) * time.Minute)
	}
	f.start = f.start.Truncate(time.Minute)
	switch rapid.IntRange(0, 5).Draw(t, "kind of week") {
	case 0: // never open, except by exceptions
	case 1: // always open, except by exceptions
		for d := range f.week {
			f.week[d] = []officehours.Span{{Start: 0, End: officehours.At(24, 0)}}
		}
	default:
		for d := range f.week {
			f.week[d] = drawSpans(t, time.Weekday(d).String())
		}
	}
	seen := map[officehours.Date]bool{}
	for i := range rapid.IntRange(0, 4).Draw(t, "exceptions") {
		y, m, d := f.start.In(f.loc).AddDate(0, 0, rapid.IntRange(-3, 10).Draw(t, "exception day")).Date()
		date := officehours.Date{Year: y, Month: m, Day: d}
		if rapid.Bool().Draw(t, "yearly") {
			date.Year = 0
		}
		if seen[date] {
			continue
		}
		seen[date] = true
		f.exceptions = append(f.exceptions, officehours.Exception{
			Date:         date,
			Spans:        drawSpans(t, "exception "+string(rune('0'+i))),
			CutOvernight: rapid.Bool().Draw(t, "cut overnight"),
		})
	}
	f.s = must(officehours.New(f.loc, f.week, f.exceptions...))
	return f
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// dayPlan is the reference's effective spans of a local date, and whether it
// cuts the previous date's overnight span.
func (f *fixture) dayPlan(y int, m time.Month, d int) ([]officehours.Span, bool) {
	for _, yearly := range []bool{false, true} {
		for _, e := range f.exceptions {
			if e.Date.Month == m && e.Date.Day == d && (e.Date.Year == y) != yearly && (e.Date.Year == 0) == yearly {
				return e.Spans, e.CutOvernight
			}
		}
	}
	return f.week[time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()], false
}

// openAt is the wall-clock rule, read literally.
func (f *fixture) openAt(t time.Time) bool {
	local := t.In(f.loc)
	y, m, d := local.Date()
	minute := officehours.TimeOfDay(local.Hour()*60 + local.Minute())
	today, cut := f.dayPlan(y, m, d)
	for _, sp := range today {
		if sp.Start <= minute && (minute < sp.End || sp.End <= sp.Start) {
			return true
		}
	}
	if cut {
		return false
	}
	py, pm, pd := time.Date(y, m, d-1, 12, 0, 0, 0, time.UTC).Date()
	yesterday, _ := f.dayPlan(py, pm, pd)
	for _, sp := range yesterday {
		if sp.End <= sp.Start && minute < sp.End {
			return true
		}
	}
	return false
}

const refMinutes = 9 * 24 * 60

// TestAgainstReference compares every question with a minute-by-minute walk
// of the wall clock, for random schedules, zones and instants.
func TestAgainstReference(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		f := drawFixture(t)
		open := make([]bool, refMinutes)
		for i := range open {
			open[i] = f.openAt(f.start.Add(time.Duration(i) * time.Minute))
		}
		at := func(i int) time.Time { return f.start.Add(time.Duration(i) * time.Minute) }
		// first returns the first minute ≥ i whose state is want, or refMinutes.
		first := func(i int, want bool) int {
			for i < refMinutes && open[i] != want {
				i++
			}
			return i
		}
		for range 8 {
			i := rapid.IntRange(0, refMinutes-1).Draw(t, "minute")
			q := at(i).Add(time.Duration(rapid.Int64Range(0, int64(time.Minute)-1).Draw(t, "within")))
			if got := f.s.IsOpen(q); got != open[i] {
				t.Fatalf("IsOpen(%v) = %v, reference %v", q.In(f.loc), got, open[i])
			}
			checkNext(t, f, q, i, first(i, true), true)
			checkNext(t, f, q, i, first(i, false), false)

			j := rapid.IntRange(i, refMinutes).Draw(t, "end minute")
			want := time.Duration(0)
			for k := i; k < j; k++ {
				if open[k] {
					want += time.Minute
				}
			}
			if got := f.s.OpenBetween(at(i), at(j)); got != want {
				t.Fatalf("OpenBetween(%v, %v) = %v, reference %v", at(i).In(f.loc), at(j).In(f.loc), got, want)
			}
			if got := officehours.OpenBetweenUncached(f.s, at(i), at(j)); got != want {
				t.Fatalf("OpenBetween(%v, %v) without the cache = %v, reference %v", at(i).In(f.loc), at(j).In(f.loc), got, want)
			}
		}
	})
}

// checkNext checks NextOpen (open) or NextClose (!open) at q, in minute i,
// given the first minute j ≥ i in that state (refMinutes if none).
func checkNext(t *rapid.T, f fixture, q time.Time, i, j int, open bool) {
	next, name := f.s.NextOpen, "NextOpen"
	if !open {
		next, name = f.s.NextClose, "NextClose"
	}
	got, ok := next(q)
	switch {
	case j == i:
		if !ok || !got.Equal(q) {
			t.Fatalf("%s(%v) = %v, %v; want the instant itself", name, q.In(f.loc), got, ok)
		}
	case j < refMinutes:
		want := f.start.Add(time.Duration(j) * time.Minute)
		if !ok || !got.Equal(want) {
			t.Fatalf("%s(%v) = %v, %v; reference %v", name, q.In(f.loc), got, ok, want.In(f.loc))
		}
	case ok && got.Before(f.start.Add(refMinutes*time.Minute)):
		t.Fatalf("%s(%v) = %v; the reference finds none before %v", name, q.In(f.loc), got, f.start.Add(refMinutes*time.Minute).In(f.loc))
	}
	if ok && f.s.IsOpen(got) != open {
		t.Fatalf("IsOpen(%s(%v)) = %v", name, q, !open)
	}
	if ok && got.Location() != f.loc && !got.Equal(q) {
		t.Fatalf("%s(%v) = %v, not in the schedule's location", name, q, got)
	}
	// The same answer without the cache, from the whole second.
	sec := q.Truncate(time.Second)
	want, wantOK := next(sec)
	uncached, uncachedOK := officehours.NextCloseUncached(f.s, sec)
	if open {
		uncached, uncachedOK = officehours.NextOpenUncached(f.s, sec)
	}
	if uncachedOK != wantOK || wantOK && !uncached.Equal(want) {
		t.Fatalf("%s(%v) = %v, %v; without the cache %v, %v", name, sec, want, wantOK, uncached, uncachedOK)
	}
}

// TestNextOpenAndCloseProperties checks, anywhere in time, that NextOpen
// finds an open instant with nothing open before it, and that the schedule
// then stays open for a while.
func TestNextOpenAndCloseProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		f := drawFixture(t)
		q := f.start.Add(time.Duration(rapid.Int64Range(-int64(400*24*time.Hour), int64(400*24*time.Hour)).Draw(t, "offset")))
		next, ok := f.s.NextOpen(q)
		if !ok {
			if d := f.s.OpenBetween(q, q.AddDate(3, 0, 0)); d != 0 {
				t.Fatalf("NextOpen(%v) reports never, yet %v open in the next three years", q, d)
			}
			return
		}
		if next.Before(q) || !f.s.IsOpen(next) || !f.openAt(next) {
			t.Fatalf("NextOpen(%v) = %v: before it, or not open", q, next)
		}
		if d := f.s.OpenBetween(q, next); d != 0 {
			t.Fatalf("open for %v in [%v, NextOpen = %v)", d, q, next)
		}
		if end, ok := f.s.NextClose(next); ok && !end.After(next) {
			t.Fatalf("NextClose(NextOpen = %v) = %v, not after it", next, end)
		}
	})
}

// TestOpenBetweenAdditive checks OpenBetween(a, c) = OpenBetween(a, b) +
// OpenBetween(b, c) at nanosecond instants, near and far.
func TestOpenBetweenAdditive(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		f := drawFixture(t)
		span := int64(60 * 24 * time.Hour)
		var at [3]time.Time
		for k := range at {
			at[k] = f.start.Add(time.Duration(rapid.Int64Range(-span, span).Draw(t, "offset")))
		}
		slices.SortFunc(at[:], func(a, b time.Time) int { return a.Compare(b) })
		ab, bc, ac := f.s.OpenBetween(at[0], at[1]), f.s.OpenBetween(at[1], at[2]), f.s.OpenBetween(at[0], at[2])
		if ab+bc != ac {
			t.Fatalf("OpenBetween: %v + %v != %v for %v", ab, bc, ac, at)
		}
		if ab < 0 || ab > at[1].Sub(at[0]) {
			t.Fatalf("OpenBetween(%v, %v) = %v, outside [0, %v]", at[0], at[1], ab, at[1].Sub(at[0]))
		}
		if back := f.s.OpenBetween(at[1], at[0]); at[1].After(at[0]) && back != 0 {
			t.Fatalf("OpenBetween backwards = %v, want 0", back)
		}
	})
}
