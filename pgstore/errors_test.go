package pgstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/routedesk/routedesk/inbox"
)

func TestInterpretError(t *testing.T) {
	t.Parallel()
	pg := func(code string) error { return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code, Message: "m"}) }
	for _, c := range []struct {
		name      string
		err       error
		kind      error
		retryable bool
	}{
		{"unique violation", pg("23505"), inbox.ErrConflict, false},
		{"serialization failure", pg("40001"), inbox.ErrConflict, true},
		{"deadlock", pg("40P01"), inbox.ErrConflict, true},
		{"foreign key violation", pg("23503"), inbox.ErrNotFound, false},
		{"check violation", pg("23514"), inbox.ErrInvalid, false},
		{"invalid byte sequence", pg("22021"), inbox.ErrInvalid, false},
		{"timestamp out of range", pg("22008"), inbox.ErrInvalid, false},
		{"undefined table", pg("42P01"), nil, false},
		{"admin shutdown", pg("57P01"), nil, false},
		{"a code too short", pg("4"), nil, false},
		{"no server error", errors.New("connection reset"), nil, false},
		{"a done context", fmt.Errorf("read: %w", context.Canceled), nil, false},
	} {
		err := interpretError("op", c.err)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: %T is not an *Error", c.name, err)
		}
		got := struct {
			Kind      error
			Retryable bool
			Unwraps   bool
		}{e.Kind, retryable(err), errors.Is(err, c.err)}
		want := got
		want.Kind, want.Retryable, want.Unwraps = c.kind, c.retryable, true
		if d := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
		for _, sentinel := range []error{inbox.ErrConflict, inbox.ErrNotFound, inbox.ErrInvalid} {
			if errors.Is(err, sentinel) != (sentinel == c.kind) {
				t.Errorf("%s: errors.Is(%v) = %v", c.name, sentinel, !(sentinel == c.kind))
			}
		}
	}
	if errors.Is(interpretError("op", pg("40001")), context.Canceled) {
		t.Error("a serialization failure matches context.Canceled")
	}
	if !errors.Is(interpretError("op", fmt.Errorf("read: %w", context.Canceled)), context.Canceled) {
		t.Error("a done context's error no longer matches context.Canceled")
	}
	inner := interpretError("inner", pg("23505"))
	if got := interpretError("outer", inner); got != inner {
		t.Errorf("an *Error was wrapped again: %v", got)
	}
}
