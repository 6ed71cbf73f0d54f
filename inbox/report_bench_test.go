package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/officehours"
)

// reportDays is the span of BenchmarkReport's history.
const reportDays = 30

// buildReportInbox fills an inbox over memstore with a month of work: the
// tickets arrive evenly over 30 days across the three channels, round robin
// hands them to ten agents, a tenth get a tag, 80% are answered a few
// minutes later and 60% closed within the hour, and agents come and go. The
// clock only moves forward.
func buildReportInbox(b *testing.B, tickets int) (*inbox.Inbox, inbox.Actor) {
	ctx := context.Background()
	clk := &testClock{t: start}
	ib, err := inbox.New(memstore.New(), "report", inbox.WithClock(clk))
	if err != nil {
		b.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	owner := inbox.Actor{ID: "owner", Role: inbox.Owner}
	must(ib.PutMember(ctx, inbox.Member{ID: owner.ID, Role: owner.Role}))
	agents := make([]inbox.Actor, 10)
	for i := range agents {
		agents[i] = inbox.Actor{ID: fmt.Sprintf("a%d", i), Role: inbox.Support}
		must(ib.PutMember(ctx, inbox.Member{ID: agents[i].ID, Name: fmt.Sprintf("Agent %d", i), Role: inbox.Support}))
		must(ib.SetPresence(ctx, agents[i], agents[i].ID, assign.Online))
	}
	var week officehours.Week
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []officehours.Span{{Start: officehours.At(8, 0), End: officehours.At(20, 0)}}
	}
	hours, err := officehours.New(time.UTC, week)
	must(err)
	on := true
	_, err = ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{RoundRobin: &on, OfficeHours: hours})
	must(err)

	step := reportDays * 24 * time.Hour / time.Duration(tickets)
	const replyLag, closeLag = 100, 1000 // in tickets received since
	for i := range tickets {
		var in channel.Inbound
		switch i % 3 {
		case 0:
			in = channel.Inbound{Kind: channel.WebChat, Body: "hi", WebChat: channel.WebChatFields{Visitor: "v", Conversation: fmt.Sprintf("c%d", i)}}
		case 1:
			in = channel.Inbound{Kind: channel.Email, Body: "hi", Email: channel.EmailFields{From: "a@example.com", MessageID: fmt.Sprintf("m%d@example.com", i)}}
		default:
			in = channel.Inbound{Kind: channel.SMS, Body: "hi", SMS: channel.SMSFields{From: fmt.Sprintf("+1555%07d", i), To: "+15550000000", MessageID: fmt.Sprintf("s%d", i)}}
		}
		r, err := ib.Receive(ctx, in)
		must(err)
		if i%10 == 0 {
			must(ib.AddTags(ctx, owner, r.Ticket, fmt.Sprintf("tag%d", i%70/10)))
		}
		if n := int64(i - replyLag + 1); n > 0 && n%5 != 0 {
			_, err := ib.Reply(ctx, owner, n, "on it", channel.Consent{SMSTransactional: true})
			must(err)
		}
		if n := int64(i - closeLag + 1); n > 0 && n%5 < 3 {
			must(ib.Close(ctx, owner, n))
		}
		if i%5000 == 0 { // an agent goes away for a while, another comes back
			a := agents[i/5000%len(agents)]
			must(ib.SetPresence(ctx, a, a.ID, assign.Presence(i/5000/len(agents)%2)))
		}
		clk.Add(step)
	}
	return ib, owner
}

// BenchmarkReport measures a 30-day report by day, with every section, over
// a month of tickets.
func BenchmarkReport(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			ib, owner := buildReportInbox(b, size.tickets)
			q := inbox.ReportQuery{From: start, To: start.Add(reportDays * 24 * time.Hour), Bucket: inbox.BucketDay}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r, err := ib.Report(ctx, owner, q)
				if err != nil || r.FirstResponse.Calendar.Count == 0 || len(r.Volume) != reportDays+1 { // from 10:00 on day 1 to 10:00 on day 31
					b.Fatal(err, r.FirstResponse, len(r.Volume))
				}
			}
		})
	}
}
