package channel

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched by every error about bad input: each [*FieldError]
// and each [*SyntaxError].
var ErrInvalid = errors.New("channel: invalid input")

// ErrNoCountryCode is matched by the [*SyntaxError] of a phone number written
// without a country code (no leading "+" or "00"). Such a national number can
// only be read with the rules of its country: normalise it with a full phone
// library (a port of libphonenumber) first.
var ErrNoCountryCode = errors.New("channel: phone number has no country code")

// ErrSenderCannotReceive is matched by the error of [NormalizeSenderNumber]
// for a branded (alphanumeric) sender ID such as "ACME": such a sender can
// send texts but cannot receive them, so it cannot serve an inbox.
var ErrSenderCannotReceive = errors.New("channel: a branded (alphanumeric) sender ID cannot receive messages")

// ErrNoConsent is returned by [CanReply] for an SMS ticket whose customer is
// neither an SMS marketing nor an SMS transactional subscriber.
var ErrNoConsent = errors.New("channel: the customer has not consented to receive SMS")

// FieldError reports a field (or an argument) that holds a bad value. It
// matches [ErrInvalid] under [errors.Is], and also whatever Err matches.
type FieldError struct {
	// Field names the value as a Go selector from the value that holds it:
	// "Kind", "Email.From", "Email.References[3]", "SMS.To", "window".
	Field string
	// Reason says what is wrong with it.
	Reason string
	// Err is the parser's error behind Reason, or nil.
	Err error
}

// Error implements the error interface.
func (e *FieldError) Error() string { return "channel: invalid " + e.Field + ": " + e.Reason }

// Is reports whether target is [ErrInvalid].
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns Err.
func (e *FieldError) Unwrap() error { return e.Err }

// SyntaxError reports text that a parser of this package could not read. It
// matches [ErrInvalid] under [errors.Is], and also whatever Err matches.
type SyntaxError struct {
	// What names what was being read: "phone number", "sender number",
	// "message ID list", "message ID", "keyword", "channel kind", …
	What string
	// Input is the text, cut to its first 64 bytes.
	Input string
	// Reason says what is wrong with it.
	Reason string
	// Err is a more specific sentinel ([ErrNoCountryCode],
	// [ErrSenderCannotReceive]) or nil.
	Err error
}

// Error implements the error interface.
func (e *SyntaxError) Error() string { return "channel: invalid " + e.describe() }

// Is reports whether target is [ErrInvalid].
func (e *SyntaxError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns Err.
func (e *SyntaxError) Unwrap() error { return e.Err }

func (e *SyntaxError) describe() string { return fmt.Sprintf("%s %q: %s", e.What, e.Input, e.Reason) }

// syntaxError builds a *SyntaxError.
func syntaxError(what, input, reason string, err error) *SyntaxError {
	return &SyntaxError{What: what, Input: cut(input), Reason: reason, Err: err}
}

// cut shortens text that an error quotes to its first 64 bytes, so that a
// huge input makes a short message.
func cut(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max]
	}
	return s
}

// fieldError reports field as bad for reason; an empty reason means the
// value is fine and gives nil.
func fieldError(field, reason string) error {
	if reason == "" {
		return nil
	}
	return &FieldError{Field: field, Reason: reason}
}

// wrapField reports field as holding text that a parser refused with err.
func wrapField(field string, err error) *FieldError {
	reason := err.Error()
	var se *SyntaxError
	if errors.As(err, &se) {
		reason = se.describe()
	}
	return &FieldError{Field: field, Reason: reason, Err: err}
}

// enum names the values of an enumeration type T: text[v] is the text of v,
// and "" marks a value that is not valid.
type enum[T ~uint8] struct {
	what string
	text []string
}

func (e enum[T]) valid(v T) bool { return int(v) < len(e.text) && e.text[v] != "" }

func (e enum[T]) string(v T) string {
	if !e.valid(v) {
		return fmt.Sprintf("invalid %s(%d)", e.what, uint8(v))
	}
	return e.text[v]
}

func (e enum[T]) marshal(v T) ([]byte, error) {
	if !e.valid(v) {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, e.string(v))
	}
	return []byte(e.text[v]), nil
}

func (e enum[T]) unmarshal(text []byte, v *T) error {
	var names []string
	for i, t := range e.text {
		if t != "" && t == string(text) {
			*v = T(i)
			return nil
		}
		if t != "" {
			names = append(names, t)
		}
	}
	return syntaxError(e.what, string(text), "want one of "+strings.Join(names, ", "), nil)
}
