package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestBaseScoreAndYearClose credits a monthly base score once per month,
// refuses to close a year early, expires balances at the close where the
// scheme says so, seals the year, and refuses a second close.
func TestBaseScoreAndYearClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ss := db.Schemes()
		if _, err := ss.Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin, AllowLocalItems: true, AllowOverride: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := ss.Create(ctx, admin, scheme.Inherit, scheme.Scheme{Region: pingan, Name: "平安村道德银行", BaseScore: 100, BasePeriod: scheme.Month, CarryOver: scheme.Expire}); err != nil {
			t.Fatal(err)
		}
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		p := db.Periods()
		if n, err := p.ApplyBase(ctx, clerk, pingan, now); err != nil || n != 2 {
			t.Fatalf("base score: %d, %v", n, err)
		}
		if n, _ := p.ApplyBase(ctx, clerk, pingan, now.Add(24*time.Hour)); n != 0 {
			t.Fatalf("a second run in the same month credited %d households", n)
		}
		now = time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
		if n, _ := p.ApplyBase(ctx, clerk, pingan, now); n != 2 {
			t.Fatalf("July credited %d households", n)
		}
		post(t, db, points.Posting{Key: "spend", Household: a, Kind: points.Spend, Points: 50})
		if _, err := p.CloseYear(ctx, clerk, pingan, 2026); !fault.Is(err, fault.Invalid) {
			t.Fatalf("closing 2026 in July: %v", err)
		}
		now = time.Date(2027, 1, 1, 2, 0, 0, 0, time.UTC)
		c, err := p.CloseYear(ctx, clerk, pingan, 2026)
		if err != nil || c.Expired != 350 || c.Hash == "" {
			t.Fatalf("close: %+v, %v", c, err)
		}
		for _, h := range []int64{a, b} {
			if bal, _ := db.Ledger().Balance(ctx, clerk, h); bal != 0 {
				t.Fatalf("household %d keeps %d after the year expired", h, bal)
			}
		}
		if _, err := p.CloseYear(ctx, clerk, pingan, 2026); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second close: %v", err)
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %+v %v", problems, err)
		}
	})
}
