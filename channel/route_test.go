package channel_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

const ourNumber = "+15550001111"

func chat(conversation, visitor, body string) channel.Inbound {
	return channel.Inbound{Kind: channel.WebChat, Body: body,
		WebChat: channel.WebChatFields{Conversation: conversation, Visitor: visitor}}
}

func text(from, id, body string) channel.Inbound {
	return channel.Inbound{Kind: channel.SMS, Body: body,
		SMS: channel.SMSFields{From: from, To: ourNumber, MessageID: id}}
}

func email(from, id string, inReplyTo, references []string, subject string) channel.Inbound {
	return channel.Inbound{Kind: channel.Email, Body: "hello",
		Email: channel.EmailFields{From: from, MessageID: id, InReplyTo: inReplyTo, References: references, Subject: subject}}
}

// edit returns in changed by f.
func edit(in channel.Inbound, f func(in *channel.Inbound)) channel.Inbound {
	f(&in)
	return in
}

func withProfile(in channel.Inbound, profile string) channel.Inbound {
	return edit(in, func(in *channel.Inbound) { in.Profile = profile })
}

type routeCase struct {
	name  string
	setup func(m *memStore) // tickets are numbered from 1 in the order setup opens them
	in    channel.Inbound
	opts  []channel.Option
	want  channel.Decision
}

func runRoute(t *testing.T, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMemStore()
			if tc.setup != nil {
				tc.setup(m)
			}
			got, err := channel.Route(&tc.in, m, tc.opts...)
			if err != nil {
				t.Fatalf("Route: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Route (-want +got)\n%s", diff)
			}
		})
	}
}

// chatTicket opens a web chat ticket for conversation and visitor.
func chatTicket(m *memStore, conversation, visitor string, s status.Status) int64 {
	n := m.open(channel.WebChat, "webchat:"+visitor, s)
	m.threads[channel.WebChat][conversation] = n
	return n
}

func TestRouteWebChat(t *testing.T) {
	t.Parallel()
	ticket := func(s status.Status) channel.TicketRef {
		return channel.TicketRef{Number: 1, Kind: channel.WebChat, Status: s, Customer: "webchat:v1"}
	}
	runRoute(t, []routeCase{
		{
			name: "first message opens a ticket",
			in:   chat("c1", "v1", "hi"),
			want: channel.Decision{Action: channel.New},
		},
		{
			name:  "next message joins the open ticket",
			setup: func(m *memStore) { chatTicket(m, "c1", "v1", status.Open) },
			in:    chat("c1", "v1", "are you there?"),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(status.Open)},
		},
		{
			name:  "a message wakes a snoozed ticket",
			setup: func(m *memStore) { chatTicket(m, "c1", "v1", status.Snoozed) },
			in:    chat("c1", "v1", "back again"),
			want:  channel.Decision{Action: channel.Wake, Ticket: ticket(status.Snoozed)},
		},
		{
			name:  "a closed web chat ticket never reopens",
			setup: func(m *memStore) { chatTicket(m, "c1", "v1", status.Closed) },
			in:    chat("c1", "v1", "one more thing"),
			want:  channel.Decision{Action: channel.New},
		},
		{
			name:  "the same person on two web chats has two tickets",
			setup: func(m *memStore) { chatTicket(m, "c1", "v1", status.Open) },
			in:    chat("c2", "v1", "hello from another tab"),
			want:  channel.Decision{Action: channel.New},
		},
		{
			name: "a retried delivery is a duplicate",
			setup: func(m *memStore) {
				m.hold(channel.WebChat, "w-1", chatTicket(m, "c1", "v1", status.Open))
			},
			in:   edit(chat("c1", "v1", "hi"), func(in *channel.Inbound) { in.WebChat.MessageID = "w-1" }),
			want: channel.Decision{Action: channel.Duplicate, Ticket: ticket(status.Open)},
		},
	})
}

func TestRouteEmail(t *testing.T) {
	t.Parallel()
	const ann = "ann@example.com"
	// thread opens an email ticket for ann holding the given message IDs.
	thread := func(m *memStore, s status.Status, ids ...string) int64 {
		n := m.open(channel.Email, "email:"+ann, s)
		for _, id := range ids {
			m.hold(channel.Email, id, n)
		}
		return n
	}
	ticket := func(n int64, s status.Status) channel.TicketRef {
		return channel.TicketRef{Number: n, Kind: channel.Email, Status: s, Customer: "email:" + ann}
	}
	runRoute(t, []routeCase{
		{
			name: "no reference opens a ticket",
			in:   email(ann, "m1@example.com", nil, nil, "Where is my order?"),
			want: channel.Decision{Action: channel.New},
		},
		{
			name:  "In-Reply-To joins the open thread",
			setup: func(m *memStore) { thread(m, status.Open, "m1@example.com", "r1@shop.com") },
			in:    email(ann, "m2@example.com", []string{"r1@shop.com"}, []string{"m1@example.com", "r1@shop.com"}, "Re: Where is my order?"),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(1, status.Open)},
		},
		{
			// Route never looks at when a ticket closed: a year is no different from a minute.
			name:  "a reply to a year-old closed thread reopens it",
			setup: func(m *memStore) { thread(m, status.Closed, "m1@example.com", "r1@shop.com") },
			in:    email(ann, "m9@example.com", []string{"r1@shop.com"}, []string{"m1@example.com", "r1@shop.com"}, "Re: last year's order"),
			want:  channel.Decision{Action: channel.Reopen, Ticket: ticket(1, status.Closed)},
		},
		{
			name:  "a reply wakes a snoozed thread",
			setup: func(m *memStore) { thread(m, status.Snoozed, "r1@shop.com") },
			in:    email(ann, "m2@example.com", []string{"r1@shop.com"}, nil, "Re: order"),
			want:  channel.Decision{Action: channel.Wake, Ticket: ticket(1, status.Snoozed)},
		},
		{
			name:  "a reply quoting only References threads",
			setup: func(m *memStore) { thread(m, status.Open, "r1@shop.com") },
			in:    email(ann, "m2@example.com", nil, []string{"unknown-root@elsewhere", "r1@shop.com", "unknown-new@elsewhere"}, "Re: order"),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(1, status.Open)},
		},
		{
			name: "References are asked newest first",
			setup: func(m *memStore) {
				thread(m, status.Open, "old@shop.com")
				thread(m, status.Open, "new@shop.com")
			},
			in:   email(ann, "m2@example.com", nil, []string{"old@shop.com", "new@shop.com"}, "Re: order"),
			want: channel.Decision{Action: channel.Append, Ticket: ticket(2, status.Open)},
		},
		{
			name: "In-Reply-To comes before References",
			setup: func(m *memStore) {
				thread(m, status.Open, "parent@shop.com")
				thread(m, status.Open, "newest-ref@shop.com")
			},
			in:   email(ann, "m2@example.com", []string{"parent@shop.com"}, []string{"newest-ref@shop.com"}, "Re: order"),
			want: channel.Decision{Action: channel.Append, Ticket: ticket(1, status.Open)},
		},
		{
			name:  "the same subject alone never threads",
			setup: func(m *memStore) { thread(m, status.Open, "m1@example.com") },
			in:    email(ann, "m2@example.com", nil, nil, "Where is my order?"),
			want:  channel.Decision{Action: channel.New},
		},
		{
			name:  "a ticket token from the ticket's customer joins and reopens",
			setup: func(m *memStore) { thread(m, status.Closed, "m1@example.com") },
			in:    email("Ann@Example.com", "m2@example.com", nil, nil, "Re: Where is my order? [#1]"),
			want:  channel.Decision{Action: channel.Reopen, Ticket: ticket(1, status.Closed)},
		},
		{
			name:  "a ticket token from someone else does not join",
			setup: func(m *memStore) { thread(m, status.Open, "m1@example.com") },
			in:    email("bob@example.com", "m2@example.com", nil, nil, "Re: Where is my order? [#1]"),
			want:  channel.Decision{Action: channel.New},
		},
		{
			name:  "a ticket token naming no ticket does not join",
			setup: func(m *memStore) { thread(m, status.Open, "m1@example.com") },
			in:    email(ann, "m2@example.com", nil, nil, "Re: [#7]"),
			want:  channel.Decision{Action: channel.New},
		},
		{
			name:  "a ticket token naming the customer's SMS ticket does not join",
			setup: func(m *memStore) { m.open(channel.SMS, "profile:p1", status.Open) },
			in:    withProfile(email(ann, "m2@example.com", nil, nil, "About [#1]"), "p1"),
			want:  channel.Decision{Action: channel.New},
		},
		{
			name:  "a second delivery is a duplicate",
			setup: func(m *memStore) { thread(m, status.Open, "m1@example.com") },
			in:    email(ann, "m1@example.com", nil, nil, "Where is my order?"),
			want:  channel.Decision{Action: channel.Duplicate, Ticket: ticket(1, status.Open)},
		},
		{
			name:  "a copy of the inbox's own reply is a duplicate",
			setup: func(m *memStore) { thread(m, status.Closed, "m1@example.com", "r1@shop.com") },
			in:    email("support@shop.com", "r1@shop.com", []string{"m1@example.com"}, []string{"m1@example.com"}, "Re: order"),
			want:  channel.Decision{Action: channel.Duplicate, Ticket: ticket(1, status.Closed)},
		},
		{
			name:  "a bounce is dropped even when it refers to a known message",
			setup: func(m *memStore) { thread(m, status.Open, "r1@shop.com") },
			in:    email("MAILER-DAEMON@mx.example.com", "b1@mx.example.com", []string{"r1@shop.com"}, nil, "Undelivered Mail Returned to Sender"),
			want:  channel.Decision{Action: channel.Drop, Auto: channel.Bounce},
		},
		{
			name:  "an out-of-office answer joins a closed thread without reopening it",
			setup: func(m *memStore) { thread(m, status.Closed, "r1@shop.com") },
			in:    edit(email(ann, "ooo@example.com", []string{"r1@shop.com"}, nil, "Out of office"), func(in *channel.Inbound) { in.Email.AutoSubmitted = "auto-replied" }),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(1, status.Closed), Auto: channel.AutoReply},
		},
		{
			name:  "an automatic message does not wake a snoozed thread",
			setup: func(m *memStore) { thread(m, status.Snoozed, "r1@shop.com") },
			in:    edit(email(ann, "n1@example.com", []string{"r1@shop.com"}, nil, "Re: order"), func(in *channel.Inbound) { in.Email.Precedence = "bulk" }),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(1, status.Snoozed), Auto: channel.AutoGenerated},
		},
		{
			name: "an automatic message referring to nothing opens a ticket, marked",
			in:   edit(email("noreply@carrier.example", "n1@carrier.example", nil, nil, "Your parcel"), func(in *channel.Inbound) { in.Email.AutoSubmitted = "auto-generated" }),
			want: channel.Decision{Action: channel.New, Auto: channel.AutoGenerated},
		},
	})
}

func TestRouteSMS(t *testing.T) {
	t.Parallel()
	const phone = "+447911123456"
	// customer opens the one SMS ticket of phone.
	customer := func(m *memStore, s status.Status) int64 {
		n := m.open(channel.SMS, "sms:"+phone, s)
		m.threads[channel.SMS][phone] = n
		m.hold(channel.SMS, "SM0", n)
		return n
	}
	ticket := func(s status.Status) channel.TicketRef {
		return channel.TicketRef{Number: 1, Kind: channel.SMS, Status: s, Customer: "sms:" + phone}
	}
	arret, err := channel.KeywordSet{}.With(channel.OptOut, "arrêt")
	if err != nil {
		t.Fatal(err)
	}
	runRoute(t, []routeCase{
		{
			name: "the first text opens the customer's ticket",
			in:   text(phone, "SM1", "Hi, my parcel is late"),
			want: channel.Decision{Action: channel.New},
		},
		{
			name:  "every text goes to the one open ticket",
			setup: func(m *memStore) { customer(m, status.Open) },
			in:    text(phone, "SM1", "any news?"),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(status.Open)},
		},
		{
			name:  "a text reopens the closed ticket",
			setup: func(m *memStore) { customer(m, status.Closed) },
			in:    text(phone, "SM1", "me again"),
			want:  channel.Decision{Action: channel.Reopen, Ticket: ticket(status.Closed)},
		},
		{
			name:  "a text wakes the snoozed ticket",
			setup: func(m *memStore) { customer(m, status.Snoozed) },
			in:    text(phone, "SM1", "me again"),
			want:  channel.Decision{Action: channel.Wake, Ticket: ticket(status.Snoozed)},
		},
		{
			name:  "the ticket is the number's, whatever profile the host names",
			setup: func(m *memStore) { customer(m, status.Open) },
			in:    withProfile(text(phone, "SM1", "hello"), "p1"),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(status.Open)},
		},
		{
			name:  "a keyword with spaces and lower case makes no ticket",
			setup: func(m *memStore) { customer(m, status.Open) },
			in:    text(phone, "SM1", "  stop \n"),
			want:  channel.Decision{Action: channel.Keyword, Keyword: "STOP", KeywordClass: channel.OptOut},
		},
		{
			name: "opt out in two words",
			in:   text(phone, "SM1", "Opt out"),
			want: channel.Decision{Action: channel.Keyword, Keyword: "OPTOUT", KeywordClass: channel.OptOut},
		},
		{
			name: "help",
			in:   text(phone, "SM1", "help"),
			want: channel.Decision{Action: channel.Keyword, Keyword: "HELP", KeywordClass: channel.Help},
		},
		{
			name:  "a keyword inside a sentence is a message",
			setup: func(m *memStore) { customer(m, status.Open) },
			in:    text(phone, "SM1", "please stop the order"),
			want:  channel.Decision{Action: channel.Append, Ticket: ticket(status.Open)},
		},
		{
			name: "an empty keyword set turns keywords off",
			in:   text(phone, "SM1", "STOP"),
			opts: []channel.Option{channel.WithKeywords(channel.KeywordSet{})},
			want: channel.Decision{Action: channel.New},
		},
		{
			name: "a configured keyword",
			in:   text(phone, "SM1", "Arrêt"),
			opts: []channel.Option{channel.WithKeywords(arret)},
			want: channel.Decision{Action: channel.Keyword, Keyword: "ARRÊT", KeywordClass: channel.OptOut},
		},
		{
			name:  "a second delivery is a duplicate",
			setup: func(m *memStore) { customer(m, status.Open) },
			in:    text(phone, "SM0", "Hi, my parcel is late"),
			want:  channel.Decision{Action: channel.Duplicate, Ticket: ticket(status.Open)},
		},
	})
}

func TestRouteErrors(t *testing.T) {
	t.Parallel()
	bad := newMemStore()
	bad.threads[channel.SMS]["+447911123456"] = bad.open(channel.SMS, "sms:+447911123456", 0)

	cases := []struct {
		name  string
		in    channel.Inbound
		known channel.Lookup
		is    error  // what the error must match
		field string // the field a *FieldError must name, if any
	}{
		{"invalid inbound", channel.Inbound{Body: "hi"}, newMemStore(), channel.ErrInvalid, "Kind"},
		{"nil lookup", chat("c1", "v1", "hi"), nil, channel.ErrInvalid, "Lookup"},
		{"store down on a duplicate check", text("+447911123456", "SM1", "hi"), failing{}, errDown, ""},
		{"store down on a thread", chat("c1", "v1", "hi"), failing{}, errDown, ""},
		{"store down on a reference", email("a@b.example", "m1@b", []string{"r@x"}, nil, ""), failing{}, errDown, ""},
		{"store down on a ticket token", email("a@b.example", "m1@b", nil, nil, "Re: [#1]"), ticketDown{newMemStore()}, errDown, ""},
		{"ticket with invalid status", text("+447911123456", "SM1", "hi"), bad, channel.ErrInvalid, "Lookup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := channel.Route(&tc.in, tc.known)
			if !errors.Is(err, tc.is) {
				t.Fatalf("Route error = %v, want %v", err, tc.is)
			}
			if diff := cmp.Diff(channel.Decision{}, d); diff != "" {
				t.Errorf("decision on error is not zero (-want +got)\n%s", diff)
			}
			var fe *channel.FieldError
			if tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
				t.Errorf("error %v does not name field %q", err, tc.field)
			}
		})
	}
	t.Run("nil inbound", func(t *testing.T) {
		t.Parallel()
		d, err := channel.Route(nil, newMemStore())
		var fe *channel.FieldError
		if !errors.Is(err, channel.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "Inbound" {
			t.Fatalf("Route(nil) error = %v, want a *FieldError naming Inbound", err)
		}
		if diff := cmp.Diff(channel.Decision{}, d); diff != "" {
			t.Errorf("decision on error is not zero (-want +got)\n%s", diff)
		}
	})
}

// ticketDown is a Lookup that fails only to find tickets by number.
type ticketDown struct{ *memStore }

func (ticketDown) Ticket(int64) (channel.TicketRef, bool, error) { return failing{}.Ticket(0) }

func TestDecisionEvent(t *testing.T) {
	t.Parallel()
	type result struct {
		Event status.Event
		OK    bool
	}
	want := map[channel.Action]result{
		channel.Reopen: {status.Reopen, true},
		channel.Wake:   {status.Wake, true},
	}
	for a := channel.Action(0); a <= channel.Drop+1; a++ {
		e, ok := channel.Decision{Action: a}.Event()
		if diff := cmp.Diff(want[a], result{e, ok}); diff != "" {
			t.Errorf("Event of %v (-want +got)\n%s", a, diff)
		}
	}
}
