package channel_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// model states the routing rules as plainly as possible, over its own maps.
type model struct {
	status  []status.Status // status[n-1] is ticket n's
	kind    []channel.Kind
	thread  map[string]int64 // "kind:thread key" → ticket
	message map[string]int64 // "kind:message key" → ticket
	closed  map[int64]bool   // tickets that were ever closed
}

func key(k channel.Kind, s string) string { return k.String() + ":" + s }

// expect returns the action and ticket number Route should decide for in.
func (md *model) expect(in channel.Inbound) (channel.Action, int64) {
	if n, ok := md.message[key(in.Kind, in.MessageKey())]; ok {
		return channel.Duplicate, n
	}
	if _, _, ok := channel.DefaultKeywords().Match(in.Body); ok && in.Kind == channel.SMS {
		return channel.Keyword, 0
	}
	var n int64
	switch in.Kind {
	case channel.Email:
		newestFirst := slices.Clone(in.Email.References)
		slices.Reverse(newestFirst)
		asked := append(slices.Clone(in.Email.InReplyTo), newestFirst...)
		for _, id := range asked {
			if n = md.message[key(channel.Email, id)]; n != 0 {
				break
			}
		}
	default:
		n = md.thread[key(in.Kind, in.ThreadKey())]
	}
	switch {
	case n == 0:
		return channel.New, 0
	case md.status[n-1] == status.Open:
		return channel.Append, n
	case md.status[n-1] == status.Snoozed:
		return channel.Wake, n
	case in.Kind == channel.WebChat:
		return channel.New, 0
	}
	return channel.Reopen, n
}

// TestRouteConversations plays random conversations on all three channels,
// with agents closing, snoozing and answering tickets, and checks every
// decision against the model, the statuses after applying it, and the
// channel invariants: one SMS ticket per number ever, closed web chat
// tickets never open again, and no message held twice.
func TestRouteConversations(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := newMemStore()
		md := &model{thread: map[string]int64{}, message: map[string]int64{}, closed: map[int64]bool{}}
		known := []string{"unknown@elsewhere"} // email message IDs to refer to
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for step := range steps {
			var in channel.Inbound
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0:
				in = text(rapid.SampledFrom([]string{"+447911123456", "+15551234567", "+4930123456"}).Draw(t, "phone"),
					fmt.Sprint("SM", rapid.IntRange(0, 20).Draw(t, "sid")),
					rapid.SampledFrom([]string{"hi", "any news?", " stop ", "Opt-Out", "help me"}).Draw(t, "body"))
			case 1:
				in = chat(fmt.Sprint("c", rapid.IntRange(0, 3).Draw(t, "conversation")), "v1", "hi")
				in.WebChat.MessageID = fmt.Sprint("w", rapid.IntRange(0, 20).Draw(t, "wid"))
			case 2:
				pick := rapid.SampledFrom(known)
				in = email("ann@example.com", fmt.Sprintf("m%d@example.com", rapid.IntRange(0, 20).Draw(t, "mid")),
					rapid.SliceOfN(pick, 0, 1).Draw(t, "inReplyTo"), rapid.SliceOfN(pick, 0, 4).Draw(t, "references"), "Re: order")
			case 3, 4: // an agent closes or snoozes a ticket
				if len(md.status) == 0 {
					continue
				}
				n := rapid.Int64Range(1, int64(len(md.status))).Draw(t, "ticket")
				e := map[bool]status.Event{true: status.Close, false: status.Snooze}[rapid.Bool().Draw(t, "close")]
				if s, err := status.Next(md.status[n-1], e); err == nil {
					md.status[n-1] = s
					m.setStatus(n, s)
					md.closed[n] = md.closed[n] || s == status.Closed
				}
				continue
			case 5: // an agent answers an email ticket
				n := slices.Index(md.kind, channel.Email) + 1
				if n == 0 {
					continue
				}
				id := fmt.Sprintf("r%d@shop.com", step)
				m.hold(channel.Email, id, int64(n))
				md.message[key(channel.Email, id)] = int64(n)
				known = append(known, id)
				continue
			}

			d, err := channel.Route(&in, m)
			if err != nil {
				t.Fatalf("Route(%+v): %v", in, err)
			}
			action, n := md.expect(in)
			if diff := cmp.Diff([]any{action, n}, []any{d.Action, d.Ticket.Number}); diff != "" {
				t.Fatalf("step %d, %+v: decision %+v (-want +got)\n%s", step, in, d, diff)
			}
			got, err := m.apply(in, d)
			if err != nil {
				t.Fatalf("applying %+v: %v", d, err)
			}
			// The model applies the decision its own way.
			switch action {
			case channel.New:
				md.status, md.kind = append(md.status, status.Open), append(md.kind, in.Kind)
				n = int64(len(md.status))
				if in.Kind != channel.Email {
					md.thread[key(in.Kind, in.ThreadKey())] = n
				}
			case channel.Append, channel.Reopen, channel.Wake:
				md.status[n-1] = status.Open
			case channel.Duplicate:
				n = 0 // nothing is filed
			}
			if n != got {
				t.Fatalf("the message went to ticket %d, the model says %d", got, n)
			}
			if n != 0 {
				md.message[key(in.Kind, in.MessageKey())] = n
				if in.Kind == channel.Email {
					known = append(known, in.MessageKey())
				}
			}
			checkInvariants(t, m, md)
		}
	})
}

func checkInvariants(t *rapid.T, m *memStore, md *model) {
	perNumber := map[string]int{}
	for i, tk := range m.tickets {
		n := int64(i + 1)
		if tk.Status != md.status[i] {
			t.Fatalf("ticket %d is %v, the model says %v", n, tk.Status, md.status[i])
		}
		if tk.Kind == channel.SMS {
			if perNumber[tk.Customer]++; perNumber[tk.Customer] > 1 {
				t.Fatalf("a second SMS ticket for %s", tk.Customer)
			}
		}
		if tk.Kind == channel.WebChat && md.closed[n] && tk.Status != status.Closed {
			t.Fatalf("closed web chat ticket %d is %v again", n, tk.Status)
		}
	}
	held := 0
	for _, byKey := range m.messages {
		held += len(byKey)
	}
	total := 0
	for _, c := range m.held {
		total += c
	}
	if held != total {
		t.Fatalf("%d messages filed for %d message keys: a message was added twice", total, held)
	}
}
