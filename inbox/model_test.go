package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// modelTicket is the reference model's ticket.
type modelTicket struct {
	channel  channel.Kind
	key      string   // conversation or phone
	msgIDs   []string // email Message-IDs in the thread
	status   status.Status
	assignee string
	until    time.Time
	messages int
}

// model is a plain reference of the inbox's rules: members in join order,
// presence, round robin by least recent automatic assignment inside 9–17
// UTC office hours, three channels, claims and status changes.
type model struct {
	now     time.Time
	members []string
	online  map[string]bool
	last    map[string]int
	seq     int
	tickets []*modelTicket // index = number-1
}

func (m *model) open() bool { h := m.now.Hour(); return h >= 9 && h < 17 }

func (m *model) pick() string {
	if !m.open() {
		return ""
	}
	best := ""
	for _, id := range m.members { // join order breaks ties
		if m.online[id] && (best == "" || m.last[id] < m.last[best]) {
			best = id
		}
	}
	if best != "" {
		m.seq++
		m.last[best] = m.seq
	}
	return best
}

// route returns the number of the ticket an inbound message joins (0: new).
func (m *model) route(kind channel.Kind, key, replyTo string) int64 {
	for i := len(m.tickets) - 1; i >= 0; i-- {
		t := m.tickets[i]
		if t.channel != kind {
			continue
		}
		switch {
		case kind == channel.Email && slices.Contains(t.msgIDs, replyTo):
			return int64(i + 1)
		case kind == channel.SMS && t.key == key:
			return int64(i + 1)
		case kind == channel.WebChat && t.key == key:
			if t.status == status.Closed {
				return 0
			}
			return int64(i + 1)
		}
	}
	return 0
}

func TestInboxAgainstModel(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		clk := storetest.NewClock(time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC))
		ib, err := inbox.New(memstore.New(), "m", inbox.WithClock(clk))
		if err != nil {
			rt.Fatal(err)
		}
		daily := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
		hours, err := officehours.New(time.UTC, officehours.Week{daily, daily, daily, daily, daily, daily, daily})
		if err != nil {
			rt.Fatal(err)
		}
		on := true
		owner := inbox.Actor{ID: "owner", Role: inbox.Owner}
		m := &model{now: clk.Now(), online: map[string]bool{}, last: map[string]int{}}
		for _, id := range []string{"owner", "ann", "bob", "cy"} {
			if err := ib.PutMember(ctx, inbox.Member{ID: id, Role: inbox.Support}); err != nil {
				rt.Fatal(err)
			}
			m.members = append(m.members, id)
		}
		if _, err := ib.UpdateSettings(ctx, owner, inbox.SettingsPatch{RoundRobin: &on, OfficeHours: hours}); err != nil {
			rt.Fatal(err)
		}
		agent := rapid.SampledFrom(m.members)
		ticket := func(rt *rapid.T) (int64, *modelTicket) {
			if len(m.tickets) == 0 {
				rt.Skip("no tickets")
			}
			n := rapid.Int64Range(1, int64(len(m.tickets))).Draw(rt, "ticket")
			return n, m.tickets[n-1]
		}
		expectErr := func(rt *rapid.T, err error, want error) {
			if !errors.Is(err, want) {
				rt.Fatalf("error %v, want %v", err, want)
			}
		}
		emails := 0
		rt.Repeat(map[string]func(*rapid.T){
			"presence": func(rt *rapid.T) {
				id := agent.Draw(rt, "agent")
				p := rapid.SampledFrom([]assign.Presence{assign.Online, assign.Offline}).Draw(rt, "presence")
				if err := ib.SetPresence(ctx, inbox.Actor{ID: id, Role: inbox.Support}, id, p); err != nil {
					rt.Fatal(err)
				}
				m.online[id] = p == assign.Online
			},
			"time": func(rt *rapid.T) {
				d := time.Duration(rapid.IntRange(1, 6*60).Draw(rt, "minutes")) * time.Minute
				clk.Add(d)
				m.now = clk.Now()
			},
			"to a snooze's end": func(rt *rapid.T) {
				for _, t := range m.tickets {
					if t.status == status.Snoozed && t.until.After(m.now) {
						clk.Add(t.until.Sub(m.now))
						m.now = clk.Now()
						return
					}
				}
				rt.Skip("nothing snoozed")
			},
			"tick": func(rt *rapid.T) {
				if err := ib.Tick(ctx); err != nil {
					rt.Fatal(err)
				}
				for _, t := range m.tickets {
					if t.status == status.Snoozed && !t.until.After(m.now) {
						t.status, t.until = status.Open, time.Time{}
					}
				}
			},
			"inbound": func(rt *rapid.T) {
				kind := rapid.SampledFrom([]channel.Kind{channel.WebChat, channel.Email, channel.SMS}).Draw(rt, "kind")
				in := channel.Inbound{Kind: kind, Body: "hi"}
				key, replyTo := "", ""
				switch kind {
				case channel.WebChat:
					key = rapid.SampledFrom([]string{"c1", "c2", "c3"}).Draw(rt, "conversation")
					in.WebChat = channel.WebChatFields{Conversation: key, Visitor: "v"}
				case channel.SMS:
					key = rapid.SampledFrom([]string{"+15550000001", "+15550000002"}).Draw(rt, "phone")
					in.SMS = channel.SMSFields{From: key, To: "+15559999999", MessageID: nextID()}
				case channel.Email:
					emails++
					id := fmt.Sprintf("e%d@x", emails)
					in.Email = channel.EmailFields{From: "c@example.com", MessageID: id, Subject: "s"}
					if n := rapid.IntRange(0, len(m.tickets)).Draw(rt, "reply to"); n > 0 && m.tickets[n-1].channel == channel.Email {
						replyTo = m.tickets[n-1].msgIDs[0]
						in.Email.InReplyTo = []string{replyTo}
					}
					key = id
				}
				r, err := ib.Receive(ctx, in)
				if err != nil {
					rt.Fatal(err)
				}
				n := m.route(kind, key, replyTo)
				if n == 0 {
					t := &modelTicket{channel: kind, key: key, status: status.Open, messages: 1, assignee: m.pick()}
					if kind == channel.Email {
						t.msgIDs = []string{key}
					}
					m.tickets = append(m.tickets, t)
					n = int64(len(m.tickets))
				} else {
					t := m.tickets[n-1]
					t.messages++
					t.status, t.until = status.Open, time.Time{}
					if kind == channel.Email {
						t.msgIDs = append(t.msgIDs, key)
					}
				}
				if r.Ticket != n {
					rt.Fatalf("message went to ticket %d (%s), model says %d", r.Ticket, r.Action, n)
				}
			},
			"claim": func(rt *rapid.T) {
				n, t := ticket(rt)
				id := agent.Draw(rt, "agent")
				err := ib.Claim(ctx, inbox.Actor{ID: id, Role: inbox.Support}, n)
				if t.assignee != "" && t.assignee != id {
					expectErr(rt, err, inbox.ErrAlreadyAssigned)
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				t.assignee = id
			},
			"assign": func(rt *rapid.T) {
				n, t := ticket(rt)
				id := agent.Draw(rt, "agent")
				if err := ib.Assign(ctx, owner, id, n); err != nil {
					rt.Fatal(err)
				}
				t.assignee = id
			},
			"unassign": func(rt *rapid.T) {
				n, t := ticket(rt)
				if err := ib.Unassign(ctx, owner, n); err != nil {
					rt.Fatal(err)
				}
				t.assignee = ""
			},
			"snooze": func(rt *rapid.T) {
				n, t := ticket(rt)
				until := m.now.Add(time.Duration(rapid.IntRange(1, 600).Draw(rt, "minutes")) * time.Minute)
				err := ib.Snooze(ctx, owner, n, until)
				if t.status != status.Open {
					expectErr(rt, err, status.ErrInvalidTransition)
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				t.status, t.until = status.Snoozed, until
			},
			"close": func(rt *rapid.T) {
				n, t := ticket(rt)
				err := ib.Close(ctx, owner, n)
				if t.status == status.Closed {
					expectErr(rt, err, status.ErrInvalidTransition)
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				t.status, t.until = status.Closed, time.Time{}
			},
			"reopen": func(rt *rapid.T) {
				n, t := ticket(rt)
				err := ib.Reopen(ctx, owner, n)
				if t.status == status.Open {
					expectErr(rt, err, status.ErrInvalidTransition)
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				t.status, t.until = status.Open, time.Time{}
			},
			"": func(rt *rapid.T) { // the check after every step
				page, err := ib.Tickets(ctx, owner, inbox.Query{Statuses: allStatuses, Order: inbox.OldestFirst, Limit: inbox.MaxPageSize})
				if err != nil {
					rt.Fatal(err)
				}
				if len(page.Tickets) != len(m.tickets) {
					rt.Fatalf("%d tickets, model has %d", len(page.Tickets), len(m.tickets))
				}
				for i, got := range page.Tickets {
					want := m.tickets[i]
					if got.Status != want.status || got.Assignee != want.assignee || !got.SnoozedUntil.Equal(want.until) {
						rt.Fatalf("ticket %d: %v %q %v; model: %v %q %v", got.Number, got.Status, got.Assignee, got.SnoozedUntil, want.status, want.assignee, want.until)
					}
				}
				for _, id := range append([]string{""}, m.members...) {
					viewer, q := owner, inbox.Query{View: inbox.Unassigned, Order: inbox.OldestFirst, Limit: inbox.MaxPageSize}
					if id != "" {
						viewer, q.View = inbox.Actor{ID: id, Role: inbox.Support}, inbox.Mine
					}
					var want []int64
					for i, t := range m.tickets {
						if t.assignee == id && t.status == status.Open {
							want = append(want, int64(i+1))
						}
					}
					p, err := ib.Tickets(ctx, viewer, q)
					if err != nil {
						rt.Fatal(err)
					}
					var got []int64
					for _, t := range p.Tickets {
						got = append(got, t.Number)
					}
					if diff := cmp.Diff(want, got); diff != "" || p.Total != len(want) {
						rt.Fatalf("view of %q (-model +inbox), total %d\n%s", id, p.Total, diff)
					}
				}
			},
		})
	})
}
