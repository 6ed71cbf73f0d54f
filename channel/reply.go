package channel

import "fmt"

// Consent is what the customer agreed to receive by SMS, as the host's
// subscription records say at the time of the reply.
type Consent struct {
	// SMSMarketing: the customer subscribes to SMS marketing.
	SMSMarketing bool
	// SMSTransactional: the customer subscribes to transactional SMS.
	SMSTransactional bool
}

// CanReply reports whether an agent may answer a ticket of channel kind whose
// customer has consent. Web chat and email tickets can always be answered.
// An SMS ticket can be answered only when the customer subscribes to SMS
// marketing or to transactional SMS; otherwise the error is [ErrNoConsent]
// (the host's SMS auto-responder can tell such customers how to opt in). An
// invalid kind is a [*FieldError].
//
// A reply always answers a ticket, and only [Route] opens tickets, from a
// customer's message: there is no way to start a conversation from the
// inbox's side. The inbox's own SMS number must be one that can receive
// texts; check it once with [NormalizeSenderNumber].
func CanReply(kind Kind, consent Consent) error {
	switch {
	case !kind.Valid():
		return fieldError("kind", fmt.Sprintf("%s is not webchat, email or sms", kind))
	case kind == SMS && !consent.SMSMarketing && !consent.SMSTransactional:
		return ErrNoConsent
	}
	return nil
}
