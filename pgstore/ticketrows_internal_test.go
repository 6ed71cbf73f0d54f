package pgstore

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encodeArray is PostgreSQL's binary form of a one-dimensional text[].
func encodeArray(elems []string) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0) // dimensions, set below
	b = binary.BigEndian.AppendUint32(b, 0)    // no NULLs
	b = binary.BigEndian.AppendUint32(b, 25)   // text
	if len(elems) == 0 {
		return b
	}
	binary.BigEndian.PutUint32(b, 1)
	b = binary.BigEndian.AppendUint32(b, uint32(len(elems)))
	b = binary.BigEndian.AppendUint32(b, 1) // lower bound
	for _, e := range elems {
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b
}

// FuzzDecodeArray feeds the text[] decoder any bytes: it returns an error
// or elements that encode back to the same bytes, and never panics.
func FuzzDecodeArray(f *testing.F) {
	for _, seed := range [][]string{nil, {""}, {"vip"}, {"a", "bé", "😀"}} {
		f.Add(encodeArray(seed))
	}
	f.Add([]byte{0, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var text textArena
		elems, err := text.array(b)
		if err != nil {
			return
		}
		if len(elems) == 0 {
			if elems != nil {
				t.Fatalf("%x: an empty array decodes to %#v, not nil", b, elems)
			}
			return
		}
		// The decoder ignores the flags, the element type, the lower bound
		// and trailing bytes.
		want := encodeArray(elems)
		got := append([]byte(nil), b[:len(want)]...)
		copy(got[4:12], want[4:12])
		copy(got[16:20], want[16:20])
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("%x decodes to %q, which encodes otherwise (-want +got):\n%s", b, elems, d)
		}
	})
}

func TestDecodeTime(t *testing.T) {
	t.Parallel()
	us := func(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
	for _, c := range []struct {
		name string
		b    []byte
		want string // RFC 3339 with microseconds; "" for the zero time
		err  bool
	}{
		{"NULL", nil, "", false},
		{"-infinity", us(-1 << 63), "", false},
		{"infinity", us(1<<63 - 1), "", true},
		{"the epoch", us(0), "2000-01-01T00:00:00.000000Z", false},
		{"a microsecond before", us(-1), "1999-12-31T23:59:59.999999Z", false},
		{"later", us(1_500_000), "2000-01-01T00:00:01.500000Z", false},
		{"short", []byte{1, 2, 3}, "", true},
	} {
		got, err := decodeTime(c.b)
		s := ""
		if !got.IsZero() {
			s = got.Format("2006-01-02T15:04:05.000000Z07:00")
		}
		if s != c.want || (err != nil) != c.err || got.Location() != nil && got.Location().String() != "UTC" {
			t.Errorf("%s: decodeTime = %s, %v; want %s, error %v", c.name, s, err, c.want, c.err)
		}
	}
}
