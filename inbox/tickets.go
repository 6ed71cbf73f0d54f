package inbox

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/routedesk/routedesk/status"
)

// Snooze hides an open ticket until the given time, when [Inbox.Tick] wakes
// it (a message from the customer wakes it sooner). The time must be in the
// future. A snoozed ticket cannot be snoozed again: reopen it first.
func (ib *Inbox) Snooze(ctx context.Context, a Actor, ticket int64, until time.Time) error {
	if err := check(a, OpStatus); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		if !until.After(now) {
			return invalid("snooze time", "%s is not after now (%s)", until.Format(time.RFC3339), now.Format(time.RFC3339))
		}
		return changeStatus(tx, ticket, status.Snooze, Event{At: now, Actor: a.ID}, func(t *Ticket) {
			t.SnoozedUntil = until.UTC().Truncate(time.Microsecond)
		})
	})
}

// Close completes an open or snoozed ticket.
func (ib *Inbox) Close(ctx context.Context, a Actor, ticket int64) error {
	if err := check(a, OpStatus); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		return changeStatus(tx, ticket, status.Close, Event{At: now, Actor: a.ID}, nil)
	})
}

// Reopen makes a closed or snoozed ticket open again. An open ticket is
// status.ErrInvalidTransition.
func (ib *Inbox) Reopen(ctx context.Context, a Actor, ticket int64) error {
	if err := check(a, OpStatus); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		t, err := tx.Ticket(ticket)
		if err != nil {
			return err
		}
		ev := status.Reopen
		if t.Status == status.Snoozed {
			ev = status.Wake
		}
		return changeStatus(tx, ticket, ev, Event{At: now, Actor: a.ID}, nil)
	})
}

// changeStatus applies ev to the ticket through status's table, lets edit
// change other fields, saves and records it. A refused move changes nothing.
func changeStatus(tx Tx, ticket int64, ev status.Event, e Event, edit func(*Ticket)) error {
	t, err := tx.Ticket(ticket)
	if err != nil {
		return err
	}
	old := t
	if t, err = transition(t, ev, e.At); err != nil {
		return err
	}
	if edit != nil {
		edit(&t)
	}
	if err := putTicket(tx, old, t); err != nil {
		return err
	}
	e.Type, e.Ticket, e.From, e.To, e.Status = StatusChanged, t.Number, old.Status, t.Status, ev
	_, err = tx.Emit(e)
	return err
}

// transition applies ev to t's status and the fields that go with it.
func transition(t Ticket, ev status.Event, now time.Time) (Ticket, error) {
	to, err := status.Next(t.Status, ev)
	if err != nil {
		return t, err
	}
	t.Status = to
	if to != status.Snoozed {
		t.SnoozedUntil = time.Time{}
	}
	if to == status.Closed {
		t.ClosedAt = now
	}
	return t, nil
}

// MaxTagLen is the longest tag, in bytes.
const MaxTagLen = 64

// AddTags adds tags to a ticket. Tags are normalised: trimmed, lower case,
// unique, sorted. An empty or over-long tag, or one with control characters,
// is ErrInvalid.
func (ib *Inbox) AddTags(ctx context.Context, a Actor, ticket int64, tags ...string) error {
	return ib.editTags(ctx, a, ticket, tags, func(have, change []string) []string { return append(have, change...) })
}

// RemoveTags removes tags from a ticket; tags it does not have are ignored.
func (ib *Inbox) RemoveTags(ctx context.Context, a Actor, ticket int64, tags ...string) error {
	return ib.editTags(ctx, a, ticket, tags, func(have, change []string) []string {
		return slices.DeleteFunc(have, func(t string) bool { return slices.Contains(change, t) })
	})
}

func (ib *Inbox) editTags(ctx context.Context, a Actor, ticket int64, tags []string, edit func(have, change []string) []string) error {
	if err := check(a, OpTag); err != nil {
		return err
	}
	change, err := NormalizeTags(tags)
	if err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		t, err := tx.Ticket(ticket)
		if err != nil {
			return err
		}
		old := t
		t.Tags, _ = NormalizeTags(edit(slices.Clone(t.Tags), change))
		if slices.Equal(old.Tags, t.Tags) {
			return nil
		}
		if err := putTicket(tx, old, t); err != nil {
			return err
		}
		_, err = tx.Emit(Event{Type: TagsChanged, At: now, Actor: a.ID, Ticket: t.Number, Tags: t.Tags})
		return err
	})
}

// NormalizeTags returns tags trimmed, in lower case, unique and sorted, or
// ErrInvalid naming the first bad tag. It is how the inbox stores and
// compares tags.
func NormalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, tag := range tags {
		tag = strings.ToLower(strings.TrimSpace(tag))
		switch {
		case tag == "":
			return nil, invalid("tag", "empty")
		case len(tag) > MaxTagLen:
			return nil, invalid("tag", "%q is longer than %d bytes", tag, MaxTagLen)
		case !utf8.ValidString(tag) || strings.ContainsFunc(tag, unicode.IsControl):
			return nil, invalid("tag", "%q holds invalid or control characters", tag)
		}
		out = append(out, tag)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// MarkRead marks tickets read (all or none).
func (ib *Inbox) MarkRead(ctx context.Context, a Actor, tickets ...int64) error {
	if err := checkBulk(a, OpMarkRead, tickets); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, _ time.Time) error {
		for _, n := range tickets {
			t, err := tx.Ticket(n)
			if err != nil {
				return err
			}
			if !t.Unread {
				continue
			}
			old := t
			t.Unread = false
			if err := putTicket(tx, old, t); err != nil {
				return err
			}
		}
		return nil
	})
}
