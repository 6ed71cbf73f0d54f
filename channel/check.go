package channel

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxIDLen is the longest identifier, address or message ID accepted: the
// longest line that RFC 5322 allows.
const maxIDLen = 998

// byteSet marks the bytes that an identifier may not hold. It also marks
// every byte that is not ASCII, which sends badID to its UTF-8 check.
type byteSet [256]bool

func newByteSet(bad func(c byte) bool) *byteSet {
	var s byteSet
	for c := range s {
		s[c] = c >= utf8.RuneSelf || bad(byte(c))
	}
	return &s
}

var (
	// controlBytes may not appear in an opaque identifier (a conversation,
	// visitor, profile or provider message ID).
	controlBytes = newByteSet(func(c byte) bool { return c < ' ' || c == 0x7f })
	// notInToken may not appear in a message ID or an email address.
	notInToken = newByteSet(func(c byte) bool { return c <= ' ' || c == 0x7f || c == '<' || c == '>' })
)

// badID says what is wrong with the identifier s, or "" when nothing is: it
// must be 1 to maxIDLen bytes of UTF-8 holding no byte of bad. It reads s
// once.
func badID(s string, bad *byteSet) string {
	switch {
	case s == "":
		return "missing"
	case len(s) > maxIDLen:
		return fmt.Sprintf("longer than %d bytes", maxIDLen)
	}
	utf8Checked := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case !bad[c]:
		case c < utf8.RuneSelf:
			return fmt.Sprintf("holds the byte %q", c)
		case !utf8Checked && !utf8.ValidString(s[i:]):
			return "not valid UTF-8"
		default:
			utf8Checked = true // the rest is UTF-8: only its ASCII bytes remain to check
		}
	}
	return ""
}

// badToken is badID for message IDs and email addresses. Route checks every
// reference of an email on its hot path, so it first tries plainToken, which
// passes the plain ASCII that nearly all of them are eight bytes at a time.
func badToken(s string) string {
	if s != "" && len(s) <= maxIDLen && plainToken(s) {
		return ""
	}
	return badID(s, notInToken)
}

// plainToken reports whether every byte of s is printable ASCII other than
// space, "<" and ">": above 0x20, below 0x7f, and neither 0x3c nor 0x3e.
func plainToken(s string) bool { return plain(s, true) }

// plainText reports whether s is ASCII without NUL bytes, which is valid
// text (see badText).
func plainText(s string) bool { return plain(s, false) }

// notText marks the bytes that plainText refuses.
var notText = newByteSet(func(c byte) bool { return c == 0 })

// plain reports whether s holds no byte of notInToken when token is true,
// and of notText otherwise. It reads eight bytes at a time (a string
// shorter than that byte by byte); the last word may overlap the one
// before.
func plain(s string, token bool) bool {
	n := len(s)
	if n < 8 {
		bad := notText
		if token {
			bad = notInToken
		}
		for i := 0; i < n; i++ {
			if bad[s[i]] {
				return false
			}
		}
		return true
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; ; i += 8 {
		i = min(i, n-8)
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// A byte is bad when its high bit is set (not ASCII) or, with no
		// high bit set in x, when subtracting 1 borrows from it (it is zero:
		// text). A token's byte is bad, too, when subtracting 0x21 borrows
		// from it (a control byte or space), when adding 1 carries into its
		// high bit (0x7f), or when it is zero after setting bit 1 and XOR
		// with ">" (it was "<" or ">").
		m := x | (x-ones)&^x
		if token {
			below, angle := x-ones*0x21, (x|ones*0x02)^(ones*'>')
			m |= below&^x | (x + ones) | (angle-ones)&^angle
		}
		if m&highs != 0 {
			return false
		}
		if i == n-8 {
			return true
		}
	}
}

// badText says what is wrong with free text, or "" when nothing is: it must
// be valid UTF-8 without NUL bytes (which SQL text columns refuse). Plain
// ASCII, nearly all of it, is passed by plainText in one pass, eight bytes
// at a time.
func badText(s string) string {
	switch {
	case plainText(s):
		return ""
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL byte"
	}
	return ""
}

// badAddress says what is wrong with an email address (addr-spec), or "":
// local@domain without spaces or angle brackets.
// CheckAddress returns a [*FieldError] naming field when s is not an email
// address (addr-spec) of the form local@domain, as the inbox accepts in
// Inbound and in its settings; nil when it is.
func CheckAddress(field, s string) error { return fieldError(field, badAddress(s)) }

func badAddress(s string) string {
	if r := badToken(s); r != "" {
		return r
	}
	if at := strings.LastIndexByte(s, '@'); at <= 0 || at == len(s)-1 {
		return fmt.Sprintf("%q is not an address of the form local@domain", s)
	}
	return ""
}
