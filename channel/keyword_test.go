package channel_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
)

type match struct {
	Keyword string
	Class   channel.KeywordClass
	OK      bool
}

func TestDefaultKeywords(t *testing.T) {
	t.Parallel()
	set := channel.DefaultKeywords()
	want := map[channel.KeywordClass][]string{
		channel.OptOut: {"CANCEL", "END", "OPTOUT", "QUIT", "REVOKE", "STOP", "STOPALL", "UNSUBSCRIBE"},
		channel.Help:   {"HELP", "INFO"},
		channel.OptIn:  {"START", "UNSTOP", "YES"},
	}
	got := map[channel.KeywordClass][]string{}
	for c := range want {
		got[c] = set.Words(c)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default keywords (-want +got)\n%s", diff)
	}

	for _, tc := range []struct {
		text string
		want match
	}{
		{"STOP", match{"STOP", channel.OptOut, true}},
		{"stop", match{"STOP", channel.OptOut, true}},
		{"  Stop \r\n", match{"STOP", channel.OptOut, true}},
		{"opt out", match{"OPTOUT", channel.OptOut, true}},
		{"Opt-Out", match{"OPTOUT", channel.OptOut, true}},
		{"optout", match{"OPTOUT", channel.OptOut, true}},
		{"stop all", match{"STOPALL", channel.OptOut, true}},
		{"Unsubscribe", match{"UNSUBSCRIBE", channel.OptOut, true}},
		{"info", match{"INFO", channel.Help, true}},
		{"yes", match{"YES", channel.OptIn, true}},
		{"unstop", match{"UNSTOP", channel.OptIn, true}},
		{"STOP!", match{}},
		{"stop please", match{}},
		{"please stop", match{}},
		{"stopp", match{}},
		{"", match{}},
		{"   ", match{}},
		{"- -", match{}},
		{strings.Repeat("STOP", 1000), match{}},
		{"S\xffTOP", match{}},
	} {
		var got match
		got.Keyword, got.Class, got.OK = set.Match(tc.text)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Match(%q) (-want +got)\n%s", tc.text, diff)
		}
	}
}

func TestKeywordSetEditing(t *testing.T) {
	t.Parallel()
	def := channel.DefaultKeywords()
	set, err := def.With(channel.OptOut, "Arrêt", "para", "opt-out")
	if err != nil {
		t.Fatal(err)
	}
	set, err = set.With(channel.Help, "stop") // a keyword moves to another class
	if err != nil {
		t.Fatal(err)
	}
	set = set.Without("yes", "Unstop", "not-a-keyword", "")
	got := map[channel.KeywordClass][]string{
		channel.OptOut: set.Words(channel.OptOut),
		channel.Help:   set.Words(channel.Help),
		channel.OptIn:  set.Words(channel.OptIn),
	}
	want := map[channel.KeywordClass][]string{
		channel.OptOut: {"ARRÊT", "CANCEL", "END", "OPTOUT", "PARA", "QUIT", "REVOKE", "STOPALL", "UNSUBSCRIBE"},
		channel.Help:   {"HELP", "INFO", "STOP"},
		channel.OptIn:  {"START"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("edited set (-want +got)\n%s", diff)
	}
	// The default set is a value: editing a copy does not change it.
	if _, c, ok := channel.DefaultKeywords().Match("stop"); !ok || c != channel.OptOut {
		t.Errorf("editing a copy changed the default set: STOP is %v, %v", c, ok)
	}
	// Replacing the whole set: start from the zero set.
	only, err := channel.KeywordSet{}.With(channel.OptOut, "BASTA")
	if err != nil {
		t.Fatal(err)
	}
	var m match
	if m.Keyword, m.Class, m.OK = only.Match("stop"); m.OK {
		t.Errorf("replaced set still matches STOP")
	}
	if m.Keyword, m.Class, m.OK = only.Match("basta"); !m.OK || m.Keyword != "BASTA" {
		t.Errorf("replaced set: Match(basta) = %+v", m)
	}
}

func TestKeywordSetErrors(t *testing.T) {
	t.Parallel()
	def := channel.DefaultKeywords()
	for _, tc := range []struct {
		class channel.KeywordClass
		word  string
		what  string // the *SyntaxError's What, or "" for a *FieldError
	}{
		{channel.OptOut, "", "keyword"},
		{channel.OptOut, " - ", "keyword"},
		{channel.OptOut, "STOP!", "keyword"},
		{channel.OptOut, "é\x00", "keyword"},
		{channel.OptOut, strings.Repeat("A", 33), "keyword"},
		{0, "STOP", ""},
		{4, "STOP", ""},
	} {
		got, err := def.With(tc.class, "fine", tc.word)
		if !errors.Is(err, channel.ErrInvalid) {
			t.Errorf("With(%v, %q) error = %v, want ErrInvalid", tc.class, tc.word, err)
		}
		var se *channel.SyntaxError
		var fe *channel.FieldError
		if tc.what != "" && (!errors.As(err, &se) || se.What != tc.what) || tc.what == "" && !errors.As(err, &fe) {
			t.Errorf("With(%v, %q) error = %#v", tc.class, tc.word, err)
		}
		if diff := cmp.Diff(def.Words(channel.OptOut), got.Words(channel.OptOut)); diff != "" {
			t.Errorf("failed With changed the set (-want +got)\n%s", diff)
		}
	}
	if _, err := def.With(channel.OptOut, strings.Repeat("A", 32)); err != nil {
		t.Errorf("a 32-byte keyword: %v", err)
	}
}

func FuzzKeywordMatch(f *testing.F) {
	for _, s := range []string{"stop", " Opt-Out ", "STOP!", "", "ä", "s t o p", strings.Repeat("-", 40) + "STOP"} {
		f.Add(s)
	}
	set := channel.DefaultKeywords()
	f.Fuzz(func(t *testing.T, text string) {
		word, class, ok := set.Match(text)
		if !ok {
			if word != "" || class != 0 {
				t.Fatalf("Match(%q) = %q, %v, false", text, word, class)
			}
			return
		}
		if !class.Valid() || !strings.Contains(strings.Join(set.Words(class), " "), word) {
			t.Fatalf("Match(%q) = %q, %v: not in the set", text, word, class)
		}
		// The keyword, in normal form, matches itself.
		if w, c, ok := set.Match(word); w != word || c != class || !ok {
			t.Fatalf("Match(%q) = %q, %v, %v", word, w, c, ok)
		}
	})
}
