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
}

// Direction says who wrote a message.
type Direction uint8

// Directions of a message.
const (
	Inbound  Direction = iota + 1 // from the customer
	Outbound                      // from an agent
)

// Message is one message of a ticket's thread.
type Message struct {
	Ticket    int64     `json:"ticket"`
	Index     int       `json:"index"`        // position in the thread, from 0
	Direction Direction `json:"direction"`    // Inbound or Outbound
	Author    string    `json:"author"`       // agent ID (outbound) or customer key (inbound)
	ID        string    `json:"id,omitempty"` // the channel's message ID: provider ID or email Message-ID
	Body      string    `json:"body"`
	At        time.Time `json:"at"`
	Automatic bool      `json:"automatic,omitempty"` // an auto-reply or bounce
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
}
