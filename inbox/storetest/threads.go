package storetest

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

var threadTests = []behaviour{
	{"Messages/Add", testAddMessage},
	{"Messages/Pages", testMessagePages},
	{"Messages/UniqueIDs", testMessageIDs},
	{"Messages/NotFoundAndInvalid", testMessageErrors},
}

var eventTests = []behaviour{
	{"Events/EveryFieldRoundTrips", testEventFields},
	{"Events/MessageAsGiven", testEventMessageAsGiven},
	{"Events/History", testHistory},
	{"Events/Outbox", testOutbox},
	{"Events/ByTime", testEventsByTime},
	{"Events/Delivered", testDelivered},
	{"Events/Pending", testPending},
	{"Events/Invalid", testEventErrors},
}

// message returns message i of ticket n, at minute i.
func message(n int64, i int, id string) inbox.Message {
	return inbox.Message{Ticket: n, Direction: inbox.Inbound, Author: "webchat:v", ID: id, Body: fmt.Sprintf("message %d", i), At: at(i)}
}

// thread adds count messages to ticket n and returns them.
func thread(t *testing.T, s inbox.Store, n int64, count int) []inbox.Message {
	out := make([]inbox.Message, count)
	update(t, s, acme, func(tx inbox.Tx) {
		for i := range out {
			out[i] = added(t, tx, channel.WebChat, message(n, i, fmt.Sprintf("t%d-m%d", n, i)))
		}
	})
	return out
}

func testAddMessage(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.Email, "email:a@example.com", "", 0), newTicket(channel.Email, "email:b@example.com", "", 1))
	full := inbox.Message{
		Ticket: 2, Index: 42, Direction: inbox.Outbound, Author: "ann", ID: "<r1@example.com>", Body: "Hello\nagain",
		At: at(3), Automatic: true, Attribution: &channel.Sent{ID: "C1", Origin: channel.Flow, At: at(-90), Attributed: true},
	}
	third := message(1, 1, "")
	third.Attribution = &channel.Sent{ID: "C2", Origin: channel.Campaign, At: at(-30)}
	var got []inbox.Message
	update(t, s, acme, func(tx inbox.Tx) {
		got = append(got, added(t, tx, channel.Email, message(1, 0, "<a@example.com>")))
		got = append(got, added(t, tx, channel.Email, full))
		got = append(got, added(t, tx, channel.Email, third))
	})
	first, second := message(1, 0, "<a@example.com>"), full
	second.Index, third.Index = 0, 1 // AddMessage ignores the Index it is given
	second.Attribution, third.Attribution = ptr(*full.Attribution), ptr(*third.Attribution)
	diff(t, "AddMessage", []inbox.Message{first, second, third}, got)
	full.Attribution.ID, got[2].Attribution.ID = "changed by the caller", "changed by the caller"
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Messages(1)", []inbox.Message{third, first}, try(tx.Messages(1, math.MaxInt, 10)).must(t))
		diff(t, "Messages(2)", []inbox.Message{second}, try(tx.Messages(2, math.MaxInt, 10)).must(t))
		read := try(tx.Messages(2, math.MaxInt, 10)).must(t)
		read[0].Attribution.ID = "changed by the caller"
		diff(t, "Messages(2) after changing a read copy", []inbox.Message{second}, try(tx.Messages(2, math.MaxInt, 10)).must(t))
		if n := try(tx.TicketByMessage(channel.Email, "<r1@example.com>")).must(t); n != 2 {
			t.Fatalf("TicketByMessage = %d, want 2", n)
		}
		if n := try(tx.TicketByMessage(channel.Email, "<a@example.com>")).must(t); n != 1 {
			t.Fatalf("TicketByMessage = %d, want 1", n)
		}
		try(tx.TicketByMessage(channel.SMS, "<a@example.com>")).fails(t, inbox.ErrNotFound)
		try(tx.TicketByMessage(channel.Email, "")).fails(t, inbox.ErrNotFound)
	})
}

func testMessagePages(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v", "c1", 0))
	all := thread(t, s, 1, 7)
	view(t, s, acme, func(tx inbox.ReadTx) {
		var got []inbox.Message
		for before := math.MaxInt; ; {
			page := try(tx.Messages(1, before, 3)).must(t)
			if len(page) > 3 {
				t.Fatalf("page of %d messages, limit 3", len(page))
			}
			got = append(got, page...)
			if len(page) < 3 {
				break
			}
			before = page[len(page)-1].Index
		}
		want := make([]inbox.Message, len(all))
		for i, m := range all {
			want[len(all)-1-i] = m
		}
		diff(t, "the thread, page by page", want, got)
		diff(t, "Messages before 4", []inbox.Message{all[3], all[2]}, try(tx.Messages(1, 4, 2)).must(t))
		diff(t, "Messages before 0", []inbox.Message(nil), try(tx.Messages(1, 0, 2)).must(t))
		diff(t, "Messages past the end", []inbox.Message{all[6]}, try(tx.Messages(1, 100, 1)).must(t))
		diff(t, "Messages with the largest limit", want, try(tx.Messages(1, math.MaxInt, math.MaxInt)).must(t))
	})
}

func testMessageIDs(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.SMS, "sms:+1", "+1", 0), newTicket(channel.SMS, "sms:+2", "+2", 1))
	update(t, s, acme, func(tx inbox.Tx) {
		try(tx.AddMessage(channel.SMS, message(1, 0, "SM1"))).must(t)
		try(tx.AddMessage(channel.SMS, message(1, 1, ""))).must(t)
		try(tx.AddMessage(channel.SMS, message(2, 0, ""))).must(t) // empty IDs never conflict
		try(tx.AddMessage(channel.Email, message(2, 1, "SM1"))).must(t)
	})
	for _, n := range []int64{1, 2} {
		err := s.Update(t.Context(), acme, func(tx inbox.Tx) error {
			_, err := tx.AddMessage(channel.SMS, message(n, 5, "SM1"))
			return err
		})
		isErr(t, err, inbox.ErrConflict)
	}
	view(t, s, acme, func(tx inbox.ReadTx) {
		for n, want := range map[int64]int{1: 2, 2: 2} {
			if got := len(try(tx.Messages(n, math.MaxInt, 10)).must(t)); got != want {
				t.Errorf("ticket %d has %d messages, want %d", n, got, want)
			}
		}
		if n := try(tx.TicketByMessage(channel.Email, "SM1")).must(t); n != 2 {
			t.Errorf("TicketByMessage(email, SM1) = %d, want 2", n)
		}
	})
}

func testMessageErrors(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v", "c1", 0))
	update(t, s, acme, func(tx inbox.Tx) {
		for _, n := range []int64{0, 2, -1} {
			try(tx.AddMessage(channel.WebChat, message(n, 0, "m"))).fails(t, inbox.ErrNotFound)
		}
		for _, k := range []channel.Kind{0, 9} {
			try(tx.AddMessage(k, message(1, 0, "m"))).fails(t, inbox.ErrInvalid)
		}
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		try(tx.Messages(2, math.MaxInt, 1)).fails(t, inbox.ErrNotFound)
		try(tx.Messages(1, math.MaxInt, 0)).fails(t, inbox.ErrInvalid)
		try(tx.Messages(1, -1, 1)).fails(t, inbox.ErrInvalid)
		diff(t, "Messages", []inbox.Message(nil), try(tx.Messages(1, math.MaxInt, 5)).must(t))
		try(tx.TicketByMessage(channel.WebChat, "m")).fails(t, inbox.ErrNotFound)
	})
}

// fullEvents returns events, most of ticket 1, that set every field
// between them; m is the last message of ticket 1.
func fullEvents(m inbox.Message) []inbox.Event {
	online := assign.Online
	reply := inbox.Message{Ticket: 1, Index: 3, Direction: inbox.Outbound, Author: "bob", Body: "Still there?", At: at(8)}
	auto := inbox.Message{Ticket: 1, Index: 4, Direction: inbox.Outbound, Body: "We are away", At: at(9), Automatic: true}
	sms := inbox.Message{Ticket: 1, Index: 5, Direction: inbox.Inbound, Author: "sms:+15550001", ID: "SM9", Body: "YES", At: at(10),
		Attribution: &channel.Sent{ID: "C1", Origin: channel.Campaign, At: at(-30), Attributed: true}}
	return []inbox.Event{
		{Type: inbox.TicketCreated, At: at(1), Ticket: 1,
			Decision: &assign.Decision{Closed: true, Seq: 3, Offline: 2}},
		{Type: inbox.MessageReceived, At: at(1), Ticket: 1, Message: &m},
		{Type: inbox.TicketAssigned, At: at(2), Ticket: 1, Actor: "ann", Assignee: "bob",
			Decision: &assign.Decision{Agent: "bob", Seq: 4, Eligible: 3, Offline: 1, AtCapacity: 2, OutsideHours: 1}},
		{Type: inbox.StatusChanged, At: at(3), Ticket: 1, Actor: "bob", From: status.Open, To: status.Snoozed, Status: status.Snooze},
		{Type: inbox.TagsChanged, At: at(4), Ticket: 1, Actor: "bob", Tags: []string{"billing", "vip"}},
		{Type: inbox.ReplySent, At: at(5), Ticket: 1, Actor: "bob", Message: &inbox.Message{
			Ticket: 1, Index: 7, Direction: inbox.Outbound, Author: "bob", ID: "<x@example.com>", Body: "not stored", At: at(5),
		}},
		{Type: inbox.KeywordReceived, At: at(6), Keyword: "STOP", Message: &inbox.Message{Direction: inbox.Inbound, Body: "STOP", At: at(6)}},
		{Type: inbox.PresenceChanged, At: at(7), Actor: "bob", Assignee: "bob", Presence: &online},
		{Type: inbox.FollowUpSent, At: at(11), Ticket: 1, EmailFrom: "support@example.com", EmailTo: "ana@example.com",
			Messages: []inbox.Message{reply, auto, sms}},
		{Type: inbox.FollowUpSkipped, At: at(12), Ticket: 1},
		{Type: inbox.SMSNotification, At: at(13), Ticket: 1, Message: &sms, Recipients: []string{"ann@example.com", "bob@example.com"}},
	}
}

// emit emits events in one transaction and returns them with the Seq Emit
// returned, in inbox id.
func emit(t *testing.T, s inbox.Store, id string, events ...inbox.Event) []inbox.Event {
	out := make([]inbox.Event, len(events))
	update(t, s, id, func(tx inbox.Tx) {
		for i, e := range events {
			e.Seq, e.Inbox = try(tx.Emit(e)).must(t), id
			out[i] = e
		}
	})
	return out
}

// withSeq returns events numbered from first, in inbox id.
func withSeq(id string, first int64, events ...inbox.Event) []inbox.Event {
	out := make([]inbox.Event, len(events))
	for i, e := range events {
		e.Seq, e.Inbox = first+int64(i), id
		out[i] = e
	}
	return out
}

func testEventFields(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v", "c1", 0))
	m := thread(t, s, 1, 1)[0]
	in := fullEvents(m)
	in[0].Seq, in[0].Inbox = 77, "another inbox" // Emit sets both
	want := withSeq(acme, 1, fullEvents(m)...)
	diff(t, "Emit", want, emit(t, s, acme, in...))
	var history []inbox.Event
	for _, e := range want {
		if e.Ticket == 1 {
			history = append(history, e)
		}
	}
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Outbox", want, try(tx.Outbox(0, 100)).must(t))
		diff(t, "History", history, try(tx.History(1)).must(t))
		got := try(tx.History(1)).must(t)
		last := got[len(got)-1]
		last.Recipients[0], last.Message.Attribution.ID = "changed by the caller", "changed by the caller"
		got[len(got)-3].Messages[0].Body = "changed by the caller"
		diff(t, "History after changing a read copy", history, try(tx.History(1)).must(t))
	})
}

// testEventMessageAsGiven emits events whose message is the ticket's last
// message with one field changed: each keeps the message it was given.
func testEventMessageAsGiven(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.SMS, "sms:+15550001", "+15550001", 0))
	stored := message(1, 0, "SM1")
	stored.Attribution = &channel.Sent{ID: "C1", Origin: channel.Campaign, At: at(-30), Attributed: true}
	update(t, s, acme, func(tx inbox.Tx) { stored = added(t, tx, channel.SMS, stored) })
	var in []inbox.Event
	for _, change := range []func(m *inbox.Message){
		func(*inbox.Message) {},
		func(m *inbox.Message) { m.Automatic = true },
		func(m *inbox.Message) { m.Direction = inbox.Outbound },
		func(m *inbox.Message) { m.At = at(1) },
		func(m *inbox.Message) { m.Body = "another body" },
		func(m *inbox.Message) { m.Attribution = nil },
		func(m *inbox.Message) { m.Attribution.ID = "C2" },
		func(m *inbox.Message) { m.Attribution.Origin = channel.Flow },
		func(m *inbox.Message) { m.Attribution.At = at(-31) },
		func(m *inbox.Message) { m.Attribution.Attributed = false },
	} {
		m := stored
		m.Attribution = ptr(*stored.Attribution)
		change(&m)
		in = append(in, inbox.Event{Type: inbox.MessageReceived, At: at(0), Ticket: 1, Message: &m})
	}
	want := withSeq(acme, 1, in...)
	emit(t, s, acme, in...)
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "History", want, try(tx.History(1)).must(t)) })
}

func testHistory(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v", "c1", 0), newTicket(channel.WebChat, "webchat:v", "c2", 0),
		newTicket(channel.WebChat, "webchat:v", "c3", 0))
	ev := func(n int64, m int) inbox.Event { return inbox.Event{Type: inbox.TicketCreated, At: at(m), Ticket: n} }
	all := emit(t, s, acme, ev(2, 0), ev(1, 1), inbox.Event{Type: inbox.KeywordReceived, At: at(2), Keyword: "HELP"}, ev(2, 3))
	all = append(all, emit(t, s, acme, ev(1, 4), ev(2, 5))...)
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "History(1)", []inbox.Event{all[1], all[4]}, try(tx.History(1)).must(t))
		diff(t, "History(2)", []inbox.Event{all[0], all[3], all[5]}, try(tx.History(2)).must(t))
		diff(t, "History(3)", []inbox.Event(nil), try(tx.History(3)).must(t))
		try(tx.History(4)).fails(t, inbox.ErrNotFound)
		try(tx.History(0)).fails(t, inbox.ErrNotFound)
	})
}

func testOutbox(t *testing.T, s inbox.Store) {
	var in []inbox.Event
	for i := range 7 {
		in = append(in, inbox.Event{Type: inbox.KeywordReceived, At: at(i), Keyword: fmt.Sprint("K", i)})
	}
	all := emit(t, s, acme, in[:4]...)
	all = append(all, emit(t, s, acme, in[4:]...)...)
	diff(t, "Emit", withSeq(acme, 1, in...), all)
	view(t, s, acme, func(tx inbox.ReadTx) {
		var got []inbox.Event
		for after := int64(0); ; {
			page := try(tx.Outbox(after, 3)).must(t)
			got = append(got, page...)
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].Seq
		}
		diff(t, "the outbox, page by page", all, got)
		diff(t, "Outbox(5, 10)", all[5:], try(tx.Outbox(5, 10)).must(t))
		diff(t, "Outbox(7, 10)", []inbox.Event(nil), try(tx.Outbox(7, 10)).must(t))
		diff(t, "Outbox(MaxInt64, MaxInt)", []inbox.Event(nil), try(tx.Outbox(math.MaxInt64, math.MaxInt)).must(t))
		diff(t, "Outbox(0, MaxInt)", all, try(tx.Outbox(0, math.MaxInt)).must(t))
		try(tx.Outbox(-1, 10)).fails(t, inbox.ErrInvalid)
		try(tx.Outbox(0, 0)).fails(t, inbox.ErrInvalid)
	})
}

func testDelivered(t *testing.T, s inbox.Store) {
	delivered := func() int64 {
		var d int64
		view(t, s, acme, func(tx inbox.ReadTx) { d = try(tx.Delivered()).must(t) })
		return d
	}
	if d := delivered(); d != 0 {
		t.Fatalf("Delivered of a new inbox = %d, want 0", d)
	}
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.SetDelivered(0))
		isErr(t, tx.SetDelivered(1), inbox.ErrInvalid)
	})
	var in []inbox.Event
	for i := range 4 {
		in = append(in, inbox.Event{Type: inbox.KeywordReceived, At: at(i), Keyword: "STOP"})
	}
	all := emit(t, s, acme, in...)
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.SetDelivered(3)) })
	if d := delivered(); d != 3 {
		t.Fatalf("Delivered = %d, want 3", d)
	}
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.SetDelivered(2)) // never back
		isErr(t, tx.SetDelivered(5), inbox.ErrInvalid)
		isErr(t, tx.SetDelivered(-1), inbox.ErrInvalid)
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		d := try(tx.Delivered()).must(t)
		if d != 3 {
			t.Fatalf("Delivered = %d after a lower SetDelivered, want 3", d)
		}
		diff(t, "undelivered", all[3:], try(tx.Outbox(d, 10)).must(t))
	})
}

func testPending(t *testing.T, s inbox.Store) {
	pending := func(want int64) {
		t.Helper()
		view(t, s, acme, func(tx inbox.ReadTx) {
			if got := try(tx.Pending()).must(t); got != want {
				t.Fatalf("Pending = %d, want %d", got, want)
			}
		})
	}
	pending(0)
	var in []inbox.Event
	for i := range 4 {
		in = append(in, inbox.Event{Type: inbox.KeywordReceived, At: at(i), Keyword: "STOP"})
	}
	emit(t, s, acme, in...)
	pending(4)
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.SetDelivered(3)) })
	pending(1)
	fail(t, s, acme, func(tx inbox.Tx) {
		try(tx.Emit(in[0])).must(t)
		try(tx.Emit(in[1])).must(t)
		if got := try(tx.Pending()).must(t); got != 3 {
			t.Fatalf("Pending in the writing transaction = %d, want 3", got)
		}
		ok(t, tx.SetDelivered(6))
	})
	pending(1)
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.SetDelivered(4)) })
	pending(0)
}

func testEventErrors(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.WebChat, "webchat:v", "c1", 0))
	update(t, s, acme, func(tx inbox.Tx) {
		try(tx.Emit(inbox.Event{At: at(0), Ticket: 1})).fails(t, inbox.ErrInvalid)
		try(tx.Emit(inbox.Event{Type: 200, At: at(0)})).fails(t, inbox.ErrInvalid)
		try(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: at(0), Ticket: 2})).fails(t, inbox.ErrNotFound)
		try(tx.Emit(inbox.Event{Type: inbox.TicketCreated, At: at(0), Ticket: -1})).fails(t, inbox.ErrNotFound)
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Outbox", []inbox.Event(nil), try(tx.Outbox(0, 10)).must(t))
	})
}

// testEventsByTime emits events whose times go back and forth, in two
// inboxes, and reads them back by time range and type.
func testEventsByTime(t *testing.T, s inbox.Store) {
	create(t, s, acme, newTicket(channel.SMS, "sms:+15550001", "+15550001", 0))
	minutes := []int{5, 1, 9, 5, 0, 12, 3}
	var in []inbox.Event
	for i, m := range minutes {
		typ := []inbox.EventType{inbox.TicketAssigned, inbox.PresenceChanged}[i%2]
		e := inbox.Event{Type: typ, At: at(m), Assignee: "ali"}
		if typ == inbox.TicketAssigned {
			e.Ticket = 1
		} else {
			e.Presence = ptr(assign.Online)
		}
		in = append(in, e)
	}
	in = append(in, inbox.Event{Type: inbox.KeywordReceived, Keyword: "STOP"}) // no time
	all := emit(t, s, acme, in...)
	emit(t, s, globex, inbox.Event{Type: inbox.KeywordReceived, At: at(5), Keyword: "HELP"})
	pick := func(keep func(e inbox.Event) bool) []inbox.Event {
		var out []inbox.Event
		for _, e := range all {
			if keep(e) {
				out = append(out, e)
			}
		}
		return out
	}
	inRange := func(from, to int) func(e inbox.Event) bool {
		return func(e inbox.Event) bool { return !e.At.Before(at(from)) && e.At.Before(at(to)) }
	}
	for _, c := range []struct {
		name string
		f    inbox.EventFilter
		want []inbox.Event
	}{
		{"everything", inbox.EventFilter{}, all},
		{"a range", inbox.EventFilter{From: at(1), To: at(9)}, pick(inRange(1, 9))},
		{"an empty range", inbox.EventFilter{From: at(9), To: at(9)}, nil},
		{"up to", inbox.EventFilter{To: at(5)}, pick(func(e inbox.Event) bool { return e.At.Before(at(5)) })},
		{"from", inbox.EventFilter{From: at(5)}, pick(func(e inbox.Event) bool { return !e.At.Before(at(5)) })},
		{"one type", inbox.EventFilter{From: at(0), To: at(100), Types: []inbox.EventType{inbox.PresenceChanged}},
			pick(func(e inbox.Event) bool { return e.Type == inbox.PresenceChanged })},
		{"an unknown type", inbox.EventFilter{Types: []inbox.EventType{99}}, nil},
		{"far bounds", inbox.EventFilter{From: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), To: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
			pick(func(e inbox.Event) bool { return !e.At.IsZero() })},
	} {
		view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "Events: "+c.name, c.want, events(t, tx, c.f)) })
	}
	view(t, s, acme, func(tx inbox.ReadTx) {
		n := 0
		err := tx.Events(inbox.EventFilter{}, func(inbox.Event) error {
			if n++; n == 3 {
				return errBoom
			}
			return nil
		})
		if !errors.Is(err, errBoom) || n != 3 {
			t.Fatalf("Events stopped by fn: %v after %d events, want %v after 3", err, n, errBoom)
		}
	})
}

// events returns the events that tx.Events passes, each copied as the
// contract asks.
func events(t fataler, tx inbox.ReadTx, f inbox.EventFilter) []inbox.Event {
	t.Helper()
	var out []inbox.Event
	ok(t, tx.Events(f, func(e inbox.Event) error {
		for _, p := range []any{&e.Message, &e.Decision, &e.Presence} {
			v := reflect.ValueOf(p).Elem()
			if !v.IsNil() {
				c := reflect.New(v.Type().Elem())
				c.Elem().Set(v.Elem())
				v.Set(c)
			}
		}
		out = append(out, e)
		return nil
	}))
	return out
}
