package inbox

import (
	"context"
	"strconv"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// ThreadPageSize is how many messages a page of a thread holds.
const ThreadPageSize = 50

// ThreadPage is a page of a ticket's messages, newest first.
type ThreadPage struct {
	Messages []Message `json:"messages"`
	// Older is the cursor of the page of older messages; empty on the
	// oldest page.
	Older string `json:"older,omitempty"`
}

// Thread returns the latest messages of a ticket, newest first; pass
// ThreadPage.Older as cursor for the page before ("" for the latest).
func (ib *Inbox) Thread(ctx context.Context, a Actor, ticket int64, cursor string) (ThreadPage, error) {
	before := int(^uint(0) >> 1)
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n <= 0 {
			return ThreadPage{}, invalid("thread cursor", "%q is not a cursor of a thread", cursor)
		}
		before = n
	}
	var p ThreadPage
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) error {
		if _, err := tx.Ticket(ticket); err != nil {
			return err
		}
		ms, err := tx.Messages(ticket, before, ThreadPageSize)
		if err != nil {
			return err
		}
		p.Messages = ms
		if len(ms) > 0 && ms[len(ms)-1].Index > 0 {
			p.Older = strconv.Itoa(ms[len(ms)-1].Index)
		}
		return nil
	})
	return p, err
}

// History returns every change of a ticket, oldest first: created, messages,
// assignments with their reasons, status changes and tags.
func (ib *Inbox) History(ctx context.Context, a Actor, ticket int64) ([]Event, error) {
	var es []Event
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) error {
		if _, err := tx.Ticket(ticket); err != nil {
			return err
		}
		var err error
		es, err = tx.History(ticket)
		return err
	})
	return es, err
}

// Overview is the panel beside a ticket.
type Overview struct {
	Number          int64         `json:"number"`
	Status          status.Status `json:"status"`
	Assignee        string        `json:"assignee,omitempty"`
	AssigneeName    string        `json:"assignee_name,omitempty"`
	CreatedAt       time.Time     `json:"created_at"`
	Channel         channel.Kind  `json:"channel"`
	Tags            []string      `json:"tags,omitempty"`
	Customer        string        `json:"customer"`
	CustomerTickets int           `json:"customer_tickets"` // the customer's tickets in this inbox, this one included
}

// Overview returns the overview of a ticket.
func (ib *Inbox) Overview(ctx context.Context, a Actor, ticket int64) (Overview, error) {
	var o Overview
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) error {
		t, err := tx.Ticket(ticket)
		if err != nil {
			return err
		}
		o = Overview{Number: t.Number, Status: t.Status, Assignee: t.Assignee, CreatedAt: t.CreatedAt,
			Channel: t.Channel, Tags: t.Tags, Customer: t.Customer}
		if t.Assignee != "" {
			if m, err := tx.Member(t.Assignee); err == nil {
				o.AssigneeName = m.Name
			}
		}
		o.CustomerTickets, err = tx.CustomerTickets(t.Customer)
		return err
	})
	return o, err
}

// Settings returns the inbox's settings.
func (ib *Inbox) Settings(ctx context.Context, a Actor) (Settings, error) {
	var s Settings
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) (err error) {
		s, err = settings(tx)
		return err
	})
	return s, err
}

// UpdateSettings changes the settings named by the patch and returns them
// all. Turning on round robin or waiting-ticket assignment takes effect at
// the next [Inbox.Tick].
func (ib *Inbox) UpdateSettings(ctx context.Context, a Actor, p SettingsPatch) (Settings, error) {
	if err := check(a, OpSettings); err != nil {
		return Settings{}, err
	}
	if p.OfficeHours != nil && p.ClearOfficeHours {
		return Settings{}, invalid("settings patch", "both sets and clears office hours")
	}
	var s Settings
	err := ib.update(ctx, func(tx Tx, _ time.Time) (err error) {
		if s, err = settings(tx); err != nil {
			return err
		}
		set(&s.RoundRobin, p.RoundRobin)
		set(&s.AssignWaiting, p.AssignWaiting)
		set(&s.UnreadBadge, p.UnreadBadge)
		if p.OfficeHours != nil || p.ClearOfficeHours {
			s.OfficeHours = p.OfficeHours
		}
		set(&s.OrganizationPrefix, p.OrganizationPrefix)
		set(&s.SupportEmail, p.SupportEmail)
		set(&s.SMSAutoReply, p.SMSAutoReply)
		set(&s.WebChatAutoReply, p.WebChatAutoReply)
		set(&s.FollowUp, p.FollowUp)
		set(&s.SMSNotify, p.SMSNotify)
		set(&s.AttributionWindow, p.AttributionWindow)
		if err := checkSettings(s); err != nil {
			return err
		}
		return tx.PutSettings(s)
	})
	return s, err
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
