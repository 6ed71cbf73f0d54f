package channel_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/channel"
)

func TestParseMessageIDs(t *testing.T) {
	t.Parallel()
	many := func(n int) (field string, ids []string) {
		for i := range n {
			ids = append(ids, fmt.Sprintf("m%d@x", i))
		}
		f, err := channel.FormatMessageIDs(ids)
		if err != nil {
			t.Fatal(err)
		}
		return f, ids
	}
	field150, ids150 := many(150)
	field100, ids100 := many(100)
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"one", "<a@example.com>", []string{"a@example.com"}},
		{"a list", "<a@x> <b@y>  <c@z>", []string{"a@x", "b@y", "c@z"}},
		{"folded", "<a@x>\r\n <b@y>\r\n\t<c@z>", []string{"a@x", "b@y", "c@z"}},
		{"folding inside the brackets", "<CAB1234\r\n 5678@mail.gmail.com>", []string{"CAB12345678@mail.gmail.com"}},
		{"comments", "(first) <a@x> (a (nested) comment with <fake@id>) <b@y>", []string{"a@x", "b@y"}},
		{"escaped parenthesis in a comment", `(a \) b <fake@id>) <a@x>`, []string{"a@x"}},
		{"commas", "<a@x>,<b@y>, <c@z>", []string{"a@x", "b@y", "c@z"}},
		{"no space between", "<a@x><b@y>", []string{"a@x", "b@y"}},
		{"RFC 822 phrase", `Your message of "Mon, 12 Jan 2004 <not@id>" <a@x>`, []string{"a@x"}},
		{"without brackets", "a@x b@y", []string{"a@x", "b@y"}},
		{"bracketed without @", "<12345.67890>", []string{"12345.67890"}},
		{"missing closing bracket", "<a@x <b@y>", []string{"a@x", "b@y"}},
		{"missing closing bracket at the end", "<a@x> <b@y", []string{"a@x", "b@y"}},
		{"stray closing bracket", "> <a@x>>", []string{"a@x"}},
		{"empty brackets skipped", "<> <a@x>", []string{"a@x"}},
		{"control character skipped", "<a\x01b@x> <c@z>", []string{"c@z"}},
		{"invalid UTF-8 skipped", "<a\xffb@x> <c@z>", []string{"c@z"}},
		{"UTF-8 kept", "<jürgen.1@bücher.de>", []string{"jürgen.1@bücher.de"}},
		{"unclosed comment runs to the end", "<a@x> (oops <b@y>", []string{"a@x"}},
		{"blank", " \r\n ", nil},
		{"empty", "", nil},
		{"exactly the cap", field100, ids100},
		{"over the cap keeps the root and the newest", field150, append(ids150[:1:1], ids150[51:]...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := channel.ParseMessageIDs(tc.in)
			if err != nil {
				t.Fatalf("ParseMessageIDs(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseMessageIDs(%q) (-want +got)\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseMessageIDsNone(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"your message of Monday", "(only a comment)", "<>", `"quoted <a@x>"`, "<\x00>"} {
		ids, err := channel.ParseMessageIDs(in)
		var se *channel.SyntaxError
		if ids != nil || !errors.Is(err, channel.ErrInvalid) || !errors.As(err, &se) || se.What != "message ID list" {
			t.Errorf("ParseMessageIDs(%q) = %q, %v; want nil and a message ID list *SyntaxError", in, ids, err)
		}
	}
}

func TestFormatMessageIDs(t *testing.T) {
	t.Parallel()
	got, err := channel.FormatMessageIDs([]string{"a@x", "b@y"})
	if err != nil || got != "<a@x> <b@y>" {
		t.Errorf("FormatMessageIDs = %q, %v; want %q", got, err, "<a@x> <b@y>")
	}
	if got, err := channel.FormatMessageIDs(nil); got != "" || err != nil {
		t.Errorf("FormatMessageIDs(nil) = %q, %v", got, err)
	}
	for _, id := range []string{"", "a b@x", "<a@x>", "a\x00@x", "a\xff@x", strings.Repeat("a", 999)} {
		if _, err := channel.FormatMessageIDs([]string{"ok@x", id}); !errors.Is(err, channel.ErrInvalid) {
			t.Errorf("FormatMessageIDs(%q) error = %v, want ErrInvalid", id, err)
		}
	}
}

// checkMessageIDs checks what must hold for any input of ParseMessageIDs.
func checkMessageIDs(t interface{ Fatalf(string, ...any) }, in string) {
	ids, err := channel.ParseMessageIDs(in)
	if err != nil {
		if ids != nil || !errors.Is(err, channel.ErrInvalid) {
			t.Fatalf("ParseMessageIDs(%q) = %q, %v", in, ids, err)
		}
		return
	}
	if len(ids) > channel.MaxMessageIDs {
		t.Fatalf("ParseMessageIDs(%q) kept %d IDs", in, len(ids))
	}
	out, err := channel.FormatMessageIDs(ids)
	if err != nil {
		t.Fatalf("ParseMessageIDs(%q) gave %q, which FormatMessageIDs refuses: %v", in, ids, err)
	}
	again, err := channel.ParseMessageIDs(out)
	if err != nil || !cmp.Equal(ids, again) {
		t.Fatalf("parse → format → parse of %q: %q → %q → %q, %v", in, ids, out, again, err)
	}
}

// TestMessageIDsRoundTrip builds headers from random IDs with random
// folding, comments and separators, and checks that they parse back, and
// that parse → format → parse is stable.
func TestMessageIDsRoundTrip(t *testing.T) {
	t.Parallel()
	idChars := rapid.SampledFrom([]rune("abcXYZ019.-_$%+=!#@é"))
	rapid.Check(t, func(t *rapid.T) {
		ids := rapid.SliceOfN(rapid.StringOfN(idChars, 1, 20, -1), 0, 120).Draw(t, "ids")
		seps := rapid.SampledFrom([]string{" ", "\r\n ", "\r\n\t", ",", ", ", " (comment <x@y>) ", ""})
		var b strings.Builder
		for i, id := range ids {
			b.WriteString(seps.Draw(t, fmt.Sprint("sep", i)))
			b.WriteString("<" + id + ">")
		}
		got, err := channel.ParseMessageIDs(b.String())
		want := ids
		if len(ids) > channel.MaxMessageIDs {
			want = append(ids[:1:1], ids[len(ids)-channel.MaxMessageIDs+1:]...)
		}
		if len(ids) == 0 {
			want = nil
		}
		if err != nil && len(ids) > 0 {
			t.Fatalf("ParseMessageIDs(%q): %v", b.String(), err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ParseMessageIDs(%q) (-want +got)\n%s", b.String(), diff)
		}
		checkMessageIDs(t, b.String())
	})
}

func FuzzParseMessageIDs(f *testing.F) {
	for _, s := range []string{
		"<a@x>", "<a@x> <b@y>", "<a@x>\r\n <b@y>", "(c) <a@x>", "a@x", "<a@x", "<>", `"q" <a@x>`,
		"(((", `\`, "<a@x>,<b@y>", "your message of Monday <a@x>", "<\r\n>", strings.Repeat("<a@x>", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { checkMessageIDs(t, in) })
}

func TestTicketToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		subject string
		want    int64
		ok      bool
	}{
		{"Re: Where is my order? [#123]", 123, true},
		{"[#7] first", 7, true},
		{"[#007]", 7, true},
		{"[#1] and [#2]", 1, true},
		{"[#0] then [#5]", 5, true},
		{"[#x] then [#12]", 12, true},
		{"[#] [# 3] [#4", 0, false},
		{"[#123456789012345678]", 123456789012345678, true},
		{"[#1234567890123456789]", 0, false}, // 19 digits
		{"order #123", 0, false},
		{"[#-3]", 0, false},
		{"", 0, false},
	} {
		n, ok := channel.FindTicketToken(tc.subject)
		if n != tc.want || ok != tc.ok {
			t.Errorf("FindTicketToken(%q) = %d, %v; want %d, %v", tc.subject, n, ok, tc.want, tc.ok)
		}
	}
	if got := channel.TicketToken(42); got != "[#42]" {
		t.Errorf("TicketToken(42) = %q", got)
	}
	for _, n := range []int64{0, -1} {
		if got := channel.TicketToken(n); got != "" {
			t.Errorf("TicketToken(%d) = %q, want empty", n, got)
		}
	}
}

func FuzzFindTicketToken(f *testing.F) {
	for _, s := range []string{"Re: [#123]", "[#", "[#0]", "[#99999999999999999999]", "[[#1]]", "[#1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, subject string) {
		n, ok := channel.FindTicketToken(subject)
		if !ok {
			if n != 0 {
				t.Fatalf("FindTicketToken(%q) = %d, false", subject, n)
			}
			return
		}
		if n <= 0 || !strings.Contains(subject, "[#") {
			t.Fatalf("FindTicketToken(%q) = %d", subject, n)
		}
		if back, ok := channel.FindTicketToken("Re: " + channel.TicketToken(n)); !ok || back != n {
			t.Fatalf("token of %d reads back as %d, %v", n, back, ok)
		}
	})
}
