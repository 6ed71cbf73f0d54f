package officehours_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/routedesk/routedesk/officehours"
)

// benchSchedule is a weekday 09:00–17:30 schedule in New York with a late
// Friday shift, four yearly holidays and two one-off days.
func benchSchedule(b *testing.B) *officehours.Schedule {
	b.Helper()
	ny := load(b, "America/New_York")
	day := spans(b, "09:00-17:30")
	s, err := officehours.New(ny,
		officehours.Week{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: spans(b, "09:00-17:30,20:00-02:00")},
		officehours.Exception{Date: officehours.Date{Month: 1, Day: 1}},
		officehours.Exception{Date: officehours.Date{Month: 7, Day: 4}},
		officehours.Exception{Date: officehours.Date{Month: 12, Day: 25}},
		officehours.Exception{Date: officehours.Date{Month: 12, Day: 26}},
		officehours.Exception{Date: officehours.Date{Year: 2025, Month: 11, Day: 27}},
		officehours.Exception{Date: officehours.Date{Year: 2025, Month: 12, Day: 24}, Spans: spans(b, "09:00-13:00")},
	)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchInstants returns n instants spread over the two weeks around the
// fall-back change of 2 November 2025, every 13 minutes and 7 seconds.
func benchInstants(n int) []time.Time {
	start := time.Date(2025, 10, 26, 0, 0, 0, 0, time.UTC)
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.Add(time.Duration(i) * (13*time.Minute + 7*time.Second))
	}
	return out
}

func BenchmarkIsOpen(b *testing.B) {
	s := benchSchedule(b)
	ts := benchInstants(1024)
	s.IsOpen(ts[0])
	b.ReportAllocs()
	open := 0
	for i := 0; b.Loop(); i++ {
		if s.IsOpen(ts[i&1023]) {
			open++
		}
	}
	sink = open
}

// sink keeps results alive so the compiler cannot drop the calls.
var sink int

// BenchmarkInLocation is the cost IsOpen avoids: the wall clock of an
// instant by t.In(loc).
func BenchmarkInLocation(b *testing.B) {
	ny := load(b, "America/New_York")
	ts := benchInstants(1024)
	b.ReportAllocs()
	sum := 0
	for i := 0; b.Loop(); i++ {
		h, m, _ := ts[i&1023].In(ny).Clock()
		sum += h + m
	}
	sink = sum
}

// closedInstants returns the instants of benchInstants at which s is closed.
func closedInstants(b *testing.B, s *officehours.Schedule) []time.Time {
	var out []time.Time
	for _, t := range benchInstants(1024) {
		if !s.IsOpen(t) {
			out = append(out, t)
		}
	}
	if len(out) < 256 {
		b.Fatal("too few closed instants")
	}
	return out[:256]
}

func BenchmarkNextOpen(b *testing.B) {
	s := benchSchedule(b)
	ts := closedInstants(b, s)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := s.NextOpen(ts[i&255]); !ok {
			b.Fatal("never opens")
		}
	}
}

// BenchmarkNextOpenUncached is NextOpen from the same closed instants
// without the cached window: the cost of a question far from the last one.
func BenchmarkNextOpenUncached(b *testing.B) {
	s := benchSchedule(b)
	ts := closedInstants(b, s)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := officehours.NextOpenUncached(s, ts[i&255]); !ok {
			b.Fatal("never opens")
		}
	}
}

// BenchmarkNextOpenAfterYearsClosed searches, without the cache, through
// three years of one-off holidays.
func BenchmarkNextOpenAfterYearsClosed(b *testing.B) {
	from := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var holidays []officehours.Exception
	for d := from; d.Before(from.AddDate(3, 0, 0)); d = d.AddDate(0, 0, 1) {
		holidays = append(holidays, officehours.Exception{Date: officehours.Date{Year: d.Year(), Month: d.Month(), Day: d.Day()}})
	}
	s, err := officehours.New(load(b, "Europe/London"), officehours.Week{time.Monday: spans(b, "09:00-17:00")}, holidays...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := officehours.NextOpenUncached(s, from); !ok {
			b.Fatal("never opens")
		}
	}
}

func BenchmarkOpenBetween(b *testing.B) {
	s := benchSchedule(b)
	from := time.Date(2025, 10, 27, 0, 0, 0, 0, time.UTC)
	s.IsOpen(from)
	for _, bb := range []struct {
		name string
		to   time.Time
	}{{"week", from.AddDate(0, 0, 7)}, {"year", from.AddDate(1, 0, 0)}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if s.OpenBetween(from, bb.to) == 0 {
					b.Fatal("never open")
				}
			}
		})
	}
}

// BenchmarkWindowRebuild asks about instants a year apart in turn, so that
// every question rebuilds the cached window.
func BenchmarkWindowRebuild(b *testing.B) {
	s := benchSchedule(b)
	ts := []time.Time{time.Date(2025, 10, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.IsOpen(ts[i&1])
	}
}

func BenchmarkUnmarshalJSON(b *testing.B) {
	data, err := json.Marshal(benchSchedule(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var s officehours.Schedule
		if err := json.Unmarshal(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}
