// Package org is the organisation department's register (组织底账): units
// (单位), the tree of party organisations, party members and their
// transfers between branches, and the grids (网格) a village is divided
// into. Cadre training, party life and the rider stations stand on it.
//
// Who may see an organisation is decided by its home region: the region it
// is attached to, or, for one attached to units, the home region of the
// organisation above it. Members are seen through their branch.
package org

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
)

// UnitType is the kind of body a unit is.
type UnitType string

// The unit types of the organisation department's statistics.
const (
	Government  UnitType = "government"  // 党政机关
	Institution UnitType = "institution" // 事业单位
	StateFirm   UnitType = "state"       // 国有企业
	PrivateFirm UnitType = "private"     // 非公有制企业
	SocialOrg   UnitType = "social"      // 社会组织
	OtherUnit   UnitType = "other"       // 其他
)

// UnitTypes lists the types in the order forms show them.
var UnitTypes = []UnitType{Government, Institution, StateFirm, PrivateFirm, SocialOrg, OtherUnit}

// Valid reports whether t is a known type.
func (t UnitType) Valid() bool {
	for _, u := range UnitTypes {
		if t == u {
			return true
		}
	}
	return false
}

// TwoNew reports whether units of type t are 两新组织 by default: the
// non-public enterprises and the social organisations.
func (t UnitType) TwoNew() bool { return t == PrivateFirm || t == SocialOrg }

// Text limits, in characters.
const (
	MaxName = 60
	MaxText = 200
)

// UnitInput is what a user gives for a unit.
type UnitInput struct {
	Region     string // the region the unit sits in
	Name       string
	CreditCode string // 统一社会信用代码 (GB 32100); required except for type other
	Type       UnitType
	TwoNew     bool // 两新组织
	// NewEmployment marks the delivery and courier firms whose riders
	// are the 新就业群体 the rider stations serve.
	NewEmployment bool
}

// Normalize trims the texts and puts the credit code in canonical form.
func (in *UnitInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Region = strings.TrimSpace(in.Region)
	in.CreditCode = creditcode.Normalize(in.CreditCode)
}

// Validate checks a unit. Every registered body has a credit code; "other"
// covers unregistered groups.
func (in UnitInput) Validate() error {
	var fs fault.Fields
	if !regioncode.ValidCode(in.Region) {
		fs.Add("region", "org.unit.region_invalid")
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > MaxName {
		fs.Add("name", "org.name_invalid", MaxName)
	}
	if !in.Type.Valid() {
		fs.Add("type", "org.unit.type_invalid")
	}
	switch {
	case in.CreditCode == "" && in.Type != OtherUnit:
		fs.Add("credit_code", "org.unit.credit_code_required")
	case in.CreditCode != "" && !creditcode.Valid(in.CreditCode):
		fs.Add("credit_code", "org.unit.credit_code_invalid")
	}
	return fs.Err()
}

// Unit is a stored unit.
type Unit struct {
	UnitInput
	ID         int64
	RegionName string
	Instructor string // the 党建指导员 assigned now, "" if none
	Created    time.Time
	Updated    time.Time
}

// UnitFilter narrows a list of units.
type UnitFilter struct {
	Region string // a subtree; "" for all the actor may read
	Query  string // part of the name or the credit code
	TwoNew bool   // only 两新 units
	Limit  int
	Offset int
}

// MaxImportRows bounds one units sheet.
const MaxImportRows = 5000

// UnitRow is one row of a units sheet: the line the user sees, what it
// asks for, and after ImportUnits what became of it.
type UnitRow struct {
	Line  int
	Input UnitInput
	ID    int64 // the unit made, when committed
	Err   error // why the row was refused, nil when it passes
}

// Date parses an optional YYYY-MM-DD date; "" is the zero time.
func Date(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.Parse(time.DateOnly, s)
	return d, err == nil
}

// PastDate reports whether s is a YYYY-MM-DD date no later than today in
// the deployment's zone and no earlier than the founding of the party.
func PastDate(s string, now time.Time) bool {
	d, ok := Date(s)
	return ok && s != "" && s <= localtime.Day(now) && d.Year() >= 1921
}

// validDate checks an optional date (PastDate when given).
func validDate(s string, now time.Time) bool { return s == "" || PastDate(s, now) }

// CanRead reports whether a may read the register at region code.
func CanRead(a *access.Actor, code string) bool { return a.Can(access.OrgRead, code) }

// CanManage reports whether a may change the register at region code.
func CanManage(a *access.Actor, code string) bool { return a.Can(access.OrgManage, code) }

// Service is the register. Errors: fault.Invalid with field details for
// bad input, fault.NotFound for what the actor may not read (or that does
// not exist), fault.Forbidden for what they may read but not change,
// fault.Conflict for a second membership, a second grid or a cycle.
type Service interface {
	Members
	Units(ctx context.Context, a *access.Actor, f UnitFilter) ([]Unit, int, error)
	Unit(ctx context.Context, a *access.Actor, id int64) (*Unit, error)
	CreateUnit(ctx context.Context, a *access.Actor, in UnitInput) (*Unit, error)
	UpdateUnit(ctx context.Context, a *access.Actor, id int64, in UnitInput) (*Unit, error)
	// ImportUnits checks every row and, when commit is set, creates the
	// units of the rows that pass in one transaction.
	ImportUnits(ctx context.Context, a *access.Actor, rows []UnitRow, commit bool) ([]UnitRow, error)

	Orgs(ctx context.Context, a *access.Actor, f OrgFilter) ([]Org, error)
	Org(ctx context.Context, a *access.Actor, id int64) (*Org, error)
	CreateOrg(ctx context.Context, a *access.Actor, in OrgInput) (*Org, error)
	Rename(ctx context.Context, a *access.Actor, id int64, name, date string) (*Org, error)
	// Move puts an organisation under another, refusing a cycle.
	Move(ctx context.Context, a *access.Actor, id, parent int64, date string) (*Org, error)
	// Dissolve ends an organisation; nothing is deleted, and one with
	// active sub-organisations or members is refused.
	Dissolve(ctx context.Context, a *access.Actor, id int64, date, reason string) (*Org, error)
	SetPost(ctx context.Context, a *access.Actor, id int64, in PostInput) (*Org, error)
	// Merge merges an organisation into another (合并): its members, its
	// organisations below and the transfers on their way to it pass to
	// the other, and it ends dissolved with the merger in its history.
	Merge(ctx context.Context, a *access.Actor, id, into int64, date, reason string) (*Org, error)

	Members(ctx context.Context, a *access.Actor, branch int64) ([]Member, error)
	Member(ctx context.Context, a *access.Actor, id int64) (*Member, error)
	CreateMember(ctx context.Context, a *access.Actor, in MemberInput) (*Member, error)
	// UpdateMember corrects a member's details and records their dates,
	// 转正 among them; the branch changes only by a transfer. An empty ID
	// number or phone keeps the one on file.
	UpdateMember(ctx context.Context, a *access.Actor, id int64, in MemberInput) (*Member, error)
	// Transfer sends a member's membership to another branch: it is in
	// transit until the receiving branch takes it (Receive).
	Transfer(ctx context.Context, a *access.Actor, id, to int64, date string) (*Member, error)
	Receive(ctx context.Context, a *access.Actor, id int64, date string) (*Member, error)

	// Grids lists the grids of the villages in region; "" for all the
	// actor reads.
	Grids(ctx context.Context, a *access.Actor, region string) ([]Grid, error)
	// GridPage pages through the same grids by id, after the last id of
	// the page before: the API's cursor, which holds a league's 8,000.
	GridPage(ctx context.Context, a *access.Actor, region string, after int64, limit int) ([]Grid, error)
	Grid(ctx context.Context, a *access.Actor, id int64) (*Grid, error)
	CreateGrid(ctx context.Context, a *access.Actor, in GridInput) (*Grid, error)
	// AssignHouseholds puts households in a grid; a household already in
	// another grid is refused and nothing changes.
	AssignHouseholds(ctx context.Context, a *access.Actor, grid int64, households []int64) (*Grid, error)
	ReleaseHousehold(ctx context.Context, a *access.Actor, grid, household int64) (*Grid, error)

	NetService
}
