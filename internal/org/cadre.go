package org

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// Rank is a cadre rank (职级) of the department's list, with the hours of
// training a year a cadre of that rank must reach.
type Rank struct {
	Code     string
	Name     string
	Hours    int // 年度学时要求
	Position int // order in lists and forms
}

// Validate checks a rank as the department enters it.
func (r Rank) Validate() error {
	var fs fault.Fields
	if !validRankCode(r.Code) {
		fs.Add("code", "cadre.rank.code_invalid")
	}
	if n := utf8.RuneCountInString(r.Name); n == 0 || n > 20 {
		fs.Add("name", "cadre.rank.name_invalid")
	}
	if r.Hours < 0 || r.Hours > 1000 {
		fs.Add("hours", "cadre.rank.hours_invalid")
	}
	return fs.Err()
}

// validRankCode accepts the short Latin codes sheets and the API name
// ranks by: lower-case letters, digits and '-', at most 20.
func validRankCode(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// CadreInput is what a user gives for a cadre: a person holding a post in
// a unit, or directly in a region (a village's 两委).
type CadreInput struct {
	Unit      int64  // the unit the post is in; 0 for a post in a region
	Region    string // the region of a region post; taken from the unit otherwise
	Name      string
	Gender    string // 男 / 女
	IDNumber  string
	Phone     string
	Post      string // 职务
	Rank      string // a Rank's code
	Sector    string // 领域: 党政, 农业农村, 教育 …
	Appointed string // 任职日期
	// Username links the cadre to their account, whose grants end when
	// they leave the post; "" for none.
	Username string
	Resident int64 // the resident of the register they are, if one
}

// Normalize trims the texts and normalises the ID number and phone.
func (in *CadreInput) Normalize() {
	for _, s := range []*string{&in.Region, &in.Name, &in.Gender, &in.Post, &in.Rank, &in.Sector, &in.Appointed, &in.Username} {
		*s = strings.TrimSpace(*s)
	}
	in.IDNumber, in.Phone = registry.NormalizeID(in.IDNumber), registry.NormalizePhone(in.Phone)
}

// Validate checks a cadre's own fields; the store checks the unit, rank,
// account and resident named.
func (in CadreInput) Validate(now time.Time) error {
	var fs fault.Fields
	if in.Unit == 0 && !regioncode.ValidCode(in.Region) {
		fs.Add("region", "cadre.region_required")
	}
	personFields(&fs, in.Name, in.Gender, in.IDNumber, in.Phone, now)
	if n := utf8.RuneCountInString(in.Post); n == 0 || n > MaxName {
		fs.Add("post", "cadre.post_invalid", MaxName)
	}
	if in.Rank == "" {
		fs.Add("rank", "cadre.rank_invalid")
	}
	if utf8.RuneCountInString(in.Sector) > 20 {
		fs.Add("sector", "cadre.sector_invalid")
	}
	if !PastDate(in.Appointed, now) {
		fs.Add("appointed", "cadre.appointed_invalid")
	}
	return fs.Err()
}

// Cadre is a stored cadre.
type Cadre struct {
	CadreInput
	ID          int64
	UnitName    string
	RegionName  string
	RankName    string
	IDMasked    string
	PhoneMasked string
	Left        string // 离任日期; "" while in post
	LeaveReason string
	Successor   int64
	// SuccessorName is the successor's name as the actor may see it.
	SuccessorName string
	Created       time.Time
}

// InPost reports whether the cadre holds the post on day (YYYY-MM-DD).
func (c Cadre) InPost(day string) bool { return c.Left == "" || c.Left > day }

// Leave reasons.
const (
	LeaveTerm     = "换届"
	LeaveTransfer = "调动"
	LeaveRetire   = "退休"
	LeaveOther    = "其他"
)

// LeaveReasons lists the reasons in the order forms show them.
var LeaveReasons = []string{LeaveTerm, LeaveTransfer, LeaveRetire, LeaveOther}

// MaxLeaveAhead is how far ahead a leaving date may be recorded: a 换届
// is announced weeks before it happens, not years.
const MaxLeaveAhead = 366 * 24 * time.Hour

// LeaveInput records that a cadre leaves their post.
type LeaveInput struct {
	Date   string // the first day they no longer hold the post
	Reason string
	// Successor is the cadre taking the post over, if any; with HandOver
	// set, the leaver's grants at regions the actor manages pass to the
	// successor's account from Date.
	Successor int64
	HandOver  bool
}

// Validate checks a leaving against the day it is recorded on.
func (in LeaveInput) Validate(now time.Time) error {
	var fs fault.Fields
	d, ok := Date(in.Date)
	if !ok || in.Date == "" || d.Year() < 1921 || in.Date > localtime.Day(now.Add(MaxLeaveAhead)) {
		fs.Add("date", "cadre.leave.date_invalid")
	}
	valid := false
	for _, r := range LeaveReasons {
		valid = valid || r == in.Reason
	}
	if !valid {
		fs.Add("reason", "cadre.leave.reason_invalid")
	}
	if in.HandOver && in.Successor == 0 {
		fs.Add("successor", "cadre.leave.successor_required")
	}
	return fs.Err()
}

// Start returns the instant a YYYY-MM-DD day begins in the deployment's
// zone: when a leaver's rights end and a successor's begin.
func Start(day string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, localtime.Zone())
	return t
}

// Leaving is what recording a leaving did.
type Leaving struct {
	Cadre *Cadre
	// Ended counts the leaver's grants and API tokens that end on the
	// date; HandedOver the grants the successor's account received, and
	// Kept those not handed over because the actor does not manage their
	// region.
	EndedGrants, EndedTokens, HandedOver, Kept int
}

// CadreFilter narrows a list of cadres.
type CadreFilter struct {
	Region string // a subtree; "" for all the actor may read
	Unit   int64
	Rank   string
	Sector string
	Query  string // part of the name or post
	// Former lists those who have left as well as those in post.
	Former bool
	Limit  int
	Offset int
}

// CadreRow is one row of a cadres sheet, as UnitRow is for units.
type CadreRow struct {
	Line  int
	Input CadreInput
	ID    int64
	Err   error
}

// CadreService keeps the cadres of the organisation register. Errors as
// Service's; a second cadre for the same ID number or account is a
// fault.Conflict.
type CadreService interface {
	// Ranks lists the ranks to whoever reads the register anywhere.
	Ranks(ctx context.Context, a *access.Actor) ([]Rank, error)
	// SaveRank adds a rank or changes one's name, hours or position.
	SaveRank(ctx context.Context, a *access.Actor, r Rank) ([]Rank, error)
	Cadres(ctx context.Context, a *access.Actor, f CadreFilter) ([]Cadre, int, error)
	Cadre(ctx context.Context, a *access.Actor, id int64) (*Cadre, error)
	CreateCadre(ctx context.Context, a *access.Actor, in CadreInput) (*Cadre, error)
	// UpdateCadre corrects a cadre; an empty ID number or phone keeps the
	// one on file.
	UpdateCadre(ctx context.Context, a *access.Actor, id int64, in CadreInput) (*Cadre, error)
	// Leave records a leaving date: in one transaction it ends the
	// account's grants and API tokens on that date and, when asked, grants
	// the successor's account the same roles from that date.
	Leave(ctx context.Context, a *access.Actor, id int64, in LeaveInput) (*Leaving, error)
	// ImportCadres checks every row and, when commit is set, creates the
	// cadres of the rows that pass in one transaction.
	ImportCadres(ctx context.Context, a *access.Actor, rows []CadreRow, commit bool) ([]CadreRow, error)
}
