package channel_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/channel"
)

var sent0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

type attribution struct {
	ID string
	OK bool
}

func TestAttribute(t *testing.T) {
	t.Parallel()
	campaign := channel.Sent{ID: "c1", Origin: channel.Campaign, At: sent0}
	flow := channel.Sent{ID: "f1", Origin: channel.Flow, At: sent0.Add(time.Hour)}
	attributed := func(s channel.Sent) channel.Sent { s.Attributed = true; return s }
	day := 24 * time.Hour
	for _, tc := range []struct {
		name     string
		at       time.Time
		received []channel.Sent
		window   time.Duration
		want     attribution
	}{
		{"a reply seconds after a campaign", sent0.Add(5 * time.Second), []channel.Sent{campaign}, 0, attribution{"c1", true}},
		{"a reply at the moment of sending", sent0, []channel.Sent{campaign}, 0, attribution{"c1", true}},
		{"exactly 24 hours later is inside the window", sent0.Add(day), []channel.Sent{campaign}, 0, attribution{"c1", true}},
		{"a nanosecond past 24 hours is outside", sent0.Add(day + 1), []channel.Sent{campaign}, 0, attribution{}},
		{"the second of two quick replies is not attributed", sent0.Add(6 * time.Second), []channel.Sent{attributed(campaign)}, 0, attribution{}},
		{"a campaign then a flow: the flow", sent0.Add(2 * time.Hour), []channel.Sent{campaign, flow}, 0, attribution{"f1", true}},
		{"order of the list does not matter", sent0.Add(2 * time.Hour), []channel.Sent{flow, campaign}, 0, attribution{"f1", true}},
		{"the last text answered already: no fallback to an earlier one", sent0.Add(2 * time.Hour), []channel.Sent{campaign, attributed(flow)}, 0, attribution{}},
		{"the last text out of the window: no fallback", sent0.Add(day + 2*time.Hour), []channel.Sent{campaign, flow}, day, attribution{}},
		{"a text sent after the reply is not a candidate", sent0.Add(30 * time.Minute), []channel.Sent{campaign, flow}, 0, attribution{"c1", true}},
		{"nothing received", sent0, nil, 0, attribution{}},
		{"only later texts", sent0.Add(-time.Minute), []channel.Sent{campaign}, 0, attribution{}},
		{"a configured window of one hour", sent0.Add(time.Hour + time.Second), []channel.Sent{campaign}, time.Hour, attribution{}},
		{"a configured window of one week", sent0.Add(6 * day), []channel.Sent{campaign}, 7 * day, attribution{"c1", true}},
		{"of two sent at once, the later in the list", sent0.Add(time.Minute), []channel.Sent{campaign, {ID: "c2", Origin: channel.Campaign, At: sent0}}, 0, attribution{"c2", true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, ok, err := channel.Attribute(tc.at, tc.received, tc.window)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, attribution{s.ID, ok}); diff != "" {
				t.Errorf("Attribute (-want +got)\n%s", diff)
			}
		})
	}
}

func TestAttributeErrors(t *testing.T) {
	t.Parallel()
	good := channel.Sent{ID: "c1", Origin: channel.Campaign, At: sent0}
	for _, tc := range []struct {
		at       time.Time
		received []channel.Sent
		window   time.Duration
		field    string
	}{
		{time.Time{}, []channel.Sent{good}, 0, "at"},
		{sent0, []channel.Sent{good}, -time.Second, "window"},
		{sent0, []channel.Sent{good, {Origin: channel.Flow, At: sent0}}, 0, "received[1].ID"},
		{sent0, []channel.Sent{{ID: "x\n", Origin: channel.Flow, At: sent0}}, 0, "received[0].ID"},
		{sent0, []channel.Sent{{ID: "f1", At: sent0}}, 0, "received[0].Origin"},
		{sent0, []channel.Sent{{ID: "f1", Origin: channel.Flow}}, 0, "received[0].At"},
	} {
		s, ok, err := channel.Attribute(tc.at, tc.received, tc.window)
		var fe *channel.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, channel.ErrInvalid) || ok || s != (channel.Sent{}) {
			t.Errorf("Attribute(%+v, %v) = %+v, %v, %v; want a *FieldError naming %s", tc.received, tc.window, s, ok, err, tc.field)
		}
	}
}

// TestAttributeProperties checks Attribute against the rules on random
// histories: the result is the latest text at or before the reply, inside
// the window, not yet answered; marking it attributed leaves the next reply
// unattributed; and a wider window never loses an attribution.
func TestAttributeProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 8).Draw(t, "n")
		received := make([]channel.Sent, n)
		for i := range received {
			received[i] = channel.Sent{
				ID:         fmt.Sprint("s", i),
				Origin:     rapid.SampledFrom([]channel.Origin{channel.Campaign, channel.Flow}).Draw(t, "origin"),
				At:         sent0.Add(time.Duration(rapid.IntRange(0, 72).Draw(t, "hour")) * time.Hour),
				Attributed: rapid.Bool().Draw(t, "attributed"),
			}
		}
		at := sent0.Add(time.Duration(rapid.Int64Range(0, int64(96*time.Hour)).Draw(t, "at")))
		window := time.Duration(rapid.IntRange(1, 48).Draw(t, "window")) * time.Hour

		s, ok, err := channel.Attribute(at, received, window)
		if err != nil {
			t.Fatal(err)
		}
		// The model: of the texts sent by then, in order of time (the list order
		// breaking ties), the last.
		candidates := slices.DeleteFunc(slices.Clone(received), func(r channel.Sent) bool { return r.At.After(at) })
		slices.SortStableFunc(candidates, func(a, b channel.Sent) int { return a.At.Compare(b.At) })
		last := -1
		if len(candidates) > 0 {
			last = slices.IndexFunc(received, func(r channel.Sent) bool { return r.ID == candidates[len(candidates)-1].ID })
		}
		wantOK := last >= 0 && !received[last].Attributed && at.Sub(received[last].At) <= window
		if ok != wantOK || ok && s != received[last] {
			t.Fatalf("Attribute = %+v, %v; want index %d, %v", s, ok, last, wantOK)
		}
		if !ok {
			return
		}
		received[last].Attributed = true
		if s2, ok2, _ := channel.Attribute(at.Add(time.Second), received, window); ok2 {
			t.Fatalf("a second reply was attributed to %+v", s2)
		}
		received[last].Attributed = false
		if s3, ok3, _ := channel.Attribute(at, received, 2*window); !ok3 || s3 != s {
			t.Fatalf("a wider window lost the attribution: %+v, %v", s3, ok3)
		}
	})
}
