package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
)

// The ranking totals are keyed by (period, aspect, village, household_id)
// since migration 0047, the village an ordinal from totals_villages. A
// household's totals of the year in progress are in its village of now:
// a move takes them along (moveTotals). An earlier year's stay where they
// were earned.

// periodYear is the year of a stored period (periodNum).
func periodYear(period int64) int64 {
	if period >= 10000 {
		return period / 100
	}
	return period
}

// thisYear is the year in progress in the project's time zone.
func (tx *Tx) thisYear() int64 { return int64(localtime.In(tx.now).Year()) }

// yearPeriods are a year's stored periods, the year and its months, as
// query arguments.
func yearPeriods(year int64) []any {
	out := []any{year}
	for m := int64(1); m <= 12; m++ {
		out = append(out, year*100+m)
	}
	return out
}

// topIndexed is the predicate of the partial index points_totals_top,
// written out for a query of one period and aspect it covers, "" for one
// it does not: an engine uses a partial index only when it can prove its
// predicate, and a plan made for any value (PostgreSQL's generic plans)
// can prove it only from the query's text. The totals are t.
func topIndexed(period, aspect int64) string {
	if aspect == 0 || period < 10000 {
		return ` AND (t.aspect = 0 OR t.period < 10000)`
	}
	return ""
}

// inVillages is the test that a total t is of a village under region,
// with its arguments. A village is its ordinal, from the process's cache;
// a wider region the ordinals of its villages, read by code within the
// statement: ordinals follow no order of codes, so they are never read
// as a range, and a list made first would be a round trip more and, on
// PostgreSQL, a banner's hundreds of parameters planned anew each time
// (3 ms). byKey false writes the test as an expression no index serves,
// to leave the engines the top index; "IS TRUE" keeps PostgreSQL from
// making the IN a join (it does so only with a bare IN), whose generic
// plan read and sorted the league's totals of the year (19 ms instead of
// 0.6 on the small set): the villages are hashed once and each total
// read is looked up in them.
func (tx *Tx) inVillages(ctx context.Context, region string, byKey bool) (string, []any, error) {
	if regioncode.LevelOf(region) == regioncode.Village {
		ord, err := tx.villageOrd(ctx, region)
		return ` AND t.village = ?`, []any{ord}, err
	}
	lo, hi := villageSpan(region)
	in := ` AND t.village IN (SELECT id FROM totals_villages WHERE code >= ? AND code < ?)`
	if !byKey {
		in = ` AND (t.village + 0 IN (SELECT id FROM totals_villages WHERE code >= ? AND code < ?)) IS TRUE`
	}
	return in, []any{lo, hi}, nil
}

// addHouseholdTotal adds points and awards to a household's total in a
// village, returning the awards it then counts.
func (tx *Tx) addHouseholdTotal(ctx context.Context, period, aspect, village, household, points int64, awards int) (int, error) {
	var after int
	err := tx.queryRow(ctx, `INSERT INTO points_totals (period, aspect, village, household_id, points, awards) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (period, aspect, village, household_id) DO UPDATE SET points = points_totals.points + excluded.points, awards = points_totals.awards + excluded.awards
		RETURNING awards`, period, aspect, village, household, points, awards).Scan(&after)
	return after, err
}

// addVillageTotal adds points and counted households to a village's total.
func (tx *Tx) addVillageTotal(ctx context.Context, period, aspect int64, village string, points int64, households int) error {
	_, err := tx.exec(ctx, `INSERT INTO village_totals (period, aspect, village, points, households) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (period, aspect, village) DO UPDATE SET points = village_totals.points + excluded.points, households = village_totals.households + excluded.households`,
		period, aspect, villageArg(village), points, households)
	return err
}

// earnedIn is the village a household's total of an earlier year's
// period is kept in, or current when it has none. It is sought through
// every village's ordinal, a key seek each: there is no index by
// household, and only a correction, a late award or a standing reaches
// back a year. The CROSS JOIN keeps SQLite from reading the period's
// totals in the top index instead, every household of the league (twice
// as slow on the small set).
func (tx *Tx) earnedIn(ctx context.Context, period, household int64, current string) (string, error) {
	var code int64
	err := tx.queryRow(ctx, `SELECT o.code FROM totals_villages o CROSS JOIN points_totals t
		WHERE t.period = ? AND t.aspect = 0 AND t.village = o.id AND t.household_id = ? LIMIT 1`, period, household).Scan(&code)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return current, nil
	case err != nil:
		return "", err
	}
	return villageText(code), nil
}

// moveTotals moves a household's totals of the year in progress from one
// village to another, in the transaction that moves the household: into
// its rows there, if any, with both villages' totals adjusted, the
// household no longer counted in the old one and counted in the new one
// unless it was already. Its rows are found by their keys, the year's
// periods and every aspect, in the old village.
func (tx *Tx) moveTotals(ctx context.Context, household int64, from, to string) error {
	old, err := tx.villageOrd(ctx, from)
	if err != nil || old < 0 {
		return err
	}
	type total struct {
		period, aspect, points int64
		awards                 int
	}
	periods := yearPeriods(tx.thisYear())
	moved, err := queryAll(ctx, tx, func(r interface{ Scan(...any) error }) (total, error) {
		var x total
		return x, r.Scan(&x.period, &x.aspect, &x.points, &x.awards)
	}, `SELECT t.period, t.aspect, t.points, t.awards FROM ranking_aspects a JOIN points_totals t
		ON t.period IN `+placeholders(1, len(periods))+` AND t.aspect = a.id AND t.village = ? AND t.household_id = ?`,
		append(periods, old, household)...)
	if err != nil || len(moved) == 0 {
		return err
	}
	dest, err := tx.ledgerLookup(ctx, lookupVillage, 0, to)
	if err != nil {
		return err
	}
	for _, x := range moved {
		if _, err := tx.exec(ctx, `DELETE FROM points_totals WHERE period = ? AND aspect = ? AND village = ? AND household_id = ?`, x.period, x.aspect, old, household); err != nil {
			return err
		}
		after, err := tx.addHouseholdTotal(ctx, x.period, x.aspect, dest, household, x.points, x.awards)
		if err != nil {
			return err
		}
		// A household counts in a village's households once it has an
		// award there (addTotals).
		left, came := 0, 0
		if x.awards > 0 {
			left = 1
			if after == x.awards {
				came = 1
			}
		}
		if err := tx.addVillageTotal(ctx, x.period, x.aspect, from, -x.points, -left); err != nil {
			return err
		}
		if err := tx.addVillageTotal(ctx, x.period, x.aspect, to, x.points, came); err != nil {
			return err
		}
	}
	return nil
}
