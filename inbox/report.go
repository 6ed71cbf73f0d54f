package inbox

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/csv"
	"io"
	"math"
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
	Bucket Bucket
	// Location is the time zone of the buckets; nil means the zone of the
	// inbox's office hours, or UTC when it has none. Business hours are
	// always the office hours'.
	Location *time.Location
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
	Location string    `json:"location"` // the time zone of the buckets
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
	// Tags has a row per tag of the tickets the range concerns (created in
	// it, or with a message, a reply, an assignment or a status change in
	// it), ordered.
	Tags []Breakdown `json:"tags"`
	// Fairness is Jain's index over the agents' ratios of automatic
	// assignments received to their fair share ([AgentStats.FairShare]):
	// 1 when every agent got exactly their share, down to 1/n when one of n
	// agents got everything. 0 when nothing was assigned automatically to
	// the agents reported.
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
// dropped. With Count 0 the other figures are 0. In JSON the durations are
// nanoseconds, as time.Duration encodes.
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
	var r Report
	err := ib.view(ctx, a, OpReport, func(tx ReadTx) error {
		if err := q.validate(); err != nil {
			return err
		}
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

// never marks a time a ticket has not reached (a reported's times are Unix
// nanoseconds).
const never = math.MinInt64

// reported is what a report keeps of one ticket, small, as a report may
// keep millions: times in Unix nanoseconds (never: not yet), agents as
// indexes of reportBuilder.rows (-1: nobody).
type reported struct {
	number                      int64
	created                     int64
	firstReply                  int64
	firstClose, lastClose       int64
	tags                        []string
	repliers                    []int32 // who else replied in the range
	assignee, replier, resolver int32   // as the range's events leave it (exact for the cohort); of the first reply; at the last close
	auto, manual, closes        int32
	channel                     channel.Kind
	keep, cohort, closed        bool // passes the filters; created in the range; closed at the latest status change
}

// reportBuilder gathers a report in one pass over the events.
type reportBuilder struct {
	tx     ReadTx
	q      ReportQuery
	hours  *officehours.Schedule // nil: always open
	starts []int64               // the buckets' starts, Unix nanoseconds
	counts [][1 + 3]Counts       // per bucket, per channel.Kind
	r      Report

	tickets []reported
	lo      int64            // the number that dense[0] stands for
	dense   []int32          // 1 + the index in tickets of number lo+i; 0: none
	others  map[int64]int32  // the index in tickets of the numbers outside dense
	rows    []*agentRow      // every agent met, members first
	byID    map[string]int32 // index of rows
	members map[string]Member

	pending  []fact       // of tickets not read yet, in Seq order
	auto     []assignedAt // automatic assignments, in Seq order but for the pending ones
	presence []presenceAt // presence changes before and in the range, in Seq order
	attrib   map[Attributed]int
}

type assignedAt struct {
	at    time.Time
	seq   int64
	agent int32
}

type presenceAt struct {
	at     time.Time
	seq    int64
	agent  int32
	online bool
}

// agentRow gathers one agent's figures.
type agentRow struct {
	AgentStats
	hours                     *officehours.Schedule // their own working hours, if a member has any
	firstResponse, resolution samples
}

// reportTypes are the events a report reads in its range: the tickets it
// counts come from the ticket lists, not from TicketCreated.
var reportTypes = []EventType{StatusChanged, TicketAssigned, TicketUnassigned, ReplySent, MessageReceived, PresenceChanged}

func report(tx ReadTx, q ReportQuery) (Report, error) {
	s, err := settings(tx)
	if err != nil {
		return Report{}, err
	}
	loc := q.Location
	switch {
	case loc != nil:
	case s.OfficeHours != nil:
		loc = s.OfficeHours.Location()
	default:
		loc = time.UTC
	}
	b := &reportBuilder{
		tx: tx, q: q, hours: s.OfficeHours,
		r:      Report{From: q.From, To: q.To, Bucket: q.Bucket, Location: loc.String()},
		others: map[int64]int32{}, byID: map[string]int32{}, members: map[string]Member{}, attrib: map[Attributed]int{},
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
	if err := tx.Events(EventFilter{To: q.From, Types: []EventType{PresenceChanged}}, b.event); err != nil {
		return Report{}, err
	}
	if err := tx.Events(EventFilter{From: q.From, To: q.To, Types: reportTypes}, b.event); err != nil {
		return Report{}, err
	}
	if err := b.older(); err != nil {
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
		b.r.Volume = append(b.r.Volume, Volume{Start: t})
		b.starts = append(b.starts, t.UnixNano())
	}
	b.counts = make([][4]Counts, len(b.starts))
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

// count returns the counts of channel k in the bucket holding at.
func (b *reportBuilder) count(at int64, k channel.Kind) *Counts {
	i := sort.Search(len(b.starts), func(i int) bool { return b.starts[i] > at }) - 1
	return &b.counts[i][k]
}

// cohort loads the tickets created in the range, a page at a time, one
// status after another.
func (b *reportBuilder) cohort() error {
	statuses := []status.Status{status.Open, status.Snoozed, status.Closed}
	n, err := b.tx.Count(Filter{Statuses: statuses, CreatedFrom: b.q.From, CreatedTo: b.q.To})
	if err != nil {
		return err
	}
	b.tickets = make([]reported, 0, n+n/8+16) // and room for older tickets the range concerns
	b.auto = make([]assignedAt, 0, n)         // most new tickets, with round robin on
	for _, st := range statuses {
		f := Filter{Statuses: []status.Status{st}, CreatedFrom: b.q.From, CreatedTo: b.q.To, Order: OldestFirst, Limit: 1000}
		for {
			page, err := b.tx.Tickets(f)
			if err != nil {
				return err
			}
			for i := range page {
				b.add(&page[i], true)
			}
			if len(page) < f.Limit {
				break
			}
			f.After = &Position{Number: page[len(page)-1].Number}
		}
	}
	if len(b.tickets) == 0 {
		return nil
	}
	lo, hi := b.tickets[0].number, b.tickets[0].number
	for i := range b.tickets {
		lo, hi = min(lo, b.tickets[i].number), max(hi, b.tickets[i].number)
	}
	if hi-lo >= 4*int64(len(b.tickets))+1024 { // too sparse: the map holds them
		for i := range b.tickets {
			b.others[b.tickets[i].number] = int32(i)
		}
		return nil
	}
	b.lo, b.dense = lo, make([]int32, hi-lo+1)
	for i := range b.tickets {
		b.dense[b.tickets[i].number-lo] = int32(i) + 1
	}
	return nil
}

// add starts the record of ticket t, indexing it unless it is of the cohort
// (which cohort indexes at once).
func (b *reportBuilder) add(t *Ticket, cohort bool) int32 {
	r := reported{
		number: t.Number, channel: t.Channel, tags: t.Tags, created: t.CreatedAt.UnixNano(),
		firstReply: never, firstClose: never, lastClose: never, assignee: -1, replier: -1, resolver: -1,
		cohort: !t.CreatedAt.Before(b.q.From) && t.CreatedAt.Before(b.q.To),
		keep: (len(b.q.Channels) == 0 || slices.Contains(b.q.Channels, t.Channel)) &&
			(len(b.q.Agents) == 0 || slices.Contains(b.q.Agents, t.Assignee)),
	}
	for _, tag := range b.q.Tags {
		if _, found := slices.BinarySearch(t.Tags, tag); !found {
			r.keep = false
		}
	}
	i := int32(len(b.tickets))
	b.tickets = append(b.tickets, r)
	if !cohort {
		b.others[t.Number] = i
	}
	return i
}

// ticket returns the record of ticket n, or nil if it has none yet.
func (b *reportBuilder) ticket(n int64) *reported {
	if k := n - b.lo; k >= 0 && k < int64(len(b.dense)) && b.dense[k] != 0 {
		return &b.tickets[b.dense[k]-1]
	}
	if i, ok := b.others[n]; ok {
		return &b.tickets[i]
	}
	return nil
}

// agent returns the index of agent id's row.
func (b *reportBuilder) agent(id string) int32 {
	if i, ok := b.byID[id]; ok {
		return i
	}
	m := b.members[id]
	i := int32(len(b.rows))
	b.rows = append(b.rows, &agentRow{AgentStats: AgentStats{Breakdown: Breakdown{Key: id}, Name: m.Name}, hours: m.Hours})
	b.byID[id] = i
	return i
}

// fact is what a report takes from an event, holding nothing of the memory
// that ReadTx.Events may reuse.
type fact struct {
	typ             EventType
	at              time.Time
	seq, ticket     int64
	actor, assignee string
	from, to        status.Status
	auto            bool        // an assignment by round robin
	reply           bool        // an agent's reply (not an automatic one)
	online          bool        // of a presence change
	attributed      *Attributed // an SMS attributed to a text
}

// event takes one event, in Seq order: the presence changes before the
// range, then the events of the range. The facts of tickets created before
// the range wait in pending: Events forbids reading the ticket meanwhile.
func (b *reportBuilder) event(e Event) error {
	f := fact{typ: e.Type, at: e.At, seq: e.Seq, ticket: e.Ticket, actor: e.Actor, assignee: e.Assignee,
		from: e.From, to: e.To, auto: e.Decision != nil}
	switch e.Type {
	case PresenceChanged:
		f.online = *e.Presence == assign.Online
	case ReplySent:
		f.reply = e.Actor != "" && e.Message != nil && !e.Message.Automatic
	case MessageReceived:
		if e.Message != nil && e.Message.Attribution != nil {
			f.attributed = &Attributed{Origin: e.Message.Attribution.Origin, ID: e.Message.Attribution.ID}
		}
	}
	var t *reported
	if f.ticket != 0 && f.typ != PresenceChanged {
		if t = b.ticket(f.ticket); t == nil {
			b.pending = append(b.pending, f)
			return nil
		}
	}
	b.apply(f, t)
	return nil
}

// older reads the tickets of the pending facts and applies them.
func (b *reportBuilder) older() error {
	for _, f := range b.pending {
		t := b.ticket(f.ticket)
		if t == nil {
			tk, err := b.tx.Ticket(f.ticket)
			if err != nil {
				return err
			}
			t = &b.tickets[b.add(&tk, false)]
		}
		b.apply(f, t)
	}
	return nil
}

// apply takes fact f of ticket t (nil for a presence change).
func (b *reportBuilder) apply(f fact, t *reported) {
	if f.typ == PresenceChanged {
		b.presence = append(b.presence, presenceAt{f.at, f.seq, b.agent(f.assignee), f.online})
		return
	}
	if t == nil || !t.keep {
		return
	}
	at := f.at.UnixNano()
	switch f.typ {
	case StatusChanged:
		switch {
		case f.to == status.Closed:
			b.count(at, t.channel).Closed++
			t.closes++
			if f.actor != "" {
				b.rows[b.agent(f.actor)].Closed++
			}
			if t.firstClose == never {
				t.firstClose = at
			}
			t.lastClose, t.resolver = at, t.assignee
			if t.resolver < 0 && f.actor != "" {
				t.resolver = b.agent(f.actor)
			}
		case f.from == status.Closed:
			b.count(at, t.channel).Reopened++
		}
		t.closed = f.to == status.Closed
	case TicketAssigned:
		a := b.agent(f.assignee)
		t.assignee = a
		if f.auto {
			t.auto++
			b.rows[a].AutoAssigned++
			b.auto = append(b.auto, assignedAt{f.at, f.seq, a})
		} else {
			t.manual++
			b.rows[a].ManualAssigned++
		}
	case TicketUnassigned:
		t.assignee = -1
	case ReplySent:
		if !f.reply {
			return
		}
		a := b.agent(f.actor)
		switch {
		case t.firstReply == never:
			t.firstReply, t.replier = at, a
		case a == t.replier || slices.Contains(t.repliers, a):
			return
		default:
			t.repliers = append(t.repliers, a)
		}
		b.rows[a].Replied++
	case MessageReceived:
		if f.attributed != nil {
			b.attrib[*f.attributed]++
		}
	}
}

// finish computes the figures from what the events left.
func (b *reportBuilder) finish() Report {
	var fr, firstRes, lastRes samples
	for _, s := range []*samples{&fr, &firstRes, &lastRes} {
		s.calendar, s.business = make([]time.Duration, 0, len(b.tickets)), make([]time.Duration, 0, len(b.tickets))
	}
	tags := map[string]*tagRow{}
	for i := range b.tickets {
		t := &b.tickets[i]
		if !t.keep {
			continue
		}
		var rows []*tagRow
		for _, tag := range t.tags {
			row := tags[tag]
			if row == nil {
				row = &tagRow{Breakdown: Breakdown{Key: tag}}
				tags[tag] = row
			}
			row.AutoAssigned += int(t.auto)
			row.ManualAssigned += int(t.manual)
			row.Closed += int(t.closes)
			if t.firstReply != never {
				row.Replied++
			}
			rows = append(rows, row)
		}
		if !t.cohort {
			continue
		}
		b.count(t.created, t.channel).Created++
		start := time.Unix(0, t.created)
		lastClose := int64(never)
		if t.closed {
			lastClose = t.lastClose
		}
		firstRes.put(measure(b.hours, start, t.firstClose))
		for _, m := range [...]struct {
			end  int64
			who  int32
			all  *samples
			mine func(*agentRow) *samples
			tags func(*tagRow) *samples
		}{
			{t.firstReply, t.replier, &fr, func(a *agentRow) *samples { return &a.firstResponse }, func(r *tagRow) *samples { return &r.firstResponse }},
			{lastClose, t.resolver, &lastRes, func(a *agentRow) *samples { return &a.resolution }, func(r *tagRow) *samples { return &r.resolution }},
		} {
			// The time goes to the agent who replied (or resolved); a
			// ticket still waiting counts against its assignee.
			who := m.who
			if m.end == never {
				who = t.assignee
			}
			d := measure(b.hours, start, m.end)
			m.all.put(d)
			if who >= 0 {
				m.mine(b.rows[who]).put(d)
			}
			for _, row := range rows {
				m.tags(row).put(d)
			}
		}
	}
	r := b.r
	for i := range r.Volume {
		v := &r.Volume[i]
		v.Channels = make(map[channel.Kind]Counts, 3)
		for _, k := range []channel.Kind{channel.WebChat, channel.Email, channel.SMS} {
			c := b.counts[i][k]
			v.Channels[k] = c
			v.Total.Created, v.Total.Reopened, v.Total.Closed = v.Total.Created+c.Created, v.Total.Reopened+c.Reopened, v.Total.Closed+c.Closed
		}
	}
	r.FirstResponse, r.FirstResolution, r.LastResolution = fr.times(), firstRes.times(), lastRes.times()
	r.Agents, r.Tags, r.Attribution = []AgentStats{}, []Breakdown{}, []Attributed{} // [] in JSON, not null
	r.Fairness = b.fairness()
	for _, a := range b.rows {
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

// samples gathers the times of one measure.
type samples struct {
	calendar, business []time.Duration
	open               int
}

// measured is one ticket's time to something, or that it still waits.
type measured struct {
	calendar, business time.Duration
	waiting            bool
}

// measure returns the time from start to end (never: waiting) in calendar
// time and in the open hours of hours (all of it when nil).
func measure(hours *officehours.Schedule, start time.Time, end int64) measured {
	if end == never {
		return measured{waiting: true}
	}
	m := measured{calendar: time.Duration(end - start.UnixNano())}
	m.business = m.calendar
	if hours != nil {
		m.business = hours.OpenBetween(start, time.Unix(0, end))
	}
	return m
}

// put adds m.
func (s *samples) put(m measured) {
	if m.waiting {
		s.open++
		return
	}
	s.calendar = append(s.calendar, m.calendar)
	s.business = append(s.business, m.business)
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
	// Both lists are in Seq order, which is time order unless clocks
	// disagree; the walk merges them in time order, and at equal times as
	// they happened (a sign-in that assigned waiting tickets comes first).
	byTime := func(x, y presenceAt) int { return happened(x.at, x.seq, y.at, y.seq) }
	if !slices.IsSortedFunc(b.presence, byTime) {
		slices.SortFunc(b.presence, byTime)
	}
	byTimeAuto := func(x, y assignedAt) int { return happened(x.at, x.seq, y.at, y.seq) }
	if !slices.IsSortedFunc(b.auto, byTimeAuto) {
		slices.SortFunc(b.auto, byTimeAuto)
	}
	w := fairWalk{b: b, states: make([]fairState, len(b.rows))}
	p := 0
	for _, it := range b.auto {
		for ; p < len(b.presence) && happened(b.presence[p].at, b.presence[p].seq, it.at, it.seq) < 0; p++ {
			c := b.presence[p]
			w.turns(c.at)
			w.states[c.agent].online = c.online
			w.set(c.agent, c.at)
		}
		w.turns(it.at)
		a := it.agent
		if w.states[a].eligible {
			w.g += 1 / float64(w.n)
			continue
		}
		// Round robin chose someone the presence history does not show as
		// eligible: they were, at that moment.
		share := 1 / float64(w.n+1)
		w.g += share
		b.rows[a].FairShare += share
	}
	var sum, squares float64
	m := 0
	for i, a := range b.rows {
		if w.states[i].eligible {
			a.FairShare += w.g - w.states[i].since
		}
		if a.FairShare > 0 && (len(b.q.Agents) == 0 || slices.Contains(b.q.Agents, a.Key)) {
			x := float64(a.AutoAssigned) / a.FairShare
			sum += x
			squares += x * x
			m++
		}
	}
	if squares == 0 { // nobody reported got a share (or any automatic assignment)
		return 0
	}
	return sum * sum / (float64(m) * squares)
}

// happened orders two events by time, then by Seq.
func happened(at1 time.Time, seq1 int64, at2 time.Time, seq2 int64) int {
	return cmp.Or(at1.Compare(at2), cmp.Compare(seq1, seq2))
}

// fairWalk is the state of the walk of [reportBuilder.fairness].
type fairWalk struct {
	b      *reportBuilder
	states []fairState // by agent
	heap   turnHeap
	g      float64 // the running sum
	n      int     // eligible agents
}

type fairState struct {
	online, eligible bool
	since            float64   // g when they last became eligible
	turn             time.Time // the next turn of their hours; zero: none
}

// set updates agent a's eligibility at time at, and their next turn.
func (w *fairWalk) set(a int32, at time.Time) {
	s := &w.states[a]
	inHours := true
	if hours := w.b.rows[a].hours; hours != nil {
		if inHours = hours.IsOpen(at); inHours {
			s.turn, _ = hours.NextClose(at)
		} else {
			s.turn, _ = hours.NextOpen(at)
		}
		if !s.turn.IsZero() {
			heap.Push(&w.heap, turn{s.turn, a})
		}
	}
	eligible := s.online && inHours
	switch {
	case eligible && !s.eligible:
		s.since = w.g
		w.n++
	case !eligible && s.eligible:
		w.b.rows[a].FairShare += w.g - s.since
		w.n--
	}
	s.eligible = eligible
}

// turns applies the turns of working hours up to at.
func (w *fairWalk) turns(at time.Time) {
	for len(w.heap) > 0 && !w.heap[0].at.After(at) {
		t := heap.Pop(&w.heap).(turn)
		if w.states[t.agent].turn.Equal(t.at) { // else a later set replaced it
			w.set(t.agent, t.at)
		}
	}
}

// turn is when an agent's working hours open or close.
type turn struct {
	at    time.Time
	agent int32
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
