package inbox

import (
	"context"
	"errors"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/status"
)

// PutMember adds a member of the host's team to the inbox, or updates their
// name, role, capacity and hours. It is a host call (the host owns its user
// directory), so it takes no Actor. A member keeps their presence and their
// place in the rotation across updates; a new member is Offline and joins the
// rotation last. The role must be one that may use the inbox.
func (ib *Inbox) PutMember(ctx context.Context, m Member) error {
	switch {
	case m.ID == "":
		return invalid("member ID", "empty")
	case !HasAccess(m.Role):
		return invalid("member role", "%q may not use the inbox", m.Role)
	case m.Capacity < 0:
		return invalid("member capacity", "%d is negative", m.Capacity)
	}
	return ib.update(ctx, func(tx Tx, _ time.Time) error {
		old, err := tx.Member(m.ID)
		switch {
		case err == nil:
			m.Presence, m.Joined = old.Presence, old.Joined
		case errors.Is(err, ErrNotFound):
			all, err := tx.Members()
			if err != nil {
				return err
			}
			m.Presence, m.Joined = assign.Offline, 1
			if len(all) > 0 {
				m.Joined = all[len(all)-1].Joined + 1
			}
		default:
			return err
		}
		return putMember(tx, m)
	})
}

// putMember saves a member and their place in the rotation, which mirrors the
// member's presence, capacity and hours.
func putMember(tx Tx, m Member) error {
	if err := tx.PutMember(m); err != nil {
		return err
	}
	rot, err := tx.Rotation()
	if err != nil {
		return err
	}
	rm, _ := rot.Member(m.ID)
	rm.ID, rm.Joined, rm.Presence, rm.Capacity, rm.Hours = m.ID, m.Joined, m.Presence, m.Capacity, hoursOf(m.Hours)
	return tx.PutRotationMember(rm)
}

// RemoveMember removes a member from the inbox and the rotation. Their open
// and snoozed tickets go back to Unassigned; closed tickets keep them as
// assignee for the record. A host call: it takes no Actor.
func (ib *Inbox) RemoveMember(ctx context.Context, id string) error {
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		if err := tx.DeleteMember(id); err != nil {
			return err
		}
		if err := tx.RemoveRotationMember(id); err != nil {
			return err
		}
		for {
			held, err := tx.Tickets(Filter{Statuses: []status.Status{status.Open, status.Snoozed}, Assignee: &id, Order: OldestFirst, Limit: 500})
			if err != nil || len(held) == 0 {
				return err
			}
			for _, t := range held {
				if err := setAssignee(tx, t, "", Event{At: now}); err != nil {
					return err
				}
			}
		}
	})
}

// Members lists the members of the inbox, in the order they joined, with
// their presence.
func (ib *Inbox) Members(ctx context.Context, a Actor) ([]Member, error) {
	var ms []Member
	err := ib.view(ctx, a, OpRead, func(tx ReadTx) (err error) {
		ms, err = tx.Members()
		return err
	})
	return ms, err
}

// SetPresence sets a member's presence. Members set only their own:
// setting anyone else's is ErrForbidden. Coming online may hand the member
// waiting tickets at once (Settings.AssignWaiting).
func (ib *Inbox) SetPresence(ctx context.Context, a Actor, member string, p assign.Presence) error {
	if err := check(a, OpPresence); err != nil {
		return err
	}
	if a.ID != member {
		return &ForbiddenError{Actor: a, Op: OpPresence}
	}
	return ib.setPresence(ctx, a.ID, member, p)
}

// SignOut makes a member Offline: the host calls it when they sign out. A
// host call: it takes no Actor.
func (ib *Inbox) SignOut(ctx context.Context, member string) error {
	return ib.setPresence(ctx, "", member, assign.Offline)
}

func (ib *Inbox) setPresence(ctx context.Context, actor, member string, p assign.Presence) error {
	if !p.Valid() {
		return invalid("presence", "%d is not a presence", uint8(p))
	}
	return ib.update(ctx, func(tx Tx, now time.Time) error {
		m, err := tx.Member(member)
		if err != nil {
			return err
		}
		if m.Presence == p {
			return nil
		}
		m.Presence = p
		if err := putMember(tx, m); err != nil {
			return err
		}
		if _, err := tx.Emit(Event{Type: PresenceChanged, At: now, Actor: actor, Assignee: member, Presence: &p}); err != nil {
			return err
		}
		if p != assign.Online {
			return nil
		}
		s, err := settings(tx)
		if err != nil {
			return err
		}
		return assignWaiting(tx, s, now)
	})
}
