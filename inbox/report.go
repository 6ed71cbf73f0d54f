package inbox

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// Bucket is the width of a report's time buckets, which are aligned on the
// inbox's wall clock: hours, days from midnight, weeks from Monday midnight.
// A day is 23 or 25 hours long on a DST day.
type Bucket uint8

// The bucket widths.
const (
	BucketHour Bucket = iota + 1
	BucketDay
	BucketWeek
)

var bucketNames = []string{BucketHour: "hour", BucketDay: "day", BucketWeek: "week"}

// String names the bucket width, as in its text form.
func (b Bucket) String() string { return enumString(bucketNames, uint8(b), "bucket") }

// MarshalText encodes the width by name.
func (b Bucket) MarshalText() ([]byte, error) { return enumMarshal(bucketNames, uint8(b), "bucket") }

// UnmarshalText decodes "hour", "day" or "week"; anything else is an error
// matching [ErrInvalid].
func (b *Bucket) UnmarshalText(t []byte) error {
	return enumUnmarshal(bucketNames, t, "bucket", (*uint8)(b))
}

// MaxBuckets is the most buckets a report may have: a year of hours.
const MaxBuckets = 366 * 24

// ReportQuery says what a report covers. Filters keep the tickets that match
// all of them, by what the tickets are when the report runs: their channel,
// their current tags and their current assignee.
type ReportQuery struct {
	From time.Time // inclusive; required
	To   time.Time // exclusive; required, after From
	// Bucket is the width of the volume buckets; zero means BucketDay.
	Bucket   Bucket
	Channels []channel.Kind // any of; empty means all
	Tags     []string       // all of; empty means any
	Agents   []string       // assigned to any of (member IDs); empty means anyone or no one
}

// Report is what a support lead reads: how much came in, how fast the team
// answered and resolved it, in calendar time and in business hours, per
// agent and per tag, and how fairly round robin shared the work. Its zero
// figures are real zeros; figures that cannot be known yet are counted as
// Open (see [Durations]).
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Bucket   Bucket    `json:"bucket"`
	Location string    `json:"location"` // the time zone of the buckets and of business hours
	// Volume has one entry per bucket from the one holding From to the one
	// holding the last instant before To, empty buckets included.
	Volume []Volume `json:"volume"`

	// The times of the tickets created in [From, To). FirstResponse runs
	// from creation to the first agent reply; FirstResolution to the first
	// close; LastResolution to the last close, for the tickets closed at To
	// (a ticket reopened and still open at To is Open there).
	FirstResponse   Times `json:"first_response"`
	FirstResolution Times `json:"first_resolution"`
	LastResolution  Times `json:"last_resolution"`

	// Agents has a row per member and per agent met in the range, ordered by
	// ID (only the filtered ones when the query names agents).
	Agents []AgentStats `json:"agents"`
	// Tags has a row per tag of the tickets in the report, ordered.
	Tags []Breakdown `json:"tags"`
	// Fairness is Jain's index over the agents' ratios of automatic
	// assignments received to their fair share ([AgentStats.FairShare]):
	// 1 when every agent got exactly their share, down to 1/n when one of n
	// agents got everything. 0 when nothing was assigned automatically.
	Fairness float64 `json:"fairness"`
	// Attribution counts the inbound SMS replies attributed to each campaign
	// and flow text, by origin then ID.
	Attribution []Attributed `json:"attribution"`
}

// Volume is what happened in one bucket.
type Volume struct {
	Start    time.Time               `json:"start"` // in the report's Location
	Total    Counts                  `json:"total"`
	Channels map[channel.Kind]Counts `json:"channels"` // every channel, zeros included
}

// Counts are the tickets created, reopened (closed → open) and closed.
type Counts struct {
	Created  int `json:"created"`
	Reopened int `json:"reopened"`
	Closed   int `json:"closed"`
}

// Times are one measure in calendar time and in business hours: the time
// the inbox was open by its office hours (all of it when the inbox has
// none).
type Times struct {
	Calendar Durations `json:"calendar"`
	Business Durations `json:"business"`
}

// Durations summarise the measured times, exactly: Median and P90 are the
// nearest-rank 50th and 90th percentiles (a measured value: the smallest with
// at least half, or 90%, of the values at or below it). Tickets still
// waiting at the end of the range are counted in Open, not as zero and not
// dropped. With Count 0 the other figures are 0.
type Durations struct {
	Count  int           `json:"count"`
	Open   int           `json:"open"`
	Mean   time.Duration `json:"mean"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
}

// Breakdown is the work on the tickets of one agent or one tag. Counts are
// of what happened in the range: assignments to the agent (or of tickets
// with the tag) by round robin and by hand, tickets replied to, closes. The
// times are over the tickets created in the range: an agent's first
// response times are those of the tickets they answered first; their
// resolution times (to the last close) those of the tickets assigned to
// them when closed (or closed by them, when unassigned); their Open counts
// the tickets assigned to them and still waiting at the end of the range.
type Breakdown struct {
	Key            string `json:"key"` // the agent's ID or the tag
	AutoAssigned   int    `json:"auto_assigned"`
	ManualAssigned int    `json:"manual_assigned"`
	Replied        int    `json:"replied"`
	Closed         int    `json:"closed"`
	FirstResponse  Times  `json:"first_response"`
	Resolution     Times  `json:"resolution"`
}

// AgentStats is one agent's row.
type AgentStats struct {
	Breakdown
	Name string `json:"name,omitempty"`
	// FairShare is how many automatic assignments the agent should have had:
	// each ticket round robin assigned counts 1/n for each of the n agents
	// eligible when it was assigned, eligible meaning online, in the agent's
	// own hours and in the inbox's. Capacity is not counted: an agent at
	// their cap shows as below their share. Compare with AutoAssigned.
	FairShare float64 `json:"fair_share"`
}

// Attributed counts the SMS replies attributed to one campaign or flow text.
type Attributed struct {
	Origin  channel.Origin `json:"origin"`
	ID      string         `json:"id"`
	Replies int            `json:"replies"`
}

// Report computes the report q asks for, on one consistent snapshot. A bad
// query is an error matching [ErrInvalid]. The cost is one pass over the
// events in [q.From, q.To) and the tickets they concern, plus the presence
// changes before q.From.
func (ib *Inbox) Report(ctx context.Context, a Actor, q ReportQuery) (Report, error) {
	if err := check(a, OpReport); err != nil {
		return Report{}, err
	}
	if err := q.validate(); err != nil {
		return Report{}, err
	}
	var r Report
	err := ib.store.View(ctx, ib.id, func(tx ReadTx) error {
		var err error
		r, err = report(tx, q)
		return err
	})
	return r, err
}

func (q *ReportQuery) validate() error {
	switch {
	case q.From.IsZero():
		return invalid("From", "not set")
	case q.To.IsZero():
		return invalid("To", "not set")
	case !q.To.After(q.From):
		return invalid("To", "%v is not after From %v", q.To, q.From)
	case q.Bucket == 0:
		q.Bucket = BucketDay
	case int(q.Bucket) >= len(bucketNames):
		return invalid("Bucket", "%d is not a bucket", q.Bucket)
	}
	for _, k := range q.Channels {
		if !k.Valid() {
			return invalid("Channels", "%v is not a channel", k)
		}
	}
	tags, err := NormalizeTags(q.Tags)
	if err != nil {
		return err
	}
	q.Tags = tags
	if slices.Contains(q.Agents, "") {
		return invalid("Agents", "an empty member ID")
	}
	return nil
}

// reported is what a report keeps of one ticket.
type reported struct {
	channel    channel.Kind
	keep       bool // the ticket passes the filters
	cohort     bool // created in the range
	tags       []string
	created    time.Time
	assignee   string // as the events of the range leave it (exact for the cohort)
	firstReply time.Time
	replier    string // of the first reply
	firstClose time.Time
	lastClose  time.Time
	closed     bool   // at the latest status change
	resolver   string // the assignee at the last close, or its closer
	auto       int
	manual     int
	closes     int
	repliers   []string // who replied in the range
}

// reportBuilder gathers a report in one pass over the events.
type reportBuilder struct {
	tx       ReadTx
	q        ReportQuery
	hours    *officehours.Schedule // nil: always open
	starts   []int64               // the buckets' starts, UnixNano
	r        Report
	tickets  map[int64]*reported
	agents   map[string]*agentRow
	members  map[string]Member
	auto     []assignedAt // automatic assignments, in Seq order
	presence []Event      // presence changes before and in the range, in Seq order
	attrib   map[Attributed]int
}

type assignedAt struct {
	at    time.Time
	agent string
}

// agentRow gathers one agent's figures.
type agentRow struct {
	AgentStats
	firstResponse, resolution samples
}

func report(tx ReadTx, q ReportQuery) (Report, error) {
	s, err := settings(tx)
	if err != nil {
		return Report{}, err
	}
	loc := time.UTC
	if s.OfficeHours != nil {
		loc = s.OfficeHours.Location()
	}
	b := &reportBuilder{
		tx: tx, q: q, hours: s.OfficeHours,
		r:       Report{From: q.From, To: q.To, Bucket: q.Bucket, Location: loc.String()},
		tickets: map[int64]*reported{}, agents: map[string]*agentRow{}, members: map[string]Member{},
		attrib: map[Attributed]int{},
	}
	if err := b.buckets(loc); err != nil {
		return Report{}, err
	}
	members, err := tx.Members()
	if err != nil {
		return Report{}, err
	}
	for _, m := range members {
		if HasAccess(m.Role) {
			b.members[m.ID] = m
			b.agent(m.ID)
		}
	}
	if err := b.cohort(); err != nil {
		return Report{}, err
	}
	err = tx.Events(EventFilter{To: q.From, Types: []EventType{PresenceChanged}}, func(e Event) error {
		b.presence = append(b.presence, e)
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	if err := tx.Events(EventFilter{From: q.From, To: q.To}, b.event); err != nil {
		return Report{}, err
	}
	return b.finish(), nil
}

// buckets lays out the volume buckets in loc.
func (b *reportBuilder) buckets(loc *time.Location) error {
	width := map[Bucket]time.Duration{BucketHour: time.Hour, BucketDay: 24 * time.Hour, BucketWeek: 7 * 24 * time.Hour}[b.q.Bucket]
	if b.q.To.Sub(b.q.From)/width > MaxBuckets {
		return invalid("To", "%v to %v is more than %d %ss", b.q.From, b.q.To, MaxBuckets, b.q.Bucket)
	}
	for t := bucketStart(b.q.From.In(loc), b.q.Bucket); t.Before(b.q.To); t = nextBucket(t, b.q.Bucket) {
		channels := make(map[channel.Kind]Counts, 3)
		for _, k := range []channel.Kind{channel.WebChat, channel.Email, channel.SMS} {
			channels[k] = Counts{}
		}
		b.r.Volume = append(b.r.Volume, Volume{Start: t, Channels: channels})
		b.starts = append(b.starts, t.UnixNano())
	}
	return nil
}

// bucketStart returns the start of the bucket holding t, on t's wall clock.
// An hour keeps t's offset, so the two 1 a.m. hours of a DST autumn night
// are two buckets.
func bucketStart(t time.Time, width Bucket) time.Time {
	y, m, d := t.Date()
	switch width {
	case BucketHour:
		return t.Add(-time.Duration(t.Minute())*time.Minute - time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
	case BucketWeek:
		d -= (int(t.Weekday()) + 6) % 7 // back to Monday
	}
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// nextBucket returns the start of the bucket after the one starting at t.
func nextBucket(t time.Time, width Bucket) time.Time {
	y, m, d := t.Date()
	switch width {
	case BucketHour:
		return bucketStart(t.Add(time.Hour), width)
	case BucketWeek:
		return time.Date(y, m, d+7, 0, 0, 0, 0, t.Location())
	}
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// volume returns the counts of channel k in the bucket holding t.
func (b *reportBuilder) volume(t time.Time, k channel.Kind, add func(*Counts)) {
	n := t.UnixNano()
	i := sort.Search(len(b.starts), func(i int) bool { return b.starts[i] > n }) - 1
	v := &b.r.Volume[i]
	c := v.Channels[k]
	add(&c)
	add(&v.Total)
	v.Channels[k] = c
}

// cohort loads the tickets created in the range, a page at a time.
func (b *reportBuilder) cohort() error {
	f := Filter{
		Statuses:    []status.Status{status.Open, status.Snoozed, status.Closed},
		CreatedFrom: b.q.From, CreatedTo: b.q.To, Order: OldestFirst, Limit: 1000,
	}
	for {
		page, err := b.tx.Tickets(f)
		if err != nil {
			return err
		}
		for i := range page {
			b.add(&page[i])
		}
		if len(page) < f.Limit {
			return nil
		}
		f.After = &Position{Number: page[len(page)-1].Number}
	}
}

// add starts the record of ticket t.
func (b *reportBuilder) add(t *Ticket) *reported {
	r := &reported{
		channel: t.Channel, tags: t.Tags, created: t.CreatedAt,
		cohort: !t.CreatedAt.Before(b.q.From) && t.CreatedAt.Before(b.q.To),
		keep: (len(b.q.Channels) == 0 || slices.Contains(b.q.Channels, t.Channel)) &&
			(len(b.q.Agents) == 0 || slices.Contains(b.q.Agents, t.Assignee)),
	}
	for _, tag := range b.q.Tags {
		if _, found := slices.BinarySearch(t.Tags, tag); !found {
			r.keep = false
		}
	}
	b.tickets[t.Number] = r
	return r
}

// ticket returns the record of ticket n, reading the ticket the first time.
func (b *reportBuilder) ticket(n int64) (*reported, error) {
	if r := b.tickets[n]; r != nil {
		return r, nil
	}
	t, err := b.tx.Ticket(n)
	if err != nil {
		return nil, err
	}
	return b.add(&t), nil
}

// agent returns the row of agent id.
func (b *reportBuilder) agent(id string) *agentRow {
	a := b.agents[id]
	if a == nil {
		a = &agentRow{AgentStats: AgentStats{Breakdown: Breakdown{Key: id}, Name: b.members[id].Name}}
		b.agents[id] = a
	}
	return a
}

// event takes one event of the range, in Seq order.
func (b *reportBuilder) event(e Event) error {
	if e.Type == PresenceChanged {
		b.presence = append(b.presence, e)
		return nil
	}
	if e.Ticket == 0 {
		return nil
	}
	t, err := b.ticket(e.Ticket)
	if err != nil || !t.keep {
		return err
	}
	switch e.Type {
	case TicketCreated:
		b.volume(e.At, t.channel, func(c *Counts) { c.Created++ })
	case StatusChanged:
		switch {
		case e.To == status.Closed:
			b.volume(e.At, t.channel, func(c *Counts) { c.Closed++ })
			t.closes++
			if e.Actor != "" {
				b.agent(e.Actor).Closed++
			}
			if t.firstClose.IsZero() {
				t.firstClose = e.At
			}
			t.lastClose, t.resolver = e.At, cmp.Or(t.assignee, e.Actor)
		case e.From == status.Closed:
			b.volume(e.At, t.channel, func(c *Counts) { c.Reopened++ })
		}
		t.closed = e.To == status.Closed
	case TicketAssigned:
		t.assignee = e.Assignee
		a := b.agent(e.Assignee)
		if e.Decision != nil {
			t.auto++
			a.AutoAssigned++
			b.auto = append(b.auto, assignedAt{e.At, e.Assignee})
		} else {
			t.manual++
			a.ManualAssigned++
		}
	case TicketUnassigned:
		t.assignee = ""
	case ReplySent:
		if e.Actor == "" || e.Message == nil || e.Message.Automatic {
			return nil
		}
		if t.firstReply.IsZero() {
			t.firstReply, t.replier = e.At, e.Actor
		}
		if !slices.Contains(t.repliers, e.Actor) {
			t.repliers = append(t.repliers, e.Actor)
			b.agent(e.Actor).Replied++
		}
	case MessageReceived:
		if e.Message != nil && e.Message.Attribution != nil {
			b.attrib[Attributed{Origin: e.Message.Attribution.Origin, ID: e.Message.Attribution.ID}]++
		}
	}
	return nil
}

// finish computes the figures from what the events left.
func (b *reportBuilder) finish() Report {
	var fr, firstRes, lastRes samples
	tags := map[string]*tagRow{}
	for _, t := range b.tickets {
		if !t.keep {
			continue
		}
		for _, tag := range t.tags {
			row := tags[tag]
			if row == nil {
				row = &tagRow{Breakdown: Breakdown{Key: tag}}
				tags[tag] = row
			}
			row.AutoAssigned += t.auto
			row.ManualAssigned += t.manual
			row.Closed += t.closes
			if len(t.repliers) > 0 {
				row.Replied++
			}
		}
		if !t.cohort {
			continue
		}
		b.measure(t, t.firstReply, t.replier, &fr, func(a *agentRow) *samples { return &a.firstResponse }, tags,
			func(r *tagRow) *samples { return &r.firstResponse })
		firstRes.add(b, t.created, t.firstClose)
		var closedAt time.Time
		if t.closed {
			closedAt = t.lastClose
		}
		b.measure(t, closedAt, t.resolver, &lastRes, func(a *agentRow) *samples { return &a.resolution }, tags,
			func(r *tagRow) *samples { return &r.resolution })
	}
	r := b.r
	r.FirstResponse, r.FirstResolution, r.LastResolution = fr.times(), firstRes.times(), lastRes.times()
	r.Fairness = b.fairness()
	for _, a := range b.agents {
		if len(b.q.Agents) > 0 && !slices.Contains(b.q.Agents, a.Key) {
			continue
		}
		a.FirstResponse, a.Resolution = a.firstResponse.times(), a.resolution.times()
		r.Agents = append(r.Agents, a.AgentStats)
	}
	slices.SortFunc(r.Agents, func(x, y AgentStats) int { return cmp.Compare(x.Key, y.Key) })
	for _, row := range tags {
		row.FirstResponse, row.Resolution = row.firstResponse.times(), row.resolution.times()
		r.Tags = append(r.Tags, row.Breakdown)
	}
	slices.SortFunc(r.Tags, func(x, y Breakdown) int { return cmp.Compare(x.Key, y.Key) })
	for a, n := range b.attrib {
		a.Replies = n
		r.Attribution = append(r.Attribution, a)
	}
	slices.SortFunc(r.Attribution, func(x, y Attributed) int {
		return cmp.Or(cmp.Compare(x.Origin, y.Origin), cmp.Compare(x.ID, y.ID))
	})
	return r
}

type tagRow struct {
	Breakdown
	firstResponse, resolution samples
}

// measure adds the time from t's creation to end (zero: still waiting) to
// all, to the samples of agent who (or, when waiting, of t's assignee) and
// to those of t's tags.
func (b *reportBuilder) measure(t *reported, end time.Time, who string, all *samples,
	ofAgent func(*agentRow) *samples, tags map[string]*tagRow, ofTag func(*tagRow) *samples) {
	all.add(b, t.created, end)
	if end.IsZero() {
		who = t.assignee
	}
	if who != "" {
		ofAgent(b.agent(who)).add(b, t.created, end)
	}
	for _, tag := range t.tags {
		ofTag(tags[tag]).add(b, t.created, end)
	}
}

// samples gathers the times of one measure.
type samples struct {
	calendar, business []time.Duration
	open               int
}

// add adds the time from start to end, or counts it open if end is zero.
func (s *samples) add(b *reportBuilder, start, end time.Time) {
	if end.IsZero() {
		s.open++
		return
	}
	s.calendar = append(s.calendar, end.Sub(start))
	business := s.calendar[len(s.calendar)-1]
	if b.hours != nil {
		business = b.hours.OpenBetween(start, end)
	}
	s.business = append(s.business, business)
}

func (s *samples) times() Times {
	return Times{Calendar: summarise(s.calendar, s.open), Business: summarise(s.business, s.open)}
}

// summarise returns the figures of ds (which it reorders).
func summarise(ds []time.Duration, open int) Durations {
	out := Durations{Count: len(ds), Open: open}
	if len(ds) == 0 {
		return out
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	out.Mean = sum / time.Duration(len(ds))
	out.Median = nth(ds, rank(len(ds), 50))
	out.P90 = nth(ds[rank(len(ds), 50):], rank(len(ds), 90)-rank(len(ds), 50))
	return out
}

// rank returns the index, in sorted order, of the nearest-rank p-th
// percentile of n values: ceil(p/100 × n) − 1.
func rank(n, p int) int { return (p*n+99)/100 - 1 }

// nth reorders ds so that ds[k] is the value a sort would put there, with no
// greater value before it and no smaller after, and returns it: Hoare's
// selection, expected O(len(ds)); it sorts when the partitions go badly.
func nth(ds []time.Duration, k int) time.Duration {
	lo, hi := 0, len(ds)-1
	for budget := 64; lo < hi; budget-- {
		if budget == 0 {
			slices.Sort(ds[lo : hi+1])
			break
		}
		pivot := median3(ds[lo], ds[lo+(hi-lo)/2], ds[hi])
		i, j := lo, hi
		for i <= j {
			for ds[i] < pivot {
				i++
			}
			for ds[j] > pivot {
				j--
			}
			if i <= j {
				ds[i], ds[j] = ds[j], ds[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return ds[k]
		}
	}
	return ds[k]
}

func median3(a, b, c time.Duration) time.Duration {
	return max(min(a, b), min(max(a, b), c))
}

// fairness sets each agent's fair share and returns Jain's index. It walks
// the presence changes and automatic assignments in time order, keeping the
// set of eligible agents; a running sum g grows by 1/n for each assignment
// among n eligible agents, so an agent's share is the growth of g while they
// were eligible. Agents with working hours leave and rejoin the set at the
// turns of their hours, taken from a heap as the walk passes them.
func (b *reportBuilder) fairness() float64 {
	if len(b.auto) == 0 {
		return 0
	}
	type item struct {
		at    time.Time
		agent string
		p     *assign.Presence // nil for an assignment
	}
	items := make([]item, 0, len(b.presence)+len(b.auto))
	for _, e := range b.presence {
		items = append(items, item{e.At, e.Assignee, e.Presence})
	}
	for _, a := range b.auto {
		items = append(items, item{a.at, a.agent, nil})
	}
	// Stable: at equal times, presence changes (a sign-in that brought
	// waiting tickets) come before assignments, as they happened.
	slices.SortStableFunc(items, func(x, y item) int { return x.at.Compare(y.at) })

	w := fairWalk{b: b, states: map[string]*fairState{}}
	for _, it := range items {
		w.turns(it.at)
		s := w.state(it.agent)
		if it.p != nil {
			s.online = *it.p == assign.Online
			w.set(it.agent, s, it.at)
			continue
		}
		if s.eligible {
			w.g += 1 / float64(w.n)
			continue
		}
		// Round robin chose someone the presence history does not show as
		// eligible: they were, at that moment.
		share := 1 / float64(w.n+1)
		w.g += share
		b.agent(it.agent).FairShare += share
	}
	for id, s := range w.states {
		if s.eligible {
			b.agent(id).FairShare += w.g - s.since
		}
	}
	var sum, squares float64
	m := 0
	for _, a := range b.agents {
		if a.FairShare > 0 && (len(b.q.Agents) == 0 || slices.Contains(b.q.Agents, a.Key)) {
			x := float64(a.AutoAssigned) / a.FairShare
			sum += x
			squares += x * x
			m++
		}
	}
	if m == 0 {
		return 0
	}
	return sum * sum / (float64(m) * squares)
}

// fairWalk is the state of the walk of [reportBuilder.fairness].
type fairWalk struct {
	b      *reportBuilder
	states map[string]*fairState
	heap   turnHeap
	g      float64 // the running sum
	n      int     // eligible agents
}

type fairState struct {
	online, eligible bool
	since            float64   // g when they last became eligible
	turn             time.Time // the next turn of their hours; zero: none
}

func (w *fairWalk) state(id string) *fairState {
	s := w.states[id]
	if s == nil {
		s = &fairState{}
		w.states[id] = s
	}
	return s
}

// set updates agent id's eligibility at time at, and their next turn.
func (w *fairWalk) set(id string, s *fairState, at time.Time) {
	inHours := true
	if hours := w.b.members[id].Hours; hours != nil {
		if inHours = hours.IsOpen(at); inHours {
			s.turn, _ = hours.NextClose(at)
		} else {
			s.turn, _ = hours.NextOpen(at)
		}
		if !s.turn.IsZero() {
			heap.Push(&w.heap, turn{s.turn, id})
		}
	}
	eligible := s.online && inHours
	switch {
	case eligible && !s.eligible:
		s.since = w.g
		w.n++
	case !eligible && s.eligible:
		w.b.agent(id).FairShare += w.g - s.since
		w.n--
	}
	s.eligible = eligible
}

// turns applies the turns of working hours up to at.
func (w *fairWalk) turns(at time.Time) {
	for len(w.heap) > 0 && !w.heap[0].at.After(at) {
		t := heap.Pop(&w.heap).(turn)
		if s := w.states[t.agent]; s.turn.Equal(t.at) { // else a later set replaced it
			w.set(t.agent, s, t.at)
		}
	}
}

// turn is when an agent's working hours open or close.
type turn struct {
	at    time.Time
	agent string
}

// turnHeap is a min-heap of turns by time (container/heap).
type turnHeap []turn

func (h turnHeap) Len() int           { return len(h) }
func (h turnHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h turnHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *turnHeap) Push(x any)        { *h = append(*h, x.(turn)) }
func (h *turnHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// WriteCSV writes the report as one tidy table, a figure per row, for
// spreadsheets and pivot tables: section (volume, first_response,
// first_resolution, last_resolution, agent, tag, fairness, attribution),
// start (a volume bucket's start, RFC 3339 in the report's Location), channel
// (of a volume row, or "all"), key (the agent, tag or campaign/flow text),
// metric and value. Durations are in seconds.
func (r Report) WriteCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	row := func(section, start, channel, key, metric, value string) {
		_ = c.Write([]string{section, start, channel, key, metric, value}) // the error sticks: c.Error
	}
	row("section", "start", "channel", "key", "metric", "value")
	for _, v := range r.Volume {
		start := v.Start.Format(time.RFC3339)
		counts := func(channel string, c Counts) {
			row("volume", start, channel, "", "created", strconv.Itoa(c.Created))
			row("volume", start, channel, "", "reopened", strconv.Itoa(c.Reopened))
			row("volume", start, channel, "", "closed", strconv.Itoa(c.Closed))
		}
		counts("all", v.Total)
		for _, k := range []channel.Kind{channel.WebChat, channel.Email, channel.SMS} {
			counts(k.String(), v.Channels[k])
		}
	}
	times := func(section, key, prefix string, t Times) {
		for _, d := range []struct {
			name string
			d    Durations
		}{{"calendar", t.Calendar}, {"business", t.Business}} {
			p := prefix + d.name + "_"
			row(section, "", "", key, p+"count", strconv.Itoa(d.d.Count))
			row(section, "", "", key, p+"open", strconv.Itoa(d.d.Open))
			for _, f := range []struct {
				name string
				v    time.Duration
			}{{"mean", d.d.Mean}, {"median", d.d.Median}, {"p90", d.d.P90}} {
				row(section, "", "", key, p+f.name+"_seconds", strconv.FormatFloat(f.v.Seconds(), 'f', -1, 64))
			}
		}
	}
	times("first_response", "", "", r.FirstResponse)
	times("first_resolution", "", "", r.FirstResolution)
	times("last_resolution", "", "", r.LastResolution)
	breakdown := func(section string, b Breakdown) {
		for _, f := range []struct {
			name string
			n    int
		}{{"auto_assigned", b.AutoAssigned}, {"manual_assigned", b.ManualAssigned}, {"replied", b.Replied}, {"closed", b.Closed}} {
			row(section, "", "", b.Key, f.name, strconv.Itoa(f.n))
		}
		times(section, b.Key, "first_response_", b.FirstResponse)
		times(section, b.Key, "resolution_", b.Resolution)
	}
	for _, a := range r.Agents {
		breakdown("agent", a.Breakdown)
		row("agent", "", "", a.Key, "fair_share", strconv.FormatFloat(a.FairShare, 'f', -1, 64))
	}
	for _, t := range r.Tags {
		breakdown("tag", t)
	}
	row("fairness", "", "", "", "jain_index", strconv.FormatFloat(r.Fairness, 'f', -1, 64))
	for _, a := range r.Attribution {
		row("attribution", "", "", a.Origin.String()+":"+a.ID, "replies", strconv.Itoa(a.Replies))
	}
	c.Flush()
	return c.Error()
}
