package channel

import (
	"strconv"
	"strings"
)

// MaxMessageIDs is the most message IDs that [ParseMessageIDs] keeps from one
// field, and that [EmailFields.InReplyTo] and [EmailFields.References] may
// hold.
const MaxMessageIDs = 100

// ParseMessageIDs reads the message IDs of an In-Reply-To, References or
// Message-ID field value and returns them without angle brackets, in the
// order they appear.
//
// It reads RFC 5322 msg-id lists and tolerates what real mailers send:
// folding whitespace anywhere, even inside the brackets (it is removed);
// comments, quoted strings and words between IDs (RFC 822 phrases such as
// "your message of Monday"), which are skipped; commas between IDs; a missing
// closing bracket (the ID ends at the next "<" or at the end); bracketed IDs
// without "@"; and IDs without brackets, which are taken when they hold an
// "@". A candidate that is not 1 to 998 bytes of UTF-8 free of control
// characters is skipped. Work is linear in len(s).
//
// A field with more than [MaxMessageIDs] IDs is cut to the first ID and the
// last MaxMessageIDs-1, as RFC 5322 advises for References: the thread's root
// and its newest messages.
//
// Blank text gives nil and no error. Text that is not blank but holds no
// message ID gives nil and a [*SyntaxError]. Parsing the output of
// [FormatMessageIDs] gives back the IDs it was given.
func ParseMessageIDs(s string) ([]string, error) {
	var ids []string
	add := func(id string) {
		if badToken(id) != "" {
			return
		}
		ids = append(ids, id)
		if len(ids) == 2*MaxMessageIDs {
			ids = keepEnds(ids)
		}
	}
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '<':
			var id string
			id, i = bracketed(s, i+1)
			add(id)
		case c == '(':
			i = skipComment(s, i)
		case c == '"':
			i = skipQuoted(s, i)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '>':
			i++
		default:
			j := i + 1
			for j < len(s) && !strings.ContainsRune(" \t\r\n,<>(\"", rune(s[j])) {
				j++
			}
			if strings.IndexByte(s[i:j], '@') >= 0 {
				add(s[i:j])
			}
			i = j
		}
	}
	if len(ids) == 0 {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		return nil, syntaxError("message ID list", s, "holds no message ID", nil)
	}
	if len(ids) > MaxMessageIDs {
		ids = keepEnds(ids)
	}
	return ids, nil
}

// keepEnds keeps the first ID and the last MaxMessageIDs-1.
func keepEnds(ids []string) []string {
	return append(ids[:1], ids[len(ids)-(MaxMessageIDs-1):]...)
}

// bracketed reads the ID that starts at s[i], just after a "<". It ends at
// ">" (consumed), at the next "<" or at the end. Whitespace inside is folding
// and is removed. It returns the ID and where reading goes on.
func bracketed(s string, i int) (id string, next int) {
	end := i
	for end < len(s) && s[end] != '>' && s[end] != '<' {
		end++
	}
	id, next = s[i:end], end
	if next < len(s) && s[next] == '>' {
		next++
	}
	if strings.ContainsAny(id, " \t\r\n") {
		id = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, id)
	}
	return id, next
}

// skipComment returns the index just after the comment that opens at s[i],
// which may nest and may escape characters with "\"; an unclosed comment
// runs to the end.
func skipComment(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

// skipQuoted returns the index just after the quoted string that opens at
// s[i]; an unclosed one runs to the end.
func skipQuoted(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// FormatMessageIDs writes ids as a field value, each in angle brackets and
// separated by single spaces: "<a@example.com> <b@example.com>". Folding long
// lines is left to the mail writer. An ID that [ParseMessageIDs] could not
// give back (empty, longer than 998 bytes, not UTF-8, or holding whitespace,
// a control character or an angle bracket) is a [*SyntaxError].
func FormatMessageIDs(ids []string) (string, error) {
	var b strings.Builder
	for i, id := range ids {
		if r := badToken(id); r != "" {
			return "", syntaxError("message ID", id, r, nil)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('<')
		b.WriteString(id)
		b.WriteByte('>')
	}
	return b.String(), nil
}

// TicketToken returns the token that names ticket number in the subject of
// the inbox's outgoing email, "[#123]", so that a customer's reply that lost
// its In-Reply-To and References still finds its ticket. Ticket numbers are
// positive: for any other number it returns "".
func TicketToken(number int64) string {
	if number <= 0 {
		return ""
	}
	return "[#" + strconv.FormatInt(number, 10) + "]"
}

// FindTicketToken returns the ticket number of the first well-formed ticket
// token in subject: "[#", 1 to 18 digits naming a positive number, and "]".
func FindTicketToken(subject string) (number int64, ok bool) {
	for {
		i := strings.Index(subject, "[#")
		if i < 0 {
			return 0, false
		}
		subject = subject[i+2:]
		end := 0
		for end < len(subject) && end <= 18 && subject[end] >= '0' && subject[end] <= '9' {
			end++
		}
		if end >= 1 && end <= 18 && end < len(subject) && subject[end] == ']' {
			if n, _ := strconv.ParseInt(subject[:end], 10, 64); n > 0 {
				return n, true
			}
		}
	}
}
