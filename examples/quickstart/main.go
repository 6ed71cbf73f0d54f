// Command quickstart tells the story of one support inbox, from agents going
// online to an email reply that reopens a closed ticket. It runs on a mock
// clock, so its output is the same on every run:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // the story is in New York on any machine

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/officehours"
)

// clock is a mock clock the story moves by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run tells the story to w.
func run(w io.Writer) error {
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
	// Monday 16 November 2026, 9:00 in New York.
	clk := &clock{t: time.Date(2026, 11, 16, 9, 0, 0, 0, ny)}
	ib, err := inbox.New(memstore.New(), "acme", inbox.WithClock(clk))
	if err != nil {
		return err
	}
	step := func(format string, args ...any) {
		fmt.Fprintf(w, "\n%s  %s\n", clk.t.In(ny).Format("Mon Jan 2 15:04"), fmt.Sprintf(format, args...))
	}

	// The team, and the settings an owner picks on day one.
	dana := inbox.Actor{ID: "dana", Role: inbox.Owner}
	ali := inbox.Actor{ID: "ali", Role: inbox.Support}
	bo := inbox.Actor{ID: "bo", Role: inbox.Support}
	for _, m := range []inbox.Member{{ID: "dana", Name: "Dana", Role: inbox.Owner}, {ID: "ali", Name: "Ali", Role: inbox.Support}, {ID: "bo", Name: "Bo", Role: inbox.Support}} {
		if err := ib.PutMember(ctx, m); err != nil {
			return err
		}
	}
	weekday := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
	hours, err := officehours.New(ny, officehours.Week{time.Monday: weekday, time.Tuesday: weekday, time.Wednesday: weekday, time.Thursday: weekday, time.Friday: weekday})
	if err != nil {
		return err
	}
	on := true
	if _, err := ib.UpdateSettings(ctx, dana, inbox.SettingsPatch{RoundRobin: &on, OfficeHours: hours}); err != nil {
		return err
	}
	step("Round robin is on, office hours Mon–Fri 9:00–17:00 New York. Ali and Bo go online.")
	for _, a := range []inbox.Actor{ali, bo} {
		if err := ib.SetPresence(ctx, a, a.ID, assign.Online); err != nil {
			return err
		}
	}

	received := func(what string, in channel.Inbound) (inbox.Received, error) {
		r, err := ib.Receive(ctx, in)
		if err != nil {
			return r, err
		}
		line := fmt.Sprintf("%-34s → %s ticket #%d", what, r.Action, r.Ticket)
		if r.Ticket == 0 {
			line = fmt.Sprintf("%-34s → %s %s: no ticket; the host handles the subscription", what, r.Action, r.Keyword)
		}
		if r.Decision != nil {
			who := r.Decision.Agent
			if who == "" {
				who = "nobody"
			}
			line += fmt.Sprintf(", to %s (%s)", who, r.Decision.Reason())
		}
		fmt.Fprintln(w, "  "+line)
		return r, nil
	}

	step("Messages arrive on all three channels; round robin hands them out.")
	chat, err := received("web chat from a visitor", channel.Inbound{Kind: channel.WebChat, Body: "Do you ship to Canada?",
		WebChat: channel.WebChatFields{Conversation: "conv-1", Visitor: "visitor-7"}})
	if err != nil {
		return err
	}
	mail, err := received("email from ann@example.com", channel.Inbound{Kind: channel.Email, Body: "My order #1001 has not arrived.",
		Email: channel.EmailFields{From: "ann@example.com", MessageID: "m1@example.com", Subject: "Where is my order?"}})
	if err != nil {
		return err
	}
	if _, err := received("SMS from +1 555 010 2000", channel.Inbound{Kind: channel.SMS, Body: "Is the sale still on?",
		SMS: channel.SMSFields{From: "+15550102000", To: "+15550100000", MessageID: "SM1"}}); err != nil {
		return err
	}
	if _, err := received("SMS \"stop\" from the same number", channel.Inbound{Kind: channel.SMS, Body: " stop",
		SMS: channel.SMSFields{From: "+15550102000", To: "+15550100000", MessageID: "SM2"}}); err != nil {
		return err
	}

	clk.t = time.Date(2026, 11, 16, 18, 30, 0, 0, ny)
	step("After hours a web chat arrives: round robin waits for office hours.")
	late, err := received("web chat from another visitor", channel.Inbound{Kind: channel.WebChat, Body: "Hello? Anyone?",
		WebChat: channel.WebChatFields{Conversation: "conv-2", Visitor: "visitor-9"}})
	if err != nil {
		return err
	}

	clk.t = time.Date(2026, 11, 17, 9, 1, 0, 0, ny)
	step("Next morning Ali and Bo both go for the waiting ticket.")
	if err := ib.Claim(ctx, ali, late.Ticket); err != nil {
		return err
	}
	fmt.Fprintf(w, "  Ali claims #%d\n", late.Ticket)
	err = ib.Claim(ctx, bo, late.Ticket)
	fmt.Fprintf(w, "  Bo claims #%d: %v (already assigned: %v)\n", late.Ticket, err, errors.Is(err, inbox.ErrAlreadyAssigned))

	step("Ali snoozes #%d for an hour; a tick at 10:02 wakes it.", chat.Ticket)
	if err := ib.Snooze(ctx, ali, chat.Ticket, clk.t.Add(time.Hour)); err != nil {
		return err
	}
	show := func(n int64) error {
		o, err := ib.Overview(ctx, dana, n)
		fmt.Fprintf(w, "  #%d is %s, assigned to %s\n", n, o.Status, o.AssigneeName)
		return err
	}
	if err := show(chat.Ticket); err != nil {
		return err
	}
	clk.t = clk.t.Add(time.Hour + time.Minute)
	if err := ib.Tick(ctx); err != nil {
		return err
	}
	if err := show(chat.Ticket); err != nil {
		return err
	}

	step("Bo answers the email and closes #%d.", mail.Ticket)
	reply, err := ib.Reply(ctx, bo, mail.Ticket, "It ships tomorrow.", channel.Consent{})
	if err != nil {
		return err
	}
	if err := ib.Close(ctx, bo, mail.Ticket); err != nil {
		return err
	}
	if err := show(mail.Ticket); err != nil {
		return err
	}

	clk.t = time.Date(2027, 2, 1, 11, 0, 0, 0, ny)
	step("Months later Ann answers Bo's email: the closed ticket reopens.")
	if _, err := received("email reply from ann@example.com", channel.Inbound{Kind: channel.Email, Body: "It never came.",
		Email: channel.EmailFields{From: "ann@example.com", MessageID: "m2@example.com", Subject: "Re: Where is my order?", InReplyTo: []string{reply.ID}}}); err != nil {
		return err
	}
	if err := show(mail.Ticket); err != nil {
		return err
	}

	clk.t = clk.t.Add(4 * time.Hour)
	step("Ali and Bo sign out; a web chat waits in Unassigned.")
	for _, id := range []string{"ali", "bo"} {
		if err := ib.SignOut(ctx, id); err != nil {
			return err
		}
	}
	if _, err := received("web chat from a third visitor", channel.Inbound{Kind: channel.WebChat, Body: "Can I change my address?",
		WebChat: channel.WebChatFields{Conversation: "conv-3", Visitor: "visitor-11"}}); err != nil {
		return err
	}

	step("The three views, as Ali sees them (open tickets, latest activity first).")
	for _, v := range []struct {
		name string
		view inbox.View
	}{{"All", inbox.All}, {"My inbox", inbox.Mine}, {"Unassigned", inbox.Unassigned}} {
		p, err := ib.Tickets(ctx, ali, inbox.Query{View: v.view})
		if err != nil {
			return err
		}
		var ts []string
		for _, t := range p.Tickets {
			who := t.Assignee
			if who == "" {
				who = "nobody"
			}
			ts = append(ts, fmt.Sprintf("#%d %s (%s)", t.Number, t.Channel, who))
		}
		fmt.Fprintf(w, "  %-10s %d: %s\n", v.name, p.Total, strings.Join(ts, ", "))
	}
	return nil
}
