package memstore

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestTextKeepsEveryString(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		var x text
		var refs []str
		var want []string
		// Lengths around the page size, and strings longer than a page.
		length := rapid.OneOf(rapid.IntRange(0, 40), rapid.IntRange(textPage-40, textPage+40), rapid.IntRange(0, 3*textPage))
		for i, n := range rapid.SliceOfN(length, 1, 30).Draw(rt, "lengths") {
			s := strings.Repeat(string(rune('a'+i)), n) // overlapping strings would mix letters
			refs = append(refs, x.put(s))
			want = append(want, s)
		}
		for i, r := range refs {
			if got := x.get(r); got != want[i] {
				rt.Fatalf("string %d: got %d bytes, want %d", i, len(got), len(want[i]))
			}
		}
	})
}
