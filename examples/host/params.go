package main

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// param reads one URL query parameter into a query of type Q.
type param[Q any] struct {
	many  bool // may be given more than once
	parse func(q *Q, vs []string) error
}

// one is a parameter given at most once.
func one[Q any](parse func(q *Q, s string) error) param[Q] {
	return param[Q]{parse: func(q *Q, vs []string) error { return parse(q, vs[0]) }}
}

// many is a parameter that may be repeated: ?tag=a&tag=b.
func many[Q any](parse func(q *Q, vs []string) error) param[Q] {
	return param[Q]{many: true, parse: parse}
}

// parseParams reads the URL query v by params. An unknown parameter is an
// error, so that a misspelt one is not silently ignored, and so is a
// parameter given twice that may be given once.
func parseParams[Q any](v url.Values, params map[string]param[Q]) (Q, error) {
	var q Q
	for _, name := range slices.Sorted(maps.Keys(v)) {
		p, ok := params[name]
		switch {
		case !ok:
			return q, &requestError{Field: name, Reason: "unknown parameter"}
		case len(v[name]) > 1 && !p.many:
			return q, &requestError{Field: name, Reason: "given more than once"}
		}
		if err := p.parse(&q, v[name]); err != nil {
			return q, badField(name, err)
		}
	}
	return q, nil
}

// parseEach decodes each of vs as a T.
func parseEach[T any, PT interface {
	*T
	UnmarshalText([]byte) error
}](vs []string) ([]T, error) {
	out := make([]T, len(vs))
	for i, s := range vs {
		if err := PT(&out[i]).UnmarshalText([]byte(s)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseTime reads an RFC 3339 time: 2026-11-16T09:00:00-05:00.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

// ticketParams are the parameters of GET /tickets.
var ticketParams = map[string]param[inbox.Query]{
	"view":  one(func(q *inbox.Query, s string) error { return q.View.UnmarshalText([]byte(s)) }),
	"order": one(func(q *inbox.Query, s string) error { return q.Order.UnmarshalText([]byte(s)) }),
	"status": many(func(q *inbox.Query, vs []string) (err error) {
		q.Statuses, err = parseEach[status.Status](vs)
		return err
	}),
	"channel": many(func(q *inbox.Query, vs []string) (err error) {
		q.Channels, err = parseEach[channel.Kind](vs)
		return err
	}),
	"tag":      many(func(q *inbox.Query, vs []string) error { q.Tags = vs; return nil }),
	"assignee": one(func(q *inbox.Query, s string) error { q.Assignee = s; return nil }),
	"cursor":   one(func(q *inbox.Query, s string) error { q.Cursor = s; return nil }),
	"unread": one(func(q *inbox.Query, s string) (err error) {
		q.UnreadOnly, err = strconv.ParseBool(s)
		return err
	}),
	"limit": one(func(q *inbox.Query, s string) (err error) {
		q.Limit, err = strconv.Atoi(s)
		return err
	}),
	"created_from": one(func(q *inbox.Query, s string) (err error) {
		q.CreatedFrom, err = parseTime(s)
		return err
	}),
	"created_to": one(func(q *inbox.Query, s string) (err error) {
		q.CreatedTo, err = parseTime(s)
		return err
	}),
}

// reportParams are the parameters of GET /report (but format).
var reportParams = map[string]param[inbox.ReportQuery]{
	"from": one(func(q *inbox.ReportQuery, s string) (err error) {
		q.From, err = parseTime(s)
		return err
	}),
	"to": one(func(q *inbox.ReportQuery, s string) (err error) {
		q.To, err = parseTime(s)
		return err
	}),
	"bucket": one(func(q *inbox.ReportQuery, s string) error { return q.Bucket.UnmarshalText([]byte(s)) }),
	"channel": many(func(q *inbox.ReportQuery, vs []string) (err error) {
		q.Channels, err = parseEach[channel.Kind](vs)
		return err
	}),
	"tag":   many(func(q *inbox.ReportQuery, vs []string) error { q.Tags = vs; return nil }),
	"agent": many(func(q *inbox.ReportQuery, vs []string) error { q.Agents = vs; return nil }),
}
