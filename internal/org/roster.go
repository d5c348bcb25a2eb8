package org

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// RosterColumns is the shape of the 党员花名册 the national party-member
// information system (全国党员管理信息系统) exports, which the register
// imports and in which it exports its changes back: the first name of
// each column is what the template and the exports write, the others are
// the headers other versions of the export use.
var RosterColumns = []string{
	"姓名", "性别", "公民身份号码|身份证号|身份证号码", "民族", "出生日期", "学历|文化程度",
	"人员类别|党员类别", "所在党支部|所在党组织|党组织名称", "入党日期|入党时间|成为预备党员日期",
	"转正日期|转正时间", "工作岗位|岗位", "联系电话|手机号|手机号码", "现居住地|现居住地址|家庭住址",
	"工作单位|工作单位名称", "申请入党日期|递交入党申请书日期",
}

// The indexes of RosterColumns, for readers and writers of the sheet.
const (
	ColName = iota
	ColGender
	ColID
	ColEthnicity
	ColBirth
	ColEducation
	ColCategory
	ColBranch
	ColProbation
	ColFull
	ColJob
	ColPhone
	ColResidence
	ColWorkUnit
	ColApplied
)

// Category is the 人员类别 the national roster writes for a standing.
func (s Standing) Category() string {
	if s == FullMember {
		return "正式党员"
	}
	return "预备党员"
}

// MaxRosterRows bounds one roster sheet: a league's members, with room.
const MaxRosterRows = 150_000

// RosterOutcome is what an import does with a row that passes.
type RosterOutcome string

// The outcomes: a member new to the register, one whose details changed,
// one sent again unchanged (nothing is written).
const (
	RosterNew     RosterOutcome = "new"
	RosterChanged RosterOutcome = "changed"
	RosterSame    RosterOutcome = "same"
)

// RosterRow is one row of a roster sheet: the line the user sees, what it
// asks for (Input.Branch and Input.WorkUnit are resolved by the store
// from Branch and Unit), and after ImportRoster what became of it.
type RosterRow struct {
	Line    int
	Input   MemberInput
	Branch  string // 所在党支部 as the sheet names it
	Unit    string // 工作单位: a name or a credit code, "" for none
	Outcome RosterOutcome
	Member  int64 // the member made or matched, when committed
	Err     error // why the row was refused, nil when it passes
}

// RosterSummary counts an import's rows.
type RosterSummary struct {
	New, Changed, Same, Refused int
	// Residents counts the rows whose ID number is a resident's of the
	// register, to whom the member is linked (or already was).
	Residents int
}

// Normalize trims a row's names as well as its input.
func (r *RosterRow) Normalize() {
	r.Input.Normalize()
	r.Branch, r.Unit = strings.TrimSpace(r.Branch), strings.TrimSpace(r.Unit)
}

// ChangeKind is how a member changed since a date, as the national
// system's change report names it.
type ChangeKind string

// The kinds of change.
const (
	ChangeNew     ChangeKind = "new"     // 新增
	ChangeUpdated ChangeKind = "changed" // 变更
	ChangeOut     ChangeKind = "out"     // 转出
	ChangeIn      ChangeKind = "in"      // 转入
)

// Change is one member's change since a date: the member as they stand
// now and, for a transfer, the other side.
type Change struct {
	Kind   ChangeKind
	Date   string // the day of the change
	Other  string // for 转出 / 转入, the branch on the other side
	Member Member
}

// MemberFilter pages through the members of a subtree by id, the cursor
// the API hands back.
type MemberFilter struct {
	Region string // a subtree of home regions; "" for all the actor may read
	After  int64  // the last id of the page before
	Limit  int
}

// Flow is a 流动党员's stay away from their branch with a temporary
// branch: one of the register (TempOrg) or, outside it, only named.
type Flow struct {
	ID         int64
	Member     int64
	MemberName string
	Branch     int64 // the member's own branch
	BranchName string
	TempOrg    int64
	TempName   string
	Place      string // where they work away
	From       string
	To         string // "" while away
}

// FlowInput is what a user gives when a member goes away.
type FlowInput struct {
	TempOrg  int64
	TempName string
	Place    string
	From     string
}

// Validate checks a stay away; the store checks TempOrg.
func (in FlowInput) Validate(now time.Time) error {
	var fs fault.Fields
	if in.TempOrg == 0 {
		if n := utf8.RuneCountInString(strings.TrimSpace(in.TempName)); n == 0 || n > MaxName {
			fs.Add("temp_name", "org.flow.temp_required", MaxName)
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Place)); n == 0 || n > MaxText {
		fs.Add("place", "org.flow.place_required", MaxText)
	}
	if !PastDate(in.From, now) {
		fs.Add("from", "org.date_invalid")
	}
	return fs.Err()
}

// Flows are a branch's 流动党员: its own members away (流出) and the
// members of other branches staying with it (流入).
type Flows struct {
	Out []Flow
	In  []Flow
}

// CoverKind is how a 两新 unit is covered (两个覆盖).
type CoverKind string

// The ways a unit is covered, strongest first; CoverNone is a gap.
const (
	CoverOwn        CoverKind = "own"        // its own branch
	CoverJoint      CoverKind = "joint"      // a joint branch covering several units
	CoverInstructor CoverKind = "instructor" // a 党建指导员, with no organisation
	CoverNone       CoverKind = "none"
)

// CoverKinds lists the kinds in the order pages show them.
var CoverKinds = []CoverKind{CoverOwn, CoverJoint, CoverInstructor, CoverNone}

// CoverArea counts the 两新 units of a region and how they are covered,
// with the members working in them.
type CoverArea struct {
	Code    string
	Name    string
	Units   int
	ByKind  map[CoverKind]int
	Members int // members working in the area's 两新 units
	// GapMembers work in units no organisation or instructor covers.
	GapMembers int
}

// Covered is how many units are covered at all.
func (c CoverArea) Covered() int { return c.Units - c.ByKind[CoverNone] }

// CoverUnit is one 两新 unit with its coverage.
type CoverUnit struct {
	Unit       Unit
	Kind       CoverKind
	By         string // the organisation or instructor covering it
	Members    int
	Instructor string
}

// Coverage is 两个覆盖 for a region: the total, the regions directly
// below it, and its units (the gaps first).
type Coverage struct {
	Total CoverArea
	Areas []CoverArea
	Units []CoverUnit
}

// MaxCoverUnits bounds the units a coverage lists; the counts cover all.
const MaxCoverUnits = 500

// Members is the membership half of the register, beside Service: the
// national roster in and out, 流动党员, 党建指导员 and 两个覆盖.
type Members interface {
	// ImportRoster checks every row of a national roster export against
	// the branches under region the actor manages and, when commit is
	// set, creates and updates the members of the rows that pass, in one
	// transaction. Members are matched by the keyed hash of their ID
	// number; one in another branch is refused (a transfer moves them).
	// The rows are checked and filled in place; a row that arrives with
	// Err set (refused by the sheet's reader) is counted refused as is.
	ImportRoster(ctx context.Context, a *access.Actor, region string, rows []RosterRow, commit bool) ([]RosterRow, RosterSummary, error)
	// MemberChanges lists the members under region that were added,
	// changed or transferred on or after since, for the national system.
	// With a reason it is the full export the national system matches by
	// ID number: it needs org.manage over region, fills IDNumber and Phone
	// and is audited with the reason; without one numbers stay masked.
	MemberChanges(ctx context.Context, a *access.Actor, region, since, reason string) ([]Change, error)
	// MemberPage pages through the members under a region by id.
	MemberPage(ctx context.Context, a *access.Actor, f MemberFilter) ([]Member, error)

	StartFlow(ctx context.Context, a *access.Actor, member int64, in FlowInput) (*Member, error)
	EndFlow(ctx context.Context, a *access.Actor, member int64, date string) (*Member, error)
	Flows(ctx context.Context, a *access.Actor, branch int64) (*Flows, error)

	// SetInstructor assigns a 党建指导员 to a unit from a date; the one
	// before leaves that day, and an empty name leaves none.
	SetInstructor(ctx context.Context, a *access.Actor, unit int64, name, date string) (*Unit, error)
	Coverage(ctx context.Context, a *access.Actor, region string) (*Coverage, error)

	// Split divides an organisation (分设): the members listed leave it
	// for a new organisation beside it, under the same parent.
	Split(ctx context.Context, a *access.Actor, id int64, in SplitInput) (*Org, error)
}

// SplitInput is a split: the new organisation and the members who go to it.
type SplitInput struct {
	Name    string
	Kind    Kind
	Region  string // the region the new one is attached to; "" keeps the old one's
	Units   []int64
	Members []int64
	Date    string
	Reason  string
}
