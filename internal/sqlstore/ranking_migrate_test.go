package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"shanzhi/internal/honour"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestTotalsCompactMigration builds a database at the schema before
// migration 0045 with ranking totals written as the previous version
// wrote them (text periods, aspects and village codes); migrating
// converts them (checkTotals).
func TestTotalsCompactMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, _ := keyedBefore(t, engine, "0045")
			auditWritable(t, db, engine) // the households below are audited
			hs, rows := totalsFixture(t, db)
			for _, r := range rows {
				rawExec(t, db, `INSERT INTO points_totals (period, aspect, household_id, village_code, points, awards) VALUES (?, ?, ?, ?, ?, ?)`,
					r.period, r.aspect, r.h.id, r.h.village, r.points, r.awards)
			}
			for k, v := range villageTotals(rows) {
				rawExec(t, db, `INSERT INTO village_totals (period, aspect, village_code, points, households) VALUES (?, ?, ?, ?, ?)`,
					k.period, k.aspect, k.village, v[0], v[1])
			}
			auditOld(t, db, engine)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkTotals(t, db, hs, rows)
		})
	}
}

// TestTotalsVillageKeyMigration builds a database at the schema before
// migration 0047 with ranking totals in the form of migration 0045
// (integer periods, aspect ids and village codes, keyed without the
// village); migrating keys them by village ordinals (checkTotals).
func TestTotalsVillageKeyMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, _ := keyedBefore(t, engine, "0047")
			hs, rows := totalsFixture(t, db)
			period := func(p string) string { return strings.ReplaceAll(p, "-", "") }
			aspect := `(SELECT id FROM ranking_aspects WHERE name = ?)`
			for _, r := range rows {
				rawExec(t, db, `INSERT INTO ranking_aspects (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, r.aspect)
				rawExec(t, db, `INSERT INTO points_totals (period, aspect, household_id, village, points, awards)
					VALUES (CAST(? AS INTEGER), `+aspect+`, ?, CAST(? AS BIGINT), ?, ?)`,
					period(r.period), r.aspect, r.h.id, r.h.village, r.points, r.awards)
			}
			for k, v := range villageTotals(rows) {
				rawExec(t, db, `INSERT INTO village_totals (period, aspect, village, points, households) VALUES (CAST(? AS INTEGER), `+aspect+`, CAST(? AS BIGINT), ?, ?)`,
					period(k.period), k.aspect, k.village, v[0], v[1])
			}
			// The household of another township of the banner moved to
			// 平安村 before the migration, its totals still in its old
			// village: the year in progress follows it, there and in both
			// villages' totals.
			moved := hs[5]
			rawExec(t, db, `UPDATE households SET village_code = ? WHERE id = ?`, pingan, moved.id)
			hs[5].village = pingan
			for i := range rows {
				if rows[i].h.id == moved.id {
					rows[i].h.village = pingan
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkTotals(t, db, hs, rows)
		})
	}
}

// totalsHousehold is a household of totalsFixture with its village.
type totalsHousehold struct {
	id      int64
	village string
}

// totalsRow is a household's total of a period and aspect, as text.
type totalsRow struct {
	period, aspect string
	h              totalsHousehold
	points, awards int64
}

// totalsKey keys a village's total.
type totalsKey struct{ period, aspect, village string }

// totalsFixture registers households in four villages of three townships
// of two banners (the regions seeded) and returns their totals in a year and three
// months, for all aspects and two single ones, with ties; the row of all
// aspects (aspect "") is its aspects' sum.
func totalsFixture(t *testing.T, db *sqlstore.DB) ([]totalsHousehold, []totalsRow) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.SeedRegions(ctx); err != nil {
		t.Fatal(err)
	}
	// 平安村 and another village of 科尔沁镇, a village of another
	// township of the banner and one of another banner of the league.
	var near, far, away string
	if err := db.RawRow(ctx, `SELECT code FROM regions WHERE level = ? AND code >= ? AND code < ? AND code <> ? ORDER BY code LIMIT 1`,
		int(regioncode.Village), keerqin, "152221100:", pingan).Scan(&near); err != nil {
		t.Fatal(err)
	}
	if err := db.RawRow(ctx, `SELECT code FROM regions WHERE level = ? AND code >= ? AND code < ? AND code NOT LIKE '152221100%' ORDER BY code LIMIT 1`,
		int(regioncode.Village), qianqi, "152221:").Scan(&far); err != nil {
		t.Fatal(err)
	}
	if err := db.RawRow(ctx, `SELECT code FROM regions WHERE level = ? AND code > ? AND code < ? ORDER BY code LIMIT 1`,
		int(regioncode.Village), "152221:", "152223").Scan(&away); err != nil {
		t.Fatal(err)
	}
	var hs []totalsHousehold
	for i, v := range []string{pingan, pingan, pingan, near, near, far, away} {
		h := mustHousehold(t, db, v, fmt.Sprintf("%03d", i+1), withoutID(person([]string{"赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七"}[i], i+1, "1970-01-01", registry.Male)))
		hs = append(hs, totalsHousehold{h.ID, v})
	}
	var rows []totalsRow
	for i, h := range hs {
		year := map[string][2]int64{}
		for m, month := range totalsMonths {
			all := [2]int64{}
			for a, aspect := range []string{"filial", "env"} {
				if (i+m+a)%3 == 0 {
					continue // not every household earns every aspect every month
				}
				pts := int64((i*7+m*3+a*5)%9 + 1)
				if i == 1 || i == 2 {
					pts = 6 // a tie in 平安村
				}
				rows = append(rows, totalsRow{month, aspect, h, pts, 1})
				all[0], all[1] = all[0]+pts, all[1]+1
				y := year[aspect]
				year[aspect] = [2]int64{y[0] + pts, y[1] + 1}
			}
			if all[1] > 0 {
				rows = append(rows, totalsRow{month, "", h, all[0], all[1]})
				y := year[""]
				year[""] = [2]int64{y[0] + all[0], y[1] + all[1]}
			}
		}
		for aspect, y := range year {
			rows = append(rows, totalsRow{"2026", aspect, h, y[0], y[1]})
		}
	}
	return hs, rows
}

// totalsMonths are the months of totalsFixture.
var totalsMonths = []string{"2026-04", "2026-05", "2026-06"}

// villageTotals are the villages' totals of rows: points and households.
func villageTotals(rows []totalsRow) map[totalsKey][2]int64 {
	vt := map[totalsKey][2]int64{}
	for _, r := range rows {
		k := totalsKey{r.period, r.aspect, r.h.village}
		vt[k] = [2]int64{vt[k][0] + r.points, vt[k][1] + 1}
	}
	return vt
}

// checkTotals checks that every household ranking (village, township,
// banner, league), village ranking, region ranking, standing and honour
// board standing reads the totals rows hold.
func checkTotals(t *testing.T, db *sqlstore.DB, hs []totalsHousehold, rows []totalsRow) {
	t.Helper()
	ctx := context.Background()
	vt := villageTotals(rows)
	periods := append([]string{"2026"}, totalsMonths...)
	near := hs[3].village // another village of 科尔沁镇
	aspects := []string{"", "filial", "env", "never"}
	for _, period := range periods {
		for _, aspect := range aspects {
			for _, region := range []string{pingan, near, keerqin, qianqi, xingan} {
				var want []string
				for _, r := range rows {
					if r.period == period && r.aspect == aspect && regioncode.Covers(region, r.h.village) {
						want = append(want, fmt.Sprintf("%012d %d %s %d", 1_000_000-r.points, r.h.id, r.h.village, r.awards))
					}
				}
				sort.Strings(want)
				got, err := db.Rankings().Households(ctx, admin, region, period, aspect, 50)
				if err != nil {
					t.Fatal(err)
				}
				var have []string
				for _, x := range got {
					have = append(have, fmt.Sprintf("%012d %d %s %d", 1_000_000-x.Points, x.Household, x.Village, x.Awards))
				}
				if !slices.Equal(have, want) {
					t.Errorf("households of %s in %s/%q:\n got %v\nwant %v", region, period, aspect, have, want)
				}
			}
			vs, err := db.Rankings().Villages(ctx, admin, keerqin, period, aspect)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				w := vt[totalsKey{period, aspect, v.Village}]
				if v.Points != w[0] || int64(v.Households) != w[1] {
					t.Errorf("village %s in %s/%q: %d points, %d households; want %d, %d", v.Village, period, aspect, v.Points, v.Households, w[0], w[1])
				}
			}
			us, err := db.Rankings().Regions(ctx, admin, qianqi, period, aspect, points.ByPerHousehold)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range us {
				var w [2]int64
				for k, v := range vt {
					if k.period == period && k.aspect == aspect && regioncode.Covers(u.Village, k.village) {
						w = [2]int64{w[0] + v[0], w[1] + v[1]}
					}
				}
				if u.Points != w[0] || int64(u.Households) != w[1] {
					t.Errorf("township %s in %s/%q: %d points, %d households; want %d, %d", u.Village, period, aspect, u.Points, u.Households, w[0], w[1])
				}
			}
		}
		for _, h := range hs {
			s, err := db.Rankings().Standing(ctx, admin, h.id, period)
			if err != nil {
				t.Fatal(err)
			}
			var mine int64
			above := 0
			for _, r := range rows {
				if r.period == period && r.aspect == "" && r.h.id == h.id {
					mine = r.points
				}
			}
			for _, r := range rows {
				if r.period == period && r.aspect == "" && r.h.village == h.village && r.points > mine {
					above++
				}
			}
			if s.Points != mine || s.Rank != above+1 {
				t.Errorf("standing of %d in %s: %d points, rank %d; want %d, %d", h.id, period, s.Points, s.Rank, mine, above+1)
			}
		}
	}

	// A computed quarterly board of the township sums the
	// aspect's three months.
	bd, err := db.Honours(nil).CreateBoard(ctx, admin, honour.BoardInput{Region: keerqin, Name: "孝星榜", Kind: honour.Computed, Period: honour.Quarter, Aspect: "filial", MinPoints: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	e, err := db.Honours(nil).Edition(ctx, admin, bd.ID, "2026-Q2")
	if err != nil {
		t.Fatal(err)
	}
	sums := map[int64]int64{}
	for _, r := range rows {
		if r.aspect == "filial" && strings.HasPrefix(r.period, "2026-") && regioncode.Covers(keerqin, r.h.village) {
			sums[r.h.id] += r.points
		}
	}
	if len(e.Honours) != len(sums) {
		t.Errorf("board places %d households, want %d", len(e.Honours), len(sums))
	}
	for _, h := range e.Honours {
		if h.Points != sums[h.Household] {
			t.Errorf("board: household %d has %d points, want %d", h.Household, h.Points, sums[h.Household])
		}
	}
}
