package pgstore_test

import (
	"context"

	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/pgstore"
	"github.com/routedesk/routedesk/status"
)

// TestExplain checks, on 40k tickets in two inboxes, that PostgreSQL serves
// the standard views (My inbox, Unassigned and All, in both orders, from the
// top and after a cursor) with index scans that stop at the page: no
// sequential scan and no sort of the matching tickets. The counts of the
// standard views read the ticket_counts table (a row per status and
// assignee), by its key when they name an assignee (one status and an
// assignee: that one row, without an aggregate); refined counts count
// the tickets (a large share of the table may rightly be scanned: Count
// then costs what it counts). A View's page of a standard view reads its
// count from ticket_counts in the same statement. FollowUpDue reads the partial
// index of the few tickets with a follow-up due, in its order.
func TestExplain(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	p := testPool(t)
	ctx := context.Background()
	q := pgx.Identifier{schema}.Sanitize()
	// Statuses open, snoozed, closed in 4:1:5, twenty agents and nobody; a
	// follow-up due on one ticket in 50.
	_, err := p.Exec(ctx, `
		INSERT INTO `+q+`.tickets (inbox, number, channel, customer, key, subject, status, assignee, tags, unread,
			created_at, active_at, snoozed_until, first_response_at, closed_at, follow_up_at)
		SELECT inbox, n, 'webchat', 'webchat:v' || (n % 5000), 'c' || n, '',
			(ARRAY['open','open','open','open','snoozed','closed','closed','closed','closed','closed'])[n % 10 + 1],
			CASE WHEN n % 21 = 0 THEN '' ELSE 'a' || (n % 21) END, '{}', n % 2 = 0,
			timestamptz '2025-01-01' + n * interval '1 minute', timestamptz '2025-01-01' + (n * 7 % 20000) * interval '1 minute',
			NULL, NULL, NULL, CASE WHEN n % 50 = 0 THEN timestamptz '2025-01-01' + n * interval '1 minute' END
		FROM generate_series(1, 20000) AS n, (VALUES ('big'), ('other')) AS i (inbox);

		ANALYZE `+q+`.tickets`)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.New(p, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	open := []status.Status{status.Open}
	cursor := &inbox.Position{At: time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), Number: 5000}
	for name, f := range map[string]inbox.Filter{
		"Mine":                         {Statuses: open, Assignee: ptr("a7")},
		"Mine, open and snoozed":       {Statuses: []status.Status{status.Open, status.Snoozed}, Assignee: ptr("a7")},
		"Mine, oldest first":           {Statuses: open, Assignee: ptr("a7"), Order: inbox.OldestFirst},
		"Mine, after a cursor":         {Statuses: open, Assignee: ptr("a7"), After: cursor},
		"Unassigned":                   {Statuses: open, Assignee: ptr("")},
		"Unassigned, oldest first":     {Statuses: open, Assignee: ptr(""), Order: inbox.OldestFirst, After: cursor},
		"All":                          {Statuses: open},
		"All, after a cursor":          {Statuses: open, After: cursor},
		"All, every status":            {Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}},
		"All, every status, oldest":    {Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}, Order: inbox.OldestFirst, After: cursor},
		"All, one agent":               {Statuses: []status.Status{status.Closed}, Assignee: ptr("a3")},
		"All, unread webchat (refine)": {Statuses: open, Channels: []channel.Kind{channel.WebChat}, UnreadOnly: true},
	} {
		f.Limit = 51
		plan, countPlan, err := s.Explain(ctx, "big", f)
		if err != nil {
			t.Fatal(err)
		}
		scans := len(regexp.MustCompile(`Index (Only )?Scan (Backward )?using \S+ on tickets\b`).FindAllString(plan, -1))
		if strings.Contains(plan, "Seq Scan") || regexp.MustCompile(`(?m)^\s*(->\s+)?(Incremental )?Sort\s+\(`).MatchString(plan) ||
			scans != len(f.Statuses) || !strings.HasPrefix(plan, "Limit") {
			t.Errorf("%s: the page is not %d index scans under a limit, without a sort:\n%s", name, len(f.Statuses), plan)
		}
		if len(f.Statuses) > 1 && !strings.Contains(plan, "Merge Append") {
			t.Errorf("%s: the statuses are not merged in order:\n%s", name, plan)
		}
		refined := len(f.Channels) > 0 || f.UnreadOnly
		if counted := strings.Contains(countPlan, "on ticket_counts") && !strings.Contains(countPlan, "on tickets"); counted == refined {
			t.Errorf("%s: Count reads the ticket counts %v, want %v:\n%s", name, counted, !refined, countPlan)
		}
		if withPage := strings.Contains(plan, "on ticket_counts"); withPage == refined {
			t.Errorf("%s: the page reads the ticket counts %v, want %v:\n%s", name, withPage, !refined, plan)
		}
		if f.Assignee != nil && strings.Contains(countPlan, "Seq Scan") {
			t.Errorf("%s: Count scans the table:\n%s", name, countPlan)
		}
		if one := f.Assignee != nil && len(f.Statuses) == 1 && !refined; one && (strings.Contains(plan, "Aggregate") || strings.Contains(countPlan, "Aggregate")) {
			t.Errorf("%s: the count of one status and an assignee is not one row of ticket_counts:\n%s\n%s", name, plan, countPlan)
		}
	}
	plan, err := s.ExplainFollowUpDue(ctx, "big", time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), 100)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "tickets_follow_up") || strings.Contains(plan, "Seq Scan") ||
		regexp.MustCompile(`(?m)^\s*(->\s+)?(Incremental )?Sort\s+\(`).MatchString(plan) {
		t.Errorf("FollowUpDue does not read the follow-up index in order:\n%s", plan)
	}
}

func ptr[T any](v T) *T { return &v }
