package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
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

// TestDemoGridNet finds the demo's 全网通 finished: 平安村 in three grids
// whose nets link most of their households, an issue a resident raised
// closed at the branch after climbing the chain, one still open, and the
// grid leader reaching their grid only.
func TestDemoGridNet(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	sec := &access.Actor{Username: "sec", Grants: []access.Grant{{Role: access.Secretary, Region: demoVillage}}}
	grids, err := db.Org().Grids(ctx, sec, demoVillage)
	if err != nil || len(grids) != demoGrids {
		t.Fatalf("grids: %v %d", err, len(grids))
	}
	for _, g := range grids {
		c, err := db.Org().NetCoverage(ctx, sec, g.ID)
		if err != nil || c.Linked == 0 || len(c.Unlinked) == 0 || c.Linked+len(c.Unlinked) != c.Households {
			t.Fatalf("coverage of %s: %v %+v", g.Name, err, c)
		}
	}
	list, err := db.Org().Contacts(ctx, sec, org.ContactFilter{Grid: grids[0].ID})
	if err != nil || len(list) != 2 {
		t.Fatalf("contacts: %v %d", err, len(list))
	}
	closed, open := list[1], list[0]
	if closed.Status != org.ContactClosed || closed.Level != org.LevelBranch || open.Status != org.ContactOpen {
		t.Fatalf("the demo's issues: %+v / %+v", closed, open)
	}
	leader := &access.Actor{Grants: []access.Grant{{Role: access.GridLeader, Region: demoVillage, Grid: grids[0].ID}}}
	if _, err := db.Org().Net(ctx, leader, grids[1].ID); err == nil {
		t.Fatal("the grid leader reads another grid's net")
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
