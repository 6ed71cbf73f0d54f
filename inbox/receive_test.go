package inbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

var allStatuses = []status.Status{status.Open, status.Snoozed, status.Closed}

func TestReceiveWebChat(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.receive(chat("c1", "v1", "hi"))
	b := f.receive(chat("c2", "v1", "me again, other tab"))
	if a.Action != channel.New || b.Action != channel.New || a.Ticket == b.Ticket {
		t.Fatalf("two conversations of one visitor: %+v %+v; want two new tickets", a, b)
	}
	if got := f.receive(chat("c1", "v1", "still there?")); got.Action != channel.Append || got.Ticket != a.Ticket {
		t.Errorf("second message of c1 = %+v; want append to %d", got, a.Ticket)
	}
	f.must(f.ib.Close(f.ctx, f.owner, a.Ticket))
	c := f.receive(chat("c1", "v1", "one more thing"))
	if c.Action != channel.New || c.Ticket == a.Ticket {
		t.Errorf("message to closed web chat = %+v; want a new ticket", c)
	}
	if got := f.ticket(a.Ticket).Status; got != status.Closed {
		t.Errorf("closed web chat ticket is %v; closed web chat tickets never reopen", got)
	}
	o, err := f.ib.Overview(f.ctx, f.owner, c.Ticket)
	f.must(err)
	if o.CustomerTickets != 3 {
		t.Errorf("CustomerTickets = %d, want 3", o.CustomerTickets)
	}
}

func TestReceiveEmailReopensYearOldThread(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.receive(email("ann@example.com", "a1@mail.example", "Where is my order?"))
	reply, err := f.ib.Reply(f.ctx, f.owner, first.Ticket, "On its way.", channel.Consent{})
	f.must(err)
	if reply.ID == "" {
		t.Fatal("email reply has no Message-ID")
	}
	f.must(f.ib.Close(f.ctx, f.owner, first.Ticket))
	f.clock.Add(400 * 24 * time.Hour)
	// The customer answers our reply a year later: In-Reply-To names our Message-ID.
	got := f.receive(email("ann@example.com", "a2@mail.example", "Re: Where is my order?", reply.ID))
	if got.Action != channel.Reopen || got.Ticket != first.Ticket {
		t.Fatalf("reply to a year-old closed thread = %+v; want reopen of %d", got, first.Ticket)
	}
	tk := f.ticket(first.Ticket)
	if tk.Status != status.Open || !tk.Unread {
		t.Errorf("reopened ticket status %v unread %v; want open, unread", tk.Status, tk.Unread)
	}
	// A new email with the same subject but no reference is a new thread.
	if got := f.receive(email("ann@example.com", "a3@mail.example", "Re: Where is my order?")); got.Action != channel.New {
		t.Errorf("same subject without reference = %+v; want new", got)
	}
	// The same Message-ID again is a duplicate.
	if got := f.receive(email("ann@example.com", "a2@mail.example", "Re: Where is my order?", reply.ID)); got.Action != channel.Duplicate {
		t.Errorf("redelivery = %+v; want duplicate", got)
	}
	th, err := f.ib.Thread(f.ctx, f.owner, first.Ticket, "")
	f.must(err)
	if len(th.Messages) != 3 {
		t.Errorf("thread has %d messages, want 3 (no duplicate added)", len(th.Messages))
	}
}

func TestReceiveSMS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.receive(sms("+15551230001", "hi"))
	f.must(f.ib.Close(f.ctx, f.owner, a.Ticket))
	b := f.receive(sms("+15551230001", "hello again"))
	if b.Action != channel.Reopen || b.Ticket != a.Ticket {
		t.Errorf("second SMS = %+v; want reopen of %d: one ticket per person", b, a.Ticket)
	}
	k := f.receive(sms("+15551230001", "  stop "))
	if k.Action != channel.Keyword || k.Keyword != "STOP" || k.Ticket != 0 {
		t.Errorf("keyword SMS = %+v; want keyword STOP, no ticket", k)
	}
	th, err := f.ib.Thread(f.ctx, f.owner, a.Ticket, "")
	f.must(err)
	if len(th.Messages) != 2 {
		t.Errorf("thread has %d messages, want 2 (the keyword adds none)", len(th.Messages))
	}
	if _, err := f.ib.Reply(f.ctx, f.owner, a.Ticket, "hi", channel.Consent{}); !errors.Is(err, channel.ErrNoConsent) {
		t.Errorf("SMS reply without consent: %v, want ErrNoConsent", err)
	}
	if _, err := f.ib.Reply(f.ctx, f.owner, a.Ticket, "hi", channel.Consent{SMSTransactional: true}); err != nil {
		t.Errorf("SMS reply with consent: %v", err)
	}
}

func TestReceiveWakesSnoozed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.receive(sms("+15551230002", "hi"))
	f.must(f.ib.Snooze(f.ctx, f.owner, r.Ticket, start.Add(24*time.Hour)))
	if got := f.receive(sms("+15551230002", "hello?")); got.Action != channel.Wake {
		t.Errorf("message to snoozed = %+v; want wake", got)
	}
	if s := f.ticket(r.Ticket); s.Status != status.Open || !s.SnoozedUntil.IsZero() {
		t.Errorf("after wake: %v until %v", s.Status, s.SnoozedUntil)
	}
}

func TestInvalidInboundChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.ib.Receive(f.ctx, channel.Inbound{Kind: channel.SMS, Body: "hi", SMS: channel.SMSFields{From: "5551234", To: "+15550000000", MessageID: "x"}})
	if !errors.Is(err, channel.ErrInvalid) {
		t.Errorf("bad phone: %v, want channel.ErrInvalid", err)
	}
	p, err := f.ib.Tickets(f.ctx, f.owner, inbox.Query{Statuses: allStatuses})
	f.must(err)
	if p.Total != 0 {
		t.Errorf("%d tickets after a refused message", p.Total)
	}
}

func TestHistoryKeepsEveryChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := f.online("ann")[0]
	f.roundRobin(true)
	r := f.receive(chat("c1", "v1", "hi"))
	f.must(f.ib.AddTags(f.ctx, f.owner, r.Ticket, " Refund", "refund", "VIP"))
	f.must(f.ib.Close(f.ctx, f.owner, r.Ticket))
	es, err := f.ib.History(f.ctx, f.owner, r.Ticket)
	f.must(err)
	var got []inbox.EventType
	for _, e := range es {
		got = append(got, e.Type)
	}
	want := []inbox.EventType{inbox.TicketCreated, inbox.MessageReceived, inbox.TicketAssigned, inbox.TagsChanged, inbox.StatusChanged}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("history (-want +got)\n%s", diff)
	}
	if d := es[2].Decision; d == nil || d.Agent != "ann" || d.Reason() != "round robin: least recently assigned of 1 eligible; 1 offline" {
		t.Errorf("assignment decision = %+v", d)
	}
	if d := es[0].Decision; d != nil {
		t.Errorf("TicketCreated of a ticket round robin gave ann has decision %+v, want none (TicketAssigned's)", d)
	}
	if diff := cmp.Diff([]string{"refund", "vip"}, es[3].Tags); diff != "" {
		t.Errorf("tags (-want +got)\n%s", diff)
	}
	// Nobody online: the new ticket's event says why nobody got it.
	f.must(f.ib.SetPresence(f.ctx, ann, "ann", assign.Offline))
	r = f.receive(chat("c2", "v2", "hi"))
	es, err = f.ib.History(f.ctx, f.owner, r.Ticket)
	f.must(err)
	if d := es[0].Decision; es[0].Type != inbox.TicketCreated || d == nil || d.Agent != "" || d.Reason() != r.Decision.Reason() {
		t.Errorf("TicketCreated of a ticket nobody could take: %v with decision %+v, want %q", es[0].Type, d, r.Decision.Reason())
	}
}
