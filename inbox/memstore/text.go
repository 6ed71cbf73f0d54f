package memstore

import "unsafe"

// text keeps the strings of an inbox's tickets and messages (customer and
// thread keys, subjects, authors, message IDs, bodies) packed into pages of
// bytes, and the records refer to them with a str. The records then hold no
// pointers: the garbage collector never scans them, nor marks a million small
// strings, which is most of what a large inbox would cost it.
//
// Bytes once written are never changed or reused, so the strings handed out
// can point into the pages (unsafe.String) without copying: a string may
// outlive the transaction that read it. The price is that the text written by
// a rolled-back transaction stays allocated.
type text struct {
	pages [][]byte
}

// textPage is the size of a page. A longer string gets a page of its own.
const textPage = 32 << 10

// str locates a string: page<<32 | offset<<16 | length, or, for a string
// with a page of its own, page<<32 | ownPage. The zero str is "".
type str uint64

const ownPage = 1<<16 - 1

// put stores s and returns where.
func (x *text) put(s string) str {
	if s == "" {
		return 0
	}
	k := len(x.pages) - 1
	switch {
	case len(s) > textPage:
		x.pages = append(x.pages, []byte(s))
		return str(len(x.pages)-1)<<32 | ownPage
	case k < 0:
		x.pages = append(x.pages, nil) // the first page grows like a slice
		k = 0
	case len(x.pages[k]) > textPage || len(x.pages[k])+len(s) > textPage:
		x.pages = append(x.pages, make([]byte, 0, textPage))
		k++
	}
	off := len(x.pages[k])
	appendTo(&x.pages[k], s)
	return str(k)<<32 | str(off)<<16 | str(len(s))
}

// appendTo appends s to *p. When *p has room it writes only the length:
// storing the slice's pointer again would take the garbage collector's
// write barrier, which, while the collector marks, costs more than the
// copy. The pages of text and of the event log, where every Receive
// appends, grow through it.
func appendTo[S ~string | ~[]byte](p *[]byte, s S) {
	n := len(*p)
	if cap(*p)-n < len(s) {
		*p = append(*p, s...)
		return
	}
	*p = (*p)[:n+len(s)] // the same slice: the compiler stores the length alone
	copy((*p)[n:], s)
}

// get returns the string at s.
func (x *text) get(s str) string {
	if s == 0 {
		return ""
	}
	page := x.pages[s>>32]
	off, n := int(s>>16&(1<<16-1)), int(s&(1<<16-1))
	if n == ownPage {
		off, n = 0, len(page)
	}
	return unsafe.String(&page[off], n)
}
