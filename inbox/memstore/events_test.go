package memstore

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// FuzzEventCodec checks that every event the log can be given decodes to
// itself, and that one holding a time the log cannot keep is refused: the
// log's records are the only encoding memstore parses.
func FuzzEventCodec(f *testing.F) {
	f.Add(uint8(inbox.TicketCreated), int64(1741000000000000000), int64(7), int64(0), "", "", "", "", "", uint8(0), int64(0), "", "", 0, false,
		"", "", uint8(0), false)
	f.Add(uint8(inbox.TicketAssigned), int64(noTime), int64(1), int64(3), "ann", "bob", "", "billing", "vip",
		uint8(7), int64(-5), "agent", "<id@example.com>", -2, true, "", "", uint8(0), false)
	f.Add(uint8(inbox.KeywordReceived), int64(-1), int64(0), int64(0), "", "", "STOP", "", "", uint8(255), int64(1<<62), "", "", 1<<40, true,
		"", "", uint8(0), true)
	f.Add(uint8(inbox.FollowUpSent), int64(1741000000000000000), int64(2), int64(1), "", "", "", "", "", uint8(1), int64(1741000000000000000),
		"ann", "", 3, false, "support@example.com", "ana@example.com", uint8(2), true)
	f.Add(uint8(inbox.SMSNotification), int64(1741000000000000000), int64(2), int64(0), "", "", "hi", "C1", "", uint8(2), int64(1741000000000000000),
		"sms:+15550001", "SM1", 0, true, "ann@example.com", "bob@example.com", uint8(3), true)
	f.Add(uint8(inbox.TicketCreated), int64(math.MinInt64+1), int64(1), int64(0), "", "", "", "", "", uint8(0), int64(0), "", "", 0, false,
		"", "", uint8(0), false) // before 1678: refused
	f.Fuzz(func(t *testing.T, typ uint8, at, ticket, back int64, actor, assignee, keyword, tag1, tag2 string,
		small uint8, big int64, author, id string, n int, with bool, from, to string, count uint8, attributed bool) {
		if ticket < 0 {
			ticket = -ticket
		}
		if back < 0 || back > 1<<40 {
			back = 0
		}
		e := inbox.Event{
			Type: inbox.EventType(typ), At: decodeTime(at), Ticket: ticket, Actor: actor, Assignee: assignee, Keyword: keyword,
			From: status.Status(small), To: status.Status(small / 2), Status: status.Event(small / 3), EmailFrom: from, EmailTo: to,
		}
		times := []time.Time{e.At}
		message := func(i int) inbox.Message {
			m := inbox.Message{Ticket: big - int64(i), Index: n + i, Direction: inbox.Direction(small + uint8(i)), Author: author, ID: id,
				Body: keyword, At: decodeTime(big + int64(i)), Automatic: (int(small)+i)%2 == 1}
			times = append(times, m.At)
			if attributed {
				m.Attribution = &channel.Sent{ID: tag1, Origin: channel.Origin(small), At: decodeTime(at - int64(i)), Attributed: with}
				times = append(times, m.Attribution.At)
			}
			return m
		}
		if tags := []string{tag1, tag2}[:min(2, int(small%3))]; len(tags) > 0 {
			e.Tags = tags
		}
		if list := []string{to, from, tag2}[:count%4]; len(list) > 0 {
			e.Recipients = list
		}
		for i := range int(count % 3) {
			e.Messages = append(e.Messages, message(i+1))
		}
		if with {
			p := assign.Presence(small)
			e.Presence = &p
			e.Decision = &assign.Decision{Agent: author, Closed: small%2 == 0, Seq: uint64(big), Eligible: n, Offline: -n, AtCapacity: int(small), OutsideHours: n / 3}
			m := message(0)
			e.Message = &m
		}
		kept := !slices.ContainsFunc(times, func(t time.Time) bool { return second(encodeTime("", t)) != nil })
		at, err := encodeTime("Event.At", e.At)
		var rec []byte
		if err == nil {
			rec, err = encodeEvent(nil, &e, at, back, 0)
		}
		if !kept {
			if !errors.Is(err, inbox.ErrInvalid) {
				t.Fatalf("an event with a time outside the years 1678 to 2261 encoded with error %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		d := newData("fuzz", New().seed)
		d.events.add(rec, at)
		got, prev := d.decodeEvent(1)
		e.Seq, e.Inbox = 1, "fuzz"
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("decoded event (-want +got):\n%s", diff)
		}
		if want := map[bool]int64{true: 1 - back, false: 0}[ticket != 0 && back != 0]; prev != want {
			t.Errorf("previous event %d, want %d", prev, want)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestViewCreatesNoInbox(t *testing.T) {
	t.Parallel()
	s := New()
	for _, id := range []string{"a", "b", "c"} {
		if err := s.View(context.Background(), id, func(inbox.ReadTx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.inboxes); n != 0 {
		t.Errorf("%d inboxes kept after Views of inboxes nobody wrote to", n)
	}
}

// TestEventRefersToAddedMessage checks that an event of the message
// AddMessage just returned keeps a reference to it rather than a copy, and
// that an event of any other message keeps the message itself.
func TestEventRefersToAddedMessage(t *testing.T) {
	t.Parallel()
	s := New()
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	err := s.Update(context.Background(), "a", func(tx inbox.Tx) error {
		n, err := tx.CreateTicket(inbox.Ticket{Channel: channel.WebChat, Customer: "webchat:v", Key: "c", Status: status.Open, CreatedAt: at, ActiveAt: at})
		if err != nil {
			return err
		}
		m := inbox.Message{Ticket: n, Direction: inbox.Inbound, Author: "webchat:v", Body: "hi", At: at}
		if m.Index, err = tx.AddMessage(channel.WebChat, m); err != nil {
			return err
		}
		other := m
		other.Body = "changed"
		for _, msg := range []*inbox.Message{&m, &other} {
			if _, err := tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: at, Ticket: n, Message: msg}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := s.inboxes["a"]
	for seq, want := range map[int64]uint16{1: hasMessageRef, 2: hasMessage} {
		if flags := binary.LittleEndian.Uint16(d.events.record(seq)[1:]); flags&(hasMessageRef|hasMessage) != want {
			t.Errorf("event %d has flags %#x, want message flag %#x", seq, flags, want)
		}
	}
}
