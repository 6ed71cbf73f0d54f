package main

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/memstore"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

// How the team works.
const (
	slots     = 3                // replies an agent writes at once
	shiftLen  = 8 * time.Hour    // each weekday, from one of shiftStarts
	breakLen  = 30 * time.Minute // once a shift, offline
	tickEvery = time.Minute      // the host's Run interval
	// snoozeFor is how long an agent snoozes an email ticket after a reply
	// that leaves the customer with something to answer: snoozed tickets
	// leave My inbox and do not count against the cap.
	snoozeFor = 24 * time.Hour
	// horizon is how long after the day starts the simulation gives up on
	// tickets still open.
	horizon = 14 * 24 * time.Hour
)

// shiftStarts are the hours shifts start at; agents take them in turn, so the
// team covers office hours with most people at midday.
var shiftStarts = []int{8, 9, 10}

// The office hours of the simulated team.
const openHour, closeHour = 8, 18

// officeHours are the team's office hours in loc: weekdays 08:00–18:00.
func officeHours(loc *time.Location) (*officehours.Schedule, error) {
	day := []officehours.Span{{Start: officehours.At(openHour, 0), End: officehours.At(closeHour, 0)}}
	return officehours.New(loc, officehours.Week{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day})
}

// lead is the team lead: an owner, who sets the policy and reads the
// report, and takes no tickets.
var lead = inbox.Actor{ID: "lead", Role: inbox.Owner}

// clock is the mock clock: the simulation moves it from event to event.
type clock struct{ t time.Time }

// Now returns the simulated time.
func (c *clock) Now() time.Time { return c.t }

// step is one thing that happens at a time in the simulation.
type step struct {
	at   time.Time
	seq  uint64 // ties are taken in the order they were scheduled
	what stepKind
	n    int // the plan (arrive), ticket number (write, replied) or agent
}

type stepKind uint8

const (
	arrive     stepKind = iota // a customer writes first
	write                      // a customer writes again
	replied                    // an agent has written a reply
	shiftStart                 // an agent comes online
	breakStart                 // an agent goes offline for a break
	breakEnd                   // an agent comes back online
	shiftEnd                   // an agent signs out and hands back unanswered tickets
	tick                       // the host calls Inbox.Tick
)

type steps []step

func (s steps) Len() int { return len(s) }
func (s steps) Less(i, j int) bool {
	if c := s[i].at.Compare(s[j].at); c != 0 {
		return c < 0
	}
	return s[i].seq < s[j].seq
}
func (s steps) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *steps) Push(x any)   { *s = append(*s, x.(step)) }
func (s *steps) Pop() any {
	old := *s
	x := old[len(old)-1]
	*s = old[:len(old)-1]
	return x
}

// ticket is what the simulation knows of a ticket, learned from the events
// the inbox delivers.
type ticket struct {
	n        int64
	idx      int // the plan's index: it names the customer
	plan     *plan
	sent     int  // customer messages received
	answered int  // customer messages answered
	assignee int  // agent index; -1 for nobody
	open     bool // status open
	snoozed  bool // status snoozed
	// needsReply: the customer wrote last and nobody is writing the answer.
	needsReply, writing bool
	queued              int // the queue holding it (agent index or pool), -1 for none
	lastReply           string
	unassignedSince     time.Time // while open and unassigned
	waited              time.Duration
}

// fifo is a queue of ticket numbers; entries may be stale, and are checked
// when taken.
type fifo struct {
	items []int64
	head  int
}

func (q *fifo) push(n int64) { q.items = append(q.items, n) }

func (q *fifo) peek() (int64, bool) {
	if q.head == len(q.items) {
		return 0, false
	}
	return q.items[q.head], true
}

func (q *fifo) drop() {
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
}

// agent is one member of the team and what they are doing.
type agent struct {
	actor   inbox.Actor
	name    string
	shift   int // index of shiftStarts
	working bool
	busy    int       // replies being written
	open    int       // open tickets held
	took    time.Time // when they last started a reply: the longest idle claims first
	hourly  []int     // assignments by hour since the day started
}

// sim is one policy's run over the day's traffic.
type sim struct {
	ctx    context.Context
	clk    *clock
	ib     *inbox.Inbox
	policy Policy
	day    time.Time
	hours  *officehours.Schedule
	plans  []plan

	queue   steps
	seq     uint64
	tickets []*ticket // by number - 1
	agents  []*agent
	byID    map[string]int
	fifos   []fifo // one per agent, then the pool of unassigned tickets
	events  []inbox.Event
	left    int            // plans whose conversation is not over
	ticks   map[int64]bool // the ticks scheduled, by Unix nanosecond
}

// outcome is what one policy's run gives: the inbox's report, and what the
// report does not hold, measured from the events the inbox delivered.
type outcome struct {
	policy Policy
	end    time.Time // the last close, or the horizon
	// report covers the whole run, from the start of the day to the
	// midnight after end.
	report inbox.Report
	// hourly holds each agent's assignments by hour since the day started.
	hourly [][]int
	// waits are how long each ticket that waited in Unassigned waited in all,
	// up to its close or the end; still counts those unassigned at the end.
	waits []time.Duration
	still int
}

// simulate runs the day's plans through a new inbox under policy p, with
// the team agents, and returns what happened.
func simulate(ctx context.Context, p Policy, plans []plan, team []string, day time.Time) (outcome, error) {
	s, err := newSim(ctx, p, plans, team, day)
	if err != nil {
		return outcome{}, err
	}
	if err := s.loop(); err != nil {
		return outcome{}, fmt.Errorf("%s at %s: %w", p, s.clk.t.Format(time.RFC3339), err)
	}
	return s.outcome()
}

// newSim opens the inbox of a run, with its settings and team, and
// schedules the day.
func newSim(ctx context.Context, p Policy, plans []plan, team []string, day time.Time) (*sim, error) {
	hours, err := officeHours(day.Location())
	if err != nil {
		return nil, err
	}
	s := &sim{ctx: ctx, clk: &clock{t: day}, policy: p, day: day, hours: hours, plans: plans, byID: map[string]int{}, left: len(plans), ticks: map[int64]bool{}}
	s.ib, err = inbox.New(memstore.New(), "sim", inbox.WithClock(s.clk), inbox.WithNotifier(inbox.NotifierFunc(func(_ context.Context, e inbox.Event) error {
		s.events = append(s.events, e)
		return nil
	})))
	if err != nil {
		return nil, err
	}
	if _, err := s.ib.UpdateSettings(ctx, lead, inbox.SettingsPatch{RoundRobin: &p.RoundRobin, AssignWaiting: &p.Waiting, OfficeHours: hours}); err != nil {
		return nil, err
	}
	for i, name := range team {
		a := &agent{actor: inbox.Actor{ID: agentID(i), Role: inbox.Support}, name: name, shift: i % len(shiftStarts)}
		if err := s.ib.PutMember(ctx, inbox.Member{ID: a.actor.ID, Name: name, Role: a.actor.Role, Capacity: p.Cap}); err != nil {
			return nil, err
		}
		s.byID[a.actor.ID] = i
		s.agents = append(s.agents, a)
		s.at(s.shiftFrom(i, day), shiftStart, i)
	}
	s.fifos = make([]fifo, len(team)+1)
	for i, pl := range plans {
		s.at(pl.at, arrive, i)
	}
	return s, nil
}

// agentID is the member ID of the team's agent i: a01, a02…
func agentID(i int) string { return fmt.Sprintf("a%02d", i+1) }

// at schedules a step.
func (s *sim) at(t time.Time, what stepKind, n int) {
	s.seq++
	heap.Push(&s.queue, step{at: t, seq: s.seq, what: what, n: n})
}

// loop runs steps in time order until every conversation is over.
func (s *sim) loop() error {
	end := s.day.Add(horizon)
	for s.left > 0 && s.queue.Len() > 0 && s.queue[0].at.Before(end) {
		st := heap.Pop(&s.queue).(step)
		s.clk.t = st.at
		if err := s.do(st); err != nil {
			return err
		}
		if err := s.deliver(); err != nil {
			return err
		}
		if err := s.work(); err != nil {
			return err
		}
	}
	if s.left > 0 {
		s.clk.t = end
	}
	return nil
}

func (s *sim) do(st step) error {
	now := s.clk.t
	switch st.what {
	case arrive:
		s.tickets = append(s.tickets, &ticket{idx: st.n, plan: &s.plans[st.n], assignee: -1, queued: -1})
		return s.receive(s.tickets[len(s.tickets)-1], channel.New)
	case write:
		t := s.tickets[st.n-1]
		want := channel.Append
		switch {
		case t.plan.msgs[t.sent].reopens:
			want = channel.Reopen
		case t.snoozed:
			want = channel.Wake
		}
		return s.receive(t, want)
	case replied:
		return s.reply(s.tickets[st.n-1])
	case shiftStart, breakEnd:
		a := s.agents[st.n]
		a.working = true
		if st.what == shiftStart {
			s.at(now.Add(3*time.Hour+time.Duration(st.n%4)*20*time.Minute), breakStart, st.n)
			s.at(now.Add(shiftLen), shiftEnd, st.n)
		}
		return s.ib.SetPresence(s.ctx, a.actor, a.actor.ID, assign.Online)
	case breakStart:
		a := s.agents[st.n]
		a.working = false
		s.at(now.Add(breakLen), breakEnd, st.n)
		return s.ib.SetPresence(s.ctx, a.actor, a.actor.ID, assign.Offline)
	case shiftEnd:
		a := s.agents[st.n]
		a.working = false
		s.at(s.shiftFrom(st.n, now.Add(time.Hour)), shiftStart, st.n)
		if err := s.ib.SignOut(s.ctx, a.actor.ID); err != nil {
			return err
		}
		return s.handBack(st.n)
	case tick:
		delete(s.ticks, now.UnixNano())
		return s.ib.Tick(s.ctx)
	}
	return fmt.Errorf("unknown step %d", st.what)
}

// shiftFrom returns the start of agent i's next shift at or after t: their
// hour on a weekday.
func (s *sim) shiftFrom(i int, t time.Time) time.Time {
	for d := 0; ; d++ {
		start := time.Date(t.Year(), t.Month(), t.Day()+d, shiftStarts[s.agents[i].shift], 0, 0, 0, t.Location())
		if wd := start.Weekday(); wd != time.Saturday && wd != time.Sunday && !start.Before(t) {
			return start
		}
	}
}

// deliver has the inbox deliver its new events to the notifier, and learns
// from them. The simulation delivers after each step and each claim, before
// anyone decides what to do next.
func (s *sim) deliver() error {
	s.events = s.events[:0]
	if _, err := s.ib.Deliver(s.ctx); err != nil {
		return err
	}
	for _, e := range s.events {
		s.learn(e)
	}
	return nil
}

// receive passes the customer's next message to the inbox, which must file
// it as want says.
func (s *sim) receive(t *ticket, want channel.Action) error {
	r, err := s.ib.Receive(s.ctx, s.inbound(t))
	if err != nil {
		return err
	}
	if r.Action != want || want == channel.New && r.Ticket != int64(len(s.tickets)) || want != channel.New && r.Ticket != t.n {
		return fmt.Errorf("customer %d's message %d: the inbox did %s on ticket %d, not %s", t.idx, t.sent, r.Action, r.Ticket, want)
	}
	t.n = r.Ticket
	t.sent++
	return nil
}

// bodies are what customers write, by channel and message.
var bodies = map[channel.Kind][]string{
	channel.WebChat: {"Hi! Where is my order?", "It says shipped but tracking shows nothing.", "Ok, thanks.", "One more thing?"},
	channel.Email:   {"My order has not arrived.", "Thanks, but it still hasn't come.", "Could you refund it instead?"},
	channel.SMS:     {"Is my order on its way?", "Thx. When will it arrive?", "ok"},
}

// inbound is the customer's next message, as the host would build it.
func (s *sim) inbound(t *ticket) channel.Inbound {
	k := t.sent
	texts := bodies[t.plan.kind]
	in := channel.Inbound{Kind: t.plan.kind, Body: texts[min(k, len(texts)-1)]}
	switch t.plan.kind {
	case channel.WebChat:
		in.WebChat = channel.WebChatFields{Conversation: fmt.Sprintf("chat-%d", t.idx), Visitor: fmt.Sprintf("visitor-%d", t.idx), MessageID: fmt.Sprintf("chat-%d-%d", t.idx, k)}
	case channel.Email:
		in.Email = channel.EmailFields{From: fmt.Sprintf("customer%d@example.com", t.idx), MessageID: fmt.Sprintf("%d.%d@customer.example", t.idx, k), Subject: "Where is my order?"}
		if k > 0 {
			in.Email.Subject = "Re: Where is my order?"
			in.Email.InReplyTo = []string{t.lastReply}
		}
	case channel.SMS:
		in.SMS = channel.SMSFields{From: fmt.Sprintf("+1555%07d", t.idx), To: "+15550100000", MessageID: fmt.Sprintf("SM%d-%d", t.idx, k)}
	}
	return in
}

// reply sends the answer an agent has written and, when the customer has
// nothing more to say for now, closes the ticket.
func (s *sim) reply(t *ticket) error {
	a := s.agents[t.assignee]
	a.busy--
	t.writing = false
	m, err := s.ib.Reply(s.ctx, a.actor, t.n, "Thanks for writing: here is what we found.", channel.Consent{SMSTransactional: true})
	if err != nil {
		return err
	}
	t.lastReply = m.ID
	t.answered++
	msgs := t.plan.msgs
	if t.answered == len(msgs) || msgs[t.answered].reopens {
		if err := s.ib.Close(s.ctx, a.actor, t.n); err != nil {
			return err
		}
	}
	if t.answered == len(msgs) {
		s.left--
		return nil
	}
	now := s.clk.t
	if t.plan.kind == channel.Email && !msgs[t.answered].reopens {
		if err := s.ib.Snooze(s.ctx, a.actor, t.n, now.Add(snoozeFor)); err != nil {
			return err
		}
		s.tickAt(now.Add(snoozeFor), false)
	}
	s.at(now.Add(msgs[t.answered].after), write, int(t.n))
	return nil
}

// handBack gives the tickets agent i has not started answering back to
// Unassigned as they sign out, so that colleagues can take them.
func (s *sim) handBack(i int) error {
	var give []int64
	q := &s.fifos[i]
	for _, n := range q.items[q.head:] {
		if t := s.tickets[n-1]; t.queued == i && s.ready(t) {
			give = append(give, n)
		}
	}
	for len(give) > 0 {
		k := min(len(give), inbox.MaxBulk)
		if err := s.ib.Unassign(s.ctx, s.agents[i].actor, give[:k]...); err != nil {
			return err
		}
		give = give[k:]
	}
	return nil
}

// learn updates what the simulation knows from an event the inbox
// delivered.
func (s *sim) learn(e inbox.Event) {
	if e.Ticket == 0 {
		return
	}
	t := s.tickets[e.Ticket-1]
	switch e.Type {
	case inbox.TicketCreated:
		t.open, t.unassignedSince = true, e.At
	case inbox.MessageReceived:
		if e.Message.Direction == inbox.Inbound {
			t.needsReply = true
		}
	case inbox.TicketAssigned:
		a := s.byID[e.Assignee]
		s.setAssignee(t, a, e.At)
		ag := s.agents[a]
		h := int(e.At.Sub(s.day) / time.Hour)
		for len(ag.hourly) <= h {
			ag.hourly = append(ag.hourly, 0)
		}
		ag.hourly[h]++
	case inbox.TicketUnassigned:
		s.setAssignee(t, -1, e.At)
	case inbox.StatusChanged:
		s.setOpen(t, e.To == status.Open, e.At)
		t.snoozed = e.To == status.Snoozed
	}
	s.enqueue(t)
}

// setAssignee moves t to agent a (-1: nobody), keeping the agents' open
// counts and the ticket's time in Unassigned.
func (s *sim) setAssignee(t *ticket, a int, at time.Time) {
	if t.open {
		s.hold(t, false, at)
	}
	t.assignee = a
	if t.open {
		s.hold(t, true, at)
	}
}

// setOpen records whether t is open.
func (s *sim) setOpen(t *ticket, open bool, at time.Time) {
	if t.open != open {
		s.hold(t, open, at)
	}
	t.open = open
}

// hold starts (on) or ends an open ticket's holding: its assignee's count of
// open tickets, or its stretch in Unassigned.
func (s *sim) hold(t *ticket, on bool, at time.Time) {
	switch {
	case t.assignee >= 0 && on:
		s.agents[t.assignee].open++
	case t.assignee >= 0:
		s.agents[t.assignee].open--
	case on:
		t.unassignedSince = at
	default:
		t.waited += at.Sub(t.unassignedSince)
	}
}

// pool is the index of the queue of unassigned tickets in sim.fifos.
func (s *sim) pool() int { return len(s.agents) }

// ready reports whether t waits for somebody to start an answer.
func (s *sim) ready(t *ticket) bool { return t.open && t.needsReply && !t.writing }

// enqueue puts t in its holder's queue (or the pool) when it is ready and
// not there yet.
func (s *sim) enqueue(t *ticket) {
	q := t.assignee
	if q < 0 {
		q = s.pool()
	}
	if s.ready(t) && t.queued != q {
		t.queued = q
		s.fifos[q].push(t.n)
	}
}

// next returns the ticket at the head of queue q that is still ready there,
// dropping stale entries; nil when there is none.
func (s *sim) next(q int) *ticket {
	for {
		n, ok := s.fifos[q].peek()
		if !ok {
			return nil
		}
		t := s.tickets[n-1]
		holder := t.assignee
		if holder < 0 {
			holder = s.pool()
		}
		if t.queued == q && holder == q && s.ready(t) {
			return t
		}
		if t.queued == q {
			t.queued = -1
		}
		s.fifos[q].drop()
	}
}

// work lets every agent start answering what they hold, then lets the agents
// with room claim from Unassigned, the longest idle first. Tickets left
// waiting get a tick.
func (s *sim) work() error {
	for i := range s.agents {
		s.serve(i)
	}
	for {
		t := s.next(s.pool())
		if t == nil {
			return nil
		}
		i := s.claimer()
		if i < 0 {
			s.tickAt(s.clk.t, true)
			return nil
		}
		if err := s.ib.Claim(s.ctx, s.agents[i].actor, t.n); err != nil {
			return err
		}
		if err := s.deliver(); err != nil {
			return err
		}
		s.serve(i)
	}
}

// tickAt schedules a host's tick at the first whole minute (the host's Run
// interval) after t, in office hours when inHours, unless one is scheduled
// then. Tick's work here is waking snoozed tickets and, in office hours,
// handing out waiting ones (no automation is on), so the simulation ticks
// when one of them is due and leaves out the host's idle rounds.
func (s *sim) tickAt(t time.Time, inHours bool) {
	next := t.Truncate(tickEvery).Add(tickEvery)
	if inHours && !s.hours.IsOpen(next) {
		next, _ = s.hours.NextOpen(next)
	}
	if !s.ticks[next.UnixNano()] {
		s.ticks[next.UnixNano()] = true
		s.at(next, tick, 0)
	}
}

// claimer returns the agent who claims the next unassigned ticket, or -1:
// an agent at work with a free hand, nothing of their own to answer and
// room under the cap, idle the longest.
func (s *sim) claimer() int {
	best := -1
	for i, a := range s.agents {
		if a.working && a.busy < slots && (s.policy.Cap == 0 || a.open < s.policy.Cap) && s.next(i) == nil &&
			(best < 0 || a.took.Before(s.agents[best].took)) {
			best = i
		}
	}
	return best
}

// serve starts agent i's replies while they have a free hand and tickets
// waiting for an answer.
func (s *sim) serve(i int) {
	a := s.agents[i]
	for a.working && a.busy < slots {
		t := s.next(i)
		if t == nil {
			return
		}
		s.fifos[i].drop()
		t.queued, t.needsReply, t.writing = -1, false, true
		a.busy++
		a.took = s.clk.t
		s.at(s.clk.t.Add(t.plan.msgs[t.answered].work), replied, int(t.n))
	}
}

// outcome sums up the run, with the inbox's report of it.
func (s *sim) outcome() (outcome, error) {
	end := s.clk.t.In(s.day.Location())
	o := outcome{policy: s.policy, end: end}
	var err error
	o.report, err = s.ib.Report(s.ctx, lead, inbox.ReportQuery{From: s.day, To: time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, end.Location())})
	if err != nil {
		return o, err
	}
	for _, t := range s.tickets {
		if t.open && t.assignee < 0 {
			o.still++
			s.hold(t, false, s.clk.t)
		}
		if t.waited > 0 {
			o.waits = append(o.waits, t.waited)
		}
	}
	for _, a := range s.agents {
		o.hourly = append(o.hourly, a.hourly)
	}
	return o, nil
}
