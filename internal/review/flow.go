package review

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// StepKind is what a step asks for.
type StepKind string

// The step kinds.
const (
	// StepApprove waits for one decision by a holder of the step's
	// permission over the item's region.
	StepApprove StepKind = "approve"
	// StepNotice opens a public window of Days days in which the item's
	// villagers may object; holders of the step's permission resolve the
	// objections.
	StepNotice StepKind = "notice"
)

// Step is one stage of a flow.
type Step struct {
	Kind StepKind
	// Name is the catalogue key of the step's label, e.g. a key naming
	// 村委会审批 or 苏木乡镇审核, which the owning module adds.
	Name string
	// Permission is what the decider (approve) or the objection resolver
	// (notice) must hold over the item's region.
	Permission access.Permission
	// Level, when set, is the level the decider's grant must sit at, so
	// that a four-level chain is decided by four levels: a league leader
	// cannot also tick the township box. Zero accepts any grant covering
	// the item's region.
	Level regioncode.Level
	// Days is the length of a notice window.
	Days int
}

// Flow is a named sequence of steps, defined by the module that uses it,
// e.g. "points.award": committee approval at the village, then 7 days of
// notice.
type Flow struct {
	Name string
	// Submit is the permission the submitter needs over the item's region.
	Submit access.Permission
	// SubmitAlso, when set, is a second permission that may submit: the
	// award flow lets villagers declare their own good deeds (申领).
	SubmitAlso access.Permission
	// Answered flows need a reason with every decision, approval too:
	// the reason is the answer the submitter reads (an appeal's).
	Answered bool
	Steps    []Step
}

// MaxNoticeDays bounds a notice window; programmes use 5 to 7 days.
const MaxNoticeDays = 60

// Validate checks a flow definition. A broken one is the programmer's
// mistake, not the user's, so the error is plain and fails start-up.
func (f Flow) Validate() error {
	bad := func(msg string) error { return fmt.Errorf("review flow %q: %s", f.Name, msg) }
	if strings.TrimSpace(f.Name) == "" {
		return bad("no name")
	}
	if f.Submit == "" {
		return bad("no submit permission")
	}
	if len(f.Steps) == 0 {
		return bad("no steps")
	}
	for _, s := range f.Steps {
		switch s.Kind {
		case StepApprove:
			if s.Days != 0 {
				return bad("an approve step has no days")
			}
		case StepNotice:
			if s.Days < 1 || s.Days > MaxNoticeDays {
				return bad("a notice lasts 1 to 60 days")
			}
		default:
			return bad("unknown step kind " + string(s.Kind))
		}
		if s.Permission == "" || s.Name == "" {
			return bad("a step needs a name and a permission")
		}
		if s.Level < 0 || s.Level > regioncode.Village {
			return bad("bad level")
		}
	}
	return nil
}

// Flows is the set of flows a service knows, by name. It is built once at
// start-up and passed to the store, never kept in a global.
type Flows map[string]Flow

// NewFlows checks and indexes flows; a duplicate or broken one fails
// start-up.
func NewFlows(fs ...Flow) (Flows, error) {
	out := Flows{}
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			return nil, err
		}
		if _, dup := out[f.Name]; dup {
			return nil, fmt.Errorf("review flow %q defined twice", f.Name)
		}
		out[f.Name] = f
	}
	return out, nil
}

// Get returns the named flow, or fault.NotFound.
func (fs Flows) Get(name string) (Flow, error) {
	f, ok := fs[name]
	if !ok {
		return Flow{}, fault.OnField(fault.NotFound, "flow", "review.flow.unknown", name)
	}
	return f, nil
}

// Permissions lists every permission any flow names: whoever holds one of
// them somewhere may list the items of that region.
func (fs Flows) Permissions() []access.Permission {
	seen := map[access.Permission]bool{}
	var out []access.Permission
	add := func(p access.Permission) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, f := range fs {
		add(f.Submit)
		for _, s := range f.Steps {
			add(s.Permission)
		}
	}
	return out
}

// Enter returns the state an item takes on reaching step i at now, and
// the window of a notice step: Approved past the last step.
func (f Flow) Enter(i int, now time.Time) (State, time.Time, time.Time) {
	if i >= len(f.Steps) {
		return Approved, time.Time{}, time.Time{}
	}
	s := f.Steps[i]
	if s.Kind == StepNotice {
		return InNotice, now, now.Add(time.Duration(s.Days) * 24 * time.Hour)
	}
	return Pending, time.Time{}, time.Time{}
}

// WithNotice is the flow with every notice step lasting days, as an item
// submitted under a module's own notice rule needs; days 0 (or out of
// range) leaves the flow as it is.
func (f Flow) WithNotice(days int) Flow {
	if days < 1 || days > MaxNoticeDays {
		return f
	}
	f.Steps = slices.Clone(f.Steps)
	for i := range f.Steps {
		if f.Steps[i].Kind == StepNotice {
			f.Steps[i].Days = days
		}
	}
	return f
}

// Holds reports whether a may act at step s on an item of region: the
// step's permission over the region, at the step's level when it names
// one.
func (s Step) Holds(a *access.Actor, region string) bool {
	if a == nil {
		return false
	}
	if s.Level == 0 {
		return a.Can(s.Permission, region)
	}
	at := access.Actor{UserID: a.UserID, Username: a.Username}
	for _, g := range a.Grants {
		if regioncode.LevelOf(g.Region) == s.Level {
			at.Grants = append(at.Grants, g)
		}
	}
	return at.Can(s.Permission, region)
}

// CanDecide checks that a may decide d on it now: the item is pending at
// an approve step, a holds that step's permission, and a reject or return
// carries a reason. Recusal, which needs the item's log, is the store's.
func (f Flow) CanDecide(a *access.Actor, it *Item, d Decision, reason string) error {
	var fs fault.Fields
	switch d {
	case Approve:
		checkReason(&fs, "reason", reason, f.Answered)
	case Reject, Return:
		checkReason(&fs, "reason", reason, true)
	default:
		fs.Add("decision", "review.decision.invalid")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	if it.State != Pending || it.Step >= len(f.Steps) || f.Steps[it.Step].Kind != StepApprove {
		return fault.E(fault.Conflict, "review.decide.not_pending")
	}
	if !f.Steps[it.Step].Holds(a, it.Region) {
		return fault.E(fault.Forbidden, "review.decide.forbidden")
	}
	return nil
}

// Outcome is the state and log action a decision leads to from step i.
func (f Flow) Outcome(i int, d Decision, now time.Time) (State, Action, time.Time, time.Time) {
	switch d {
	case Reject:
		return Rejected, ActReject, time.Time{}, time.Time{}
	case Return:
		return Returned, ActReturn, time.Time{}, time.Time{}
	}
	st, ws, we := f.Enter(i+1, now)
	return st, ActApprove, ws, we
}

// CanObject checks an objection: the item is in a notice window that has
// not closed, and a is nil (the anonymous public page) or a villager of
// the item's village. The reason is required and must carry no contact
// details, because it is shown on the public page.
func CanObject(a *access.Actor, it *Item, reason string, now time.Time) error {
	var fs fault.Fields
	checkReason(&fs, "reason", reason, true)
	if err := fs.Err(); err != nil {
		return err
	}
	if a != nil && !a.Can(access.OwnHousehold, it.Region) {
		return fault.E(fault.Forbidden, "review.object.forbidden")
	}
	if it.State != InNotice || !now.Before(it.WindowEnd) {
		return fault.E(fault.Conflict, "review.object.closed")
	}
	return nil
}

// CanResolve checks a resolution of an objection on it: the item is still
// in notice, a holds the notice step's permission, and the reason, shown
// beside the objection, is given.
func (f Flow) CanResolve(a *access.Actor, it *Item, reason string) error {
	var fs fault.Fields
	checkReason(&fs, "reason", reason, true)
	if err := fs.Err(); err != nil {
		return err
	}
	if it.Step >= len(f.Steps) || f.Steps[it.Step].Kind != StepNotice {
		return fault.E(fault.Conflict, "review.objection.resolved")
	}
	if !f.Steps[it.Step].Holds(a, it.Region) {
		return fault.E(fault.Forbidden, "review.resolve.forbidden")
	}
	return nil
}

// CanWithdraw checks a withdrawal of it: the item is still open, a holds
// the flow's submit permission over its region (a villager who declared
// their own deed cannot pull it from the committee), and a reason is
// given.
func (f Flow) CanWithdraw(a *access.Actor, it *Item, reason string) error {
	var fs fault.Fields
	checkReason(&fs, "reason", reason, true)
	if err := fs.Err(); err != nil {
		return err
	}
	if !it.State.Open() {
		return fault.E(fault.Conflict, "review.withdraw.closed")
	}
	if !a.Can(f.Submit, it.Region) {
		return fault.E(fault.Forbidden, "review.withdraw.forbidden")
	}
	return nil
}

// MaxReason is the longest reason, in characters.
const MaxReason = 500

func checkReason(fs *fault.Fields, field, reason string, required bool) {
	r := strings.TrimSpace(reason)
	switch {
	case r == "" && required:
		fs.Add(field, "review.reason.required")
	case utf8.RuneCountInString(r) > MaxReason:
		fs.Add(field, "review.reason.long", MaxReason)
	case hasContact(r):
		fs.Add(field, "review.reason.contact")
	}
}

// hasContact reports whether s holds what looks like a phone, an ID
// number or a bank card, none of which a public text may carry: seven or
// more digits in a row, or eleven or more joined by spaces or dashes
// (138-1234-5678), which still lets a date like 2026-05-30 through.
// Full-width digits count too.
func hasContact(s string) bool {
	run, joined := 0, 0
	for _, r := range s {
		switch {
		case (r >= '0' && r <= '9') || (r >= '０' && r <= '９'):
			run++
			joined++
			if run >= 7 || joined >= 11 {
				return true
			}
		case r == ' ' || r == '-' || r == '－':
			run = 0
		default:
			run, joined = 0, 0
		}
	}
	return false
}
