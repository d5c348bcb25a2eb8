package sqlstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

// figureRow is one enrolment as the figures count it.
type figureRow struct {
	class, unit                int64
	className, unitName, rank  string
	rankName, outcome, reasons string
	rankPos, sessions, hours   int
}

// add counts one enrolment into c.
func (r figureRow) add(c *training.Counts) {
	c.Enrolled++
	if r.sessions > 0 {
		c.Attended++
	}
	c.Hours += r.hours
	switch r.outcome {
	case training.Excellent:
		c.Excellent++
	case training.Pass:
		c.Pass++
	case training.Retake:
		c.Retake++
		for _, x := range splitReasons(r.reasons) {
			c.Reasons[x]++
		}
	}
}

// Figures counts a year's classes of a region (those starting in the
// year): per class, per unit of the trainees' posts and per rank,
// enrolled, attended (present at one session at least), attended hours
// and the confirmed outcomes with the 重修 reasons.
func (s *TrainingService) Figures(ctx context.Context, a *access.Actor, f training.FiguresFilter) (*training.Figures, error) {
	if !validYear(f.Year) {
		return nil, fault.OnField(fault.Invalid, "year", "training.year_invalid")
	}
	scopes, err := orgScopes(a, access.TrainingRead, f.Region)
	if err != nil {
		return nil, err
	}
	out := &training.Figures{Region: f.Region, Year: f.Year, Rank: f.Rank, Total: training.Counts{Label: "合计", Reasons: map[string]int{}}}
	err = s.db.view(ctx, func(tx *Tx) error {
		where, args := scopeWhere("k.region_code", scopes)
		where += ` AND k.start_on >= ? AND k.start_on <= ?`
		args = append(args, f.Year+"-01-01", f.Year+"-12-31")
		// The attendance of the year's classes, summed once per
		// enrolment rather than looked up trainee by trainee.
		attended := `SELECT a.enrolment_id, count(*) AS n, sum(s.hours) AS h FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
			JOIN training_classes k ON k.id = s.class_id WHERE ` + where + ` GROUP BY a.enrolment_id`
		args = append(append([]any{}, args...), args...)
		if f.Rank != "" {
			where += ` AND c.rank_code = ?`
			args = append(args, f.Rank)
		}
		rows, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (figureRow, error) {
			var r figureRow
			return r, s.Scan(&r.class, &r.className, &r.unit, &r.unitName, &r.rank, &r.rankName, &r.rankPos, &r.sessions, &r.hours, &r.outcome, &r.reasons)
		}, `SELECT k.id, k.name, COALESCE(c.unit_id, 0), COALESCE(u.name, r.name), c.rank_code, rk.name, rk.position, COALESCE(t.n, 0), COALESCE(t.h, 0),
			COALESCE(o.outcome, ''), COALESCE(o.reasons, '')
			FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id JOIN cadres c ON c.id = e.cadre_id
			JOIN regions r ON r.code = c.region_code JOIN cadre_ranks rk ON rk.code = c.rank_code LEFT JOIN org_units u ON u.id = c.unit_id `+outcomeJoin+`
			LEFT JOIN (`+attended+`) t ON t.enrolment_id = e.id
			WHERE `+where+` ORDER BY k.start_on, k.id`, args...)
		if err != nil {
			return err
		}
		type group struct {
			keys  map[string]int
			list  *[]training.Counts
			order map[string]string
		}
		groups := [3]group{{keys: map[string]int{}, list: &out.Classes, order: map[string]string{}}, {keys: map[string]int{}, list: &out.Units, order: map[string]string{}},
			{keys: map[string]int{}, list: &out.Ranks, order: map[string]string{}}}
		for _, r := range rows {
			r.add(&out.Total)
			unitKey := strconv.FormatInt(r.unit, 10)
			if r.unit == 0 {
				unitKey = "r:" + r.unitName
			}
			for i, k := range [3][3]string{{strconv.FormatInt(r.class, 10), r.className, ""}, {unitKey, r.unitName, r.unitName}, {r.rank, r.rankName, strconv.Itoa(1000 + r.rankPos)}} {
				g := groups[i]
				j, ok := g.keys[k[0]]
				if !ok {
					j = len(*g.list)
					g.keys[k[0]] = j
					*g.list = append(*g.list, training.Counts{Key: k[0], Label: k[1], Reasons: map[string]int{}})
					g.order[k[0]] = k[2]
				}
				r.add(&(*g.list)[j])
			}
		}
		for _, g := range groups[1:] {
			slices.SortStableFunc(*g.list, func(x, y training.Counts) int { return strings.Compare(g.order[x.Key], g.order[y.Key]) })
		}
		return nil
	})
	return out, err
}
