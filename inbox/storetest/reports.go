package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
)

var reportTests = []behaviour{
	{"Report/Story", testReportStory},
	{"Report/Random", testReportRandom},
}

// Clock is a clock that a test sets by hand, for [inbox.WithClock]; it is
// safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newYork is where the report tests' inbox works.
var newYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// weekdays returns office hours in loc from open to close o'clock, Monday
// to Friday.
func weekdays(t fataler, loc *time.Location, open, close int) *officehours.Schedule {
	t.Helper()
	var w officehours.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = []officehours.Span{{Start: officehours.At(open, 0), End: officehours.At(close, 0)}}
	}
	s, err := officehours.New(loc, w)
	ok(t, err)
	return s
}

// ny returns a wall time in New York from 30 October to 3 November 2026. On 1 November the clocks go back at 2 a.m.: hour 1 happens
// twice, and est picks the second.
func ny(day, hour, minute int, est ...bool) time.Time {
	month := time.November
	if day >= 30 {
		month = time.October
	}
	t := time.Date(2026, month, day, hour, minute, 0, 0, newYork)
	if len(est) > 0 && est[0] {
		t = t.Add(time.Hour)
	}
	return t
}

// story is an inbox that the report tests drive through a clock.
type story struct {
	t     *testing.T
	ctx   context.Context
	clock *Clock
	ib    *inbox.Inbox
	owner inbox.Actor
}

func (s *story) at(t time.Time) *story {
	s.clock.Set(t)
	return s
}

func (s *story) receive(in channel.Inbound) int64 {
	s.t.Helper()
	r, err := s.ib.Receive(s.ctx, in)
	ok(s.t, err)
	return r.Ticket
}

// testReportStory runs three days of an inbox across the autumn DST change
// and checks every figure of its report, worked out by hand.
func testReportStory(t *testing.T, st inbox.Store) {
	c := NewClock(ny(30, 12, 0))
	ib, err := inbox.New(st, acme, inbox.WithClock(c))
	ok(t, err)
	s := &story{t: t, ctx: context.Background(), clock: c, ib: ib, owner: inbox.Actor{ID: "dana", Role: inbox.Owner}}
	ali, bo := inbox.Actor{ID: "ali", Role: inbox.Support}, inbox.Actor{ID: "bo", Role: inbox.Support}
	for _, m := range []inbox.Member{{ID: "dana", Name: "Dana", Role: inbox.Owner}, {ID: "ali", Name: "Ali", Role: inbox.Support},
		{ID: "bo", Name: "Bo", Role: inbox.Support}} {
		ok(t, ib.PutMember(s.ctx, m))
	}
	_, err = ib.UpdateSettings(s.ctx, s.owner, inbox.SettingsPatch{RoundRobin: ptr(true), OfficeHours: weekdays(t, newYork, 9, 17)})
	ok(t, err)
	ok(t, ib.SetPresence(s.ctx, ali, "ali", assign.Online)) // Friday, before the range

	// Saturday: a web chat, assigned by hand, answered out of hours.
	chat := s.at(ny(31, 10, 0)).receive(channel.Inbound{Kind: channel.WebChat, Body: "hi",
		WebChat: channel.WebChatFields{Conversation: "c1", Visitor: "v1", MessageID: "w1"}})
	ok(t, s.at(ny(31, 10, 5)).ib.Assign(s.ctx, s.owner, "ali", chat))
	_, err = s.at(ny(31, 10, 20)).ib.Reply(s.ctx, ali, chat, "hello", channel.Consent{})
	ok(t, err)
	// Sunday, in the first 1 a.m.: an SMS nobody answers, closed Monday and
	// reopened by the customer.
	text := s.at(ny(1, 1, 30)).receive(channel.Inbound{Kind: channel.SMS, Body: "where is my order",
		SMS: channel.SMSFields{From: "+15550001111", To: "+15559990000", MessageID: "s1"}})
	// Monday: round robin at work.
	ok(t, s.at(ny(2, 8, 0)).ib.RecordSent(s.ctx, "sms:+15550002222", channel.Sent{ID: "C1", Origin: channel.Campaign, At: ny(2, 8, 0)}))
	first := s.at(ny(2, 9, 0)).receive(channel.Inbound{Kind: channel.Email, Body: "invoice?",
		Email: channel.EmailFields{From: "a@example.com", MessageID: "e1@example.com", Subject: "Invoice"}})
	ok(t, s.at(ny(2, 9, 10)).ib.SetPresence(s.ctx, bo, "bo", assign.Online))
	second := s.at(ny(2, 9, 15)).receive(channel.Inbound{Kind: channel.Email, Body: "refund",
		Email: channel.EmailFields{From: "b@example.com", MessageID: "e2@example.com", Subject: "Refund"}})
	third := s.at(ny(2, 9, 20)).receive(channel.Inbound{Kind: channel.SMS, Body: "yes please",
		SMS: channel.SMSFields{From: "+15550002222", To: "+15559990000", MessageID: "s2"}})
	ok(t, s.at(ny(2, 9, 30)).ib.Close(s.ctx, s.owner, chat))
	_, err = s.at(ny(2, 9, 45)).ib.Reply(s.ctx, bo, second, "on it", channel.Consent{})
	ok(t, err)
	_, err = s.at(ny(2, 10, 0)).ib.Reply(s.ctx, ali, first, "attached", channel.Consent{})
	ok(t, err)
	ok(t, s.ib.Close(s.ctx, s.owner, text))
	ok(t, s.at(ny(2, 10, 30)).ib.AddTags(s.ctx, ali, first, "Billing"))
	ok(t, s.ib.AddTags(s.ctx, bo, second, "billing", "VIP"))
	fourth := s.at(ny(2, 11, 0)).receive(channel.Inbound{Kind: channel.WebChat, Body: "hello?",
		WebChat: channel.WebChatFields{Conversation: "c2", Visitor: "v2", MessageID: "w2"}})
	s.at(ny(2, 11, 0)).receive(channel.Inbound{Kind: channel.SMS, Body: "still waiting",
		SMS: channel.SMSFields{From: "+15550001111", To: "+15559990000", MessageID: "s3"}})
	ok(t, s.at(ny(2, 12, 0)).ib.SignOut(s.ctx, "bo"))
	ok(t, s.at(ny(2, 16, 30)).ib.Close(s.ctx, ali, first))
	late := s.at(ny(2, 17, 30)).receive(channel.Inbound{Kind: channel.WebChat, Body: "anyone?",
		WebChat: channel.WebChatFields{Conversation: "c3", Visitor: "v3", MessageID: "w3"}})
	s.at(ny(3, 9, 0)).receive(channel.Inbound{Kind: channel.WebChat, Body: "after the range",
		WebChat: channel.WebChatFields{Conversation: "c4", Visitor: "v4", MessageID: "w4"}})
	_ = []int64{third, fourth, late} // 5, 6 and 7; 8 comes after the range

	got, err := ib.Report(s.ctx, s.owner, inbox.ReportQuery{From: ny(31, 0, 0), To: ny(3, 0, 0)})
	ok(t, err)
	h, m := time.Hour, time.Minute
	none := inbox.Durations{}
	volume := func(start time.Time, chat, mail, sms inbox.Counts) inbox.Volume {
		total := inbox.Counts{Created: chat.Created + mail.Created + sms.Created,
			Reopened: chat.Reopened + mail.Reopened + sms.Reopened, Closed: chat.Closed + mail.Closed + sms.Closed}
		return inbox.Volume{Start: start, Total: total,
			Channels: map[channel.Kind]inbox.Counts{channel.WebChat: chat, channel.Email: mail, channel.SMS: sms}}
	}
	want := inbox.Report{
		From: ny(31, 0, 0), To: ny(3, 0, 0), Bucket: inbox.BucketDay, Location: "America/New_York",
		Volume: []inbox.Volume{
			volume(ny(31, 0, 0), inbox.Counts{Created: 1}, inbox.Counts{}, inbox.Counts{}),
			volume(ny(1, 0, 0), inbox.Counts{}, inbox.Counts{}, inbox.Counts{Created: 1}), // 25 hours long
			volume(ny(2, 0, 0), inbox.Counts{Created: 2, Closed: 1}, inbox.Counts{Created: 2, Closed: 1},
				inbox.Counts{Created: 1, Reopened: 1, Closed: 1}),
		},
		// Replies after 20 min (Saturday: no business time), 30 min and 1 h;
		// four tickets wait.
		FirstResponse: times(durations(3, 4, 36*m+40*time.Second, 30*m, h), durations(3, 4, 30*m, 30*m, h)),
		// Closes after 48 h 30 (the chat: 30 min on Monday morning), 33 h 30
		// (the SMS: 1 h on Monday) and 7 h 30.
		FirstResolution: times(durations(3, 4, 29*h+50*m, 33*h+30*m, 48*h+30*m), durations(3, 4, 3*h, h, 7*h+30*m)),
		// The SMS reopened: still open at the end.
		LastResolution: times(durations(2, 5, 28*h, 7*h+30*m, 48*h+30*m), durations(2, 5, 4*h, 30*m, 7*h+30*m)),
		Agents: []inbox.AgentStats{
			{Name: "Ali", FairShare: 2.5, Breakdown: inbox.Breakdown{Key: "ali", AutoAssigned: 2, ManualAssigned: 1, Replied: 2, Closed: 1,
				FirstResponse: times(durations(2, 1, 40*m, 20*m, h), durations(2, 1, 30*m, 0, h)),
				Resolution:    times(durations(2, 1, 28*h, 7*h+30*m, 48*h+30*m), durations(2, 1, 4*h, 30*m, 7*h+30*m))}},
			{Name: "Bo", FairShare: 1.5, Breakdown: inbox.Breakdown{Key: "bo", AutoAssigned: 2, Replied: 1,
				FirstResponse: times(durations(1, 1, 30*m, 30*m, 30*m), durations(1, 1, 30*m, 30*m, 30*m)),
				Resolution:    times(durations(0, 2, 0, 0, 0), durations(0, 2, 0, 0, 0))}},
			{Name: "Dana", Breakdown: inbox.Breakdown{Key: "dana", Closed: 2, FirstResponse: times(none, none), Resolution: times(none, none)}},
		},
		Tags: []inbox.Breakdown{
			{Key: "billing", AutoAssigned: 2, Replied: 2, Closed: 1,
				FirstResponse: times(durations(2, 0, 45*m, 30*m, h), durations(2, 0, 45*m, 30*m, h)),
				Resolution:    times(durations(1, 1, 7*h+30*m, 7*h+30*m, 7*h+30*m), durations(1, 1, 7*h+30*m, 7*h+30*m, 7*h+30*m))},
			{Key: "vip", AutoAssigned: 1, Replied: 1,
				FirstResponse: times(durations(1, 0, 30*m, 30*m, 30*m), durations(1, 0, 30*m, 30*m, 30*m)),
				Resolution:    times(durations(0, 1, 0, 0, 0), durations(0, 1, 0, 0, 0))},
		},
		// Ali got 2 of a fair 2.5 (alone at 9:00, then half of three), Bo 2
		// of 1.5: Jain's index (4/5 + 4/3)² / 2((4/5)² + (4/3)²) = 16/17.
		Fairness:    16.0 / 17,
		Attribution: []inbox.Attributed{{Origin: channel.Campaign, ID: "C1", Replies: 1}},
	}
	diff(t, "Report", want, got)
}

func durations(count, open int, mean, median, p90 time.Duration) inbox.Durations {
	return inbox.Durations{Count: count, Open: open, Mean: mean, Median: median, P90: p90}
}

func times(calendar, business inbox.Durations) inbox.Times {
	return inbox.Times{Calendar: calendar, Business: business}
}
