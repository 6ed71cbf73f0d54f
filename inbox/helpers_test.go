package inbox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/inbox/storetest"
)

// start is a Monday, 10:00 UTC.
var start = time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *storetest.Clock
	store inbox.Store
	ib    *inbox.Inbox
	owner inbox.Actor
	// outbox records the events delivered by deliverer (see events).
	outbox    *recorder
	deliverer *inbox.Inbox
}

// newFixture opens inbox "shop" over a fresh memstore with a clock at start
// and an owner member "owner" (offline).
func newFixture(t *testing.T, opts ...inbox.Option) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: storetest.NewClock(start), store: memstore.New()}
	f.ib = f.open("shop", opts...)
	f.owner = f.member("owner", inbox.Owner)
	return f
}

func (f *fixture) open(id string, opts ...inbox.Option) *inbox.Inbox {
	f.t.Helper()
	ib, err := inbox.New(f.store, id, append([]inbox.Option{inbox.WithClock(f.clock)}, opts...)...)
	if err != nil {
		f.t.Fatal(err)
	}
	return ib
}

// member adds a member and returns them as an actor.
func (f *fixture) member(id string, role inbox.Role) inbox.Actor {
	f.t.Helper()
	if err := f.ib.PutMember(f.ctx, inbox.Member{ID: id, Name: "Agent " + id, Role: role}); err != nil {
		f.t.Fatalf("PutMember(%s): %v", id, err)
	}
	return inbox.Actor{ID: id, Role: role}
}

// online adds support members and sets them online.
func (f *fixture) online(ids ...string) []inbox.Actor {
	f.t.Helper()
	var as []inbox.Actor
	for _, id := range ids {
		a := f.member(id, inbox.Support)
		f.must(f.ib.SetPresence(f.ctx, a, id, assign.Online))
		as = append(as, a)
	}
	return as
}

func (f *fixture) roundRobin(on bool) {
	f.t.Helper()
	if _, err := f.ib.UpdateSettings(f.ctx, f.owner, inbox.SettingsPatch{RoundRobin: &on}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) receive(in channel.Inbound) inbox.Received {
	f.t.Helper()
	r, err := f.ib.Receive(f.ctx, in)
	if err != nil {
		f.t.Fatalf("Receive(%+v): %v", in, err)
	}
	return r
}

func (f *fixture) ticket(n int64) inbox.Ticket {
	f.t.Helper()
	p, err := f.ib.Tickets(f.ctx, f.owner, inbox.Query{Statuses: allStatuses, Limit: inbox.MaxPageSize})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, t := range p.Tickets {
		if t.Number == n {
			return t
		}
	}
	f.t.Fatalf("no ticket %d", n)
	return inbox.Ticket{}
}

// numbers lists the ticket numbers of a view's first page.
func (f *fixture) numbers(a inbox.Actor, q inbox.Query) []int64 {
	f.t.Helper()
	p, err := f.ib.Tickets(f.ctx, a, q)
	if err != nil {
		f.t.Fatal(err)
	}
	ns := []int64{}
	for _, t := range p.Tickets {
		ns = append(ns, t.Number)
	}
	return ns
}

var msgSeq atomic.Int64

func nextID() string { return fmt.Sprintf("m%d", msgSeq.Add(1)) }

func chat(conversation, visitor, body string) channel.Inbound {
	return channel.Inbound{Kind: channel.WebChat, Body: body,
		WebChat: channel.WebChatFields{Conversation: conversation, Visitor: visitor, MessageID: nextID()}}
}

func sms(from, body string) channel.Inbound {
	return channel.Inbound{Kind: channel.SMS, Body: body,
		SMS: channel.SMSFields{From: from, To: "+15550000000", MessageID: nextID()}}
}

func email(from, msgID, subject string, inReplyTo ...string) channel.Inbound {
	return channel.Inbound{Kind: channel.Email, Body: "hello",
		Email: channel.EmailFields{From: from, MessageID: msgID, Subject: subject, InReplyTo: inReplyTo}}
}

func phoneOf(i int) string { return fmt.Sprintf("+1555%07d", i) }
