package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
)

// TestDemoAwardsComplete loads the demo and finds what a visitor should:
// a year of awards posted, month by month, in the village rankings; this
// month's still waiting for the committee, and some on a notice as short
// as the demo scheme sets.
func TestDemoAwardsComplete(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	lead := &access.Actor{Username: "lead", Grants: []access.Grant{{Role: access.Leader, Region: demoTownship}}}
	months := 0
	now := time.Now()
	for k := range demoHistoryMonths {
		period := time.Date(now.Year(), now.Month()-time.Month(k), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
		vs, err := db.Rankings().Villages(ctx, lead, demoTownship, period, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Village == demoVillage && v.Points > 0 && v.Households > 0 {
				months++
			}
		}
	}
	if months < demoHistoryMonths-1 {
		t.Fatalf("平安村 has posted points in %d of the last %d months", months, demoHistoryMonths)
	}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []review.State{review.Pending, review.InNotice} {
		items, err := rev.Items(ctx, lead, review.Filter{Region: demoVillage, State: st, Flow: points.AwardFlow})
		if err != nil || len(items) == 0 {
			t.Fatalf("no award %s in 平安村 (%v)", st, err)
		}
		if st == review.InNotice {
			if d := items[0].WindowEnd.Sub(items[0].WindowStart); d != demoNoticeDays*24*time.Hour {
				t.Fatalf("the demo's notice lasts %s", d)
			}
		}
	}
}
