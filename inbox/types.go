package inbox

import (
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// Member is a person of the host's team known to the inbox: the people who
// can be assigned tickets. The host keeps members in sync with its own user
// directory through [Inbox.PutMember] and [Inbox.RemoveMember].
type Member struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Presence is set by the member themself ([Inbox.SetPresence]) and made
	// Offline by [Inbox.SignOut]; a new member is Offline.
	Presence assign.Presence `json:"presence"`
	// Capacity is the most open tickets round robin gives the member; 0 means
	// no cap.
	Capacity int `json:"capacity,omitempty"`
	// Hours are the member's own working hours, if any: round robin skips the
	// member outside them.
	Hours *officehours.Schedule `json:"hours,omitempty"`
	// Joined orders members who were never assigned a ticket automatically;
	// set by the inbox when the member is first added.
	Joined uint64 `json:"joined"`
}

// Ticket is a conversation with one customer on one channel.
type Ticket struct {
	Number   int64         `json:"number"`   // per-inbox sequence number, from 1
	Channel  channel.Kind  `json:"channel"`  // the channel the customer wrote on
	Customer string        `json:"customer"` // the customer's key (see channel.Inbound.CustomerKey)
	Key      string        `json:"key"`      // the channel's ticket key: conversation or phone; empty for email
	Subject  string        `json:"subject,omitempty"`
	Status   status.Status `json:"status"`
	Assignee string        `json:"assignee,omitempty"` // member ID; empty when unassigned
	Tags     []string      `json:"tags,omitempty"`     // normalised, sorted
	Unread   bool          `json:"unread"`

	CreatedAt       time.Time `json:"created_at"`
	ActiveAt        time.Time `json:"active_at"`                  // latest message, either way
	SnoozedUntil    time.Time `json:"snoozed_until,omitzero"`     // set while snoozed
	FirstResponseAt time.Time `json:"first_response_at,omitzero"` // first agent reply
	ClosedAt        time.Time `json:"closed_at,omitzero"`         // latest close

	// What the automations keep (see Settings).
	LastCustomerAt time.Time `json:"last_customer_at,omitzero"` // the customer's latest message
	LastReplyAt    time.Time `json:"last_reply_at,omitzero"`    // an agent's latest reply
	// NewReplies counts the agent replies since the customer's latest
	// message and the latest follow-up email: those the next web chat
	// follow-up carries. From 0 to math.MaxInt32.
	NewReplies int `json:"new_replies,omitempty"`
	// CustomerAway is set while the web chat visitor is offline
	// ([Inbox.SetVisitorOnline]).
	CustomerAway bool `json:"customer_away,omitempty"`
	// FollowUpAt is when the web chat follow-up email is due; zero when
	// none is.
	FollowUpAt   time.Time `json:"follow_up_at,omitzero"`
	FollowedUpAt time.Time `json:"followed_up_at,omitzero"` // the latest follow-up email
	NotifiedAt   time.Time `json:"notified_at,omitzero"`    // the latest new-SMS notification
}

// Customer is what the inbox keeps about one customer (by customer key,
// see channel.Inbound.CustomerKey) for its automations.
type Customer struct {
	Key string `json:"key"`
	// Email is where the web chat follow-up goes: the latest address a web
	// chat gave.
	Email string `json:"email,omitempty"`
	// AutoRepliedAt is when the SMS auto-responder last answered them.
	AutoRepliedAt time.Time `json:"auto_replied_at,omitzero"`
	// Sent are the latest campaign and flow texts the host sent them
	// ([Inbox.RecordSent]), oldest first, at most [MaxSentKept].
	Sent []channel.Sent `json:"sent,omitempty"`
}

// Direction says who wrote a message.
type Direction uint8

// Directions of a message.
const (
	Inbound  Direction = iota + 1 // from the customer
	Outbound                      // from an agent
)

var directionNames = []string{Inbound: "inbound", Outbound: "outbound"}

// String returns "inbound" or "outbound".
func (d Direction) String() string { return enumString(directionNames, uint8(d), "direction") }

// MarshalText encodes the direction by name.
func (d Direction) MarshalText() ([]byte, error) {
	return enumMarshal(directionNames, uint8(d), "direction")
}

// UnmarshalText decodes "inbound" or "outbound"; anything else is an error
// matching [ErrInvalid].
func (d *Direction) UnmarshalText(b []byte) error {
	return enumUnmarshal(directionNames, b, "direction", (*uint8)(d))
}

// Message is one message of a ticket's thread.
type Message struct {
	Ticket    int64     `json:"ticket"`
	Index     int       `json:"index"`              // position in the thread, from 0
	Direction Direction `json:"direction,omitzero"` // Inbound or Outbound
	Author    string    `json:"author"`             // agent ID (outbound) or customer key (inbound)
	ID        string    `json:"id,omitempty"`       // the channel's message ID: provider ID or email Message-ID
	Body      string    `json:"body"`
	At        time.Time `json:"at"`
	// Automatic marks an automatic message: an auto-reply or bounce from the
	// customer's side, or one of the inbox's own auto-replies.
	Automatic bool `json:"automatic,omitempty"`
	// Attribution is the campaign or flow text an inbound SMS answers, by
	// channel.Attribute's rules; nil when none.
	Attribution *channel.Sent `json:"attribution,omitempty"`
}

// Settings are the inbox's settings.
type Settings struct {
	// RoundRobin hands each new ticket to the next eligible member.
	RoundRobin bool `json:"round_robin"`
	// OfficeHours, when set, limit round robin to the inbox's open hours;
	// nil means always open.
	OfficeHours *officehours.Schedule `json:"office_hours,omitempty"`
	// AssignWaiting assigns the tickets waiting in Unassigned, oldest first,
	// when office hours open or a member comes online. Off by default.
	AssignWaiting bool `json:"assign_waiting"`
	// UnreadBadge turns the unread count for the navigation badge on. On by
	// default.
	UnreadBadge bool `json:"unread_badge"`

	// OrganizationPrefix names the team in auto-replies:
	// {{organization_prefix}} in templates.
	OrganizationPrefix string `json:"organization_prefix,omitempty"`
	// SupportEmail is the support address: {{email}} in templates, and the
	// sender of web chat follow-up emails.
	SupportEmail string `json:"support_email,omitempty"`
	// The automations, each off by default.
	SMSAutoReply     SMSAutoReply     `json:"sms_auto_reply"`
	WebChatAutoReply WebChatAutoReply `json:"web_chat_auto_reply"`
	FollowUp         FollowUp         `json:"follow_up"`
	SMSNotify        SMSNotify        `json:"sms_notify"`
	// AttributionWindow is how long after a campaign or flow text a reply is
	// attributed to it; 0 means channel.DefaultAttributionWindow (24 hours).
	AttributionWindow time.Duration `json:"attribution_window,omitempty"`
}

// DefaultSettings are the settings of an inbox that never saved any: round
// robin off, always open, no waiting-ticket assignment, unread badge on.
func DefaultSettings() Settings { return Settings{UnreadBadge: true} }

// SettingsPatch changes some settings: nil fields are left alone.
type SettingsPatch struct {
	RoundRobin *bool
	// OfficeHours replaces the schedule; ClearOfficeHours makes the inbox
	// always open.
	OfficeHours      *officehours.Schedule
	ClearOfficeHours bool
	AssignWaiting    *bool
	UnreadBadge      *bool

	OrganizationPrefix *string
	SupportEmail       *string
	SMSAutoReply       *SMSAutoReply
	WebChatAutoReply   *WebChatAutoReply
	FollowUp           *FollowUp
	SMSNotify          *SMSNotify
	AttributionWindow  *time.Duration
}
