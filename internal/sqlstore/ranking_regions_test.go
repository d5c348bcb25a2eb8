package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestRegionRankings ranks the townships of a banner against each other:
// 科尔沁镇 has more points per household, 大石寨镇 every household taking
// part, so the two orders put them the other way round; the league ranks
// its banners the same way.
func TestRegionRankings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: qianqi}); err != nil {
			t.Fatal(err)
		}
		const other = "152221103212" // a village of 大石寨镇
		rev := db.Review(storetest.AwardFlows(t), map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
		committee := &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}, {Role: access.Reviewer, Region: other}}}
		a := ledgerHousehold(t, db, "001", 1)
		ledgerHousehold(t, db, "002", 2) // earns nothing
		d := mustHousehold(t, db, other, "001", person("孙三", 3, "1970-01-01", registry.Male)).ID
		var ids []int64
		for i, aw := range []struct {
			by   *access.Actor
			h    int64
			item string
		}{{clerk, a, "env-03"}, {clerk, a, "pub-01"}, {operatorAt(other), d, "env-03"}} {
			w, err := db.Awards(rev).Record(ctx, aw.by, points.AwardInput{Key: string(rune('a' + i)), Household: aw.h, Item: aw.item, Evidence: "记录", Witness: "网格员", Photo: true})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, w.ReviewID)
		}
		for _, id := range ids {
			if _, err := rev.Decide(ctx, committee, id, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(8 * 24 * time.Hour)
		if _, err := rev.FinaliseDue(ctx, now); err != nil {
			t.Fatal(err)
		}
		r := db.Rankings()
		top2 := func(order points.RegionOrder) []points.Ranked {
			t.Helper()
			rs, err := r.Regions(ctx, admin, qianqi, "2026-06", "", order)
			if err != nil || len(rs) < 2 {
				t.Fatalf("townships by %s: %+v, %v", order, rs, err)
			}
			for _, x := range rs {
				if regioncode.LevelOf(x.Village) != regioncode.Township {
					t.Fatalf("%s is no township of the banner", x.Village)
				}
			}
			return rs[:2]
		}
		per := top2(points.ByPerHousehold)
		if per[0].Village != keerqin || per[0].Points != 3 || per[0].Households != 1 || per[0].Total != 2 || per[0].PerHousehold() != "1.5" ||
			per[1].Village != daShiZai || per[1].PerHousehold() != "1.0" || per[0].Rank != 1 || per[1].Rank != 2 {
			t.Fatalf("by points per household: %+v", per)
		}
		part := top2(points.ByParticipation)
		if part[0].Village != daShiZai || part[0].Households != 1 || part[0].Total != 1 || part[1].Village != keerqin {
			t.Fatalf("by participation: %+v", part)
		}
		// The aspect filter: 热心公益 (pub-01) only 科尔沁镇 earned.
		pub, err := r.Regions(ctx, admin, qianqi, "2026-06", "public", points.ByParticipation)
		if err != nil || pub[0].Village != keerqin || pub[0].Points != 2 || pub[1].Points != 0 {
			t.Fatalf("public-spirit aspect: %+v, %v", pub[:2], err)
		}
		banners, err := r.Regions(ctx, admin, xingan, "2026", "", points.ByPerHousehold)
		if err != nil || banners[0].Village != qianqi || banners[0].Points != 4 || banners[0].Total != 3 {
			t.Fatalf("banners of the league: %+v, %v", banners[:1], err)
		}
		if _, err := r.Regions(ctx, admin, keerqin, "2026-06", "", points.ByPerHousehold); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a township's own regions: %v", err)
		}
		if _, err := r.Regions(ctx, admin, qianqi, "2026-06", "", "points"); !fault.Is(err, fault.Invalid) {
			t.Fatalf("an unknown order: %v", err)
		}
		if _, err := r.Regions(ctx, clerk, qianqi, "2026-06", "", points.ByPerHousehold); err == nil {
			t.Fatal("a village clerk ranked the banner's townships")
		}
	})
}
