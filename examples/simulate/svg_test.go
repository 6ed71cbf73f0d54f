package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSVG decodes the chart of the golden run as XML and finds one bar per
// (policy, agent, hour) with tickets, each saying how many.
func TestSVG(t *testing.T) {
	t.Parallel()
	cfg := small(t, 1)
	team := teamNames(cfg.agents)
	runs, err := simulateAll(context.Background(), cfg.policies, cfg.plans(), team, cfg.day())
	if err != nil {
		t.Fatal(err)
	}
	var svg bytes.Buffer
	if err := writeSVG(&svg, cfg, cfg.day(), team, runs); err != nil {
		t.Fatal(err)
	}

	type cell struct {
		policy, agent string
		hour, tickets int
	}
	var got []cell
	d := xml.NewDecoder(&svg)
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = el.Name.Space + " " + el.Name.Local
		}
		attr := map[string]string{}
		for _, a := range el.Attr {
			attr[a.Name.Local] = a.Value
		}
		if el.Name.Local != "rect" || attr["class"] != "bar" {
			continue
		}
		hour, err1 := strconv.Atoi(attr["data-hour"])
		n, err2 := strconv.Atoi(attr["data-tickets"])
		h, err3 := strconv.Atoi(attr["height"])
		if err := errors.Join(err1, err2, err3); err != nil || n < 1 || h < 1 || h > barMax {
			t.Fatalf("bar %v: tickets %d, height %d, %v", attr, n, h, err)
		}
		got = append(got, cell{attr["data-policy"], attr["data-agent"], hour, n})
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q, want svg", root)
	}

	var want []cell
	for _, o := range runs {
		for a, hourly := range o.hourly {
			for h, n := range hourly {
				if n > 0 {
					want = append(want, cell{o.policy.String(), team[a], h, n})
				}
			}
		}
	}
	// The chart draws a policy's bars agent by agent, hour by hour, as want
	// lists them.
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(cell{})); diff != "" {
		t.Errorf("bars (-want +got):\n%s", diff)
	}
}
