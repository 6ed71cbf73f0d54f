package pgstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// ticketRow is how a transaction decodes the rows of ticketColumns (and,
// for a View's page, the count after them). Pages are what the store reads
// most, so their rows are decoded from the wire by hand, without pgx's scan
// plans, straight into the caller's ticket, and their strings are cut from
// shared buffers rather than allocated one by one. A connection whose pool
// sends results in text (QueryExecModeSimpleProtocol) gets them scanned
// into dest, then copied.
type ticketRow struct {
	t     inbox.Ticket
	total int64
	dest  []any // scans ticketColumns and the count into t and total; made when first needed
	text  textArena
}

// scanInto returns the destinations that scan ticketColumns and the count
// into row.t and row.total.
func (row *ticketRow) scanInto() []any {
	if row.dest == nil {
		t := &row.t
		row.dest = []any{&t.Number, (*kindText)(&t.Channel), &t.Customer, &t.Key, &t.Subject, (*statusText)(&t.Status), &t.Assignee, &t.Tags,
			&t.Unread, scanTime(&t.CreatedAt), scanTime(&t.ActiveAt), scanTime(&t.SnoozedUntil), scanTime(&t.FirstResponseAt),
			scanTime(&t.ClosedAt), scanTime(&t.LastCustomerAt), scanTime(&t.LastReplyAt), &t.CustomerAway, scanTime(&t.FollowUpAt),
			scanTime(&t.FollowedUpAt), scanTime(&t.NotifiedAt), &t.NewReplies, &row.total}
	}
	return row.dest
}

// The columns of ticketColumns by how they are decoded.
const (
	colNumber = iota
	colChannel
	colCustomer
	colKey
	colSubject
	colStatus
	colAssignee
	colTags
	colUnread
	colCreatedAt    // the first of the times, which run to colNewReplies but for colCustomerAway
	colCustomerAway = colCreatedAt + 7
	colNewReplies   = colCreatedAt + 11
)

// scan decodes the current row of rows into t, the zero Ticket:
// ticketColumns, and the count after them (into row.total) when counted.
// binary says whether wireBinary holds for the rows' fields (the same for
// every row of a result). A ticket's strings (and the strings of its tags)
// stay valid after the next row; its Tags are nil when it has none.
func (row *ticketRow) scan(rows pgx.Rows, counted, binary bool, t *inbox.Ticket) error {
	n := len(ticketColumnNames)
	if counted {
		n++
	}
	if !binary {
		if err := rows.Scan(row.scanInto()[:n]...); err != nil {
			return err
		}
		*t = row.t
		if len(t.Tags) == 0 {
			t.Tags = nil
		}
		return nil
	}
	values := rows.RawValues()
	if len(values) != n {
		return fmt.Errorf("pgstore: a ticket row has %d columns, want %d", len(values), n)
	}
	if err := row.text.decode(values, t); err != nil {
		return &Error{Op: "decode a stored ticket", Err: err}
	}
	if counted {
		var err error
		row.total, err = decodeInt8(values[n-1])
		return err
	}
	return nil
}

// wireBinary reports whether the columns that scan decodes by hand came in
// PostgreSQL's binary format. The text columns read the same either way.
func wireBinary(fields []pgconn.FieldDescription) bool {
	for i, f := range fields {
		switch i {
		case colChannel, colCustomer, colKey, colSubject, colStatus, colAssignee:
		default:
			if f.Format != pgtype.BinaryFormatCode {
				return false
			}
		}
	}
	return true
}

// decode decodes the binary values of ticketColumns into t, its strings
// cut from s. t is the zero Ticket: NULL times are left as they are.
func (s *textArena) decode(v [][]byte, t *inbox.Ticket) error {
	var err error
	if t.Number, err = decodeInt8(v[colNumber]); err != nil {
		return err
	}
	if err := t.Channel.UnmarshalText(v[colChannel]); err != nil {
		return err
	}
	if err := t.Status.UnmarshalText(v[colStatus]); err != nil {
		return err
	}
	t.Customer, t.Key, t.Subject, t.Assignee = s.of(v[colCustomer]), s.of(v[colKey]), s.of(v[colSubject]), s.of(v[colAssignee])
	if t.Tags, err = s.array(v[colTags]); err != nil {
		return err
	}
	if t.Unread, err = decodeBool(v[colUnread]); err != nil {
		return err
	}
	if t.CustomerAway, err = decodeBool(v[colCustomerAway]); err != nil {
		return err
	}
	times := [...]*time.Time{&t.CreatedAt, &t.ActiveAt, &t.SnoozedUntil, &t.FirstResponseAt, &t.ClosedAt, &t.LastCustomerAt, &t.LastReplyAt,
		nil, &t.FollowUpAt, &t.FollowedUpAt, &t.NotifiedAt}
	for i, p := range times {
		if p != nil && v[colCreatedAt+i] != nil {
			if *p, err = decodeTime(v[colCreatedAt+i]); err != nil {
				return err
			}
		}
	}
	newReplies, err := decodeInt4(v[colNewReplies])
	t.NewReplies = int(newReplies)
	return err
}

// The binary forms of PostgreSQL's types, as its send functions write them.

func decodeInt8(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("a bigint of %d bytes", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

func decodeInt4(b []byte) (int32, error) {
	if len(b) != 4 {
		return 0, fmt.Errorf("an integer of %d bytes", len(b))
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

func decodeBool(b []byte) (bool, error) {
	if len(b) != 1 {
		return false, fmt.Errorf("a boolean of %d bytes", len(b))
	}
	return b[0] != 0, nil
}

// y2k is PostgreSQL's epoch, 2000-01-01 UTC, in Unix seconds.
const y2k = 946684800

// decodeTime decodes a kept time (timestamptz: microseconds since y2k) as
// keptTimeOf scans one: NULL and -infinity are the zero time.
func decodeTime(b []byte) (time.Time, error) {
	if b == nil {
		return time.Time{}, nil
	}
	us, err := decodeInt8(b)
	switch {
	case err != nil:
		return time.Time{}, err
	case us == math.MinInt64:
		return time.Time{}, nil
	case us == math.MaxInt64:
		return time.Time{}, fmt.Errorf("a kept time is infinity")
	}
	return time.Unix(y2k+us/1e6, us%1e6*1e3).UTC(), nil
}

// textArena makes strings out of the bytes of rows: it copies them into
// buffers of arenaBuffer bytes that it only ever appends to, and gives out
// strings that share them, one allocation per buffer instead of one per
// string. A buffer lives as long as any of its strings.
type textArena struct{ buf []byte }

const arenaBuffer = 4096

// of returns b as a string.
func (s *textArena) of(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(s.buf)-len(s.buf) < len(b) {
		if len(b) > arenaBuffer/4 {
			return string(b)
		}
		s.buf = make([]byte, 0, arenaBuffer)
	}
	start := len(s.buf)
	s.buf = append(s.buf, b...)
	return unsafe.String(&s.buf[start], len(b))
}

// array decodes a one-dimensional text[] without NULLs; the empty array
// is nil.
func (s *textArena) array(b []byte) ([]string, error) {
	const header = 12 // dimensions, flags, element type
	if len(b) < header {
		return nil, fmt.Errorf("an array of %d bytes", len(b))
	}
	dims := binary.BigEndian.Uint32(b)
	if dims == 0 {
		return nil, nil
	}
	if dims != 1 || len(b) < header+8 {
		return nil, fmt.Errorf("an array of %d dimensions", dims)
	}
	n := int(binary.BigEndian.Uint32(b[header:]))
	if n == 0 {
		return nil, nil
	}
	if n > len(b)/4 {
		return nil, fmt.Errorf("an array of %d elements in %d bytes", n, len(b))
	}
	out := make([]string, n)
	b = b[header+8:]
	for i := range out {
		if len(b) < 4 {
			return nil, fmt.Errorf("an array cut short")
		}
		size := int32(binary.BigEndian.Uint32(b))
		if size < 0 || int(size) > len(b)-4 {
			return nil, fmt.Errorf("an array element of %d bytes", size)
		}
		out[i] = s.of(b[4 : 4+size])
		b = b[4+size:]
	}
	return out, nil
}

// kindText and statusText scan a ticket's channel and status from their
// text without making a string of it.
type (
	kindText   channel.Kind
	statusText status.Status
)

// ScanBytes implements pgtype.BytesScanner.
func (k *kindText) ScanBytes(b []byte) error {
	if err := (*channel.Kind)(k).UnmarshalText(b); err != nil {
		return &Error{Op: "decode a stored ticket", Err: err}
	}
	return nil
}

// ScanBytes implements pgtype.BytesScanner.
func (s *statusText) ScanBytes(b []byte) error {
	if err := (*status.Status)(s).UnmarshalText(b); err != nil {
		return &Error{Op: "decode a stored ticket", Err: err}
	}
	return nil
}
