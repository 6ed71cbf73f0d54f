// Package channel holds the per-channel rules of a support inbox: for every
// inbound web chat, email or SMS message, which ticket it belongs to and
// whether that ticket opens, reopens or wakes; when an agent may reply; and
// the parsers those rules need. It decides and stores nothing: package inbox
// stores, and calls [Route] inside the transaction that applies the
// decision.
//
// # Routing
//
// The host fills an [Inbound] with what its provider gave (for email,
// [ParseEmail] reads a parsed message's header) and the inbox passes it to
// [Route] with a [Lookup] over its indexes. The [Decision] says what to do:
//
//	channel   a ticket is keyed by             closed ticket     snoozed ticket
//	web chat  the conversation                 new ticket        wakes
//	email     the Message-IDs it holds         reopens           wakes
//	SMS       the customer's phone number      reopens           wakes
//
// A message already held ([Inbound.MessageKey]) is a [Duplicate]. An SMS
// whose whole text is a keyword ([KeywordSet]) is a [Keyword] for the host's
// subscription system and makes no ticket. Email threads only by message
// IDs (In-Reply-To first, then References newest first), or by a ticket
// token ([TicketToken]) in the subject when the sender is that ticket's
// customer, never by the subject alone. An automatic email ([Auto]) is marked
// so that nothing answers it, and a bounce makes no ticket.
//
// The customer always writes first: only Route opens tickets, and only from
// a customer's message. [CanReply] says whether an agent may answer:
// always on web chat and email, and on SMS only a customer who subscribes to
// SMS marketing or transactional SMS ([ErrNoConsent]). The inbox's own SMS
// number must be able to receive texts: [NormalizeSenderNumber] refuses a
// branded sender ID ([ErrSenderCannotReceive]). [Attribute] attributes an
// inbound SMS to the campaign or flow text it answers.
//
// # Decisions where the product is silent
//
//   - Identity. [Inbound.CustomerKey] is the host's profile ID when given
//     (one customer across channels), else the visitor ID, the email address
//     in lower case (every mail provider treats the local part without case),
//     or the E.164 number, each behind a channel prefix.
//   - Canonical input. The Inbound holds parsed values: SMS numbers in the
//     form [NormalizePhone] and [NormalizeSenderNumber] give, email message
//     IDs without brackets. Validation refuses anything else with a
//     [*FieldError] instead of normalising silently, so that the keys the
//     store indexes are the keys Route looks up. Parsing happens once, when
//     the Inbound is built; Route only checks and looks up.
//   - Automatic email. Besides a bounce (from mailer-daemon@ or
//     postmaster@, dropped), Auto-Submitted other than "no" and Precedence
//     bulk, list, junk or auto_reply mark a message automatic. An automatic
//     message joins its thread without reopening or waking the ticket: an
//     out-of-office answer to "we closed your ticket" must not reopen it. One
//     that refers to nothing known opens a ticket like any other email.
//   - A web chat message whose conversation's ticket is closed opens a new
//     ticket, which takes over the conversation's key ([Lookup.Thread]
//     returns the newest).
//   - [Lookup] methods return an error besides found: a SQL store can fail.
//     Route passes the error on, wrapped, and decides nothing.
//   - Duplicates are checked before anything else, on the channel's own
//     message ID. The inbox indexes the Message-IDs of its outgoing email
//     too, so a copy of its own reply coming back is a duplicate, and a
//     customer's answer to it threads.
//   - Keywords match the whole text with surrounding whitespace trimmed,
//     spaces and dashes inside removed and letters upper-cased ("opt out",
//     "Opt-Out" and "OPTOUT" are one keyword); "STOP!" is no keyword. A
//     keyword makes no ticket even when the customer has an open one; the
//     host records the subscription change.
//   - Web chat messages may carry the widget's message ID, to drop retried
//     deliveries; SMS messages must carry the provider's. A short code
//     (3 to 6 digits) is accepted as the inbox's own number, as is any E.164
//     number; the customer's number must be E.164.
//   - Message-ID lists keep at most [MaxMessageIDs] IDs: the first and the
//     newest. A reference field without any ID is no reference; a
//     Message-ID field must hold exactly one.
//   - Phone numbers without a country code are refused with
//     [ErrNoCountryCode]: reading national numbers needs each country's
//     numbering plan. Normalise them with a full phone library (a port of
//     libphonenumber) before they reach this package.
//   - Attribution: only the last text received before the reply is a
//     candidate; the end of the window is inclusive.
//
// Errors about bad input are a [*FieldError] (naming the field) or a
// [*SyntaxError] (naming what was parsed), and both match [ErrInvalid]. The
// package is pure: no I/O, no goroutines, no clock.
package channel
