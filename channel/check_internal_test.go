package channel

import (
	"bytes"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// plainChecks are plain's two uses and the definitions they must follow,
// byte by byte.
var plainChecks = []struct {
	name  string
	plain func(s string) bool
	good  func(c byte) bool
}{
	{"plainToken", plainToken, func(c byte) bool { return c > ' ' && c < 0x7f && c != '<' && c != '>' }},
	{"plainText", plainText, func(c byte) bool { return c != 0 && c < 0x80 }},
}

// TestPlainEveryByte puts every byte value at every place of strings of up
// to 24 bytes, which covers the short strings read byte by byte and each
// byte lane of each eight-byte word, the overlapping last one included, and
// checks plainToken and plainText against their definitions.
func TestPlainEveryByte(t *testing.T) {
	t.Parallel()
	for _, pc := range plainChecks {
		for n := 1; n <= 24; n++ {
			for at := range n {
				for c := range 256 {
					b := bytes.Repeat([]byte{'a'}, n)
					b[at] = byte(c)
					if got, want := pc.plain(string(b)), pc.good(byte(c)); got != want {
						t.Fatalf("%s(%q) = %v, want %v", pc.name, b, got, want)
					}
				}
			}
		}
	}
}

// TestPlain checks plainToken and plainText on strings of accepted bytes
// where two bytes, anywhere, are replaced by bytes at the edges of what they
// accept, so that a borrow or carry from one byte could hide or fake
// another.
func TestPlain(t *testing.T) {
	t.Parallel()
	good := []byte("!#.-_+=?@0123456789AZaz~")
	edges := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, 0x3b, '<', 0x3d, '>', 0x3f, 0x7e, 0x7f, 0x80, 0x81, 0xc3, 0xfe, 0xff}
	for _, pc := range plainChecks {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			rapid.Check(t, func(t *rapid.T) {
				b := rapid.SliceOfN(rapid.SampledFrom(good), 8, 40).Draw(t, "good")
				for range 2 {
					b[rapid.IntRange(0, len(b)-1).Draw(t, "at")] = rapid.SampledFrom(edges).Draw(t, "edge")
				}
				want := true
				for _, c := range b {
					want = want && pc.good(c)
				}
				if got := pc.plain(string(b)); got != want {
					t.Fatalf("%s(%q) = %v, want %v", pc.name, b, got, want)
				}
			})
		})
	}
}

// TestPhoneFastPaths checks that validation's shortcuts accept only what the
// normalisers leave as it is: any string of phone characters that isE164
// (or isShortCode) accepts, NormalizePhone (or NormalizeSenderNumber) gives
// back unchanged. And that they do accept the usual numbers.
func TestPhoneFastPaths(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"+15550001234", "+447700900123", "+12345678"} {
		if !isE164(s) {
			t.Errorf("isE164(%q) = false", s)
		}
	}
	for _, s := range []string{"123", "0123", "123456"} {
		if !isShortCode(s) {
			t.Errorf("isShortCode(%q) = false", s)
		}
	}
	agree := func(t interface{ Fatalf(string, ...any) }, s string) {
		if isE164(s) {
			if n, err := NormalizePhone(s); err != nil || n != s {
				t.Fatalf("isE164(%q), but NormalizePhone gives %q, %v", s, n, err)
			}
		}
		if isE164(s) || isShortCode(s) {
			if n, err := NormalizeSenderNumber(s); err != nil || n != s {
				t.Fatalf("a sender number by the shortcut, %q, but NormalizeSenderNumber gives %q, %v", s, n, err)
			}
		}
	}
	for _, prefix := range []string{"", "+", "0", "00"} { // every length, at each edge
		for n := range 18 {
			for _, first := range "05" {
				if n > 0 {
					agree(t, prefix+string(first)+strings.Repeat("5", n-1))
				}
			}
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(
			rapid.StringOfN(rapid.SampledFrom([]rune("+0123456789 -()a")), 0, 19, -1),
			rapid.Custom(func(t *rapid.T) string { // mostly digits: near the shortcuts' edges
				return rapid.SampledFrom([]string{"", "+", "00"}).Draw(t, "prefix") +
					rapid.StringOfN(rapid.RuneFrom([]rune("0123456789")), rapid.IntRange(0, 17).Draw(t, "n"), -1, -1).Draw(t, "digits")
			}),
		).Draw(t, "s")
		agree(t, s)
	})
}
