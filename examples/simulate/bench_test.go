package main

import (
	"context"
	"flag"
	"io"
	"testing"
)

// BenchmarkDay runs a day of 10,000 tickets with the default team, the text
// written and thrown away: under round robin alone, and the full default run
// (the four default policies at once). The goal is under 2 s for the full
// default run.
func BenchmarkDay(b *testing.B) {
	for _, bc := range []struct{ name, policies string }{
		{"policies=rr", "rr"},
		{"policies=default", "rr,rr+cap=5,rr+waiting,manual"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg, err := parseFlags(flag.NewFlagSet("simulate", flag.ContinueOnError), []string{"-policies", bc.policies})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := run(context.Background(), io.Discard, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cfg.tickets*len(cfg.policies)*b.N)/b.Elapsed().Seconds(), "tickets/s")
		})
	}
}
