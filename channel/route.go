package channel

import (
	"fmt"

	"github.com/routedesk/routedesk/status"
)

// Lookup answers the questions [Route] asks about the tickets that already
// exist in one inbox. The inbox's stores implement it with indexed reads (a
// Go map in memory, a unique index in SQL) inside the transaction that will
// apply the decision, so that the decision and the write see the same state.
//
// Each method returns found == false and a nil error when nothing matches,
// and a non-nil error only when the store failed; Route then returns that
// error, wrapped. The methods must not change anything. Route calls them
// from one goroutine, one at a time, and stops at the first hit.
type Lookup interface {
	// Message returns the ticket that holds the message whose key on the
	// channel kind is id: an email Message-ID (without angle brackets), an
	// SMS provider message ID, or a web chat message ID; see
	// [Inbound.MessageKey]. Messages in both directions count: the
	// Message-IDs of the inbox's own outgoing replies must be found too, so
	// that the customer's answers to them thread.
	Message(kind Kind, id string) (t TicketRef, found bool, err error)
	// Thread returns the newest ticket of the channel kind whose thread key
	// is key: a web chat conversation ID or an SMS customer's number; see
	// [Inbound.ThreadKey]. When a web chat conversation outlives its closed
	// ticket, the new ticket becomes the conversation's ticket.
	Thread(kind Kind, key string) (t TicketRef, found bool, err error)
	// Ticket returns the ticket numbered number, on any channel.
	Ticket(number int64) (t TicketRef, found bool, err error)
}

// TicketRef is what routing needs to know about an existing ticket.
type TicketRef struct {
	// Number identifies the ticket in its inbox; it is positive.
	Number int64
	// Kind is the channel of the ticket.
	Kind Kind
	// Status is the ticket's status now.
	Status status.Status
	// Customer is the [Inbound.CustomerKey] of the message that opened it.
	Customer string
}

// Action is what the inbox does with an inbound message. The zero value is
// not a valid action.
type Action uint8

// The actions of a [Decision].
const (
	// New: open a new ticket with the message. It is the only way a ticket
	// begins: the customer always writes first.
	New Action = iota + 1
	// Append: add the message to Decision.Ticket, whose status stays as it is.
	Append
	// Reopen: add the message to the closed Decision.Ticket and apply
	// [status.Reopen] to it.
	Reopen
	// Wake: add the message to the snoozed Decision.Ticket and apply
	// [status.Wake] to it.
	Wake
	// Keyword: the SMS is a keyword for the host's subscription system (see
	// Decision.Keyword): it makes no ticket and joins none.
	Keyword
	// Duplicate: Decision.Ticket already holds this message; add nothing.
	Duplicate
	// Drop: a bounce, which makes no ticket and joins none.
	Drop
)

var actions = enum[Action]{"action", []string{New: "new", Append: "append", Reopen: "reopen", Wake: "wake", Keyword: "keyword", Duplicate: "duplicate", Drop: "drop"}}

// String returns the action's name in lower case ("new", "append", …), and
// "invalid action(N)" for anything else.
func (a Action) String() string { return actions.string(a) }

// MarshalText encodes a as [Action.String] does; an invalid action is an
// error matching [ErrInvalid].
func (a Action) MarshalText() ([]byte, error) { return actions.marshal(a) }

// UnmarshalText decodes an action's name. Anything else is a [*SyntaxError]
// and leaves a unchanged.
func (a *Action) UnmarshalText(text []byte) error { return actions.unmarshal(text, a) }

// Decision is where an inbound message goes and what it does there.
type Decision struct {
	// Action is what to do with the message.
	Action Action
	// Ticket is the ticket the message joins (Append, Reopen, Wake) or
	// already is in (Duplicate); the zero TicketRef otherwise.
	Ticket TicketRef
	// Keyword is, for Action Keyword, the keyword in normal form ("STOP",
	// "OPTOUT"); "" otherwise.
	Keyword string
	// KeywordClass is, for Action Keyword, what the keyword asks for; zero
	// otherwise.
	KeywordClass KeywordClass
	// Auto says whether a machine sent the message (email only): when it is
	// not NotAuto, nothing may answer the message automatically.
	Auto Auto
}

// Event returns the status event the inbox applies to Decision.Ticket,
// through [status.Next]: [status.Reopen] for Reopen and [status.Wake] for
// Wake. For every other action ok is false: the status does not change.
func (d Decision) Event() (e status.Event, ok bool) {
	switch d.Action {
	case Reopen:
		return status.Reopen, true
	case Wake:
		return status.Wake, true
	}
	return 0, false
}

// Option configures [Route]; build one with [WithKeywords]. Options are
// plain values: a caller that routes many messages builds its options once,
// and Route then allocates nothing for them.
type Option struct {
	keywords *KeywordSet
}

type options struct {
	keywords KeywordSet
}

// configure applies opts to the defaults.
func configure(opts []Option) options {
	o := options{keywords: defaultKeywords}
	for _, opt := range opts {
		if opt.keywords != nil {
			o.keywords = *opt.keywords
		}
	}
	return o
}

// WithKeywords makes Route match SMS keywords against set instead of
// [DefaultKeywords]. An empty set turns keywords off.
func WithKeywords(set KeywordSet) Option { return Option{keywords: &set} }

// Route decides which ticket the inbound message in goes to, asking known
// about existing tickets. It is the only source of new tickets. The rules:
//
//   - Any channel: a message whose [Inbound.MessageKey] a ticket already
//     holds is a Duplicate of it.
//   - SMS: a text whose whole body is a keyword (see [KeywordSet]) is a
//     Keyword. Otherwise it goes to the one ticket of the customer's number,
//     or opens it.
//   - Web chat: a message goes to its conversation's ticket; when that is
//     closed, or there is none, it opens a new ticket: closed web chat
//     tickets never reopen.
//   - Email: a bounce is dropped. Otherwise the message goes to the ticket
//     that holds a message it refers to, asked one ID at a time: In-Reply-To
//     in order, then References newest first. Failing that, a ticket token
//     in the subject ([FindTicketToken]) names the ticket, when it is an
//     email ticket whose customer is the sender. Failing that, it opens a
//     new ticket: the subject alone never threads.
//
// A message that joins a ticket reopens it when closed (Reopen) and wakes it
// when snoozed (Wake), however long ago that was; an automatic email (see
// [Auto]) joins without either.
//
// Keyword texts and bounces are not filed, so a second delivery of one gets
// the same decision again; the host's subscription system must be
// idempotent, as it must be for any retried webhook.
//
// An invalid or nil in is a [*FieldError] (from [Inbound.Validate]). An
// error of known is returned wrapped (errors.Is still finds it), and a
// ticket from known with an invalid status is a [*FieldError] naming
// "Lookup". Route does not change *in.
func Route(in *Inbound, known Lookup, opts ...Option) (Decision, error) {
	if in == nil {
		return Decision{}, fieldError("Inbound", "nil")
	}
	if err := in.Validate(); err != nil {
		return Decision{}, err
	}
	if known == nil {
		return Decision{}, fieldError("Lookup", "nil")
	}
	if key := in.MessageKey(); key != "" {
		t, found, err := known.Message(in.Kind, key)
		if err != nil {
			return Decision{}, lookupError(err, "message", key)
		}
		if found {
			return Decision{Action: Duplicate, Ticket: t}, nil
		}
	}
	switch in.Kind {
	case SMS:
		if word, class, ok := configure(opts).keywords.Match(in.Body); ok {
			return Decision{Action: Keyword, Keyword: word, KeywordClass: class}, nil
		}
		return byThread(in, known)
	case WebChat:
		return byThread(in, known)
	default:
		return byReference(in, known)
	}
}

// byThread routes a message of a channel that keys tickets by thread.
func byThread(in *Inbound, known Lookup) (Decision, error) {
	key := in.ThreadKey()
	t, found, err := known.Thread(in.Kind, key)
	if err != nil {
		return Decision{}, lookupError(err, "thread", key)
	}
	if !found {
		return Decision{Action: New}, nil
	}
	return join(in.Kind, t, NotAuto)
}

// byReference routes an email.
func byReference(in *Inbound, known Lookup) (Decision, error) {
	e := &in.Email
	auto := e.auto()
	if auto == Bounce {
		return Decision{Action: Drop, Auto: Bounce}, nil
	}
	for _, id := range e.InReplyTo {
		if d, done, err := byMessage(known, id, auto); done {
			return d, err
		}
	}
	for i := len(e.References) - 1; i >= 0; i-- { // newest first
		if d, done, err := byMessage(known, e.References[i], auto); done {
			return d, err
		}
	}
	if n, ok := FindTicketToken(e.Subject); ok {
		t, found, err := known.Ticket(n)
		if err != nil {
			return Decision{}, lookupError(err, "ticket", fmt.Sprint(n))
		}
		if found && t.Kind == Email && t.Customer == in.CustomerKey() {
			return join(Email, t, auto)
		}
	}
	return Decision{Action: New, Auto: auto}, nil
}

// byMessage routes an email by one message ID it refers to. It reports done
// when the ID names a ticket, or when the lookup failed.
func byMessage(known Lookup, id string, auto Auto) (d Decision, done bool, err error) {
	t, found, err := known.Message(Email, id)
	switch {
	case err != nil:
		return Decision{}, true, lookupError(err, "message", id)
	case !found:
		return Decision{}, false, nil
	}
	d, err = join(Email, t, auto)
	return d, true, err
}

// join decides what a message of channel kind does to the ticket t it
// belongs to.
func join(kind Kind, t TicketRef, auto Auto) (Decision, error) {
	d := Decision{Ticket: t, Auto: auto}
	switch {
	case !t.Status.Valid():
		return Decision{}, fieldError("Lookup", fmt.Sprintf("it returned ticket %d with %s", t.Number, t.Status))
	case t.Status == status.Open || auto != NotAuto:
		d.Action = Append
	case t.Status == status.Snoozed:
		d.Action = Wake
	case kind == WebChat:
		return Decision{Action: New}, nil // a closed web chat ticket never reopens
	default:
		d.Action = Reopen
	}
	return d, nil
}

// lookupError wraps an error of a Lookup method.
func lookupError(err error, what, key string) error {
	return fmt.Errorf("channel: looking up the %s %q: %w", what, key, err)
}
