package inbox_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/storetest"
	"github.com/routedesk/routedesk/officehours"
)

func (f *fixture) settings(p inbox.SettingsPatch) {
	f.t.Helper()
	if _, err := f.ib.UpdateSettings(f.ctx, f.owner, p); err != nil {
		f.t.Fatal(err)
	}
}

// events lists the events of a type delivered so far, in order.
func (f *fixture) events(typ inbox.EventType) []inbox.Event {
	f.t.Helper()
	if f.outbox == nil {
		f.outbox = &recorder{}
		f.deliverer = f.open("shop", inbox.WithNotifier(f.outbox))
	}
	if _, err := f.deliverer.Deliver(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	var out []inbox.Event
	for _, e := range f.outbox.got {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// autoReplies lists the bodies of the auto-replies sent so far.
func (f *fixture) autoReplies() []string {
	f.t.Helper()
	got := []string{}
	for _, e := range f.events(inbox.ReplySent) {
		if e.Message.Automatic {
			got = append(got, e.Message.Body)
		}
	}
	return got
}

func smsWith(from, body string, consent channel.Consent) channel.Inbound {
	in := sms(from, body)
	in.SMS.Consent = consent
	return in
}

func TestSMSAutoReply(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	prefix, support := "Acme", "help@acme.example"
	f.settings(inbox.SettingsPatch{OrganizationPrefix: &prefix, SupportEmail: &support,
		SMSAutoReply: &inbox.SMSAutoReply{On: true, Template: "{{organization_prefix}}: we can't reply until you opt in. Email {{ email }}."}})
	want := "Acme: we can't reply until you opt in. Email help@acme.example."

	f.receive(sms("+15550001001", "hi"))                                          // not consented: answered
	f.receive(sms("+15550001001", "hello?"))                                      // within the cool-down: not again
	f.receive(sms("+15550001001", "STOP"))                                        // a keyword: never
	f.receive(smsWith("+15550001002", "hi", channel.Consent{SMSMarketing: true})) // consented: not by default
	if diff := cmp.Diff([]string{want}, f.autoReplies()); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	f.clock.Add(24*time.Hour - time.Microsecond)
	f.receive(sms("+15550001001", "still there?"))
	if got := len(f.autoReplies()); got != 1 {
		t.Fatalf("%d auto-replies a microsecond before the cool-down ends, want 1", got)
	}
	f.clock.Add(time.Microsecond)
	f.receive(sms("+15550001001", "hello!"))
	if got := len(f.autoReplies()); got != 2 {
		t.Fatalf("%d auto-replies once the cool-down ended, want 2", got)
	}
	// A duplicate delivery fires nothing.
	in := sms("+15550001003", "hi")
	f.receive(in)
	f.receive(in)
	if got := len(f.autoReplies()); got != 3 {
		t.Errorf("%d auto-replies after a duplicate, want 3", got)
	}
	// Everyone: consented customers too.
	f.settings(inbox.SettingsPatch{SMSAutoReply: &inbox.SMSAutoReply{On: true, Everyone: true, Template: "Thanks!"}})
	f.receive(smsWith("+15550001004", "hi", channel.Consent{SMSTransactional: true}))
	if got := f.autoReplies(); got[len(got)-1] != "Thanks!" {
		t.Errorf("consented customer with audience everyone: %q", got)
	}
	// The auto-reply is in the thread, and is no first response.
	r := f.receive(sms("+15550001005", "hi"))
	th, err := f.ib.Thread(f.ctx, f.owner, r.Ticket, "")
	f.must(err)
	if len(th.Messages) != 2 || !th.Messages[0].Automatic || th.Messages[0].Direction != inbox.Outbound {
		t.Errorf("thread: %+v", th.Messages)
	}
	if !f.ticket(r.Ticket).FirstResponseAt.IsZero() {
		t.Error("an auto-reply counted as the first response")
	}
}

func TestTemplatesAreChecked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tmpl := range []string{"Hi {{name}}", "Hi {{email", "{{}}"} {
		_, err := f.ib.UpdateSettings(f.ctx, f.owner, inbox.SettingsPatch{SMSAutoReply: &inbox.SMSAutoReply{On: true, Template: tmpl}})
		if !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("template %q: %v, want ErrInvalid", tmpl, err)
		}
	}
	bad := []inbox.SettingsPatch{
		{SMSAutoReply: &inbox.SMSAutoReply{On: true}},
		{WebChatAutoReply: &inbox.WebChatAutoReply{OutOfHours: "{{nope}}"}},
		{FollowUp: &inbox.FollowUp{On: true}}, // no support address
		{SMSNotify: &inbox.SMSNotify{On: true}},
		{SMSNotify: &inbox.SMSNotify{On: true, Recipients: []string{"not an address"}}},
		{SMSNotify: &inbox.SMSNotify{Interval: -time.Second}},
	}
	for _, p := range bad {
		if _, err := f.ib.UpdateSettings(f.ctx, f.owner, p); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("UpdateSettings(%+v): %v, want ErrInvalid", p, err)
		}
	}
	s, err := f.ib.Settings(f.ctx, f.owner)
	f.must(err)
	if diff := cmp.Diff(inbox.DefaultSettings(), s); diff != "" {
		t.Errorf("refused patches changed the settings (-want +got)\n%s", diff)
	}
}

func TestWebChatAutoReplies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	weekday := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
	hours, err := officehours.New(time.UTC, officehours.Week{time.Monday: weekday})
	f.must(err)
	f.settings(inbox.SettingsPatch{OfficeHours: hours, WebChatAutoReply: &inbox.WebChatAutoReply{InHours: "An agent will be with you shortly.", OutOfHours: "We're closed; we'll email you."}})
	f.receive(chat("c1", "v", "hi"))      // Monday 10:00: open
	f.receive(chat("c1", "v", "anyone?")) // not a new web chat: nothing
	f.clock.Add(8 * time.Hour)            // 18:00: closed
	f.receive(chat("c2", "v", "hi"))
	f.settings(inbox.SettingsPatch{WebChatAutoReply: &inbox.WebChatAutoReply{InHours: "On it."}})
	f.receive(chat("c3", "v", "hi")) // closed, and the out-of-hours reply is off
	want := []string{"An agent will be with you shortly.", "We're closed; we'll email you."}
	if diff := cmp.Diff(want, f.autoReplies()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func webChatWithEmail(conversation, email, body string) channel.Inbound {
	in := chat(conversation, "visitor-"+conversation, body)
	in.WebChat.Email = email
	return in
}

func TestFollowUpEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	support, on := "help@acme.example", true
	f.settings(inbox.SettingsPatch{SupportEmail: &support, FollowUp: &inbox.FollowUp{On: on}})
	n := f.receive(webChatWithEmail("c1", "ann@example.com", "my parcel?")).Ticket
	_, err := f.ib.Reply(f.ctx, f.owner, n, "Let me check.", channel.Consent{})
	f.must(err)
	f.clock.Add(time.Minute)
	_, err = f.ib.Reply(f.ctx, f.owner, n, "It ships tomorrow.", channel.Consent{})
	f.must(err)
	f.must(f.ib.SetVisitorOnline(f.ctx, "c1", false))
	f.clock.Add(3 * time.Minute) // exactly 3 minutes after the last reply: not yet
	f.must(f.ib.Tick(f.ctx))
	if got := f.events(inbox.FollowUpSent); len(got) != 0 {
		t.Fatalf("follow-up at exactly 3 minutes: %+v", got)
	}
	f.clock.Add(time.Microsecond)
	for range 3 { // replicas, or repeated ticks: one email
		f.must(f.open("shop").Tick(f.ctx))
	}
	got := f.events(inbox.FollowUpSent)
	if len(got) != 1 {
		t.Fatalf("%d follow-ups, want 1", len(got))
	}
	var bodies []string
	for _, m := range got[0].Messages {
		bodies = append(bodies, m.Body)
	}
	if diff := cmp.Diff([]string{"Let me check.", "It ships tomorrow."}, bodies); diff != "" {
		t.Errorf("follow-up messages (-want +got)\n%s", diff)
	}
	if got[0].EmailTo != "ann@example.com" || got[0].EmailFrom != support || got[0].Ticket != n {
		t.Errorf("follow-up addressed %+v", got[0])
	}
	// A new reply while the visitor is away is a new burst: one more email.
	f.clock.Add(time.Minute)
	_, err = f.ib.Reply(f.ctx, f.owner, n, "Tracking: 123.", channel.Consent{})
	f.must(err)
	f.clock.Add(4 * time.Minute)
	f.must(f.ib.Tick(f.ctx))
	if got := f.events(inbox.FollowUpSent); len(got) != 2 || len(got[1].Messages) != 1 || got[1].Messages[0].Body != "Tracking: 123." {
		t.Errorf("second burst: %+v", got)
	}
}

func TestFollowUpCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	support := "help@acme.example"
	f.settings(inbox.SettingsPatch{SupportEmail: &support, FollowUp: &inbox.FollowUp{On: true, After: time.Minute}})
	a := f.receive(webChatWithEmail("a", "a@example.com", "hi")).Ticket
	b := f.receive(webChatWithEmail("b", "b@example.com", "hi")).Ticket
	for _, n := range []int64{a, b} {
		_, err := f.ib.Reply(f.ctx, f.owner, n, "Hello!", channel.Consent{})
		f.must(err)
	}
	f.must(f.ib.SetVisitorOnline(f.ctx, "a", false))
	f.must(f.ib.SetVisitorOnline(f.ctx, "b", false))
	f.receive(webChatWithEmail("a", "a@example.com", "thanks")) // a writes back
	f.must(f.ib.SetVisitorOnline(f.ctx, "b", true))             // b comes back
	f.clock.Add(time.Hour)
	f.must(f.ib.Tick(f.ctx))
	if got := f.events(inbox.FollowUpSent); len(got) != 0 {
		t.Errorf("cancelled follow-ups sent: %+v", got)
	}
	if err := f.ib.SetVisitorOnline(f.ctx, "nope", false); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
}

func TestFollowUpSkippedWithoutEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	support := "help@acme.example"
	f.settings(inbox.SettingsPatch{SupportEmail: &support, FollowUp: &inbox.FollowUp{On: true}})
	n := f.receive(chat("c1", "v1", "hi")).Ticket
	_, err := f.ib.Reply(f.ctx, f.owner, n, "Hello!", channel.Consent{})
	f.must(err)
	f.must(f.ib.SetVisitorOnline(f.ctx, "c1", false))
	f.clock.Add(time.Hour)
	f.must(f.ib.Tick(f.ctx))
	hist, err := f.ib.History(f.ctx, f.owner, n)
	f.must(err)
	if last := hist[len(hist)-1]; last.Type != inbox.FollowUpSkipped {
		t.Errorf("history ends with %v, want follow_up_skipped", last.Type)
	}
	if got := f.events(inbox.FollowUpSent); len(got) != 0 {
		t.Errorf("sent %+v", got)
	}
}

func TestSMSNotifications(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.settings(inbox.SettingsPatch{SMSNotify: &inbox.SMSNotify{On: true, Recipients: []string{"lead@acme.example"}, Interval: 10 * time.Minute}})
	f.receive(sms("+15550002001", "hi"))
	f.clock.Add(10*time.Minute - time.Microsecond)
	f.receive(sms("+15550002001", "hello?"))
	f.receive(sms("+15550002002", "other customer"))
	f.clock.Add(time.Microsecond)
	f.receive(sms("+15550002001", "HELLO?"))
	f.receive(chat("c", "v", "web chats notify nobody"))
	var got []string
	for _, e := range f.events(inbox.SMSNotification) {
		if diff := cmp.Diff([]string{"lead@acme.example"}, e.Recipients); diff != "" {
			t.Errorf("recipients (-want +got)\n%s", diff)
		}
		got = append(got, e.Message.Body)
	}
	if diff := cmp.Diff([]string{"hi", "other customer", "HELLO?"}, got); diff != "" {
		t.Errorf("notified (-want +got)\n%s", diff)
	}
}

func TestSMSAttribution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const phone = "+15550003001"
	in := sms(phone, "")
	key := in.CustomerKey()
	campaign := channel.Sent{ID: "camp-1", Origin: channel.Campaign, At: f.clock.Now().Add(-time.Hour)}
	flow := channel.Sent{ID: "flow-7", Origin: channel.Flow, At: f.clock.Now().Add(-time.Minute)}
	f.must(f.ib.RecordSent(f.ctx, key, flow))
	f.must(f.ib.RecordSent(f.ctx, key, campaign))
	if err := f.ib.RecordSent(f.ctx, key, channel.Sent{ID: "x"}); !errors.Is(err, channel.ErrInvalid) {
		t.Errorf("RecordSent of a text without origin and time: %v", err)
	}
	first := f.receive(sms(phone, "YES please"))
	f.receive(sms(phone, "and another"))
	th, err := f.ib.Thread(f.ctx, f.owner, first.Ticket, "")
	f.must(err)
	got := map[string]string{}
	for _, m := range th.Messages {
		if m.Attribution != nil {
			got[m.Body] = m.Attribution.ID
		}
	}
	if diff := cmp.Diff(map[string]string{"YES please": "flow-7"}, got); diff != "" {
		t.Errorf("attributed (-want +got)\n%s", diff)
	}
	hist, err := f.ib.History(f.ctx, f.owner, first.Ticket)
	f.must(err)
	for _, e := range hist {
		if e.Type == inbox.MessageReceived && e.Message.Body == "YES please" && (e.Message.Attribution == nil || e.Message.Attribution.Origin != channel.Flow) {
			t.Errorf("history's message lacks its attribution: %+v", e.Message)
		}
	}
	// Exactly at the end of the 24-hour window a reply is attributed.
	other := "+15550003002"
	in = sms(other, "")
	f.must(f.ib.RecordSent(f.ctx, in.CustomerKey(), channel.Sent{ID: "camp-2", Origin: channel.Campaign, At: f.clock.Now().Add(-24 * time.Hour)}))
	r := f.receive(sms(other, "late"))
	th, err = f.ib.Thread(f.ctx, f.owner, r.Ticket, "")
	f.must(err)
	if a := th.Messages[0].Attribution; a == nil || a.ID != "camp-2" {
		t.Errorf("reply at exactly 24 hours: attribution %+v", a)
	}
}

func TestAutomaticEmailGetsNoAutomation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	support := "help@acme.example"
	f.settings(inbox.SettingsPatch{SupportEmail: &support, FollowUp: &inbox.FollowUp{On: true},
		SMSAutoReply: &inbox.SMSAutoReply{On: true, Everyone: true, Template: "hi"}, WebChatAutoReply: &inbox.WebChatAutoReply{InHours: "hi"}})
	in := email("robot@example.com", "ooo@example.com", "Out of office")
	in.Email.AutoSubmitted = "auto-replied"
	r := f.receive(in)
	if r.Auto == channel.NotAuto {
		t.Fatalf("auto-reply not recognised: %+v", r)
	}
	if got := f.autoReplies(); len(got) != 0 {
		t.Errorf("answered an automatic email: %q", got)
	}
}

func TestNotifierDownForAnHourLosesNothing(t *testing.T) {
	t.Parallel()
	rec := &recorder{failing: true}
	f := newFixture(t, inbox.WithNotifier(rec))
	for range 60 { // a message a minute for an hour, delivery failing all along
		f.receive(sms("+15550004001", "ping"))
		if _, err := f.ib.Deliver(f.ctx); err == nil {
			t.Fatal("delivery succeeded through a failing notifier")
		}
		f.clock.Add(time.Minute)
	}
	pending, err := f.ib.Pending(f.ctx)
	f.must(err)
	if pending != 61 { // ticket created, then 60 messages
		t.Fatalf("pending = %d, want 61", pending)
	}
	rec.mu.Lock()
	rec.failing = false
	rec.mu.Unlock()
	n, err := f.ib.Deliver(f.ctx)
	f.must(err)
	if int64(n) != pending || len(rec.got) != n {
		t.Fatalf("delivered %d of %d pending", n, pending)
	}
	for i, e := range rec.got {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: lost or out of order", i, e.Seq)
		}
	}
	if p, _ := f.ib.Pending(f.ctx); p != 0 {
		t.Errorf("%d still pending", p)
	}
}

// TestFollowUpGoesByOrder runs the follow-up's rules over replicas whose
// clocks disagree: each step is taken by a replica whose clock is skew
// away from the test's, so a transaction committed after another may carry
// an equal or an earlier time. A reply is answered by the visitor's
// messages after it, and covered by the follow-ups after it, whatever the
// times say.
func TestFollowUpGoesByOrder(t *testing.T) {
	t.Parallel()
	type step struct {
		op   string // write, reply, away, tick; each tick first moves the clock 4 minutes on
		skew time.Duration
	}
	const ms = time.Millisecond
	for _, tc := range []struct {
		name  string
		steps []step
		want  [][]string // the replies each follow-up carries
	}{
		{"a reply in the same microsecond before the visitor's message",
			[]step{{"reply", 0}, {"write", 0}, {"away", 0}, {"tick", 0}}, nil},
		{"a reply timed after the visitor's message, before it",
			[]step{{"reply", ms}, {"write", 0}, {"away", 0}, {"tick", 0}}, nil},
		{"a reply in the same microsecond after the visitor's message",
			[]step{{"write", 0}, {"reply", 0}, {"away", 0}, {"tick", 0}}, [][]string{{"reply 1"}}},
		{"a reply timed before the visitor's message, after it",
			[]step{{"write", ms}, {"reply", 0}, {"away", 0}, {"tick", 0}}, [][]string{{"reply 1"}}},
		{"a reply in the same microsecond after a follow-up",
			[]step{{"reply", 0}, {"away", 0}, {"tick", 0}, {"reply", 0}, {"tick", 0}}, [][]string{{"reply 1"}, {"reply 2"}}},
		{"a reply timed before a follow-up, after it",
			[]step{{"reply", 0}, {"away", 0}, {"tick", 0}, {"reply", -ms}, {"tick", 0}}, [][]string{{"reply 1"}, {"reply 2"}}},
		{"a reply timed after the follow-up was due, before it: one burst",
			[]step{{"reply", 0}, {"away", 0}, {"reply", 4*time.Minute + ms}, {"tick", 0}, {"tick", 0}}, [][]string{{"reply 1", "reply 2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			support := "help@acme.example"
			f.settings(inbox.SettingsPatch{SupportEmail: &support, FollowUp: &inbox.FollowUp{On: true}})
			n := f.receive(webChatWithEmail("c1", "ann@example.com", "hi")).Ticket
			replies := 0
			for _, s := range tc.steps {
				if s.op == "tick" {
					f.clock.Add(4 * time.Minute)
				}
				ib := f.open("shop", inbox.WithClock(storetest.NewClock(f.clock.Now().Add(s.skew))))
				switch s.op {
				case "write":
					_, err := ib.Receive(f.ctx, webChatWithEmail("c1", "ann@example.com", "thanks"))
					f.must(err)
				case "reply":
					replies++
					_, err := ib.Reply(f.ctx, f.owner, n, fmt.Sprint("reply ", replies), channel.Consent{})
					f.must(err)
				case "away":
					f.must(ib.SetVisitorOnline(f.ctx, "c1", false))
				case "tick":
					f.must(ib.Tick(f.ctx))
				}
			}
			var got [][]string
			for _, e := range f.events(inbox.FollowUpSent) {
				var bodies []string
				for _, m := range e.Messages {
					bodies = append(bodies, m.Body)
				}
				got = append(got, bodies)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("follow-ups (-want +got)\n%s", diff)
			}
		})
	}
}
