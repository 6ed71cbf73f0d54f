package inbox

import (
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/status"
)

// EventType says what an [Event] reports.
type EventType uint8

// The types of event.
const (
	// TicketCreated: a customer's message started a ticket.
	TicketCreated EventType = iota + 1
	// MessageReceived: a customer's message was added to a ticket
	// (Event.Message holds it).
	MessageReceived
	// ReplySent: the host delivers Event.Message to the customer through its
	// own provider: an agent's reply, or one of the inbox's auto-replies
	// (Message.Automatic, no Actor).
	ReplySent
	// TicketAssigned: the ticket was assigned to Event.Assignee, by round
	// robin (with Event.Decision) or by Event.Actor.
	TicketAssigned
	// TicketUnassigned: the ticket went back to Unassigned.
	TicketUnassigned
	// StatusChanged: the ticket moved From → To by Event.Status.
	StatusChanged
	// TagsChanged: the ticket's tags are now Event.Tags.
	TagsChanged
	// KeywordReceived: an SMS keyword (STOP, HELP…) arrived; no ticket was
	// made. The host updates the subscription.
	KeywordReceived
	// PresenceChanged: member Event.Assignee is now Event.Presence.
	PresenceChanged
	// FollowUpSent: the host emails Event.Messages, the agent replies a web
	// chat customer missed, from Event.EmailFrom to Event.EmailTo.
	FollowUpSent
	// FollowUpSkipped: a follow-up email was due, but the customer's email
	// address is unknown.
	FollowUpSkipped
	// SMSNotification: the host emails Event.Recipients that an SMS
	// (Event.Message) arrived.
	SMSNotification
)

var eventTypeNames = [...]string{
	TicketCreated: "ticket_created", MessageReceived: "message_received", ReplySent: "reply_sent",
	TicketAssigned: "ticket_assigned", TicketUnassigned: "ticket_unassigned",
	StatusChanged: "status_changed", TagsChanged: "tags_changed",
	KeywordReceived: "keyword_received", PresenceChanged: "presence_changed",
	FollowUpSent: "follow_up_sent", FollowUpSkipped: "follow_up_skipped", SMSNotification: "sms_notification",
}

// Valid reports whether t is one of the event types.
func (t EventType) Valid() bool { return int(t) < len(eventTypeNames) && eventTypeNames[t] != "" }

// String names the event type, as in its JSON form.
func (t EventType) String() string { return enumString(eventTypeNames[:], uint8(t), "event_type") }

// MarshalText encodes the type by name.
func (t EventType) MarshalText() ([]byte, error) {
	return enumMarshal(eventTypeNames[:], uint8(t), "event type")
}

// UnmarshalText decodes a type name; anything else is an error matching
// [ErrInvalid].
func (t *EventType) UnmarshalText(b []byte) error {
	return enumUnmarshal(eventTypeNames[:], b, "event type", (*uint8)(t))
}

// Event reports one change. Events are written to the outbox in the same
// transaction as the change, and delivered to the [Notifier] after commit, at
// least once and in order. The events of a ticket are also its history
// ([Inbox.History]). Fields that do not apply to the type are zero.
type Event struct {
	Seq      int64     `json:"seq"` // per-inbox order, set by the Store
	Inbox    string    `json:"inbox"`
	Type     EventType `json:"type"`
	At       time.Time `json:"at"`
	Ticket   int64     `json:"ticket,omitempty"`
	Actor    string    `json:"actor,omitempty"` // the member who acted; empty for the customer or the inbox itself
	Message  *Message  `json:"message,omitempty"`
	Assignee string    `json:"assignee,omitempty"`
	// Decision is set on an assignment by round robin, and on a new ticket
	// that round robin could give nobody: Decision.Reason() says why.
	Decision *assign.Decision `json:"decision,omitempty"`
	From     status.Status    `json:"from,omitzero"`
	To       status.Status    `json:"to,omitzero"`
	Status   status.Event     `json:"status_event,omitzero"`
	Tags     []string         `json:"tags,omitempty"`
	Keyword  string           `json:"keyword,omitempty"`
	Presence *assign.Presence `json:"presence,omitempty"`
	// EmailFrom and EmailTo address a follow-up email; Messages are the
	// replies it carries.
	EmailFrom  string    `json:"email_from,omitempty"`
	EmailTo    string    `json:"email_to,omitempty"`
	Messages   []Message `json:"messages,omitempty"`
	Recipients []string  `json:"recipients,omitempty"` // of an SMS notification
}
