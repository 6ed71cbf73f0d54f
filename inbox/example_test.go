package inbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
	"github.com/routedesk/routedesk/officehours"
)

// The whole flow: members, presence, round robin, a claim, views.
func Example() {
	ctx := context.Background()
	clk := storetest.NewClock(time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC))
	ib, _ := inbox.New(memstore.New(), "acme", inbox.WithClock(clk))

	owner := inbox.Actor{ID: "dana", Role: inbox.Owner}
	ali := inbox.Actor{ID: "ali", Role: inbox.Support}
	_ = ib.PutMember(ctx, inbox.Member{ID: "dana", Name: "Dana", Role: inbox.Owner})
	_ = ib.PutMember(ctx, inbox.Member{ID: "ali", Name: "Ali", Role: inbox.Support})
	on := true
	_, _ = ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{RoundRobin: &on})

	// Nobody is online: the first ticket waits in Unassigned.
	r, _ := ib.Receive(ctx, channel.Inbound{Kind: channel.SMS, Body: "Hi!",
		SMS: channel.SMSFields{From: "+15550102000", To: "+15550100000", MessageID: "SM1"}})
	fmt.Println(r.Action, r.Ticket, r.Decision.Reason())

	// Ali goes online; the next ticket is his.
	_ = ib.SetPresence(ctx, ali, "ali", assign.Online)
	r, _ = ib.Receive(ctx, channel.Inbound{Kind: channel.WebChat, Body: "Hello",
		WebChat: channel.WebChatFields{Conversation: "c1", Visitor: "v1"}})
	fmt.Println(r.Action, r.Ticket, r.Decision.Agent, "-", r.Decision.Reason())

	// Dana claims the waiting one.
	_ = ib.Claim(ctx, owner, 1)
	for _, v := range []inbox.View{inbox.Mine, inbox.Unassigned} {
		p, _ := ib.Tickets(ctx, owner, inbox.Query{View: v})
		fmt.Println("view", v, "has", p.Total)
	}
	// Output:
	// new 1 no eligible agent: 2 offline
	// new 2 ali - round robin: least recently assigned of 1 eligible; 1 offline
	// view mine has 1
	// view unassigned has 0
}

// The SMS auto-responder tells a customer who has not consented to SMS how
// to reach the team, once per cool-down.
func ExampleSMSAutoReply() {
	ctx := context.Background()
	clk := storetest.NewClock(time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC))
	sent := inbox.NotifierFunc(func(_ context.Context, e inbox.Event) error {
		if e.Type == inbox.ReplySent && e.Message.Automatic {
			fmt.Printf("to ticket %d: %s\n", e.Message.Ticket, e.Message.Body)
		}
		return nil
	})
	ib, _ := inbox.New(memstore.New(), "acme", inbox.WithClock(clk), inbox.WithNotifier(sent))
	owner := inbox.Actor{ID: "dana", Role: inbox.Owner}
	prefix, email := "Acme", "help@acme.example"
	_, err := ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{OrganizationPrefix: &prefix, SupportEmail: &email,
		SMSAutoReply: &inbox.SMSAutoReply{On: true, Template: "{{organization_prefix}}: we can't reply by SMS until you opt in. Write to {{email}}."}})
	if err != nil {
		fmt.Println(err)
	}
	text := func(id, body string) channel.Inbound {
		return channel.Inbound{Kind: channel.SMS, Body: body, SMS: channel.SMSFields{From: "+15550102000", To: "+15550100000", MessageID: id}}
	}
	_, _ = ib.Receive(ctx, text("SM1", "Is my order shipped?"))
	_, _ = ib.Receive(ctx, text("SM2", "Hello??")) // within the cool-down: no second auto-reply
	_, _ = ib.Deliver(ctx)
	// Output:
	// to ticket 1: Acme: we can't reply by SMS until you opt in. Write to help@acme.example.
}

// A day's report: volume per channel, first response and resolution in
// calendar time and in business hours, and the agents' rows.
func ExampleInbox_Report() {
	ctx := context.Background()
	newYork, _ := time.LoadLocation("America/New_York")
	clk := storetest.NewClock(time.Date(2026, 11, 16, 8, 30, 0, 0, newYork)) // a Monday
	ib, _ := inbox.New(memstore.New(), "acme", inbox.WithClock(clk))
	owner := inbox.Actor{ID: "dana", Role: inbox.Owner}
	ali := inbox.Actor{ID: "ali", Role: inbox.Support}
	_ = ib.PutMember(ctx, inbox.Member{ID: "dana", Name: "Dana", Role: inbox.Owner})
	_ = ib.PutMember(ctx, inbox.Member{ID: "ali", Name: "Ali", Role: inbox.Support})
	var week officehours.Week
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
	}
	hours, _ := officehours.New(newYork, week)
	on := true
	_, _ = ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{RoundRobin: &on, OfficeHours: hours})
	_ = ib.SetPresence(ctx, ali, "ali", assign.Online)

	// 8:30, before opening: a chat waits; Ali takes it at 9:00 and answers
	// at 9:10, closing it at 9:40.
	_, _ = ib.Receive(ctx, channel.Inbound{Kind: channel.WebChat, Body: "Hi",
		WebChat: channel.WebChatFields{Conversation: "c1", Visitor: "v1"}})
	clk.Add(30 * time.Minute)
	_ = ib.Claim(ctx, ali, 1)
	clk.Add(10 * time.Minute)
	_, _ = ib.Reply(ctx, ali, 1, "Hello!", channel.Consent{})
	clk.Add(30 * time.Minute)
	_ = ib.Close(ctx, ali, 1)
	// 10:00: an email, assigned by round robin, still unanswered at 17:00.
	clk.Add(20 * time.Minute)
	_, _ = ib.Receive(ctx, channel.Inbound{Kind: channel.Email, Body: "Invoice?",
		Email: channel.EmailFields{From: "a@example.com", MessageID: "m1@example.com", Subject: "Invoice"}})

	day := time.Date(2026, 11, 16, 0, 0, 0, 0, newYork)
	r, _ := ib.Report(ctx, owner, inbox.ReportQuery{From: day, To: day.AddDate(0, 0, 1)})
	v := r.Volume[0]
	fmt.Println(v.Start.Format("Mon 2 Jan"), "created", v.Total.Created, "closed", v.Total.Closed)
	fr := r.FirstResponse
	fmt.Println("first response: median", fr.Calendar.Median, "in business hours", fr.Business.Median, "waiting", fr.Calendar.Open)
	fmt.Println("resolution: median", r.LastResolution.Calendar.Median, "in business hours", r.LastResolution.Business.Median)
	for _, a := range r.Agents {
		fmt.Printf("%s: %d by round robin, %d replied, %d closed\n", a.Name, a.AutoAssigned, a.Replied, a.Closed)
	}
	// Output:
	// Mon 16 Nov created 2 closed 1
	// first response: median 40m0s in business hours 10m0s waiting 1
	// resolution: median 1h10m0s in business hours 40m0s
	// Ali: 1 by round robin, 1 replied, 1 closed
	// Dana: 0 by round robin, 0 replied, 0 closed
}
