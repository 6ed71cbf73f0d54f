package memstore

import (
	"slices"
	"strings"
	"time"

	"github.com/routedesk/routedesk/inbox"
)

// Customer implements [inbox.ReadTx]. An empty key is an error matching
// [inbox.ErrInvalid].
func (r *tx) Customer(key string) (inbox.Customer, error) {
	d, err := r.inbox()
	if err != nil {
		return inbox.Customer{}, err
	}
	if key == "" {
		return inbox.Customer{}, invalid("key", "empty customer key")
	}
	c, ok := d.customers[key]
	if !ok {
		return inbox.Customer{}, notFound("customer", key)
	}
	c.Sent = slices.Clone(c.Sent)
	return c, nil
}

// PutCustomer implements [inbox.Tx]. The key must not be empty. The times
// are kept as a ticket's are: to the nanosecond, in UTC, within the years
// 1678 to 2261.
func (w *tx) PutCustomer(c inbox.Customer) error {
	d, err := w.writable()
	if err != nil {
		return err
	}
	if c.Key == "" {
		return invalid("Customer.Key", "empty")
	}
	if c.AutoRepliedAt, err = keepTime("Customer.AutoRepliedAt", c.AutoRepliedAt); err != nil {
		return err
	}
	// A copy of the key: the caller's string may share its memory with more
	// (inbox carves customer keys from blocks), which the map would keep.
	c.Key, c.Sent = strings.Clone(c.Key), slices.Clip(slices.Clone(c.Sent))
	for i := range c.Sent {
		if c.Sent[i].At, err = keepTime("Customer.Sent.At", c.Sent[i].At); err != nil {
			return err
		}
	}
	if d.customers == nil {
		d.customers = make(map[string]inbox.Customer)
	}
	old, had := d.customers[c.Key]
	old.Key = c.Key
	d.customers[c.Key] = c
	d.undo.customers = append(d.undo.customers, old)
	d.undo.add(undoStep{kind: undoCustomer, had: had})
	return nil
}

// keepTime returns t as it is kept, or an *inbox.InvalidError naming field.
func keepTime(field string, t time.Time) (time.Time, error) {
	v, err := encodeTime(field, t)
	return decodeTime(v), err
}
