package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// small is the configuration of the tests' runs: a small day, every kind of
// policy.
func small(t testing.TB, seed uint64) config {
	t.Helper()
	cfg, err := parseFlags(flag.NewFlagSet("simulate", flag.ContinueOnError),
		[]string{"-seed", "1", "-tickets", "300", "-agents", "6", "-policies", "rr,rr+cap=3,rr+waiting,manual"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.seed = seed
	return cfg
}

// output runs cfg and returns the text and the SVG it writes.
func output(t testing.TB, cfg config) (text, svg []byte) {
	t.Helper()
	cfg.svg = filepath.Join(t.TempDir(), "chart.svg")
	var b bytes.Buffer
	if err := run(context.Background(), &b, cfg); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(cfg.svg)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), svg
}

// TestGolden compares a small run's output with testdata/small.txt
// (go test -update rewrites it).
func TestGolden(t *testing.T) {
	t.Parallel()
	got, _ := output(t, small(t, 1))
	const golden = "testdata/small.txt"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("the output changed (-want +got):\n%s", diff)
	}
}

// TestSameSeed runs the same seed twice in one process: the text and the
// chart are byte for byte the same; another seed gives another day.
func TestSameSeed(t *testing.T) {
	t.Parallel()
	text1, svg1 := output(t, small(t, 7))
	text2, svg2 := output(t, small(t, 7))
	if !bytes.Equal(text1, text2) {
		t.Errorf("seed 7 gave two texts:\n%s\n----\n%s", text1, text2)
	}
	if !bytes.Equal(svg1, svg2) {
		t.Error("seed 7 gave two charts")
	}
	text3, svg3 := output(t, small(t, 8))
	if bytes.Equal(text1, text3) || bytes.Equal(svg1, svg3) {
		t.Error("seeds 7 and 8 gave the same output")
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		flag string // of the *FlagError; "-" for none
	}{
		{args: nil, flag: "-"},
		{args: []string{"-seed", "42", "-tickets", "1", "-agents", "1000", "-policies", "manual", "-zone", "Asia/Kolkata", "-svg", "x.svg"}, flag: "-"},
		{args: []string{"-tickets", "0"}, flag: "tickets"},
		{args: []string{"-tickets", "1000001"}, flag: "tickets"},
		{args: []string{"-agents", "0"}, flag: "agents"},
		{args: []string{"-agents", "1001"}, flag: "agents"},
		{args: []string{"-policies", ""}, flag: "policies"},
		{args: []string{"-policies", "rr+fast"}, flag: "policies"},
		{args: []string{"-zone", "Mars/Olympus_Mons"}, flag: "zone"},
		{args: []string{"-zone", "Local"}, flag: "zone"},
		{args: []string{"-zone", "Etc/GMT+12"}, flag: "-"},
		{args: []string{"extra"}, flag: ""},
	} {
		fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := parseFlags(fs, tc.args)
		var fe *FlagError
		switch {
		case tc.flag == "-" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.flag == "-":
		case !errors.As(err, &fe) || !errors.Is(err, ErrInvalid):
			t.Errorf("%q: got %v, want a *FlagError matching ErrInvalid", tc.args, err)
		case fe.Flag != tc.flag || !strings.Contains(err.Error(), fe.Reason):
			t.Errorf("%q: got %v, want one about -%s", tc.args, err, tc.flag)
		}
	}
}

// TestDefaults checks the documented defaults: a Monday in New York, ten
// thousand tickets, four policies, no chart.
func TestDefaults(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	cfg, err := parseFlags(fs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	for _, p := range cfg.policies {
		ps = append(ps, p.String())
	}
	got := []any{cfg.seed, cfg.tickets, cfg.agents, strings.Join(ps, ","), cfg.zone.String(), cfg.svg,
		time.Date(year, month, mday, 0, 0, 0, 0, cfg.zone).Weekday()}
	want := []any{uint64(1), 10000, 50, "rr,rr+cap=5,rr+waiting,manual", "America/New_York", "", time.Monday}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}
