package memstore

const (
	chunkBits = 10
	chunkSize = 1 << chunkBits
)

// chunks is a sequence of records stored in chunks of chunkSize, so that
// growing a large sequence never copies it and never holds more than one
// chunk of spare room (a Go slice holds up to a quarter of its length). The
// first chunk grows like a slice, so a small inbox stays small.
type chunks[T any] struct {
	c [][]T
	n int // the records held
}

func (s *chunks[T]) len() int { return s.n }

// at returns the record at index i, which must be below len.
func (s *chunks[T]) at(i int) *T { return &s.c[i>>chunkBits][i&(chunkSize-1)] }

func (s *chunks[T]) push(v T) {
	if k := len(s.c); k == 0 || len(s.c[k-1]) == chunkSize {
		var c []T
		if k > 0 {
			c = make([]T, 0, chunkSize)
		}
		s.c = append(s.c, c)
	}
	last := &s.c[len(s.c)-1]
	*last = append(*last, v)
	s.n++
}

// truncate drops the records from index n on.
func (s *chunks[T]) truncate(n int) {
	for s.n > n {
		last := &s.c[len(s.c)-1]
		keep := max(0, n-(len(s.c)-1)*chunkSize)
		s.n -= len(*last) - keep
		clear((*last)[keep:])
		*last = (*last)[:keep]
		if keep == 0 {
			s.c[len(s.c)-1] = nil
			s.c = s.c[:len(s.c)-1]
		}
	}
}
