package talent

import "time"

// RuralKinds are the kinds of village-level unit the coverage goal
// counts: gacha and villages, where the programme's industries are. Urban
// 社区 and the 其他 units (state farms, forest farms) have no village
// industry to lead, and counting them would put the goal out of reach by
// design (兴安盟: 871 gacha and villages of 1,120 units).
var RuralKinds = []string{"嘎查", "村"}

// Area is one row of a coverage table: a region below the one asked
// about, its villages and how many of them have a leader. Coverage is
// counted twice, because the seed's figures are cultivation targets
// (培育对象) and the goal is recognised leaders (带头人): Covered and
// People count every target still in cultivation or recognised, of every
// round; Recognised and RecognisedPeople only those recognised.
type Area struct {
	Code             string
	Name             string
	Villages         int
	Covered          int // villages with a target or a recognised leader
	People           int // targets and recognised leaders, every round
	Recognised       int // villages with a recognised leader
	RecognisedPeople int // recognised leaders, every round
	OnNotice         int // this round's applications on public notice
}

// Percent is the covered share in whole percent, rounded down so a row
// never claims a goal it has not reached.
func (a Area) Percent() int { return share(a.Covered, a.Villages) }

// RecognisedPercent is the share of villages with a recognised leader.
func (a Area) RecognisedPercent() int { return share(a.Recognised, a.Villages) }

func share(n, of int) int {
	if of == 0 {
		return 0
	}
	return n * 100 / of
}

// Coverage is the coverage report of a region for a round.
type Coverage struct {
	Round   Round
	Region  string
	Name    string
	Total   Area   // the region itself
	Areas   []Area // its children with gacha or villages (banners of a league ...)
	Targets []Target
	// Uncovered counts the villages without a target or leader; the list
	// itself is paged by Service.Uncovered.
	Uncovered int
	// ByTier and ByChannel count the round's approved applications (its
	// new targets); OnNoticeByTier and OnNoticeByChannel those on public
	// notice with the tier the league proposed.
	ByTier            map[Tier]int
	ByChannel         map[Channel]int
	OnNoticeByTier    map[Tier]int
	OnNoticeByChannel map[Channel]int
	// CandidatesByTier counts the applications the league has given a tier
	// (on notice or approved), CandidatesByChannel every submitted one
	// (not drafts): the field each tier and channel drew from.
	CandidatesByTier    map[Tier]int
	CandidatesByChannel map[Channel]int
	// Applied counts the round's applications by status.
	Applied map[Status]int
}

// MaxPage bounds one page of a list the API and the pages hand out; a
// longer list is read on with the cursor of its last row.
const MaxPage = 500

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
