package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// errUnauthenticated: the call does not say who makes it.
var errUnauthenticated = errors.New("missing X-Actor or X-Role header: say who calls")

// requestError is a request the API could not read: malformed JSON or form,
// a bad path or query parameter. Field names it as the caller wrote it.
type requestError struct {
	Field  string
	Reason string
}

func (e *requestError) Error() string {
	if e.Field == "" {
		return "bad request: " + e.Reason
	}
	return fmt.Sprintf("bad request: %s: %s", e.Field, e.Reason)
}

// badField returns a requestError about field, with err's text as reason.
func badField(field string, err error) error {
	return &requestError{Field: field, Reason: err.Error()}
}

// problem is the body of every error response.
type problem struct {
	Error string `json:"error"`
	// Code is the class of error, for programs: bad_request, invalid,
	// unauthenticated, forbidden, not_found, already_assigned,
	// invalid_transition, conflict, no_consent, too_large, unavailable or
	// internal.
	Code string `json:"code"`
	// Field names the bad field or parameter, when one is known: as the
	// request wrote it for bad_request, as routedesk names it for invalid.
	Field string `json:"field,omitempty"`
	// Assignee is who holds the ticket a claim wanted (already_assigned).
	Assignee string `json:"assignee,omitempty"`
}

// classes are the errors the API answers with a 4xx status, by the sentinel
// they match, first match first.
var classes = []struct {
	err    error
	status int
	code   string
}{
	{errUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{channel.ErrNoConsent, http.StatusUnprocessableEntity, "no_consent"},
	{inbox.ErrInvalid, http.StatusBadRequest, "invalid"},
	{channel.ErrInvalid, http.StatusBadRequest, "invalid"},
	{inbox.ErrForbidden, http.StatusForbidden, "forbidden"},
	{inbox.ErrNotFound, http.StatusNotFound, "not_found"},
	{inbox.ErrAlreadyAssigned, http.StatusConflict, "already_assigned"},
	{status.ErrInvalidTransition, http.StatusConflict, "invalid_transition"},
	{inbox.ErrConflict, http.StatusConflict, "conflict"},
}

// httpError maps an error of a request to its HTTP status and body: the one
// place where routedesk's errors become HTTP.
func httpError(err error) (int, problem) {
	var (
		req      *requestError
		tooLarge *http.MaxBytesError
		invalid  *inbox.InvalidError
		field    *channel.FieldError
		assigned *inbox.AssignedError
	)
	p := problem{Error: err.Error()}
	switch {
	case errors.As(err, &req):
		p.Code, p.Field = "bad_request", req.Field
		return http.StatusBadRequest, p
	case errors.As(err, &tooLarge):
		p.Code = "too_large"
		return http.StatusRequestEntityTooLarge, p
	case errors.As(err, &invalid):
		p.Field = invalid.Field
	case errors.As(err, &field):
		p.Field = field.Field
	case errors.As(err, &assigned):
		p.Assignee = assigned.Assignee
	}
	for _, c := range classes {
		if errors.Is(err, c.err) {
			p.Code = c.code
			return c.status, p
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, problem{Code: "unavailable", Error: "the request ended before it was done"}
	}
	return http.StatusInternalServerError, problem{Code: "internal", Error: "internal error"}
}

// handle adapts a handler that returns an error to http.Handler: the error
// is answered by httpError, and logged with its request when it is the
// server's fault.
func handle(log *slog.Logger, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		code, p := httpError(err)
		if code >= 500 {
			log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeJSON(w, code, p)
	})
}

// writeJSON answers with v as indented JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client may be gone; nothing to do then
}

// decode reads the request's JSON body, one object, into v. Unknown fields
// are refused, so that a misspelt one is not silently ignored.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &requestError{Reason: "the body holds more than one JSON value"}
	}
	return nil
}

// jsonError says what is wrong with a JSON body, naming the field when the
// decoder knows it.
func jsonError(err error) error {
	var (
		typ      *json.UnmarshalTypeError
		syntax   *json.SyntaxError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &typ) && typ.Field != "":
		return &requestError{Field: typ.Field, Reason: fmt.Sprintf("want a JSON %s, not %s", typ.Type, typ.Value)}
	case errors.As(err, &syntax), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &requestError{Reason: "malformed JSON: " + err.Error()}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &requestError{Field: strings.Trim(name, `"`), Reason: "unknown field"}
	}
	return &requestError{Reason: err.Error()}
}
