package talent

import "time"

// RuralKinds are the kinds of village-level unit the coverage goal
// counts: gacha and villages, where the programme's industries are. Urban
// 社区 and the 其他 units (state farms, forest farms) have no village
// industry to lead, and counting them would put the goal out of reach by
// design (兴安盟: 871 gacha and villages of 1,120 units).
var RuralKinds = []string{"嘎查", "村"}

// Area is one row of a coverage table: a region below the one asked
// about, its villages and how many of them have a leader.
type Area struct {
	Code     string
	Name     string
	Villages int
	Covered  int
	Leaders  int
}

// Percent is the covered share in whole percent, rounded down so a row
// never claims a goal it has not reached.
func (a Area) Percent() int {
	if a.Villages == 0 {
		return 0
	}
	return a.Covered * 100 / a.Villages
}

// Coverage is the coverage report of a region for a round.
type Coverage struct {
	Round   Round
	Region  string
	Name    string
	Total   Area   // the region itself
	Areas   []Area // its children (banners of a league, townships of a banner ...)
	Targets []Target
	// Uncovered lists villages without a leader, at most MaxUncovered.
	Uncovered []Area
	// ByTier and ByChannel count the round's approved leaders.
	ByTier    map[Tier]int
	ByChannel map[Channel]int
	// CandidatesByTier counts the applications the league has given a tier
	// (on notice or approved), CandidatesByChannel every submitted one
	// (not drafts): the field each tier and channel drew from.
	CandidatesByTier    map[Tier]int
	CandidatesByChannel map[Channel]int
	// Applied counts the round's applications by status.
	Applied map[Status]int
}

// MaxUncovered bounds the uncovered list a page shows; the count above it
// is the full number.
const MaxUncovered = 500

// Due returns the target of the year of now, or the last one after the
// round, and whether the region is on track for it.
func (c *Coverage) Due(now time.Time) (Target, bool) {
	if len(c.Targets) == 0 {
		return Target{}, true
	}
	t := c.Targets[len(c.Targets)-1]
	for _, x := range c.Targets {
		if x.Year >= now.Year() {
			t = x
			break
		}
	}
	return t, c.Total.Covered >= t.Villages
}
