package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
)

// automationsRun is what one run of automationsScenario leaves: the whole
// outbox, what waits in it, each ticket's thread, and the customers.
type automationsRun struct {
	Outbox    []inbox.Event
	Pending   int64
	Threads   [][]inbox.Message
	Customers []inbox.Customer
}

// automationsScenario drives every automation of the inbox through store
// s: SMS attribution, the SMS auto-responder and its cool-down, new-SMS
// notifications and their interval, the web chat auto-reply, the visitor's
// email, and the web chat follow-up, sent and skipped.
func automationsScenario(t *testing.T, s inbox.Store) automationsRun {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC))
	ib, err := inbox.New(s, "auto", inbox.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	owner := inbox.Actor{ID: "ann", Role: inbox.Owner}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("PutMember", ib.PutMember(ctx, inbox.Member{ID: owner.ID, Name: "Ann", Role: owner.Role}))
	_, err = ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{
		OrganizationPrefix: ptr("Acme"), SupportEmail: ptr("help@acme.example"),
		SMSAutoReply:      &inbox.SMSAutoReply{On: true, Template: "{{organization_prefix}}: opt in, or write to {{email}}."},
		WebChatAutoReply:  &inbox.WebChatAutoReply{InHours: "Hi from {{organization_prefix}}!"},
		FollowUp:          &inbox.FollowUp{On: true},
		SMSNotify:         &inbox.SMSNotify{On: true, Recipients: []string{"ops@acme.example", "bob@acme.example"}},
		AttributionWindow: ptr(48 * time.Hour),
	})
	must("UpdateSettings", err)
	step := clock.Add
	sms := func(id, body string) {
		t.Helper()
		_, err := ib.Receive(ctx, channel.Inbound{Kind: channel.SMS, Body: body,
			SMS: channel.SMSFields{From: "+15550102000", To: "+15550100000", MessageID: id}})
		must("Receive "+id, err)
	}
	chat := func(conversation, visitor, email, body string) int64 {
		t.Helper()
		r, err := ib.Receive(ctx, channel.Inbound{Kind: channel.WebChat, Body: body,
			WebChat: channel.WebChatFields{Conversation: conversation, Visitor: visitor, Email: email}})
		must("Receive "+conversation, err)
		return r.Ticket
	}
	reply := func(ticket int64, body string) {
		t.Helper()
		_, err := ib.Reply(ctx, owner, ticket, body, channel.Consent{})
		must("Reply", err)
	}

	must("RecordSent", ib.RecordSent(ctx, "sms:+15550102000", channel.Sent{ID: "C1", Origin: channel.Campaign, At: clock.Now().Add(-time.Hour)}))
	sms("SM1", "What's the discount code?") // attributed, auto-replied, notified
	step(time.Minute)
	sms("SM2", "Hello?") // within the cool-down and the interval: neither
	step(10 * time.Minute)
	sms("SM3", "Still there?") // notified again, not auto-replied

	seen := chat("c1", "v1", "v1@example.com", "Do you ship to Norway?")
	unknown := chat("c2", "v2", "", "Hello")
	step(time.Minute)
	reply(seen, "We do!")
	reply(unknown, "Hi, how can we help?")
	must("SetVisitorOnline", ib.SetVisitorOnline(ctx, "c1", false))
	must("SetVisitorOnline", ib.SetVisitorOnline(ctx, "c2", false))
	step(2 * time.Minute)
	must("Tick before the follow-up is due", ib.Tick(ctx))
	step(2 * time.Minute)
	must("Tick", ib.Tick(ctx)) // c1 gets the follow-up email, c2's is skipped
	step(time.Hour)
	must("Tick after", ib.Tick(ctx)) // nothing more

	var run automationsRun
	err = s.View(ctx, "auto", func(tx inbox.ReadTx) error {
		var err error
		if run.Outbox, err = tx.Outbox(0, 1000); err != nil {
			return err
		}
		if run.Pending, err = tx.Pending(); err != nil {
			return err
		}
		for n := int64(1); n <= unknown; n++ {
			th, err := tx.Messages(n, 1000, 1000)
			if err != nil {
				return err
			}
			run.Threads = append(run.Threads, th)
		}
		for _, key := range []string{"sms:+15550102000", "webchat:v1"} {
			c, err := tx.Customer(key)
			if err != nil {
				return err
			}
			run.Customers = append(run.Customers, c)
		}
		return nil
	})
	must("View", err)
	return run
}

// TestAutomations runs the inbox's automations over pgstore and over
// memstore, the reference, and compares everything they kept. It also
// checks that the scenario did what it is about, so that two stores that
// both lost the automations' state would not pass.
func TestAutomations(t *testing.T) {
	t.Parallel()
	want := automationsScenario(t, memstore.New())
	got := automationsScenario(t, newStore(t))
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pgstore differs from memstore (-memstore +pgstore):\n%s", d)
	}
	count := func(typ inbox.EventType) int {
		return len(slices.DeleteFunc(slices.Clone(got.Outbox), func(e inbox.Event) bool { return e.Type != typ }))
	}
	for typ, n := range map[inbox.EventType]int{inbox.SMSNotification: 2, inbox.FollowUpSent: 1, inbox.FollowUpSkipped: 1} {
		if c := count(typ); c != n {
			t.Errorf("%d %v events, want %d", c, typ, n)
		}
	}
	if got.Pending != int64(len(got.Outbox)) || got.Pending == 0 {
		t.Errorf("Pending %d with %d events in the outbox and none delivered", got.Pending, len(got.Outbox))
	}
	sms := got.Threads[0]
	if a := sms[len(sms)-1].Attribution; a == nil || a.ID != "C1" {
		t.Errorf("the first SMS is attributed to %+v, want C1", a)
	}
	if c := got.Customers[1]; c.Email != "v1@example.com" {
		t.Errorf("the web chat visitor's email is %q", c.Email)
	}
}

// TestMigrateNewReplies fills a schema at version 4 by SQL with web chat
// threads and migrates it: 0005 counts each ticket's new replies by the old
// rule (agents' replies after the latest inbound message, timed after the
// latest follow-up), and the inbox then follows up with those replies.
func TestMigrateNewReplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := fmt.Sprint(schemaPrefix, "from_v4")
	// Ticket n's thread is threads[n-1]: i inbound, r an agent's reply, a an
	// automatic reply, each a minute after the one before from 09:00; ticket
	// 3 was followed up at 09:02.
	threads := []string{"irr", "iar", "irrr", "ri", "i", "rir"}
	var rows []string
	for n, thread := range threads {
		followedUp := "NULL"
		if n+1 == 3 {
			followedUp = "'2025-03-03 09:02Z'"
		}
		rows = append(rows, fmt.Sprintf(`INSERT INTO tickets (inbox, number, channel, customer, key, subject, status, assignee, tags, unread,
			created_at, active_at, last_reply_at, customer_away, followed_up_at) VALUES ('a', %d, 'webchat', 'webchat:v%[1]d', 'c%[1]d', '', 'open', '', '{}', false,
			'2025-03-03 09:00Z', '2025-03-03 09:00Z', '2025-03-03 09:00Z', true, %s)`, n+1, followedUp))
		for i, c := range thread {
			direction, automatic := 2, c == 'a'
			if c == 'i' {
				direction = 1
			}
			rows = append(rows, fmt.Sprintf(`INSERT INTO messages VALUES ('a', %[1]d, %[2]d, 'webchat', %[3]d, 'x', '', '%[4]c', '2025-03-03 09:00Z'::timestamptz + interval '%[2]d minutes', %[5]t)`,
				n+1, i, direction, c, automatic))
		}
	}
	_, s := upgraded(t, schema, 4, `INSERT INTO inboxes (id) VALUES ('a');
		INSERT INTO counters VALUES ('a', 6, 0, 0, 0);
		INSERT INTO customers VALUES ('a', 'webchat:v1', 'v1@example.com', NULL, '[]');`+strings.Join(rows, ";\n"))
	var got []int
	err := s.View(ctx, "a", func(tx inbox.ReadTx) error {
		for n := range threads {
			tk, err := tx.Ticket(int64(n + 1))
			if err != nil {
				return err
			}
			got = append(got, tk.NewReplies)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]int{2, 1, 1, 0, 0, 1}, got); d != "" {
		t.Errorf("new replies after 0005 (-want +got):\n%s", d)
	}
	// Ticket 1's visitor goes away again: the follow-up carries its two
	// replies.
	clock := storetest.NewClock(time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC))
	ib, err := inbox.New(s, "a", inbox.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	support := "help@shop.example"
	if _, err := ib.UpdateSettings(ctx, inbox.Actor{ID: "o", Role: inbox.Owner}, inbox.SettingsPatch{SupportEmail: &support, FollowUp: &inbox.FollowUp{On: true}}); err != nil {
		t.Fatal(err)
	}
	if err := ib.SetVisitorOnline(ctx, "c1", true); err != nil {
		t.Fatal(err)
	}
	if err := ib.SetVisitorOnline(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	if err := ib.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	err = s.View(ctx, "a", func(tx inbox.ReadTx) error {
		h, err := tx.History(1)
		for _, e := range h {
			for _, m := range e.Messages {
				bodies = append(bodies, fmt.Sprint(m.Index, m.Body))
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1r", "2r"}, bodies); d != "" {
		t.Errorf("the follow-up's replies after 0005 (-want +got):\n%s", d)
	}
}
