package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestPeriodJobs drives the server's calendar job with a fake clock: the
// month's base score is credited once however often it runs, a new month
// credits again, and on New Year's Day the old year is closed (expiring
// balances, as this scheme says) before the new year's base is credited,
// exactly once, even by a second job as a second server would run.
func TestPeriodJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ss := db.Schemes()
		if _, err := ss.Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin, AllowLocalItems: true, AllowOverride: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := ss.Create(ctx, admin, scheme.Inherit, scheme.Scheme{Region: pingan, Name: "平安村道德银行", BaseScore: 100, BasePeriod: scheme.Month, CarryOver: scheme.Expire}); err != nil {
			t.Fatal(err)
		}
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		jobs, other := db.PeriodJobs(), db.PeriodJobs()
		balances := func(want int64) {
			t.Helper()
			for _, h := range []int64{a, b} {
				if bal, err := db.Ledger().Balance(ctx, clerk, h); err != nil || bal != want {
					t.Fatalf("%s: household %d has %d (%v), want %d", now.Format(time.DateOnly), h, bal, err, want)
				}
			}
		}
		for range 3 {
			if _, err := jobs.FinaliseDue(ctx, now); err != nil {
				t.Fatal(err)
			}
			if _, err := other.FinaliseDue(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
		balances(100)
		now = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC) // 09:00 on 1 December in Beijing
		if _, err := other.FinaliseDue(ctx, now); err != nil {
			t.Fatal(err)
		}
		balances(200)
		now = time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC) // 01:00 on New Year's Day in Beijing
		jobs.FinaliseDue(ctx, now)
		other.FinaliseDue(ctx, now)
		// 2026 expired at the close; only January's base remains.
		balances(100)
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %+v %v", problems, err)
		}
	})
}
