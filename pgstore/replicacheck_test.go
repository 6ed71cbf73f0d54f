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
	closes, unassigns      int
	errors                 int // failed attempts the workers retried
}

func (s replicaStats) String() string {
	return fmt.Sprintf("%d messages (+%d to the twin inbox), %d tickets (+%d), %d events; automatic assignments: stable agents %v, the others %d; "+
		"%d presence changes, %d claims won and %d lost, %d closes, %d give-backs; %d failed attempts retried",
		s.messages, s.twinMessages, s.tickets, s.twinTickets, s.events, s.stableCounts, s.flappingAssignments,
		s.presenceChanges, s.claims, s.lostClaims, s.closes, s.unassigns, s.errors)
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
	var stats replicaStats
	for _, rec := range recs {
		switch {
		case rec.Op == "error":
			stats.errors++
		case rec.Op == "msg" && rec.Inbox == "main":
			stats.messages++
		case rec.Op == "msg":
			stats.twinMessages++
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
	return stats
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
			k := msgKey{tk.Channel.String(), m.ID}
			if t, dup := where[k]; dup {
				r.t.Errorf("inbox %s: message %v is in tickets %d and %d", id, k, t, tk.Number)
			}
			where[k] = tk.Number
			if m.Index != i || m.Direction != inbox.Inbound || m.Author != tk.Customer {
				r.t.Errorf("inbox %s: ticket %d (customer %s) holds message %d: %+v", id, tk.Number, tk.Customer, i, m)
			}
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
		p, err := strconv.Atoi(strings.SplitN(k.id, "-", 3)[1])
		if err != nil || !killed[p] {
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
// ticket ends where its events say; the presence changes, claims, closes
// and give-backs are those the owning processes logged, at the times they
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
		case "claim", "close", "unassign":
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
