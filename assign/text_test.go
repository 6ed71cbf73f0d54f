package assign_test

import (
	"encoding"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
)

func TestPresenceText(t *testing.T) {
	t.Parallel()
	got, err := json.Marshal(map[string]assign.Presence{"a": assign.Online, "b": assign.Offline})
	if want := `{"a":"online","b":"offline"}`; err != nil || string(got) != want {
		t.Errorf("json = %s, %v; want %s", got, err, want)
	}
	var back map[string]assign.Presence
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]assign.Presence{"a": assign.Online, "b": assign.Offline}, back); diff != "" {
		t.Errorf("round trip (-want +got)\n%s", diff)
	}
	var zero assign.Presence
	if zero != assign.Offline {
		t.Errorf("zero Presence is %v, want offline", zero)
	}
	if _, err := assign.Presence(2).MarshalText(); !errors.Is(err, assign.ErrUnknown) {
		t.Errorf("MarshalText(2) error = %v, want ErrUnknown", err)
	}
	if got := assign.Presence(7).String(); got != "invalid presence(7)" {
		t.Errorf("String() = %q", got)
	}
	for _, in := range []string{"", "Online", "ONLINE", " online", "away", "1"} {
		p := assign.Online
		err := p.UnmarshalText([]byte(in))
		if !errors.Is(err, assign.ErrUnknown) || p != assign.Online {
			t.Errorf("UnmarshalText(%q) = %v, %v; want ErrUnknown, unchanged", in, p, err)
		}
	}
}

func TestVerdictText(t *testing.T) {
	t.Parallel()
	want := []string{"offline", "at_capacity", "inbox_closed", "outside_hours", "chosen", "not_next", "not_in_pool"}
	var got []string
	for v := assign.AgentOffline; v.Valid(); v++ {
		b, err := v.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%d): %v", v, err)
		}
		var back assign.Verdict
		if err := back.UnmarshalText(b); err != nil || back != v {
			t.Errorf("round trip of %v via %s = %v, %v", v, b, back, err)
		}
		got = append(got, string(b))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdict names (-want +got)\n%s", diff)
	}
	for _, v := range []assign.Verdict{0, assign.NotInPool + 1} {
		if _, err := v.MarshalText(); !errors.Is(err, assign.ErrUnknown) {
			t.Errorf("MarshalText(%d) error = %v, want ErrUnknown", v, err)
		}
	}
	if got := assign.Verdict(0).String(); got != "invalid verdict(0)" {
		t.Errorf("String() = %q", got)
	}
	v := assign.Chosen
	if err := v.UnmarshalText([]byte("online")); !errors.Is(err, assign.ErrUnknown) || v != assign.Chosen {
		t.Errorf("UnmarshalText(online) = %v, %v; want ErrUnknown, unchanged", v, err)
	}
}

// FuzzText checks that the text forms of Presence and Verdict never panic,
// and that whatever parses marshals back to the same text.
func FuzzText(f *testing.F) {
	for _, s := range []string{"online", "offline", "chosen", "not_in_pool", "", "Online", "not next", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkText[assign.Presence](t, s)
		checkText[assign.Verdict](t, s)
	})
}

// checkText parses s as a T and, when that succeeds, marshals it back.
func checkText[T any, P interface {
	*T
	encoding.TextMarshaler
	encoding.TextUnmarshaler
}](t *testing.T, s string) {
	var v T
	if err := P(&v).UnmarshalText([]byte(s)); err != nil {
		if !errors.Is(err, assign.ErrUnknown) {
			t.Errorf("%T %q: error %v is not ErrUnknown", v, s, err)
		}
		return
	}
	if b, err := P(&v).MarshalText(); err != nil || string(b) != s {
		t.Errorf("%T %q parsed to %v, which marshals to %q, %v", v, s, v, b, err)
	}
}

// TestDecisionJSON checks the JSON form of a decision, as events carry it:
// snake_case names, the counts of zero left out but eligible.
func TestDecisionJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    assign.Decision
		want string
	}{
		{assign.Decision{Agent: "ann", Seq: 7, Eligible: 2, Offline: 1, AtCapacity: 3, OutsideHours: 4},
			`{"agent":"ann","seq":7,"eligible":2,"offline":1,"at_capacity":3,"outside_hours":4}`},
		{assign.Decision{Closed: true, Seq: 8}, `{"closed":true,"seq":8,"eligible":0}`},
	} {
		got, err := json.Marshal(c.d)
		if err != nil || string(got) != c.want {
			t.Errorf("json = %s, %v; want %s", got, err, c.want)
		}
		var back assign.Decision
		if err := json.Unmarshal(got, &back); err != nil || back != c.d {
			t.Errorf("%s decodes as %+v (%v), want %+v", got, back, err, c.d)
		}
	}
}
