package officehours

import (
	"math"
	"time"
)

// The instants a schedule covers, in Unix seconds: from 0001-01-01 to
// 10000-01-01 UTC.
const (
	firstSec int64 = -62135596800
	endSec   int64 = 253402300800
)

// blockSec sizes the cached window: the window around an instant in block k
// spans blocks k-1 to k+1, so instants less than a block apart always share
// a window.
const blockSec = 28 * daySec

// window is an immutable table of the open intervals of [lo, hi), in Unix
// seconds: the schedule is open in [edges[0], edges[1]), [edges[2],
// edges[3]), … and closed elsewhere in [lo, hi). lo and hi are whole UTC
// days apart; day[k] is the index of the first edge at or after lo + k days,
// so that a lookup only searches the edges of one day.
type window struct {
	lo, hi int64
	edges  []int64
	day    []int32
}

// count returns how many edges are at or before sec, for sec in [lo, hi);
// it is odd exactly when the schedule is open at sec.
func (w *window) count(sec int64) int {
	k := (sec - w.lo) / daySec
	lo, hi := int(w.day[k]), int(w.day[k+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if w.edges[m] <= sec {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (w *window) holds(sec int64) bool { return w != nil && w.lo <= sec && sec < w.hi }

// window returns a window holding sec, building and caching a new one when
// the cached one does not. sec must be in [firstSec, endSec).
func (s *Schedule) window(sec int64) *window {
	if w := s.cache.Load(); w.holds(sec) {
		return w
	}
	k := floorDiv(sec, blockSec)
	w := &window{lo: max((k-1)*blockSec, firstSec), hi: min((k+2)*blockSec, endSec)}
	c := s.compiled()
	c.periods(w.lo, w.hi, func(u, v, off int64) bool {
		c.walk(u+off, v+off, func(a, b int64) bool {
			if n := len(w.edges); n > 0 && w.edges[n-1] == a-off {
				w.edges[n-1] = b - off
			} else {
				w.edges = append(w.edges, a-off, b-off)
			}
			return true
		})
		return true
	})
	w.day = make([]int32, (w.hi-w.lo)/daySec+1)
	i := 0
	for k := range w.day {
		for i < len(w.edges) && w.edges[i] < w.lo+int64(k)*daySec {
			i++
		}
		w.day[k] = int32(i)
	}
	w.day[len(w.day)-1] = int32(len(w.edges))
	s.cache.Store(w)
	return w
}

// periods calls fn(u, v, off) for each stretch [u, v) of [from, to), in
// order, in which the zone's UTC offset is off seconds, until fn returns
// false.
func (c *compiled) periods(from, to int64, fn func(u, v, off int64) bool) {
	for u := from; u < to; {
		off, end := c.zone(u)
		v := min(to, end)
		if !fn(u, v, off) {
			return
		}
		u = v
	}
}

// zone returns the UTC offset at sec and the end of the period in which it
// holds (math.MaxInt64 when it holds for ever).
func (c *compiled) zone(sec int64) (off, end int64) {
	t := time.Unix(sec, 0).In(c.loc)
	_, o := t.Zone()
	off = int64(o)
	switch _, e := t.ZoneBounds(); {
	case e.IsZero():
		return off, math.MaxInt64
	case e.Unix() > sec:
		return off, e.Unix()
	}
	// In the last UTC day of a leap year that the zone's TZ rule serves,
	// ZoneBounds reports an end before sec (go.dev/issue/81583). Find the
	// next change within a day by bisection, or else take the day.
	lo, hi := sec, sec+daySec
	if c.offsetAt(hi) == off {
		return off, hi
	}
	for hi-lo > 1 { // offset off at lo, another at hi
		if m := lo + (hi-lo)/2; c.offsetAt(m) == off {
			lo = m
		} else {
			hi = m
		}
	}
	return off, hi
}

func (c *compiled) offsetAt(sec int64) int64 {
	_, off := time.Unix(sec, 0).In(c.loc).Zone()
	return int64(off)
}

// limit returns the instant after which a search from sec may stop: one
// 400-year cycle after the schedule has become periodic, with two days to
// spare for the zone's offset.
func (c *compiled) limit(sec int64) int64 {
	return min(endSec, max(sec, c.steady)+cycleSec+2*daySec)
}

// search returns the first instant in [sec, until) whose wall-clock time is
// found by first (firstOpen or firstClosed).
func (c *compiled) search(sec, until int64, first func(from, to int64) (int64, bool)) (found int64, ok bool) {
	c.periods(sec, until, func(u, v, off int64) bool {
		var w int64
		w, ok = first(u+off, v+off)
		found = w - off
		return !ok
	})
	return found, ok
}

// nextOpen returns the first instant ≥ sec at which the schedule is open,
// without the cache.
func (c *compiled) nextOpen(sec int64) (int64, bool) {
	if c.cycle.opens {
		return c.search(sec, c.limit(sec), c.firstOpen)
	}
	// Only one-off days open: search from two days before the next one (no
	// zone is a day or more off UTC) to two days after the last.
	n, ok := c.nextOneOff(floorDiv(sec, daySec)-2, true)
	if !ok {
		return 0, false
	}
	return c.search(max(sec, (n-2)*daySec), c.oneOffEnd(), c.firstOpen)
}

// nextClosed returns the first instant ≥ sec at which the schedule is
// closed, without the cache.
func (c *compiled) nextClosed(sec int64) (int64, bool) {
	if !c.cycle.full {
		return c.search(sec, c.limit(sec), c.firstClosed)
	}
	// Only one-off days, and the days after them, close.
	n, ok := c.nextOneOff(floorDiv(sec, daySec)-2, false)
	if !ok {
		return 0, false
	}
	return c.search(max(sec, (n-2)*daySec), c.oneOffEnd(), c.firstClosed)
}

// oneOffEnd is an instant after which no one-off exception has any effect.
func (c *compiled) oneOffEnd() int64 {
	return min(endSec, (c.oneOff[len(c.oneOff)-1].key+4)*daySec)
}

// openSeconds returns how many seconds of [from, to) are open, without the
// cache.
func (c *compiled) openSeconds(from, to int64) int64 {
	var n int64
	c.periods(from, to, func(u, v, off int64) bool {
		n += c.openLength(u+off, v+off)
		return true
	})
	return n
}

func (s *Schedule) instant(sec int64) time.Time { return time.Unix(sec, 0).In(s.compiled().loc) }

// IsOpen reports whether the schedule is open at t. Near the instant asked
// about last it is a binary search that does not allocate.
func (s *Schedule) IsOpen(t time.Time) bool {
	sec := t.Unix()
	if sec < firstSec || sec >= endSec {
		return false
	}
	return s.window(sec).count(sec)%2 == 1
}

// NextOpen returns the earliest instant at or after t at which the schedule
// is open: t itself when it is open at t. The result is in the schedule's
// location, or is t unchanged. It reports false when the schedule never opens
// again.
func (s *Schedule) NextOpen(t time.Time) (time.Time, bool) {
	sec := t.Unix()
	if sec >= endSec {
		return time.Time{}, false
	}
	if sec < firstSec {
		sec, t = firstSec, s.instant(firstSec)
	}
	w := s.window(sec)
	i := w.count(sec)
	switch {
	case i%2 == 1:
		return t, true
	case i < len(w.edges):
		return s.instant(w.edges[i]), true
	}
	if next, ok := s.compiled().nextOpen(w.hi); ok {
		return s.instant(next), true
	}
	return time.Time{}, false
}

// NextClose returns the earliest instant at or after t at which the schedule
// is closed: t itself when it is closed at t. The result is in the
// schedule's location, or is t unchanged. It reports false when the schedule
// never closes again.
func (s *Schedule) NextClose(t time.Time) (time.Time, bool) {
	sec := t.Unix()
	if sec < firstSec || sec >= endSec {
		return t, true
	}
	w := s.window(sec)
	i := w.count(sec)
	if i%2 == 0 {
		return t, true
	}
	if end := w.edges[i]; end < w.hi {
		return s.instant(end), true
	}
	if next, ok := s.compiled().nextClosed(w.hi); ok {
		return s.instant(next), true
	}
	return time.Time{}, false
}

// OpenBetween returns how long the schedule is open in [from, to), to the
// nanosecond; zero when to is not after from. It is additive:
// OpenBetween(a, c) = OpenBetween(a, b) + OpenBetween(b, c) for a ≤ b ≤ c.
// Its cost grows with the number of days in [from, to), and a total beyond
// the largest Duration (292 years) is reported as that Duration. It uses the
// cached window when [from, to) lies inside it, and does not move it.
func (s *Schedule) OpenBetween(from, to time.Time) time.Duration {
	fs, fn := clamp(from)
	ts, tn := clamp(to)
	if ts < fs || ts == fs && tn <= fn {
		return 0
	}
	secs := s.openSeconds(fs, ts)
	if secs >= math.MaxInt64/int64(time.Second) {
		return math.MaxInt64
	}
	d := time.Duration(secs) * time.Second
	if s.openSeconds(fs, fs+1) > 0 {
		d -= time.Duration(fn)
	}
	if s.openSeconds(ts, ts+1) > 0 {
		d += time.Duration(tn)
	}
	return d
}

// clamp returns t's Unix second and nanosecond, moved into the covered range.
func clamp(t time.Time) (int64, int) {
	switch sec := t.Unix(); {
	case sec < firstSec:
		return firstSec, 0
	case sec >= endSec:
		return endSec, 0
	default:
		return sec, t.Nanosecond()
	}
}

// openSeconds returns how many seconds of [from, to) are open, from the
// cached window when it holds the whole range.
func (s *Schedule) openSeconds(from, to int64) int64 {
	to = min(to, endSec)
	if from >= to {
		return 0
	}
	w := s.cache.Load()
	if !w.holds(from) || to > w.hi {
		return s.compiled().openSeconds(from, to)
	}
	var n int64
	for i := w.count(from) &^ 1; i < len(w.edges) && w.edges[i] < to; i += 2 {
		n += min(w.edges[i+1], to) - max(w.edges[i], from)
	}
	return n
}
