package inbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/routedesk/routedesk/channel"
)

// SMSAutoReply answers inbound texts that are not keywords — by default only
// those from customers who have not consented to SMS, telling them how to
// opt in. Two machines can never text each other forever: a customer gets at
// most one auto-reply per cool-down.
type SMSAutoReply struct {
	On bool `json:"on"`
	// Everyone answers consented customers too; by default only customers
	// without SMS consent are answered, as teams are advised.
	Everyone bool `json:"everyone,omitempty"`
	// Template is the message, with {{organization_prefix}} and {{email}}
	// placeholders; see [RenderTemplate].
	Template string `json:"template"`
	// Cooldown is the least time between two auto-replies to one customer;
	// 0 means 24 hours.
	Cooldown time.Duration `json:"cooldown,omitempty"`
}

// WebChatAutoReply answers a new web chat by office hours. An empty message
// turns that half off.
type WebChatAutoReply struct {
	InHours    string `json:"in_hours,omitempty"`     // sent when the inbox is open
	OutOfHours string `json:"out_of_hours,omitempty"` // sent when it is closed
}

// FollowUp sends one email to a web chat customer who went offline with
// agent replies unread: when more than After has passed since the agent's
// last reply and the customer has not written since.
type FollowUp struct {
	On bool `json:"on"`
	// After is how long after the last reply; 0 means 3 minutes.
	After time.Duration `json:"after,omitempty"`
}

// SMSNotify emails the recipients when an SMS arrives, at most once per
// ticket per interval, so that a chatty customer floods nobody's mailbox.
type SMSNotify struct {
	On         bool     `json:"on"`
	Recipients []string `json:"recipients,omitempty"`
	// Interval is the least time between two notifications about one
	// ticket; 0 means 5 minutes.
	Interval time.Duration `json:"interval,omitempty"`
}

// Defaults of the automations' durations.
const (
	DefaultSMSCooldown    = 24 * time.Hour
	DefaultFollowUpAfter  = 3 * time.Minute
	DefaultNotifyInterval = 5 * time.Minute
)

// MaxSentKept is how many of a customer's latest campaign and flow texts the
// inbox keeps for attribution.
const MaxSentKept = 10

// placeholders are the names a template may use.
var placeholders = []string{"organization_prefix", "email"}

// CheckTemplate returns an error matching [ErrInvalid] when the template
// uses a placeholder other than {{organization_prefix}} and {{email}}, or
// an unclosed "{{": an unknown placeholder is an error, not a blank.
func CheckTemplate(field, tmpl string) error {
	for rest := tmpl; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return nil
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return invalid(field, "unclosed {{ in %q", tmpl)
		}
		name := strings.TrimSpace(rest[i+2 : i+j])
		known := false
		for _, p := range placeholders {
			known = known || name == p
		}
		if !known {
			return invalid(field, "unknown placeholder {{%s}}; use {{organization_prefix}} or {{email}}", name)
		}
		rest = rest[i+j+2:]
	}
}

// RenderTemplate fills a checked template's placeholders from the settings.
func RenderTemplate(tmpl string, s Settings) string {
	var b strings.Builder
	for rest := tmpl; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		j := strings.Index(rest[i:], "}}")
		b.WriteString(rest[:i])
		switch strings.TrimSpace(rest[i+2 : i+j]) {
		case "organization_prefix":
			b.WriteString(s.OrganizationPrefix)
		case "email":
			b.WriteString(s.SupportEmail)
		}
		rest = rest[i+j+2:]
	}
}

// checkAddress returns an *InvalidError naming field when s is not an email
// address.
func checkAddress(field, s string) error {
	var fe *channel.FieldError
	if errors.As(channel.CheckAddress(field, s), &fe) {
		return invalid(field, "%s", fe.Reason)
	}
	return nil
}

// checkSettings says what is wrong with s, naming the field.
func checkSettings(s Settings) error {
	if s.SupportEmail != "" {
		if err := checkAddress("support email", s.SupportEmail); err != nil {
			return err
		}
	}
	if err := CheckTemplate("SMS auto-reply template", s.SMSAutoReply.Template); err != nil {
		return err
	}
	if s.SMSAutoReply.On && strings.TrimSpace(s.SMSAutoReply.Template) == "" {
		return invalid("SMS auto-reply template", "empty while the auto-reply is on")
	}
	if err := CheckTemplate("web chat in-hours auto-reply", s.WebChatAutoReply.InHours); err != nil {
		return err
	}
	if err := CheckTemplate("web chat out-of-hours auto-reply", s.WebChatAutoReply.OutOfHours); err != nil {
		return err
	}
	if s.FollowUp.On && s.SupportEmail == "" {
		return invalid("follow-up", "needs the support email address to send from")
	}
	if s.SMSNotify.On && len(s.SMSNotify.Recipients) == 0 {
		return invalid("SMS notification recipients", "none while notifications are on")
	}
	for _, r := range s.SMSNotify.Recipients {
		if err := checkAddress("SMS notification recipient", r); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"SMS auto-reply cooldown", s.SMSAutoReply.Cooldown}, {"follow-up delay", s.FollowUp.After},
		{"SMS notification interval", s.SMSNotify.Interval}, {"attribution window", s.AttributionWindow}} {
		if d.d < 0 {
			return invalid(d.name, "%s is negative", d.d)
		}
	}
	return nil
}

// or returns d, or def when d is 0.
func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// automated is what the automations decided for one inbound message, to be
// recorded once the message is filed.
type automated struct {
	notify bool   // email the SMS notification recipients
	reply  string // the auto-reply to send, if any
}

// automate runs the automations for an inbound message m of a new or
// existing ticket t (not yet saved): SMS attribution, the SMS
// auto-responder and new-SMS notifications, the web chat auto-replies and
// the visitor's email. It changes t, m and the customer's record.
func automate(tx Tx, s *Settings, in *channel.Inbound, isNew bool, t *Ticket, m *Message, now time.Time) (automated, error) {
	var a automated
	switch in.Kind {
	case channel.SMS:
		c, err := customer(tx, m.Author)
		if err != nil {
			return a, err
		}
		changed := false
		if sent, ok, err := channel.Attribute(now, c.Sent, s.AttributionWindow); err != nil {
			return a, err
		} else if ok {
			for i := range c.Sent {
				c.Sent[i].Attributed = c.Sent[i].Attributed || c.Sent[i].ID == sent.ID
			}
			m.Attribution, changed = &sent, true
		}
		r := s.SMSAutoReply
		consented := in.SMS.Consent.SMSMarketing || in.SMS.Consent.SMSTransactional
		if r.On && (r.Everyone || !consented) && elapsed(c.AutoRepliedAt, now, or(r.Cooldown, DefaultSMSCooldown)) {
			a.reply, c.AutoRepliedAt, changed = RenderTemplate(r.Template, *s), now, true
		}
		if changed {
			if err := tx.PutCustomer(c); err != nil {
				return a, err
			}
		}
		if s.SMSNotify.On && elapsed(t.NotifiedAt, now, or(s.SMSNotify.Interval, DefaultNotifyInterval)) {
			a.notify, t.NotifiedAt = true, now
		}
	case channel.WebChat:
		if email := in.WebChat.Email; email != "" {
			c, err := customer(tx, m.Author)
			if err != nil {
				return a, err
			}
			if c.Email != email {
				c.Email = email
				if err := tx.PutCustomer(c); err != nil {
					return a, err
				}
			}
		}
		if isNew {
			msg := s.WebChatAutoReply.OutOfHours
			if s.OfficeHours == nil || s.OfficeHours.IsOpen(now) {
				msg = s.WebChatAutoReply.InHours
			}
			if msg != "" {
				a.reply = RenderTemplate(msg, *s)
			}
		}
	}
	return a, nil
}

// emit records what automate decided, once message m is filed in ticket
// number of channel kind.
func (a automated) emit(tx Tx, s *Settings, number int64, kind channel.Kind, m *Message, now time.Time) error {
	if a.notify {
		e := Event{Type: SMSNotification, At: now, Ticket: number, Message: m, Recipients: s.SMSNotify.Recipients}
		if _, err := tx.Emit(e); err != nil {
			return err
		}
	}
	if a.reply == "" {
		return nil
	}
	reply := Message{Ticket: number, Direction: Outbound, Body: a.reply, At: now, Automatic: true}
	var err error
	if reply.Index, err = tx.AddMessage(kind, reply); err != nil {
		return err
	}
	_, err = tx.Emit(Event{Type: ReplySent, At: now, Ticket: number, Message: &reply})
	return err
}

// elapsed reports whether at least d has passed since last, or last is zero.
func elapsed(last, now time.Time, d time.Duration) bool {
	return last.IsZero() || now.Sub(last) >= d
}

// customer returns what the inbox keeps about the customer, or an empty
// record for one it knows nothing about.
func customer(tx ReadTx, key string) (Customer, error) {
	c, err := tx.Customer(key)
	if errors.Is(err, ErrNotFound) {
		return Customer{Key: key}, nil
	}
	return c, err
}

// scheduleFollowUp sets when t's follow-up email is due: more than the
// configured delay after the latest agent reply, while the web chat visitor
// is away and there are agent replies since their latest message and the
// latest follow-up (NewReplies). Otherwise no follow-up is due.
//
// Whether a reply came after a message or a follow-up goes by the order the
// transactions committed in, which NewReplies counts, never by comparing
// their times: two replicas' clocks may give equal or out-of-order times, and
// an Update reads the clock before it waits for the inbox's other Updates.
func scheduleFollowUp(t *Ticket, s Settings) {
	t.FollowUpAt = time.Time{}
	if !s.FollowUp.On || t.Channel != channel.WebChat || !t.CustomerAway || t.NewReplies == 0 {
		return
	}
	// "More than" the delay: the first instant a store can keep after it.
	t.FollowUpAt = t.LastReplyAt.Add(or(s.FollowUp.After, DefaultFollowUpAfter) + time.Microsecond)
}

// SetVisitorOnline records whether the visitor of a web chat conversation is
// online, as the host's chat widget reports it. A visitor who goes offline
// with agent replies they have not answered gets one follow-up email (see
// Settings.FollowUp); one who comes back cancels it. A host call: it takes
// no Actor.
func (ib *Inbox) SetVisitorOnline(ctx context.Context, conversation string, online bool) error {
	return ib.update(ctx, func(tx Tx, _ time.Time) error {
		t, err := tx.TicketByKey(channel.WebChat, conversation)
		if err != nil {
			return err
		}
		s, err := settings(tx)
		if err != nil {
			return err
		}
		old := t
		t.CustomerAway = !online
		scheduleFollowUp(&t, s)
		if t.CustomerAway == old.CustomerAway && t.FollowUpAt.Equal(old.FollowUpAt) {
			return nil
		}
		return putTicket(tx, old, t)
	})
}

// followUps sends the follow-up emails due at now, each once: the replies
// the visitor missed, from the support address to the visitor's email; or,
// when that is unknown, a FollowUpSkipped event in the ticket's history.
func followUps(tx Tx, now time.Time) (int, error) {
	due, err := tx.FollowUpDue(now, 100)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	s, err := settings(tx)
	if err != nil {
		return 0, err
	}
	for _, n := range due {
		t, err := tx.Ticket(n)
		if err != nil {
			return 0, err
		}
		old := t
		t.FollowUpAt = time.Time{}
		if !s.FollowUp.On { // turned off since it was scheduled
			if err := putTicket(tx, old, t); err != nil {
				return 0, err
			}
			continue
		}
		c, err := customer(tx, t.Customer)
		if err != nil {
			return 0, err
		}
		e := Event{Type: FollowUpSkipped, At: now, Ticket: n}
		if c.Email != "" {
			e.Type, e.EmailFrom, e.EmailTo = FollowUpSent, s.SupportEmail, c.Email
			if e.Messages, err = missed(tx, t); err != nil {
				return 0, err
			}
		}
		t.FollowedUpAt, t.NewReplies = now, 0
		if err := putTicket(tx, old, t); err != nil {
			return 0, err
		}
		if _, err := tx.Emit(e); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// missed returns the agent replies of t the visitor has not seen: the
// latest t.NewReplies, those after their latest message and after the
// previous follow-up, oldest first.
func missed(tx ReadTx, t Ticket) ([]Message, error) {
	var out []Message
	for before := int(^uint(0) >> 1); len(out) < t.NewReplies; {
		ms, err := tx.Messages(t.Number, before, ThreadPageSize)
		if err != nil {
			return nil, err
		}
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			if m.Direction == Outbound && !m.Automatic && len(out) < t.NewReplies {
				out = append(out, m)
			}
		}
		before = ms[len(ms)-1].Index
	}
	slices.Reverse(out)
	return out, nil
}

// RecordSent records a campaign or flow text the host sent to a customer
// (by customer key, as channel.Inbound.CustomerKey gives it: "sms:+1555…"
// or "profile:…"), so that the customer's next SMS is attributed to it by
// channel.Attribute's rules: the last text received, within the attribution
// window, first reply only. The inbox keeps the latest [MaxSentKept]. A host
// call: it takes no Actor.
func (ib *Inbox) RecordSent(ctx context.Context, customerKey string, sent channel.Sent) error {
	if customerKey == "" {
		return invalid("customer key", "empty")
	}
	if err := sent.Validate(); err != nil {
		return err
	}
	sent.At, sent.Attributed = sent.At.UTC().Truncate(time.Microsecond), false
	return ib.update(ctx, func(tx Tx, _ time.Time) error {
		c, err := customer(tx, customerKey)
		if err != nil {
			return err
		}
		i, _ := slices.BinarySearchFunc(c.Sent, sent.At, func(s channel.Sent, at time.Time) int { return s.At.Compare(at) })
		c.Sent = slices.Insert(c.Sent, i, sent)
		if len(c.Sent) > MaxSentKept {
			c.Sent = c.Sent[len(c.Sent)-MaxSentKept:]
		}
		return tx.PutCustomer(c)
	})
}

// Pending returns how many events wait in the outbox for delivery: a number
// to watch, since it grows while the Notifier fails. A host call.
func (ib *Inbox) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := ib.store.View(ctx, ib.id, func(tx ReadTx) (err error) {
		n, err = tx.Pending()
		return err
	})
	return n, err
}
