package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/status"
)

// A Store keeps the data of many inboxes; the inbox façade is its usual
// caller. Here a transaction stores a ticket with its first message and
// event, a failing one keeps nothing, and a View lists Unassigned.
func Example() {
	ctx := context.Background()
	s := memstore.New()
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

	err := s.Update(ctx, "acme", func(tx inbox.Tx) error {
		t := inbox.Ticket{
			Channel: channel.SMS, Customer: "sms:+15550001", Key: "+15550001",
			Status: status.Open, Unread: true, CreatedAt: at, ActiveAt: at,
		}
		var err error
		if t.Number, err = tx.CreateTicket(t); err != nil {
			return err
		}
		m := inbox.Message{Ticket: t.Number, Direction: inbox.Inbound, Author: t.Customer, ID: "SM1", Body: "Where is my order?", At: at}
		if m.Index, err = tx.AddMessage(channel.SMS, m); err != nil {
			return err
		}
		_, err = tx.Emit(inbox.Event{Type: inbox.MessageReceived, At: at, Ticket: t.Number, Message: &m})
		return err
	})
	fmt.Println("first update:", err)

	// A second SMS ticket for the same phone conflicts; the whole
	// transaction, its first ticket included, is undone.
	err = s.Update(ctx, "acme", func(tx inbox.Tx) error {
		if _, err := tx.CreateTicket(inbox.Ticket{Channel: channel.WebChat, Customer: "webchat:v1", Key: "c1", Status: status.Open, CreatedAt: at, ActiveAt: at}); err != nil {
			return err
		}
		_, err := tx.CreateTicket(inbox.Ticket{Channel: channel.SMS, Customer: "sms:+15550001", Key: "+15550001", Status: status.Open})
		return err
	})
	fmt.Println("second update conflicts:", errors.Is(err, inbox.ErrConflict))

	_ = s.View(ctx, "acme", func(tx inbox.ReadTx) error {
		unassigned := inbox.Filter{Statuses: []status.Status{status.Open}, Assignee: new(string), Limit: 50}
		page, _ := tx.Tickets(unassigned)
		for _, t := range page {
			fmt.Printf("ticket %d on %v from %s, unread %v\n", t.Number, t.Channel, t.Customer, t.Unread)
		}
		thread, _ := tx.Messages(1, 100, 10)
		fmt.Printf("its thread: %q\n", thread[0].Body)
		outbox, _ := tx.Outbox(0, 10)
		fmt.Printf("outbox: %d event, %v of ticket %d\n", len(outbox), outbox[0].Type, outbox[0].Ticket)
		return nil
	})
	// Output:
	// first update: <nil>
	// second update conflicts: true
	// ticket 1 on sms from sms:+15550001, unread true
	// its thread: "Where is my order?"
	// outbox: 1 event, message_received of ticket 1
}

// The automations keep their state in the store: the time a web chat's
// follow-up email is due, which FollowUpDue lists, and one record per
// customer, here the campaign texts an SMS customer received.
func Example_automations() {
	ctx := context.Background()
	s := memstore.New()
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

	err := s.Update(ctx, "acme", func(tx inbox.Tx) error {
		for i, visitor := range []string{"v1", "v2", "v3"} {
			_, err := tx.CreateTicket(inbox.Ticket{
				Channel: channel.WebChat, Customer: "webchat:" + visitor, Key: visitor, Status: status.Open,
				CreatedAt: at, ActiveAt: at, LastReplyAt: at, CustomerAway: true,
				FollowUpAt: at.Add(time.Duration(3-i) * time.Minute), // 9:03, 9:02, 9:01
			})
			if err != nil {
				return err
			}
		}
		return tx.PutCustomer(inbox.Customer{Key: "sms:+15550001", Sent: []channel.Sent{
			{ID: "spring-sale", Origin: channel.Campaign, At: at.Add(-time.Hour)},
		}})
	})
	fmt.Println("update:", err)

	_ = s.View(ctx, "acme", func(tx inbox.ReadTx) error {
		due, _ := tx.FollowUpDue(at.Add(2*time.Minute), 10)
		fmt.Println("follow-ups due at 9:02:", due)
		c, _ := tx.Customer("sms:+15550001")
		fmt.Printf("%s received %q, a %v text, at %s\n", c.Key, c.Sent[0].ID, c.Sent[0].Origin, c.Sent[0].At.Format("15:04"))
		_, err := tx.Customer("sms:+15550002")
		fmt.Println("a customer never put is not found:", errors.Is(err, inbox.ErrNotFound))
		return nil
	})
	// Output:
	// update: <nil>
	// follow-ups due at 9:02: [3 2]
	// sms:+15550001 received "spring-sale", a campaign text, at 08:00
	// a customer never put is not found: true
}
