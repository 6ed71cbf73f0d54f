package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

var ticketTests = []behaviour{
	{"Tickets/CreateNumbersFromOne", testCreateNumbers},
	{"Tickets/EveryFieldRoundTrips", testTicketFields},
	{"Tickets/NotFound", testTicketNotFound},
	{"Tickets/Put", testPutTicket},
	{"Tickets/PutKeepsIdentity", testPutKeepsIdentity},
	{"Tickets/Invalid", testTicketInvalid},
	{"Tickets/ValuesAreCopies", testTicketCopies},
	{"Tickets/ByKey", testTicketByKey},
	{"Tickets/OneSMSTicketPerKey", testSMSKeyUnique},
	{"Tickets/CustomerTickets", testCustomerTickets},
}

// fullTicket has every field set.
func fullTicket() inbox.Ticket {
	return inbox.Ticket{
		Number: 99, Channel: channel.Email, Customer: "email:ana@example.com", Subject: "Refund",
		Status: status.Snoozed, Assignee: "ann", Tags: []string{"billing", "vip"}, Unread: true,
		CreatedAt: at(1), ActiveAt: at(2), SnoozedUntil: at(60), FirstResponseAt: at(3), ClosedAt: at(4),
		LastCustomerAt: at(5), LastReplyAt: at(6), NewReplies: 2, CustomerAway: true, FollowUpAt: at(7), FollowedUpAt: at(8), NotifiedAt: at(9),
	}
}

func testCreateNumbers(t *testing.T, s inbox.Store) {
	in := []inbox.Ticket{
		newTicket(channel.WebChat, "webchat:v1", "c1", 0),
		newTicket(channel.SMS, "sms:+15550001", "+15550001", 1),
		newTicket(channel.Email, "email:a@example.com", "", 2),
	}
	got := create(t, s, acme, in...)
	for i := range in {
		in[i].Number = int64(i + 1)
	}
	diff(t, "created tickets", in, got)
	next := create(t, s, acme, newTicket(channel.WebChat, "webchat:v2", "c2", 3))
	if next[0].Number != 4 {
		t.Fatalf("the next transaction's ticket is %d, want 4", next[0].Number)
	}
	view(t, s, acme, func(tx inbox.ReadTx) {
		for _, want := range in {
			diff(t, "Ticket", want, try(tx.Ticket(want.Number)).must(t))
		}
	})
}

func testTicketFields(t *testing.T, s inbox.Store) {
	want := fullTicket()
	got := create(t, s, acme, want)[0]
	want.Number = 1 // CreateTicket ignores the number it is given
	diff(t, "CreateTicket", want, got)
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Ticket", want, try(tx.Ticket(1)).must(t))
	})
}

func testTicketNotFound(t *testing.T, s inbox.Store) {
	view(t, s, acme, func(tx inbox.ReadTx) { try(tx.Ticket(1)).fails(t, inbox.ErrNotFound) })
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v1", "c1", 0))
	view(t, s, acme, func(tx inbox.ReadTx) {
		for _, n := range []int64{math.MinInt64, -1, 0, 2, math.MaxInt64} {
			try(tx.Ticket(n)).fails(t, inbox.ErrNotFound)
			try(tx.History(n)).fails(t, inbox.ErrNotFound)
			try(tx.Messages(n, 1, 1)).fails(t, inbox.ErrNotFound)
		}
	})
	update(t, s, acme, func(tx inbox.Tx) {
		tk := newTicket(channel.WebChat, "webchat:v1", "c1", 0)
		for _, n := range []int64{0, 2} {
			tk.Number = n
			isErr(t, tx.PutTicket(tk), inbox.ErrNotFound)
		}
	})
}

func testPutTicket(t *testing.T, s inbox.Store) {
	tk := create(t, s, acme, newTicket(channel.Email, "email:a@example.com", "", 0), newTicket(channel.SMS, "sms:+1", "+1", 1))[0]
	tk.Subject, tk.Status, tk.Assignee, tk.Tags, tk.Unread = "Re: order", status.Closed, "bob", []string{"bug"}, false
	tk.CreatedAt, tk.ActiveAt, tk.FirstResponseAt, tk.ClosedAt = at(-5), at(10), at(9), at(11)
	tk.LastCustomerAt, tk.LastReplyAt, tk.NewReplies, tk.CustomerAway = at(8), at(9), math.MaxInt32, true
	tk.FollowUpAt, tk.FollowedUpAt, tk.NotifiedAt = at(12), at(7), at(8)
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutTicket(tk))
		diff(t, "Ticket in the writing transaction", tk, try(tx.Ticket(1)).must(t))
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Ticket", tk, try(tx.Ticket(1)).must(t))
		if other := try(tx.Ticket(2)).must(t); other.Status != status.Open || other.Channel != channel.SMS {
			t.Fatalf("PutTicket of 1 changed ticket 2: %+v", other)
		}
	})
	// Zero times, 0 and false stay so.
	tk.FirstResponseAt, tk.ClosedAt, tk.LastCustomerAt, tk.LastReplyAt, tk.NewReplies = time.Time{}, time.Time{}, time.Time{}, time.Time{}, 0
	tk.CustomerAway, tk.FollowUpAt, tk.FollowedUpAt, tk.NotifiedAt = false, time.Time{}, time.Time{}, time.Time{}
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutTicket(tk)) })
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "Ticket with its times cleared", tk, try(tx.Ticket(1)).must(t)) })
}

func testPutKeepsIdentity(t *testing.T, s inbox.Store) {
	tk := create(t, s, acme, newTicket(channel.WebChat, "webchat:v1", "c1", 0))[0]
	for _, change := range []func(*inbox.Ticket){
		func(x *inbox.Ticket) { x.Channel = channel.SMS },
		func(x *inbox.Ticket) { x.Customer = "webchat:v2" },
		func(x *inbox.Ticket) { x.Key = "c2" },
	} {
		changed := tk
		change(&changed)
		update(t, s, acme, func(tx inbox.Tx) { isErr(t, tx.PutTicket(changed), inbox.ErrInvalid) })
	}
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "Ticket", tk, try(tx.Ticket(1)).must(t)) })
}

func testTicketInvalid(t *testing.T, s inbox.Store) {
	good := create(t, s, acme, newTicket(channel.WebChat, "webchat:v1", "c1", 0))[0]
	for name, bad := range map[string]func(*inbox.Ticket){
		"zero status":             func(x *inbox.Ticket) { x.Status = 0 },
		"status 9":                func(x *inbox.Ticket) { x.Status = 9 },
		"zero channel":            func(x *inbox.Ticket) { x.Channel = 0 },
		"channel 9":               func(x *inbox.Ticket) { x.Channel = 9 },
		"channel empty":           func(x *inbox.Ticket) { x.Channel, x.Key = 0, "" },
		"new replies -1":          func(x *inbox.Ticket) { x.NewReplies = -1 },
		"new replies above int32": func(x *inbox.Ticket) { x.NewReplies = math.MaxInt32 + 1 },
	} {
		tk := good
		bad(&tk)
		update(t, s, acme, func(tx inbox.Tx) {
			if _, err := tx.CreateTicket(tk); err == nil {
				t.Errorf("%s: CreateTicket succeeded", name)
			} else {
				isErr(t, err, inbox.ErrInvalid)
			}
			if err := tx.PutTicket(tk); err == nil {
				t.Errorf("%s: PutTicket succeeded", name)
			} else {
				isErr(t, err, inbox.ErrInvalid)
			}
		})
	}
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Ticket", good, try(tx.Ticket(1)).must(t))
		try(tx.Ticket(2)).fails(t, inbox.ErrNotFound)
	})
}

func testTicketCopies(t *testing.T, s inbox.Store) {
	in := fullTicket()
	want := in
	want.Number, want.Tags = 1, []string{"billing", "vip"}
	update(t, s, acme, func(tx inbox.Tx) {
		if n := try(tx.CreateTicket(in)).must(t); n != 1 {
			t.Errorf("CreateTicket numbered the first ticket %d", n)
		}
		in.Tags[0], in.Tags[1] = "changed by the caller", "changed by the caller"
		diff(t, "Ticket after changing what went in", want, try(tx.Ticket(1)).must(t))
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		tk := try(tx.Ticket(1)).must(t)
		tk.Tags[0] = "changed by the caller"
		diff(t, "Ticket after changing a read copy", want, try(tx.Ticket(1)).must(t))
	})
}

func testTicketByKey(t *testing.T, s inbox.Store) {
	create(t, s, acme,
		newTicket(channel.WebChat, "webchat:v1", "conv-1", 0),
		newTicket(channel.WebChat, "webchat:v2", "conv-2", 1),
		newTicket(channel.Email, "email:a@example.com", "", 2),
	)
	// A conversation that outlives its closed ticket gets a new one, the
	// newest with the key.
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v1", "conv-1", 3))
	view(t, s, acme, func(tx inbox.ReadTx) {
		for _, c := range []struct {
			kind channel.Kind
			key  string
			want int64
		}{{channel.WebChat, "conv-1", 4}, {channel.WebChat, "conv-2", 2}} {
			if got := try(tx.TicketByKey(c.kind, c.key)).must(t); got.Number != c.want {
				t.Errorf("TicketByKey(%v, %q) = ticket %d, want %d", c.kind, c.key, got.Number, c.want)
			}
		}
		try(tx.TicketByKey(channel.SMS, "conv-1")).fails(t, inbox.ErrNotFound)
		try(tx.TicketByKey(channel.WebChat, "conv-3")).fails(t, inbox.ErrNotFound)
		try(tx.TicketByKey(channel.Email, "")).fails(t, inbox.ErrNotFound)
		diff(t, "TicketByKey", try(tx.Ticket(2)).must(t), try(tx.TicketByKey(channel.WebChat, "conv-2")).must(t))
	})
}

func testSMSKeyUnique(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.SMS, "sms:+15550001", "+15550001", 0))
	err := s.Update(t.Context(), acme, func(tx inbox.Tx) error {
		_, err := tx.CreateTicket(newTicket(channel.SMS, "profile:p1", "+15550001", 1))
		return err
	})
	isErr(t, err, inbox.ErrConflict)
	// The same key on another channel, and SMS tickets without a key, do
	// not conflict.
	create(t, s, acme,
		newTicket(channel.WebChat, "webchat:v1", "+15550001", 2),
		newTicket(channel.SMS, "sms:+15550002", "", 3),
		newTicket(channel.SMS, "sms:+15550003", "", 4),
	)
	view(t, s, acme, func(tx inbox.ReadTx) {
		if n := try(tx.Count(inbox.Filter{Statuses: []status.Status{status.Open}})).must(t); n != 4 {
			t.Fatalf("%d tickets, want 4", n)
		}
		if got := try(tx.TicketByKey(channel.SMS, "+15550001")).must(t); got.Number != 1 {
			t.Fatalf("TicketByKey(sms) = ticket %d, want 1", got.Number)
		}
	})
}

func testCustomerTickets(t *testing.T, s inbox.Store) {
	create(t, s, acme,
		newTicket(channel.WebChat, "profile:p1", "c1", 0),
		newTicket(channel.SMS, "profile:p1", "+1", 1),
		newTicket(channel.Email, "email:b@example.com", "", 2),
	)
	create(t, s, acme, newTicket(channel.Email, "profile:p1", "", 3))
	view(t, s, acme, func(tx inbox.ReadTx) {
		for customer, want := range map[string]int{"profile:p1": 3, "email:b@example.com": 1, "profile:nobody": 0, "": 0} {
			if got := try(tx.CustomerTickets(customer)).must(t); got != want {
				t.Errorf("CustomerTickets(%q) = %d, want %d", customer, got, want)
			}
		}
	})
}
