package pgstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/routedesk/routedesk/inbox"
)

// Error is an error of PostgreSQL or of the driver, with what the store was
// doing. Under [errors.Is] it matches the sentinel of package inbox that
// [Error.Kind] names, and everything the driver's error matches (a done
// context's error, for one); [errors.As] finds the driver's error, such as a
// *pgconn.PgError.
type Error struct {
	Op string // what the store was doing, e.g. "transaction"
	// Kind is the sentinel of package inbox the error means: ErrConflict
	// for a unique violation, a serialization failure or a deadlock;
	// ErrNotFound for a missing referenced row; ErrInvalid for a value
	// PostgreSQL refused; nil for anything else (a lost connection…).
	Kind error
	Err  error // the driver's error
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("pgstore: %s: %v", e.Op, e.Err) }

// Unwrap returns the driver's error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e.Kind.
func (e *Error) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// SQLSTATE codes the store tells apart.
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// interpretError maps an error of the driver, met while doing op, to an
// *Error matching the sentinel of package inbox that it means. It is the one
// place where driver errors are translated.
func interpretError(op string, err error) error {
	var mine *Error
	if errors.As(err, &mine) {
		return err
	}
	e := &Error{Op: op, Err: err}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch class := pg.Code[:min(2, len(pg.Code))]; {
		case pg.Code == uniqueViolation, pg.Code == serializationFailure, pg.Code == deadlockDetected:
			e.Kind = inbox.ErrConflict
		case pg.Code == foreignKeyViolation:
			e.Kind = inbox.ErrNotFound
		case class == "22", class == "23": // data exception, integrity constraint violation
			e.Kind = inbox.ErrInvalid
		}
	}
	return e
}

// retryable reports whether err ended a transaction that may succeed if it
// runs again: a serialization failure or a deadlock.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == serializationFailure || pg.Code == deadlockDetected)
}

func invalid(field, reason string) error {
	return &inbox.InvalidError{Field: field, Reason: reason}
}

// notFound says what a lookup did not find.
func notFound(what string, key any) error {
	return fmt.Errorf("pgstore: %s %v: %w", what, key, inbox.ErrNotFound)
}

// first returns the first of the rows a lookup found, or the error, or one
// matching inbox.ErrNotFound when it found none.
func first[T any](rows []T, err error, what string, key any) (T, error) {
	var zero T
	switch {
	case err != nil:
		return zero, err
	case len(rows) == 0:
		return zero, notFound(what, key)
	}
	return rows[0], nil
}
