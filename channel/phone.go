package channel

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizePhone returns the E.164 form of a phone number written with its
// country code: "+" and 8 to 15 digits, the first (of the country code) 1 to
// 9. Spaces, tabs, dashes, dots and parentheses are removed, and an
// international "00" prefix is read as "+": "+1 (555) 123-4567" and
// "001 555 123 4567" both give "+15551234567". Normalising a normalised
// number gives it back unchanged. Work is linear in len(s).
//
// A number without "+" or "00" is a national number, whose country this
// package cannot know: it is a [*SyntaxError] matching [ErrNoCountryCode].
// Normalise national numbers with a full phone library first. Anything else
// that is not a number (letters, a misplaced "+", too few or too many digits)
// is a [*SyntaxError] too; all of them match [ErrInvalid].
func NormalizePhone(s string) (string, error) {
	digits, plus, err := phoneDigits("phone number", s)
	if err != nil {
		return "", err
	}
	return e164("phone number", s, digits, plus)
}

// NormalizeSenderNumber checks and normalises the inbox's own SMS number, the
// one customers text and replies come from. It gives the E.164 form of a long
// code or toll-free number, as [NormalizePhone] does, or the digits of a
// short code: 3 to 6 digits without "+" or "00", such as "12345".
//
// A branded (alphanumeric) sender ID, such as "ACME" or "Shop24", can send
// texts but cannot receive them, so it cannot serve an inbox: it is a
// [*SyntaxError] matching [ErrSenderCannotReceive].
func NormalizeSenderNumber(s string) (string, error) {
	const what = "sender number"
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		return "", syntaxError(what, s, "holds letters, so it is a branded sender ID (write phone numbers in digits)", ErrSenderCannotReceive)
	}
	digits, plus, err := phoneDigits(what, s)
	if err != nil {
		return "", err
	}
	if !plus && !strings.HasPrefix(digits, "00") && len(digits) >= 3 && len(digits) <= 6 {
		return digits, nil
	}
	return e164(what, s, digits, plus)
}

// isE164 reports whether s is already what NormalizePhone gives for it:
// "+" and 8 to 15 digits, the first not 0. Every inbound SMS's numbers are
// checked to be in normal form; this says so without building the form.
func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return allDigits(s[1:])
}

// isShortCode reports whether s is a short code as NormalizeSenderNumber
// gives it: 3 to 6 digits, not beginning "00" (an international prefix).
func isShortCode(s string) bool {
	return len(s) >= 3 && len(s) <= 6 && !strings.HasPrefix(s, "00") && allDigits(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxPhoneDigits is the most digits a phone number may have: 15, and an
// international prefix "00".
const maxPhoneDigits = 17

// phoneDigits returns the digits of s with its separators removed, and
// whether a "+" came before them. It stops reading once s has more digits
// than any number has.
func phoneDigits(what, s string) (digits string, plus bool, err error) {
	var buf [maxPhoneDigits]byte
	n := 0
	t := strings.TrimSpace(s)
	if t == "" {
		return "", false, syntaxError(what, s, "empty", nil)
	}
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			if n == len(buf) {
				return "", false, syntaxError(what, s, "more than 15 digits", nil)
			}
			buf[n] = c
			n++
		case c == '+' && !plus && n == 0:
			plus = true
		case c == '+':
			return "", false, syntaxError(what, s, `"+" may only come once, before the digits`, nil)
		case c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			r, _ := utf8.DecodeRuneInString(t[i:])
			return "", false, syntaxError(what, s, fmt.Sprintf("holds %q, which is not a digit, space, dash, dot or parenthesis", r), nil)
		}
	}
	return string(buf[:n]), plus, nil
}

// e164 checks the digits read from s and returns them in E.164 form.
func e164(what, s, digits string, plus bool) (string, error) {
	if !plus {
		var ok bool
		if digits, ok = strings.CutPrefix(digits, "00"); !ok {
			return "", syntaxError(what, s, `no country code (no "+" or "00"): normalise national numbers with a full phone library first`, ErrNoCountryCode)
		}
	}
	switch {
	case len(digits) < 8 || len(digits) > 15:
		return "", syntaxError(what, s, fmt.Sprintf("has %d digits after the country prefix; E.164 numbers have 8 to 15", len(digits)), nil)
	case digits[0] == '0':
		return "", syntaxError(what, s, "country codes do not start with 0", nil)
	}
	return "+" + digits, nil
}
