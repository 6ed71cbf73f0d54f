package channel

import (
	"fmt"
	"time"
)

// DefaultAttributionWindow is how long after an SMS campaign or flow message
// a customer's reply is attributed to it, unless the host sets another
// window.
const DefaultAttributionWindow = 24 * time.Hour

// Origin is what sent a marketing text: a campaign or a flow. The zero value
// is not a valid origin.
type Origin uint8

// The origins of marketing texts.
const (
	// Campaign: a text sent to a list or segment at one time.
	Campaign Origin = iota + 1
	// Flow: a text sent by an automation, triggered by what the customer did.
	Flow
)

var origins = enum[Origin]{"origin", []string{Campaign: "campaign", Flow: "flow"}}

// Valid reports whether o is [Campaign] or [Flow].
func (o Origin) Valid() bool { return origins.valid(o) }

// String returns "campaign" or "flow", and "invalid origin(N)" for anything
// else.
func (o Origin) String() string { return origins.string(o) }

// MarshalText encodes o as [Origin.String] does; an invalid origin is an
// error matching [ErrInvalid].
func (o Origin) MarshalText() ([]byte, error) { return origins.marshal(o) }

// UnmarshalText decodes "campaign" or "flow". Anything else is a
// [*SyntaxError] and leaves o unchanged.
func (o *Origin) UnmarshalText(text []byte) error { return origins.unmarshal(text, o) }

// Sent is a campaign or flow text that the customer received.
type Sent struct {
	// ID is the host's ID of the text. Required.
	ID string
	// Origin says whether a campaign or a flow sent it.
	Origin Origin
	// At is when it was sent to the customer. Required.
	At time.Time
	// Attributed is true when a reply of the customer is already attributed
	// to it.
	Attributed bool
}

// Attribute returns the text that an inbound SMS received at time at is
// attributed to, from received, the campaign and flow texts the customer
// received (in any order).
//
// The reply is attributed to the last text sent at or before at (of equal
// times, the later in received), provided that at most window passed since
// it was sent, and that no earlier reply is attributed to it: only the first
// reply to a text counts, however quick the ones after it. Otherwise ok is
// false; an earlier text is never tried instead. A window of 0 means
// [DefaultAttributionWindow]. The reply at exactly the end of the window is
// attributed; a nanosecond later it is not.
//
// A zero at, a negative window, or a text without ID, valid Origin or time,
// is a [*FieldError] naming it.
func Attribute(at time.Time, received []Sent, window time.Duration) (s Sent, ok bool, err error) {
	switch {
	case at.IsZero():
		return Sent{}, false, fieldError("at", "missing")
	case window < 0:
		return Sent{}, false, fieldError("window", fmt.Sprintf("%v is negative", window))
	case window == 0:
		window = DefaultAttributionWindow
	}
	last := -1
	for i, r := range received {
		if field, reason := r.check(); reason != "" {
			return Sent{}, false, fieldError(fmt.Sprintf("received[%d].%s", i, field), reason)
		}
		if !r.At.After(at) && (last < 0 || !r.At.Before(received[last].At)) {
			last = i
		}
	}
	if last < 0 || received[last].Attributed || at.Sub(received[last].At) > window {
		return Sent{}, false, nil
	}
	return received[last], true, nil
}

// Validate returns a [*FieldError] naming the first field of r that is
// missing or malformed: the ID, the Origin or the time.
func (r Sent) Validate() error {
	field, reason := r.check()
	return fieldError(field, reason)
}

// check says which field of r is bad and why, or gives "" for the reason.
func (r Sent) check() (field, reason string) {
	if reason := badID(r.ID, controlBytes); reason != "" {
		return "ID", reason
	}
	switch {
	case !r.Origin.Valid():
		return "Origin", r.Origin.String()
	case r.At.IsZero():
		return "At", "missing"
	}
	return "", ""
}
