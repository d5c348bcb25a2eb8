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

// TestAwardsFollowAPublishedVersion records an award, publishes a version
// that changes the item's points from the same day, and records again: the
// second award must carry the new points, which it would not if SQLite's
// writer kept serving the scheme it resolved for the first.
func TestAwardsFollowAPublishedVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		town, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin})
		if err != nil {
			t.Fatal(err)
		}
		flows := storetest.AwardFlows(t)
		aw := db.Awards(db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()}))
		h := ledgerHousehold(t, db, "001", 1)
		now = now.AddDate(0, 0, 9)
		first, err := aw.Record(ctx, clerk, points.AwardInput{Key: "before", Household: h, Item: "env-03"})
		if err != nil || first.Points != 1 {
			t.Fatalf("award under v1 = %+v, %v", first, err)
		}
		publishEnv03(t, db, town, now, 2)
		second, err := aw.Record(ctx, clerk, points.AwardInput{Key: "after", Household: h, Item: "env-03"})
		if err != nil || second.Points != 2 {
			t.Fatalf("award under v2 = %+v, %v", second, err)
		}
	})
}
