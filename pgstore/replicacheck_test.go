package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// inboxState is what the database holds for one inbox, read through the
// inbox's API: every ticket, its thread and history, and the outbox as
// Deliver hands it to a Notifier.
type inboxState struct {
	tickets   []inbox.Ticket
	threads   map[int64][]inbox.Message
	histories map[int64][]inbox.Event
	events    []inbox.Event
}

// load reads an inbox's state, delivering its outbox.
func (r *replicaRun) load(id string) inboxState {
	r.t.Helper()
	ctx := context.Background()
	st := inboxState{threads: map[int64][]inbox.Message{}, histories: map[int64][]inbox.Event{}}
	ib := r.inbox(id, inbox.NotifierFunc(func(_ context.Context, e inbox.Event) error {
		st.events = append(st.events, e)
		return nil
	}))
	a := r.owner()
	q := inbox.Query{View: inbox.All, Statuses: []status.Status{status.Open, status.Snoozed, status.Closed}, Order: inbox.OldestFirst, Limit: inbox.MaxPageSize}
	for {
		page, err := ib.Tickets(ctx, a, q)
		r.must(err)
		st.tickets = append(st.tickets, page.Tickets...)
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}
	for _, tk := range st.tickets {
		var msgs []inbox.Message
		for cursor := ""; ; {
			page, err := ib.Thread(ctx, a, tk.Number, cursor)
			r.must(err)
			msgs = append(msgs, page.Messages...)
			if cursor = page.Older; cursor == "" {
				break
			}
		}
		slices.Reverse(msgs)
		st.threads[tk.Number] = msgs
		h, err := ib.History(ctx, a, tk.Number)
		r.must(err)
		st.histories[tk.Number] = h
	}
	for {
		n, err := ib.Deliver(ctx)
		r.must(err)
		if n == 0 {
			break
		}
	}
	return st
}

// replicaStats are the figures of a run, for the log.
type replicaStats struct {
	messages, twinMessages int // recorded as received, redeliveries included
	tickets, twinTickets   int
	events                 int
	stableCounts           []int // automatic assignments of each stable agent
	flappingAssignments    int
	presenceChanges        int
	claims, lostClaims     int
	replies                int // agents' replies, in the outbox
	closes, unassigns      int
	visitorCalls, ticks    int // logged
	texts                  int // inbound SMS messages filed in tickets
	notifications          int
	autoReplies            int
	followUps, skipped     int // follow-up emails sent, and skipped for want of an address
	errors                 int // failed attempts the workers retried
}

func (s replicaStats) String() string {
	return fmt.Sprintf("%d messages (+%d to the twin inbox), %d tickets (+%d), %d events; automatic assignments: stable agents %v, the others %d; "+
		"%d presence changes, %d claims won and %d lost, %d replies, %d closes, %d give-backs; "+
		"%d visitor presence calls, %d ticks; %d texts got %d SMS notifications and %d auto-replies; %d follow-up emails sent and %d skipped; "+
		"%d failed attempts retried",
		s.messages, s.twinMessages, s.tickets, s.twinTickets, s.events, s.stableCounts, s.flappingAssignments,
		s.presenceChanges, s.claims, s.lostClaims, s.replies, s.closes, s.unassigns,
		s.visitorCalls, s.ticks, s.texts, s.notifications, s.autoReplies, s.followUps, s.skipped, s.errors)
}

// check verifies the workers' logs against the database, and returns the
// run's figures. killed names the workers killed on purpose: of them only
// what they logged counts, and a call each of their goroutines had under
// way may have committed unlogged.
func (r *replicaRun) check(killed map[int]bool) replicaStats {
	r.t.Helper()
	var recs []record
	owner := map[string]int{} // agent -> process
	for _, cfg := range r.configs {
		rs, err := readRecords(cfg.Record)
		r.must(err)
		recs = append(recs, rs...)
		for _, a := range cfg.Agents {
			owner[a] = cfg.Process
		}
	}
	recs = append(recs, r.finalTick())
	var stats replicaStats
	for _, rec := range recs {
		switch {
		case rec.Op == "error":
			stats.errors++
		case rec.Op == "msg" && rec.Inbox == "main":
			stats.messages++
		case rec.Op == "msg":
			stats.twinMessages++
		case rec.Op == "visitor":
			stats.visitorCalls++
		case rec.Op == "tick":
			stats.ticks++
		}
	}
	main, twin := r.load("main"), r.load("twin")
	stats.tickets, stats.twinTickets, stats.events = len(main.tickets), len(twin.tickets), len(main.events)
	for id, st := range map[string]inboxState{"main": main, "twin": twin} {
		r.checkOutbox(id, st)
		r.checkMessages(id, st, recs, killed)
	}
	for _, e := range twin.events {
		if e.Type == inbox.TicketAssigned {
			r.t.Errorf("twin inbox, without round robin or agents: %+v", e)
		}
	}
	r.checkAssignments(main, recs, owner, killed, &stats)
	r.checkAutomations(main, twin, recs, killed, &stats)
	return stats
}

// finalTick waits until every follow-up the workers left scheduled is due,
// calls Tick as one more replica, and returns the record of that call.
func (r *replicaRun) finalTick() record {
	r.t.Helper()
	time.Sleep(followUpAfter + 10*time.Millisecond)
	before := time.Now()
	r.must(r.inbox("main", nil).Tick(context.Background()))
	return record{Op: "tick", Ticker: "final", Before: before, After: time.Now()}
}

// checkOutbox checks that the outbox was delivered whole, in order, with
// seqs 1..N, and that every ticket's history is its part of the outbox.
func (r *replicaRun) checkOutbox(id string, st inboxState) {
	r.t.Helper()
	byTicket := map[int64][]inbox.Event{}
	for i, e := range st.events {
		if e.Seq != int64(i+1) || e.Inbox != id {
			r.t.Fatalf("inbox %s: event %d delivered is seq %d of inbox %s", id, i+1, e.Seq, e.Inbox)
		}
		if e.Ticket != 0 {
			byTicket[e.Ticket] = append(byTicket[e.Ticket], e)
		}
	}
	for i, tk := range st.tickets {
		if tk.Number != int64(i+1) {
			r.t.Fatalf("inbox %s: ticket %d of the list is number %d", id, i+1, tk.Number)
		}
		if d := cmp.Diff(byTicket[tk.Number], st.histories[tk.Number]); d != "" {
			r.t.Errorf("inbox %s: ticket %d's history is not its part of the outbox (-outbox +history):\n%s", id, tk.Number, d)
		}
	}
	if len(byTicket) != len(st.tickets) {
		r.t.Errorf("inbox %s: events name %d tickets, the inbox lists %d", id, len(byTicket), len(st.tickets))
	}
}

// checkMessages checks that every message is in exactly one ticket, the
// one its Receive reported; that nothing is in the database that no process
// logged (but what a killed one had under way); one SMS ticket per phone,
// one ticket per email thread, one unclosed ticket per web chat conversation.
func (r *replicaRun) checkMessages(id string, st inboxState, recs []record, killed map[int]bool) {
	r.t.Helper()
	type msgKey struct{ kind, id string }
	where := map[msgKey]int64{}
	for _, tk := range st.tickets {
		for i, m := range st.threads[tk.Number] {
			if m.Index != i || m.Direction == inbox.Inbound && m.Author != tk.Customer {
				r.t.Errorf("inbox %s: ticket %d (customer %s) holds message %d: %+v", id, tk.Number, tk.Customer, i, m)
			}
			if m.Direction == inbox.Outbound {
				continue // a reply: checkAutomations holds them against the outbox
			}
			k := msgKey{tk.Channel.String(), m.ID}
			if t, dup := where[k]; dup {
				r.t.Errorf("inbox %s: message %v is in tickets %d and %d", id, k, t, tk.Number)
			}
			where[k] = tk.Number
		}
		if len(st.threads[tk.Number]) == 0 {
			r.t.Errorf("inbox %s: ticket %d has no message", id, tk.Number)
		}
	}
	recorded := map[msgKey]bool{}
	threadTickets := map[string]map[int64]bool{}
	for _, rec := range recs {
		if rec.Op != "msg" || rec.Inbox != id {
			continue
		}
		k := msgKey{rec.Kind, rec.ID}
		recorded[k] = true
		got, ok := where[k]
		switch {
		case !ok:
			r.t.Errorf("inbox %s: message %v was received (%s, ticket %d) but is in no ticket", id, k, rec.Action, rec.Ticket)
			continue
		case got != rec.Ticket:
			r.t.Errorf("inbox %s: message %v is in ticket %d, Receive said %d", id, k, got, rec.Ticket)
		}
		dup := rec.Action == channel.Duplicate.String()
		if rec.Redelivery != dup && !(dup && rec.Retried) {
			r.t.Errorf("inbox %s: message %v (redelivery %v, retried %v) was received as %s", id, k, rec.Redelivery, rec.Retried, rec.Action)
		}
		if threadTickets[rec.Thread] == nil {
			threadTickets[rec.Thread] = map[int64]bool{}
		}
		threadTickets[rec.Thread][got] = true
	}
	unlogged := map[int]int{}
	for k := range where {
		if recorded[k] {
			continue
		}
		p := processOf(k.id)
		if !killed[p] {
			r.t.Errorf("inbox %s: message %v is in ticket %d, but no process logged receiving it", id, k, where[k])
		}
		unlogged[p]++
	}
	for p, n := range unlogged {
		if n > replicaCustomers {
			r.t.Errorf("inbox %s: %d messages of killed process %d unlogged; at most one per goroutine could be", id, n, p)
		}
	}
	byNumber := map[int64]inbox.Ticket{}
	for _, tk := range st.tickets {
		byNumber[tk.Number] = tk
	}
	unclosed := map[string]int{}
	for thread, tickets := range threadTickets {
		for n := range tickets {
			tk := byNumber[n]
			if tk.Channel != channel.Email && tk.Key != thread {
				r.t.Errorf("inbox %s: ticket %d has key %q, holds a message of %s", id, n, tk.Key, thread)
			}
			if tk.Status != status.Closed {
				unclosed[thread]++
			}
		}
		if len(tickets) > 1 && !strings.HasPrefix(thread, "chat-") { // a closed chat never reopens
			r.t.Errorf("inbox %s: %s is in %d tickets %v, want one", id, thread, len(tickets), tickets)
		}
	}
	for thread, n := range unclosed {
		if n > 1 {
			r.t.Errorf("inbox %s: %s has %d tickets not closed", id, thread, n)
		}
	}
}

// agentAction is an agent's call on a ticket, as logged or as found in
// the outbox.
type agentAction struct {
	Op     string
	Ticket int64
	Agent  string
}

// checkAssignments replays the outbox in seq order (the order the inbox's
// lock serialised the transactions in) and checks: each ticket created once
// and given out by round robin exactly once (the stable agents are always
// there), only to an agent online at that point, with a decision that
// counts the online and offline members right; claims never steal; each
// ticket ends where its events say; the presence changes, claims, agents'
// replies, closes and give-backs are those the owning processes logged, at
// the times they
// logged; an automatic assignment's time is before the end of the call that
// took its agent offline; the stable agents' counts are within one.
func (r *replicaRun) checkAssignments(st inboxState, recs []record, owner map[string]int, killed map[int]bool, stats *replicaStats) {
	r.t.Helper()
	members := len(r.stable) + len(owner)
	online := map[string]bool{}
	presence := map[string][]inbox.Event{}
	created, auto := map[int64]int{}, map[int64]int{}
	assignee, cur := map[int64]string{}, map[int64]status.Status{}
	done := map[agentAction]int{}
	type autoAssign struct {
		e       inbox.Event
		changes int // the agent's presence changes before it
	}
	var autos []autoAssign
	autoBy := map[string]int{}
	for _, e := range st.events {
		switch e.Type {
		case inbox.TicketCreated:
			created[e.Ticket]++
			cur[e.Ticket] = status.Open
		case inbox.PresenceChanged:
			online[e.Assignee] = *e.Presence == assign.Online
			presence[e.Assignee] = append(presence[e.Assignee], e)
		case inbox.TicketAssigned:
			if d := e.Decision; d != nil {
				auto[e.Ticket]++
				autoBy[e.Assignee]++
				autos = append(autos, autoAssign{e, len(presence[e.Assignee])})
				n := 0
				for _, on := range online {
					if on {
						n++
					}
				}
				if d.Agent != e.Assignee || !online[e.Assignee] || d.Eligible != n || d.Offline != members-n {
					r.t.Errorf("seq %d: ticket %d given to %s (online: %v) by %+v; %d of %d members online", e.Seq, e.Ticket, e.Assignee, online[e.Assignee], *d, n, members)
				}
			} else if e.Actor == e.Assignee {
				if assignee[e.Ticket] != "" {
					r.t.Errorf("seq %d: %s claimed ticket %d from %s", e.Seq, e.Actor, e.Ticket, assignee[e.Ticket])
				}
				done[agentAction{"claim", e.Ticket, e.Actor}]++
			}
			assignee[e.Ticket] = e.Assignee
		case inbox.TicketUnassigned:
			assignee[e.Ticket] = ""
			done[agentAction{"unassign", e.Ticket, e.Actor}]++
		case inbox.ReplySent:
			if e.Actor != "" {
				done[agentAction{"reply", e.Ticket, e.Actor}]++
			}
		case inbox.StatusChanged:
			if e.From != cur[e.Ticket] {
				r.t.Errorf("seq %d: ticket %d moved from %s, but was %s", e.Seq, e.Ticket, e.From, cur[e.Ticket])
			}
			cur[e.Ticket] = e.To
			if e.To == status.Closed {
				done[agentAction{"close", e.Ticket, e.Actor}]++
			}
		}
	}
	for _, tk := range st.tickets {
		if created[tk.Number] != 1 || auto[tk.Number] != 1 {
			r.t.Errorf("ticket %d: created %d times, given out by round robin %d times; want 1 and 1", tk.Number, created[tk.Number], auto[tk.Number])
		}
		if tk.Assignee != assignee[tk.Number] || tk.Status != cur[tk.Number] {
			r.t.Errorf("ticket %d is %s, assigned to %q; its events say %s, %q", tk.Number, tk.Status, tk.Assignee, cur[tk.Number], assignee[tk.Number])
		}
	}

	logged, uncertain := map[agentAction]int{}, map[agentAction]int{}
	loggedPresence := map[string][]record{}
	for _, rec := range recs {
		switch rec.Op {
		case "presence", "signout":
			loggedPresence[rec.Agent] = append(loggedPresence[rec.Agent], rec)
		case "claim", "reply", "close", "unassign":
			if rec.Uncertain {
				uncertain[agentAction{rec.Op, rec.Ticket, rec.Agent}]++
				continue
			}
			if rec.Op != "claim" {
				logged[agentAction{rec.Op, rec.Ticket, rec.Agent}]++
				continue
			}
			if rec.Already {
				stats.lostClaims++
				continue
			}
			stats.claims++
			logged[agentAction{rec.Op, rec.Ticket, rec.Agent}]++
		}
	}
	// An uncertain call may have committed, and so may the call a killed
	// process's goroutine had under way (at most one per agent): drop such
	// extras before comparing.
	extra := map[string]int{}
	for a, n := range done {
		stats.closes += n * boolInt(a.Op == "close")
		stats.unassigns += n * boolInt(a.Op == "unassign")
		stats.replies += n * boolInt(a.Op == "reply")
		if n > logged[a] && n <= logged[a]+uncertain[a] {
			n = logged[a]
			if done[a] = n; n == 0 {
				delete(done, a)
			}
		}
		if p, ok := owner[a.Agent]; ok && killed[p] && n > logged[a] {
			extra[a.Agent] += n - logged[a]
			if done[a] = logged[a]; done[a] == 0 {
				delete(done, a)
			}
		}
	}
	for a, n := range extra {
		if n > 1 {
			r.t.Errorf("agent %s of the killed process: %d calls committed but not logged; at most 1 could be", a, n)
		}
	}
	if d := cmp.Diff(logged, done); d != "" {
		r.t.Errorf("claims, closes and give-backs (-logged +outbox):\n%s", d)
		for a, n := range logged {
			if done[a] != n {
				r.logTicket(st, recs, a.Ticket)
			}
		}
	}

	for a, p := range owner {
		events, log := presence[a], loggedPresence[a]
		stats.presenceChanges += len(events)
		if n := len(events) - len(log); n < 0 || n > boolInt(killed[p]) {
			r.t.Errorf("agent %s: %d presence changes in the outbox, %d logged", a, len(events), len(log))
			continue
		}
		for i, rec := range log {
			e := events[i]
			actor := a
			if rec.Op == "signout" {
				actor = ""
			}
			if *e.Presence != rec.Presence || e.Actor != actor || e.At.Before(rec.Before.Truncate(time.Microsecond)) || e.At.After(rec.After) {
				r.t.Errorf("agent %s: presence change %d is %s by %q at %s; logged %s by %q between %s and %s",
					a, i, e.Presence, e.Actor, e.At, rec.Presence, actor, rec.Before, rec.After)
			}
		}
	}
	for _, x := range autos {
		log := loggedPresence[x.e.Assignee]
		if _, flapping := owner[x.e.Assignee]; !flapping {
			continue
		}
		stats.flappingAssignments++
		if x.changes < len(log) && x.e.At.After(log[x.changes].After) {
			r.t.Errorf("ticket %d given to %s at %s, after the call that took them %s ended at %s",
				x.e.Ticket, x.e.Assignee, x.e.At, log[x.changes].Presence, log[x.changes].After)
		}
	}
	for _, a := range r.stable {
		stats.stableCounts = append(stats.stableCounts, autoBy[a])
	}
	if slices.Max(stats.stableCounts)-slices.Min(stats.stableCounts) > 1 {
		r.t.Errorf("round robin gave the agents online all along %v tickets: not within one", stats.stableCounts)
	}
}

// processOf returns the number of the worker whose message ID or web chat
// conversation ("wc-P-G-I", "chat-P-G-I") id is, or -1.
func processOf(id string) int {
	parts := strings.SplitN(id, "-", 3)
	if len(parts) < 2 {
		return -1
	}
	p, err := strconv.Atoi(parts[1])
	if err != nil {
		return -1
	}
	return p
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// logTicket logs a ticket's history and the log lines about it, to explain
// a failed check.
func (r *replicaRun) logTicket(st inboxState, recs []record, ticket int64) {
	r.t.Helper()
	for _, e := range st.histories[ticket] {
		r.t.Logf("ticket %d: seq %d %s at %s by %q to %q %s→%s", ticket, e.Seq, e.Type, e.At.Format(time.StampMicro), e.Actor, e.Assignee, e.From, e.To)
	}
	for _, rec := range recs {
		if rec.Ticket == ticket && rec.Op != "msg" {
			r.t.Logf("ticket %d: logged %+v", ticket, rec)
		}
	}
}

// visitorCall is a web chat visitor's logged call on a ticket: a message
// (its seq in the outbox known) or a presence change (only its span).
type visitorCall struct {
	msg           bool
	seq           int64 // a message's MessageReceived
	online        bool  // a presence change's
	before, after time.Time
}

// visitors are the logged calls of the main inbox's web chat visitors.
type visitors struct {
	calls  map[int64][]visitorCall // by ticket, in the order each visitor made them
	email  map[string]string       // the address each conversation gave
	latest map[string]int64        // the ticket of each conversation's latest message
}

// visitorsOf gathers the visitors' calls from the logs. A presence change
// acts on the ticket of the conversation's latest message (the newest
// ticket with its key), since only the conversation's own goroutine writes
// to it.
func visitorsOf(st inboxState, recs []record) visitors {
	seqOf := map[string]int64{}
	for _, e := range st.events {
		if e.Type == inbox.MessageReceived && strings.HasPrefix(e.Message.ID, "wc-") {
			seqOf[e.Message.ID] = e.Seq
		}
	}
	v := visitors{calls: map[int64][]visitorCall{}, email: map[string]string{}, latest: map[string]int64{}}
	for _, rec := range recs {
		switch {
		case rec.Op == "msg" && rec.Inbox == "main" && rec.Kind == channel.WebChat.String():
			v.latest[rec.Thread], v.email[rec.Thread] = rec.Ticket, rec.Email
			v.calls[rec.Ticket] = append(v.calls[rec.Ticket], visitorCall{msg: true, seq: seqOf[rec.ID], before: rec.Before, after: rec.After})
		case rec.Op == "visitor":
			n := v.latest[rec.Thread]
			v.calls[n] = append(v.calls[n], visitorCall{online: rec.Presence == assign.Online, before: rec.Before, after: rec.After})
		}
	}
	return v
}

// mayBeAway reports whether a ticket's visitor could have been away when a
// transaction ordered at seq committed, one that read the clock at at and,
// when bounded, had committed by bound. calls are the visitor's calls on
// the ticket, in order. A message of a lower seq, or a presence change that
// ended before at, committed before that transaction; a message of a higher
// seq, or a change begun after bound, after it. The visitor may have been
// away if the last call known to be before it, or one of those that may
// have been, set them away; open says an unlogged call may follow the last.
func mayBeAway(calls []visitorCall, seq int64, at, bound time.Time, bounded, open bool) bool {
	first := -1
	for k, c := range calls {
		if c.msg && c.seq < seq || !c.msg && c.after.Before(at) {
			first = k
		}
	}
	if first < 0 {
		return false
	}
	for _, c := range calls[first:] {
		if c.msg && c.seq > seq || !c.msg && bounded && c.before.After(bound) {
			return false
		}
		if !c.msg && !c.online {
			return true
		}
	}
	return open
}

// tickBound returns a time by which a Tick's transaction that read the
// clock at at had committed: the latest end of the logged Tick calls under
// way at at. It reports false when a ticker of a killed worker may have had
// an unlogged call under way, and an error when no call was.
func tickBound(recs []record, killed map[int]bool, at time.Time) (time.Time, bool, error) {
	last := map[string]time.Time{} // a killed worker's tickers' last logged end
	for p := range killed {
		for k := range tickersPerProcess {
			last[fmt.Sprintf("ticker-%d-%d", p, k)] = time.Time{}
		}
	}
	var bound time.Time
	for _, rec := range recs {
		if rec.Op != "tick" {
			continue
		}
		if end, ok := last[rec.Ticker]; ok && rec.After.After(end) {
			last[rec.Ticker] = rec.After
		}
		if !rec.Before.Truncate(time.Microsecond).After(at) && !rec.After.Before(at) && rec.After.After(bound) {
			bound = rec.After
		}
	}
	for _, end := range last {
		if !at.Before(end) {
			return time.Time{}, false, nil
		}
	}
	if bound.IsZero() {
		return bound, false, fmt.Errorf("no logged Tick was under way at %s", at.Format(time.StampMicro))
	}
	return bound, true, nil
}

// elapsed is the inbox's rule for a cool-down: at least d since last, or
// no last.
func elapsed(last, at time.Time, d time.Duration) bool { return last.IsZero() || at.Sub(last) >= d }

// chatState is what the follow-up email depends on in a web chat ticket,
// as the outbox tells it: the times of the latest agent reply, customer
// message and follow-up, and the agent replies after the customer's latest
// message and the latest follow-up, oldest first. "After" is the outbox's
// order, the order the transactions committed in: their times may say
// otherwise, since an Update reads the clock before it waits for the
// inbox's lock (and replicas' clocks differ).
type chatState struct {
	lastReply, lastCustomer, followedUp time.Time
	replies                             []inbox.Message
}

// owed reports whether the ticket owes the visitor a follow-up by the
// inbox's rules, but for their presence and the delay: an agent replied
// after the visitor's latest message and the previous follow-up.
func (c chatState) owed() bool { return len(c.replies) > 0 }

// checkAutomations replays the main inbox's outbox in seq order against a
// model of its automations and checks:
//   - each inbound SMS gets an SMS notification, to the recipients and in the
//     transaction that filed it, exactly when the ticket's previous one is at
//     least the interval older (or there is none), and the auto-reply exactly
//     when the customer's previous one is at least the cool-down older: none
//     missing, none twice, no other notification or auto-reply;
//   - each follow-up email (sent or skipped) is for a web chat ticket whose
//     follow-up was due: agent replies after the visitor's latest message
//     and the ticket's previous follow-up in the outbox's order (one email
//     per burst), the latest more than the delay before, and the visitor
//     away as far as their logged calls and the logged Ticks tell;
//     it carries the replies the visitor missed, from the support address
//     to the one the visitor gave, or is skipped when they gave none;
//   - after the last Tick no follow-up is scheduled, and every ticket whose
//     visitor was left away with a reply unanswered got its follow-up;
//   - the twin inbox, its automations off, has no notification, auto-reply
//     or follow-up;
//   - each ticket's replies are its ReplySent events' messages.
func (r *replicaRun) checkAutomations(main, twin inboxState, recs []record, killed map[int]bool, stats *replicaStats) {
	r.t.Helper()
	for _, e := range twin.events {
		switch e.Type {
		case inbox.SMSNotification, inbox.ReplySent, inbox.FollowUpSent, inbox.FollowUpSkipped:
			r.t.Errorf("twin inbox, its automations off: %+v", e)
		}
	}
	tickets := map[int64]inbox.Ticket{}
	for _, tk := range main.tickets {
		tickets[tk.Number] = tk
	}
	v := visitorsOf(main, recs)
	chats := map[int64]*chatState{}
	notifiedAt, autoRepliedAt := map[int64]time.Time{}, map[string]time.Time{}
	matched := map[int64]bool{} // the seqs of notifications and auto-replies of an inbound SMS
	replies := map[int64][]inbox.Message{}
	for i, e := range main.events {
		tk := tickets[e.Ticket]
		if tk.Channel == channel.WebChat && chats[tk.Number] == nil {
			chats[tk.Number] = &chatState{}
		}
		c := chats[tk.Number]
		switch e.Type {
		case inbox.ReplySent:
			replies[tk.Number] = append(replies[tk.Number], *e.Message)
			if c != nil && e.Actor != "" {
				c.lastReply, c.replies = e.At, append(c.replies, *e.Message)
			}
		case inbox.MessageReceived:
			if c != nil {
				c.lastCustomer, c.replies = e.At, nil
			}
			if tk.Channel == channel.SMS {
				stats.texts++
				r.checkText(main.events, i, tk, notifiedAt, autoRepliedAt, matched, stats)
			}
		case inbox.FollowUpSent, inbox.FollowUpSkipped:
			if c == nil {
				r.t.Errorf("seq %d: %s for ticket %d, of channel %s", e.Seq, e.Type, e.Ticket, tk.Channel)
				continue
			}
			stats.followUps += boolInt(e.Type == inbox.FollowUpSent)
			stats.skipped += boolInt(e.Type == inbox.FollowUpSkipped)
			r.checkFollowUp(e, tk, *c, v, recs, killed)
			c.followedUp, c.replies = e.At, nil
		}
	}
	for _, e := range main.events {
		if (e.Type == inbox.SMSNotification || e.Type == inbox.ReplySent && e.Actor == "") && !matched[e.Seq] {
			r.t.Errorf("seq %d: %s on ticket %d outside the transaction of an inbound SMS: %+v", e.Seq, e.Type, e.Ticket, e)
		}
	}
	for _, tk := range main.tickets {
		var outbound []inbox.Message
		for _, m := range main.threads[tk.Number] {
			if m.Direction == inbox.Outbound {
				outbound = append(outbound, m)
			}
		}
		if d := cmp.Diff(replies[tk.Number], outbound); d != "" {
			r.t.Errorf("ticket %d: replies in the outbox and in the thread differ (-outbox +thread):\n%s", tk.Number, d)
		}
		if !tk.FollowUpAt.IsZero() {
			r.t.Errorf("ticket %d: follow-up still scheduled at %s after the last Tick", tk.Number, tk.FollowUpAt)
		}
		c, visits := chats[tk.Number], v.calls[tk.Number]
		if c == nil || len(visits) == 0 || killed[processOf(tk.Key)] {
			continue
		}
		if last := visits[len(visits)-1]; !last.msg && !last.online && c.owed() {
			r.t.Errorf("ticket %d: visitor left away at %s with a reply at %s unanswered (their last message at %s, last follow-up at %s), and no follow-up sent",
				tk.Number, last.after, c.lastReply, c.lastCustomer, c.followedUp)
		}
	}
}

// checkText checks the automations of the inbound SMS of events[i] (a
// MessageReceived of ticket tk): the notification and the auto-reply the
// model wants, in the message's transaction (its next events, after the
// assignment of a new ticket), each as the inbox makes it. It keeps the
// model and matched up to date.
func (r *replicaRun) checkText(events []inbox.Event, i int, tk inbox.Ticket, notifiedAt map[int64]time.Time, autoRepliedAt map[string]time.Time, matched map[int64]bool, stats *replicaStats) {
	r.t.Helper()
	e := events[i]
	next := func(typ inbox.EventType) *inbox.Event {
		if i+1 < len(events) && events[i+1].Type == typ && events[i+1].Ticket == e.Ticket && events[i+1].Actor == "" {
			i++
			matched[events[i].Seq] = true
			return &events[i]
		}
		return nil
	}
	next(inbox.TicketAssigned)
	notified, replied := next(inbox.SMSNotification), next(inbox.ReplySent)
	if want := elapsed(notifiedAt[tk.Number], e.At, notifyInterval); (notified != nil) != want {
		r.t.Errorf("seq %d: text %s at %s to ticket %d, notified last at %s: notified %v, want %v",
			e.Seq, e.Message.ID, e.At.Format(time.StampMicro), tk.Number, notifiedAt[tk.Number].Format(time.StampMicro), notified != nil, want)
	}
	if notified != nil {
		stats.notifications++
		notifiedAt[tk.Number] = e.At
		want := inbox.Event{Seq: notified.Seq, Inbox: e.Inbox, Type: inbox.SMSNotification, At: e.At, Ticket: e.Ticket, Message: e.Message, Recipients: notifyRecipients}
		if d := cmp.Diff(want, *notified); d != "" {
			r.t.Errorf("seq %d: SMS notification (-want +got):\n%s", notified.Seq, d)
		}
	}
	if want := elapsed(autoRepliedAt[tk.Customer], e.At, replyCooldown); (replied != nil) != want {
		r.t.Errorf("seq %d: text %s at %s from %s, auto-replied last at %s: auto-reply %v, want %v",
			e.Seq, e.Message.ID, e.At.Format(time.StampMicro), tk.Customer, autoRepliedAt[tk.Customer].Format(time.StampMicro), replied != nil, want)
	}
	if replied != nil {
		stats.autoReplies++
		autoRepliedAt[tk.Customer] = e.At
		m := replied.Message
		if m == nil || !m.Automatic || m.Direction != inbox.Outbound || m.Body != autoReplyText || !m.At.Equal(e.At) || m.Index != e.Message.Index+1 {
			r.t.Errorf("seq %d: auto-reply to message %+v is %+v", replied.Seq, *e.Message, m)
		}
	}
}

// checkFollowUp checks follow-up e of web chat ticket tk against the state
// of the ticket before it and what the visitors logged.
func (r *replicaRun) checkFollowUp(e inbox.Event, tk inbox.Ticket, c chatState, v visitors, recs []record, killed map[int]bool) {
	r.t.Helper()
	if !c.owed() || e.At.Sub(c.lastReply) <= followUpAfter {
		r.t.Errorf("seq %d: %s for ticket %d at %s, not due: last agent reply at %s, last customer message at %s, last follow-up at %s",
			e.Seq, e.Type, tk.Number, e.At.Format(time.StampMicro), c.lastReply.Format(time.StampMicro), c.lastCustomer.Format(time.StampMicro), c.followedUp.Format(time.StampMicro))
	}
	bound, bounded, err := tickBound(recs, killed, e.At)
	if err != nil {
		r.t.Errorf("seq %d: %s for ticket %d: %v", e.Seq, e.Type, tk.Number, err)
	}
	calls, open := v.calls[tk.Number], killed[processOf(tk.Key)] && v.latest[tk.Key] == tk.Number
	if !mayBeAway(calls, e.Seq, e.At, bound, bounded, open) {
		r.t.Errorf("seq %d: %s for ticket %d at %s (committed by %s), but its visitor was not away: %+v",
			e.Seq, e.Type, tk.Number, e.At.Format(time.StampMicro), bound.Format(time.StampMicro), calls)
	}
	want := inbox.Event{Seq: e.Seq, Inbox: e.Inbox, Type: inbox.FollowUpSkipped, At: e.At, Ticket: tk.Number}
	if email := v.email[tk.Key]; email != "" {
		want.Type, want.EmailFrom, want.EmailTo, want.Messages = inbox.FollowUpSent, supportEmail, email, c.replies
	}
	if d := cmp.Diff(want, e); d != "" {
		r.t.Errorf("seq %d: follow-up of ticket %d (-want +got):\n%s", e.Seq, tk.Number, d)
	}
	if e.Type == inbox.FollowUpSent && len(e.Messages) == 0 {
		r.t.Errorf("seq %d: a follow-up email of ticket %d with no reply in it", e.Seq, tk.Number)
	}
}
