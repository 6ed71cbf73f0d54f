package inbox

import (
	"context"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/status"
)

// MaxBulk is the most tickets one bulk call (Assign, Unassign) takes.
const MaxBulk = 500

// Assign assigns tickets to a member: to oneself or to anyone who may use the
// inbox; reassigning is the same call. All the tickets are assigned, or none
// (an unknown ticket fails the whole call). Tickets already held by assignee
// are left alone. Manual assignment never touches the round-robin rotation.
func (ib *Inbox) Assign(ctx context.Context, a Actor, assignee string, tickets ...int64) error {
	if err := checkBulk(a, OpAssign, tickets); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		m, err := tx.Member(assignee)
		if err != nil {
			return err
		}
		for _, n := range tickets {
			t, err := tx.Ticket(n)
			if err != nil {
				return err
			}
			if t.Assignee == m.ID {
				continue
			}
			if err := setAssignee(tx, t, m.ID, Event{At: now, Actor: a.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Claim assigns an unassigned ticket to the actor. A ticket someone else
// holds is ErrAlreadyAssigned: a claim never steals. Claiming one's own
// ticket again does nothing.
func (ib *Inbox) Claim(ctx context.Context, a Actor, ticket int64) error {
	if err := check(a, OpAssign); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		if _, err := tx.Member(a.ID); err != nil {
			return err
		}
		t, err := tx.Ticket(ticket)
		if err != nil {
			return err
		}
		switch t.Assignee {
		case a.ID:
			return nil
		case "":
			return setAssignee(tx, t, a.ID, Event{At: now, Actor: a.ID})
		default:
			return &AssignedError{Ticket: t.Number, Assignee: t.Assignee}
		}
	})
}

// Unassign puts tickets back in Unassigned ("No assignee"), all or none.
// Tickets nobody holds are left alone.
func (ib *Inbox) Unassign(ctx context.Context, a Actor, tickets ...int64) error {
	if err := checkBulk(a, OpAssign, tickets); err != nil {
		return err
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		for _, n := range tickets {
			t, err := tx.Ticket(n)
			if err != nil {
				return err
			}
			if t.Assignee == "" {
				continue
			}
			if err := setAssignee(tx, t, "", Event{At: now, Actor: a.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

func checkBulk(a Actor, op Op, tickets []int64) error {
	if err := check(a, op); err != nil {
		return err
	}
	if len(tickets) == 0 || len(tickets) > MaxBulk {
		return invalid("tickets", "%d tickets; give 1 to %d", len(tickets), MaxBulk)
	}
	return nil
}

// setAssignee gives t to assignee ("" for nobody) and records it: e carries
// the time, the actor and, for round robin, the decision.
func setAssignee(tx Tx, t Ticket, assignee string, e Event) error {
	old := t
	t.Assignee = assignee
	if err := putTicket(tx, old, t); err != nil {
		return err
	}
	e.Ticket, e.Assignee, e.Type = t.Number, assignee, TicketAssigned
	if assignee == "" {
		e.Type = TicketUnassigned
	}
	_, err := tx.Emit(e)
	return err
}

// putTicket saves t over old and keeps the members' open-ticket counts, which
// round robin's capacity caps read, in step.
func putTicket(tx Tx, old, t Ticket) error {
	if err := tx.PutTicket(t); err != nil {
		return err
	}
	was, is := holder(&old), holder(&t)
	if was == is {
		return nil
	}
	if err := addLoad(tx, was, -1); err != nil {
		return err
	}
	return addLoad(tx, is, +1)
}

// holder is the member whose capacity t counts against: its assignee while it
// is open.
func holder(t *Ticket) string {
	if t.Status != status.Open {
		return ""
	}
	return t.Assignee
}

func addLoad(tx Tx, member string, delta int) error {
	if member == "" {
		return nil
	}
	rot, err := tx.Rotation()
	if err != nil {
		return err
	}
	m, ok := rot.Member(member)
	if !ok { // removed from the inbox; nothing to count
		return nil
	}
	m.Open = max(0, m.Open+delta)
	return tx.PutRotationMember(m)
}

// roundRobin asks round robin for a new ticket's assignee, sets *d to its
// decision and, when it chose someone, records the choice and gives them t.
func roundRobin(tx Tx, t *Ticket, s *Settings, now time.Time, d *assign.Decision) error {
	rot, err := tx.Rotation()
	if err != nil {
		return err
	}
	*d = rot.Pick(now, hoursOf(s.OfficeHours))
	if d.Agent == "" {
		return nil
	}
	if err := tx.ApplyDecision(*d); err != nil {
		return err
	}
	t.Assignee = d.Agent
	return nil
}

// assignWaiting hands the open tickets waiting in Unassigned to round robin,
// oldest first, until none is left or nobody is eligible. It does nothing
// unless both round robin and waiting-ticket assignment are on.
func assignWaiting(tx Tx, s Settings, now time.Time) error {
	if !s.RoundRobin || !s.AssignWaiting {
		return nil
	}
	nobody := ""
	for {
		waiting, err := tx.Tickets(Filter{Statuses: []status.Status{status.Open}, Assignee: &nobody, Order: OldestFirst, Limit: 100})
		if err != nil || len(waiting) == 0 {
			return err
		}
		for _, t := range waiting {
			given, d := t, new(assign.Decision)
			if err := roundRobin(tx, &given, &s, now, d); err != nil || d.Agent == "" {
				return err
			}
			if err := setAssignee(tx, t, d.Agent, Event{At: now, Decision: d}); err != nil {
				return err
			}
		}
	}
}
