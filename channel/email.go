package channel

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"
)

// EmailFields holds the header fields of an inbound email that routing
// reads, in parsed form. [ParseEmail] fills it from a message's header; a
// host whose provider already parsed the message may fill it directly.
type EmailFields struct {
	// From is the sender's address (addr-spec), such as "ann@example.com",
	// without display name or angle brackets. Required.
	From string
	// Name is the sender's display name, decoded; it may be empty.
	Name string
	// To holds the addresses of the To field (the support address among
	// them, unless the inbox was blind-copied). It may be empty.
	To []string
	// MessageID is the message's Message-ID without angle brackets. Required:
	// the inbox indexes it, so that replies thread and a second delivery is
	// a [Duplicate].
	MessageID string
	// InReplyTo holds the IDs of the In-Reply-To field without angle
	// brackets, in header order; at most [MaxMessageIDs].
	InReplyTo []string
	// References holds the IDs of the References field without angle
	// brackets, oldest first as in the header; at most [MaxMessageIDs].
	References []string
	// Subject is the decoded subject. A ticket token in it ([TicketToken])
	// joins the ticket only when the sender is that ticket's customer.
	Subject string
	// AutoSubmitted is the raw value of the Auto-Submitted field (RFC 3834),
	// such as "auto-replied"; empty when the field is absent.
	AutoSubmitted string
	// Precedence is the raw value of the Precedence field, such as "bulk";
	// empty when the field is absent.
	Precedence string
}

// ParseEmail reads the fields routing needs from an email's header. header
// returns the first value of the named field, or "" when it is absent, with
// names matched regardless of case: pass the Get method of a [mail.Header]
// (or of a textproto.MIMEHeader or http.Header).
//
// From must hold one address and Message-ID exactly one message ID, or the
// error is a [*FieldError] naming them. In-Reply-To and References are read
// leniently by [ParseMessageIDs]; one that holds no message ID at all (RFC
// 822 allowed a phrase such as "your message of Monday") counts as no
// reference rather than making the message unreadable. The subject and the
// display name are decoded from RFC 2047 encoded words when the charset is
// known, and kept as they are otherwise.
func ParseEmail(header func(name string) string) (EmailFields, error) {
	from, err := mail.ParseAddress(header("From"))
	if err != nil {
		return EmailFields{}, fieldError("Email.From", fmt.Sprintf("%q is not one address: %v", cut(header("From")), err))
	}
	var to []string
	if v := header("To"); strings.TrimSpace(v) != "" {
		list, err := mail.ParseAddressList(v)
		if err != nil {
			return EmailFields{}, fieldError("Email.To", fmt.Sprintf("%q is not a list of addresses: %v", cut(v), err))
		}
		for _, a := range list {
			to = append(to, a.Address)
		}
	}
	ids, err := ParseMessageIDs(header("Message-ID"))
	switch {
	case err != nil:
		return EmailFields{}, wrapField("Email.MessageID", err)
	case len(ids) != 1:
		return EmailFields{}, fieldError("Email.MessageID", fmt.Sprintf("holds %d message IDs, want 1", len(ids)))
	}
	// A field without any message ID gives nil: no reference (see above).
	inReplyTo, _ := ParseMessageIDs(header("In-Reply-To"))
	references, _ := ParseMessageIDs(header("References"))
	e := EmailFields{
		From:          from.Address,
		Name:          from.Name,
		To:            to,
		MessageID:     ids[0],
		InReplyTo:     inReplyTo,
		References:    references,
		Subject:       decodeHeader(header("Subject")),
		AutoSubmitted: header("Auto-Submitted"),
		Precedence:    header("Precedence"),
	}
	if err := e.validate(); err != nil {
		return EmailFields{}, err
	}
	return e, nil
}

// decodeHeader decodes the RFC 2047 encoded words of s, or returns s when
// their charset is unknown.
func decodeHeader(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

func (e *EmailFields) validate() error {
	if err := fieldError("Email.From", badAddress(e.From)); err != nil {
		return err
	}
	for i, a := range e.To {
		if err := fieldError(fmt.Sprintf("Email.To[%d]", i), badAddress(a)); err != nil {
			return err
		}
	}
	if err := fieldError("Email.MessageID", badToken(e.MessageID)); err != nil {
		return err
	}
	if err := validIDs("Email.InReplyTo", e.InReplyTo); err != nil {
		return err
	}
	if err := validIDs("Email.References", e.References); err != nil {
		return err
	}
	if err := fieldError("Email.Name", badText(e.Name)); err != nil {
		return err
	}
	return fieldError("Email.Subject", badText(e.Subject))
}

// validIDs checks a list of message IDs, naming the first bad one.
func validIDs(field string, ids []string) error {
	if len(ids) > MaxMessageIDs {
		return fieldError(field, fmt.Sprintf("holds %d message IDs, more than %d", len(ids), MaxMessageIDs))
	}
	for i, id := range ids {
		if r := badToken(id); r != "" {
			return fieldError(fmt.Sprintf("%s[%d]", field, i), r)
		}
	}
	return nil
}

// Auto says whether a machine sent an email, and which kind of machine. The
// zero value, [NotAuto], is a message from a person as far as the header
// tells.
//
// Nothing should answer an automatic message automatically, or two
// auto-responders answer each other forever (RFC 3834). [Route] marks every
// automatic email in its [Decision], drops a [Bounce], and files the others
// without reopening or waking their ticket.
type Auto uint8

// The kinds of automatic email.
const (
	// NotAuto: sent by a person, as far as the header tells.
	NotAuto Auto = iota
	// AutoReply: an automatic answer, such as an out-of-office message
	// (Auto-Submitted: auto-replied, or Precedence: auto_reply).
	AutoReply
	// AutoGenerated: sent by a program on its own (any other Auto-Submitted
	// value but "no", or Precedence: bulk, list or junk).
	AutoGenerated
	// Bounce: a delivery failure report, from mailer-daemon@ or postmaster@.
	Bounce
)

var autos = enum[Auto]{"auto", []string{NotAuto: "none", AutoReply: "auto-reply", AutoGenerated: "auto-generated", Bounce: "bounce"}}

// String returns "none", "auto-reply", "auto-generated" or "bounce", and
// "invalid auto(N)" for anything else.
func (a Auto) String() string { return autos.string(a) }

// MarshalText encodes a as [Auto.String] does; an invalid value is an error
// matching [ErrInvalid].
func (a Auto) MarshalText() ([]byte, error) { return autos.marshal(a) }

// UnmarshalText decodes "none", "auto-reply", "auto-generated" or "bounce".
// Anything else is a [*SyntaxError] and leaves a unchanged.
func (a *Auto) UnmarshalText(text []byte) error { return autos.unmarshal(text, a) }

// auto classifies e by its sender and its Auto-Submitted and Precedence
// fields; a bounce first, then an auto-reply, then any other automatic mail.
func (e *EmailFields) auto() Auto {
	if at := strings.LastIndexByte(e.From, '@'); at > 0 && isBounceSender(e.From[:at]) {
		return Bounce
	}
	if e.AutoSubmitted == "" && e.Precedence == "" { // a person's mail, nearly always
		return NotAuto
	}
	submitted, precedence := headerToken(e.AutoSubmitted), headerToken(e.Precedence)
	switch {
	case strings.EqualFold(submitted, "auto-replied") || strings.EqualFold(precedence, "auto_reply"):
		return AutoReply
	case submitted != "" && !strings.EqualFold(submitted, "no"),
		strings.EqualFold(precedence, "bulk"), strings.EqualFold(precedence, "list"), strings.EqualFold(precedence, "junk"):
		return AutoGenerated
	}
	return NotAuto
}

// isBounceSender reports whether local, the local part of an address, is
// MAILER-DAEMON or postmaster, in any case.
func isBounceSender(local string) bool {
	return len(local) == len("mailer-daemon") && strings.EqualFold(local, "mailer-daemon") ||
		len(local) == len("postmaster") && strings.EqualFold(local, "postmaster")
}

// headerToken returns the first word of a structured field value: what comes
// before any parameter (";") or comment ("("), trimmed.
func headerToken(v string) string {
	if i := strings.IndexAny(v, ";("); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}
