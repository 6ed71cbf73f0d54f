package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// writeText writes the comparison of the runs: the day's traffic, the team,
// one column per policy, and the tickets per agent.
func writeText(w io.Writer, cfg config, day time.Time, plans []plan, team []string, runs []outcome) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "A day of support traffic through routedesk's inbox (seed %d)\n", cfg.seed)
	fmt.Fprintf(bw, "%s in %s; office hours Mon–Fri %02d:00–%02d:00; the host calls Tick every %s\n",
		day.Format("Mon 2 Jan 2006"), day.Location(), openHour, closeHour, fmtDur(tickEvery))
	writeTraffic(bw, plans)
	writeTeam(bw, team)

	fmt.Fprintf(bw, "\nPolicies compared: times over all the tickets; in business hours, only office hours count\n")
	rows := [][]string{header("", runs)}
	row := func(label string, f func(o outcome) string) {
		r := []string{label}
		for _, o := range runs {
			r = append(r, f(o))
		}
		rows = append(rows, r)
	}
	count := func(label string, f func(inbox.Report) int) {
		row(label, func(o outcome) string { return fmt.Sprint(f(o.report)) })
	}
	times := func(label string, f func(inbox.Report) inbox.Times) {
		row(label+", median", func(o outcome) string { return fmtDur(f(o.report).Calendar.Median) })
		row(label+", p90", func(o outcome) string { return fmtDur(f(o.report).Calendar.P90) })
		row("  in business hours, median", func(o outcome) string { return fmtDur(f(o.report).Business.Median) })
		row("  in business hours, p90", func(o outcome) string { return fmtDur(f(o.report).Business.P90) })
	}
	count("tickets created", func(r inbox.Report) int { return volume(r).Created })
	count("reopened", func(r inbox.Report) int { return volume(r).Reopened })
	count("assigned by round robin", func(r inbox.Report) int { return assigned(r, true) })
	count("claimed by agents", func(r inbox.Report) int { return assigned(r, false) })
	row("fairness (Jain's index)", func(o outcome) string { return fmtFairness(o.report.Fairness) })
	times("first response", func(r inbox.Report) inbox.Times { return r.FirstResponse })
	times("resolution", func(r inbox.Report) inbox.Times { return r.LastResolution })
	count("still open at the end", func(r inbox.Report) int { return r.LastResolution.Calendar.Open })
	row("waited in Unassigned", func(o outcome) string { return fmt.Sprint(len(o.waits)) })
	row("  wait, median", func(o outcome) string { return fmtDur(percentile(o.waits, 0.5)) })
	row("  wait, p90", func(o outcome) string { return fmtDur(percentile(o.waits, 0.9)) })
	row("  wait, longest", func(o outcome) string { return fmtDur(percentile(o.waits, 1)) })
	row("  still unassigned at the end", func(o outcome) string { return fmt.Sprint(o.still) })
	row("last ticket closed", func(o outcome) string { return o.end.Format("Mon 15:04") })
	table(bw, rows)

	fmt.Fprintf(bw, "\nTickets assigned per agent, by round robin and claims\n")
	rows = [][]string{header("agent", runs)}
	for _, name := range team {
		rows = append(rows, []string{name})
	}
	for _, o := range runs {
		for i, n := range perAgent(o.report, len(team)) {
			rows[i+1] = append(rows[i+1], fmt.Sprint(n))
		}
	}
	table(bw, rows)
	return bw.Flush()
}

// volume adds up a report's volume.
func volume(r inbox.Report) inbox.Counts {
	var c inbox.Counts
	for _, v := range r.Volume {
		c.Created += v.Total.Created
		c.Reopened += v.Total.Reopened
		c.Closed += v.Total.Closed
	}
	return c
}

// assigned adds up the agents' automatic (auto) or manual assignments.
func assigned(r inbox.Report, auto bool) int {
	n := 0
	for _, a := range r.Agents {
		if auto {
			n += a.AutoAssigned
		} else {
			n += a.ManualAssigned
		}
	}
	return n
}

// perAgent returns the assignments of each of n agents, in the team's
// order, from the report's rows.
func perAgent(r inbox.Report, n int) []int {
	index := map[string]int{}
	for i := range n {
		index[agentID(i)] = i
	}
	counts := make([]int, n)
	for _, a := range r.Agents {
		if i, ok := index[a.Key]; ok {
			counts[i] = a.AutoAssigned + a.ManualAssigned
		}
	}
	return counts
}

// fmtFairness writes Jain's index, or a dash when nothing was assigned
// automatically.
func fmtFairness(f float64) string {
	if f == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", f)
}

// writeTraffic writes the day's tickets by channel and by hour.
func writeTraffic(w io.Writer, plans []plan) {
	kinds := []channel.Kind{channel.WebChat, channel.Email, channel.SMS}
	var byHour [24][3]int
	var further, comebacks int
	for _, p := range plans {
		byHour[p.at.Hour()][slices.Index(kinds, p.kind)]++
		further += len(p.msgs) - 1
		if p.msgs[len(p.msgs)-1].reopens {
			comebacks++
		}
	}
	total := [3]int{}
	rows := [][]string{{"hour", "web chat", "email", "SMS", "all"}}
	for h, counts := range byHour {
		r := []string{fmt.Sprintf("%02d:00", h)}
		for k, n := range counts {
			r = append(r, fmt.Sprint(n))
			total[k] += n
		}
		rows = append(rows, append(r, fmt.Sprint(counts[0]+counts[1]+counts[2])))
	}
	fmt.Fprintf(w, "%d tickets: %d web chat, %d email, %d SMS; %d further messages; %d customers come back after the close\n",
		len(plans), total[0], total[1], total[2], further, comebacks)
	fmt.Fprintf(w, "\nNew tickets by hour\n")
	table(w, rows)
}

// writeTeam describes the team's shifts.
func writeTeam(w io.Writer, team []string) {
	var starts []string
	for s, h := range shiftStarts {
		n := 0
		for i := range team {
			if i%len(shiftStarts) == s {
				n++
			}
		}
		starts = append(starts, fmt.Sprintf("%02d:00 (%d)", h, n))
	}
	fmt.Fprintf(w, "\n%d agents: shifts of %s on weekdays from %s, a break of %s each; %d replies at a time\n",
		len(team), fmtDur(shiftLen), strings.Join(starts, ", "), fmtDur(breakLen), slots)
}

// header is a table's first row: label, then the policies.
func header(label string, runs []outcome) []string {
	r := []string{label}
	for _, o := range runs {
		r = append(r, o.policy.String())
	}
	return r
}

// table writes rows in columns: the first left-aligned, the others
// right-aligned, two spaces apart.
func table(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// percentile returns the nearest-rank p-quantile of xs (0 < p ≤ 1), or 0 for
// none.
func percentile[T cmp.Ordered](xs []T, p float64) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(math.Ceil(float64(len(s))*p)) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// fmtDur writes a duration in at most two units: 45s, 3m07s, 8h, 2h05m, 1d04h.
func fmtDur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return twoUnits(d, time.Minute, time.Second, "%dm", "%02ds")
	case d < 24*time.Hour:
		return twoUnits(d, time.Hour, time.Minute, "%dh", "%02dm")
	}
	return twoUnits(d, 24*time.Hour, time.Hour, "%dd", "%02dh")
}

// twoUnits writes d in a big unit and a small one, leaving out a small part
// of 0.
func twoUnits(d, big, small time.Duration, bigFormat, smallFormat string) string {
	s := fmt.Sprintf(bigFormat, d/big)
	if rest := d % big / small; rest > 0 {
		s += fmt.Sprintf(smallFormat, rest)
	}
	return s
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
