// Package assign decides who gets a new ticket: agent presence, fair round
// robin, eligibility and capacity, and a reason for every choice.
//
// # The model
//
// A [Rotation] is the round-robin state of one pool of agents (the whole
// inbox by default; a team reuses the same type for its own pool). Its
// persisted state is tiny and has the shape a SQL store keeps in two columns:
// the pool's sequence number ([Rotation.Seq]) and, per member, the join order
// ([Member.Joined]) and the sequence number of the member's last automatic
// assignment ([Member.Last]; 0 means never). Everything else about a member
// ([Member.Presence], [Member.Open], [Member.Capacity], [Member.Hours]) is the
// agent's live state, supplied by the store from the agent's record and kept
// up to date with [Rotation.Put]; it is not rotation state.
//
// A member is eligible for a new ticket when they are [Online], under their
// capacity cap if they have one (Open < Capacity), inside their own working
// hours if they have any, and the inbox itself is inside its office hours.
// [Rotation.Pick] chooses, among the eligible members, the one whose last
// automatic assignment is oldest: members never assigned come first, then
// ties are broken by join order and finally by ID, so every replica holding
// the same state makes the same choice. [Rotation.Apply] records the choice:
// the pool's sequence number advances by one and the chosen member's Last
// becomes the new number, which sends them to the back of the line.
//
// Manual assignment, claiming, reassigning and unassigning never touch the
// rotation: the store only updates the agent's open-ticket count with Put,
// so an agent who takes a ticket by hand (inside office hours or not) neither
// loses nor gains a turn. An agent who goes offline keeps their Last, so they
// keep their place and are eligible again, in the same order, as soon as they
// are back online.
//
// Office hours come in through the one-method [Hours] interface; the usual
// implementation is *officehours.Schedule. A nil Hours means "always open".
//
// # Every choice explained
//
// A [Decision] names the chosen agent and carries the counts behind a compact
// [Decision.Reason] such as "round robin: least recently assigned of 37
// eligible; 5 offline, 2 at capacity". [Rotation.Explain] lists every member,
// next in turn first, with the [Verdict] that chose or passed over each:
// offline, at capacity, inbox closed, outside their own hours, chosen, or
// eligible but not next; [Explanation.For] answers [NotInPool] for an agent who
// is not a member.
//
// # Cost
//
// A Rotation is also an in-memory index. The members who are online and under
// capacity are kept in a skip list ordered by (Last, Joined, ID) that also
// remembers the last node of each of its levels, so offline and at-capacity
// members cost nothing at Pick time, and the steady state of a round robin
// (the first in line is chosen and goes to the back) searches nothing:
//
//	Pick                O(1 + s), s = members skipped as outside their own hours
//	Apply               O(1) expected when the chosen is first in line (the steady state),
//	                    otherwise O(log n + s) expected
//	Put, Remove         O(log n) expected; O(1) when only Open changes within the cap
//	Member, Seq, SetSeq O(1)
//	Members, Explain    O(n log n): they sort all members
//
// Pick and Apply allocate nothing.
//
// # Decisions made where the specification was silent
//
//   - The precedence of verdicts is fixed: offline, then at capacity, then
//     inbox closed, then outside own hours. A member is reported under the
//     first that applies. When the inbox is closed nobody's own hours are
//     consulted.
//   - Decision counts are O(1) counters, so Pick does not check the own hours
//     of members behind the chosen one: [Decision.OutsideHours] counts the
//     members Pick skipped, and [Decision.Eligible] counts every other member
//     who is online and under capacity. [Rotation.Explain] checks everyone.
//   - Apply refuses a decision (with a [*StaleError], changing nothing) when
//     the pool's sequence number moved since Pick, when the chosen agent is no
//     longer a member, no longer online or now at capacity, or when a member
//     without own hours is now ahead of them in line (so Pick would no longer
//     choose them). Apply has no clock, so it cannot recheck anyone's hours:
//     apply a decision in the same transaction as the Pick that made it.
//   - Put validates what it stores (non-empty ID, known presence, no negative
//     counts) and returns a [*MemberError] instead of storing nonsense; it
//     therefore returns an error, which a caller restoring values it got from
//     the rotation itself can never see.
//   - A new member's Last is whatever the caller puts: 0 (never assigned)
//     sends a newcomer to the front of the line, as the product rules say.
//     The rotation stays deterministic when some Last exceeds Seq (a store
//     may Put members before it calls SetSeq), but it is only fair when
//     Seq is at least every member's Last, which holds for any state the
//     rotation itself produced.
//   - Apply returns [ErrSeqExhausted] rather than wrapping around when Seq is
//     already the largest uint64.
//
// # Concurrency
//
// A Rotation is not safe for concurrent use: the store serializes access (a
// lock, or a row locked FOR UPDATE from which the Rotation is rebuilt inside
// the transaction). Its zero value is an empty pool ready to use. It holds
// pointers into its own index, so it must not be copied after first use;
// keep and pass a *Rotation.
//
// The package is pure: no I/O, no goroutines, and no clock; time is always an
// argument.
package assign
