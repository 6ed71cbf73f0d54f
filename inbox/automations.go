package inbox

import (
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

// checkSettings says what is wrong with s, naming the field.
func checkSettings(s Settings) error {
	if s.SupportEmail != "" {
		if err := channel.CheckAddress("settings support email", s.SupportEmail); err != nil {
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
		if err := channel.CheckAddress("SMS notification recipient", r); err != nil {
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
