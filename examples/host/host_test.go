package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/storetest"
	"github.com/routedesk/routedesk/status"
)

// TestStory runs the host on a loopback port and drives one support story
// over HTTP, on the in-memory store and, when ROUTEDESK_PG_URL names a
// server (make test starts one), on PostgreSQL in a schema of its own.
func TestStory(t *testing.T) {
	t.Parallel()
	t.Run("memstore", func(t *testing.T) {
		t.Parallel()
		story(t, start(t))
	})
	t.Run("pgstore", func(t *testing.T) {
		t.Parallel()
		url := os.Getenv("ROUTEDESK_PG_URL")
		if url == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("ROUTEDESK_PG_URL is not set, and CI=true (make test starts a server)")
			}
			t.Skip("ROUTEDESK_PG_URL is not set: no PostgreSQL to test against")
		}
		story(t, start(t, "-postgres", url, "-schema", freshSchema(t, url)))
	})
}

// freshSchema returns the name of a schema that no other test uses, dropped
// when the test ends (the host creates it when it migrates).
func freshSchema(t *testing.T, url string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "host_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx := context.Background()
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer pool.Close()
		if _, err := pool.Exec(ctx, `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// t0 is when the story starts: Monday 16 November 2026, 14:00 UTC.
var t0 = time.Date(2026, 11, 16, 14, 0, 0, 0, time.UTC)

func story(t *testing.T, h *host) {
	// The team, kept in sync by the host's user directory.
	for _, m := range []struct{ id, body string }{
		{"dana", `{"name": "Dana", "role": "owner"}`},
		{"ali", `{"name": "Ali", "role": "support"}`},
		{"bo", `{"name": "Bo", "role": "support"}`},
	} {
		h.want(t, "PUT", "/members/"+m.id, "dana/owner", m.body, http.StatusNoContent, nil)
	}
	h.want(t, "PUT", "/members/eve", "ali/support", `{"name": "Eve", "role": "support"}`, http.StatusForbidden,
		problem{Code: "forbidden", Error: `inbox: forbidden: "ali" (role "support") may not change settings`})
	settings := inbox.DefaultSettings()
	settings.RoundRobin = true
	h.want(t, "PATCH", "/settings", "dana/owner", `{"round_robin": true}`, http.StatusOK, settings)

	// Ali comes online, and only Ali may say so.
	h.want(t, "PUT", "/members/ali/presence", "bo/support", `{"presence": "online"}`, http.StatusForbidden,
		problem{Code: "forbidden", Error: `inbox: forbidden: "bo" (role "support") may not set presence`})
	h.want(t, "PUT", "/members/ali/presence", "ali/support", `{"presence": "online"}`, http.StatusNoContent, nil)
	h.want(t, "GET", "/members", "bo/support", "", http.StatusOK, []inbox.Member{
		{ID: "dana", Name: "Dana", Role: inbox.Owner, Joined: 1},
		{ID: "ali", Name: "Ali", Role: inbox.Support, Presence: assign.Online, Joined: 2},
		{ID: "bo", Name: "Bo", Role: inbox.Support, Joined: 3},
	})

	// Messages on the three channels: round robin gives the first to Ali,
	// the only one online; when she goes offline the others wait.
	h.want(t, "POST", "/webhooks/webchat", "", `{"conversation": "c-1", "visitor": "v-7", "email": "ann@example.com", "body": "Do you ship to Canada?"}`,
		http.StatusOK, received{Action: channel.New, Ticket: 1, Assignee: "ali", Reason: "round robin: least recently assigned of 1 eligible; 2 offline"})
	h.want(t, "PUT", "/members/ali/presence", "ali/support", `{"presence": "offline"}`, http.StatusNoContent, nil)
	h.at(t0.Add(time.Minute))
	h.want(t, "POST", "/webhooks/email", "", `{"from": "Ben <ben@example.com>", "to": "help@shop.example", "subject": "Where is my order?", "message_id": "<m1@example.com>", "body": "Order 1001 has not come."}`,
		http.StatusOK, received{Action: channel.New, Ticket: 2, Reason: "no eligible agent: 3 offline"})
	h.at(t0.Add(2 * time.Minute))
	h.want(t, "POST", "/webhooks/email", "", `{"from": "ben@example.com", "message_id": "m2@example.com", "in_reply_to": "<m1@example.com>", "headers": {"auto-submitted": "auto-replied"}, "body": "I am away."}`,
		http.StatusOK, received{Action: channel.Append, Ticket: 2, Auto: channel.AutoReply})
	h.at(t0.Add(3 * time.Minute))
	h.wantSMS(t, url.Values{"From": {"+1 (555) 010-2000"}, "To": {"+15550100000"}, "Body": {"Is the sale still on?"}, "MessageSid": {"SM1"}, "AccountSid": {"AC1"}},
		http.StatusOK, received{Action: channel.New, Ticket: 3, Reason: "no eligible agent: 3 offline"})
	h.wantSMS(t, url.Values{"From": {"+15550102000"}, "To": {"+15550100000"}, "Body": {" stop "}, "MessageSid": {"SM2"}},
		http.StatusOK, received{Action: channel.Keyword, Keyword: "STOP", KeywordClass: channel.OptOut})
	h.wantSMS(t, url.Values{"From": {"555 010 2000"}, "To": {"+15550100000"}, "Body": {"hi"}, "MessageSid": {"SM9"}},
		http.StatusBadRequest, problem{Code: "bad_request", Field: "From", Error: `bad request: From: channel: invalid phone number "555 010 2000": no country code (no "+" or "00"): normalise national numbers with a full phone library first`})

	// The views.
	chat := inbox.Ticket{Number: 1, Channel: channel.WebChat, Customer: "webchat:v-7", Key: "c-1", Status: status.Open, Assignee: "ali", Unread: true,
		CreatedAt: t0, ActiveAt: t0, LastCustomerAt: t0}
	mail := inbox.Ticket{Number: 2, Channel: channel.Email, Customer: "email:ben@example.com", Subject: "Where is my order?", Status: status.Open, Unread: true,
		CreatedAt: t0.Add(time.Minute), ActiveAt: t0.Add(2 * time.Minute), LastCustomerAt: t0.Add(2 * time.Minute)}
	text := inbox.Ticket{Number: 3, Channel: channel.SMS, Customer: "sms:+15550102000", Key: "+15550102000", Status: status.Open, Unread: true,
		CreatedAt: t0.Add(3 * time.Minute), ActiveAt: t0.Add(3 * time.Minute), LastCustomerAt: t0.Add(3 * time.Minute)}
	h.want(t, "GET", "/tickets?view=unassigned", "bo/support", "", http.StatusOK, inbox.Page{Tickets: []inbox.Ticket{text, mail}, Total: 2})
	h.want(t, "GET", "/tickets?view=mine", "ali/support", "", http.StatusOK, inbox.Page{Tickets: []inbox.Ticket{chat}, Total: 1})
	first := h.want(t, "GET", "/tickets?view=all&order=oldest_first&limit=1", "dana/owner", "", http.StatusOK, inbox.Page{Tickets: []inbox.Ticket{chat}, Total: 3}, ignore("next"))
	h.want(t, "GET", "/tickets?view=all&order=oldest_first&limit=1&cursor="+url.QueryEscape(first["next"].(string)), "dana/owner", "", http.StatusOK,
		inbox.Page{Tickets: []inbox.Ticket{mail}, Total: 3}, ignore("next"))

	// Bo claims the email; Ali's claim comes second.
	h.at(t0.Add(10 * time.Minute))
	mailOverview := inbox.Overview{Number: 2, Status: status.Open, Assignee: "bo", AssigneeName: "Bo", CreatedAt: t0.Add(time.Minute), Channel: channel.Email, Customer: "email:ben@example.com", CustomerTickets: 1}
	h.want(t, "POST", "/tickets/2/claim", "bo/support", "", http.StatusOK, mailOverview)
	h.want(t, "POST", "/tickets/2/claim", "ali/support", "", http.StatusConflict,
		problem{Code: "already_assigned", Assignee: "bo", Error: `inbox: ticket 2 is already assigned to "bo"`})
	textOverview := inbox.Overview{Number: 3, Status: status.Open, Assignee: "ali", AssigneeName: "Ali", CreatedAt: t0.Add(3 * time.Minute), Channel: channel.SMS, Customer: "sms:+15550102000", CustomerTickets: 1}
	h.want(t, "POST", "/tickets/3/assign", "dana/owner", `{"assignee": "ali"}`, http.StatusOK, textOverview)

	// The texter opted out: no reply until they text START.
	h.want(t, "POST", "/tickets/3/reply", "ali/support", `{"body": "Yes, until Sunday."}`, http.StatusUnprocessableEntity,
		problem{Code: "no_consent", Error: "channel: the customer has not consented to receive SMS"})
	h.wantSMS(t, url.Values{"From": {"+15550102000"}, "To": {"+15550100000"}, "Body": {"START"}, "MessageSid": {"SM3"}},
		http.StatusOK, received{Action: channel.Keyword, Keyword: "START", KeywordClass: channel.OptIn})
	h.at(t0.Add(11 * time.Minute))
	h.want(t, "POST", "/tickets/3/reply", "ali/support", `{"body": "Yes, until Sunday."}`, http.StatusCreated,
		inbox.Message{Ticket: 3, Index: 1, Direction: inbox.Outbound, Author: "ali", Body: "Yes, until Sunday.", At: t0.Add(11 * time.Minute)})
	h.want(t, "POST", "/tickets/2/reply", "bo/support", `{"body": "It ships today."}`, http.StatusCreated,
		inbox.Message{Ticket: 2, Index: 2, Direction: inbox.Outbound, Author: "bo", Body: "It ships today.", At: t0.Add(11 * time.Minute)},
		ignore("id")) // a random Message-ID

	// Ali snoozes the chat for an hour; the background loop wakes it.
	h.want(t, "POST", "/tickets/1/snooze", "ali/support", `{"until": "2026-11-16T15:11:00Z"}`, http.StatusOK,
		inbox.Overview{Number: 1, Status: status.Snoozed, Assignee: "ali", AssigneeName: "Ali", CreatedAt: t0, Channel: channel.WebChat, Customer: "webchat:v-7", CustomerTickets: 1})
	snoozed := chat
	snoozed.Status, snoozed.SnoozedUntil = status.Snoozed, t0.Add(71*time.Minute)
	h.want(t, "GET", "/tickets?view=mine&status=snoozed", "ali/support", "", http.StatusOK, inbox.Page{Tickets: []inbox.Ticket{snoozed}, Total: 1})
	h.at(t0.Add(72 * time.Minute))
	h.eventually(t, "the snoozed chat wakes", func() bool {
		code, body := h.call(t, "GET", "/tickets/1", "ali/support", "")
		var o inbox.Overview
		return code == http.StatusOK && json.Unmarshal(body, &o) == nil && o.Status == status.Open
	})

	// Bo closes the email; closing it again is no move a ticket can make.
	mailOverview.Status = status.Closed
	h.want(t, "POST", "/tickets/2/close", "bo/support", "", http.StatusOK, mailOverview)
	h.want(t, "POST", "/tickets/2/close", "bo/support", "", http.StatusConflict,
		problem{Code: "invalid_transition", Error: "status: cannot close a ticket that is closed (closed → closed is not allowed)"})

	// A saved view: Ali's texts.
	query := inbox.Query{View: inbox.All, Channels: []channel.Kind{channel.SMS}}
	view := inbox.SavedView{Name: "Texts", Owner: "ali", Query: query}
	id := h.want(t, "POST", "/views", "ali/support", `{"name": "Texts", "query": {"view": "all", "channels": ["sms"]}}`, http.StatusCreated,
		view, ignore("id"))["id"].(string)
	view.ID = id
	h.want(t, "GET", "/views", "ali/support", "", http.StatusOK, []inbox.SavedView{view})
	text.Assignee, text.ActiveAt, text.FirstResponseAt, text.LastReplyAt = "ali", t0.Add(11*time.Minute), t0.Add(11*time.Minute), t0.Add(11*time.Minute)
	text.NewReplies = 1
	h.want(t, "GET", "/views/"+id+"/tickets", "ali/support", "", http.StatusOK, inbox.Page{Tickets: []inbox.Ticket{text}, Total: 1})
	h.want(t, "GET", "/views/"+id+"/tickets", "bo/support", "", http.StatusNotFound,
		problem{Code: "not_found", Error: `saved view "` + id + `": inbox: not found`})

	// The day's report, as JSON and as CSV.
	report(t, h)

	// Who may not, and what is malformed.
	h.want(t, "GET", "/tickets", "nia/analyst", "", http.StatusForbidden,
		problem{Code: "forbidden", Error: `inbox: forbidden: "nia" (role "analyst") may not read`})
	h.want(t, "GET", "/tickets", "", "", http.StatusUnauthorized,
		problem{Code: "unauthenticated", Error: "missing X-Actor or X-Role header: say who calls"})
	h.want(t, "POST", "/tickets/3/snooze", "ali/support", `{"until": "tomorrow"}`, http.StatusBadRequest,
		problem{Code: "bad_request", Field: "until", Error: `bad request: until: want when the ticket comes back in RFC 3339 form, not "tomorrow"`})
	h.want(t, "POST", "/tickets/3/snooze", "ali/support", `{"until": "2026-11-16T09:00:00Z"}`, http.StatusBadRequest,
		problem{Code: "invalid", Field: "snooze time", Error: "inbox: invalid snooze time: 2026-11-16T09:00:00Z is not after now (2026-11-16T15:12:00Z)"})
	h.want(t, "POST", "/tickets/3/snooze", "ali/support", `{"untill": "2026-11-17T09:00:00Z"}`, http.StatusBadRequest,
		problem{Code: "bad_request", Field: "untill", Error: "bad request: untill: unknown field"})
	h.want(t, "POST", "/tickets/3/assign", "ali/support", `{"assignee": 7}`, http.StatusBadRequest,
		problem{Code: "bad_request", Field: "assignee", Error: "bad request: assignee: want a JSON string, not number"})
	h.want(t, "POST", "/tickets/3/reply", "ali/support", `{"body": "Hi"`, http.StatusBadRequest,
		problem{Code: "bad_request", Error: "bad request: malformed JSON: unexpected EOF"})
	h.want(t, "POST", "/tickets/x/claim", "ali/support", "", http.StatusBadRequest,
		problem{Code: "bad_request", Field: "number", Error: "bad request: number: a ticket number is a positive integer"})
	h.want(t, "GET", "/tickets?view=mine&colour=red", "ali/support", "", http.StatusBadRequest,
		problem{Code: "bad_request", Field: "colour", Error: "bad request: colour: unknown parameter"})
	h.want(t, "GET", "/tickets?view=mine&status=closed", "ali/support", "", http.StatusBadRequest,
		problem{Code: "invalid", Field: "query statuses", Error: "inbox: invalid query statuses: closed tickets are archived from My inbox and Unassigned; use All with Assignee"})
	h.want(t, "GET", "/tickets/99", "ali/support", "", http.StatusNotFound,
		problem{Code: "not_found"}, ignore("error")) // the store's words
	h.want(t, "POST", "/webhooks/email", "", `{"from": "ben", "message_id": "<m3@example.com>"}`, http.StatusBadRequest,
		problem{Code: "invalid", Field: "Email.From", Error: `channel: invalid Email.From: "ben" is not one address: mail: missing '@' or angle-addr`})

	// The Notifier got the reply to deliver, from the background loop.
	h.eventually(t, "the SMS reply is delivered", func() bool {
		return h.logged(func(l logLine) bool { return l["msg"] == "event" && l["type"] == "reply_sent" && l["ticket"] == 3.0 })
	})
	h.stop(t)
	if !h.logged(func(l logLine) bool { return l["msg"] == "stopped" }) {
		t.Error("no log of a clean stop")
	}
}

// report checks the report of the story's day: three tickets; Bo answered
// the email in 10 minutes and closed it after 71, Ali the text in 8; the chat
// waits for an answer.
func report(t *testing.T, h *host) {
	t.Helper()
	day := t0.Truncate(24 * time.Hour)
	const path = "/report?from=2026-11-16T00:00:00Z&to=2026-11-17T00:00:00Z&bucket=day"
	times := func(d inbox.Durations) inbox.Times { return inbox.Times{Calendar: d, Business: d} } // no office hours: all time is business time
	none := inbox.Times{}
	h.want(t, "GET", path, "dana/owner", "", http.StatusOK, inbox.Report{
		From: day, To: day.Add(24 * time.Hour), Bucket: inbox.BucketDay, Location: "UTC",
		Volume: []inbox.Volume{{Start: day, Total: inbox.Counts{Created: 3, Closed: 1}, Channels: map[channel.Kind]inbox.Counts{
			channel.WebChat: {Created: 1}, channel.Email: {Created: 1, Closed: 1}, channel.SMS: {Created: 1},
		}}},
		FirstResponse:   times(inbox.Durations{Count: 2, Open: 1, Mean: 9 * time.Minute, Median: 8 * time.Minute, P90: 10 * time.Minute}),
		FirstResolution: times(inbox.Durations{Count: 1, Open: 2, Mean: 71 * time.Minute, Median: 71 * time.Minute, P90: 71 * time.Minute}),
		LastResolution:  times(inbox.Durations{Count: 1, Open: 2, Mean: 71 * time.Minute, Median: 71 * time.Minute, P90: 71 * time.Minute}),
		Agents: []inbox.AgentStats{
			{Name: "Ali", FairShare: 1, Breakdown: inbox.Breakdown{Key: "ali", AutoAssigned: 1, ManualAssigned: 1, Replied: 1,
				FirstResponse: times(inbox.Durations{Count: 1, Open: 1, Mean: 8 * time.Minute, Median: 8 * time.Minute, P90: 8 * time.Minute}),
				Resolution:    times(inbox.Durations{Open: 2})}},
			{Name: "Bo", Breakdown: inbox.Breakdown{Key: "bo", ManualAssigned: 1, Replied: 1, Closed: 1,
				FirstResponse: times(inbox.Durations{Count: 1, Mean: 10 * time.Minute, Median: 10 * time.Minute, P90: 10 * time.Minute}),
				Resolution:    times(inbox.Durations{Count: 1, Mean: 71 * time.Minute, Median: 71 * time.Minute, P90: 71 * time.Minute})}},
			{Name: "Dana", Breakdown: inbox.Breakdown{Key: "dana", FirstResponse: none, Resolution: none}},
		},
		Tags:        []inbox.Breakdown{},
		Fairness:    1, // only Ali was eligible, and got her share
		Attribution: []inbox.Attributed{},
	})

	// The CSV: one figure a row. The same with Accept: text/csv.
	req, err := http.NewRequest("GET", h.base+path+"&format=csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Actor", "dana")
	req.Header.Set("X-Role", "owner")
	code, csv := h.do(t, req)
	if code != http.StatusOK {
		t.Fatalf("GET %s&format=csv: status %d; body %s", path, code, csv)
	}
	for _, row := range []string{
		"section,start,channel,key,metric,value\n",
		"volume,2026-11-16T00:00:00Z,all,,created,3\n",
		"volume,2026-11-16T00:00:00Z,email,,closed,1\n",
		"first_response,,,,calendar_median_seconds,480\n",
		"agent,,,bo,closed,1\n",
		"agent,,,bo,resolution_business_mean_seconds,4260\n",
	} {
		if !bytes.Contains(csv, []byte(row)) {
			t.Errorf("the CSV report lacks the row %q:\n%s", row, csv)
		}
	}
	req, err = http.NewRequest("GET", h.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Actor", "dana")
	req.Header.Set("X-Role", "owner")
	req.Header.Set("Accept", "text/csv")
	if code, accepted := h.do(t, req); code != http.StatusOK || !bytes.Equal(accepted, csv) {
		t.Errorf("GET %s with Accept: text/csv: status %d, body:\n%s\nwant the CSV of format=csv:\n%s", path, code, accepted, csv)
	}

	h.want(t, "GET", "/report?from=2026-11-17T00:00:00Z&to=2026-11-16T00:00:00Z", "dana/owner", "", http.StatusBadRequest,
		problem{Code: "invalid", Field: "To", Error: "inbox: invalid To: 2026-11-16 00:00:00 +0000 UTC is not after From 2026-11-17 00:00:00 +0000 UTC"})
	h.want(t, "GET", "/report?from=2026-11-16T00:00:00Z&to=2026-11-17T00:00:00Z&bucket=month", "dana/owner", "", http.StatusBadRequest,
		problem{Code: "bad_request", Field: "bucket", Error: "bad request: bucket: inbox: invalid bucket: unknown \"month\""})
	h.want(t, "GET", path+"&format=pdf", "dana/owner", "", http.StatusBadRequest,
		problem{Code: "bad_request", Field: "format", Error: `bad request: format: "pdf": want json or csv`})
	h.want(t, "GET", path, "nia/analyst", "", http.StatusForbidden,
		problem{Code: "forbidden", Error: `inbox: forbidden: "nia" (role "analyst") may not read reports`})
}

// host is the program under test, running in this process.
type host struct {
	base   string
	clock  *storetest.Clock
	logs   *logBuffer
	cancel context.CancelFunc
	done   chan error
}

// start runs the host with args on a loopback port, ticking every 10 ms on
// a clock at t0. It stops when the test ends, if the test did not stop it.
func start(t *testing.T, args ...string) *host {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &host{clock: storetest.NewClock(t0), logs: &logBuffer{}, cancel: cancel, done: make(chan error, 1)}
	addr := make(chan net.Addr, 1)
	go func() {
		args := append([]string{"-addr", "127.0.0.1:0", "-tick", "10ms", "-json-log"}, args...)
		h.done <- run(ctx, args, env{log: h.logs, clock: h.clock, listening: func(a net.Addr) { addr <- a }})
	}()
	select {
	case a := <-addr:
		h.base = "http://" + a.String()
	case err := <-h.done:
		cancel()
		t.Fatalf("the host did not start: %v\n%s", err, h.logs)
	}
	t.Cleanup(func() {
		if h.cancel != nil {
			h.stop(t)
		}
	})
	return h
}

// stop cancels the host's context and waits for a clean shutdown.
func (h *host) stop(t *testing.T) {
	t.Helper()
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("the host did not stop within 5 s")
	}
}

// at sets the host's clock.
func (h *host) at(now time.Time) {
	h.clock.Set(now)
}

// call makes a request as who ("id/role"; "" for none) with a JSON body,
// and returns the response's status and body.
func (h *host) call(t *testing.T, method, path, who, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if id, role, ok := strings.Cut(who, "/"); ok {
		req.Header.Set("X-Actor", id)
		req.Header.Set("X-Role", role)
	}
	return h.do(t, req)
}

func (h *host) do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// want makes a call and checks its status and its JSON body against want
// (nil: an empty body), both as JSON values. It returns the body as a map, for values the test
// cannot know (IDs).
func (h *host) want(t *testing.T, method, path, who, body string, code int, want any, opts ...cmp.Option) map[string]any {
	t.Helper()
	gotCode, got := h.call(t, method, path, who, body)
	return check(t, method+" "+path, gotCode, got, code, want, opts...)
}

// wantSMS posts a form to the SMS webhook and checks the answer as want does.
func (h *host) wantSMS(t *testing.T, form url.Values, code int, want any) {
	t.Helper()
	req, err := http.NewRequest("POST", h.base+"/webhooks/sms", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	gotCode, got := h.do(t, req)
	check(t, "POST /webhooks/sms "+form.Encode(), gotCode, got, code, want)
}

func check(t *testing.T, what string, gotCode int, body []byte, code int, want any, opts ...cmp.Option) map[string]any {
	t.Helper()
	if gotCode != code {
		t.Fatalf("%s: status %d, want %d; body: %s", what, gotCode, code, body)
	}
	if want == nil {
		if len(body) > 0 {
			t.Errorf("%s: body %s, want none", what, body)
		}
		return nil
	}
	// Compare JSON values: want as it encodes, got as it came.
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var wantV, gotV any
	if err := json.Unmarshal(wantJSON, &wantV); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &gotV); err != nil {
		t.Fatalf("%s: decoding %s: %v", what, body, err)
	}
	if diff := cmp.Diff(wantV, gotV, opts...); diff != "" {
		t.Errorf("%s: body (-want +got):\n%s", what, diff)
	}
	var m map[string]any
	_ = json.Unmarshal(body, &m) // not an object: nil
	return m
}

// ignore leaves out the JSON members named key, whose values the test
// cannot know.
func ignore(key string) cmp.Option {
	return cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == key })
}

// eventually waits up to 5 s for cond.
func (h *host) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s; logs:\n%s", what, h.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logLine is one JSON log line.
type logLine map[string]any

// logged reports whether a line of the host's log matches.
func (h *host) logged(match func(logLine) bool) bool {
	s := bufio.NewScanner(strings.NewReader(h.logs.String()))
	for s.Scan() {
		var l logLine
		if json.Unmarshal(s.Bytes(), &l) == nil && match(l) {
			return true
		}
	}
	return false
}

// logBuffer collects the host's logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
