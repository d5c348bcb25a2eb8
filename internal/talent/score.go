package talent

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/review"
)

// MaxComment bounds a reviewer's comment, in characters.
const MaxComment = 500

// CheckScores checks one reviewer's scores against the round's criteria:
// one whole number per criterion, from 0 to its top score.
func CheckScores(cs []Criterion, points []int, comment string) error {
	var fs fault.Fields
	if len(points) != len(cs) {
		fs.Add("points", "talent.score.count", len(cs))
	} else {
		for i, p := range points {
			if p < 0 || p > cs[i].Max {
				fs.Add("points", "talent.score.range", cs[i].Name, cs[i].Max)
				break
			}
		}
	}
	if utf8.RuneCountInString(strings.TrimSpace(comment)) > MaxComment {
		fs.Add("comment", "talent.score.comment_long", MaxComment)
	}
	return fs.Err()
}

// Score is one reviewer's scores at one level. The comment is private to
// reviewers: the applicant and the public never see it.
type Score struct {
	Step       int
	ReviewerID int64
	Reviewer   string
	Points     []int
	Total      int
	Comment    string
	At         time.Time
}

// Mean is the level's score: the mean of its reviewers' totals in
// hundredths, rounded half up, so 85, 86 and 86 make 8567 and a ranking
// never depends on floating point. No scores make 0.
func Mean(totals []int) int {
	sum := 0
	for _, t := range totals {
		sum += t
	}
	return MeanOf(sum, len(totals))
}

// MeanOf is Mean from the sum of n totals, for stores that sum in SQL.
func MeanOf(sum, n int) int {
	if n <= 0 {
		return 0
	}
	return (sum*100*2 + n) / (2 * n)
}

// Decision is what a level decides about an application.
type Decision struct {
	Decision review.Decision // approve (recommend upward; at the league: approve), return, reject
	Reason   string
	Tier     Tier // at the league's step, when approving
}

// LevelResult is an application's record at one level: the scores, their
// mean, the order the level set and what it decided.
type LevelResult struct {
	Step     int
	Region   string // the deciding region at that level
	Scores   []Score
	Mean     int
	Position int
	Decision review.Action // "" while undecided
	Reason   string
	Decider  string
	At       time.Time
}

// Ranked is an application in a level's ranking.
type Ranked struct {
	Candidate  int64
	Name       string
	Village    string
	Entity     string
	Households int
	Mean       int // hundredths
	Reviewers  int
	Position   int // the level's recommendation order, 0 if unset
	Rank       int // by mean; equal means share a rank (1, 2, 2, 4)
}

// RankAll orders a level's applications by mean score, best first. Ties
// are broken, for the order only, by more households driven and then by
// the earlier application (lower id), so the same data always lists the
// same way; the rank itself is shared by equal means, since reviewers'
// scores are what the rank reports.
func RankAll(rs []Ranked) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Mean != b.Mean {
			return a.Mean > b.Mean
		}
		if a.Households != b.Households {
			return a.Households > b.Households
		}
		return a.Candidate < b.Candidate
	})
	for i := range rs {
		if i > 0 && rs[i].Mean == rs[i-1].Mean {
			rs[i].Rank = rs[i-1].Rank
		} else {
			rs[i].Rank = i + 1
		}
	}
}

// ByPosition orders a ranking the way the level recommends upward: the
// positions the level set first, in order, then the rest by rank.
func ByPosition(rs []Ranked) []Ranked {
	out := append([]Ranked(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Position, out[j].Position
		switch {
		case a > 0 && b > 0:
			return a < b
		case a > 0 || b > 0:
			return a > 0
		}
		return false
	})
	return out
}

// FormatMean shows a mean kept in hundredths the way score sheets write
// it: 8567 is "85.67".
func FormatMean(m int) string {
	return fmt.Sprintf("%d.%02d", m/100, m%100)
}

// MeanText is the ranking's mean as score sheets write it.
func (r Ranked) MeanText() string { return FormatMean(r.Mean) }

// MeanText is the level's mean as score sheets write it.
func (l LevelResult) MeanText() string { return FormatMean(l.Mean) }
