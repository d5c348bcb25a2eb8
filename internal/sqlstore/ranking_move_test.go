package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestTotalsFollowHousehold checks whose village a total counts in
// (migration 0047): a household's totals of the year in progress follow
// it when it moves, by an edit or by its village's merge, back and forth,
// with both villages' totals adjusted; an award approved after a move
// counts in the new village though it was recorded in the old one; last
// year's totals stay in the village they were earned in. Every household
// ranking (village, township, banner, league), village ranking and
// standing reads that.
func TestTotalsFollowHousehold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		rev := db.Review(storetest.AwardFlows(t), map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
		committee := &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: keerqin}}}
		var villages []string
		for _, name := range []string{"东村", "西村"} {
			v, err := db.Regions().AddVillage(ctx, admin, keerqin, name, "新设")
			if err != nil {
				t.Fatal(err)
			}
			villages = append(villages, v.Code)
		}
		a, b, c := pingan, villages[0], villages[1]
		mover := mustHousehold(t, db, a, "001", person("赵一", 1, "1970-01-01", registry.Male)).ID
		stays := mustHousehold(t, db, a, "002", person("钱二", 2, "1970-01-01", registry.Male)).ID
		other := mustHousehold(t, db, b, "001", person("孙三", 3, "1970-01-01", registry.Male)).ID

		// The model: each household's points and awards by period and
		// aspect, and the village each of its totals counts in.
		type key struct {
			period, aspect string
			h              int64
		}
		earned := map[key][2]int64{}
		at := map[key]string{}
		home := map[int64]string{mover: a, stays: a, other: b}
		n := 0
		// award records an award and approves it; it is posted when the
		// review ends (finalise).
		award := func(h int64, item string) {
			n++
			w, err := db.Awards(rev).Record(ctx, admin, points.AwardInput{Key: fmt.Sprint(n), Household: h, Item: item, Evidence: "记录", Witness: "网格员", Photo: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rev.Decide(ctx, committee, w.ReviewID, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		// count adds an award to the model once it is posted, in the
		// household's village then.
		count := func(h int64, aspect string, pts int64) {
			for _, p := range []string{now.Format("2006-01"), now.Format("2006")} {
				for _, asp := range []string{"", aspect} {
					k := key{p, asp, h}
					earned[k] = [2]int64{earned[k][0] + pts, earned[k][1] + 1}
					at[k] = home[h]
				}
			}
		}
		finalise := func() {
			now = now.Add(8 * 24 * time.Hour)
			if _, err := rev.FinaliseDue(ctx, now); err != nil {
				t.Fatal(err)
			}
			now = now.Add(-8 * 24 * time.Hour)
		}
		// move moves a household in the model: its totals of this year go
		// along.
		move := func(h int64, to string) {
			home[h] = to
			for k := range at {
				if k.h == h && k.period[:4] == now.Format("2006") {
					at[k] = to
				}
			}
		}
		check := func(step string) {
			t.Helper()
			for _, period := range []string{"2025", "2025-12", "2026", "2026-06"} {
				for _, aspect := range []string{"", "env"} {
					for _, region := range []string{a, b, c, keerqin, "152221000000", xingan} {
						var want []string
						for k, e := range earned {
							if k.period == period && k.aspect == aspect && regioncode.Covers(region, at[k]) {
								want = append(want, fmt.Sprintf("%d %d %s %d", e[0], k.h, at[k], e[1]))
							}
						}
						got, err := db.Rankings().Households(ctx, admin, region, period, aspect, 50)
						if err != nil {
							t.Fatal(err)
						}
						var have []string
						for _, x := range got {
							have = append(have, fmt.Sprintf("%d %d %s %d", x.Points, x.Household, x.Village, x.Awards))
						}
						sort.Strings(want)
						sort.Strings(have)
						if !slices.Equal(have, want) {
							t.Errorf("%s: households of %s in %s/%q:\n got %v\nwant %v", step, region, period, aspect, have, want)
						}
					}
					vs, err := db.Rankings().Villages(ctx, admin, keerqin, period, aspect)
					if err != nil {
						t.Fatal(err)
					}
					for _, v := range vs {
						var w [2]int64
						for k, e := range earned {
							if k.period == period && k.aspect == aspect && at[k] == v.Village {
								w = [2]int64{w[0] + e[0], w[1] + 1}
							}
						}
						if v.Points != w[0] || int64(v.Households) != w[1] {
							t.Errorf("%s: village %s in %s/%q: %d points, %d households; want %d, %d", step, v.Village, period, aspect, v.Points, v.Households, w[0], w[1])
						}
					}
				}
				// A household's standing is in the village its total of
				// the period counts in.
				for _, h := range []int64{mover, stays, other} {
					st, err := db.Rankings().Standing(ctx, admin, h, period)
					if err != nil {
						t.Fatal(err)
					}
					mine := key{period, "", h}
					village := at[mine]
					if village == "" {
						village = home[h]
					}
					above := 0
					for k, e := range earned {
						if k.period == period && k.aspect == "" && at[k] == village && e[0] > earned[mine][0] {
							above++
						}
					}
					if st.Points != earned[mine][0] || st.Rank != above+1 {
						t.Errorf("%s: standing of %d in %s: %d points, rank %d; want %d, %d", step, h, period, st.Points, st.Rank, earned[mine][0], above+1)
					}
				}
			}
		}

		// Last year: the mover earns in 平安村.
		award(mover, "env-03")
		finalise()
		count(mover, "env", 1)
		now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		for _, x := range []struct {
			h         int64
			item, asp string
			pts       int64
		}{{mover, "env-03", "env", 1}, {mover, "pub-01", "public", 2}, {stays, "env-03", "env", 1}, {other, "env-03", "env", 1}} {
			award(x.h, x.item)
			count(x.h, x.asp, x.pts)
		}
		finalise()
		check("awards approved")

		// An award recorded in 平安村 and decided, then the household
		// moves before the review ends: it is posted in the new village,
		// with the household's totals of the year.
		award(mover, "env-03")
		if err := db.Registry().UpdateHousehold(ctx, admin, mover, registry.HouseholdInput{Number: "009", VillageCode: b, Address: "一组"}, "迁往外村"); err != nil {
			t.Fatal(err)
		}
		move(mover, b)
		check("moved by an edit")
		finalise()
		count(mover, "env", 1)
		check("an award posted after the move")

		// Back and forth.
		if err := db.Registry().UpdateHousehold(ctx, admin, mover, registry.HouseholdInput{Number: "009", VillageCode: a, Address: "一组"}, "迁回"); err != nil {
			t.Fatal(err)
		}
		move(mover, a)
		check("moved back")
		if err := db.Registry().UpdateHousehold(ctx, admin, mover, registry.HouseholdInput{Number: "009", VillageCode: b, Address: "一组"}, "再迁"); err != nil {
			t.Fatal(err)
		}
		move(mover, b)
		check("moved again")

		// Its village merges into another, taking both households'
		// totals of the year there.
		if err := db.Regions().Merge(ctx, admin, b, c, "合并"); err != nil {
			t.Fatal(err)
		}
		move(mover, c)
		move(other, c)
		check("villages merged")
	})
}
