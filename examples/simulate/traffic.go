package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/routedesk/routedesk/channel"
)

// A plan is what one customer does: when they first write, on which channel,
// and how the conversation goes. Every random draw of the simulation is made
// here, before any policy runs, so that the policies are compared on the same
// customers asking the same things, answered with the same effort.
type plan struct {
	at   time.Time
	kind channel.Kind
	// msgs are the customer's messages, the first at at. Each further one
	// comes a while after the agent's reply to the one before.
	msgs []message
}

// message is one message of a customer and the work of answering it.
type message struct {
	after   time.Duration // after the agent's reply to the previous message; 0 for the first
	work    time.Duration // how long the agent takes to write the answer
	reopens bool          // the ticket was closed before it: the customer came back
}

// lognormal is a distribution of durations: median times e to the power of a
// normal variable with standard deviation sigma, kept within [lo, hi].
type lognormal struct {
	median time.Duration
	sigma  float64
	lo, hi time.Duration
}

func (l lognormal) draw(r *rand.Rand) time.Duration {
	d := time.Duration(float64(l.median) * math.Exp(l.sigma*r.NormFloat64()))
	return min(max(d, l.lo), l.hi).Round(time.Second)
}

// channelModel is how the customers of one channel behave.
type channelModel struct {
	kind  channel.Kind
	share float64 // of all tickets
	// hourly are relative arrival rates by hour of the day, local time.
	hourly [24]float64
	more   float64 // chance that the customer writes again after a reply
	reply  lognormal
	work   lognormal
	// comeback is the chance that the customer writes again after the
	// ticket was closed, reopening it; back is how long after.
	comeback float64
	back     lognormal
}

// maxMessages caps a conversation's length.
const maxMessages = 8

// channels are the three channels' customers. Web chat peaks in the working
// day and its visitors answer within minutes; email comes around the clock
// and its customers answer within hours; texts peak in the evening. A web
// chat visitor who comes back after the close starts a new conversation
// (closed web chat tickets never reopen), so only email and SMS reopen.
var channels = []channelModel{
	{
		kind: channel.WebChat, share: 0.5,
		hourly: [24]float64{1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 20, 18, 19, 20, 19, 16, 12, 8, 6, 5, 4, 3, 2},
		more:   0.5,
		reply:  lognormal{median: 90 * time.Second, sigma: 0.6, lo: 10 * time.Second, hi: 20 * time.Minute},
		work:   lognormal{median: 2 * time.Minute, sigma: 0.5, lo: 15 * time.Second, hi: 30 * time.Minute},
	},
	{
		kind: channel.Email, share: 0.35,
		hourly:   [24]float64{3, 2, 2, 2, 2, 3, 5, 8, 11, 12, 12, 11, 10, 11, 11, 10, 9, 8, 7, 6, 6, 5, 4, 4},
		more:     0.35,
		reply:    lognormal{median: 90 * time.Minute, sigma: 1, lo: 5 * time.Minute, hi: 48 * time.Hour},
		work:     lognormal{median: 5 * time.Minute, sigma: 0.6, lo: 30 * time.Second, hi: time.Hour},
		comeback: 0.05,
		back:     lognormal{median: 20 * time.Hour, sigma: 0.8, lo: time.Hour, hi: 72 * time.Hour},
	},
	{
		kind: channel.SMS, share: 0.15,
		hourly:   [24]float64{1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 5, 6, 7, 8, 8, 8, 8, 8, 9, 10, 10, 10, 9, 7, 4, 2},
		more:     0.45,
		reply:    lognormal{median: 8 * time.Minute, sigma: 0.9, lo: 30 * time.Second, hi: 12 * time.Hour},
		work:     lognormal{median: 3 * time.Minute, sigma: 0.5, lo: 15 * time.Second, hi: 30 * time.Minute},
		comeback: 0.05,
		back:     lognormal{median: 6 * time.Hour, sigma: 0.8, lo: 30 * time.Minute, hi: 72 * time.Hour},
	},
}

// traffic draws the day's customers, in the order they first write: n
// tickets on the day that starts at day (midnight, in its location).
func traffic(r *rand.Rand, day time.Time, n int) []plan {
	// One cell per (channel, hour), weighted by the channel's share of the
	// day and the hour's share of the channel.
	var cells []float64 // cumulative weights
	total := 0.0
	for _, c := range channels {
		sum := 0.0
		for _, w := range c.hourly {
			sum += w
		}
		for _, w := range c.hourly {
			total += c.share * w / sum
			cells = append(cells, total)
		}
	}
	plans := make([]plan, n)
	for i := range plans {
		cell := min(sort.SearchFloat64s(cells, r.Float64()*total), len(cells)-1)
		c := channels[cell/24]
		hour := time.Date(day.Year(), day.Month(), day.Day(), cell%24, 0, 0, 0, day.Location())
		plans[i] = plan{at: hour.Add(time.Duration(r.IntN(3600)) * time.Second), kind: c.kind}
	}
	slices.SortStableFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })
	for i := range plans {
		plans[i].msgs = conversation(r, modelOf(plans[i].kind))
	}
	return plans
}

// conversation draws one customer's messages on channel c.
func conversation(r *rand.Rand, c channelModel) []message {
	msgs := []message{{work: c.work.draw(r)}}
	for len(msgs) < maxMessages-1 && r.Float64() < c.more {
		msgs = append(msgs, message{after: c.reply.draw(r), work: c.work.draw(r)})
	}
	if r.Float64() < c.comeback {
		msgs = append(msgs, message{after: c.back.draw(r), work: c.work.draw(r), reopens: true})
	}
	return msgs
}

func modelOf(k channel.Kind) channelModel {
	i := slices.IndexFunc(channels, func(c channelModel) bool { return c.kind == k })
	return channels[i]
}
