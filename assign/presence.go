package assign

import "fmt"

// Presence says whether an agent is taking automatic assignments. Only
// [Online] agents receive them. The zero value is [Offline]: a newly known or
// signed-out agent is offline. Who may set whose presence is a rule of the
// inbox, not of this package.
type Presence uint8

// The presences of an agent.
const (
	// Offline: the agent receives no automatic assignments (but keeps their
	// place in the rotation).
	Offline Presence = iota
	// Online: the agent receives automatic assignments when otherwise
	// eligible.
	Online
)

var presenceNames = []string{Offline: "offline", Online: "online"}

// Valid reports whether p is [Offline] or [Online].
func (p Presence) Valid() bool { return p <= Online }

// String returns "offline" or "online", and "invalid presence(N)" for
// anything else.
func (p Presence) String() string { return nameOf(presenceNames, uint8(p), "presence") }

// MarshalText encodes p as "offline" or "online". An invalid presence is an
// error matching [ErrUnknown].
func (p Presence) MarshalText() ([]byte, error) {
	return marshalName(presenceNames, uint8(p), "presence")
}

// UnmarshalText decodes "offline" or "online" (exactly, in lower case).
// Anything else is an error matching [ErrUnknown] and leaves p unchanged.
func (p *Presence) UnmarshalText(text []byte) error {
	v, err := parseName(presenceNames, text, "presence")
	if err == nil {
		*p = Presence(v)
	}
	return err
}

// nameOf returns names[v], or "invalid KIND(v)" when v names nothing.
func nameOf(names []string, v uint8, kind string) string {
	if int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return fmt.Sprintf("invalid %s(%d)", kind, v)
}

// marshalName encodes v as names[v], or fails with ErrUnknown.
func marshalName(names []string, v uint8, kind string) ([]byte, error) {
	if int(v) < len(names) && names[v] != "" {
		return []byte(names[v]), nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknown, nameOf(names, v, kind))
}

// parseName returns the index of text in names, or fails with ErrUnknown.
func parseName(names []string, text []byte, kind string) (uint8, error) {
	for i, name := range names {
		if name != "" && string(text) == name {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %s %q", ErrUnknown, kind, text)
}
