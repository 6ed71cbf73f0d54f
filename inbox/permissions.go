package inbox

// Role is a person's role in the host's account. Only [Owner], [Admin],
// [Manager] and [Support] may use an inbox; any other role (an analyst, a
// marketer) is refused every call with [ErrForbidden].
type Role string

// The roles that may use an inbox.
const (
	Owner   Role = "owner"
	Admin   Role = "admin"
	Manager Role = "manager"
	Support Role = "support"
)

// Actor is the person making a call: the host authenticates them and says who
// they are and which role they have. Every call a person makes takes an Actor
// and is checked against the permission table.
type Actor struct {
	ID   string // the user's ID in the host; the same ID as their [Member]
	Role Role
}

// Op is an operation checked against the permission table.
type Op uint8

// The operations of the permission table.
const (
	OpRead      Op = iota + 1 // read tickets, views, threads, overviews and unread counts
	OpReply                   // reply to a customer
	OpAssign                  // assign, claim, reassign and unassign tickets
	OpStatus                  // snooze, close and reopen tickets
	OpTag                     // add and remove tags
	OpMarkRead                // mark tickets read
	OpPresence                // set one's own presence
	OpSaveView                // save and delete one's own custom views
	OpShareView               // save and delete views shared with the whole team
	OpSettings                // change the inbox's settings
	OpReport                  // read reports
	opEnd
)

var opNames = [...]string{
	OpRead: "read", OpReply: "reply", OpAssign: "assign", OpStatus: "change status",
	OpTag: "tag", OpMarkRead: "mark read", OpPresence: "set presence",
	OpSaveView: "save view", OpShareView: "share view", OpSettings: "change settings",
	OpReport: "read reports",
}

// String names the operation.
func (o Op) String() string { return enumString(opNames[:], uint8(o), "op") }

// permissions is the one table that says who may do what. Every role of the
// inbox may work tickets; shared views and settings belong to the people who
// run the team. A role absent from the table may do nothing.
var permissions = map[Role][]Op{
	Owner:   {OpRead, OpReply, OpAssign, OpStatus, OpTag, OpMarkRead, OpPresence, OpSaveView, OpShareView, OpSettings, OpReport},
	Admin:   {OpRead, OpReply, OpAssign, OpStatus, OpTag, OpMarkRead, OpPresence, OpSaveView, OpShareView, OpSettings, OpReport},
	Manager: {OpRead, OpReply, OpAssign, OpStatus, OpTag, OpMarkRead, OpPresence, OpSaveView, OpShareView, OpSettings, OpReport},
	Support: {OpRead, OpReply, OpAssign, OpStatus, OpTag, OpMarkRead, OpPresence, OpSaveView, OpReport},
}

// Allowed reports whether role may perform op.
func Allowed(role Role, op Op) bool {
	for _, o := range permissions[role] {
		if o == op {
			return true
		}
	}
	return false
}

// HasAccess reports whether role may use the inbox at all, and so be a
// member who receives tickets.
func HasAccess(role Role) bool { return len(permissions[role]) > 0 }

// check returns a *ForbiddenError when a may not perform op.
func check(a Actor, op Op) error {
	if a.ID == "" || !Allowed(a.Role, op) {
		return &ForbiddenError{Actor: a, Op: op}
	}
	return nil
}
