package channel_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("r%d@x", i)
		}
		return out
	}
	cases := []struct {
		name   string
		in     channel.Inbound
		field  string // "" when valid
		reason string // a part of the reason
		is     error  // a sentinel the error also matches, if any
	}{
		{"web chat", chat("c1", "v1", "hi"), "", "", nil},
		{"web chat with a profile and no visitor", withProfile(chat("c1", "", "hi"), "p1"), "", "", nil},
		{"email", email("ann@example.com", "m1@x", ids(100), ids(100), "Re: order"), "", "", nil},
		{"email in UTF-8", email("jürgen@bücher.de", "ü1.ß@bücher.de", nil, []string{"é@x"}, "Grüße"), "", "", nil},
		{"sms", text("+447911123456", "SM1", ""), "", "", nil},
		{"sms to a short code", edit(text("+447911123456", "SM1", "hi"), func(in *channel.Inbound) { in.SMS.To = "12345" }), "", "", nil},

		{"no kind", channel.Inbound{}, "Kind", "invalid channel kind(0)", nil},
		{"unknown kind", channel.Inbound{Kind: 9}, "Kind", "invalid channel kind(9)", nil},
		{"body not UTF-8", chat("c1", "v1", "caf\xe9"), "Body", "UTF-8", nil},
		{"body with NUL", chat("c1", "v1", "a\x00b"), "Body", "NUL", nil},
		{"profile with a control character", withProfile(chat("c1", "v1", ""), "p\n1"), "Profile", `'\n'`, nil},
		{"profile too long", withProfile(chat("c1", "v1", ""), strings.Repeat("p", 999)), "Profile", "longer than 998", nil},

		{"no conversation", chat("", "v1", "hi"), "WebChat.Conversation", "missing", nil},
		{"no visitor and no profile", chat("c1", "", "hi"), "WebChat.Visitor", "missing", nil},
		{"bad web chat message ID", edit(chat("c1", "v1", ""), func(in *channel.Inbound) { in.WebChat.MessageID = "\x7f" }), "WebChat.MessageID", "holds", nil},
		{"bad web chat email", edit(chat("c1", "v1", ""), func(in *channel.Inbound) { in.WebChat.Email = "ann" }), "WebChat.Email", "local@domain", nil},

		{"no sender", email("", "m1@x", nil, nil, ""), "Email.From", "missing", nil},
		{"sender with a display name", email("Ann <ann@example.com>", "m1@x", nil, nil, ""), "Email.From", "holds the byte ' '", nil},
		{"sender without domain", email("ann@", "m1@x", nil, nil, ""), "Email.From", "not an address", nil},
		{"sender without @", email("ann", "m1@x", nil, nil, ""), "Email.From", "not an address", nil},
		{"bad recipient", edit(email("ann@example.com", "m1@x", nil, nil, ""), func(in *channel.Inbound) { in.Email.To = []string{"support@shop.com", "nobody"} }), "Email.To[1]", "not an address", nil},
		{"no Message-ID", email("ann@example.com", "", nil, nil, ""), "Email.MessageID", "missing", nil},
		{"Message-ID in brackets", email("ann@example.com", "<m1@x>", nil, nil, ""), "Email.MessageID", "'<'", nil},
		{"Message-ID with UTF-8, then a bracket", email("ann@example.com", "ü<x@y", nil, nil, ""), "Email.MessageID", "'<'", nil},
		{"Message-ID with UTF-8, then bad UTF-8", email("ann@example.com", "ü\xff@y", nil, nil, ""), "Email.MessageID", "UTF-8", nil},
		{"empty In-Reply-To ID", email("ann@example.com", "m1@x", []string{""}, nil, ""), "Email.InReplyTo[0]", "missing", nil},
		{"reference with a space", email("ann@example.com", "m1@x", nil, []string{"a@x", "b@x", "c @x"}, ""), "Email.References[2]", "' '", nil},
		{"too many references", email("ann@example.com", "m1@x", nil, ids(101), ""), "Email.References", "101 message IDs", nil},
		{"subject not UTF-8", email("ann@example.com", "m1@x", nil, nil, "\xff"), "Email.Subject", "UTF-8", nil},
		{"name not UTF-8", edit(email("ann@example.com", "m1@x", nil, nil, ""), func(in *channel.Inbound) { in.Email.Name = "\xff" }), "Email.Name", "UTF-8", nil},

		{"national customer number", text("07911 123456", "SM1", ""), "SMS.From", "no country code", channel.ErrNoCountryCode},
		{"customer number not normalised", text("+44 7911 123456", "SM1", ""), "SMS.From", `normalise it first (to "+447911123456")`, nil},
		{"customer number is a short code", text("12345", "SM1", ""), "SMS.From", "no country code", channel.ErrNoCountryCode},
		{"our number is a branded sender", edit(text("+447911123456", "SM1", ""), func(in *channel.Inbound) { in.SMS.To = "ACME" }), "SMS.To", "branded", channel.ErrSenderCannotReceive},
		{"no provider message ID", text("+447911123456", "", ""), "SMS.MessageID", "missing", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.in.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *channel.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("Validate error = %v, want a *FieldError matching ErrInvalid", err)
			}
			if diff := cmp.Diff(tc.field, fe.Field); diff != "" {
				t.Errorf("field (-want +got)\n%s", diff)
			}
			if !strings.Contains(fe.Reason, tc.reason) || !strings.HasPrefix(err.Error(), "channel: invalid "+tc.field+": ") {
				t.Errorf("error %q does not say %q", err, tc.reason)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	type keys struct{ Customer, Thread, Message string }
	for _, tc := range []struct {
		in   channel.Inbound
		want keys
	}{
		{chat("c1", "v1", ""), keys{"webchat:v1", "c1", ""}},
		{edit(chat("c1", "v1", ""), func(in *channel.Inbound) { in.WebChat.MessageID = "w1" }), keys{"webchat:v1", "c1", "w1"}},
		{email("Ann@Example.COM", "m1@x", nil, nil, ""), keys{"email:ann@example.com", "", "m1@x"}},
		{text("+447911123456", "SM1", ""), keys{"sms:+447911123456", "+447911123456", "SM1"}},
		{withProfile(chat("c1", "v1", ""), "p1"), keys{"profile:p1", "c1", ""}},
		{withProfile(email("ann@example.com", "m1@x", nil, nil, ""), "p1"), keys{"profile:p1", "", "m1@x"}},
		{withProfile(text("+447911123456", "SM1", ""), "p1"), keys{"profile:p1", "+447911123456", "SM1"}},
		{channel.Inbound{Kind: 0, WebChat: channel.WebChatFields{Conversation: "c1", Visitor: "v1"}}, keys{}},
	} {
		got := keys{tc.in.CustomerKey(), tc.in.ThreadKey(), tc.in.MessageKey()}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("keys of %+v (-want +got)\n%s", tc.in, diff)
		}
		if got := string(tc.in.AppendCustomerKey([]byte("before|"))); got != "before|"+tc.want.Customer {
			t.Errorf("AppendCustomerKey of %+v: %q, want the customer key after what was there", tc.in, got)
		}
	}
	// The same visitor ID, address and number on different channels are different customers.
	var same []string
	for _, in := range []channel.Inbound{chat("c", "x", ""), email("x", "m@x", nil, nil, ""), text("x", "S", ""), withProfile(chat("c", "v", ""), "x")} {
		same = append(same, in.CustomerKey())
	}
	for i := range same {
		for j := range i {
			if same[i] == same[j] {
				t.Errorf("customer keys collide: %q", same[i])
			}
		}
	}
}

const gmailReply = "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Example.DE>\r\n" +
	"To: Shop Support <support@shop.com>, orders@shop.com\r\n" +
	"Subject: =?UTF-8?Q?Re:_Bestellung_=C3=BCberf=C3=A4llig?= [#41]\r\n" +
	"Message-ID: <CAJ7x+abc123@mail.gmail.com>\r\n" +
	"In-Reply-To: <r1.41@shop.com>\r\n" +
	"References: <CAJ7x+root@mail.gmail.com>\r\n" +
	" <r1.41@shop.com>\r\n" +
	"Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n" +
	"\r\n" +
	"Danke!\r\n"

func readHeader(t *testing.T, raw string) mail.Header {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	got, err := channel.ParseEmail(readHeader(t, gmailReply).Get)
	if err != nil {
		t.Fatal(err)
	}
	want := channel.EmailFields{
		From:       "Juergen@Example.DE",
		Name:       "Jürgen Müller",
		To:         []string{"support@shop.com", "orders@shop.com"},
		MessageID:  "CAJ7x+abc123@mail.gmail.com",
		InReplyTo:  []string{"r1.41@shop.com"},
		References: []string{"CAJ7x+root@mail.gmail.com", "r1.41@shop.com"},
		Subject:    "Re: Bestellung überfällig [#41]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseEmail (-want +got)\n%s", diff)
	}
}

func TestParseEmailLenient(t *testing.T) {
	t.Parallel()
	h := mail.Header{
		"From":           {"ann@example.com"},
		"To":             {"undisclosed-recipients:;"},
		"Message-Id":     {"m1@example.com"}, // no brackets
		"In-Reply-To":    {"your message of Monday"},
		"Subject":        {"=?koi8-r?q?=F0=D2=C9=D7=C5=D4?="}, // a charset the decoder does not know
		"Auto-Submitted": {"auto-replied; owner-email=\"ann@example.com\""},
		"Precedence":     {"bulk"},
	}
	got, err := channel.ParseEmail(h.Get)
	if err != nil {
		t.Fatal(err)
	}
	want := channel.EmailFields{
		From:          "ann@example.com",
		MessageID:     "m1@example.com",
		Subject:       "=?koi8-r?q?=F0=D2=C9=D7=C5=D4?=",
		AutoSubmitted: "auto-replied; owner-email=\"ann@example.com\"",
		Precedence:    "bulk",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseEmail (-want +got)\n%s", diff)
	}
}

func TestParseEmailErrors(t *testing.T) {
	t.Parallel()
	base := func() mail.Header {
		return mail.Header{"From": {"ann@example.com"}, "Message-Id": {"<m1@x>"}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(h mail.Header)
		field string
	}{
		{"no From", func(h mail.Header) { delete(h, "From") }, "Email.From"},
		{"two senders", func(h mail.Header) { h["From"] = []string{"a@x, b@y"} }, "Email.From"},
		{"a sender with a space in a quoted local part", func(h mail.Header) { h["From"] = []string{`"ann smith"@example.com`} }, "Email.From"},
		{"bad To", func(h mail.Header) { h["To"] = []string{"support@"} }, "Email.To"},
		{"no Message-ID", func(h mail.Header) { delete(h, "Message-Id") }, "Email.MessageID"},
		{"Message-ID without an ID", func(h mail.Header) { h["Message-Id"] = []string{"(none)"} }, "Email.MessageID"},
		{"two Message-IDs", func(h mail.Header) { h["Message-Id"] = []string{"<a@x> <b@x>"} }, "Email.MessageID"},
		{"subject with NUL", func(h mail.Header) { h["Subject"] = []string{"a\x00"} }, "Email.Subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := base()
			tc.edit(h)
			e, err := channel.ParseEmail(h.Get)
			var fe *channel.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("ParseEmail error = %v, want a *FieldError naming %s", err, tc.field)
			}
			if diff := cmp.Diff(channel.EmailFields{}, e); diff != "" {
				t.Errorf("fields on error (-want +got)\n%s", diff)
			}
		})
	}
}

func TestAutomaticEmail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, autoSubmitted, precedence string
		want                            channel.Auto
	}{
		{"ann@example.com", "", "", channel.NotAuto},
		{"ann@example.com", "no", "", channel.NotAuto},
		{"ann@example.com", " No (a person wrote this)", "", channel.NotAuto},
		{"ann@example.com", "auto-replied", "", channel.AutoReply},
		{"ann@example.com", "Auto-Replied; owner-email=x@y", "", channel.AutoReply},
		{"ann@example.com", "auto-generated", "", channel.AutoGenerated},
		{"ann@example.com", "auto-notified", "", channel.AutoGenerated},
		{"ann@example.com", "", "auto_reply", channel.AutoReply},
		{"ann@example.com", "", "bulk", channel.AutoGenerated},
		{"ann@example.com", "", "List", channel.AutoGenerated},
		{"ann@example.com", "", "junk", channel.AutoGenerated},
		{"ann@example.com", "", "first-class", channel.NotAuto},
		{"ann@example.com", "auto-generated", "auto_reply", channel.AutoReply},
		{"MAILER-DAEMON@mx.example.com", "", "", channel.Bounce},
		{"postmaster@example.com", "auto-replied", "", channel.Bounce},
		{"mailer-daemon.fan@example.com", "", "", channel.NotAuto},
	} {
		in := email(tc.from, "m1@x", nil, nil, "")
		in.Email.AutoSubmitted, in.Email.Precedence = tc.autoSubmitted, tc.precedence
		d, err := channel.Route(&in, newMemStore())
		if err != nil {
			t.Fatal(err)
		}
		if d.Auto != tc.want {
			t.Errorf("From %s, Auto-Submitted %q, Precedence %q: Auto = %v, want %v", tc.from, tc.autoSubmitted, tc.precedence, d.Auto, tc.want)
		}
	}
}

func FuzzParseEmail(f *testing.F) {
	f.Add("Ann <ann@example.com>", "<m1@x>", "<r1@x>", "<a@x> <b@y>", "Re: [#1]", "support@shop.com")
	f.Add("=?utf-8?q?J=C3=BCrgen?= <j@x.de>", "m1@x", "your message", "(c) <a@x", "=?utf-8?b?w7w=?=", "undisclosed-recipients:;")
	f.Add("MAILER-DAEMON@x", "<>", "", "", "", "")
	f.Fuzz(func(t *testing.T, from, messageID, inReplyTo, references, subject, to string) {
		h := mail.Header{"From": {from}, "Message-Id": {messageID}, "In-Reply-To": {inReplyTo},
			"References": {references}, "Subject": {subject}, "To": {to}}
		e, err := channel.ParseEmail(h.Get)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("ParseEmail error %v does not match ErrInvalid", err)
			}
			return
		}
		in := channel.Inbound{Kind: channel.Email, Email: e}
		if err := in.Validate(); err != nil {
			t.Fatalf("ParseEmail gave fields that do not validate: %v", err)
		}
		if _, err := channel.Route(&in, newMemStore()); err != nil {
			t.Fatalf("Route: %v", err)
		}
	})
}

func TestText(t *testing.T) {
	t.Parallel()
	type all struct {
		Kinds   []channel.Kind
		Classes []channel.KeywordClass
		Origins []channel.Origin
		Actions []channel.Action
		Autos   []channel.Auto
	}
	v := all{
		Kinds:   []channel.Kind{channel.WebChat, channel.Email, channel.SMS},
		Classes: []channel.KeywordClass{channel.OptOut, channel.Help, channel.OptIn},
		Origins: []channel.Origin{channel.Campaign, channel.Flow},
		Actions: []channel.Action{channel.New, channel.Append, channel.Reopen, channel.Wake, channel.Keyword, channel.Duplicate, channel.Drop},
		Autos:   []channel.Auto{channel.NotAuto, channel.AutoReply, channel.AutoGenerated, channel.Bounce},
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"Kinds":["webchat","email","sms"],"Classes":["opt-out","help","opt-in"],"Origins":["campaign","flow"],` +
		`"Actions":["new","append","reopen","wake","keyword","duplicate","drop"],"Autos":["none","auto-reply","auto-generated","bounce"]}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON (-want +got)\n%s", diff)
	}
	var back all
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, back); diff != "" {
		t.Errorf("round trip (-want +got)\n%s", diff)
	}
}

func TestTextInvalid(t *testing.T) {
	t.Parallel()
	for _, m := range []interface{ MarshalText() ([]byte, error) }{
		channel.Kind(0), channel.Kind(4), channel.KeywordClass(0), channel.Origin(3), channel.Action(0), channel.Action(8), channel.Auto(4),
	} {
		if b, err := m.MarshalText(); !errors.Is(err, channel.ErrInvalid) || b != nil {
			t.Errorf("MarshalText of %v = %q, %v; want ErrInvalid", m, b, err)
		}
	}
	if got := channel.Kind(7).String(); got != "invalid channel kind(7)" {
		t.Errorf("String = %q", got)
	}
	k := channel.SMS
	err := k.UnmarshalText([]byte("SMS"))
	var se *channel.SyntaxError
	if !errors.As(err, &se) || k != channel.SMS {
		t.Fatalf("UnmarshalText(SMS) = %v, kind %v; want a *SyntaxError and the kind unchanged", err, k)
	}
	if want := `channel: invalid channel kind "SMS": want one of webchat, email, sms`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	for _, u := range []interface{ UnmarshalText([]byte) error }{new(channel.Kind), new(channel.KeywordClass), new(channel.Origin), new(channel.Action), new(channel.Auto)} {
		if err := u.UnmarshalText([]byte("")); !errors.Is(err, channel.ErrInvalid) {
			t.Errorf("UnmarshalText(\"\") into %T = %v", u, err)
		}
	}
}

func FuzzUnmarshalText(f *testing.F) {
	for _, s := range []string{"webchat", "email", "sms", "opt-out", "help", "opt-in", "campaign", "flow", "", "none", "new", "bounce"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []interface {
			UnmarshalText([]byte) error
			MarshalText() ([]byte, error)
		}{new(channel.Kind), new(channel.KeywordClass), new(channel.Origin), new(channel.Action), new(channel.Auto)} {
			if err := v.UnmarshalText([]byte(s)); err != nil {
				if !errors.Is(err, channel.ErrInvalid) {
					t.Fatalf("%T.UnmarshalText(%q) = %v", v, s, err)
				}
				continue
			}
			if b, err := v.MarshalText(); err != nil || string(b) != s {
				t.Fatalf("%T: %q reads but writes back as %q, %v", v, s, b, err)
			}
		}
	})
}

// TestValidateAllocatesNothing: every inbound message is validated, and one
// in normal form (as hosts normalise once, on the way in) allocates nothing.
// Not parallel: AllocsPerRun counts the whole process's allocations.
func TestValidateAllocatesNothing(t *testing.T) {
	short := text("+447700900123", "SM1", "hi")
	short.SMS.To = "12345"
	for _, in := range []channel.Inbound{
		text("+447700900123", "SM1", "hi"), short, chat("c1", "v1", "hi"),
		email("ana@example.com", "m1@example.com", []string{"m0@example.com"}, nil, "Re: hi"),
	} {
		if err := in.Validate(); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = in.Validate() }); n != 0 {
			t.Errorf("Validate of %+v allocates %v times, want 0", in, n)
		}
	}
}
