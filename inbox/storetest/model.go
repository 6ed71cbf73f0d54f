package storetest

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// model is what one inbox should hold, in plain slices and maps.
type model struct {
	tickets   []inbox.Ticket // ticket n at index n-1
	threads   map[int64][]inbox.Message
	messages  map[threadProbe]int64 // (kind, message ID) → ticket
	events    []inbox.Event
	delivered int64
	customers map[string]inbox.Customer
	// rotation is what the store's rotation showed at the end of the
	// transaction that last changed it: the model checks that rotation
	// changes commit and roll back with the rest, not how assign picks.
	rotation rotationState
}

func (md *model) clone() *model {
	c := *md
	c.tickets = slices.Clone(md.tickets)
	c.threads = maps.Clone(md.threads)
	c.messages = maps.Clone(md.messages)
	c.events = slices.Clone(md.events)
	c.customers = maps.Clone(md.customers)
	return &c
}

// The small pools the machine draws from, so that keys, IDs, times and
// places in a list collide often.
var (
	poolCustomers = []string{"profile:p1", "profile:p2", "sms:+15550001", "webchat:v9"}
	poolKeys      = []string{"k1", "k2", "k3"}
	poolMessages  = []string{"", "m1", "m2", "m3", "m4"}
	poolAssignees = []string{"", "ann", "bob", "cy"}
	poolTags      = []string{"billing", "bug", "vip"}
	poolSent      = []string{"C1", "C2", "F1"}
	kinds         = []channel.Kind{channel.WebChat, channel.Email, channel.SMS}
	statuses      = []status.Status{status.Open, status.Snoozed, status.Closed}
)

// errExpected marks an error the model predicted: the transaction stops
// there and is not kept.
var errExpected = errors.New("storetest: expected error")

// op is one write, made both to a transaction and to a model. It returns
// an error wrapping errExpected when the model predicts that the write
// fails, after checking that it did.
type op func(t *rapid.T, tx inbox.Tx, md *model) error

// machine drives one inbox of a Store and its model through the same
// random transactions, and compares them after each.
type machine struct {
	s  inbox.Store
	md *model
}

const modelInbox = "model"

func testModel(t *testing.T, newStore func(t *testing.T) inbox.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		m := &machine{s: newStore(t), md: &model{
			threads: map[int64][]inbox.Message{}, messages: map[threadProbe]int64{}, customers: map[string]inbox.Customer{},
		}}
		rt.Repeat(map[string]func(*rapid.T){
			"commit":          m.commit,
			"rollback":        m.rollback,
			"walk":            m.walk,
			"walkWithInserts": m.walkWithInserts,
			"otherInbox":      m.otherInbox,
			"":                m.check,
		})
	})
}

// drawOps draws one to four writes.
func (m *machine) drawOps(t *rapid.T) []op {
	gens := []func(*rapid.T) op{m.drawCreate, m.drawPut, m.drawMessage, m.drawEmit, m.drawRotation, m.drawDelivered, m.drawCustomer}
	n := rapid.IntRange(1, 4).Draw(t, "ops")
	ops := make([]op, n)
	for i := range ops {
		ops[i] = gens[rapid.IntRange(0, len(gens)-1).Draw(t, "op")](t)
	}
	return ops
}

// run makes ops in a transaction over a copy of the model and returns the
// copy, the error that fn returned, and the one Update returned.
func (m *machine) run(t *rapid.T, ops []op, fail bool) (*model, error, error) {
	md := m.md.clone()
	var fnErr error
	err := m.s.Update(context.Background(), modelInbox, func(tx inbox.Tx) error {
		for _, o := range ops {
			if fnErr = o(t, tx, md); fnErr != nil {
				return fnErr
			}
		}
		if fail {
			fnErr = errBoom
		}
		return fnErr
	})
	return md, fnErr, err
}

func (m *machine) commit(t *rapid.T) {
	md, fnErr, err := m.run(t, m.drawOps(t), false)
	if err != fnErr {
		t.Fatalf("Update returned %v, its function %v", err, fnErr)
	}
	if err == nil {
		m.md = md
	}
}

func (m *machine) rollback(t *rapid.T) {
	if _, fnErr, err := m.run(t, m.drawOps(t), true); err != fnErr {
		t.Fatalf("Update returned %v, its function %v", err, fnErr)
	}
}

// drawTicket draws a new ticket.
func drawTicket(t *rapid.T) inbox.Ticket {
	tk := inbox.Ticket{
		Channel:   rapid.SampledFrom(kinds).Draw(t, "channel"),
		Customer:  rapid.SampledFrom(poolCustomers).Draw(t, "customer"),
		Status:    rapid.SampledFrom(statuses).Draw(t, "status"),
		Assignee:  rapid.SampledFrom(poolAssignees).Draw(t, "assignee"),
		Tags:      drawTags(t, "tags"),
		Unread:    rapid.Bool().Draw(t, "unread"),
		CreatedAt: at(rapid.IntRange(0, 20).Draw(t, "created")),
		ActiveAt:  at(rapid.IntRange(0, 20).Draw(t, "active")),
	}
	if tk.Channel != channel.Email {
		tk.Key = rapid.SampledFrom(poolKeys).Draw(t, "key")
	}
	if tk.Status == status.Snoozed {
		tk.SnoozedUntil = at(rapid.IntRange(0, 20).Draw(t, "until"))
	}
	tk.FollowUpAt = drawTime(t, "follow-up")
	return tk
}

// drawTime draws the zero time or a minute from 0 to 20.
func drawTime(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+" set") {
		return at(rapid.IntRange(0, 20).Draw(t, label))
	}
	return time.Time{}
}

// drawSent draws up to three campaign or flow texts, or nil for none.
func drawSent(t *rapid.T) []channel.Sent {
	var sent []channel.Sent
	for i := range rapid.IntRange(0, 3).Draw(t, "sent") {
		sent = append(sent, channel.Sent{
			ID:         rapid.SampledFrom(poolSent).Draw(t, "sent ID"),
			Origin:     rapid.SampledFrom([]channel.Origin{channel.Campaign, channel.Flow}).Draw(t, "origin"),
			At:         at(rapid.IntRange(-20, 0).Draw(t, "sent at") - i),
			Attributed: rapid.Bool().Draw(t, "attributed"),
		})
	}
	return sent
}

// drawTags draws a normalised (sorted, unique) tag list.
func drawTags(t *rapid.T, label string) []string {
	var tags []string
	for _, tag := range poolTags {
		if rapid.IntRange(0, 2).Draw(t, label+" "+tag) == 0 {
			tags = append(tags, tag)
		}
	}
	return tags
}

func (m *machine) drawCreate(t *rapid.T) op {
	tk := drawTicket(t)
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		n, err := tx.CreateTicket(tk)
		if tk.Channel == channel.SMS && slices.ContainsFunc(md.tickets, func(x inbox.Ticket) bool {
			return x.Channel == channel.SMS && x.Key == tk.Key
		}) {
			isErr(t, err, inbox.ErrConflict)
			return errExpected
		}
		ok(t, err)
		want := tk
		want.Number = int64(len(md.tickets) + 1)
		diff(t, "CreateTicket's number", want.Number, n)
		md.tickets = append(md.tickets, want)
		return nil
	}
}

// drawNumber draws the number of one of the model's tickets, or 1 past the
// last.
func drawNumber(t *rapid.T, md *model) int64 {
	return rapid.Int64Range(1, int64(len(md.tickets))+1).Draw(t, "number")
}

func (m *machine) drawPut(t *rapid.T) op {
	next := drawTicket(t)
	fields := rapid.SliceOfNDistinct(rapid.IntRange(0, 6), 1, 7, rapid.ID[int]).Draw(t, "fields")
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		n := drawNumber(t, md)
		if n > int64(len(md.tickets)) {
			isErr(t, tx.PutTicket(inbox.Ticket{Number: n, Channel: channel.Email, Status: status.Open}), inbox.ErrNotFound)
			return errExpected
		}
		tk := md.tickets[n-1]
		for _, f := range fields {
			switch f {
			case 0:
				tk.Status, tk.SnoozedUntil = next.Status, next.SnoozedUntil
			case 1:
				tk.Assignee = next.Assignee
			case 2:
				tk.ActiveAt = next.ActiveAt
			case 3:
				tk.Tags = next.Tags
			case 4:
				tk.Unread = next.Unread
			case 5:
				tk.CreatedAt = next.CreatedAt
			case 6:
				tk.FollowUpAt = next.FollowUpAt
			}
		}
		ok(t, tx.PutTicket(tk))
		md.tickets[n-1] = tk
		return nil
	}
}

func (m *machine) drawMessage(t *rapid.T) op {
	kind := rapid.SampledFrom(kinds).Draw(t, "kind")
	id := rapid.SampledFrom(poolMessages).Draw(t, "message ID")
	dir := rapid.SampledFrom([]inbox.Direction{inbox.Inbound, inbox.Outbound}).Draw(t, "direction")
	minute := rapid.IntRange(0, 20).Draw(t, "at")
	var attribution *channel.Sent
	if sent := drawSent(t); len(sent) > 0 {
		attribution = &sent[0]
	}
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		n := drawNumber(t, md)
		in := inbox.Message{Ticket: n, Direction: dir, Author: "ann", ID: id, Body: "hi", At: at(minute), Attribution: attribution}
		index, err := tx.AddMessage(kind, in)
		key := threadProbe{kind, id}
		switch _, dup := md.messages[key]; {
		case n > int64(len(md.tickets)):
			isErr(t, err, inbox.ErrNotFound)
			return errExpected
		case dup && id != "":
			isErr(t, err, inbox.ErrConflict)
			return errExpected
		}
		ok(t, err)
		in.Index = len(md.threads[n])
		diff(t, "AddMessage's index", in.Index, index)
		md.threads[n] = append(slices.Clip(md.threads[n]), in)
		if id != "" {
			md.messages[key] = n
		}
		return nil
	}
}

// eventTypes are the types of the events the model emits.
var eventTypes = []inbox.EventType{inbox.TicketCreated, inbox.MessageReceived, inbox.TicketAssigned, inbox.TagsChanged,
	inbox.FollowUpSent, inbox.SMSNotification}

func (m *machine) drawEmit(t *rapid.T) op {
	typ := rapid.SampledFrom(eventTypes).Draw(t, "type")
	withTicket := rapid.Bool().Draw(t, "with ticket")
	minute := rapid.IntRange(0, 20).Draw(t, "at")
	tags := drawTags(t, "event tags")
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		e := inbox.Event{Type: typ, At: at(minute), Tags: tags}
		if withTicket && len(md.tickets) > 0 {
			e.Ticket = rapid.Int64Range(1, int64(len(md.tickets))).Draw(t, "ticket")
			th := md.threads[e.Ticket]
			switch {
			case typ == inbox.FollowUpSent:
				e.EmailFrom, e.EmailTo, e.Messages = "support@example.com", "v@example.com", th[max(0, len(th)-2):]
			case len(th) > 0:
				e.Message = &th[len(th)-1]
			}
		}
		if typ == inbox.SMSNotification {
			e.Recipients = tags
		}
		seq := try(tx.Emit(e)).must(t)
		e.Seq, e.Inbox = int64(len(md.events)+1), modelInbox
		diff(t, "Emit's Seq", e.Seq, seq)
		md.events = append(md.events, e)
		return nil
	}
}

func (m *machine) drawRotation(t *rapid.T) op {
	member := assign.Member{
		ID:       rapid.SampledFrom(poolAssignees[1:]).Draw(t, "agent"),
		Joined:   rapid.Uint64Range(1, 3).Draw(t, "joined"),
		Presence: rapid.SampledFrom([]assign.Presence{assign.Offline, assign.Online}).Draw(t, "presence"),
		Open:     rapid.IntRange(0, 2).Draw(t, "open"),
		Capacity: rapid.IntRange(0, 2).Draw(t, "capacity"),
	}
	action := rapid.IntRange(0, 2).Draw(t, "rotation action")
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		r := try(tx.Rotation()).must(t)
		switch action {
		case 0:
			ok(t, tx.PutRotationMember(member))
		case 1:
			ok(t, tx.RemoveRotationMember(member.ID))
		default:
			if d := r.Pick(at(0), nil); d.Agent != "" {
				ok(t, tx.ApplyDecision(d))
			} else {
				isErr(t, tx.ApplyDecision(d), assign.ErrNoChoice)
			}
		}
		md.rotation = rotationOf(t, tx)
		return nil
	}
}

func (m *machine) drawCustomer(t *rapid.T) op {
	c := inbox.Customer{
		Key:           rapid.SampledFrom(append(poolCustomers, "")).Draw(t, "customer key"),
		Email:         rapid.SampledFrom([]string{"", "v@example.com", "w@example.com"}).Draw(t, "email"),
		AutoRepliedAt: drawTime(t, "auto-replied"),
		Sent:          drawSent(t),
	}
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		err := tx.PutCustomer(c)
		if c.Key == "" {
			isErr(t, err, inbox.ErrInvalid)
			return errExpected
		}
		ok(t, err)
		md.customers[c.Key] = c
		return nil
	}
}

func (m *machine) drawDelivered(t *rapid.T) op {
	return func(t *rapid.T, tx inbox.Tx, md *model) error {
		seq := rapid.Int64Range(0, int64(len(md.events))).Draw(t, "delivered")
		ok(t, tx.SetDelivered(seq))
		md.delivered = max(md.delivered, seq)
		return nil
	}
}

// drawFilter draws a filter of any kind.
func drawFilter(t *rapid.T) inbox.Filter {
	f := inbox.Filter{
		Statuses:   rapid.SliceOfNDistinct(rapid.SampledFrom(statuses), 1, 3, rapid.ID[status.Status]).Draw(t, "statuses"),
		Order:      rapid.SampledFrom([]inbox.Order{inbox.LatestActivity, inbox.OldestFirst}).Draw(t, "order"),
		Limit:      rapid.IntRange(1, 6).Draw(t, "limit"),
		UnreadOnly: rapid.IntRange(0, 3).Draw(t, "unread only") == 0,
	}
	if rapid.Bool().Draw(t, "by assignee") {
		f.Assignee = ptr(rapid.SampledFrom(append(poolAssignees, "nobody")).Draw(t, "assignee"))
	}
	if rapid.IntRange(0, 2).Draw(t, "by channel") == 0 {
		f.Channels = rapid.SliceOfNDistinct(rapid.SampledFrom(kinds), 1, 2, rapid.ID[channel.Kind]).Draw(t, "channels")
	}
	if rapid.IntRange(0, 2).Draw(t, "by tag") == 0 {
		f.Tags = drawTags(t, "filter tags")
	}
	if rapid.IntRange(0, 3).Draw(t, "by creation") == 0 {
		f.CreatedFrom = at(rapid.IntRange(0, 20).Draw(t, "from"))
		f.CreatedTo = at(rapid.IntRange(0, 21).Draw(t, "to"))
	}
	return f
}

func (m *machine) walk(t *rapid.T) {
	f := drawFilter(t)
	want := expect(m.md.tickets, f)
	diff(t, "pages", want, walk(t, m.s, modelInbox, f, nil))
	view(t, m.s, modelInbox, func(tx inbox.ReadTx) {
		if n := try(tx.Count(f)).must(t); n != len(want) {
			t.Fatalf("Count = %d, want %d", n, len(want))
		}
	})
}

func (m *machine) walkWithInserts(t *rapid.T) {
	f := drawFilter(t)
	want := expect(m.md.tickets, f)
	inserts := rapid.IntRange(1, 4).Draw(t, "inserts")
	got := walk(t, m.s, modelInbox, f, func(cursor inbox.Position) {
		if inserts == 0 {
			return // let the walk end
		}
		inserts--
		tk := drawTicket(t)
		tk.Channel, tk.Key = channel.Email, ""
		update(t, m.s, modelInbox, func(tx inbox.Tx) { tk = created(t, tx, tk) })
		m.md.tickets = append(m.md.tickets, tk)
		at := inbox.Ticket{ActiveAt: cursor.At, Number: cursor.Number}
		if matches(&f, &tk) && compareIn(f.Order, &at, &tk) < 0 {
			want = append(want, tk)
		}
	})
	slices.SortFunc(want, func(a, b inbox.Ticket) int { return compareIn(f.Order, &a, &b) })
	diff(t, "pages with tickets added between them", want, got)
}

// otherInbox writes to another inbox, which the model's must never show.
func (m *machine) otherInbox(t *rapid.T) {
	tk := drawTicket(t)
	tk.Channel = channel.WebChat
	update(t, m.s, "other", func(tx inbox.Tx) {
		tk = created(t, tx, tk)
		id := ""
		if tk.Number == 1 {
			id = "m1" // an ID the model's inbox may hold too
		}
		try(tx.AddMessage(channel.SMS, inbox.Message{Ticket: tk.Number, ID: id, At: at(0)})).must(t)
		try(tx.Emit(inbox.Event{Type: inbox.TicketCreated, Ticket: tk.Number, At: at(0)})).must(t)
		ok(t, tx.PutRotationMember(assign.Member{ID: "zed", Presence: assign.Online}))
		ok(t, tx.PutCustomer(inbox.Customer{Key: tk.Customer, Email: "other@example.com"}))
	})
}

// check compares everything the inbox shows with the model.
func (m *machine) check(t *rapid.T) {
	md := m.md
	view(t, m.s, modelInbox, func(tx inbox.ReadTx) {
		for i, want := range md.tickets {
			n := int64(i + 1)
			diff(t, "Ticket", want, try(tx.Ticket(n)).must(t))
			thread := slices.Clone(md.threads[n])
			slices.Reverse(thread)
			diff(t, "Messages", thread, try(tx.Messages(n, math.MaxInt, 1000)).must(t))
			var history []inbox.Event
			for _, e := range md.events {
				if e.Ticket == n {
					history = append(history, e)
				}
			}
			diff(t, "History", history, try(tx.History(n)).must(t))
		}
		try(tx.Ticket(int64(len(md.tickets)+1))).fails(t, inbox.ErrNotFound)
		for _, kind := range kinds {
			for _, key := range poolKeys {
				want := int64(0)
				for _, tk := range md.tickets {
					if tk.Channel == kind && tk.Key == key {
						want = tk.Number
					}
				}
				got, err := tx.TicketByKey(kind, key)
				if want == 0 {
					isErr(t, err, inbox.ErrNotFound)
				} else if ok(t, err); got.Number != want {
					t.Fatalf("TicketByKey(%v, %s) = %d, want %d", kind, key, got.Number, want)
				}
			}
			for _, id := range poolMessages[1:] {
				got, err := tx.TicketByMessage(kind, id)
				if want, found := md.messages[threadProbe{kind, id}]; !found {
					isErr(t, err, inbox.ErrNotFound)
				} else if ok(t, err); got != want {
					t.Fatalf("TicketByMessage(%v, %s) = %d, want %d", kind, id, got, want)
				}
			}
		}
		for _, c := range poolCustomers {
			want := 0
			for _, tk := range md.tickets {
				if tk.Customer == c {
					want++
				}
			}
			if got := try(tx.CustomerTickets(c)).must(t); got != want {
				t.Fatalf("CustomerTickets(%s) = %d, want %d", c, got, want)
			}
			if want, found := md.customers[c]; found {
				diff(t, "Customer", want, try(tx.Customer(c)).must(t))
			} else {
				try(tx.Customer(c)).fails(t, inbox.ErrNotFound)
			}
		}
		try(tx.Customer("")).fails(t, inbox.ErrInvalid)
		diff(t, "Outbox", md.events, try(tx.Outbox(0, 100000)).must(t))
		f := inbox.EventFilter{From: drawTime(t, "events from"), To: drawTime(t, "events to"),
			Types: rapid.SliceOfNDistinct(rapid.SampledFrom(eventTypes), 0, 3, rapid.ID).Draw(t, "event types")}
		var want []inbox.Event
		for _, e := range md.events {
			if !e.At.Before(f.From) && (f.To.IsZero() || e.At.Before(f.To)) && (len(f.Types) == 0 || slices.Contains(f.Types, e.Type)) {
				want = append(want, e)
			}
		}
		diff(t, "Events", want, events(t, tx, f))
		if got := try(tx.Delivered()).must(t); got != md.delivered {
			t.Fatalf("Delivered = %d, want %d", got, md.delivered)
		}
		if got, want := try(tx.Pending()).must(t), int64(len(md.events))-md.delivered; got != want {
			t.Fatalf("Pending = %d, want %d", got, want)
		}
		diff(t, "rotation", md.rotation, rotationOf(t, tx))
		now := at(10)
		diff(t, "SnoozeDue", dueBy(md.tickets, now, func(tk *inbox.Ticket) (time.Time, bool) {
			return tk.SnoozedUntil, tk.Status == status.Snoozed
		}), try(tx.SnoozeDue(now, 1000)).must(t))
		diff(t, "FollowUpDue", dueBy(md.tickets, now, func(tk *inbox.Ticket) (time.Time, bool) {
			return tk.FollowUpAt, !tk.FollowUpAt.IsZero()
		}), try(tx.FollowUpDue(now, 1000)).must(t))
	})
}

// dueBy returns the numbers of the tickets due at now by the time when
// gives them (if it does), earliest first, then by number.
func dueBy(tickets []inbox.Ticket, now time.Time, when func(*inbox.Ticket) (time.Time, bool)) []int64 {
	type item struct {
		at time.Time
		n  int64
	}
	var list []item
	for i := range tickets {
		if due, ok := when(&tickets[i]); ok && !due.After(now) {
			list = append(list, item{due, tickets[i].Number})
		}
	}
	slices.SortFunc(list, func(a, b item) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.n, b.n)) })
	out := make([]int64, len(list))
	for i, d := range list {
		out[i] = d.n
	}
	return out
}
