// Package status defines the statuses a ticket can have and the one table of
// transitions between them.
//
// A ticket is [Open] (active or awaiting action), [Snoozed] (hidden until a
// chosen time) or [Closed] (done, and archived from the My inbox and Unassigned
// views). Every change of status is an [Event] applied through [Next], which
// consults a single explicit table:
//
//	from     event   to
//	open     snooze  snoozed
//	snoozed  wake    open     (the snooze time came, the customer wrote, or an agent reopened it)
//	open     close   closed
//	snoozed  close   closed
//	closed   reopen  open
//
// Any other move is refused with a [*TransitionError] that matches
// [ErrInvalidTransition] under [errors.Is], and the status stays what it was.
//
// The zero value of [Status] and of [Event] is not valid: it marshals to an
// error and is refused by [Next], so a forgotten field never passes for
// "open".
package status

import (
	"errors"
	"fmt"
)

// Status is the status of a ticket. The zero value is not a valid status.
type Status uint8

// The statuses of a ticket.
const (
	// Open: the conversation is active or awaiting action.
	Open Status = iota + 1
	// Snoozed: the ticket is hidden until a chosen time, or until the customer
	// writes again.
	Snoozed
	// Closed: the conversation is complete; the ticket leaves My inbox and
	// Unassigned.
	Closed
)

// Event is something that changes a ticket's status. The zero value is not a
// valid event.
type Event uint8

// The events that move a ticket between statuses.
const (
	// Snooze hides an open ticket until a chosen time.
	Snooze Event = iota + 1
	// Wake makes a snoozed ticket open again: its time came, the customer
	// wrote, or an agent reopened it.
	Wake
	// Close completes an open or snoozed ticket.
	Close
	// Reopen makes a closed ticket open again.
	Reopen
)

// ErrInvalidTransition is matched by every [*TransitionError].
var ErrInvalidTransition = errors.New("status: invalid transition")

// ErrUnknown is returned when text names no status or event, and when an
// invalid (zero or out of range) value is marshalled.
var ErrUnknown = errors.New("status: unknown value")

type key struct {
	from  Status
	event Event
}

// table is the only place that says which moves are allowed.
var table = map[key]Status{
	{Open, Snooze}:   Snoozed,
	{Snoozed, Wake}:  Open,
	{Open, Close}:    Closed,
	{Snoozed, Close}: Closed,
	{Closed, Reopen}: Open,
}

// targets says where each event leads when it is allowed; it names the "to" of
// a refused move in a [TransitionError].
var targets = map[Event]Status{
	Snooze: Snoozed,
	Wake:   Open,
	Close:  Closed,
	Reopen: Open,
}

// Next returns the status that event e leads to from status from. When the
// table has no such move it returns from unchanged and a [*TransitionError].
func Next(from Status, e Event) (Status, error) {
	to, ok := table[key{from, e}]
	if !ok {
		return from, &TransitionError{From: from, Event: e, To: targets[e]}
	}
	return to, nil
}

// TransitionError reports a move that the transition table does not allow.
// It matches [ErrInvalidTransition] under [errors.Is].
type TransitionError struct {
	From  Status // the status the ticket had (and still has)
	Event Event  // the refused event
	To    Status // the status the event leads to when allowed; zero for an invalid event
}

// Error implements the error interface.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("status: cannot %s a ticket that is %s (%s → %s is not allowed)", e.Event, e.From, e.From, e.To)
}

// Is reports whether target is [ErrInvalidTransition].
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

var statusNames = [...]string{Open: "open", Snoozed: "snoozed", Closed: "closed"}

var eventNames = [...]string{Snooze: "snooze", Wake: "wake", Close: "close", Reopen: "reopen"}

// Valid reports whether s is one of [Open], [Snoozed] and [Closed].
func (s Status) Valid() bool { return s >= Open && s <= Closed }

// String returns "open", "snoozed" or "closed", and "invalid status(N)" for
// anything else.
func (s Status) String() string {
	if !s.Valid() {
		return fmt.Sprintf("invalid status(%d)", uint8(s))
	}
	return statusNames[s]
}

// MarshalText encodes s as "open", "snoozed" or "closed". An invalid status is
// an error matching [ErrUnknown].
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("%w: %s", ErrUnknown, s)
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText decodes "open", "snoozed" or "closed" (exactly, in lower
// case). Anything else is an error matching [ErrUnknown] and leaves s
// unchanged.
func (s *Status) UnmarshalText(text []byte) error {
	for v := Open; v <= Closed; v++ {
		if string(text) == statusNames[v] {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("%w: status %q", ErrUnknown, text)
}

// Valid reports whether e is one of [Snooze], [Wake], [Close] and [Reopen].
func (e Event) Valid() bool { return e >= Snooze && e <= Reopen }

// String returns "snooze", "wake", "close" or "reopen", and "invalid
// event(N)" for anything else.
func (e Event) String() string {
	if !e.Valid() {
		return fmt.Sprintf("invalid event(%d)", uint8(e))
	}
	return eventNames[e]
}

// MarshalText encodes e as "snooze", "wake", "close" or "reopen". An invalid
// event is an error matching [ErrUnknown].
func (e Event) MarshalText() ([]byte, error) {
	if !e.Valid() {
		return nil, fmt.Errorf("%w: %s", ErrUnknown, e)
	}
	return []byte(eventNames[e]), nil
}

// UnmarshalText decodes "snooze", "wake", "close" or "reopen". Anything else
// is an error matching [ErrUnknown] and leaves e unchanged.
func (e *Event) UnmarshalText(text []byte) error {
	for v := Snooze; v <= Reopen; v++ {
		if string(text) == eventNames[v] {
			*e = v
			return nil
		}
	}
	return fmt.Errorf("%w: event %q", ErrUnknown, text)
}
