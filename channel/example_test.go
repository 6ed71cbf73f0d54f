package channel_test

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// receive routes in against store and files it as package inbox does (see
// memStore.apply).
func receive(store *memStore, in channel.Inbound) channel.Decision {
	d, err := channel.Route(&in, store)
	if err != nil {
		panic(err)
	}
	if _, err := store.apply(in, d); err != nil {
		panic(err)
	}
	return d
}

// One customer texting: the first text opens the ticket, every later one
// joins it and reopens it when closed, a keyword makes no ticket, and a
// second delivery adds nothing.
func Example() {
	store := newMemStore()
	from, _ := channel.NormalizePhone("+44 7911 123456")
	sms := func(id, body string) channel.Inbound {
		return channel.Inbound{Kind: channel.SMS, Body: body,
			SMS: channel.SMSFields{From: from, To: "12345", MessageID: id}}
	}
	show := func(d channel.Decision) {
		switch d.Action {
		case channel.Keyword:
			fmt.Println(d.Action, d.Keyword, d.KeywordClass)
		case channel.New:
			fmt.Println(d.Action)
		default:
			fmt.Println(d.Action, d.Ticket.Number)
		}
	}

	show(receive(store, sms("SM1", "Hi, where is my parcel?")))
	show(receive(store, sms("SM2", "It was due on Monday")))
	store.setStatus(1, status.Closed)
	show(receive(store, sms("SM3", "Still nothing!")))
	show(receive(store, sms("SM3", "Still nothing!")))
	show(receive(store, sms("SM4", " stop ")))
	// Output:
	// new
	// append 1
	// reopen 1
	// duplicate 1
	// keyword STOP opt-out
}

// Web chat: each conversation is its own ticket, even for the same visitor,
// and a closed one never reopens.
func ExampleRoute_webChat() {
	store := newMemStore()
	message := func(conversation, body string) channel.Inbound {
		return channel.Inbound{Kind: channel.WebChat, Body: body,
			WebChat: channel.WebChatFields{Conversation: conversation, Visitor: "visitor-7"}}
	}
	fmt.Println(receive(store, message("conv-1", "Hello")).Action)
	fmt.Println(receive(store, message("conv-2", "Hello from another tab")).Action)
	store.setStatus(1, status.Closed)
	fmt.Println(receive(store, message("conv-1", "One more question")).Action)
	// Output:
	// new
	// new
	// new
}

// Email: a reply threads by the Message-IDs it refers to, and reopens its
// ticket however long ago it closed. The header comes from net/mail.
func ExampleParseEmail() {
	store := newMemStore()
	deliver := func(raw string) channel.Decision {
		msg, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			panic(err)
		}
		e, err := channel.ParseEmail(msg.Header.Get)
		if err != nil {
			panic(err)
		}
		return receive(store, channel.Inbound{Kind: channel.Email, Body: "…", Email: e})
	}

	first := deliver("From: Ann <ann@example.com>\r\nSubject: Order 1001\r\nMessage-ID: <a1@example.com>\r\n\r\n")
	fmt.Println(first.Action)
	store.setStatus(1, status.Closed)

	// A year later Ann answers the thread. Her mailer folded References.
	again := deliver("From: ann@example.com\r\nSubject: Re: Order 1001\r\nMessage-ID: <a2@example.com>\r\n" +
		"References: <a1@example.com>\r\n <reply-1@shop.example>\r\n\r\n")
	fmt.Println(again.Action, again.Ticket.Number)

	// The same subject without a reference is a new thread.
	fmt.Println(deliver("From: ann@example.com\r\nSubject: Order 1001\r\nMessage-ID: <a3@example.com>\r\n\r\n").Action)
	// Output:
	// new
	// reopen 1
	// new
}

func ExampleParseMessageIDs() {
	ids, err := channel.ParseMessageIDs("<a@example.com>\r\n (the root) <b@example.com>, c@example.com")
	fmt.Println(ids, err)
	field, _ := channel.FormatMessageIDs(ids)
	fmt.Println(field)
	// Output:
	// [a@example.com b@example.com c@example.com] <nil>
	// <a@example.com> <b@example.com> <c@example.com>
}

func ExampleNormalizePhone() {
	for _, s := range []string{"+1 (555) 123-4567", "0044 7911 123456", "07911 123456"} {
		n, err := channel.NormalizePhone(s)
		fmt.Printf("%q %v\n", n, errors.Is(err, channel.ErrNoCountryCode))
	}
	// Output:
	// "+15551234567" false
	// "+447911123456" false
	// "" true
}

func ExampleNormalizeSenderNumber() {
	for _, s := range []string{"+1 833 555 0100", "12345", "ACME"} {
		n, err := channel.NormalizeSenderNumber(s)
		fmt.Printf("%q %v\n", n, errors.Is(err, channel.ErrSenderCannotReceive))
	}
	// Output:
	// "+18335550100" false
	// "12345" false
	// "" true
}

func ExampleKeywordSet_With() {
	set, err := channel.DefaultKeywords().With(channel.OptOut, "arrêt", "para")
	if err != nil {
		panic(err)
	}
	set = set.Without("yes")
	for _, text := range []string{"Arrêt", "opt-out", "yes", "Stop please"} {
		if word, class, ok := set.Match(text); ok {
			fmt.Printf("%q is %s, %s\n", text, word, class)
		} else {
			fmt.Printf("%q is a message\n", text)
		}
	}
	// Output:
	// "Arrêt" is ARRÊT, opt-out
	// "opt-out" is OPTOUT, opt-out
	// "yes" is a message
	// "Stop please" is a message
}

func ExampleCanReply() {
	fmt.Println(channel.CanReply(channel.Email, channel.Consent{}))
	fmt.Println(channel.CanReply(channel.SMS, channel.Consent{}))
	fmt.Println(channel.CanReply(channel.SMS, channel.Consent{SMSTransactional: true}))
	// Output:
	// <nil>
	// channel: the customer has not consented to receive SMS
	// <nil>
}

func ExampleAttribute() {
	sent := time.Date(2025, 3, 1, 18, 0, 0, 0, time.UTC)
	received := []channel.Sent{
		{ID: "campaign-spring", Origin: channel.Campaign, At: sent},
		{ID: "flow-cart", Origin: channel.Flow, At: sent.Add(time.Hour)},
	}
	// The first reply, the next day, goes to the last text received.
	s, ok, _ := channel.Attribute(sent.Add(20*time.Hour), received, 0)
	fmt.Println(s.ID, ok)

	// A second quick reply is not attributed.
	received[1].Attributed = true
	_, ok, _ = channel.Attribute(sent.Add(20*time.Hour+time.Second), received, 0)
	fmt.Println(ok)
	// Output:
	// flow-cart true
	// false
}
