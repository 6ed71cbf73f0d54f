package inbox_test

import (
	"encoding"
	"encoding/json"
	"errors"
	"testing"

	"github.com/routedesk/routedesk/inbox"
)

// TestEnumNames checks that the enumerations of the JSON forms encode by
// name, decode their names back, and refuse numbers and unknown names with
// an error matching ErrInvalid.
func TestEnumNames(t *testing.T) {
	type enum interface {
		encoding.TextMarshaler
		String() string
	}
	for _, c := range []struct {
		v    enum
		name string
		into func() encoding.TextUnmarshaler
	}{
		{inbox.Inbound, "inbound", func() encoding.TextUnmarshaler { return new(inbox.Direction) }},
		{inbox.Outbound, "outbound", func() encoding.TextUnmarshaler { return new(inbox.Direction) }},
		{inbox.Unassigned, "unassigned", func() encoding.TextUnmarshaler { return new(inbox.View) }},
		{inbox.OldestFirst, "oldest_first", func() encoding.TextUnmarshaler { return new(inbox.Order) }},
		{inbox.TicketAssigned, "ticket_assigned", func() encoding.TextUnmarshaler { return new(inbox.EventType) }},
	} {
		js, err := json.Marshal(c.v)
		if err != nil || string(js) != `"`+c.name+`"` || c.v.String() != c.name {
			t.Errorf("%v encodes as %s (%v), String %q; want %q", c.v, js, err, c.v.String(), c.name)
		}
		back := c.into()
		if err := json.Unmarshal(js, back); err != nil || back.(enum).String() != c.name {
			t.Errorf("%s decodes as %v (%v)", js, back, err)
		}
		if err := c.into().UnmarshalText([]byte("sideways")); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("%T decodes an unknown name with %v, want ErrInvalid", back, err)
		}
		if err := json.Unmarshal([]byte("1"), c.into()); err == nil {
			t.Errorf("%T decodes a number", back)
		}
	}
	if _, err := json.Marshal(inbox.Direction(3)); err == nil {
		t.Error("Direction(3) encodes")
	}
	if js, err := json.Marshal(inbox.Message{}); err != nil || string(js) != `{"ticket":0,"index":0,"author":"","body":"","at":"0001-01-01T00:00:00Z"}` {
		t.Errorf("a message without a direction encodes as %s (%v), want no direction", js, err)
	}
}
