package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

var customerTests = []behaviour{
	{"Customers/PutAndGet", testCustomers},
	{"Customers/Invalid", testCustomerInvalid},
	{"Customers/ValuesAreCopies", testCustomerCopies},
}

// smsCustomer has every field set.
func smsCustomer() inbox.Customer {
	return inbox.Customer{Key: "sms:+15550001", Email: "ana@example.com", AutoRepliedAt: at(3), Sent: []channel.Sent{
		{ID: "C1", Origin: channel.Campaign, At: at(1)},
		{ID: "F1", Origin: channel.Flow, At: at(2), Attributed: true},
	}}
}

// customer reads the customer with the key in a View.
func customer(t *testing.T, s inbox.Store, key string) result[inbox.Customer] {
	var r result[inbox.Customer]
	view(t, s, acme, func(tx inbox.ReadTx) { r = try(tx.Customer(key)) })
	return r
}

func testCustomers(t *testing.T, s inbox.Store) {
	customer(t, s, "sms:+15550001").fails(t, inbox.ErrNotFound)
	ana, web := smsCustomer(), inbox.Customer{Key: "webchat:v1", Email: "v1@example.com"}
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutCustomer(ana))
		ok(t, tx.PutCustomer(web))
		diff(t, "Customer in the writing transaction", ana, try(tx.Customer(ana.Key)).must(t))
	})
	diff(t, "Customer", ana, customer(t, s, ana.Key).must(t))
	diff(t, "Customer", web, customer(t, s, web.Key).must(t))
	customer(t, s, "webchat:v2").fails(t, inbox.ErrNotFound)
	// Put replaces the whole record; zero times stay zero.
	ana.Email, ana.AutoRepliedAt = "", time.Time{}
	ana.Sent = append(slices.Clone(ana.Sent[1:]), channel.Sent{ID: "C2", Origin: channel.Campaign, At: at(4)})
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutCustomer(ana)) })
	diff(t, "Customer replaced", ana, customer(t, s, ana.Key).must(t))
	diff(t, "the other customer", web, customer(t, s, web.Key).must(t))
	// A rolled-back transaction keeps no customer it put or replaced.
	fail(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutCustomer(inbox.Customer{Key: "webchat:v2", Email: "v2@example.com"}))
		ok(t, tx.PutCustomer(smsCustomer()))
		ok(t, tx.PutCustomer(inbox.Customer{Key: web.Key}))
	})
	customer(t, s, "webchat:v2").fails(t, inbox.ErrNotFound)
	diff(t, "Customer after a rollback", ana, customer(t, s, ana.Key).must(t))
	diff(t, "the other customer after a rollback", web, customer(t, s, web.Key).must(t))
}

func testCustomerInvalid(t *testing.T, s inbox.Store) {
	update(t, s, acme, func(tx inbox.Tx) {
		isErr(t, tx.PutCustomer(inbox.Customer{Email: "nobody@example.com"}), inbox.ErrInvalid)
		try(tx.Customer("")).fails(t, inbox.ErrInvalid)
	})
	customer(t, s, "").fails(t, inbox.ErrInvalid)
}

func testCustomerCopies(t *testing.T, s inbox.Store) {
	in, want := smsCustomer(), smsCustomer()
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutCustomer(in))
		in.Sent[0].ID, in.Sent[1].Attributed = "changed by the caller", false
		diff(t, "Customer after changing what went in", want, try(tx.Customer(in.Key)).must(t))
	})
	got := customer(t, s, want.Key).must(t)
	got.Sent[0].ID = "changed by the caller"
	diff(t, "Customer after changing a read copy", want, customer(t, s, want.Key).must(t))
}
