package channel

import (
	"fmt"
	"strings"
)

// Kind is the channel a message came through. The zero value is not a valid
// kind.
type Kind uint8

// The channels.
const (
	// WebChat: the chat tab of the store's site. Each conversation is its own
	// ticket, and a closed one never reopens.
	WebChat Kind = iota + 1
	// Email: mail forwarded from the support address. Each thread is its own
	// ticket, and a reply reopens it however long ago it closed.
	Email
	// SMS: texts to the store's number. Each phone number has one ticket,
	// ever, and every text reopens it.
	SMS
)

var kinds = enum[Kind]{"channel kind", []string{WebChat: "webchat", Email: "email", SMS: "sms"}}

// Valid reports whether k is one of [WebChat], [Email] and [SMS].
func (k Kind) Valid() bool { return kinds.valid(k) }

// String returns "webchat", "email" or "sms", and "invalid channel kind(N)"
// for anything else.
func (k Kind) String() string { return kinds.string(k) }

// MarshalText encodes k as "webchat", "email" or "sms". An invalid kind is an
// error matching [ErrInvalid].
func (k Kind) MarshalText() ([]byte, error) { return kinds.marshal(k) }

// UnmarshalText decodes "webchat", "email" or "sms" (exactly, in lower case).
// Anything else is a [*SyntaxError] and leaves k unchanged.
func (k *Kind) UnmarshalText(text []byte) error { return kinds.unmarshal(text, k) }

// Inbound is one message from a customer, as the host received it. Fill Kind,
// Body, the optional Profile, and the fields of Kind's channel; the fields of
// the other channels are ignored. [Inbound.Validate] says whether it is well
// formed, and [Route] decides which ticket it goes to.
//
// Every identifier is kept exactly as given and compared byte for byte; only
// email addresses are compared without regard to case. An Inbound is some
// 330 bytes, so its methods, like Route, take a pointer: none changes it.
type Inbound struct {
	// Kind is the channel the message came through. Required.
	Kind Kind
	// Body is the text of the message: valid UTF-8 without NUL bytes. It may
	// be empty (a picture alone, an email with only a subject).
	Body string
	// Profile is the host's own stable ID for the customer (a CRM profile ID),
	// when the host knows who wrote. When set it is the customer's identity
	// on every channel; see [Inbound.CustomerKey].
	Profile string

	// WebChat holds what the chat widget gives, for Kind WebChat.
	WebChat WebChatFields
	// Email holds the header fields of an email, for Kind Email. Build it
	// from a parsed message with [ParseEmail].
	Email EmailFields
	// SMS holds what the SMS provider gives, for Kind SMS.
	SMS SMSFields
}

// WebChatFields is what the chat widget gives with each message.
type WebChatFields struct {
	// Conversation is the widget's ID of the conversation. Required: it keys
	// the ticket.
	Conversation string
	// Visitor is the widget's ID of the visitor (its cookie). Required unless
	// Inbound.Profile is set.
	Visitor string
	// MessageID is the widget's ID of this message, if it gives one; a
	// message whose ID the inbox already holds is a [Duplicate]. Optional.
	MessageID string
	// Email is the visitor's email address, when the widget asked for it
	// (an addr-spec such as "ann@example.com"). The inbox keeps the latest
	// one it is given, to send the web chat follow-up email. Optional.
	Email string
}

// SMSFields is what the SMS provider gives with each text.
type SMSFields struct {
	// From is the customer's number in E.164 form ("+15551234567"); use
	// [NormalizePhone] on what the provider gives. Required: it keys the
	// ticket.
	From string
	// To is the inbox's own number, the one the customer texted, in the form
	// [NormalizeSenderNumber] gives (E.164 or a short code). Required.
	To string
	// MessageID is the provider's ID of this text (Twilio's MessageSid, for
	// example). Required: a text whose ID the inbox already holds is a
	// [Duplicate].
	MessageID string
	// Consent is what the customer subscribes to, as the host's records say
	// when the text arrives. The inbox's SMS auto-responder reads it
	// (channel routing does not).
	Consent Consent
}

// Validate reports the first field of in that is missing or malformed, as a
// [*FieldError] naming it (it matches [ErrInvalid]). [Route] calls it first,
// so a host need not, except to refuse a message before opening a
// transaction.
func (in *Inbound) Validate() error {
	if !in.Kind.Valid() {
		return fieldError("Kind", fmt.Sprintf("%s is not webchat, email or sms", in.Kind))
	}
	if err := fieldError("Body", badText(in.Body)); err != nil {
		return err
	}
	if in.Profile != "" {
		if err := fieldError("Profile", badID(in.Profile, controlBytes)); err != nil {
			return err
		}
	}
	switch in.Kind {
	case WebChat:
		return in.WebChat.validate(in.Profile != "")
	case Email:
		return in.Email.validate()
	default:
		return in.SMS.validate()
	}
}

func (w *WebChatFields) validate(hasProfile bool) error {
	if err := fieldError("WebChat.Conversation", badID(w.Conversation, controlBytes)); err != nil {
		return err
	}
	if w.Visitor != "" || !hasProfile {
		if err := fieldError("WebChat.Visitor", badID(w.Visitor, controlBytes)); err != nil {
			return err
		}
	}
	if w.MessageID != "" {
		if err := fieldError("WebChat.MessageID", badID(w.MessageID, controlBytes)); err != nil {
			return err
		}
	}
	if w.Email != "" {
		return fieldError("WebChat.Email", badAddress(w.Email))
	}
	return nil
}

func (s *SMSFields) validate() error {
	if !isE164(s.From) { // else normal already, and nothing is allocated
		if err := canonical("SMS.From", s.From, NormalizePhone); err != nil {
			return err
		}
	}
	if !isE164(s.To) && !isShortCode(s.To) {
		if err := canonical("SMS.To", s.To, NormalizeSenderNumber); err != nil {
			return err
		}
	}
	return fieldError("SMS.MessageID", badID(s.MessageID, controlBytes))
}

// canonical checks that s is already in the form that normalize gives.
func canonical(field, s string, normalize func(string) (string, error)) error {
	n, err := normalize(s)
	if err != nil {
		return wrapField(field, err)
	}
	if n != s {
		return fieldError(field, fmt.Sprintf("%q is not in normal form: normalise it first (to %q)", cut(s), n))
	}
	return nil
}

// CustomerKey returns the customer's identity as a stable key, the one under
// which the inbox files and counts the customer's tickets: "profile:" and the
// host's Profile when it is set (the same customer on every channel), else
// "webchat:" and the visitor ID, "email:" and the sender's address in lower
// case, or "sms:" and the E.164 number. The prefixes keep the namespaces
// apart. It returns "" for an Inbound of invalid Kind.
func (in *Inbound) CustomerKey() string {
	var buf [64]byte
	return string(in.AppendCustomerKey(buf[:0]))
}

// AppendCustomerKey appends the key CustomerKey returns to b and returns the
// extended buffer, so that a caller that keeps many keys can write them into
// memory of its own rather than allocate each.
func (in *Inbound) AppendCustomerKey(b []byte) []byte {
	if in.Profile != "" {
		return append(append(b, "profile:"...), in.Profile...)
	}
	switch in.Kind {
	case WebChat:
		return append(append(b, "webchat:"...), in.WebChat.Visitor...)
	case Email:
		return append(append(b, "email:"...), strings.ToLower(in.Email.From)...)
	case SMS:
		return append(append(b, "sms:"...), in.SMS.From...)
	}
	return b
}

// ThreadKey returns the key that ties the message to its ticket on channels
// that key tickets: the conversation ID for web chat and the customer's
// number for SMS. Email threads by message IDs instead and has no thread key
// (""). Keys are unique within a Kind: a store indexes them by (Kind, key)
// and answers [Lookup.Thread] from that index.
func (in *Inbound) ThreadKey() string {
	switch in.Kind {
	case WebChat:
		return in.WebChat.Conversation
	case SMS:
		return in.SMS.From
	}
	return ""
}

// MessageKey returns the channel's ID of this message: the email's
// Message-ID, the SMS provider's message ID, or the web chat widget's message
// ID ("" when the widget gives none). Keys are unique within a Kind: a store
// indexes every message it keeps by (Kind, key), and answers [Lookup.Message]
// from that index, which both threads email and finds duplicates.
func (in *Inbound) MessageKey() string {
	switch in.Kind {
	case WebChat:
		return in.WebChat.MessageID
	case Email:
		return in.Email.MessageID
	case SMS:
		return in.SMS.MessageID
	}
	return ""
}
