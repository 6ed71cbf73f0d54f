package officehours

import "time"

// NextOpenUncached is NextOpen at t's whole second, computed without the
// cached window.
func NextOpenUncached(s *Schedule, t time.Time) (time.Time, bool) {
	sec, ok := s.compiled().nextOpen(t.Unix())
	return s.instant(sec), ok
}

// NextCloseUncached is NextClose at t's whole second, computed without the
// cached window.
func NextCloseUncached(s *Schedule, t time.Time) (time.Time, bool) {
	sec, ok := s.compiled().nextClosed(t.Unix())
	return s.instant(sec), ok
}

// OpenBetweenUncached is OpenBetween between whole seconds, computed without
// the cached window.
func OpenBetweenUncached(s *Schedule, from, to time.Time) time.Duration {
	return time.Duration(s.compiled().openSeconds(from.Unix(), to.Unix())) * time.Second
}

// ZoneEnd returns the end of the period of constant UTC offset that holds
// at t, as the schedule's walk sees it.
func ZoneEnd(s *Schedule, t time.Time) time.Time {
	_, end := s.compiled().zone(t.Unix())
	return time.Unix(end, 0).UTC()
}
