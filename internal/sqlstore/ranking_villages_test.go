package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestVillageParticipationMaintained checks that the league's villages
// with participation rates, which read maintained figures (the registered
// households kept by triggers, migration 0042, and the earning households
// kept by the award applier), equal raw counts of the register and of the
// approved awards (in the households' villages) after awards, a
// rejection, a correction that reverses an award's points, a move between
// villages, a merge of households, a village merged into another and a
// year close.
func TestVillageParticipationMaintained(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		flows := storetest.AwardFlows(t)
		rev := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
		committee := &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: keerqin}}}
		nv, err := db.Regions().AddVillage(ctx, admin, keerqin, "新建村", "新设")
		if err != nil {
			t.Fatal(err)
		}
		hs := []int64{
			ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2), ledgerHousehold(t, db, "003", 3),
			mustHousehold(t, db, nv.Code, "001", person("周五", 5, "1975-01-01", registry.Male)).ID,
			mustHousehold(t, db, nv.Code, "002", person("吴六", 6, "1976-01-01", registry.Male)).ID,
		}
		record := func(key string, h int64) int64 {
			w, err := db.Awards(rev).Record(ctx, admin, points.AwardInput{Key: key, Household: h, Item: "env-03"})
			if err != nil {
				t.Fatal(err)
			}
			return w.ReviewID
		}
		decide := func(id int64, d review.Decision) {
			if _, err := rev.Decide(ctx, committee, id, d, "理由"); err != nil {
				t.Fatal(err)
			}
		}
		check := func(step string, periods ...string) {
			t.Helper()
			for _, period := range periods {
				vs, err := db.Rankings().Villages(ctx, admin, keerqin, period, "")
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vs {
					var total, earning int
					if err := db.RawRow(ctx, `SELECT count(*) FROM households WHERE village_code = ? AND status = '在册'`, v.Village).Scan(&total); err != nil {
						t.Fatal(err)
					}
					// A corrected award took its points back but not the
					// deed's count (addTotals), so it still makes its
					// household one that earned. Every award here is of
					// 2026, and nobody moves after it: a household's
					// earnings are in its village now (moveTotals).
					if err := db.RawRow(ctx, `SELECT count(DISTINCT a.household_id) FROM awards a JOIN households h ON h.id = a.household_id
						WHERE h.village_code = ? AND a.status IN ('approved', 'corrected') AND a.corrects_id = 0
						AND (a.period = ? OR substr(a.period, 1, 4) = ?)`, v.Village, period, period).Scan(&earning); err != nil {
						t.Fatal(err)
					}
					if v.Total != total || v.Households != earning {
						t.Fatalf("%s, %s, village %s: maintained %d of %d households, raw count %d of %d", step, period, v.Village, v.Households, v.Total, earning, total)
					}
				}
			}
		}
		check("registered", "2026-06", "2026")
		ids := []int64{record("a", hs[0]), record("b", hs[1]), record("c", hs[1]), record("d", hs[3]), record("e", hs[4])}
		decide(ids[0], review.Approve)
		decide(ids[1], review.Approve)
		decide(ids[2], review.Approve)
		decide(ids[3], review.Approve)
		decide(ids[4], review.Reject)
		now = now.Add(8 * 24 * time.Hour)
		if _, err := rev.FinaliseDue(ctx, now); err != nil {
			t.Fatal(err)
		}
		check("awards approved and one rejected", "2026-06", "2026")

		// A correction reverses an approved award's points; the household
		// still counts as having earned in the period.
		orig, err := db.Awards(rev).Awards(ctx, admin, hs[3])
		if err != nil || len(orig) != 1 {
			t.Fatalf("awards of the household to correct: %+v, %v", orig, err)
		}
		c, err := db.Awards(rev).Correct(ctx, admin, points.Correction{Key: "fix", Household: hs[3], Award: orig[0].ID, Reason: "录错户"})
		if err != nil {
			t.Fatal(err)
		}
		decide(c.ReviewID, review.Approve)
		now = now.Add(8 * 24 * time.Hour)
		if _, err := rev.FinaliseDue(ctx, now); err != nil {
			t.Fatal(err)
		}
		if b, _ := db.Ledger().Balance(ctx, admin, hs[3]); b != 0 {
			t.Fatalf("balance after the reversal %d, want 0", b)
		}
		check("a reversal", "2026-06", "2026")

		// A household moves to the other village: the register's figures
		// and its earnings of the year follow it.
		if err := db.Registry().UpdateHousehold(ctx, admin, hs[2], registry.HouseholdInput{Number: "009", VillageCode: nv.Code, Address: "一组"}, "迁往外村"); err != nil {
			t.Fatal(err)
		}
		check("a move", "2026-06", "2026")
		if err := db.Registry().MergeHouseholds(ctx, admin, hs[1], hs[0], "合户"); err != nil {
			t.Fatal(err)
		}
		check("households merged", "2026-06", "2026")
		if err := db.Regions().Merge(ctx, admin, nv.Code, pingan, "合并"); err != nil {
			t.Fatal(err)
		}
		vs, err := db.Rankings().Villages(ctx, admin, keerqin, "2026-06", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Village == pingan && v.Total != 4 {
				t.Fatalf("平安村 after the merge: %+v, want 4 registered households", v)
			}
		}
		check("villages merged", "2026-06", "2026")
		now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
		if _, err := db.Periods().CloseYear(ctx, admin, pingan, 2026); err != nil {
			t.Fatal(err)
		}
		check("year closed", "2026-06", "2026", "2027")
		st, err := db.Rankings().Standing(ctx, admin, hs[0], "2026")
		if err != nil || st.Of != 4 {
			t.Fatalf("standing after the merges: %+v, %v", st, err)
		}
	})
}

// TestVillagesRankingAcrossServers runs two servers on one database, both
// with the league's villages ranking cached: a household registered on
// one shows in that server's ranking at once, and in the other's within a
// second (the cache's bound), never later.
func TestVillagesRankingAcrossServers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			a, b := storetest.MustOpenTwice(t, engine)
			registered := func(db *sqlstore.DB) int {
				t.Helper()
				vs, err := db.Rankings().Villages(ctx, admin, keerqin, "2026", "")
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(vs, func(v points.Ranked) bool { return v.Village == pingan })
				if i < 0 {
					t.Fatalf("平安村 is not in the ranking: %+v", vs)
				}
				return vs[i].Total
			}
			ledgerHousehold(t, a, "001", 1)
			if n, m := registered(a), registered(b); n != 1 || m != 1 {
				t.Fatalf("before: %d and %d registered households, want 1", n, m)
			}
			ledgerHousehold(t, a, "002", 2)
			if n := registered(a); n != 2 {
				t.Fatalf("the server that registered the household shows %d, want 2", n)
			}
			deadline := time.Now().Add(time.Second + 200*time.Millisecond)
			for registered(b) != 2 {
				if time.Now().After(deadline) {
					t.Fatal("the other server still ignored the new household after a second")
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
