package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// The chart's geometry, in pixels.
const (
	barStep   = 8   // from one hour's bar to the next
	barWidth  = 6   //
	rowHeight = 30  // one agent
	barMax    = 22  // the tallest bar
	nameWidth = 110 // the agents' names on the left
	colGap    = 44  // between policies, where each row's total goes
	// A column is wide enough for its policy's caption, and the chart for
	// its title lines, however few hours the day had.
	minColWidth = 190
	minWidth    = 960
	top         = 118 // title, legend and the policies' names
	bottom      = 56  // hour labels and the axis title
)

// palette colours the policies' bars (Tableau 10).
var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"}

// writeSVG draws the tickets assigned to each agent in each hour, as small
// multiples: one row per agent, one column per policy, one bar per hour, all
// on the same scale. Hours when no policy assigned anything (nights,
// weekends) are left out, and a dashed line marks each gap.
func writeSVG(w io.Writer, cfg config, day time.Time, team []string, runs []outcome) error {
	hours := chartHours(runs)
	scale := chartScale(runs)
	colWidth := max(len(hours)*barStep+colGap, minColWidth)
	width := max(nameWidth+len(runs)*colWidth+10, minWidth)
	height := top + len(team)*rowHeight + bottom
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n", width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	p(`<text x="16" y="30" font-size="20" font-weight="bold">Tickets assigned per agent per hour</text>` + "\n")
	p(`<text x="16" y="52" font-size="13" fill="#444">%s, %s: %d tickets, %d agents, seed %d. Round robin and claims both count.</text>`+"\n",
		esc(day.Format("Mon 2 Jan 2006")), esc(day.Location().String()), cfg.tickets, len(team), cfg.seed)
	p(`<text x="16" y="72" font-size="13" fill="#444">Bar height: tickets in the hour, on one scale up to %d; a taller bar is cut and labelled. Hours with nothing assigned are left out.</text>`+"\n", scale)

	for c, o := range runs {
		x0 := nameWidth + c*colWidth
		colour := palette[c%len(palette)]
		p(`<text x="%d" y="%d" font-size="15" font-weight="bold" fill="%s">%s</text>`+"\n", x0, top-26, colour, esc(o.policy.String()))
		p(`<text x="%d" y="%d" font-size="11" fill="#666">assigned %d, fairness %s</text>`+"\n", x0, top-10, assigned(o.report, true)+assigned(o.report, false), fmtFairness(o.report.Fairness))
		for i := 1; i < len(hours); i++ {
			if hours[i] != hours[i-1]+1 {
				x := x0 + i*barStep - 1
				p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#bbb" stroke-dasharray="3,3"/>`+"\n", x, top-4, x, top+len(team)*rowHeight)
			}
		}
		for a, name := range team {
			base := top + (a+1)*rowHeight - 4
			p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>`+"\n", x0, base, x0+len(hours)*barStep, base)
			for i, h := range hours {
				n := at(o.hourly[a], h)
				if n == 0 {
					continue
				}
				bh := max(1, min(n, scale)*barMax/scale)
				if n > scale {
					p(`<text x="%d" y="%d" font-size="10" font-weight="bold" fill="#222">%d</text>`+"\n", x0+i*barStep+barWidth+2, base-barMax+8, n)
				}
				p(`<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="%s" data-policy="%s" data-agent="%s" data-hour="%d" data-tickets="%d"><title>%s, %s, %s: %d</title></rect>`+"\n",
					x0+i*barStep, base-bh, barWidth, bh, colour, esc(o.policy.String()), esc(name), h, n,
					esc(name), esc(o.policy.String()), esc(hourLabel(day, h, true)), n)
			}
			p(`<text x="%d" y="%d" font-size="11" fill="#666">%d</text>`+"\n", x0+len(hours)*barStep+4, base, sum(o.hourly[a]))
		}
		// Hour labels: every other hour, and the first after a gap with its day.
		for i, h := range hours {
			gap := i == 0 || hours[i-1] != h-1
			if !gap && h%2 != 0 {
				continue
			}
			y := top + len(team)*rowHeight + 12
			p(`<text x="%d" y="%d" font-size="10" fill="#444" text-anchor="start" transform="rotate(60 %d %d)">%s</text>`+"\n",
				x0+i*barStep, y, x0+i*barStep, y, esc(hourLabel(day, h, gap)))
		}
	}
	for a, name := range team {
		if a%2 == 1 {
			p(`<rect x="0" y="%d" width="%d" height="%d" fill="#f4f4f4" fill-opacity="0.6"/>`+"\n", top+a*rowHeight, nameWidth-6, rowHeight)
		}
		p(`<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`+"\n", nameWidth-12, top+(a+1)*rowHeight-8, esc(name))
	}
	p(`<text x="%d" y="%d" font-size="12" fill="#444">hour of assignment (%s)</text>`+"\n", nameWidth, height-6, esc(day.Location().String()))
	p("</svg>\n")
	return bw.Flush()
}

// chartHours are the hours, counted from the start of the day, in which any
// run assigned a ticket, in order.
func chartHours(runs []outcome) []int {
	var seen []bool
	for _, o := range runs {
		for _, h := range o.hourly {
			for i, n := range h {
				for len(seen) <= i {
					seen = append(seen, false)
				}
				seen[i] = seen[i] || n > 0
			}
		}
	}
	var hours []int
	for h, ok := range seen {
		if ok {
			hours = append(hours, h)
		}
	}
	return hours
}

// chartScale is the count a full-height bar stands for: the 99th
// percentile of the non-empty hours, so that one outlier does not flatten
// every other bar.
func chartScale(runs []outcome) int {
	var counts []int
	for _, o := range runs {
		for _, h := range o.hourly {
			for _, n := range h {
				if n > 0 {
					counts = append(counts, n)
				}
			}
		}
	}
	return max(1, percentile(counts, 0.99))
}

// hourLabel names hour h after day's start in local time, such as "14" or,
// with the day, "Tue 08".
func hourLabel(day time.Time, h int, withDay bool) string {
	t := day.Add(time.Duration(h) * time.Hour)
	if withDay {
		return t.Format("Mon 15")
	}
	return t.Format("15")
}

// at returns xs[i], or 0 past its end.
func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// esc escapes s for XML text and attributes.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
