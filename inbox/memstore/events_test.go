package memstore

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// FuzzEventCodec checks that every event the log can be given decodes to
// itself: the log's records are the only encoding memstore parses.
func FuzzEventCodec(f *testing.F) {
	f.Add(uint8(inbox.TicketCreated), int64(1741000000000000000), int64(7), int64(0), "", "", "", "", "", uint8(0), int64(0), "", "", 0, false)
	f.Add(uint8(inbox.TicketAssigned), int64(noTime), int64(1), int64(3), "ann", "bob", "", "billing", "vip",
		uint8(7), int64(-5), "agent", "<id@example.com>", -2, true)
	f.Add(uint8(inbox.KeywordReceived), int64(-1), int64(0), int64(0), "", "", "STOP", "", "", uint8(255), int64(1<<62), "", "", 1<<40, true)
	f.Fuzz(func(t *testing.T, typ uint8, at, ticket, back int64, actor, assignee, keyword, tag1, tag2 string,
		small uint8, big int64, author, id string, n int, with bool) {
		if ticket < 0 {
			ticket = -ticket
		}
		if back < 0 || back > 1<<40 {
			back = 0
		}
		e := inbox.Event{
			Type: inbox.EventType(typ), At: decodeTime(at), Ticket: ticket, Actor: actor, Assignee: assignee, Keyword: keyword,
			From: status.Status(small), To: status.Status(small / 2), Status: status.Event(small / 3),
		}
		if tags := []string{tag1, tag2}[:min(2, int(small%3))]; len(tags) > 0 {
			e.Tags = tags
		}
		if with {
			p := assign.Presence(small)
			e.Presence = &p
			e.Decision = &assign.Decision{Agent: author, Closed: small%2 == 0, Seq: uint64(big), Eligible: n, Offline: -n, AtCapacity: int(small), OutsideHours: n / 3}
			e.Message = &inbox.Message{Ticket: big, Index: n, Direction: inbox.Direction(small), Author: author, ID: id, Body: keyword, At: decodeTime(big), Automatic: small%2 == 1}
		}
		d := newData("fuzz", New().seed)
		msgAt := int64(noTime)
		if e.Message != nil {
			msgAt = big
		}
		d.events.add(encodeEvent(nil, &e, back, 0, at, msgAt))
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
