package assign_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/routedesk/routedesk/assign"
)

// weekdays9to5 stands in for an *officehours.Schedule: open 09:00–17:00 UTC,
// Monday to Friday.
type weekdays9to5 struct{}

func (weekdays9to5) IsOpen(t time.Time) bool {
	t = t.UTC()
	return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday && t.Hour() >= 9 && t.Hour() < 17
}

// A pool of three agents takes tickets in turn. The store puts each agent's
// live state (presence, open tickets, capacity) and records every choice
// with Apply.
func Example() {
	var pool assign.Rotation
	for i, id := range []string{"ana", "ben", "cleo"} {
		_ = pool.Put(assign.Member{ID: id, Joined: uint64(i), Presence: assign.Online, Capacity: 10})
	}
	office := weekdays9to5{}
	monday := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)

	for range 4 {
		d := pool.Pick(monday, office)
		_ = pool.Apply(d)
		fmt.Printf("%s: %s\n", d.Agent, d.Reason())
	}

	ben, _ := pool.Member("ben")
	ben.Presence = assign.Offline // ben signs out; he keeps his place
	_ = pool.Put(ben)
	d := pool.Pick(monday, office)
	fmt.Printf("%s: %s\n", d.Agent, d.Reason())

	d = pool.Pick(time.Date(2025, 3, 8, 10, 0, 0, 0, time.UTC), office) // Saturday
	fmt.Printf("%q: %s\n", d.Agent, d.Reason())
	// Output:
	// ana: round robin: least recently assigned of 3 eligible
	// ben: round robin: least recently assigned of 3 eligible
	// cleo: round robin: least recently assigned of 3 eligible
	// ana: round robin: least recently assigned of 3 eligible
	// cleo: round robin: least recently assigned of 2 eligible; 1 offline
	// "": inbox closed: outside office hours
}

// Explain answers an admin who asks "why did Dana get this ticket?".
func ExampleRotation_Explain() {
	var pool assign.Rotation
	_ = pool.Put(assign.Member{ID: "dana", Joined: 1, Last: 4, Presence: assign.Online})
	_ = pool.Put(assign.Member{ID: "eli", Joined: 2, Last: 7, Presence: assign.Online})
	_ = pool.Put(assign.Member{ID: "fay", Joined: 3, Last: 2, Presence: assign.Offline})
	_ = pool.Put(assign.Member{ID: "gus", Joined: 4, Last: 1, Presence: assign.Online, Open: 3, Capacity: 3})
	pool.SetSeq(7)

	e := pool.Explain(time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), nil)
	fmt.Println(e)
	fmt.Println("hal:", e.For("hal"))
	// Output:
	// round robin: least recently assigned of 2 eligible; 1 offline, 1 at capacity
	//   gus: at capacity (3 of 3 open)
	//   fay: offline
	//   dana: chosen, least recently assigned (last automatic assignment #4)
	//   eli: eligible but not next (last automatic assignment #7)
	// hal: not_in_pool
}

// A manual assignment is not an automatic one: the store only counts the
// ticket, and the rotation is untouched.
func ExampleRotation_Put_manualAssignment() {
	var pool assign.Rotation
	_ = pool.Put(assign.Member{ID: "ana", Joined: 1, Presence: assign.Online})
	_ = pool.Put(assign.Member{ID: "ben", Joined: 2, Presence: assign.Online})

	ana, _ := pool.Member("ana")
	ana.Open++ // ana claims a ticket by hand
	_ = pool.Put(ana)

	fmt.Println(pool.Pick(time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), nil).Agent, pool.Seq())
	// Output:
	// ana 0
}

// Apply refuses a decision once the rotation has moved on, so a decision can
// never be recorded twice.
func ExampleRotation_Apply() {
	var pool assign.Rotation
	_ = pool.Put(assign.Member{ID: "ana", Presence: assign.Online})
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)

	d := pool.Pick(now, nil)
	fmt.Println(pool.Apply(d))
	err := pool.Apply(d)
	fmt.Println(errors.Is(err, assign.ErrStale))
	fmt.Println(err)
	ana, _ := pool.Member("ana")
	fmt.Println(ana.Last, pool.Seq())
	// Output:
	// <nil>
	// true
	// assign: stale decision for "ana" made at seq 0: the pool's sequence number is now 1
	// 1 1
}
