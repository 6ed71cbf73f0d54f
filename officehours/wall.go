package officehours

import (
	"math"
	"time"
)

// This file works in wall-clock seconds: the seconds since 1970-01-01 00:00
// of the proleptic Gregorian calendar as the zone's clock shows it, so that
// wall second w lies on civil day floorDiv(w, daySec). Day numbers count days
// since 1970-01-01.

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// daysFromCivil returns the day number of y-m-d (Howard Hinnant's algorithm).
func daysFromCivil(y int64, m time.Month, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (int64(m) + 9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// monthDayOf returns the month and day of day number d.
func monthDayOf(d int64) (time.Month, int) {
	z := d + 719468
	doe := z - floorDiv(z, 146097)*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		return time.Month(mp + 3), day
	}
	return time.Month(mp - 9), day
}

func monthDay(m time.Month, d int) int64 { return int64(m)*32 + int64(d) }

// weekday returns the weekday of day number d; 1970-01-01 was a Thursday.
func weekday(d int64) time.Weekday { return time.Weekday((d%7 + 7 + 4) % 7) }

// lowerBound returns the index of the first plan whose key is ≥ key.
func lowerBound(plans []datedPlan, key int64) int {
	lo, hi := 0, len(plans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if plans[m].key < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func findPlan(plans []datedPlan, key int64) *dayPlan {
	if i := lowerBound(plans, key); i < len(plans) && plans[i].key == key {
		return &plans[i].plan
	}
	return nil
}

// plan returns the effective plan of day d: its one-off exception, else its
// yearly exception, else its weekday's spans.
func (c *compiled) plan(d int64) *dayPlan {
	if p := findPlan(c.oneOff, d); p != nil {
		return p
	}
	if len(c.yearly) > 0 {
		if p := findPlan(c.yearly, monthDay(monthDayOf(d))); p != nil {
			return p
		}
	}
	return &c.weekly[weekday(d)]
}

// nextOneOff returns the first one-off exception day ≥ d, only counting
// days with spans when busy is set.
func (c *compiled) nextOneOff(d int64, busy bool) (int64, bool) {
	for i := lowerBound(c.oneOff, d); i < len(c.oneOff); i++ {
		if !busy || len(c.oneOff[i].plan.spans) > 0 {
			return c.oneOff[i].key, true
		}
	}
	return 0, false
}

func (c *compiled) isOneOff(d int64) bool { return findPlan(c.oneOff, d) != nil }

// walk calls yield, in order, with the wall-clock intervals [a, b) in which
// the schedule is open, clipped to [from, to) and merged where they overlap
// or touch, until yield returns false. It skips the days that only one-off
// exceptions can change (see cycleFacts), so its cost follows the number of
// intervals and exceptions, not the length of [from, to), whenever the
// schedule is never or always open away from one-off exceptions.
func (c *compiled) walk(from, to int64, yield func(a, b int64) bool) {
	var ca, cb int64 // the merged interval waiting to be yielded
	pending := false
	var next *dayPlan // the plan of day nextDay, looked up by the previous day
	nextDay := int64(math.MinInt64)
days:
	for d := floorDiv(from, daySec) - 1; d*daySec < to; d++ {
		if !c.cycle.opens {
			n, ok := c.nextOneOff(d, true)
			if !ok || n*daySec >= to {
				break
			}
			d = n
		}
		if pending && c.cycle.full {
			// Every day from cb's on is open around the clock until the next
			// one-off exception day n; resume with day n-1, whose overnight
			// span may reach into day n.
			if dc := floorDiv(cb, daySec); dc >= d && !c.isOneOff(dc) && !c.isOneOff(dc-1) {
				n, ok := c.nextOneOff(dc, false)
				if !ok || n*daySec >= to {
					cb = to
					break
				}
				cb, d = max(cb, n*daySec), n-1
			}
		}
		p := next
		if nextDay != d {
			p = c.plan(d)
		}
		next, nextDay = c.plan(d+1), d+1
		base := d * daySec
		for _, sp := range p.spans {
			a, b := base+sp.start, base+sp.end
			if sp.end > daySec && next.cut {
				b = base + daySec
			}
			if b <= from {
				continue
			}
			if a >= to {
				break days
			}
			a, b = max(a, from), min(b, to)
			if pending && a <= cb {
				cb = max(cb, b)
				continue
			}
			if pending && !yield(ca, cb) {
				return
			}
			ca, cb, pending = a, b, true
		}
	}
	if pending {
		yield(ca, cb)
	}
}

// firstOpen returns the first wall second in [from, to) at which the
// schedule is open.
func (c *compiled) firstOpen(from, to int64) (first int64, ok bool) {
	c.walk(from, to, func(a, _ int64) bool {
		first, ok = a, true
		return false
	})
	return first, ok
}

// firstClosed returns the first wall second in [from, to) at which the
// schedule is closed.
func (c *compiled) firstClosed(from, to int64) (int64, bool) {
	cursor, gap := from, false
	c.walk(from, to, func(a, b int64) bool {
		if a > cursor {
			gap = true
			return false
		}
		cursor = b
		return true
	})
	return cursor, gap || cursor < to
}

// openLength returns how many wall seconds of [from, to) are open.
func (c *compiled) openLength(from, to int64) int64 {
	var n int64
	c.walk(from, to, func(a, b int64) bool {
		n += b - a
		return true
	})
	return n
}
