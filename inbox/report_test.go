package inbox_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

func TestReportRefusesBadQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.receive(chat("c1", "v1", "hi"))
	day := start.Truncate(24 * time.Hour)
	for _, c := range []struct {
		name  string
		q     inbox.ReportQuery
		field string
	}{
		{"no from", inbox.ReportQuery{To: day}, "From"},
		{"no to", inbox.ReportQuery{From: day}, "To"},
		{"to before from", inbox.ReportQuery{From: day, To: day.Add(-time.Hour)}, "To"},
		{"an empty range", inbox.ReportQuery{From: day, To: day}, "To"},
		{"an unknown bucket", inbox.ReportQuery{From: day, To: day.Add(time.Hour), Bucket: 9}, "Bucket"},
		{"too many buckets", inbox.ReportQuery{From: day, To: day.AddDate(2, 0, 0), Bucket: inbox.BucketHour}, "To"},
		{"an unknown channel", inbox.ReportQuery{From: day, To: day.Add(time.Hour), Channels: []channel.Kind{7}}, "Channels"},
		{"an empty tag", inbox.ReportQuery{From: day, To: day.Add(time.Hour), Tags: []string{" "}}, "tag"},
		{"an empty agent", inbox.ReportQuery{From: day, To: day.Add(time.Hour), Agents: []string{""}}, "Agents"},
	} {
		_, err := f.ib.Report(f.ctx, f.owner, c.q)
		var invalid *inbox.InvalidError
		if !errors.Is(err, inbox.ErrInvalid) || !errors.As(err, &invalid) || invalid.Field != c.field {
			t.Errorf("%s: %v, want an error matching ErrInvalid naming %s", c.name, err, c.field)
		}
	}
	analyst := inbox.Actor{ID: "ana", Role: "analyst"}
	if _, err := f.ib.Report(f.ctx, analyst, inbox.ReportQuery{From: day, To: day.Add(time.Hour)}); !errors.Is(err, inbox.ErrForbidden) {
		t.Errorf("an analyst's report: %v, want ErrForbidden", err)
	}
}

// TestReportBuckets checks the buckets' starts on the wall clock of a zone
// with DST: 25 hours on the autumn night (two 1 a.m. hours), 23 in spring,
// days of 23 and 25 hours, weeks from Monday.
func TestReportBuckets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	wall := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, newYork)
	}
	starts := func(q inbox.ReportQuery) []string {
		q.Location = newYork
		r, err := f.ib.Report(f.ctx, f.owner, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range r.Volume {
			out = append(out, v.Start.Format("Mon Jan 2 15:04 MST"))
		}
		return out
	}
	autumn := starts(inbox.ReportQuery{From: wall(time.November, 1, 0), To: wall(time.November, 1, 4), Bucket: inbox.BucketHour})
	if diff := cmp.Diff([]string{"Sun Nov 1 00:00 EDT", "Sun Nov 1 01:00 EDT", "Sun Nov 1 01:00 EST", "Sun Nov 1 02:00 EST", "Sun Nov 1 03:00 EST"}, autumn); diff != "" {
		t.Errorf("autumn hours (-want +got):\n%s", diff)
	}
	spring := starts(inbox.ReportQuery{From: wall(time.March, 8, 0), To: wall(time.March, 8, 4), Bucket: inbox.BucketHour})
	if diff := cmp.Diff([]string{"Sun Mar 8 00:00 EST", "Sun Mar 8 01:00 EST", "Sun Mar 8 03:00 EDT"}, spring); diff != "" {
		t.Errorf("spring hours (-want +got):\n%s", diff)
	}
	days := starts(inbox.ReportQuery{From: wall(time.October, 31, 12), To: wall(time.November, 2, 12)})
	if diff := cmp.Diff([]string{"Sat Oct 31 00:00 EDT", "Sun Nov 1 00:00 EDT", "Mon Nov 2 00:00 EST"}, days); diff != "" {
		t.Errorf("days (-want +got):\n%s", diff)
	}
	weeks := starts(inbox.ReportQuery{From: wall(time.November, 1, 0), To: wall(time.November, 10, 0), Bucket: inbox.BucketWeek})
	if diff := cmp.Diff([]string{"Mon Oct 26 00:00 EDT", "Mon Nov 2 00:00 EST", "Mon Nov 9 00:00 EST"}, weeks); diff != "" {
		t.Errorf("weeks (-want +got):\n%s", diff)
	}
}

// TestReportCSVAndJSON checks the two forms a host sends on: the CSV's
// every row has the six columns and the figures of the report, and the JSON
// has lists, never null, for the sections.
func TestReportCSVAndJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ali := f.online("ali")[0]
	f.roundRobin(true)
	n := f.receive(sms("+15550001111", "hi")).Ticket
	f.clock.Add(90 * time.Second)
	if _, err := f.ib.Reply(f.ctx, ali, n, "hello", channel.Consent{SMSTransactional: true}); err != nil {
		t.Fatal(err)
	}
	f.must(f.ib.AddTags(f.ctx, ali, n, "billing"))
	day := start.Truncate(24 * time.Hour)
	r, err := f.ib.Report(f.ctx, f.owner, inbox.ReportQuery{From: day, To: day.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll() // every row has the header's six fields, or ReadAll fails
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"section", "start", "channel", "key", "metric", "value"}, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	find := func(section, channel, key, metric string) string {
		for _, row := range rows[1:] {
			if row[0] == section && row[2] == channel && row[3] == key && row[4] == metric {
				return row[5]
			}
		}
		return "missing"
	}
	for _, c := range []struct{ section, channel, key, metric, want string }{
		{"volume", "sms", "", "created", "1"},
		{"volume", "all", "", "created", "1"},
		{"volume", "email", "", "created", "0"},
		{"first_response", "", "", "calendar_median_seconds", "90"},
		{"first_response", "", "", "business_count", "1"},
		{"last_resolution", "", "", "calendar_open", "1"},
		{"agent", "", "ali", "auto_assigned", "1"},
		{"agent", "", "ali", "fair_share", "1"},
		{"agent", "", "ali", "first_response_calendar_p90_seconds", "90"},
		{"tag", "", "billing", "replied", "1"},
		{"fairness", "", "", "jain_index", "1"},
	} {
		if got := find(c.section, c.channel, c.key, c.metric); got != c.want {
			t.Errorf("%s %s %s %s = %s, want %s", c.section, c.channel, c.key, c.metric, got, c.want)
		}
	}
	if got, want := rows[1][1], day.Format(time.RFC3339); got != want {
		t.Errorf("a volume row's start %q, want %q", got, want)
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"attribution":[]`) || !strings.Contains(string(js), `"webchat":{"created":0`) {
		t.Errorf("JSON: %s", js)
	}
}

// TestReportFairnessOfAgentsWithoutAssignments checks a report filtered to
// an agent who holds a ticket round robin gave someone else: she had a share
// of its turn but got no automatic assignment, and Jain's index over nothing
// but zeros is 0, not NaN (which JSON cannot carry).
func TestReportFairnessOfAgentsWithoutAssignments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.online("ali", "bea")
	f.roundRobin(true)
	got := f.receive(chat("c1", "v1", "hi"))
	if got.Decision.Agent != "ali" {
		t.Fatalf("round robin gave the ticket to %q, want ali", got.Decision.Agent)
	}
	f.must(f.ib.Assign(f.ctx, f.owner, "bea", got.Ticket))
	day := start.Truncate(24 * time.Hour)
	r, err := f.ib.Report(f.ctx, f.owner, inbox.ReportQuery{From: day, To: day.Add(24 * time.Hour), Agents: []string{"bea"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Agents) != 1 || r.Agents[0].FairShare != 0.5 || r.Agents[0].AutoAssigned != 0 || r.Fairness != 0 {
		t.Errorf("agents %+v, fairness %v; want bea alone with half a share and no automatic assignment, fairness 0", r.Agents, r.Fairness)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("JSON: %v", err)
	}
}
