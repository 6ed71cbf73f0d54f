package pgstore

import (
	"encoding/json"
	"strconv"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// Customer implements [inbox.ReadTx]: one row of the customers table. An
// empty key is an error matching [inbox.ErrInvalid]; a key that PutCustomer
// would refuse (see there) is not found, without a round trip.
func (r *readTx) Customer(key string) (inbox.Customer, error) {
	if key == "" {
		return inbox.Customer{}, invalid("customer key", "empty")
	}
	c := inbox.Customer{Key: key}
	var sent []byte
	found := false
	var err error
	if checkKey("customer key", key) == nil {
		found, err = r.queryRow(r.s.sql(`SELECT email, auto_replied_at, sent FROM {s}.customers WHERE inbox = $1 AND key = $2`),
			[]any{r.inbox, key}, &c.Email, scanTime(&c.AutoRepliedAt), &sent)
	}
	switch {
	case err != nil:
		return inbox.Customer{}, err
	case !found:
		return inbox.Customer{}, notFound("customer", strconv.Quote(key))
	}
	if err := decode("a stored customer's texts", sent, &c.Sent); err != nil {
		return inbox.Customer{}, err
	}
	if len(c.Sent) == 0 {
		c.Sent = nil // as memstore gives it
	}
	return c, nil
}

// PutCustomer implements [inbox.Tx] with an upsert, queued with the
// transaction's next round trip. The key must not be empty, and is an
// identifier (at most 1024 bytes); the times are kept to the microsecond,
// and each text's Origin must be valid ([inbox.ErrInvalid] otherwise).
func (w *writeTx) PutCustomer(c inbox.Customer) error {
	if err := w.usable(); err != nil {
		return err
	}
	if c.Key == "" {
		return invalid("Customer.Key", "empty")
	}
	err := firstError(checkKey("Customer.Key", c.Key), checkText("Customer.Email", c.Email),
		checkTime("Customer.AutoRepliedAt", c.AutoRepliedAt))
	sent := make([]channel.Sent, len(c.Sent))
	for i := range c.Sent {
		err = firstError(err, checkSent("Customer.Sent", &c.Sent[i]))
		sent[i] = *keptSent(&c.Sent[i])
	}
	if err != nil {
		return err
	}
	text, err := json.Marshal(sent)
	if err != nil {
		return invalid("Customer.Sent", err.Error())
	}
	return w.write(w.s.sql(`INSERT INTO {s}.customers (inbox, key, email, auto_replied_at, sent) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (inbox, key) DO UPDATE SET email = excluded.email, auto_replied_at = excluded.auto_replied_at, sent = excluded.sent`),
		w.inbox, c.Key, c.Email, optionalTime(c.AutoRepliedAt), string(text))
}
