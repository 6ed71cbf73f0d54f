package pgstore_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"pgregory.net/rapid"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/pgstore"
	"github.com/routedesk/routedesk/status"
)

// TestTicketRows checks that tickets read back as they were kept, through
// the hand-written decoding of binary rows (the default pool) and through
// pgx's scans of text rows (a pool in QueryExecModeSimpleProtocol): every
// field, times anywhere in PostgreSQL's range (to the microsecond, in UTC;
// the zero time as zero), tags, strings of any length, on pages of several
// rows whose strings must outlive the rows after them.
func TestTicketRows(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	binary, err := pgstore.New(testPool(t), pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pxgConfig(os.Getenv(urlVar))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 2
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	simple, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(simple.Close)
	text, err := pgstore.New(simple, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inboxes := 0
	rapid.Check(t, func(rt *rapid.T) {
		inboxes++
		id := fmt.Sprint("rows-", inboxes)
		tickets := rapid.SliceOfN(ticketGen(), 1, 8).Draw(rt, "tickets")
		var want []inbox.Ticket
		err := binary.Update(ctx, id, func(tx inbox.Tx) error {
			for _, tk := range tickets {
				n, err := tx.CreateTicket(tk)
				if err != nil {
					return err
				}
				tk.Number = n
				want = append(want, kept(tk))
			}
			return nil
		})
		if err != nil {
			rt.Fatal(err)
		}
		all := inbox.Filter{Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}, Order: inbox.OldestFirst, Limit: 100}
		for name, s := range map[string]*pgstore.Store{"binary rows": binary, "text rows": text} {
			for _, tx := range []func(func(inbox.ReadTx) error) error{
				func(fn func(inbox.ReadTx) error) error { return s.View(ctx, id, fn) },
				func(fn func(inbox.ReadTx) error) error {
					return s.Update(ctx, id, func(tx inbox.Tx) error { return fn(tx) })
				},
			} {
				var got []inbox.Ticket
				var one inbox.Ticket
				var total int
				err := tx(func(tx inbox.ReadTx) (err error) {
					if got, err = tx.Tickets(all); err != nil {
						return err
					}
					if total, err = tx.Count(all); err != nil {
						return err
					}
					one, err = tx.Ticket(int64(len(want)))
					return err
				})
				if err != nil {
					rt.Fatalf("%s: %v", name, err)
				}
				if d := cmp.Diff(want, got); d != "" {
					rt.Fatalf("%s: the tickets read back (-want +got):\n%s", name, d)
				}
				if d := cmp.Diff(want[len(want)-1], one); d != "" {
					rt.Fatalf("%s: Ticket(%d) (-want +got):\n%s", name, len(want), d)
				}
				if total != len(want) {
					rt.Fatalf("%s: Count = %d, want %d", name, total, len(want))
				}
			}
		}
	})
}

// ticketGen draws tickets that the store keeps.
func ticketGen() *rapid.Generator[inbox.Ticket] {
	text := rapid.StringMatching(`[a-zA-Zé€😀 ,"{}\\]{0,40}`)
	long := rapid.Custom(func(t *rapid.T) string { // past a quarter of the decoder's 4 KiB buffers
		return strings.Repeat("é", rapid.IntRange(500, 2100).Draw(t, "long"))
	})
	at := rapid.Custom(func(t *rapid.T) time.Time {
		switch rapid.IntRange(0, 3).Draw(t, "when") {
		case 0:
			return time.Time{}
		case 1: // before PostgreSQL's epoch (2000), even before year 1
			return time.Unix(rapid.Int64Range(-210866803200, 946684800).Draw(t, "unix"), rapid.Int64Range(0, 999_999_999).Draw(t, "ns"))
		case 2:
			return time.Unix(rapid.Int64Range(946684800, 9224318015999).Draw(t, "unix"), rapid.Int64Range(0, 999_999_999).Draw(t, "ns"))
		}
		return time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("x", 3600)).Add(time.Duration(rapid.Int64Range(-1e15, 1e15).Draw(t, "offset")))
	})
	return rapid.Custom(func(t *rapid.T) inbox.Ticket {
		subject := text
		if rapid.IntRange(0, 9).Draw(t, "long subject") == 0 {
			subject = long
		}
		return inbox.Ticket{
			Channel:  rapid.SampledFrom([]channel.Kind{channel.WebChat, channel.Email}).Draw(t, "channel"),
			Customer: text.Draw(t, "customer"), Key: text.Draw(t, "key"), Subject: subject.Draw(t, "subject"),
			Status:   rapid.SampledFrom([]status.Status{status.Open, status.Snoozed, status.Closed}).Draw(t, "status"),
			Assignee: text.Draw(t, "assignee"), Tags: rapid.SliceOfN(text, 0, 4).Draw(t, "tags"),
			Unread: rapid.Bool().Draw(t, "unread"), CreatedAt: at.Draw(t, "created"), ActiveAt: at.Draw(t, "active"),
			SnoozedUntil: at.Draw(t, "snoozed"), FirstResponseAt: at.Draw(t, "first response"), ClosedAt: at.Draw(t, "closed"),
			LastCustomerAt: at.Draw(t, "last customer"), LastReplyAt: at.Draw(t, "last reply"), CustomerAway: rapid.Bool().Draw(t, "away"),
			FollowUpAt: at.Draw(t, "follow-up"), FollowedUpAt: at.Draw(t, "followed up"), NotifiedAt: at.Draw(t, "notified"),
			NewReplies: rapid.IntRange(0, math.MaxInt32).Draw(t, "new replies"),
		}
	})
}

// kept returns t as the store keeps it: times to the microsecond below, in
// UTC; no tags as nil.
func kept(t inbox.Ticket) inbox.Ticket {
	for _, p := range []*time.Time{&t.CreatedAt, &t.ActiveAt, &t.SnoozedUntil, &t.FirstResponseAt, &t.ClosedAt, &t.LastCustomerAt,
		&t.LastReplyAt, &t.FollowUpAt, &t.FollowedUpAt, &t.NotifiedAt} {
		if !p.IsZero() {
			*p = time.Unix(p.Unix(), int64(p.Nanosecond()/1000*1000)).UTC()
		}
	}
	if len(t.Tags) == 0 {
		t.Tags = nil
	}
	return t
}
