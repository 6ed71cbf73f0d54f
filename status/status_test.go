package status_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/status"
)

var (
	allStatuses = []status.Status{0, status.Open, status.Snoozed, status.Closed, 4}
	allEvents   = []status.Event{0, status.Snooze, status.Wake, status.Close, status.Reopen, 5}
)

func TestNextEveryPair(t *testing.T) {
	t.Parallel()
	type pair struct {
		from  status.Status
		event status.Event
	}
	allowed := map[pair]status.Status{
		{status.Open, status.Snooze}:   status.Snoozed,
		{status.Snoozed, status.Wake}:  status.Open,
		{status.Open, status.Close}:    status.Closed,
		{status.Snoozed, status.Close}: status.Closed,
		{status.Closed, status.Reopen}: status.Open,
	}
	for _, from := range allStatuses {
		for _, ev := range allEvents {
			got, err := status.Next(from, ev)
			want, ok := allowed[pair{from, ev}]
			if ok {
				if err != nil || got != want {
					t.Errorf("Next(%v, %v) = %v, %v; want %v, nil", from, ev, got, err, want)
				}
				continue
			}
			if !errors.Is(err, status.ErrInvalidTransition) {
				t.Errorf("Next(%v, %v) error = %v; want ErrInvalidTransition", from, ev, err)
			}
			var te *status.TransitionError
			if !errors.As(err, &te) || te.From != from || te.Event != ev {
				t.Errorf("Next(%v, %v) error = %#v; want a *TransitionError naming from and event", from, ev, err)
			}
			if got != from {
				t.Errorf("refused Next(%v, %v) returned status %v; want it unchanged", from, ev, got)
			}
		}
	}
}

func TestTransitionErrorNamesTarget(t *testing.T) {
	t.Parallel()
	_, err := status.Next(status.Open, status.Reopen)
	var te *status.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want *TransitionError", err)
	}
	want := status.TransitionError{From: status.Open, Event: status.Reopen, To: status.Open}
	if diff := cmp.Diff(want, *te); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got, want := err.Error(), "status: cannot reopen a ticket that is open (open → open is not allowed)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []status.Status{status.Open, status.Snoozed, status.Closed} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back status.Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("round trip of %v via %s = %v, %v", s, b, back, err)
		}
	}
	for _, e := range []status.Event{status.Snooze, status.Wake, status.Close, status.Reopen} {
		b, err := e.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back status.Event
		if err := back.UnmarshalText(b); err != nil || back != e {
			t.Errorf("round trip of %v via %s = %v, %v", e, b, back, err)
		}
	}
	got, _ := json.Marshal(map[string]status.Status{"a": status.Open, "b": status.Snoozed, "c": status.Closed})
	if want := `{"a":"open","b":"snoozed","c":"closed"}`; string(got) != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}

func TestUnknownText(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`""`, `"Open"`, `"OPEN"`, `" open"`, `"pending"`, `"0"`, `1`} {
		s := status.Snoozed
		err := json.Unmarshal([]byte(in), &s)
		if err == nil {
			t.Errorf("Unmarshal(%s) succeeded as %v", in, s)
		}
		if s != status.Snoozed {
			t.Errorf("Unmarshal(%s) changed the status to %v", in, s)
		}
	}
	var e status.Event
	if err := e.UnmarshalText([]byte("snoozed")); !errors.Is(err, status.ErrUnknown) || e != 0 {
		t.Errorf("UnmarshalText(snoozed) = %v, %v; want ErrUnknown, unchanged", e, err)
	}
}

func TestZeroValueIsInvalid(t *testing.T) {
	t.Parallel()
	var s status.Status
	if s.Valid() {
		t.Error("zero Status is valid")
	}
	if got := s.String(); got != "invalid status(0)" {
		t.Errorf("String() = %q", got)
	}
	if _, err := json.Marshal(s); !errors.Is(err, status.ErrUnknown) {
		t.Errorf("Marshal(zero) error = %v, want ErrUnknown", err)
	}
	var e status.Event
	if e.Valid() || e.String() != "invalid event(0)" {
		t.Errorf("zero Event: Valid=%v String=%q", e.Valid(), e.String())
	}
	if _, err := e.MarshalText(); !errors.Is(err, status.ErrUnknown) {
		t.Errorf("MarshalText(zero event) error = %v, want ErrUnknown", err)
	}
}

// TestEventSequences checks that any sequence of events from Open only ever
// yields the statuses the table allows, and that a refused event changes
// nothing.
func TestEventSequences(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		events := rapid.SliceOf(rapid.SampledFrom(allEvents)).Draw(t, "events")
		cur := status.Open
		for _, ev := range events {
			next, err := status.Next(cur, ev)
			if err != nil {
				if next != cur {
					t.Fatalf("refused %v from %v changed the status to %v", ev, cur, next)
				}
				if !errors.Is(err, status.ErrInvalidTransition) {
					t.Fatalf("refusal %v is not ErrInvalidTransition", err)
				}
				continue
			}
			if !next.Valid() {
				t.Fatalf("%v from %v yielded invalid status %v", ev, cur, next)
			}
			// Only the moves of the documented table may succeed.
			switch {
			case cur == status.Open && ev == status.Snooze && next == status.Snoozed,
				cur == status.Snoozed && ev == status.Wake && next == status.Open,
				cur != status.Closed && ev == status.Close && next == status.Closed,
				cur == status.Closed && ev == status.Reopen && next == status.Open:
			default:
				t.Fatalf("%v from %v gave %v: not in the table", ev, cur, next)
			}
			cur = next
		}
	})
}
