package channel_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
)

// phoneResult is what a normaliser gave, for cmp.Diff: the number, or
// which of the package's sentinels the error matched.
type phoneResult struct {
	Number        string
	Invalid       bool
	NoCountryCode bool
	CannotReceive bool
	What          string
}

func phoneOutcome(n string, err error) phoneResult {
	r := phoneResult{
		Number:        n,
		Invalid:       errors.Is(err, channel.ErrInvalid),
		NoCountryCode: errors.Is(err, channel.ErrNoCountryCode),
		CannotReceive: errors.Is(err, channel.ErrSenderCannotReceive),
	}
	var se *channel.SyntaxError
	if errors.As(err, &se) {
		r.What = se.What
	}
	return r
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	ok := func(n string) phoneResult { return phoneResult{Number: n} }
	bad := phoneResult{Invalid: true, What: "phone number"}
	national := phoneResult{Invalid: true, NoCountryCode: true, What: "phone number"}
	for _, tc := range []struct {
		in   string
		want phoneResult
	}{
		{"+15551234567", ok("+15551234567")},
		{"+1 (555) 123-4567", ok("+15551234567")},
		{"+1.555.123.4567", ok("+15551234567")},
		{"  +44 7911 123456\n", ok("+447911123456")},
		{"0044 7911 123456", ok("+447911123456")},
		{"00 1-555-123-4567", ok("+15551234567")},
		{"(+49) 30 1234567", ok("+49301234567")},
		{"+\t33 6 12 34 56 78", ok("+33612345678")},
		{"+12345678", ok("+12345678")},               // 8 digits, the fewest
		{"+123456789012345", ok("+123456789012345")}, // 15, the most
		{"(555) 123-4567", national},
		{"07911 123456", national},
		{"5551234567", national},
		{"+1234567", bad},          // 7 digits
		{"+1234567890123456", bad}, // 16
		{"00123456789012345678", bad},
		{strings.Repeat("1", 100000), bad},
		{"+0 555 123 4567", bad},
		{"0000 555 123 4567", bad}, // "00" then a country code starting with 0
		{"+1 555 CALL-NOW", bad},
		{"+1 555 123 4567 x89", bad},
		{"++15551234567", bad},
		{"1+5551234567", bad},
		{"+1/555/1234567", bad},
		{"+1 555\u00a0123 4567", bad}, // a no-break space is not among the separators
		{"+1555123456\xff", bad},
		{"", bad},
		{"  ", bad},
		{"+", bad},
		{"()-.", national},
	} {
		n, err := channel.NormalizePhone(tc.in)
		checkPhone(t, "NormalizePhone", tc.in, tc.want, n, err)
	}
}

func checkPhone(t *testing.T, name, in string, want phoneResult, n string, err error) {
	t.Helper()
	if diff := cmp.Diff(want, phoneOutcome(n, err)); diff != "" {
		t.Errorf("%s(%q) = %q, %v (-want +got)\n%s", name, in, n, err, diff)
	}
}

func TestNormalizeSenderNumber(t *testing.T) {
	t.Parallel()
	ok := func(n string) phoneResult { return phoneResult{Number: n} }
	bad := phoneResult{Invalid: true, What: "sender number"}
	branded := phoneResult{Invalid: true, CannotReceive: true, What: "sender number"}
	national := phoneResult{Invalid: true, NoCountryCode: true, What: "sender number"}
	for _, tc := range []struct {
		in   string
		want phoneResult
	}{
		{"+1 (555) 000-1111", ok("+15550001111")},
		{"+1 833 555 0100", ok("+18335550100")}, // toll-free
		{"12345", ok("12345")},                  // a short code
		{"123-456", ok("123456")},
		{"123", ok("123")},
		{"12", national},
		{"1234567", national},
		{"00123", bad}, // an international prefix and too few digits
		{"+12345", bad},
		{"ACME", branded},
		{"Shop24", branded},
		{"My Shop", branded},
		{"Ünïcode", branded},
		{"", bad},
	} {
		n, err := channel.NormalizeSenderNumber(tc.in)
		checkPhone(t, "NormalizeSenderNumber", tc.in, tc.want, n, err)
	}
}

func TestPhoneErrorMessages(t *testing.T) {
	t.Parallel()
	_, err := channel.NormalizePhone("(555) 123-4567")
	want := `channel: invalid phone number "(555) 123-4567": no country code (no "+" or "00"): normalise national numbers with a full phone library first`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	_, err = channel.NormalizePhone(strings.Repeat("+1-", 1000))
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("error for a long input is not short: %v", err)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+1 (555) 123-4567", "0044 7911 123456", "12345", "ACME", "+", "00", "(+49)", "+0123456789", "1+2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, normalize := range []func(string) (string, error){channel.NormalizePhone, channel.NormalizeSenderNumber} {
			n, err := normalize(in)
			if err != nil {
				if n != "" || !errors.Is(err, channel.ErrInvalid) {
					t.Fatalf("normalize(%q) = %q, %v", in, n, err)
				}
				continue
			}
			if again, err := normalize(n); again != n || err != nil {
				t.Fatalf("normalize(%q) = %q, but normalize(%q) = %q, %v", in, n, n, again, err)
			}
			short := len(n) >= 3 && len(n) <= 6 && n[0] != '+'
			if !short && (len(n) < 9 || len(n) > 16 || n[0] != '+' || n[1] == '0' || strings.Trim(n[1:], "0123456789") != "") {
				t.Fatalf("normalize(%q) = %q, not E.164", in, n)
			}
		}
		// Only the sender form may be a short code.
		if n, err := channel.NormalizePhone(in); err == nil && n[0] != '+' {
			t.Fatalf("NormalizePhone(%q) = %q", in, n)
		}
	})
}
