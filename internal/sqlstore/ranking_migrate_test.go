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
	"shanzhi/internal/sqlstore/storetest"
)

// TestTotalsCompactMigration builds a database at the schema before
// migration 0045 with ranking totals written as the previous version
// wrote them (text periods, aspects and village codes) for households in
// three villages of two townships, in a year and three months, for all
// aspects and two single ones, with ties. Migrating converts them: every
// household ranking (village, township, banner, league), village
// ranking, region ranking, standing and honour board standing reads the
// figures that were written.
func TestTotalsCompactMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, _ := keyedBefore(t, engine, "0045")
			auditWritable(t, db, engine) // the households below are audited
			if _, err := db.SeedRegions(ctx); err != nil {
				t.Fatal(err)
			}
			// 平安村 and another village of 科尔沁镇, and a village of
			// another township of the banner.
			var near, far string
			if err := db.RawRow(ctx, `SELECT code FROM regions WHERE level = ? AND code >= ? AND code < ? AND code <> ? ORDER BY code LIMIT 1`,
				int(regioncode.Village), keerqin, "152221100:", pingan).Scan(&near); err != nil {
				t.Fatal(err)
			}
			if err := db.RawRow(ctx, `SELECT code FROM regions WHERE level = ? AND code >= ? AND code < ? AND code NOT LIKE '152221100%' ORDER BY code LIMIT 1`,
				int(regioncode.Village), qianqi, "152221:").Scan(&far); err != nil {
				t.Fatal(err)
			}
			type hh struct {
				id      int64
				village string
			}
			var hs []hh
			for i, v := range []string{pingan, pingan, pingan, near, near, far} {
				h := mustHousehold(t, db, v, fmt.Sprintf("%03d", i+1), withoutID(person([]string{"赵一", "钱二", "孙三", "李四", "周五", "吴六"}[i], i+1, "1970-01-01", registry.Male)))
				hs = append(hs, hh{h.ID, v})
			}

			// The old totals: points by household, period and aspect,
			// ties included; the aspect '' row is its aspects' sum.
			type row struct {
				period, aspect string
				h              hh
				points, awards int64
			}
			var rows []row
			months := []string{"2026-04", "2026-05", "2026-06"}
			for i, h := range hs {
				year := map[string][2]int64{}
				for m, month := range months {
					all := [2]int64{}
					for a, aspect := range []string{"filial", "env"} {
						if (i+m+a)%3 == 0 {
							continue // not every household earns every aspect every month
						}
						pts := int64((i*7+m*3+a*5)%9 + 1)
						if i == 1 || i == 2 {
							pts = 6 // a tie in 平安村
						}
						rows = append(rows, row{month, aspect, h, pts, 1})
						all[0], all[1] = all[0]+pts, all[1]+1
						y := year[aspect]
						year[aspect] = [2]int64{y[0] + pts, y[1] + 1}
					}
					if all[1] > 0 {
						rows = append(rows, row{month, "", h, all[0], all[1]})
						y := year[""]
						year[""] = [2]int64{y[0] + all[0], y[1] + all[1]}
					}
				}
				for aspect, y := range year {
					rows = append(rows, row{"2026", aspect, h, y[0], y[1]})
				}
			}
			type vkey struct{ period, aspect, village string }
			vt := map[vkey][2]int64{}
			for _, r := range rows {
				rawExec(t, db, `INSERT INTO points_totals (period, aspect, household_id, village_code, points, awards) VALUES (?, ?, ?, ?, ?, ?)`,
					r.period, r.aspect, r.h.id, r.h.village, r.points, r.awards)
				k := vkey{r.period, r.aspect, r.h.village}
				vt[k] = [2]int64{vt[k][0] + r.points, vt[k][1] + 1}
			}
			for k, v := range vt {
				rawExec(t, db, `INSERT INTO village_totals (period, aspect, village_code, points, households) VALUES (?, ?, ?, ?, ?)`,
					k.period, k.aspect, k.village, v[0], v[1])
			}
			auditOld(t, db, engine)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}

			// What each reading must give, from the rows written.
			periods := append([]string{"2026"}, months...)
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
						w := vt[vkey{period, aspect, v.Village}]
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
		})
	}
}
