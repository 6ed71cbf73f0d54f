package inbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
)

// TestEveryRoleEveryOperation walks every role × every call an actor makes
// and checks that each call is refused exactly when the permission table
// says so.
func TestEveryRoleEveryOperation(t *testing.T) {
	t.Parallel()
	roles := []inbox.Role{inbox.Owner, inbox.Admin, inbox.Manager, inbox.Support, "analyst", ""}
	type call struct {
		name string
		op   inbox.Op
		do   func(f *fixture, a inbox.Actor, ticket int64) error
	}
	on := true
	calls := []call{
		{"Tickets", inbox.OpRead, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.Tickets(f.ctx, a, inbox.Query{})
			return err
		}},
		{"Thread", inbox.OpRead, func(f *fixture, a inbox.Actor, n int64) error {
			_, err := f.ib.Thread(f.ctx, a, n, "")
			return err
		}},
		{"History", inbox.OpRead, func(f *fixture, a inbox.Actor, n int64) error {
			_, err := f.ib.History(f.ctx, a, n)
			return err
		}},
		{"Overview", inbox.OpRead, func(f *fixture, a inbox.Actor, n int64) error {
			_, err := f.ib.Overview(f.ctx, a, n)
			return err
		}},
		{"Members", inbox.OpRead, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.Members(f.ctx, a)
			return err
		}},
		{"Settings", inbox.OpRead, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.Settings(f.ctx, a)
			return err
		}},
		{"UnreadCount", inbox.OpRead, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.UnreadCount(f.ctx, a)
			return err
		}},
		{"SavedViews", inbox.OpRead, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.SavedViews(f.ctx, a)
			return err
		}},
		{"Reply", inbox.OpReply, func(f *fixture, a inbox.Actor, n int64) error {
			_, err := f.ib.Reply(f.ctx, a, n, "hello", channel.Consent{})
			return err
		}},
		{"Assign", inbox.OpAssign, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.Assign(f.ctx, a, "owner", n) }},
		{"Claim", inbox.OpAssign, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.Claim(f.ctx, a, n) }},
		{"Unassign", inbox.OpAssign, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.Unassign(f.ctx, a, n) }},
		{"Snooze", inbox.OpStatus, func(f *fixture, a inbox.Actor, n int64) error {
			return f.ib.Snooze(f.ctx, a, n, f.clock.Now().Add(time.Hour))
		}},
		{"Close", inbox.OpStatus, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.Close(f.ctx, a, n) }},
		{"Reopen", inbox.OpStatus, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.Reopen(f.ctx, a, n) }},
		{"AddTags", inbox.OpTag, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.AddTags(f.ctx, a, n, "x") }},
		{"RemoveTags", inbox.OpTag, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.RemoveTags(f.ctx, a, n, "x") }},
		{"MarkRead", inbox.OpMarkRead, func(f *fixture, a inbox.Actor, n int64) error { return f.ib.MarkRead(f.ctx, a, n) }},
		{"SetPresence", inbox.OpPresence, func(f *fixture, a inbox.Actor, _ int64) error {
			return f.ib.SetPresence(f.ctx, a, a.ID, assign.Online)
		}},
		{"SaveView", inbox.OpSaveView, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.SaveView(f.ctx, a, inbox.SavedView{Name: "mine"})
			return err
		}},
		{"DeleteView", inbox.OpSaveView, func(f *fixture, a inbox.Actor, _ int64) error {
			return f.ib.DeleteView(f.ctx, a, "no-such-view")
		}},
		{"SaveView shared", inbox.OpShareView, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.SaveView(f.ctx, a, inbox.SavedView{Name: "team", Shared: true})
			return err
		}},
		{"UpdateSettings", inbox.OpSettings, func(f *fixture, a inbox.Actor, _ int64) error {
			_, err := f.ib.UpdateSettings(f.ctx, a, inbox.SettingsPatch{RoundRobin: &on})
			return err
		}},
	}
	covered := map[inbox.Op]bool{}
	for _, c := range calls {
		covered[c.op] = true
	}
	for op := inbox.OpRead; op <= inbox.OpReport; op++ {
		if !covered[op] && op != inbox.OpReport { // reports arrive with their own issue
			t.Errorf("no call checks %v", op)
		}
	}
	for _, role := range roles {
		for _, c := range calls {
			f := newFixture(t)
			a := inbox.Actor{ID: "actor", Role: role}
			if inbox.HasAccess(role) {
				f.member("actor", role)
			}
			n := f.receive(chat("c", "v", "hi")).Ticket
			err := c.do(f, a, n)
			if forbidden, want := errors.Is(err, inbox.ErrForbidden), !inbox.Allowed(role, c.op); forbidden != want {
				t.Errorf("%s by %q: %v; forbidden = %v, want %v", c.name, role, err, forbidden, want)
			}
		}
	}
}

func TestPermissionTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		role inbox.Role
		op   inbox.Op
		want bool
	}{
		{inbox.Support, inbox.OpAssign, true},
		{inbox.Support, inbox.OpSettings, false},
		{inbox.Support, inbox.OpShareView, false},
		{inbox.Manager, inbox.OpSettings, true},
		{inbox.Owner, inbox.OpShareView, true},
		{"analyst", inbox.OpRead, false},
		{"", inbox.OpRead, false},
	} {
		if got := inbox.Allowed(tc.role, tc.op); got != tc.want {
			t.Errorf("Allowed(%q, %v) = %v, want %v", tc.role, tc.op, got, tc.want)
		}
	}
}
