package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// RankingService implements points.RankingService over the maintained
// totals.
type RankingService struct{ db *DB }

// Rankings returns the ranking service.
func (db *DB) Rankings() *RankingService { return &RankingService{db: db} }

var _ points.RankingService = (*RankingService)(nil)

// Households ranks the households of region by the points approved awards
// earned them in period.
func (s *RankingService) Households(ctx context.Context, a *access.Actor, region, period, aspect string, limit int) ([]points.Ranked, error) {
	if err := readable(a, region); err != nil {
		return nil, err
	}
	_, limit = clampPage(0, limit)
	lo, hi := regioncode.Range(region)
	var out []points.Ranked
	err := s.db.view(ctx, func(tx *Tx) error {
		// The page is cut from the totals alone and only its rows are
		// joined to names. One village is an equality on the village
		// index, which hands its totals over in points order: the page is
		// its first fifty entries, with no sort. A township reads its
		// range of that index and sorts a few thousand rows; a banner or
		// league would sort hundreds of thousands, so there the range test
		// is written as an expression no index serves, which leaves the
		// engines the top index: totals in points order, read until the
		// page is full.
		where, args := `t.village_code >= ? AND t.village_code < ?`, []any{period, aspect, lo, hi}
		switch lvl := regioncode.LevelOf(region); {
		case lvl == regioncode.Village:
			where, args = `t.village_code = ?`, []any{period, aspect, region}
		case lvl <= regioncode.Banner:
			where = `t.village_code || '' >= ? AND t.village_code || '' < ?`
		}
		rows, err := tx.query(ctx, `SELECT x.household_id, COALESCE(r.name, ''), COALESCE(r.birth_date, ''), x.village_code, v.name, x.points, x.awards
			FROM (SELECT t.household_id, t.village_code, t.points, t.awards FROM points_totals t
				WHERE t.period = ? AND t.aspect = ? AND `+where+` ORDER BY t.points DESC, t.household_id LIMIT `+fmt.Sprint(limit)+`) x
			JOIN households h ON h.id = x.household_id LEFT JOIN residents r ON r.id = h.head_id JOIN regions v ON v.code = x.village_code
			ORDER BY x.points DESC, x.household_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x points.Ranked
			var birth string
			if err := rows.Scan(&x.Household, &x.Head, &birth, &x.Village, &x.Name, &x.Points, &x.Awards); err != nil {
				return err
			}
			x.HeadMinor = registry.Minor(birth, tx.now)
			x.Rank = len(out) + 1
			out = append(out, x)
		}
		return rows.Err()
	})
	return out, err
}

// Villages ranks the villages of region by points in period, each with its
// participation rate: households with at least one approved award against
// all its registered households.
func (s *RankingService) Villages(ctx context.Context, a *access.Actor, region, period, aspect string) ([]points.Ranked, error) {
	if err := readable(a, region); err != nil {
		return nil, err
	}
	lo, hi := regioncode.Range(region)
	var out []points.Ranked
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT v.code, v.name, COALESCE(t.points, 0), COALESCE(t.households, 0),
			(SELECT count(*) FROM households h WHERE h.village_code = v.code AND h.status = '在册')
			FROM regions v LEFT JOIN village_totals t ON t.village_code = v.code AND t.period = ? AND t.aspect = ?
			WHERE v.level = ? AND v.status = 'active' AND v.code >= ? AND v.code < ?
			ORDER BY 3 DESC, v.code LIMIT 2000`, period, aspect, int(regioncode.Village), lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x points.Ranked
			if err := rows.Scan(&x.Village, &x.Name, &x.Points, &x.Households, &x.Total); err != nil {
				return err
			}
			x.Rank = len(out) + 1
			out = append(out, x)
		}
		return rows.Err()
	})
	return out, err
}

// Standing places a household in its village for period, for the
// villager's own page; whoever may read the household's points may see it.
func (s *RankingService) Standing(ctx context.Context, a *access.Actor, household int64, period string) (*points.Standing, error) {
	out := &points.Standing{}
	err := s.db.view(ctx, func(tx *Tx) error {
		village, err := tx.ledgerReader(ctx, a, household)
		if err != nil {
			return err
		}
		err = tx.queryRow(ctx, `SELECT points FROM points_totals WHERE period = ? AND aspect = '' AND household_id = ?`, period, household).Scan(&out.Points)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// A household that earned nothing has no totals row; it ranks
		// after every household with more than nothing.
		if err := tx.queryRow(ctx, `SELECT count(*) FROM points_totals WHERE period = ? AND aspect = '' AND village_code = ? AND points > ?`,
			period, village, out.Points).Scan(&out.Rank); err != nil {
			return err
		}
		out.Rank++
		return tx.queryRow(ctx, `SELECT count(*) FROM households WHERE village_code = ? AND status = '在册'`, village).Scan(&out.Of)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
