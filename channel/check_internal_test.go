package channel

import (
	"bytes"
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
