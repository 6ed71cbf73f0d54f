package inbox

import (
	"context"
	"time"

	"github.com/routedesk/routedesk/status"
)

// Tick does all the work due at the clock's time: it wakes snoozed tickets
// whose time came (they come back unread), sends the web chat follow-up
// emails that are due, and, when round robin and
// waiting-ticket assignment are on and the inbox is inside office hours,
// hands the waiting tickets out. Each item is done once, however many
// replicas call Tick at the same time: the work happens in transactions
// whose conditions a second caller finds already met.
func (ib *Inbox) Tick(ctx context.Context) error {
	for {
		var woke int
		err := ib.update(ctx, func(tx Tx, now time.Time) error {
			due, err := tx.SnoozeDue(now, 100)
			woke = len(due)
			for _, n := range due {
				if err != nil {
					break
				}
				err = changeStatus(tx, n, status.Wake, Event{At: now}, func(t *Ticket) { t.Unread = true })
			}
			return err
		})
		if err != nil {
			return err
		}
		if woke < 100 {
			break
		}
	}
	for {
		var sent int
		err := ib.update(ctx, func(tx Tx, now time.Time) (err error) {
			sent, err = followUps(tx, now)
			return err
		})
		if err != nil {
			return err
		}
		if sent < 100 {
			break
		}
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		s, err := settings(tx)
		if err != nil || s.OfficeHours != nil && !s.OfficeHours.IsOpen(now) {
			return err
		}
		return assignWaiting(tx, s, now)
	})
}

// deliveryLease is how long one Inbox may deliver the outbox before another
// may take over, should it stop renewing.
const deliveryLease = 30 * time.Second

// Deliver hands the outbox's undelivered events to the Notifier, in order,
// and returns how many it delivered. It stops at the first event the Notifier
// fails, returning its error: that event and those after it are tried again
// at the next call. Among replicas, one at a time delivers (a lease), so
// events arrive in order. What was delivered is recorded once per batch of
// up to 100 events (and before returning an error): a crash before the
// record means the batch's events are delivered again (at least once).
func (ib *Inbox) Deliver(ctx context.Context) (int, error) {
	sent := 0
	for {
		var batch []Event
		err := ib.update(ctx, func(tx Tx, now time.Time) error {
			held, err := tx.Lease("outbox", ib.holder, now, now.Add(deliveryLease))
			if err != nil || !held {
				return err
			}
			after, err := tx.Delivered()
			if err != nil {
				return err
			}
			batch, err = tx.Outbox(after, 100)
			return err
		})
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		done, err := ib.notify(ctx, batch)
		if done > 0 {
			last := batch[done-1].Seq
			if err := ib.update(ctx, func(tx Tx, _ time.Time) error { return tx.SetDelivered(last) }); err != nil {
				return sent, err
			}
			sent += done
		}
		if err != nil {
			return sent, err
		}
	}
}

// notify hands the events to the Notifier in order, and returns how many it
// took before the first error.
func (ib *Inbox) notify(ctx context.Context, events []Event) (int, error) {
	for i, e := range events {
		if err := ib.notifier.Notify(ctx, e); err != nil {
			return i, err
		}
	}
	return len(events), nil
}

// Run calls Tick and Deliver every interval until ctx ends, and returns
// ctx's error. Errors of a round (a failing Notifier, say) are passed to
// onError, if not nil, and the next round tries again; delivery backs off,
// doubling the wait up to a minute, while the Notifier keeps failing.
func (ib *Inbox) Run(ctx context.Context, interval time.Duration, onError func(error)) error {
	if interval <= 0 {
		return invalid("run interval", "%s is not positive", interval)
	}
	wait := interval
	for {
		err := ib.Tick(ctx)
		if err == nil {
			_, err = ib.Deliver(ctx)
		}
		if err == nil {
			wait = interval
		} else {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if onError != nil {
				onError(err)
			}
			wait = min(2*wait, time.Minute)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}
