package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// reportInboxes numbers the inboxes of testReportRandom, one per case.
var reportInboxes atomic.Int64

// reportZones are where the random inboxes work, with a DST change near
// their start (none in Kolkata, and a half-hour offset).
var reportZones = []struct {
	name  string
	start time.Time // a Friday, two days before a DST change
}{
	{"America/New_York", time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC)},
	{"Europe/London", time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)},
	{"Asia/Kolkata", time.Date(2026, 3, 27, 2, 30, 0, 0, time.UTC)},
	{"UTC", time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)},
}

// testReportRandom drives an inbox through random days of work (arrivals
// on every channel, presence, assignment, replies, closes and reopens,
// tags, campaign texts) and compares its report over a random range and
// filters with a brute-force reference computed from the tickets and their
// histories: every business minute counted one by one, percentiles by
// sorting, fair shares ticket by ticket.
func testReportRandom(t *testing.T, st inbox.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		zone := rapid.SampledFrom(reportZones).Draw(rt, "zone")
		loc := mustLoad(zone.name)
		c := NewClock(zone.start)
		id := fmt.Sprintf("report-%d", reportInboxes.Add(1))
		ib, err := inbox.New(st, id, inbox.WithClock(c))
		ok(rt, err)
		owner := inbox.Actor{ID: "owner", Role: inbox.Owner}
		ok(rt, ib.PutMember(ctx, inbox.Member{ID: "owner", Name: "Owner", Role: inbox.Owner}))
		hours := weekdays(rt, loc, 9, 17)
		patch := inbox.SettingsPatch{RoundRobin: ptr(rapid.IntRange(0, 3).Draw(rt, "round robin") > 0),
			AssignWaiting: ptr(rapid.Bool().Draw(rt, "assign waiting"))}
		if rapid.Bool().Draw(rt, "office hours") {
			patch.OfficeHours = hours
		}
		_, err = ib.UpdateSettings(ctx, owner, patch)
		ok(rt, err)
		agents := []string{"owner"}
		for i := range rapid.IntRange(1, 3).Draw(rt, "agents") {
			m := inbox.Member{ID: fmt.Sprintf("a%d", i), Name: fmt.Sprintf("Agent %d", i), Role: inbox.Support}
			if rapid.Bool().Draw(rt, "own hours") {
				nineToFive := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
				own, err := officehours.New(loc, officehours.Week{time.Saturday: nineToFive, time.Sunday: nineToFive,
					time.Monday: {{Start: officehours.At(12, 0), End: officehours.At(20, 0)}}})
				ok(rt, err)
				m.Hours = own
			}
			ok(rt, ib.PutMember(ctx, m))
			if rapid.Bool().Draw(rt, "online from the start") {
				ok(rt, ib.SetPresence(ctx, inbox.Actor{ID: m.ID, Role: m.Role}, m.ID, assign.Online))
			}
			agents = append(agents, m.ID)
		}
		actor := func(id string) inbox.Actor {
			if id == "owner" {
				return owner
			}
			return inbox.Actor{ID: id, Role: inbox.Support}
		}
		var tickets []int64
		var emails []string
		phones := []string{"+15550000001", "+15550000002", "+15550000003"}
		msg := 0
		// Errors that the random calls may meet by the rules.
		allowed := func(err error) error {
			for _, e := range []error{inbox.ErrAlreadyAssigned, status.ErrInvalidTransition, inbox.ErrInvalid} {
				if errors.Is(err, e) {
					return nil
				}
			}
			return err
		}
		for range rapid.SampledFrom([]int{20, 40, 80}).Draw(rt, "steps") {
			c.Set(c.Now().Add(time.Duration(rapid.SampledFrom([]int{0, 1, 7, 30, 45, 90, 240, 600}).Draw(rt, "minutes")) * time.Minute))
			ok(rt, ib.Tick(ctx))
			pick := func(label string) int64 { return rapid.SampledFrom(tickets).Draw(rt, label) }
			agent := rapid.SampledFrom(agents).Draw(rt, "agent")
			msg++
			switch op := rapid.IntRange(0, 10).Draw(rt, "op"); {
			case op <= 2 || len(tickets) == 0:
				var in channel.Inbound
				switch rapid.IntRange(0, 2).Draw(rt, "channel") {
				case 0:
					in = channel.Inbound{Kind: channel.WebChat, Body: "hi", WebChat: channel.WebChatFields{
						Conversation: fmt.Sprintf("c%d", rapid.IntRange(0, msg).Draw(rt, "conversation")), Visitor: "v", MessageID: fmt.Sprintf("w%d", msg)}}
				case 1:
					in = channel.Inbound{Kind: channel.Email, Body: "hi", Email: channel.EmailFields{From: "a@example.com", MessageID: fmt.Sprintf("e%d@example.com", msg)}}
					if len(emails) > 0 && rapid.Bool().Draw(rt, "email reply") {
						in.Email.InReplyTo = []string{rapid.SampledFrom(emails).Draw(rt, "in reply to")}
					}
					emails = append(emails, in.Email.MessageID)
				default:
					in = channel.Inbound{Kind: channel.SMS, Body: "hi", SMS: channel.SMSFields{From: rapid.SampledFrom(phones).Draw(rt, "phone"),
						To: "+15559990000", MessageID: fmt.Sprintf("s%d", msg)}}
				}
				r, err := ib.Receive(ctx, in)
				ok(rt, err)
				if r.Ticket != 0 && !slices.Contains(tickets, r.Ticket) {
					tickets = append(tickets, r.Ticket)
				}
			case op == 3:
				p := assign.Presence(rapid.IntRange(int(assign.Offline), int(assign.Online)).Draw(rt, "presence"))
				ok(rt, ib.SetPresence(ctx, actor(agent), agent, p))
			case op == 4:
				ok(rt, allowed(ib.Assign(ctx, owner, agent, pick("assign"))))
			case op == 5:
				ok(rt, allowed(ib.Claim(ctx, actor(agent), pick("claim"))))
			case op == 6:
				_, err := ib.Reply(ctx, actor(agent), pick("reply"), "ok", channel.Consent{SMSTransactional: true})
				ok(rt, allowed(err))
			case op == 7:
				ok(rt, allowed(ib.Close(ctx, actor(agent), pick("close"))))
			case op == 8:
				ok(rt, allowed(ib.Reopen(ctx, actor(agent), pick("reopen"))))
			case op == 9:
				until := c.Now().Add(time.Duration(rapid.IntRange(1, 600).Draw(rt, "snooze minutes")) * time.Minute)
				ok(rt, allowed(ib.Snooze(ctx, actor(agent), pick("snooze"), until)))
			default:
				if rapid.Bool().Draw(rt, "tag or text") {
					ok(rt, ib.AddTags(ctx, actor(agent), pick("tag"), rapid.SampledFrom([]string{"billing", "vip"}).Draw(rt, "tag")))
				} else {
					ok(rt, ib.RecordSent(ctx, "sms:"+rapid.SampledFrom(phones).Draw(rt, "phone"), channel.Sent{
						ID: fmt.Sprintf("T%d", msg), Origin: rapid.SampledFrom([]channel.Origin{channel.Campaign, channel.Flow}).Draw(rt, "origin"), At: c.Now()}))
				}
			}
		}
		end := c.Now()
		span := int(end.Sub(zone.start)/time.Minute) + 60
		// Often the whole history, else a random part of it.
		from, length := zone.start.Add(-time.Hour), span+120
		if rapid.Bool().Draw(rt, "part") {
			from = zone.start.Add(time.Duration(rapid.IntRange(-60, span).Draw(rt, "from")) * time.Minute)
			length = rapid.IntRange(1, span+60).Draw(rt, "length")
		}
		q := inbox.ReportQuery{From: from, To: from.Add(time.Duration(length) * time.Minute),
			Bucket: rapid.SampledFrom([]inbox.Bucket{0, inbox.BucketHour, inbox.BucketDay, inbox.BucketWeek}).Draw(rt, "bucket")}
		if rapid.Bool().Draw(rt, "zone in the query") {
			q.Location = loc
		}
		if rapid.IntRange(0, 3).Draw(rt, "channel filter") == 0 {
			q.Channels = []channel.Kind{rapid.SampledFrom([]channel.Kind{channel.WebChat, channel.Email, channel.SMS}).Draw(rt, "channel")}
		}
		if rapid.IntRange(0, 3).Draw(rt, "tag filter") == 0 {
			q.Tags = []string{"billing"}
		}
		if rapid.IntRange(0, 3).Draw(rt, "agent filter") == 0 {
			q.Agents = []string{rapid.SampledFrom(agents).Draw(rt, "agent filter")}
		}
		got, err := ib.Report(ctx, owner, q)
		ok(rt, err)
		var want inbox.Report
		ok(rt, st.View(ctx, id, func(tx inbox.ReadTx) error {
			zone := time.UTC
			if q.Location != nil || patch.OfficeHours != nil {
				zone = loc
			}
			want = referenceReport(rt, tx, q, patch.OfficeHours, zone)
			return nil
		}))
		diffApprox(rt, want, got)
	})
}

// diffApprox compares reports, fair shares and the index to within
// rounding: the reference adds them up in another order.
func diffApprox(t fataler, want, got inbox.Report) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts, cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Fatalf("Report (-want +got):\n%s", d)
	}
}

// referenceReport computes the report of q the slow, obvious way.
func referenceReport(t *rapid.T, tx inbox.ReadTx, q inbox.ReportQuery, hours *officehours.Schedule, loc *time.Location) inbox.Report {
	if q.Bucket == 0 {
		q.Bucket = inbox.BucketDay
	}
	r := inbox.Report{From: q.From, To: q.To, Bucket: q.Bucket, Location: loc.String()}
	// Buckets: walk minute by minute, starting one where the wall clock
	// says a new hour, day or week begins.
	var starts []time.Time
	key := func(t time.Time) [4]int {
		w := t.In(loc)
		y, m, d := w.Date()
		_, off := w.Zone()
		switch q.Bucket {
		case inbox.BucketHour:
			return [4]int{y, int(m), d*100 + w.Hour(), off}
		case inbox.BucketWeek:
			monday := w.AddDate(0, 0, -((int(w.Weekday()) + 6) % 7))
			y, m, d = monday.Date()
		}
		return [4]int{y, int(m), d, 0}
	}
	first := q.From
	for k := key(first); key(first.Add(-time.Minute)) == k; first = first.Add(-time.Minute) {
	}
	for m := first; m.Before(q.To); m = m.Add(time.Minute) {
		if len(starts) == 0 || key(m) != key(starts[len(starts)-1]) {
			starts = append(starts, m)
		}
	}
	for _, s := range starts {
		r.Volume = append(r.Volume, inbox.Volume{Start: s, Channels: map[channel.Kind]inbox.Counts{channel.WebChat: {}, channel.Email: {}, channel.SMS: {}}})
	}
	bump := func(at time.Time, k channel.Kind, f func(*inbox.Counts)) {
		i := len(starts) - 1
		for starts[i].After(at) {
			i--
		}
		c := r.Volume[i].Channels[k]
		f(&c)
		r.Volume[i].Channels[k] = c
		f(&r.Volume[i].Total)
	}
	business := func(from, to time.Time) time.Duration {
		if hours == nil {
			return to.Sub(from)
		}
		var d time.Duration
		for m := from; m.Before(to); m = m.Add(time.Minute) {
			if hours.IsOpen(m) {
				d += time.Minute
			}
		}
		return d
	}
	inRange := func(at time.Time) bool { return !at.Before(q.From) && at.Before(q.To) }

	members := try(tx.Members()).must(t)
	type acc struct {
		fr, res         [2][]time.Duration
		frOpen, resOpen int
	}
	agentRows := map[string]*inbox.AgentStats{}
	agentAcc := map[string]*acc{}
	row := func(id string) *inbox.AgentStats {
		if agentRows[id] == nil {
			a := &inbox.AgentStats{Breakdown: inbox.Breakdown{Key: id}}
			for _, m := range members {
				if m.ID == id {
					a.Name = m.Name
				}
			}
			agentRows[id], agentAcc[id] = a, &acc{}
		}
		return agentRows[id]
	}
	for _, m := range members {
		row(m.ID)
	}
	tagRows, tagAcc := map[string]*inbox.Breakdown{}, map[string]*acc{}
	var all [3]acc // first response, first close, last close
	attrib := map[inbox.Attributed]int{}
	type auto struct {
		e     inbox.Event
		agent string
	}
	var autos []auto
	outbox := try(tx.Outbox(0, math.MaxInt32)).must(t)
	for n := int64(1); ; n++ {
		tk, err := tx.Ticket(n)
		if errors.Is(err, inbox.ErrNotFound) {
			break
		}
		ok(t, err)
		keep := (len(q.Channels) == 0 || slices.Contains(q.Channels, tk.Channel)) &&
			(len(q.Agents) == 0 || slices.Contains(q.Agents, tk.Assignee))
		for _, tag := range q.Tags {
			keep = keep && slices.Contains(tk.Tags, tag)
		}
		if !keep {
			continue
		}
		// The report concerns the tickets created in the range, or with a
		// message, an assignment or a status change in it.
		history := try(tx.History(n)).must(t)
		concerned := inRange(tk.CreatedAt)
		for _, e := range history {
			concerned = concerned || inRange(e.At) && slices.Contains([]inbox.EventType{inbox.MessageReceived, inbox.ReplySent,
				inbox.TicketAssigned, inbox.TicketUnassigned, inbox.StatusChanged}, e.Type)
		}
		if !concerned {
			continue
		}
		var rows []*inbox.Breakdown
		for _, tag := range tk.Tags {
			if tagRows[tag] == nil {
				tagRows[tag], tagAcc[tag] = &inbox.Breakdown{Key: tag}, &acc{}
			}
			rows = append(rows, tagRows[tag])
		}
		var firstReply, firstClose, lastClose time.Time
		var replier, assignee, resolver string
		closed := false
		var repliers []string
		for _, e := range history {
			if !e.At.Before(q.To) {
				break
			}
			if e.At.Before(q.From) {
				if e.Type == inbox.TicketAssigned {
					assignee = e.Assignee
				}
				if e.Type == inbox.TicketUnassigned {
					assignee = ""
				}
				continue
			}
			switch e.Type {
			case inbox.TicketCreated:
				bump(e.At, tk.Channel, func(c *inbox.Counts) { c.Created++ })
			case inbox.StatusChanged:
				if e.To == status.Closed {
					bump(e.At, tk.Channel, func(c *inbox.Counts) { c.Closed++ })
					if e.Actor != "" {
						row(e.Actor).Closed++
					}
					for _, b := range rows {
						b.Closed++
					}
					if firstClose.IsZero() {
						firstClose = e.At
					}
					lastClose, resolver = e.At, assignee
					if resolver == "" {
						resolver = e.Actor
					}
				} else if e.From == status.Closed {
					bump(e.At, tk.Channel, func(c *inbox.Counts) { c.Reopened++ })
				}
				closed = e.To == status.Closed
			case inbox.TicketAssigned:
				assignee = e.Assignee
				if e.Decision != nil {
					row(e.Assignee).AutoAssigned++
					for _, b := range rows {
						b.AutoAssigned++
					}
					autos = append(autos, auto{e, e.Assignee})
				} else {
					row(e.Assignee).ManualAssigned++
					for _, b := range rows {
						b.ManualAssigned++
					}
				}
			case inbox.TicketUnassigned:
				assignee = ""
			case inbox.ReplySent:
				if e.Actor == "" || e.Message.Automatic {
					continue
				}
				if firstReply.IsZero() {
					firstReply, replier = e.At, e.Actor
				}
				if !slices.Contains(repliers, e.Actor) {
					repliers = append(repliers, e.Actor)
					row(e.Actor).Replied++
				}
			case inbox.MessageReceived:
				if a := e.Message.Attribution; a != nil {
					attrib[inbox.Attributed{Origin: a.Origin, ID: a.ID}]++
				}
			}
		}
		if len(repliers) > 0 {
			for _, b := range rows {
				b.Replied++
			}
		}
		if !inRange(tk.CreatedAt) {
			continue
		}
		if !closed {
			lastClose = time.Time{}
		}
		for i, m := range []struct {
			end time.Time
			who string
		}{{firstReply, replier}, {firstClose, ""}, {lastClose, resolver}} {
			if m.end.IsZero() {
				m.who = assignee
			}
			targets := []*acc{&all[i]}
			if i != 1 {
				if m.who != "" {
					row(m.who)
					targets = append(targets, agentAcc[m.who])
				}
				for _, tag := range tk.Tags {
					targets = append(targets, tagAcc[tag])
				}
			}
			for _, a := range targets {
				list, open := &a.fr, &a.frOpen
				if i != 0 {
					list, open = &a.res, &a.resOpen
				}
				if m.end.IsZero() {
					*open++
				} else {
					list[0] = append(list[0], m.end.Sub(tk.CreatedAt))
					list[1] = append(list[1], business(tk.CreatedAt, m.end))
				}
			}
		}
	}
	stats := func(ds []time.Duration, open int) inbox.Durations {
		out := inbox.Durations{Count: len(ds), Open: open}
		if len(ds) == 0 {
			return out
		}
		ds = slices.Clone(ds)
		slices.Sort(ds)
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		rank := func(p float64) time.Duration { return ds[int(math.Ceil(p*float64(len(ds))/100))-1] }
		out.Mean, out.Median, out.P90 = sum/time.Duration(len(ds)), rank(50), rank(90)
		return out
	}
	times := func(ds [2][]time.Duration, open int) inbox.Times {
		return inbox.Times{Calendar: stats(ds[0], open), Business: stats(ds[1], open)}
	}
	r.FirstResponse = times(all[0].fr, all[0].frOpen)
	r.FirstResolution = times(all[1].res, all[1].resOpen)
	r.LastResolution = times(all[2].res, all[2].resOpen)

	// Fair shares: each automatic assignment, 1/n to each of the n agents
	// online (by the presence changes before it) and in their hours.
	for _, a := range autos {
		var eligible []string
		for _, m := range members {
			online := false
			for _, e := range outbox {
				if e.Type == inbox.PresenceChanged && e.Assignee == m.ID && e.Seq < a.e.Seq {
					online = *e.Presence == assign.Online
				}
			}
			if online && (m.Hours == nil || m.Hours.IsOpen(a.e.At)) {
				eligible = append(eligible, m.ID)
			}
		}
		if !slices.Contains(eligible, a.agent) {
			eligible = append(eligible, a.agent)
		}
		for _, id := range eligible {
			row(id).FairShare += 1 / float64(len(eligible))
		}
	}
	var sum, squares float64
	n := 0
	for id, a := range agentRows {
		if len(q.Agents) > 0 && !slices.Contains(q.Agents, id) {
			continue
		}
		a.FirstResponse, a.Resolution = times(agentAcc[id].fr, agentAcc[id].frOpen), times(agentAcc[id].res, agentAcc[id].resOpen)
		r.Agents = append(r.Agents, *a)
		if a.FairShare > 0 {
			x := float64(a.AutoAssigned) / a.FairShare
			sum, squares, n = sum+x, squares+x*x, n+1
		}
	}
	if n > 0 && len(autos) > 0 && squares > 0 {
		r.Fairness = sum * sum / (float64(n) * squares)
	}
	slices.SortFunc(r.Agents, func(x, y inbox.AgentStats) int { return cmpStrings(x.Key, y.Key) })
	for tag, b := range tagRows {
		b.FirstResponse, b.Resolution = times(tagAcc[tag].fr, tagAcc[tag].frOpen), times(tagAcc[tag].res, tagAcc[tag].resOpen)
		r.Tags = append(r.Tags, *b)
	}
	slices.SortFunc(r.Tags, func(x, y inbox.Breakdown) int { return cmpStrings(x.Key, y.Key) })
	for a, n := range attrib {
		a.Replies = n
		r.Attribution = append(r.Attribution, a)
	}
	slices.SortFunc(r.Attribution, func(x, y inbox.Attributed) int {
		if x.Origin != y.Origin {
			return int(x.Origin) - int(y.Origin)
		}
		return cmpStrings(x.ID, y.ID)
	})
	return r
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
