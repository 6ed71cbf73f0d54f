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
		t, err := tx.CreateTicket(inbox.Ticket{
			Channel: channel.SMS, Customer: "sms:+15550001", Key: "+15550001",
			Status: status.Open, Unread: true, CreatedAt: at, ActiveAt: at,
		})
		if err != nil {
			return err
		}
		m, err := tx.AddMessage(channel.SMS, inbox.Message{
			Ticket: t.Number, Direction: inbox.Inbound, Author: t.Customer, ID: "SM1", Body: "Where is my order?", At: at,
		})
		if err != nil {
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
