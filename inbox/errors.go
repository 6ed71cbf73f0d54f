package inbox

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error an Inbox returns matches one of these (or a
// sentinel of package status or channel) under [errors.Is]. A call that
// returns an error has changed nothing.
var (
	// ErrForbidden: the actor's role may not perform the operation, or the
	// actor acts for somebody else where only oneself is allowed.
	ErrForbidden = errors.New("inbox: forbidden")
	// ErrNotFound: no such ticket, member, saved view or inbox item.
	ErrNotFound = errors.New("inbox: not found")
	// ErrAlreadyAssigned: a claim found the ticket already assigned. Claims
	// never steal.
	ErrAlreadyAssigned = errors.New("inbox: ticket already assigned")
	// ErrInvalid: an argument is malformed; the error names it.
	ErrInvalid = errors.New("inbox: invalid argument")
	// ErrConflict: a store found a conflicting write (a uniqueness or
	// concurrency conflict it could not resolve by retrying).
	ErrConflict = errors.New("inbox: conflict")
)

// ForbiddenError says which actor was refused which operation. It matches
// [ErrForbidden].
type ForbiddenError struct {
	Actor Actor
	Op    Op
}

// Error implements the error interface.
func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("inbox: forbidden: %q (role %q) may not %s", e.Actor.ID, e.Actor.Role, e.Op)
}

// Is reports whether target is [ErrForbidden].
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// InvalidError names the argument that was malformed and why. It matches
// [ErrInvalid].
type InvalidError struct {
	Field  string
	Reason string
}

// Error implements the error interface.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("inbox: invalid %s: %s", e.Field, e.Reason)
}

// Is reports whether target is [ErrInvalid].
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// AssignedError says who already holds a ticket that a claim wanted. It
// matches [ErrAlreadyAssigned].
type AssignedError struct {
	Ticket   int64
	Assignee string
}

// Error implements the error interface.
func (e *AssignedError) Error() string {
	return fmt.Sprintf("inbox: ticket %d is already assigned to %q", e.Ticket, e.Assignee)
}

// Is reports whether target is [ErrAlreadyAssigned].
func (e *AssignedError) Is(target error) bool { return target == ErrAlreadyAssigned }
