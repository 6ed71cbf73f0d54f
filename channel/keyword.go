package channel

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// KeywordClass is what an SMS keyword asks for. The zero value is not a valid
// class.
type KeywordClass uint8

// The classes of SMS keywords.
const (
	// OptOut: stop sending me texts (STOP, UNSUBSCRIBE, …).
	OptOut KeywordClass = iota + 1
	// Help: tell me who you are and how to stop (HELP, INFO).
	Help
	// OptIn: send me texts again (START, YES, UNSTOP).
	OptIn
)

var keywordClasses = enum[KeywordClass]{"keyword class", []string{OptOut: "opt-out", Help: "help", OptIn: "opt-in"}}

// Valid reports whether c is one of [OptOut], [Help] and [OptIn].
func (c KeywordClass) Valid() bool { return keywordClasses.valid(c) }

// String returns "opt-out", "help" or "opt-in", and "invalid keyword
// class(N)" for anything else.
func (c KeywordClass) String() string { return keywordClasses.string(c) }

// MarshalText encodes c as [KeywordClass.String] does; an invalid class is an
// error matching [ErrInvalid].
func (c KeywordClass) MarshalText() ([]byte, error) { return keywordClasses.marshal(c) }

// UnmarshalText decodes "opt-out", "help" or "opt-in". Anything else is a
// [*SyntaxError] and leaves c unchanged.
func (c *KeywordClass) UnmarshalText(text []byte) error { return keywordClasses.unmarshal(text, c) }

// maxKeywordLen is the longest keyword, in bytes of its normal form.
const maxKeywordLen = 32

// KeywordSet is the set of SMS keywords: texts that are requests to the
// sender's subscription system rather than messages for the support team.
// A text is a keyword when its whole body, with surrounding whitespace
// trimmed, spaces and dashes inside removed, and letters upper-cased, is in
// the set: "stop", " Stop ", "opt out", "Opt-Out" and "OPTOUT" all match
// OPTOUT.
//
// A KeywordSet is an immutable value, safe to share between goroutines: With
// and Without return a new set. The zero value is the empty set;
// [DefaultKeywords] is the usual one.
type KeywordSet struct {
	words map[string]KeywordClass // normal form → class
}

// defaultKeywords is shared by every caller: a KeywordSet is never changed.
var defaultKeywords = KeywordSet{map[string]KeywordClass{
	"STOP": OptOut, "END": OptOut, "CANCEL": OptOut, "UNSUBSCRIBE": OptOut,
	"QUIT": OptOut, "STOPALL": OptOut, "REVOKE": OptOut, "OPTOUT": OptOut,
	"HELP": Help, "INFO": Help,
	"START": OptIn, "YES": OptIn, "UNSTOP": OptIn,
}}

// DefaultKeywords returns the usual keyword set: STOP, END, CANCEL,
// UNSUBSCRIBE, QUIT, STOPALL, REVOKE and OPTOUT opt out; HELP and INFO ask
// for help; START, YES and UNSTOP opt in. [Route] uses it unless given
// [WithKeywords].
func DefaultKeywords() KeywordSet { return defaultKeywords }

// With returns a copy of s in which each of words is a keyword of class,
// whether it was in s (of any class) or not. Each word, in normal form (see
// [KeywordSet]), must be 1 to 32 bytes of letters and digits, or the error is
// a [*SyntaxError]; an invalid class is a [*FieldError]. On error s is
// returned unchanged. To replace the whole set, start from the zero
// KeywordSet.
func (s KeywordSet) With(class KeywordClass, words ...string) (KeywordSet, error) {
	if !class.Valid() {
		return s, fieldError("class", class.String())
	}
	next := maps.Clone(s.words)
	if next == nil {
		next = make(map[string]KeywordClass, len(words))
	}
	for _, w := range words {
		var buf [maxKeywordLen + utf8.UTFMax]byte
		k, ok := normalKeyword(buf[:0], w)
		if !ok || strings.IndexFunc(string(k), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
			return s, syntaxError("keyword", w, "want 1 to 32 bytes of letters and digits", nil)
		}
		next[string(k)] = class
	}
	return KeywordSet{next}, nil
}

// Without returns a copy of s without words, each read in normal form (see
// [KeywordSet]). Words that are not in s are ignored.
func (s KeywordSet) Without(words ...string) KeywordSet {
	next := maps.Clone(s.words)
	for _, w := range words {
		var buf [maxKeywordLen + utf8.UTFMax]byte
		if k, ok := normalKeyword(buf[:0], w); ok {
			delete(next, string(k))
		}
	}
	return KeywordSet{next}
}

// Words returns the keywords of class in s, in normal form and sorted.
func (s KeywordSet) Words(class KeywordClass) []string {
	var words []string
	for w, c := range s.words {
		if c == class {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	return words
}

// Match reports whether the whole of text is a keyword of s, and which: the
// keyword in normal form and its class. It stops reading as soon as text is
// too long to be a keyword, and a text that is no keyword allocates nothing.
func (s KeywordSet) Match(text string) (keyword string, class KeywordClass, ok bool) {
	var buf [maxKeywordLen + utf8.UTFMax]byte
	k, ok := normalKeyword(buf[:0], text)
	if !ok {
		return "", 0, false
	}
	if class, ok = s.words[string(k)]; !ok {
		return "", 0, false
	}
	return string(k), class, true
}

// normalKeyword appends the normal form of text to buf: trimmed, without
// spaces or dashes, upper-cased. It reports false when the form is empty or
// longer than maxKeywordLen, and then stops reading early.
func normalKeyword(buf []byte, text string) ([]byte, bool) {
	for _, r := range strings.TrimSpace(text) {
		if unicode.IsSpace(r) || r == '-' {
			continue
		}
		buf = utf8.AppendRune(buf, unicode.ToUpper(r))
		if len(buf) > maxKeywordLen {
			return buf, false
		}
	}
	return buf, len(buf) > 0
}
