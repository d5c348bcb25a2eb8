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

// TestTimeZoneKeptInTheDatabase checks that the first start fixes the
// zone and that a server asking for another one is refused.
func TestTimeZoneKeptInTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		loc, err := db.TimeZone(ctx, "")
		if err != nil || loc.String() != "Asia/Shanghai" {
			t.Fatalf("fresh database zone %v (%v), want Asia/Shanghai", loc, err)
		}
		if _, err := db.TimeZone(ctx, "Asia/Urumqi"); err == nil {
			t.Fatal("a second server on another zone was let in")
		}
		if loc, err := db.TimeZone(ctx, "Asia/Shanghai"); err != nil || loc.String() != "Asia/Shanghai" {
			t.Fatalf("same zone: %v (%v)", loc, err)
		}
		if _, err := db.TimeZone(ctx, "Mars/Olympus"); err == nil {
			t.Fatal("an unknown zone was accepted")
		}
	})
}

// TestAwardAt2330UTCIsInTheNextLocalPeriod records an award at 23:30 UTC
// on the last day of June: in Inner Mongolia it is already 1 July, so it
// is dated then and counts against July's cap, not June's.
func TestAwardAt2330UTCIsInTheNextLocalPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		aw := db.Awards(db.Review(storetest.AwardFlows(t), map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()}))
		h := ledgerHousehold(t, db, "001", 1)
		// 垃圾分类投放 (env-03) is capped at 4 a month: June's are used up.
		for i := range 4 {
			if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "june" + string(rune('a'+i)), Household: h, Item: "env-03"}); err != nil {
				t.Fatal(err)
			}
		}
		now = time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
		w, err := aw.Record(ctx, clerk, points.AwardInput{Key: "july", Household: h, Item: "env-03"})
		if err != nil {
			t.Fatalf("award at 07:30 on 1 July local time hit June's cap: %v", err)
		}
		if got := scheme.Day(w.Date); got != "2026-07-01" {
			t.Fatalf("award dated %s, want 2026-07-01", got)
		}
	})
}
