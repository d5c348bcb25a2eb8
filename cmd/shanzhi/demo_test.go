package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
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

// TestDemoTalentFinished loads the demo and finds the programme carried
// past selection: recognised leaders beside a target still in
// cultivation, a plan and a support ledger summed for the banner, and a
// showcase entry with a photo.
func TestDemoTalentFinished(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	svc := db.Talent(rev)
	lead := &access.Actor{Username: "lead", Grants: []access.Grant{{Role: access.Leader, Region: demoLeague}}}
	ls, err := svc.Leaders(ctx, lead, demoBanner)
	if err != nil {
		t.Fatal(err)
	}
	stages := map[talent.Stage]int{}
	for _, l := range ls {
		stages[l.Stage]++
	}
	if stages[talent.StageRecognised] < 2 || stages[talent.StageTarget] < 1 {
		t.Fatalf("demo stages %v", stages)
	}
	sums, err := svc.SupportSums(ctx, lead, demoBanner)
	if err != nil || len(sums) == 0 || sums[0].Total == 0 {
		t.Fatalf("demo support %+v %v", sums, err)
	}
	show, err := svc.Showcase(ctx, demoBanner, "")
	if err != nil || len(show) != 1 || len(show[0].Photos) != 1 || show[0].People == 0 {
		t.Fatalf("demo showcase %+v %v", show, err)
	}
	l, err := svc.Leader(ctx, lead, show[0].Leader)
	if err != nil || len(l.Plan) == 0 || len(l.Support) == 0 || len(l.Recognitions) != 1 {
		t.Fatalf("demo leader %+v %v", l, err)
	}
}
