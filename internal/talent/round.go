package talent

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// Criterion is one of the five review criteria with its top score and the
// rubric reviewers score against.
type Criterion struct {
	Name   string
	Max    int
	Rubric string
}

// CriteriaCount is how many criteria the programme scores; the notice
// that set it up names five, and the score sheets are shaped for five.
const CriteriaCount = 5

// DefaultCriteria are the five criteria of the league's notice, 20 points
// each; a round may rename them, reweight them and rewrite the rubrics.
func DefaultCriteria() []Criterion {
	return []Criterion{
		{Name: "政治上合格", Max: 20, Rubric: "拥护党的路线方针政策，遵纪守法，无不良信用记录"},
		{Name: "有实体经营主体", Max: 20, Rubric: "依法登记的合作社、企业、家庭农场或个体工商户，持续经营一年以上"},
		{Name: "经营管理规范", Max: 20, Rubric: "财务、用工、安全生产制度健全，账目清楚"},
		{Name: "有辐射带动能力", Max: 20, Rubric: "带动农户数和户均增收，吸纳就业"},
		{Name: "发展产业符合地区经济发展要求", Max: 20, Rubric: "符合旗县市主导产业和产业规划"},
	}
}

// Channel is how a candidate came to the programme (三个渠道).
type Channel string

// The three source channels of the notice.
const (
	FromEntities  Channel = "entities"  // 在现有新型经营主体中发展提升
	FromLocals    Channel = "locals"    // 在乡村能人中挖掘培育
	FromReturnees Channel = "returnees" // 在返乡能人和下乡市民中引进落户
)

// Channels lists the channels in the notice's order.
var Channels = []Channel{FromEntities, FromLocals, FromReturnees}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Round is one round of the programme: where it runs, its application
// window, its criteria and its coverage goal over its years.
type Round struct {
	ID     int64
	Region string // the league (or banner) that runs it
	Name   string
	// StartYear and Years span the goal: within Years years from
	// StartYear every village should have a leader.
	StartYear int
	Years     int
	// Trajectory is the cumulative share of villages (percent) to be
	// covered by the end of each year; its last value is the goal.
	Trajectory []int
	Opens      string // application window, 2006-01-02, inclusive
	Closes     string
	Criteria   []Criterion
	Quotas     []Quota // filled by Service.Round
	Created    time.Time
}

// Goal is the round's final coverage share, in percent.
func (r Round) Goal() int {
	if len(r.Trajectory) == 0 {
		return 0
	}
	return r.Trajectory[len(r.Trajectory)-1]
}

// Limits of a round's texts.
const (
	MaxName   = 60
	MaxRubric = 300
	MaxYears  = 10
)

// Validate checks a round before it is stored; the window's dates are
// Beijing days.
func (r Round) Validate() error {
	var fs fault.Fields
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Name)); n == 0 || n > MaxName {
		fs.Add("name", "talent.round.name_invalid", MaxName)
	}
	if regioncode.LevelOf(r.Region) == 0 || regioncode.LevelOf(r.Region) > regioncode.Banner {
		fs.Add("region", "talent.round.region_invalid")
	}
	if r.StartYear < 2000 || r.StartYear > 2100 {
		fs.Add("start_year", "talent.round.year_invalid")
	}
	if r.Years < 1 || r.Years > MaxYears {
		fs.Add("years", "talent.round.years_invalid", MaxYears)
	}
	if len(r.Trajectory) != r.Years && r.Years >= 1 && r.Years <= MaxYears {
		fs.Add("trajectory", "talent.round.trajectory_count", r.Years)
	} else {
		prev := 0
		for _, p := range r.Trajectory {
			if p < prev || p > 100 || p < 1 {
				fs.Add("trajectory", "talent.round.trajectory_invalid")
				break
			}
			prev = p
		}
	}
	o, e1 := time.Parse(time.DateOnly, r.Opens)
	c, e2 := time.Parse(time.DateOnly, r.Closes)
	switch {
	case e1 != nil:
		fs.Add("opens", "talent.round.date_invalid")
	case e2 != nil:
		fs.Add("closes", "talent.round.date_invalid")
	case c.Before(o):
		fs.Add("closes", "talent.round.window_order")
	}
	if err := ValidateCriteria(r.Criteria); err != nil {
		fs.Add("criteria", "talent.round.criteria_invalid", CriteriaCount)
	}
	return fs.Err()
}

// ValidateCriteria checks there are five criteria, each named, with a top
// score of 1 to 100 and a rubric of reasonable length.
func ValidateCriteria(cs []Criterion) error {
	if len(cs) != CriteriaCount {
		return fault.OnField(fault.Invalid, "criteria", "talent.round.criteria_invalid", CriteriaCount)
	}
	for _, c := range cs {
		n := utf8.RuneCountInString(strings.TrimSpace(c.Name))
		if n == 0 || n > MaxName || c.Max < 1 || c.Max > 100 || utf8.RuneCountInString(c.Rubric) > MaxRubric {
			return fault.OnField(fault.Invalid, "criteria", "talent.round.criteria_invalid", CriteriaCount)
		}
	}
	return nil
}

// MaxTotal is the best total a reviewer can give.
func (r Round) MaxTotal() int {
	t := 0
	for _, c := range r.Criteria {
		t += c.Max
	}
	return t
}

// OpenOn reports whether day (2006-01-02, Beijing) is inside the
// application window. Dates in that form compare as strings.
func (r Round) OpenOn(day string) bool { return day >= r.Opens && day <= r.Closes }

// Target is where coverage should stand at the end of a year.
type Target struct {
	Year     int
	Percent  int
	Villages int // villages to cover of the total
}

// Targets turns the trajectory into village counts for total villages,
// rounding up: a goal of 100% of 850 is 850, and 1/3 of 850 is 284, never
// 283, because a goal met by rounding down is not met.
func (r Round) Targets(total int) []Target {
	out := make([]Target, len(r.Trajectory))
	for i, p := range r.Trajectory {
		out[i] = Target{Year: r.StartYear + i, Percent: p, Villages: (total*p + 99) / 100}
	}
	return out
}

// QuotaKind says what a quota limits.
type QuotaKind string

// The kinds. A pass quota limits how many applications a region's level
// recommends upward in a round; a tier quota how many leaders of a tier a
// region may have from a round.
const (
	QuotaPass QuotaKind = "pass"
)

// TierQuota is the kind of the quota on tier t.
func TierQuota(t Tier) QuotaKind { return QuotaKind("tier:" + string(t)) }

// Quota is a limit for a region in a round.
type Quota struct {
	Region string
	Kind   QuotaKind
	N      int
	Actor  string
	At     time.Time
}

// Tier returns the tier a tier quota limits, or "".
func (k QuotaKind) Tier() Tier {
	if t, ok := strings.CutPrefix(string(k), "tier:"); ok && Tier(t).Valid() {
		return Tier(t)
	}
	return ""
}

// Validate checks a quota against its round's region.
func (q Quota) Validate(round string) error {
	var fs fault.Fields
	if regioncode.LevelOf(q.Region) == 0 || !regioncode.Covers(round, q.Region) {
		fs.Add("region", "talent.quota.region_invalid")
	} else if q.Kind == QuotaPass && regioncode.LevelOf(q.Region) == regioncode.League {
		// The league passes nobody upward; its decision is the last.
		fs.Add("kind", "talent.quota.kind_invalid")
	}
	if q.Kind != QuotaPass && q.Kind.Tier() == "" {
		fs.Add("kind", "talent.quota.kind_invalid")
	}
	if q.N < 0 || q.N > 100000 {
		fs.Add("n", "talent.quota.n_invalid")
	}
	return fs.Err()
}
