package storetest

import (
	"testing"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
	"github.com/routedesk/routedesk/status"
)

var teamTests = []behaviour{
	{"Settings", testSettings},
	{"Settings/ValuesAreCopies", testSettingsCopies},
	{"Members", testMembers},
	{"Rotation", testRotation},
	{"SavedViews", testSavedViews},
	{"Lease", testLease},
}

// schedule is weekdays 9 to 17 in New York.
func schedule(t *testing.T) *officehours.Schedule {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	day := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
	return try(officehours.New(loc, officehours.Week{1: day, 2: day, 3: day, 4: day, 5: day})).must(t)
}

func testSettings(t *testing.T, s inbox.Store) {
	view(t, s, acme, func(tx inbox.ReadTx) { try(tx.Settings()).fails(t, inbox.ErrNotFound) })
	want := fullSettings(t)
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutSettings(want)) })
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "Settings", want, try(tx.Settings()).must(t)) })
	want = inbox.DefaultSettings()
	update(t, s, acme, func(tx inbox.Tx) { ok(t, tx.PutSettings(want)) })
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "Settings replaced", want, try(tx.Settings()).must(t)) })
}

// fullSettings has every field set.
func fullSettings(t *testing.T) inbox.Settings {
	return inbox.Settings{
		RoundRobin: true, OfficeHours: schedule(t), AssignWaiting: true, UnreadBadge: true,
		OrganizationPrefix: "Acme", SupportEmail: "support@example.com",
		SMSAutoReply:      inbox.SMSAutoReply{On: true, Everyone: true, Template: "{{organization_prefix}}: write to {{email}}", Cooldown: time.Hour},
		WebChatAutoReply:  inbox.WebChatAutoReply{InHours: "Hi!", OutOfHours: "We are closed."},
		FollowUp:          inbox.FollowUp{On: true, After: 5 * time.Minute},
		SMSNotify:         inbox.SMSNotify{On: true, Recipients: []string{"ann@example.com", "bob@example.com"}, Interval: time.Minute},
		AttributionWindow: 48 * time.Hour,
	}
}

func testSettingsCopies(t *testing.T, s inbox.Store) {
	in, want := fullSettings(t), fullSettings(t)
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutSettings(in))
		in.SMSNotify.Recipients[0] = "changed by the caller"
		diff(t, "Settings after changing what went in", want, try(tx.Settings()).must(t))
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		got := try(tx.Settings()).must(t)
		got.SMSNotify.Recipients[1] = "changed by the caller"
		diff(t, "Settings after changing a read copy", want, try(tx.Settings()).must(t))
	})
}

func testMembers(t *testing.T, s inbox.Store) {
	ann := inbox.Member{ID: "ann", Name: "Ann", Role: inbox.Owner, Presence: assign.Online, Capacity: 5, Hours: schedule(t), Joined: 2}
	bob := inbox.Member{ID: "bob", Name: "Bob", Role: inbox.Support, Joined: 1}
	cy := inbox.Member{ID: "cy", Name: "Cy", Role: inbox.Manager, Joined: 2}
	view(t, s, acme, func(tx inbox.ReadTx) {
		try(tx.Member("ann")).fails(t, inbox.ErrNotFound)
		diff(t, "Members", []inbox.Member(nil), try(tx.Members()).must(t))
	})
	update(t, s, acme, func(tx inbox.Tx) {
		for _, m := range []inbox.Member{cy, ann, bob} {
			ok(t, tx.PutMember(m))
		}
		isErr(t, tx.PutMember(inbox.Member{Name: "nobody"}), inbox.ErrInvalid)
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Member", ann, try(tx.Member("ann")).must(t))
		diff(t, "Members, by Joined then ID", []inbox.Member{bob, ann, cy}, try(tx.Members()).must(t))
	})
	bob.Presence, bob.Name, bob.Joined = assign.Online, "Robert", 9
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutMember(bob))
		ok(t, tx.DeleteMember("cy"))
		isErr(t, tx.DeleteMember("cy"), inbox.ErrNotFound)
		isErr(t, tx.DeleteMember("dan"), inbox.ErrNotFound)
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "Members after a replace and a delete", []inbox.Member{ann, bob}, try(tx.Members()).must(t))
		try(tx.Member("cy")).fails(t, inbox.ErrNotFound)
	})
}

// rotationState is what a Rotation holds, for comparing.
type rotationState struct {
	Seq     uint64
	Members []assign.Member
}

func rotationOf(t fataler, tx inbox.ReadTx) rotationState {
	r := try(tx.Rotation()).must(t)
	return rotationState{r.Seq(), r.Members()}
}

func testRotation(t *testing.T, s inbox.Store) {
	view(t, s, acme, func(tx inbox.ReadTx) { diff(t, "a new rotation", rotationState{}, rotationOf(t, tx)) })
	ann := assign.Member{ID: "ann", Joined: 1, Presence: assign.Online}
	bob := assign.Member{ID: "bob", Joined: 2, Presence: assign.Online, Capacity: 3}
	now := at(0)
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutRotationMember(bob))
		ok(t, tx.PutRotationMember(ann))
		isErr(t, tx.PutRotationMember(assign.Member{Presence: assign.Online}), assign.ErrInvalidMember)
		d := try(tx.Rotation()).must(t).Pick(now, nil)
		if d.Agent != "ann" {
			t.Fatalf("Pick chose %q, want ann", d.Agent)
		}
		ok(t, tx.ApplyDecision(d))
		isErr(t, tx.ApplyDecision(d), assign.ErrStale)
		isErr(t, tx.ApplyDecision(assign.Decision{Seq: 1}), assign.ErrNoChoice)
	})
	ann.Last = 1
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "rotation after an assignment", rotationState{1, []assign.Member{ann, bob}}, rotationOf(t, tx))
		if d := try(tx.Rotation()).must(t).Pick(now, nil); d.Agent != "bob" {
			t.Fatalf("next Pick chose %q, want bob", d.Agent)
		}
	})
	bob.Open = 1
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutRotationMember(bob))
		ok(t, tx.RemoveRotationMember("ann"))
		ok(t, tx.RemoveRotationMember("nobody"))
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "rotation after a put and a remove", rotationState{1, []assign.Member{bob}}, rotationOf(t, tx))
	})
}

func testSavedViews(t *testing.T, s inbox.Store) {
	mine := inbox.SavedView{ID: "v2", Name: "My VIPs", Owner: "ann", Query: inbox.Query{
		View: inbox.Mine, Statuses: []status.Status{status.Open, status.Snoozed}, Channels: []channel.Kind{channel.SMS},
		Tags: []string{"vip"}, UnreadOnly: true, CreatedFrom: at(1), CreatedTo: at(2), Order: inbox.OldestFirst, Limit: 20,
		Cursor: "kept as given",
	}}
	shared := inbox.SavedView{ID: "v1", Name: "Billing", Owner: "bob", Shared: true, Query: inbox.Query{Tags: []string{"billing"}}}
	private := inbox.SavedView{ID: "v3", Name: "Bob's", Owner: "bob", Query: inbox.Query{Assignee: "bob"}}
	view(t, s, acme, func(tx inbox.ReadTx) {
		try(tx.SavedView("v1")).fails(t, inbox.ErrNotFound)
		diff(t, "SavedViews", []inbox.SavedView(nil), try(tx.SavedViews("ann")).must(t))
	})
	update(t, s, acme, func(tx inbox.Tx) {
		for _, v := range []inbox.SavedView{private, mine, shared} {
			ok(t, tx.PutSavedView(v))
		}
		isErr(t, tx.PutSavedView(inbox.SavedView{Name: "no ID"}), inbox.ErrInvalid)
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "SavedView", mine, try(tx.SavedView("v2")).must(t))
		diff(t, "SavedViews(ann)", []inbox.SavedView{shared, mine}, try(tx.SavedViews("ann")).must(t))
		diff(t, "SavedViews(bob)", []inbox.SavedView{shared, private}, try(tx.SavedViews("bob")).must(t))
		diff(t, "SavedViews(cy)", []inbox.SavedView{shared}, try(tx.SavedViews("cy")).must(t))
		got := try(tx.SavedView("v2")).must(t)
		got.Query.Tags[0] = "changed by the caller"
		diff(t, "SavedView after changing a read copy", mine, try(tx.SavedView("v2")).must(t))
	})
	shared.Shared = false
	update(t, s, acme, func(tx inbox.Tx) {
		ok(t, tx.PutSavedView(shared))
		ok(t, tx.DeleteSavedView("v2"))
		isErr(t, tx.DeleteSavedView("v2"), inbox.ErrNotFound)
	})
	view(t, s, acme, func(tx inbox.ReadTx) {
		diff(t, "SavedViews(ann) after unsharing and deleting", []inbox.SavedView(nil), try(tx.SavedViews("ann")).must(t))
		diff(t, "SavedViews(bob)", []inbox.SavedView{shared, private}, try(tx.SavedViews("bob")).must(t))
	})
}

func testLease(t *testing.T, s inbox.Store) {
	lease := func(holder string, now, until int) bool {
		var got bool
		update(t, s, acme, func(tx inbox.Tx) { got = try(tx.Lease("tick", holder, at(now), at(until))).must(t) })
		return got
	}
	for _, c := range []struct {
		holder     string
		now, until int
		want       bool
	}{
		{"r1", 0, 10, true},  // free
		{"r2", 5, 15, false}, // held by r1 until 10
		{"r1", 5, 20, true},  // renewed by its holder
		{"r2", 19, 30, false},
		{"r2", 20, 30, true}, // expired at 20
		{"r1", 25, 40, false},
	} {
		if got := lease(c.holder, c.now, c.until); got != c.want {
			t.Fatalf("Lease(%s, now %d, until %d) = %v, want %v", c.holder, c.now, c.until, got, c.want)
		}
	}
	update(t, s, acme, func(tx inbox.Tx) {
		// Another lease name is independent.
		if !try(tx.Lease("other", "r1", at(25), at(26))).must(t) {
			t.Fatal("a lease of another name was refused")
		}
		try(tx.Lease("", "r1", at(0), at(1))).fails(t, inbox.ErrInvalid)
		try(tx.Lease("tick", "", at(0), at(1))).fails(t, inbox.ErrInvalid)
		try(tx.Lease("tick", "r1", at(1), at(1))).fails(t, inbox.ErrInvalid)
		try(tx.Lease("tick", "r1", at(2), at(1))).fails(t, inbox.ErrInvalid)
	})
}
