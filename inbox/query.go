package inbox

import (
	"fmt"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// View is one of the standard ticket lists.
type View uint8

// The standard views.
const (
	// All lists every ticket of the inbox, whoever holds it.
	All View = iota
	// Mine lists the tickets assigned to the actor: My inbox.
	Mine
	// Unassigned lists the tickets nobody holds.
	Unassigned
)

// Query asks for a page of tickets. The zero Query is the first page of All,
// open tickets, latest activity first.
type Query struct {
	View View `json:"view"`
	// Statuses refines the view; empty means open only. Snoozed tickets show
	// only when asked for. Closed tickets are archived from Mine and
	// Unassigned: asking those views for them is an error; use All with
	// Assignee.
	Statuses []status.Status `json:"statuses,omitempty"`
	Channels []channel.Kind  `json:"channels,omitempty"` // any of; empty means all
	Tags     []string        `json:"tags,omitempty"`     // all of
	// Assignee keeps only the tickets of one member; All view only.
	Assignee    string    `json:"assignee,omitempty"`
	UnreadOnly  bool      `json:"unread_only,omitempty"`
	CreatedFrom time.Time `json:"created_from,omitzero"` // inclusive
	CreatedTo   time.Time `json:"created_to,omitzero"`   // exclusive
	Order       Order     `json:"order,omitempty"`
	// Limit is the page size: 50 when 0, at most 500.
	Limit int `json:"limit,omitempty"`
	// Cursor continues from a previous Page.Next; empty starts at the top.
	Cursor string `json:"cursor,omitempty"`
}

// Page is one page of a ticket list.
type Page struct {
	Tickets []Ticket `json:"tickets"`
	// Next is the cursor of the following page; empty on the last page.
	// Cursors stay valid while tickets are added: a page never repeats or
	// skips a ticket whose position did not change.
	Next string `json:"next,omitempty"`
	// Total counts the tickets matching the query on all pages.
	Total int `json:"total"`
}

// SavedView is a named query: a custom view, personal or shared with the
// team.
type SavedView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Owner  string `json:"owner"`  // the member who saved it
	Shared bool   `json:"shared"` // visible to every member
	Query  Query  `json:"query"`  // Cursor is not saved
}

var (
	viewNames  = []string{All: "all", Mine: "mine", Unassigned: "unassigned"}
	orderNames = []string{LatestActivity: "latest_activity", OldestFirst: "oldest_first"}
)

// String returns "all", "mine" or "unassigned".
func (v View) String() string { return enumString(viewNames, uint8(v), "view") }

// MarshalText encodes the view by name.
func (v View) MarshalText() ([]byte, error) { return enumMarshal(viewNames, uint8(v), "view") }

// UnmarshalText decodes a view name; anything else is ErrInvalid.
func (v *View) UnmarshalText(b []byte) error { return enumUnmarshal(viewNames, b, "view", (*uint8)(v)) }

// String returns "latest_activity" or "oldest_first".
func (o Order) String() string { return enumString(orderNames, uint8(o), "order") }

// MarshalText encodes the order by name.
func (o Order) MarshalText() ([]byte, error) { return enumMarshal(orderNames, uint8(o), "order") }

// UnmarshalText decodes an order name; anything else is ErrInvalid.
func (o *Order) UnmarshalText(b []byte) error {
	return enumUnmarshal(orderNames, b, "order", (*uint8)(o))
}

func enumString(names []string, v uint8, what string) string {
	if int(v) >= len(names) || names[v] == "" {
		return fmt.Sprintf("%s(%d)", what, v)
	}
	return names[v]
}

func enumMarshal(names []string, v uint8, what string) ([]byte, error) {
	if int(v) >= len(names) || names[v] == "" {
		return nil, invalid(what, "%d is not a %s", v, what)
	}
	return []byte(names[v]), nil
}

func enumUnmarshal(names []string, b []byte, what string, dst *uint8) error {
	for i, n := range names {
		if n != "" && n == string(b) {
			*dst = uint8(i)
			return nil
		}
	}
	return invalid(what, "unknown %q", b)
}
