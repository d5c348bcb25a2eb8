package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
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
	var out []points.Ranked
	err := s.db.view(ctx, func(tx *Tx) error {
		// The page is cut from the totals alone and only its rows are
		// joined to names. A village's totals are one range of the
		// primary key (migration 0047), a few hundred rows to sort; a
		// township's a few such ranges, one for each of its villages. A
		// banner or the league would sort hundreds of thousands, so
		// there, when the top index holds the period and aspect, the
		// village test is written as an expression no index serves, which
		// leaves the engines the top index: totals in points order, read
		// until the page is full. A month of one aspect is not in that
		// index: its totals are read by key and sorted. Elsewhere the sort
		// is by an expression the top index does not give: both engines
		// see the aspect's bound value, may then prove the top index's
		// predicate, and took it for a township, reading the league's
		// totals in points order for its villages' (SQLite: 7-9 ms
		// instead of 0.4 on the small set). The village comes back as its
		// region code.
		asp, err := tx.aspectArg(ctx, aspect)
		if err != nil {
			return err
		}
		per := periodArg(period)
		top := topIndexed(per, asp)
		wide := top != "" && regioncode.LevelOf(region) <= regioncode.Banner
		villages, vargs, err := tx.inVillages(ctx, region, !wide)
		if err != nil {
			return err
		}
		where, args, order := villages, append([]any{per, asp}, vargs...), "t.points + 0"
		if wide {
			where, order = top+villages, "t.points"
		}
		rows, err := tx.query(ctx, `SELECT x.household_id, COALESCE(r.name, ''), COALESCE(r.name_mongol, ''), COALESCE(r.birth_date, ''), v.code, v.name, x.points, x.awards
			FROM (SELECT t.household_id, t.village, t.points, t.awards FROM points_totals t
				WHERE t.period = ? AND t.aspect = ?`+where+` ORDER BY `+order+` DESC, t.household_id LIMIT `+fmt.Sprint(limit)+`) x
			JOIN households h ON h.id = x.household_id LEFT JOIN residents r ON r.id = h.head_id
			JOIN totals_villages o ON o.id = x.village JOIN regions v ON v.code = CAST(o.code AS TEXT)
			ORDER BY x.points DESC, x.household_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x points.Ranked
			var birth string
			if err := rows.Scan(&x.Household, &x.Head, &x.HeadMongol, &birth, &x.Village, &x.Name, &x.Points, &x.Awards); err != nil {
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

// rankCacheTTL bounds how long another server's award approval or
// household change can go unseen in the villages' ranking (see
// readCache); on the server that made it the ranking shows it at once.
// A league's ranking of its villages is a few thousand rows read and
// sorted, the most expensive read the dashboards repeat, and a second
// is less than anyone watching a league's figures can tell.
const rankCacheTTL = time.Second

// rankCacheMax bounds the memory: an entry is up to 2,000 villages.
const rankCacheMax = 64

// rankWatch empties c when a transaction writes what the villages'
// ranking reads: the villages' totals, the households (whose triggers
// keep village_households) and the regions.
func rankWatch(c *readCache[[]points.Ranked]) cacheWatch {
	return cacheWatch{tables: []string{" village_totals", " village_households", " households", " regions"}, clear: c.clear}
}

// Villages ranks the villages of region by points in period, each with its
// participation rate: households with at least one approved award against
// all its registered households. The ranking comes from ranks, the
// process's cache of it, and callers share what it holds: they must not
// change it.
func (s *RankingService) Villages(ctx context.Context, a *access.Actor, region, period, aspect string) ([]points.Ranked, error) {
	if err := readable(a, region); err != nil {
		return nil, err
	}
	return s.db.ranks.get(region+"|"+period+"|"+aspect, func() ([]points.Ranked, error) {
		return s.villages(ctx, region, period, aspect)
	})
}

// villages is Villages read from the database.
func (s *RankingService) villages(ctx context.Context, region, period, aspect string) ([]points.Ranked, error) {
	lo, hi := regioncode.Range(region)
	var out []points.Ranked
	err := s.db.view(ctx, func(tx *Tx) error {
		// The registered households come from the figure the households'
		// triggers maintain (migration 0042): counting them per village
		// was nearly all of a league's request.
		asp, err := tx.aspectArg(ctx, aspect)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT v.code, v.name, COALESCE(t.points, 0), COALESCE(t.households, 0), COALESCE(c.active, 0)
			FROM regions v LEFT JOIN village_totals t ON t.village = CAST(v.code AS BIGINT) AND t.period = ? AND t.aspect = ?
			LEFT JOIN village_households c ON c.village_code = v.code
			WHERE v.level = ? AND v.status = 'active' AND v.code >= ? AND v.code < ?
			ORDER BY 3 DESC, v.code LIMIT 2000`, periodArg(period), asp, int(regioncode.Village), lo, hi)
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

// Regions ranks the units one level below region by points per
// registered household or by participation. Both figures come from
// per-village rows summed by the unit's code prefix, so a league reads no
// award or ledger row.
func (s *RankingService) Regions(ctx context.Context, a *access.Actor, region, period, aspect string, order points.RegionOrder) ([]points.Ranked, error) {
	if err := readable(a, region); err != nil {
		return nil, err
	}
	if order != points.ByPerHousehold && order != points.ByParticipation {
		return nil, fault.OnField(fault.Invalid, "order", "ranking.order_invalid")
	}
	lvl := regioncode.LevelOf(region)
	if lvl >= regioncode.Township {
		return nil, fault.OnField(fault.Invalid, "region", "ranking.regions_level")
	}
	n := regioncode.PrefixLen(lvl + 1)
	lo, hi := regioncode.Range(region)
	var out []points.Ranked
	err := s.db.view(ctx, func(tx *Tx) error {
		units, err := queryAll(ctx, tx, func(r interface{ Scan(...any) error }) (points.Ranked, error) {
			var x points.Ranked
			return x, r.Scan(&x.Village, &x.Name)
		}, `SELECT code, name FROM regions WHERE level = ? AND status = 'active' AND code >= ? AND code < ? ORDER BY code`, int(lvl+1), lo, hi)
		if err != nil {
			return err
		}
		at := make(map[string]int, len(units))
		for i, u := range units {
			at[u.Village[:n]] = i
		}
		// Per village, then summed here by the unit's code prefix: each
		// query reads one index range in order (village_totals and
		// village_households by their primary keys), which measured
		// faster than grouping by a prefix expression in SQL.
		asp, err := tx.aspectArg(ctx, aspect)
		if err != nil {
			return err
		}
		vlo, vhi := villageSpan(region)
		rows, err := tx.query(ctx, `SELECT village, points, households FROM village_totals
			WHERE period = ? AND aspect = ? AND village >= ? AND village < ?`, periodArg(period), asp, vlo, vhi)
		if err != nil {
			return err
		}
		for rows.Next() {
			var village, pts int64
			var active int
			if err := rows.Scan(&village, &pts, &active); err != nil {
				rows.Close()
				return err
			}
			code := villageText(village)
			if i, ok := at[code[:min(n, len(code))]]; ok {
				units[i].Points += pts
				units[i].Households += active
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(ctx, `SELECT village_code, active FROM village_households
			WHERE village_code >= ? AND village_code < ?`, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var total int
			if err := rows.Scan(&code, &total); err != nil {
				return err
			}
			if i, ok := at[code[:n]]; ok {
				units[i].Total += total
			}
		}
		out = units
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	points.SortRegions(out, order)
	return out, nil
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
		*out, err = tx.standing(ctx, village, household, period)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// standing places a household of village by its points in period; the
// credit summary a bank receives reads the same figures.
func (tx *Tx) standing(ctx context.Context, village string, household int64, period string) (points.Standing, error) {
	var out points.Standing
	// Aspect 0 is all aspects together (migration 0045); the village is
	// keyed by its ordinal (migration 0047), so both reads are the
	// village's range of the primary key. An earlier year's total stays
	// in the village it was earned in, and is placed there.
	per := periodArg(period)
	if periodYear(per) != tx.thisYear() {
		var err error
		if village, err = tx.earnedIn(ctx, per, household, village); err != nil {
			return out, err
		}
	}
	ord, err := tx.villageOrd(ctx, village)
	if err != nil {
		return out, err
	}
	err = tx.queryRow(ctx, `SELECT points FROM points_totals WHERE period = ? AND aspect = 0 AND village = ? AND household_id = ?`, per, ord, household).Scan(&out.Points)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, err
	}
	// A household that earned nothing has no totals row; it ranks
	// after every household with more than nothing.
	if err := tx.queryRow(ctx, `SELECT count(*) FROM points_totals WHERE period = ? AND aspect = 0 AND village = ? AND points > ?`,
		per, ord, out.Points).Scan(&out.Rank); err != nil {
		return out, err
	}
	out.Rank++
	err = tx.queryRow(ctx, `SELECT active FROM village_households WHERE village_code = ?`, village).Scan(&out.Of)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return out, err
}
