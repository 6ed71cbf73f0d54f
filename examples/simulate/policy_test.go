package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePolicies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []Policy
		bad  string // the FlagError's Value; "" when in is good
	}{
		{in: "rr", want: []Policy{{RoundRobin: true}}},
		{in: "manual", want: []Policy{{}}},
		{in: "rr,rr+cap=5,rr+waiting,manual", want: []Policy{{RoundRobin: true}, {RoundRobin: true, Cap: 5}, {RoundRobin: true, Waiting: true}, {}}},
		{in: " rr+waiting+cap=2 , manual+cap=1000", want: []Policy{{RoundRobin: true, Cap: 2, Waiting: true}, {Cap: 1000}}},
		{in: "", bad: ""},
		{in: "rr,", bad: ""},
		{in: "RR", bad: "RR"},
		{in: "cap=5", bad: "cap=5"},
		{in: "rr+cap=0", bad: "cap=0"},
		{in: "rr+cap=1001", bad: "cap=1001"},
		{in: "rr+cap=five", bad: "cap=five"},
		{in: "rr+cap=", bad: "cap="},
		{in: "rr+cap=5+cap=6", bad: "rr+cap=5+cap=6"},
		{in: "rr+waiting+waiting", bad: "rr+waiting+waiting"},
		{in: "manual+waiting", bad: "manual+waiting"},
		{in: "rr+", bad: ""},
		{in: "rr+fast", bad: "fast"},
		{in: "rr,rr", bad: "rr"},
		{in: "rr+cap=5+waiting,rr+waiting+cap=5", bad: "rr+waiting+cap=5"},
		{in: "rr,manual,rr+cap=1,rr+cap=2,rr+cap=3,rr+cap=4,rr+cap=5,rr+cap=6,rr+cap=7", bad: "rr,manual,rr+cap=1,rr+cap=2,rr+cap=3,rr+cap=4,rr+cap=5,rr+cap=6,rr+cap=7"},
	} {
		got, err := ParsePolicies(tc.in)
		if tc.want != nil {
			if err != nil {
				t.Errorf("ParsePolicies(%q): %v", tc.in, err)
			} else if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePolicies(%q) (-want +got):\n%s", tc.in, diff)
			}
			continue
		}
		var fe *FlagError
		if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePolicies(%q) = %v, %v; want a *FlagError", tc.in, got, err)
			continue
		}
		if diff := cmp.Diff(FlagError{Flag: "policies", Value: tc.bad, Reason: fe.Reason}, *fe); diff != "" || fe.Reason == "" {
			t.Errorf("ParsePolicies(%q): error %v (-want +got):\n%s", tc.in, err, diff)
		}
	}
}

func TestPolicyString(t *testing.T) {
	t.Parallel()
	got := []string{Policy{}.String(), Policy{RoundRobin: true}.String(), Policy{Cap: 3}.String(), Policy{RoundRobin: true, Cap: 5, Waiting: true}.String()}
	want := []string{"manual", "rr", "manual+cap=3", "rr+cap=5+waiting"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParsePolicies: any input is parsed or refused with a *FlagError, never
// a panic; what parses prints back to a form that parses to the same.
func FuzzParsePolicies(f *testing.F) {
	for _, s := range []string{"rr", "manual", "rr,rr+cap=5,rr+waiting,manual", "rr+cap=5+waiting", "manual+cap=1", "rr+cap=-1", "rr++", ",,", "rr+cap=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePolicies(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePolicies(%q): %v is not ErrInvalid", s, err)
			}
			return
		}
		var names []string
		for _, p := range ps {
			if p.Cap < 0 || p.Cap > maxCap || p.Waiting && !p.RoundRobin {
				t.Fatalf("ParsePolicies(%q) gave %+v", s, p)
			}
			names = append(names, p.String())
		}
		again, err := ParsePolicies(strings.Join(names, ","))
		if err != nil {
			t.Fatalf("ParsePolicies(%q) = %v; its form %q: %v", s, ps, names, err)
		}
		if diff := cmp.Diff(ps, again); diff != "" {
			t.Fatalf("round trip of %q (-first +again):\n%s", s, diff)
		}
	})
}
