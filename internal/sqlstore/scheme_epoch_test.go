package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/points"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAwardsFollowAnotherServersVersion is TestAwardsFollowAPublishedVersion
// with two servers on one PostgreSQL: the first keeps the scheme it
// resolved under the scheme epoch, the second publishes a version, and
// the first's next award must carry the new points. (Two servers share
// only PostgreSQL; SQLite has one.)
func TestAwardsFollowAnotherServersVersion(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		if engine != "postgres" {
			continue
		}
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			one, two := storetest.MustOpenTwice(t, engine)
			now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
			one.Now = func() time.Time { return now }
			two.Now = one.Now
			town, err := one.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin})
			if err != nil {
				t.Fatal(err)
			}
			flows := storetest.AwardFlows(t)
			aw := one.Awards(one.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: one.AwardApplier()}))
			h := ledgerHousehold(t, one, "001", 1)
			now = now.AddDate(0, 0, 9)
			for _, key := range []string{"a", "b"} { // the second is served from the kept scheme
				if w, err := aw.Record(ctx, clerk, points.AwardInput{Key: key, Household: h, Item: "env-03"}); err != nil || w.Points != 1 {
					t.Fatalf("award under v1 = %+v, %v", w, err)
				}
			}
			publishEnv03(t, two, town, now, 2)
			if w, err := aw.Record(ctx, clerk, points.AwardInput{Key: "c", Household: h, Item: "env-03"}); err != nil || w.Points != 2 {
				t.Fatalf("award on the first server after the second published v2 = %+v, %v", w, err)
			}
		})
	}
}

// publishEnv03 publishes the next version of town from day now on with
// the item env-03 (垃圾分类投放) worth pts.
func publishEnv03(t *testing.T, db *sqlstore.DB, town *scheme.Scheme, now time.Time, pts int) {
	t.Helper()
	next := *town
	next.EffectiveFrom = scheme.Today(now)
	next.Items = append([]scheme.Item(nil), town.Items...)
	for i := range next.Items {
		if next.Items[i].Code == "env-03" {
			next.Items[i].Points = pts
		}
	}
	if _, err := db.Schemes().Publish(context.Background(), admin, next); err != nil {
		t.Fatal(err)
	}
}
