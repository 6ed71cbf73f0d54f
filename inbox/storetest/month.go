package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// MonthDays is the span of [Month]'s history.
const MonthDays = 30

// monthStart is when [Month]'s history starts: a Monday, 10:00 UTC.
var monthStart = time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)

// Month fills inbox "month" of s with a month of work, for benchmarks of
// reports on every Store: the tickets arrive evenly over 30 days across the
// three channels, round robin
// hands them to ten agents, a tenth get a tag, 80% are answered a few
// minutes later and 60% closed within the hour, and agents come and go. The
// clock only moves forward. It returns the inbox, its owner, and the query
// of a report by day over the whole month.
func Month(tb testing.TB, s inbox.Store, tickets int) (*inbox.Inbox, inbox.Actor, inbox.ReportQuery) {
	tb.Helper()
	ctx := context.Background()
	clk := NewClock(monthStart)
	ib, err := inbox.New(s, "month", inbox.WithClock(clk))
	if err != nil {
		tb.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
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
	on := true
	_, err = ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{RoundRobin: &on, OfficeHours: weekdays(tb, time.UTC, 8, 20)})
	must(err)

	step := MonthDays * 24 * time.Hour / time.Duration(tickets)
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
	return ib, owner, inbox.ReportQuery{From: monthStart, To: monthStart.Add(MonthDays * 24 * time.Hour), Bucket: inbox.BucketDay}
}
