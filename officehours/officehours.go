// Package officehours answers when a support team is open: weekly spans of
// wall-clock time in an IANA time zone, with holidays and special days,
// exact across daylight-saving changes. It is pure: no goroutines, no clock
// (every question takes the instant it is about), and no I/O except the
// [time.LoadLocation] that decoding JSON needs to find a zone by name.
//
// # The model
//
// A [Schedule] has a location, a [Week] of [Span]s per weekday, and
// [Exception]s. A span runs from Start to End in wall-clock time of day with
// minute resolution; End may be 24:00. A span whose End is not after its
// Start runs overnight into the next day: Friday 22:00–02:00 is open from
// 22:00 on Friday until 02:00 on Saturday, 09:00–09:00 is open for a full
// day from 09:00, and 22:00–00:00 means the same as 22:00–24:00. Spans of one
// day that overlap or touch are refused rather than merged; the part of an
// overnight span that runs into the next day may overlap or touch that day's
// spans, and the schedule is then open in their union.
//
// An exception is dated in the schedule's zone, once ([Date] with a Year) or
// every year (Year 0: 25 December every year). An exception without spans is
// a holiday, closed all day; an exception with spans replaces the weekly
// spans of its date. When a one-off and a yearly exception fall on the same
// date, the one-off wins; two exceptions with the same Date are refused. A
// yearly 29 February applies in leap years only.
//
// # The wall-clock rule
//
// The schedule is open at an instant exactly when the wall clock of its zone
// shows, at that instant, a time inside a span of the local date, or inside
// the part of the previous date's overnight span that runs into this date.
// The previous date's spans are its effective ones: a holiday has no
// overnight span, so with Friday 22:00–02:00 and Friday a holiday, Saturday
// 00:00–02:00 is closed. An overnight span runs into an exception day
// (holiday or not) unless that exception sets CutOvernight, which stops it at
// the midnight that starts the exception day: close at midnight before New
// Year's Day, say.
//
// The rule makes daylight-saving days exact without special cases. In
// America/New_York the clocks skip from 02:00 to 03:00 on 9 March 2025, so a
// span of 01:30–03:30 that day is open for one hour (01:30–02:00 EST and
// 03:00–03:30 EDT). They go back from 02:00 to 01:00 on 2 November 2025, so
// the same span is then open for two and a half hours: 01:30–02:00 is shown,
// and open, twice. A wall time that does not exist is never open, and a wall
// time shown twice is open both times. So the package never turns a wall
// time into one instant ("midnight plus a duration" is an hour off on such
// days, and even [time.Date] must pick one of the two instants of a repeated
// wall time): it walks the zone's periods of constant UTC offset
// ([time.Time.ZoneBounds]) and maps each period's stretch of wall clock onto
// the spans.
//
// # Questions, speed and concurrency
//
// [Schedule.IsOpen], [Schedule.NextOpen], [Schedule.NextClose] and
// [Schedule.OpenBetween] answer for any instant; the instants NextOpen and
// NextClose find are in the schedule's location (one they are given comes
// back as it was). A schedule keeps, behind an atomic pointer, an
// immutable table of its open intervals in UTC for the twelve weeks around
// the latest instant asked about, so a question near "now" is a binary
// search without allocation; IsOpen, NextOpen and NextClose rebuild the table
// (some microseconds) when their instant falls outside it. A *Schedule is
// safe for concurrent use by many goroutines.
//
// Questions far from the table walk the calendar. The walk skips the
// stretches that only one-off exceptions can change (a schedule open only on
// a day fifteen years ahead answers at once), and stops one full 400-year
// Gregorian cycle after the last one-off exception and after 2200 (by when
// zone rules have long been periodic): a schedule that has not opened by
// then never will. So NextOpen and NextClose end quickly on any schedule.
//
// Schedules cover the instants from 0001-01-01 to 10000-01-01 UTC. Outside
// that range every schedule is closed, and NextOpen and NextClose search no
// further: NextClose reports false ("never closes") for a schedule open until
// the year 10000.
//
// # Building, JSON and errors
//
// Build schedules with [New] (or [AlwaysOpen]), or decode them from JSON:
//
//	{"zone": "America/New_York",
//	 "weekly": {"monday": [{"start": "09:00", "end": "17:30"}],
//	            "friday": [{"start": "09:00", "end": "12:00"}, {"start": "22:00", "end": "02:00"}]},
//	 "exceptions": [{"date": "12-25"},
//	                {"date": "2025-12-24", "spans": [{"start": "09:00", "end": "13:00"}]},
//	                {"date": "2026-01-01", "cut_overnight": true}]}
//
// The zone is a name that [time.LoadLocation] knows; hosts that run where the
// system has no zone database should import time/tzdata. A location made
// with [time.FixedZone] works but encodes its own name, which decodes only if
// it is also an IANA name; time.Local is refused, since its rules depend on
// the machine, and so is a zone a day or more off UTC. A date is "YYYY-MM-DD"
// once or "MM-DD" every year; times are exactly "HH:MM". Unknown fields are
// refused, so a misspelt "exceptions" is an error rather than a schedule
// without holidays. Spans and exceptions keep the order they were given in,
// and decoding what was encoded gives the same schedule.
//
// Every validation error, from New and from decoding alike, is an [*Error]
// naming the field at fault as a JSON path ("weekly.monday[1].end",
// "exceptions[0].date") and matching [ErrInvalid] and a specific sentinel
// ([ErrZone], [ErrTimeOfDay], [ErrOverlap], [ErrDate], [ErrDuplicateDate],
// [ErrSyntax]) under [errors.Is].
//
// The zero Schedule is usable: never open, in UTC. It is what a variable
// holds before UnmarshalJSON fills it.
package officehours

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// TimeOfDay is a wall-clock time of day with minute resolution, counted in
// minutes after midnight: 0 is 00:00 and 1440 is 24:00, the end of the day.
// Values outside 0–1440 are invalid.
type TimeOfDay int

// endOfDay is 24:00.
const endOfDay TimeOfDay = 24 * 60

// At returns the time of day hour:minute, for hours 0–23 with minutes 0–59,
// and 24:00. Any other arguments give an invalid TimeOfDay, which [New]
// refuses with [ErrTimeOfDay].
func At(hour, minute int) TimeOfDay {
	if hour < 0 || hour > 24 || minute < 0 || minute > 59 || hour == 24 && minute != 0 {
		return -1
	}
	return TimeOfDay(hour*60 + minute)
}

// Valid reports whether t is between 00:00 and 24:00 inclusive.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= endOfDay }

// Span is one stretch of open time on a day, in wall-clock time. Start is
// from 00:00 to 23:59 and End from 00:00 to 24:00. When End is not after
// Start the span runs overnight and ends at End on the next day.
type Span struct {
	Start TimeOfDay
	End   TimeOfDay
}

// overnight reports whether the span runs into the next day.
func (s Span) overnight() bool { return s.End <= s.Start }

// String returns the span as "09:00–17:30".
func (s Span) String() string { return s.Start.String() + "–" + s.End.String() }

// Week holds the weekly spans of each weekday, indexed by [time.Weekday]:
// week[time.Monday] are Monday's spans. A day without spans is closed, apart
// from the previous day's overnight span running into it.
type Week [7][]Span

// Date is a calendar date in a schedule's zone. Year 0 makes it recur every
// year on Month and Day; otherwise Year is from 1 to 9999.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Exception replaces the weekly spans of one date, once or every year.
type Exception struct {
	// Date is the day the exception applies to.
	Date Date
	// Spans are the open spans of that day; none makes the day a holiday,
	// closed all day.
	Spans []Span
	// CutOvernight stops the previous day's overnight span at the midnight
	// that starts Date. By default that span runs into the exception day.
	CutOvernight bool
}

// Schedule is a weekly schedule in a time zone, with exceptions. Build one
// with [New], [AlwaysOpen] or [Schedule.UnmarshalJSON]; use it through a
// pointer, and do not copy it. The zero value is a valid schedule in UTC that
// is never open. All methods are safe for concurrent use, except that
// UnmarshalJSON must not run concurrently with any other method.
type Schedule struct {
	c     *compiled              // nil for the zero value
	cache atomic.Pointer[window] // open intervals around the latest instant asked about
}

// New returns the schedule with location loc, weekly spans week and the
// given exceptions. It validates everything and reports the first problem as
// an [*Error]: a nil location, time.Local, or a zone a day or more off UTC
// ([ErrZone]); a time of day out of range or a span starting at 24:00
// ([ErrTimeOfDay]); spans of one day that overlap or touch ([ErrOverlap]); a
// date that does not exist ([ErrDate]); two exceptions for the same date
// ([ErrDuplicateDate]). The schedule keeps its own copies of week and
// exceptions.
func New(loc *time.Location, week Week, exceptions ...Exception) (*Schedule, error) {
	c, err := compile(loc, week, exceptions)
	if err != nil {
		return nil, err
	}
	return &Schedule{c: c}, nil
}

// AlwaysOpen returns the schedule that is open all day, every day, in loc.
// Its only possible error is an invalid loc ([ErrZone]).
func AlwaysOpen(loc *time.Location) (*Schedule, error) {
	var week Week
	for d := range week {
		week[d] = []Span{{Start: 0, End: endOfDay}}
	}
	return New(loc, week)
}

// Location returns the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.compiled().loc }

// Weekly returns a copy of the schedule's weekly spans, as given.
func (s *Schedule) Weekly() Week {
	var w Week
	for d, spans := range s.compiled().week {
		w[d] = cloneSpans(spans)
	}
	return w
}

// Exceptions returns a copy of the schedule's exceptions, in the order given.
func (s *Schedule) Exceptions() []Exception {
	return cloneExceptions(s.compiled().exceptions)
}

// cloneSpans and cloneExceptions copy deeply, keeping no empty slices, so
// that equal schedules hold equal values.
func cloneSpans(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	return slices.Clone(spans)
}

func cloneExceptions(exceptions []Exception) []Exception {
	if len(exceptions) == 0 {
		return nil
	}
	exs := slices.Clone(exceptions)
	for i := range exs {
		exs[i].Spans = cloneSpans(exs[i].Spans)
	}
	return exs
}

// never is what the zero Schedule means: never open, in UTC.
var never, _ = compile(time.UTC, Week{}, nil)

func (s *Schedule) compiled() *compiled {
	if s.c == nil {
		return never
	}
	return s.c
}

// compiled is the immutable, validated form of a schedule, with the day
// plans that the questions consult.
type compiled struct {
	loc        *time.Location
	week       Week
	exceptions []Exception

	weekly [7]dayPlan  // indexed by time.Weekday
	oneOff []datedPlan // by civil day number, ascending
	yearly []datedPlan // by month*32+day, ascending
	cycle  cycleFacts  // what holds outside one-off exceptions
	steady int64       // wall second from which the schedule repeats every 400 years
}

// cycleFacts describes the schedule away from one-off exceptions, where it
// repeats every 400 years.
type cycleFacts struct {
	// opens: some day that is not a one-off exception has spans. When false,
	// only one-off days can be open.
	opens bool
	// full: every day that is not a one-off exception, and does not follow
	// one, is open from midnight to midnight.
	full bool
}

// dayPlan is the effective plan of one local date.
type dayPlan struct {
	spans []span // sorted by start
	cut   bool   // the previous date's overnight span stops at midnight
}

// span is a Span in seconds after the start of its day; end exceeds daySec
// when the span runs overnight.
type span struct{ start, end int64 }

// datedPlan is the plan of an exception, keyed by its day number (one-off) or
// by month*32+day (yearly).
type datedPlan struct {
	key  int64
	plan dayPlan
}

const (
	daySec   = 24 * 60 * 60
	cycleSec = 146097 * daySec // 400 Gregorian years
)

var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func compile(loc *time.Location, week Week, exceptions []Exception) (*compiled, error) {
	if loc == nil {
		return nil, &Error{Field: "zone", Err: ErrZone, Detail: "missing"}
	}
	if loc == time.Local || loc.String() == "" {
		return nil, &Error{Field: "zone", Err: ErrZone, Detail: fmt.Sprintf("%q is not an IANA zone name", loc.String())}
	}
	if _, off := time.Unix(0, 0).In(loc).Zone(); off <= -daySec || off >= daySec {
		return nil, &Error{Field: "zone", Err: ErrZone, Detail: fmt.Sprintf("%s is a day or more off UTC", loc)}
	}
	c := &compiled{loc: loc, exceptions: cloneExceptions(exceptions)}
	for d := range week {
		c.week[d] = cloneSpans(week[d])
		p, err := makePlan(c.week[d], false, "weekly."+dayNames[d])
		if err != nil {
			return nil, err
		}
		c.weekly[d] = p
	}
	seen := make(map[Date]int, len(exceptions))
	lastOneOff := int64(-1 << 40)
	for i := range c.exceptions {
		e := &c.exceptions[i]
		path := fmt.Sprintf("exceptions[%d]", i)
		if err := e.Date.check(); err != nil {
			err.Field = path + ".date"
			return nil, err
		}
		if j, dup := seen[e.Date]; dup {
			return nil, &Error{Field: path + ".date", Err: ErrDuplicateDate, Detail: fmt.Sprintf("%s is also the date of exceptions[%d]", e.Date, j)}
		}
		seen[e.Date] = i
		p, err := makePlan(e.Spans, e.CutOvernight, path+".spans")
		if err != nil {
			return nil, err
		}
		if e.Date.Year == 0 {
			c.yearly = append(c.yearly, datedPlan{monthDay(e.Date.Month, e.Date.Day), p})
			continue
		}
		day := daysFromCivil(int64(e.Date.Year), e.Date.Month, e.Date.Day)
		c.oneOff = append(c.oneOff, datedPlan{day, p})
		lastOneOff = max(lastOneOff, day)
	}
	byKey := func(a, b datedPlan) int { return cmp.Compare(a.key, b.key) }
	slices.SortFunc(c.oneOff, byKey)
	slices.SortFunc(c.yearly, byKey)
	c.cycle = c.cycleFacts()
	c.steady = max(lastOneOff+2, daysFromCivil(2200, time.January, 1)) * daySec
	return c, nil
}

// makePlan validates the spans of one day, reporting fields under path.
func makePlan(spans []Span, cut bool, path string) (dayPlan, error) {
	for i, sp := range spans {
		field := fmt.Sprintf("%s[%d]", path, i)
		if !sp.Start.Valid() || sp.Start == endOfDay {
			return dayPlan{}, &Error{Field: field + ".start", Err: ErrTimeOfDay, Detail: startProblem(sp.Start)}
		}
		if !sp.End.Valid() {
			return dayPlan{}, &Error{Field: field + ".end", Err: ErrTimeOfDay, Detail: fmt.Sprintf("%s is outside 00:00–24:00", sp.End)}
		}
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(spans[a].Start, spans[b].Start) })
	p := dayPlan{cut: cut, spans: make([]span, len(spans))}
	for k, i := range order {
		sp := spans[i]
		if k > 0 {
			prev := order[k-1]
			if sp.Start <= dayEnd(spans[prev]) {
				return dayPlan{}, &Error{Field: fmt.Sprintf("%s[%d]", path, i), Err: ErrOverlap,
					Detail: fmt.Sprintf("%s overlaps or touches %s[%d] %s", sp, path, prev, spans[prev])}
			}
		}
		end := int64(sp.End) * 60
		if sp.overnight() {
			end += daySec
		}
		p.spans[k] = span{int64(sp.Start) * 60, end}
	}
	return p, nil
}

func startProblem(t TimeOfDay) string {
	if t == endOfDay {
		return "24:00 can only end a span"
	}
	return fmt.Sprintf("%s is outside 00:00–23:59", t)
}

// dayEnd is where s ends on its own day.
func dayEnd(s Span) TimeOfDay {
	if s.overnight() {
		return endOfDay
	}
	return s.End
}

func (c *compiled) cycleFacts() cycleFacts {
	weeklyOpens, yearlyOpens, yearlyClosed := false, false, 0
	full := true
	minTail, maxTail := int64(daySec), int64(0)
	for w := range c.weekly {
		p := &c.weekly[w]
		weeklyOpens = weeklyOpens || len(p.spans) > 0
		minTail, maxTail = min(minTail, p.tail()), max(maxTail, p.tail())
		full = full && p.covers(c.weekly[(w+6)%7].tail())
	}
	for i := range c.yearly {
		p := &c.yearly[i].plan
		if len(p.spans) == 0 {
			yearlyClosed++
		}
		yearlyOpens = yearlyOpens || len(p.spans) > 0
		// A yearly exception keeps the cycle full when it covers its day
		// after the shortest overnight span of a weekday (none, if it cuts
		// them), and leaves the next day at least the morning any weekday
		// would.
		prev := minTail
		if p.cut {
			prev = 0
		}
		full = full && p.covers(prev) && p.tail() >= maxTail
	}
	return cycleFacts{
		opens: yearlyOpens || weeklyOpens && yearlyClosed < 366,
		full:  full,
	}
}

// tail is how far into the next day p's overnight span runs, in seconds.
func (p *dayPlan) tail() int64 {
	if n := len(p.spans); n > 0 && p.spans[n-1].end > daySec {
		return p.spans[n-1].end - daySec
	}
	return 0
}

// covers reports whether p's spans, together with an overnight span from
// the day before that runs until tail, cover the whole day.
func (p *dayPlan) covers(tail int64) bool {
	reach := tail
	for _, sp := range p.spans {
		if sp.start > reach {
			return false
		}
		reach = max(reach, sp.end)
	}
	return reach >= daySec
}
