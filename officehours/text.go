package officehours

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalid is matched by every [*Error]: the schedule, or the text, is not
// valid.
var ErrInvalid = errors.New("officehours: invalid schedule")

// The specific problems an [*Error] reports.
var (
	// ErrZone: the zone is missing, unknown, or time.Local.
	ErrZone = errors.New("officehours: invalid zone")
	// ErrTimeOfDay: a time of day is not "HH:MM" from 00:00 to 24:00, or a
	// span starts at 24:00.
	ErrTimeOfDay = errors.New("officehours: invalid time of day")
	// ErrOverlap: two spans of one day overlap or touch.
	ErrOverlap = errors.New("officehours: overlapping spans")
	// ErrDate: a date is not "YYYY-MM-DD" or "MM-DD", or does not exist.
	ErrDate = errors.New("officehours: invalid date")
	// ErrDuplicateDate: two exceptions have the same date.
	ErrDuplicateDate = errors.New("officehours: duplicate exception date")
	// ErrSyntax: the JSON is malformed, has a value of the wrong type, or a
	// field this package does not know.
	ErrSyntax = errors.New("officehours: malformed schedule JSON")
)

// Error reports an invalid schedule or text. It matches [ErrInvalid] and its
// Err under [errors.Is].
type Error struct {
	// Field is the JSON path of the field at fault, such as "zone",
	// "weekly.monday[1].end" or "exceptions[0].date"; it is empty when a
	// lone TimeOfDay or Date is parsed, or when malformed JSON names none.
	Field string
	// Err is the sentinel naming the problem: ErrZone, ErrTimeOfDay,
	// ErrOverlap, ErrDate, ErrDuplicateDate or ErrSyntax.
	Err error
	// Detail says what is wrong with the value.
	Detail string
}

// Error implements the error interface: "officehours: invalid time of day:
// weekly.monday[1].end: "25:00" is not HH:MM from 00:00 to 24:00".
func (e *Error) Error() string {
	msg := ErrInvalid.Error()
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Field != "" {
		msg += ": " + e.Field
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is reports whether target is [ErrInvalid] or e.Err.
func (e *Error) Is(target error) bool { return target == ErrInvalid || target == e.Err }

// String returns t as "HH:MM" ("24:00" for the end of the day), and "invalid
// time of day(N)" when t is not valid.
func (t TimeOfDay) String() string {
	if !t.Valid() {
		return fmt.Sprintf("invalid time of day(%d)", int(t))
	}
	return fmt.Sprintf("%02d:%02d", t/60, t%60)
}

// MarshalText encodes t as "HH:MM". An invalid t is an [*Error] matching
// [ErrTimeOfDay].
func (t TimeOfDay) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, &Error{Err: ErrTimeOfDay, Detail: t.String()}
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes exactly "HH:MM", from "00:00" to "24:00". Anything
// else is an [*Error] matching [ErrTimeOfDay] and leaves t unchanged.
func (t *TimeOfDay) UnmarshalText(text []byte) error {
	h, okH := digits(text, 0, 2)
	m, okM := digits(text, 3, 5)
	v := At(h, m)
	if len(text) != 5 || text[2] != ':' || !okH || !okM || !v.Valid() {
		return &Error{Err: ErrTimeOfDay, Detail: fmt.Sprintf("%q is not HH:MM from 00:00 to 24:00", text)}
	}
	*t = v
	return nil
}

// digits returns the decimal number in text[i:j], and false when that is not
// all ASCII digits.
func digits(text []byte, i, j int) (int, bool) {
	if j > len(text) {
		return 0, false
	}
	n := 0
	for _, b := range text[i:j] {
		if b < '0' || b > '9' {
			return 0, false
		}
		n = n*10 + int(b-'0')
	}
	return n, true
}

// String returns d as "2025-12-25", or "12-25" when it recurs every year.
// Fields out of range print as they are.
func (d Date) String() string {
	if d.Year == 0 {
		return fmt.Sprintf("%02d-%02d", int(d.Month), d.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText encodes d as "YYYY-MM-DD", or "MM-DD" when it recurs every
// year. A date that does not exist is an [*Error] matching [ErrDate].
func (d Date) MarshalText() ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "YYYY-MM-DD" (years 0001 to 9999) or "MM-DD" (every
// year; "02-29" applies in leap years). Anything else, or a date that does
// not exist, is an [*Error] matching [ErrDate] and leaves d unchanged.
func (d *Date) UnmarshalText(text []byte) error {
	var v Date
	var okY, okM, okD bool
	var m int
	switch len(text) {
	case 5:
		okY = true
		m, okM = digits(text, 0, 2)
		v.Day, okD = digits(text, 3, 5)
		okM = okM && text[2] == '-'
	case 10:
		v.Year, okY = digits(text, 0, 4)
		m, okM = digits(text, 5, 7)
		v.Day, okD = digits(text, 8, 10)
		okM = okM && text[4] == '-' && text[7] == '-'
	}
	v.Month = time.Month(m)
	if !okY || !okM || !okD || len(text) == 10 && v.Year == 0 {
		return &Error{Err: ErrDate, Detail: fmt.Sprintf("%q is not YYYY-MM-DD or MM-DD", text)}
	}
	if err := v.check(); err != nil {
		return err
	}
	*d = v
	return nil
}

// check reports a date that does not exist, or a year outside 1–9999.
func (d Date) check() *Error {
	ok := d.Year >= 0 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 && d.Day >= 1
	if ok {
		leapYear := d.Year
		if leapYear == 0 {
			leapYear = 2000 // a yearly date may be 29 February
		}
		ok = d.Day <= daysIn(d.Month, leapYear)
	}
	if !ok {
		return &Error{Err: ErrDate, Detail: fmt.Sprintf("%s does not exist", d)}
	}
	return nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
