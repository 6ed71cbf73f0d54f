package officehours

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// scheduleJSON is the JSON form of a schedule.
type scheduleJSON struct {
	Zone       string          `json:"zone"`
	Weekly     weekJSON        `json:"weekly"`
	Exceptions []exceptionJSON `json:"exceptions,omitempty"`
}

type weekJSON struct {
	Monday    []spanJSON `json:"monday,omitempty"`
	Tuesday   []spanJSON `json:"tuesday,omitempty"`
	Wednesday []spanJSON `json:"wednesday,omitempty"`
	Thursday  []spanJSON `json:"thursday,omitempty"`
	Friday    []spanJSON `json:"friday,omitempty"`
	Saturday  []spanJSON `json:"saturday,omitempty"`
	Sunday    []spanJSON `json:"sunday,omitempty"`
}

// days returns the fields of w indexed by time.Weekday.
func (w *weekJSON) days() [7]*[]spanJSON {
	return [7]*[]spanJSON{&w.Sunday, &w.Monday, &w.Tuesday, &w.Wednesday, &w.Thursday, &w.Friday, &w.Saturday}
}

type spanJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type exceptionJSON struct {
	Date         string     `json:"date"`
	Spans        []spanJSON `json:"spans,omitempty"`
	CutOvernight bool       `json:"cut_overnight,omitempty"`
}

// MarshalJSON encodes the schedule as an object with "zone" (the location's
// name), "weekly" (spans by lower-case weekday name, Monday first, closed
// days left out) and "exceptions" (left out when there are none), in the
// form the package documentation shows.
func (s *Schedule) MarshalJSON() ([]byte, error) {
	c := s.compiled()
	out := scheduleJSON{Zone: c.loc.String()}
	days := out.Weekly.days()
	for d, spans := range c.week {
		*days[d] = spansJSON(spans)
	}
	for _, e := range c.exceptions {
		out.Exceptions = append(out.Exceptions, exceptionJSON{Date: e.Date.String(), Spans: spansJSON(e.Spans), CutOvernight: e.CutOvernight})
	}
	return json.Marshal(out)
}

func spansJSON(spans []Span) []spanJSON {
	var out []spanJSON
	for _, sp := range spans {
		out = append(out, spanJSON{sp.Start.String(), sp.End.String()})
	}
	return out
}

// UnmarshalJSON decodes and validates a schedule in the form MarshalJSON
// writes. "zone" is required and loaded with [time.LoadLocation]; "weekly"
// and "exceptions" may be left out or null. Unknown fields are refused. Every
// problem is an [*Error] naming its field (see [New] for the checks); on
// error s is unchanged. JSON null leaves s unchanged too.
func (s *Schedule) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var in scheduleJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return syntaxError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Err: ErrSyntax, Detail: "data after the schedule"}
	}
	if in.Zone == "" {
		return &Error{Field: "zone", Err: ErrZone, Detail: "missing"}
	}
	loc, err := time.LoadLocation(in.Zone)
	if err != nil {
		return &Error{Field: "zone", Err: ErrZone, Detail: err.Error()}
	}
	var week Week
	for d, spans := range in.Weekly.days() {
		if week[d], err = parseSpans(*spans, "weekly."+dayNames[d]); err != nil {
			return err
		}
	}
	exceptions := make([]Exception, len(in.Exceptions))
	for i, e := range in.Exceptions {
		path := fmt.Sprintf("exceptions[%d]", i)
		if err := exceptions[i].Date.UnmarshalText([]byte(e.Date)); err != nil {
			return at(err, path+".date")
		}
		if exceptions[i].Spans, err = parseSpans(e.Spans, path+".spans"); err != nil {
			return err
		}
		exceptions[i].CutOvernight = e.CutOvernight
	}
	c, err := compile(loc, week, exceptions)
	if err != nil {
		return err
	}
	s.c = c
	s.cache.Store(nil)
	return nil
}

func parseSpans(in []spanJSON, path string) ([]Span, error) {
	var out []Span
	for i, sp := range in {
		var v Span
		field := fmt.Sprintf("%s[%d]", path, i)
		if err := v.Start.UnmarshalText([]byte(sp.Start)); err != nil {
			return nil, at(err, field+".start")
		}
		if err := v.End.UnmarshalText([]byte(sp.End)); err != nil {
			return nil, at(err, field+".end")
		}
		out = append(out, v)
	}
	return out, nil
}

// at sets the field of an *Error from parsing a lone value.
func at(err error, field string) error {
	var e *Error
	if errors.As(err, &e) {
		e.Field = field
	}
	return err
}

// syntaxError turns an error of encoding/json into an *Error.
func syntaxError(err error) error {
	e := &Error{Err: ErrSyntax, Detail: err.Error()}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		e.Field = te.Field
	}
	return e
}
