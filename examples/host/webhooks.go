package main

import (
	"errors"
	"net/http"
	"sync"

	"github.com/routedesk/routedesk/channel"
)

// received is the answer to a webhook: what the inbox did with the message.
type received struct {
	Action       channel.Action       `json:"action"`
	Ticket       int64                `json:"ticket,omitempty"`
	Keyword      string               `json:"keyword,omitempty"`
	KeywordClass channel.KeywordClass `json:"keyword_class,omitzero"`
	Auto         channel.Auto         `json:"auto,omitzero"`
	// Assignee is who round robin gave a new ticket to, and Reason why (or
	// why nobody got it); both empty when round robin is off.
	Assignee string `json:"assignee,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// receive hands an inbound message to the inbox and answers with what it did.
func (a *api) receive(w http.ResponseWriter, r *http.Request, in channel.Inbound) error {
	got, err := a.ib.Receive(r.Context(), in)
	if err != nil {
		return err
	}
	if got.Action == channel.Keyword {
		a.subs.keyword(in.CustomerKey(), got.KeywordClass)
	}
	out := received{Action: got.Action, Ticket: got.Ticket, Keyword: got.Keyword, KeywordClass: got.KeywordClass, Auto: got.Auto}
	if got.Decision != nil {
		out.Assignee, out.Reason = got.Decision.Agent, got.Decision.Reason()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webChat takes a visitor's message from the chat widget:
//
//	{"conversation": "c-1", "visitor": "v-7", "email": "ann@example.com", "message_id": "w-1", "body": "Hi"}
//
// email and message_id are optional; profile, the host's own ID of a
// signed-in customer, may stand for visitor.
func (a *api) webChat(w http.ResponseWriter, r *http.Request) error {
	var m struct {
		Conversation string `json:"conversation"`
		Visitor      string `json:"visitor"`
		Profile      string `json:"profile"`
		Email        string `json:"email"`
		MessageID    string `json:"message_id"`
		Body         string `json:"body"`
	}
	if err := decode(w, r, &m); err != nil {
		return err
	}
	return a.receive(w, r, channel.Inbound{Kind: channel.WebChat, Body: m.Body, Profile: m.Profile,
		WebChat: channel.WebChatFields{Conversation: m.Conversation, Visitor: m.Visitor, MessageID: m.MessageID, Email: m.Email}})
}

// visitorPresence takes the chat widget's word that a visitor came or went:
// {"conversation": "c-1", "online": false}.
func (a *api) visitorPresence(w http.ResponseWriter, r *http.Request) error {
	var m struct {
		Conversation string `json:"conversation"`
		Online       *bool  `json:"online"`
	}
	if err := decode(w, r, &m); err != nil {
		return err
	}
	if m.Online == nil {
		return &requestError{Field: "online", Reason: "required: true or false"}
	}
	return noContent(w, a.ib.SetVisitorOnline(r.Context(), m.Conversation, *m.Online))
}

// email takes an inbound email as an inbound-mail service posts it: the
// header fields routing needs, as they were written, and the text.
//
//	{"from": "Ann <ann@example.com>", "to": "help@shop.example", "subject": "Order",
//	 "message_id": "<m1@example.com>", "in_reply_to": "", "references": "",
//	 "headers": {"Auto-Submitted": "auto-replied"}, "body": "Where is it?"}
//
// headers holds any other header fields (Auto-Submitted and Precedence
// matter); a named field, when given, wins over the same one in headers.
func (a *api) email(w http.ResponseWriter, r *http.Request) error {
	var m struct {
		From       string            `json:"from"`
		To         string            `json:"to"`
		Subject    string            `json:"subject"`
		MessageID  string            `json:"message_id"`
		InReplyTo  string            `json:"in_reply_to"`
		References string            `json:"references"`
		Headers    map[string]string `json:"headers"`
		Profile    string            `json:"profile"`
		Body       string            `json:"body"`
	}
	if err := decode(w, r, &m); err != nil {
		return err
	}
	h := make(http.Header, len(m.Headers)+6)
	for k, v := range m.Headers {
		h.Set(k, v)
	}
	for k, v := range map[string]string{"From": m.From, "To": m.To, "Subject": m.Subject,
		"Message-ID": m.MessageID, "In-Reply-To": m.InReplyTo, "References": m.References} {
		if v != "" {
			h.Set(k, v)
		}
	}
	fields, err := channel.ParseEmail(h.Get)
	if err != nil {
		return err
	}
	return a.receive(w, r, channel.Inbound{Kind: channel.Email, Body: m.Body, Profile: m.Profile, Email: fields})
}

// sms takes a text as SMS providers post it, form-encoded in Twilio's
// names: From, To, Body and MessageSid (other fields are ignored). Numbers
// must carry their country code.
func (a *api) sms(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return &requestError{Reason: "malformed form: " + err.Error()}
	}
	from, err := channel.NormalizePhone(r.PostForm.Get("From"))
	if err != nil {
		return badField("From", err)
	}
	to, err := channel.NormalizeSenderNumber(r.PostForm.Get("To"))
	if err != nil {
		return badField("To", err)
	}
	sid := r.PostForm.Get("MessageSid")
	if sid == "" {
		return &requestError{Field: "MessageSid", Reason: "required: the provider's ID of the text"}
	}
	in := channel.Inbound{Kind: channel.SMS, Body: r.PostForm.Get("Body"), SMS: channel.SMSFields{From: from, To: to, MessageID: sid}}
	in.SMS.Consent = a.subs.consent(in.CustomerKey())
	return a.receive(w, r, in)
}

// subscriptions stand in for the host's SMS subscription records, by
// customer key: SMS keywords change them; replies and the SMS auto-responder
// read them. A real host keeps them in its own database.
type subscriptions struct {
	mu sync.Mutex
	m  map[string]channel.Consent
}

func newSubscriptions() *subscriptions {
	return &subscriptions{m: make(map[string]channel.Consent)}
}

// consent returns what the customer consented to.
func (s *subscriptions) consent(customer string) channel.Consent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[customer]
}

// keyword records a keyword the customer texted: opting out withdraws every
// consent; opting in consents to transactional texts, which support replies
// are. Help changes nothing.
func (s *subscriptions) keyword(customer string, class channel.KeywordClass) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch class {
	case channel.OptOut:
		delete(s.m, customer)
	case channel.OptIn:
		c := s.m[customer]
		c.SMSTransactional = true
		s.m[customer] = c
	}
}
