// Package review is the review and public-notice engine (审核 + 公示) that
// the Moral Bank, the rural-leader programme, honours and training share.
// A module that owns a subject (an award, an application) submits it under
// a named Flow; the item then walks the flow's steps in order, each
// approval decided by someone holding the step's permission over the
// item's region, each notice window open to the villagers' objections, and
// the last step's end finalises it. Every transition is logged with who,
// when and why.
package review

import (
	"context"
	"time"

	"shanzhi/internal/access"
)

// State is where an item stands. Pending and InNotice are open; the rest
// are final.
type State string

// The states.
const (
	Pending   State = "pending"   // waiting for the current approve step's decision
	InNotice  State = "in_notice" // in a public-notice window
	Approved  State = "approved"  // every step passed
	Rejected  State = "rejected"  // an approver said no
	Returned  State = "returned"  // sent back to the submitter; they submit anew
	Cancelled State = "cancelled" // an objection was upheld
	Withdrawn State = "withdrawn" // its submitter's side took it back before it ended
)

// States lists every state in the order pages show them.
var States = []State{Pending, InNotice, Approved, Rejected, Returned, Cancelled, Withdrawn}

// Open reports whether the item can still move.
func (s State) Open() bool { return s == Pending || s == InNotice }

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, t := range States {
		if s == t {
			return true
		}
	}
	return false
}

// Decision is what an approver decides at an approve step.
type Decision string

// The decisions. Reject and return need a reason.
const (
	Approve Decision = "approve" // 同意: on to the next step
	Reject  Decision = "reject"  // 不同意: the item ends rejected
	Return  Decision = "return"  // 退回: the item ends returned, for correction and a new submission
)

// Action names a transition in the log.
type Action string

// The actions.
const (
	ActSubmit   Action = "submit"
	ActApprove  Action = "approve"
	ActReject   Action = "reject"
	ActReturn   Action = "return"
	ActObject   Action = "object"
	ActUphold   Action = "uphold"   // an objection was upheld: the item is cancelled
	ActDismiss  Action = "dismiss"  // an objection was dismissed
	ActFinalise Action = "finalise" // a notice window closed with nothing open
	ActWithdraw Action = "withdraw" // the submitter's side took the item back
)

// Summary is what a public notice shows about an item, and all it shows:
// no ID number, phone or other household member ever belongs here, and
// Validate refuses anything that looks like one.
type Summary struct {
	Title  string // 事由, e.g. "孝老爱亲 加 5 分"
	Person string // masked name, e.g. "张**"; see MaskName
	// PersonMongol is the same person's masked name in traditional
	// script (mongol.Mask), when one is recorded; bilingual notices show
	// it beside Person.
	PersonMongol string
	Points       int64  // points at stake, 0 when none
	Note         string // a short public remark
}

// Item is one thing under review.
type Item struct {
	ID          int64
	Flow        string
	SubjectKind string // what the owner reviews, e.g. "award"
	SubjectID   int64
	Region      string // the village the item belongs to
	Summary     Summary
	Step        int // index into the flow's steps; len(steps) once approved
	State       State
	WindowStart time.Time // of the current notice window; zero outside one
	WindowEnd   time.Time
	// OpenObjections counts objections not yet resolved; while it is
	// above zero the notice window cannot finalise.
	OpenObjections int
	SubmitterID    int64
	Submitter      string
	Created        time.Time
	Updated        time.Time
	// Filled by Service.Item only.
	Transitions []Transition
	Objections  []Objection

	// NoticeDays is the length of the item's notice windows as its
	// module's rules set it on submission (a scheme's 公示期); 0 keeps the
	// flow's own.
	NoticeDays int
}

// Transition is one entry of an item's log.
type Transition struct {
	ID      int64
	ItemID  int64
	Step    int
	Action  Action
	From    State // "" for the submission
	To      State
	ActorID int64 // 0 for the system and for anonymous objectors
	Actor   string
	Reason  string
	At      time.Time
}

// ObjectionState is where an objection stands.
type ObjectionState string

// The objection states. Moot objections were still open when another one
// was upheld and the item cancelled.
const (
	ObjOpen      ObjectionState = "open"
	ObjUpheld    ObjectionState = "upheld"
	ObjDismissed ObjectionState = "dismissed"
	ObjMoot      ObjectionState = "moot"
)

// Objection is a villager's objection during a notice window. Who lodged
// it is kept for the audit trail but never shown on public pages, so that
// nobody in a small village is exposed for speaking up.
type Objection struct {
	ID        int64
	ItemID    int64
	Step      int
	Reason    string
	Anonymous bool
	ActorID   int64 // 0 when anonymous
	// Ref is the objector's reference number, the one key to the
	// objection's outcome on the public page.
	Ref        string
	State      ObjectionState
	Resolution string // the reviewer's reason, shown beside the objection
	Resolver   string
	Created    time.Time
	Resolved   time.Time
}

// Notice is what the public notice page shows of an item in notice, or
// of one an upheld objection cancelled before its window would have
// closed: its summary, its window and the objections with their outcomes,
// without anyone's identity.
type Notice struct {
	ItemID      int64
	Flow        string
	Region      string
	SubjectKind string
	State       State // InNotice, or Cancelled by an upheld objection
	Summary     Summary
	// Household is the 户号 of an award's or a correction's household,
	// which the printed 公示 lists beside the masked head; "" otherwise.
	Household   string
	WindowStart time.Time
	WindowEnd   time.Time
	Objections  []PublicObjection
}

// PublicObjection is an objection as the public page shows it.
type PublicObjection struct {
	Reason     string
	State      ObjectionState
	Resolution string
	Created    time.Time
	Resolved   time.Time
}

// Outcome is what the public page shows an objector who brings their
// reference number: the item objected to and where the objection stands,
// and nobody's identity.
type Outcome struct {
	Ref        string
	Region     string
	Title      string
	Person     string // masked
	ItemState  State
	State      ObjectionState
	Resolution string
	Created    time.Time
	Resolved   time.Time
}

// Filter narrows a list of items; zero fields do not filter. Region
// narrows further within the actor's scope, never beyond it.
type Filter struct {
	Flow        string
	State       State
	Region      string
	SubjectKind string
	SubjectID   int64
	Limit       int // 0 means 100; at most 500
	Offset      int
}

// Service is the review engine. Errors: fault.Invalid with field details
// for bad input (a missing reason, an unmasked name), fault.NotFound for an
// unknown item or flow and for items outside the actor's scope,
// fault.Forbidden when the actor may see the item but not act on it,
// fault.Conflict when the item is not at a step that allows the action (a
// notice step cannot be decided, a decided step cannot be decided again,
// a closed window takes no objection).
type Service interface {
	// Submit puts a subject under flow; the item enters the flow's first
	// step. The actor needs the flow's submit permission over region, and
	// a subject can have only one open item per flow.
	Submit(ctx context.Context, a *access.Actor, flow, subjectKind string, subjectID int64, region string, s Summary) (*Item, error)
	// Decide records an approver's decision at the item's current approve
	// step; reject and return need a reason.
	Decide(ctx context.Context, a *access.Actor, itemID int64, d Decision, reason string) (*Item, error)
	// Object lodges an objection during a notice window against an item
	// of village, the one whose notice page took it (an item of another
	// village is fault.NotFound). a is a villager of the item's village,
	// or nil for the anonymous public page. The objection carries the
	// reference number its objector looks the outcome up with.
	Object(ctx context.Context, a *access.Actor, village string, itemID int64, reason string) (*Objection, error)
	// ObjectionOutcome is the public answer to a reference number; an
	// unknown one is fault.NotFound. It needs no actor.
	ObjectionOutcome(ctx context.Context, ref string) (*Outcome, error)
	// Withdraw takes an open item back, by a holder of the flow's submit
	// permission over its region, with a reason; its open objections
	// become moot.
	Withdraw(ctx context.Context, a *access.Actor, itemID int64, reason string) (*Item, error)
	// ResolveObjection upholds an objection, which cancels the item, or
	// dismisses it, which lets the window finalise when due.
	ResolveObjection(ctx context.Context, a *access.Actor, objectionID int64, uphold bool, reason string) (*Item, error)
	// Items lists items within the actor's scope, newest first.
	Items(ctx context.Context, a *access.Actor, f Filter) ([]Item, error)
	// Item returns one item with its transitions and objections.
	Item(ctx context.Context, a *access.Actor, id int64) (*Item, error)
	// PublicNotices lists what the public notice page of a village shows:
	// its items in a notice window, summaries only. It needs no actor.
	PublicNotices(ctx context.Context, village string) ([]Notice, error)
	// FinaliseDue closes every notice window that ended by now with no
	// objection open, moving its item to the next step or approving it,
	// and returns how many it moved. It is idempotent and safe to run from
	// several processes at once: each item moves exactly once.
	FinaliseDue(ctx context.Context, now time.Time) (int, error)
}
