// Package scheme is the Moral Bank's scoring scheme (道德银行积分评价体系):
// the aspects and items a village awards and deducts points for. A scheme
// belongs to a region and is inherited downward: a village adopts its
// township's scheme and may add items or override point values where the
// owner allows it. Schemes are versioned by effective date, and a version
// is never edited once written, so an award always refers to the rules in
// force on its own date and a later change cannot rewrite it.
package scheme

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
)

// Period is the span a base score or a cap counts over.
type Period string

// The periods.
const (
	Month Period = "month"
	Year  Period = "year"
)

// Unit says what one award of an item is counted per.
type Unit string

// The units.
const (
	PerOccurrence Unit = "occurrence" // 每次
	PerMonth      Unit = "month"      // 每月
	PerInspection Unit = "inspection" // 每次检查
)

// CarryOver is what happens to a household's points at the end of a year.
type CarryOver string

// The carry-over rules.
const (
	Carry  CarryOver = "carry"  // 结转到下一年
	Expire CarryOver = "expire" // 年终清零
)

// Source is where a new scheme's first version takes its content from.
type Source string

// The sources.
const (
	// FromTemplate copies DefaultTemplate into a standalone scheme, which a
	// village then edits.
	FromTemplate Source = "template"
	// CopyParent copies the scheme in force at the parent region into a
	// standalone scheme: later changes above no longer reach it.
	CopyParent Source = "copy"
	// Inherit creates a layer that adopts the parent's scheme and holds
	// only the region's own additions and overrides, within what the owner
	// allows.
	Inherit Source = "inherit"
	// CopyVillage copies the scheme in force in another region (推广王家地村
	// 模式): a village adopts a neighbour's rules as its own standalone
	// scheme.
	CopyVillage Source = "village"
	// Imported is a scheme read from a sheet another region exported.
	Imported Source = "import"
)

// Limits on a scheme's content: generous for any real village, tight
// enough that a mistyped figure is caught.
const (
	MaxPoints    = 1000 // one award or deduction
	MaxBaseScore = 1000
	MaxCap       = 1000
	MaxAspects   = 20
	MaxItems     = 200
	// DefaultNoticeDays is the public notice (公示) an award stands on
	// before it reaches the ledger, unless the scheme sets another.
	DefaultNoticeDays = 7
)

// Evidence is what backs an award: as an item's requirement, the flags
// say what must be attached; as an award's description, what was.
type Evidence struct {
	Photo   bool // 照片
	Text    bool // 文字说明
	Witness bool // 证明人
}

// Aspect is one heading of a scheme (环境卫生, 孝老爱亲 ...).
type Aspect struct {
	Code  string
	Name  string
	Order int
}

// Item is one thing a household earns or loses points for. Its code stays
// the same across versions and down the inheritance chain, so an override
// or a later version names the same conduct.
type Item struct {
	Code        string
	Aspect      string // the code of its aspect
	Name        string
	Description string // the conduct, as the village board describes it
	Points      int    // positive: an award; negative: a deduction
	Unit        Unit
	Cap         int    // most awards per household per CapPeriod; 0 means none
	CapPeriod   Period // required when Cap > 0
	Roles       []access.Role
	Evidence    Evidence // what an award must carry
	// EffectiveFrom and EffectiveTo bound the item inside its version;
	// zero means unbounded. EffectiveTo is exclusive.
	EffectiveFrom time.Time
	EffectiveTo   time.Time
	Overridable   bool // whether a region below may change Points
}

// Scheme is one version of a region's scheme. ID names the version; every
// version is a separate set of rows.
type Scheme struct {
	ID      int64
	Region  string
	Name    string
	Version int
	// Inherits marks a layer over the parent's scheme: its items are
	// additions and overrides rather than a whole scheme.
	Inherits bool
	// EffectiveFrom is the first day the version is in force; EffectiveTo
	// the first day it no longer is (zero: open-ended).
	EffectiveFrom time.Time
	EffectiveTo   time.Time
	// BaseScore is credited to each household at the start of every
	// BasePeriod (some villages start every month at 100); 0 means none.
	BaseScore  int
	BasePeriod Period
	CarryOver  CarryOver
	// NoticeDays is how long an award of this scheme stands on public
	// notice (公示期) before it is posted: a village's rule, not the code's.
	// A layer may leave it 0 to keep the one above.
	NoticeDays int
	// AllowLocalItems and AllowOverride say what regions below may do
	// with this scheme.
	AllowLocalItems bool
	AllowOverride   bool
	Source          Source
	Aspects         []Aspect
	Items           []Item
	Actor           string
	CreatedAt       time.Time
}

// Day is the calendar day of t in t's own location, the unit every
// effective date is compared in.
func Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// ParseDay reads a stored day; "" is the zero time.
func ParseDay(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// Today is the calendar day now falls on in the deployment's zone, in
// which a village's day begins and ends, at midnight UTC so that Day
// reads it back unchanged.
func Today(now time.Time) time.Time {
	y, m, d := localtime.In(now).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// inForce reports whether the span [from, to) covers day d.
func inForce(from, to time.Time, d string) bool {
	return (from.IsZero() || Day(from) <= d) && (to.IsZero() || d < Day(to))
}

// InForce reports whether the version is in force on date.
func (s Scheme) InForce(date time.Time) bool {
	return inForce(s.EffectiveFrom, s.EffectiveTo, Day(date))
}

// InForce reports whether the item is in force on date.
func (it Item) InForce(date time.Time) bool {
	return inForce(it.EffectiveFrom, it.EffectiveTo, Day(date))
}

// Number reads a figure typed into a form or a sheet: blank is 0, and
// anything that is no whole number comes back outside every range a
// scheme allows, so Validate names the field rather than a parser
// guessing.
func Number(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1 << 20
	}
	return n
}

// Normalize trims the text fields and fills the defaults a form leaves
// empty.
func (s *Scheme) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	if s.BasePeriod == "" {
		s.BasePeriod = Month
	}
	if s.CarryOver == "" {
		s.CarryOver = Carry
	}
	if s.NoticeDays == 0 && !s.Inherits {
		s.NoticeDays = DefaultNoticeDays
	}
	for i := range s.Aspects {
		a := &s.Aspects[i]
		a.Code, a.Name = strings.TrimSpace(a.Code), strings.TrimSpace(a.Name)
		if a.Order == 0 {
			a.Order = i + 1
		}
	}
	for i := range s.Items {
		it := &s.Items[i]
		it.Code, it.Aspect = strings.TrimSpace(it.Code), strings.TrimSpace(it.Aspect)
		it.Name, it.Description = strings.TrimSpace(it.Name), strings.TrimSpace(it.Description)
		if it.Unit == "" {
			it.Unit = PerOccurrence
		}
		if it.Cap > 0 && it.CapPeriod == "" {
			it.CapPeriod = Month
		}
	}
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

func validPeriod(p Period) bool { return p == Month || p == Year }

// Validate reports every problem with a scheme version, each on the field
// a form names it by: name, aspects.2.code, items.7.points. A layer
// (Inherits) may name its parent's aspects and need not have any of its
// own; Effective checks those references when it resolves the chain.
func (s Scheme) Validate() error {
	var fs fault.Fields
	if !regioncode.ValidCode(s.Region) {
		fs.Add("region", "scheme.region")
	}
	switch n := utf8.RuneCountInString(s.Name); {
	case n == 0:
		fs.Add("name", "scheme.name.required")
	case n > 40:
		fs.Add("name", "scheme.name.long", 40)
	}
	if s.BaseScore < 0 || s.BaseScore > MaxBaseScore {
		fs.Add("base_score", "scheme.base_score", MaxBaseScore)
	}
	if !validPeriod(s.BasePeriod) {
		fs.Add("base_period", "scheme.base_period")
	}
	if s.CarryOver != Carry && s.CarryOver != Expire {
		fs.Add("carry_over", "scheme.carry_over")
	}
	if (s.NoticeDays != 0 || !s.Inherits) && (s.NoticeDays < 1 || s.NoticeDays > review.MaxNoticeDays) {
		fs.Add("notice_days", "scheme.notice_days", review.MaxNoticeDays)
	}
	if s.EffectiveFrom.IsZero() || !s.EffectiveTo.IsZero() && Day(s.EffectiveTo) <= Day(s.EffectiveFrom) {
		fs.Add("effective_from", "scheme.effective")
	}
	if !s.Inherits && len(s.Aspects) == 0 {
		fs.Add("aspects", "scheme.aspects.required")
	}
	if len(s.Aspects) > MaxAspects {
		fs.Add("aspects", "scheme.aspects.many", MaxAspects)
	}
	if !s.Inherits && len(s.Items) == 0 {
		fs.Add("items", "scheme.items.required")
	}
	if len(s.Items) > MaxItems {
		fs.Add("items", "scheme.items.many", MaxItems)
	}
	aspects := map[string]bool{}
	for i, a := range s.Aspects {
		f := "aspects." + strconv.Itoa(i) + "."
		switch {
		case !codeRE.MatchString(a.Code):
			fs.Add(f+"code", "scheme.code")
		case aspects[a.Code]:
			fs.Add(f+"code", "scheme.code_dup", a.Code)
		}
		aspects[a.Code] = true
		if n := utf8.RuneCountInString(a.Name); n == 0 || n > 20 {
			fs.Add(f+"name", "scheme.aspect.name", 20)
		}
	}
	items := map[string]bool{}
	for i, it := range s.Items {
		f := "items." + strconv.Itoa(i) + "."
		switch {
		case !codeRE.MatchString(it.Code):
			fs.Add(f+"code", "scheme.code")
		case items[it.Code]:
			fs.Add(f+"code", "scheme.code_dup", it.Code)
		}
		items[it.Code] = true
		if !s.Inherits && !aspects[it.Aspect] {
			fs.Add(f+"aspect", "scheme.item.aspect", it.Aspect)
		}
		if n := utf8.RuneCountInString(it.Name); n == 0 || n > 40 {
			fs.Add(f+"name", "scheme.item.name", 40)
		}
		if utf8.RuneCountInString(it.Description) > 200 {
			fs.Add(f+"description", "scheme.item.description", 200)
		}
		if it.Points == 0 || it.Points > MaxPoints || it.Points < -MaxPoints {
			fs.Add(f+"points", "scheme.item.points", MaxPoints, MaxPoints)
		}
		if it.Unit != PerOccurrence && it.Unit != PerMonth && it.Unit != PerInspection {
			fs.Add(f+"unit", "scheme.item.unit")
		}
		if it.Cap < 0 || it.Cap > MaxCap || it.Cap > 0 && !validPeriod(it.CapPeriod) {
			fs.Add(f+"cap", "scheme.item.cap", MaxCap)
		} else if most := it.monthlyMost(); most > 0 && it.Cap > most {
			fs.Add(f+"cap", "scheme.item.cap_unit", it.Name, most)
		}
		if len(it.Roles) == 0 {
			fs.Add(f+"roles", "scheme.item.roles")
		}
		for _, r := range it.Roles {
			if !access.ValidRole(r) || r.Admin() || r == access.Villager {
				fs.Add(f+"roles", "scheme.item.role", string(r))
				break
			}
		}
		if !it.EffectiveTo.IsZero() && !it.EffectiveFrom.IsZero() && Day(it.EffectiveTo) <= Day(it.EffectiveFrom) {
			fs.Add(f+"effective_to", "scheme.effective")
		}
	}
	return fs.Err()
}

// monthlyMost is the most awards a cap may allow for an item counted per
// month (每月): one a month, twelve a year; 0 for other units. A higher cap
// contradicts the unit, and a clerk would read it as allowing more than one
// award for the same month.
func (it Item) monthlyMost() int {
	if it.Unit != PerMonth || it.Cap == 0 {
		return 0
	}
	if it.CapPeriod == Year {
		return 12
	}
	return 1
}

// VersionRef names one version a resolution used.
type VersionRef struct {
	ID      int64
	Region  string
	Version int
}

// ResolvedItem is an item as it applies in a village: the defining
// version, and the overriding one when a region below changed its points.
type ResolvedItem struct {
	Item
	Region       string // where the item was defined
	DefinedBy    int64  // the version that defined it
	OverriddenBy int64  // the version whose override applies, or 0
	BasePoints   int    // the points before any override
}

// Resolved is the scheme in force for one region on one day, after
// inheritance: what an award on that day must follow.
type Resolved struct {
	Region     string
	Date       time.Time
	Name       string
	BaseScore  int
	BasePeriod Period
	CarryOver  CarryOver
	NoticeDays int
	Aspects    []Aspect
	Items      []ResolvedItem
	// Versions lists the versions used, from the standalone scheme at the
	// top down to the region's own layer.
	Versions []VersionRef
}

// VersionIDs returns the ids of the versions used, top down; an award
// records them so that it can always be explained by the rules of its day.
func (r Resolved) VersionIDs() []int64 {
	out := make([]int64, len(r.Versions))
	for i, v := range r.Versions {
		out[i] = v.ID
	}
	return out
}

// Item finds an item in force by code.
func (r Resolved) Item(code string) (ResolvedItem, bool) {
	for _, it := range r.Items {
		if it.Code == code {
			return it, true
		}
	}
	return ResolvedItem{}, false
}

// Effective resolves the scheme in force for region village on date from
// chain, which holds versions of the schemes of the region and its
// ancestors (league → banner → township → village) in any order; versions
// not in force on date and schemes of other regions are ignored. The
// nearest standalone scheme at or above the village is the base; each
// layer below it adds items where every owner above allows local items,
// and overrides points where every owner above allows overrides and the
// item is overridable. Settings (name, base score, carry-over, and the
// notice unless a layer leaves it 0) come from
// the lowest version. It returns fault.NotFound when no scheme is in
// force, and fault.Conflict when a layer breaks an owner's rule.
func Effective(chain []Scheme, village string, date time.Time) (Resolved, error) {
	if !regioncode.ValidCode(village) {
		return Resolved{}, fault.E(fault.NotFound, "region.not_found")
	}
	d := Day(date)
	var byLevel [regioncode.Village + 1]*Scheme
	for i := range chain {
		s := &chain[i]
		lvl := regioncode.LevelOf(s.Region)
		if lvl == 0 || !regioncode.Covers(s.Region, village) || !inForce(s.EffectiveFrom, s.EffectiveTo, d) {
			continue
		}
		if prev := byLevel[lvl]; prev == nil || s.Version > prev.Version {
			byLevel[lvl] = s
		}
	}
	var layers []*Scheme
	for _, s := range byLevel {
		if s != nil {
			layers = append(layers, s)
		}
	}
	root := -1
	for i := len(layers) - 1; i >= 0; i-- {
		if !layers[i].Inherits {
			root = i
			break
		}
	}
	if root < 0 {
		return Resolved{}, fault.E(fault.NotFound, "scheme.none")
	}
	layers = layers[root:]
	r := Resolved{Region: village, Date: date}
	index := map[string]int{}
	aspects := map[string]bool{}
	allowLocal, allowOverride := true, true
	for li, s := range layers {
		r.Name, r.BaseScore, r.BasePeriod, r.CarryOver = s.Name, s.BaseScore, s.BasePeriod, s.CarryOver
		if s.NoticeDays > 0 {
			r.NoticeDays = s.NoticeDays
		}
		r.Versions = append(r.Versions, VersionRef{ID: s.ID, Region: s.Region, Version: s.Version})
		for _, a := range s.Aspects {
			if !aspects[a.Code] {
				aspects[a.Code] = true
				r.Aspects = append(r.Aspects, a)
			}
		}
		for _, it := range s.Items {
			if !inForce(it.EffectiveFrom, it.EffectiveTo, d) {
				continue
			}
			if i, ok := index[it.Code]; ok && li > 0 {
				have := &r.Items[i]
				if !allowOverride {
					return Resolved{}, fault.E(fault.Conflict, "scheme.override.not_allowed", have.Name)
				}
				if !have.Overridable {
					return Resolved{}, fault.E(fault.Conflict, "scheme.override.locked", have.Name)
				}
				have.Points, have.OverriddenBy = it.Points, s.ID
				continue
			}
			if li > 0 && !allowLocal {
				return Resolved{}, fault.E(fault.Conflict, "scheme.local.not_allowed", it.Name)
			}
			if !aspects[it.Aspect] {
				return Resolved{}, fault.E(fault.Conflict, "scheme.item.aspect", it.Aspect)
			}
			index[it.Code] = len(r.Items)
			r.Items = append(r.Items, ResolvedItem{Item: it, Region: s.Region, DefinedBy: s.ID, BasePoints: it.Points})
		}
		allowLocal = allowLocal && s.AllowLocalItems
		allowOverride = allowOverride && s.AllowOverride
	}
	return r, nil
}

// CheckAward decides whether an award (or deduction) of item code by a
// holder of role, carrying evidence, may be written in the resolved
// scheme, when the household already has alreadyThisPeriod awards of the
// item in the item's cap period. It returns fault.NotFound for an item not
// in force, fault.Forbidden for a role the item does not allow,
// fault.Invalid naming each missing piece of evidence, and fault.Conflict
// when the cap is reached.
func CheckAward(r Resolved, code string, role access.Role, ev Evidence, alreadyThisPeriod int) error {
	it, ok := r.Item(code)
	if !ok {
		return fault.E(fault.NotFound, "scheme.item_not_found", code)
	}
	allowed := false
	for _, x := range it.Roles {
		allowed = allowed || x == role
	}
	if !allowed {
		return fault.E(fault.Forbidden, "scheme.award.role", it.Name)
	}
	var fs fault.Fields
	if it.Evidence.Photo && !ev.Photo {
		fs.Add("photo", "scheme.award.photo", it.Name)
	}
	if it.Evidence.Text && !ev.Text {
		fs.Add("text", "scheme.award.text", it.Name)
	}
	if it.Evidence.Witness && !ev.Witness {
		fs.Add("witness", "scheme.award.witness", it.Name)
	}
	if err := fs.Err(); err != nil {
		return err
	}
	if it.Cap > 0 && alreadyThisPeriod >= it.Cap {
		return fault.E(fault.Conflict, "scheme.award.cap."+string(it.CapPeriod), it.Name, it.Cap)
	}
	return nil
}

// Service keeps the schemes. Managing a region's scheme needs
// access.RegionManage over it, reading needs access.RegistryRead or
// access.PointsWrite; a region out of reach is fault.NotFound, one in
// sight but not manageable fault.Forbidden. Create returns fault.Conflict
// when the region has a scheme already; Publish when the new version would
// not start after the current one. Both refuse an effective date before
// today with fault.Invalid, so no award already written changes meaning,
// and a layer that breaks its owner's rules with fault.Conflict.
type Service interface {
	// Create writes version 1 of the region's scheme from src; in gives
	// the settings and the effective date, and its aspects and items are
	// laid over the source's (for Inherit: the layer's own).
	Create(ctx context.Context, a *access.Actor, src Source, in Scheme) (*Scheme, error)
	// Publish writes in as the next version, in force from
	// in.EffectiveFrom, and ends the previous version that day.
	Publish(ctx context.Context, a *access.Actor, in Scheme) (*Scheme, error)
	// Get returns one version in full; version 0 means the latest.
	Get(ctx context.Context, a *access.Actor, region string, version int) (*Scheme, error)
	// Versions lists the region's versions, newest first, without their
	// aspects and items.
	Versions(ctx context.Context, a *access.Actor, region string) ([]Scheme, error)
	// Resolve returns the scheme in force for region on date.
	Resolve(ctx context.Context, a *access.Actor, region string, date time.Time) (*Resolved, error)
	Drafts
}
