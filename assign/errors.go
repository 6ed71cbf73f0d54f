package assign

import (
	"errors"
	"fmt"
)

// ErrUnknown is returned when text names no [Presence] or [Verdict], and when
// an invalid value of either is marshalled.
var ErrUnknown = errors.New("assign: unknown value")

// ErrInvalidMember is matched by every [*MemberError].
var ErrInvalidMember = errors.New("assign: invalid member")

// ErrStale is matched by every [*StaleError].
var ErrStale = errors.New("assign: stale decision")

// ErrNoChoice is returned by [Rotation.Apply] for a decision that chose
// nobody (the inbox was closed, or no member was eligible).
var ErrNoChoice = errors.New("assign: the decision chose nobody")

// ErrSeqExhausted is returned by [Rotation.Apply] when the pool's sequence
// number is already the largest uint64 and cannot advance.
var ErrSeqExhausted = errors.New("assign: pool sequence number exhausted")

// MemberError reports a [Member] that [Rotation.Put] refused. It matches
// [ErrInvalidMember] under [errors.Is].
type MemberError struct {
	ID      string // the member's ID as given (possibly empty)
	Problem string // what is wrong, e.g. "negative capacity -1"
}

// Error implements the error interface.
func (e *MemberError) Error() string {
	return fmt.Sprintf("assign: invalid member %q: %s", e.ID, e.Problem)
}

// Is reports whether target is [ErrInvalidMember].
func (e *MemberError) Is(target error) bool { return target == ErrInvalidMember }

// StaleError reports a [Decision] that [Rotation.Apply] refused because the
// rotation changed since [Rotation.Pick] made it. It matches [ErrStale] under
// [errors.Is].
type StaleError struct {
	Agent   string // the agent the decision chose
	Seq     uint64 // the sequence number the decision was made at
	Problem string // what changed, e.g. "the agent is now offline"
}

// Error implements the error interface.
func (e *StaleError) Error() string {
	return fmt.Sprintf("assign: stale decision for %q made at seq %d: %s", e.Agent, e.Seq, e.Problem)
}

// Is reports whether target is [ErrStale].
func (e *StaleError) Is(target error) bool { return target == ErrStale }
