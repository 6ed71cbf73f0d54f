// Command simulate replays a day of support traffic through routedesk's real
// Inbox, over memstore, on a mock clock, once per assignment policy, and
// compares the policies side by side:
//
//	go run ./examples/simulate
//	go run ./examples/simulate -seed 7 -tickets 2000 -agents 12 -policies rr,manual -svg tickets.svg
//
// Customers write on web chat, email and SMS by realistic hourly curves;
// agents work shifts with a break, go online and offline, answer what they
// hold (three replies at a time), claim from Unassigned when they have room,
// and close tickets when the customer has nothing more to say. The same seed
// gives byte-identical output. See README.md for the model and the output.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"
	_ "time/tzdata" // any -zone on any machine
)

// config is what the flags ask for.
type config struct {
	seed     uint64
	tickets  int
	agents   int
	policies []Policy
	zone     *time.Location
	svg      string // where to write the chart; "" for nowhere
}

// The simulated day: Monday 16 November 2026 in the zone.
const year, month, mday = 2026, time.November, 16

// Limits of the flags.
const (
	maxTickets = 1_000_000
	maxAgents  = 1000
)

func main() {
	cfg, err := parseFlags(flag.CommandLine, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into a config. A bad value is a
// *FlagError.
func parseFlags(fs *flag.FlagSet, args []string) (config, error) {
	var cfg config
	var policies, zone string
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the random traffic: the same seed gives the same output")
	fs.IntVar(&cfg.tickets, "tickets", 10000, fmt.Sprintf("tickets customers open during the day (1 to %d)", maxTickets))
	fs.IntVar(&cfg.agents, "agents", 50, fmt.Sprintf("agents in the team (1 to %d)", maxAgents))
	fs.StringVar(&policies, "policies", "rr,rr+cap=5,rr+waiting,manual", policiesUsage)
	fs.StringVar(&zone, "zone", "America/New_York", "IANA time zone of the team; office hours are 08:00–18:00 on weekdays")
	fs.StringVar(&cfg.svg, "svg", "", "write a chart of tickets per agent per hour to this SVG file (none when empty)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: simulate [flags]\n\nsimulate replays a day of support traffic through routedesk's inbox, once per policy, and prints how each did.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, &FlagError{Flag: "", Value: fs.Arg(0), Reason: "no arguments are taken, only flags"}
	}
	if cfg.tickets < 1 || cfg.tickets > maxTickets {
		return cfg, &FlagError{Flag: "tickets", Value: fmt.Sprint(cfg.tickets), Reason: fmt.Sprintf("give 1 to %d", maxTickets)}
	}
	if cfg.agents < 1 || cfg.agents > maxAgents {
		return cfg, &FlagError{Flag: "agents", Value: fmt.Sprint(cfg.agents), Reason: fmt.Sprintf("give 1 to %d", maxAgents)}
	}
	var err error
	if cfg.policies, err = ParsePolicies(policies); err != nil {
		return cfg, err
	}
	if cfg.zone, err = loadZone(zone); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// loadZone loads an IANA zone that office hours can use.
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err == nil && loc == time.Local {
		err = errors.New(`"Local" depends on the machine; name the zone`)
	}
	if err == nil {
		_, err = officeHours(loc)
	}
	if err != nil {
		return nil, &FlagError{Flag: "zone", Value: name, Reason: err.Error()}
	}
	return loc, nil
}

// run simulates the day under every policy and writes the comparison to w,
// and the chart to cfg.svg when it is set.
func run(ctx context.Context, w io.Writer, cfg config) error {
	day, plans, team := cfg.day(), cfg.plans(), teamNames(cfg.agents)
	runs, err := simulateAll(ctx, cfg.policies, plans, team, day)
	if err != nil {
		return err
	}
	if err := writeText(w, cfg, day, plans, team, runs); err != nil {
		return err
	}
	if cfg.svg == "" {
		return nil
	}
	f, err := os.Create(cfg.svg)
	if err != nil {
		return err
	}
	if err := writeSVG(f, cfg, day, team, runs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// day is the start of the simulated day: midnight in the zone.
func (c config) day() time.Time { return time.Date(year, month, mday, 0, 0, 0, 0, c.zone) }

// plans draws the day's customers from the seed.
func (c config) plans() []plan {
	return traffic(rand.New(rand.NewPCG(c.seed, 0x5eed)), c.day(), c.tickets)
}

// simulateAll runs the plans under each policy. The runs share nothing but
// the plans, which they only read, so they run at once, each into its own
// place in the result.
func simulateAll(ctx context.Context, policies []Policy, plans []plan, team []string, day time.Time) ([]outcome, error) {
	runs := make([]outcome, len(policies))
	errs := make([]error, len(policies))
	var wg sync.WaitGroup
	for i, p := range policies {
		wg.Go(func() { runs[i], errs[i] = simulate(ctx, p, plans, team, day) })
	}
	wg.Wait()
	return runs, errors.Join(errs...)
}

// names are the team's first names, in the order agents join.
var names = []string{
	"Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon",
	"Kemi", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara",
	"Umar", "Vera", "Wes", "Xiu", "Yara", "Zane", "Aiko", "Bruno", "Cleo", "Dmitri",
	"Esme", "Femi", "Gita", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Milo", "Nia",
	"Omar", "Pia", "Raj", "Sofia", "Tomas", "Uma", "Viktor", "Wren", "Yusuf", "Zoe",
}

// teamNames names n agents: the names in turn, numbered from the second
// round on.
func teamNames(n int) []string {
	team := make([]string, n)
	for i := range team {
		team[i] = names[i%len(names)]
		if r := i / len(names); r > 0 {
			team[i] += fmt.Sprintf(" %d", r+1)
		}
	}
	return team
}
