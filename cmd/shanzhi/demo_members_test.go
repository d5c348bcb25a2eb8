package main

import (
	"context"
	"path/filepath"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
)

// TestDemoMembership loads the demo and finds the membership half
// finished: the couriers' branch imported with a member received by
// transfer, a member away with a temporary branch, and 两个覆盖 with its
// gap (the co-operative's members) beside an instructor's firm.
func TestDemoMembership(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	staff := &access.Actor{Username: "zzb", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	svc := db.Org()
	orgs, err := svc.Orgs(ctx, staff, org.OrgFilter{Region: demoTownship, Query: "联合党支部"})
	if err != nil || len(orgs) != 1 {
		t.Fatalf("the couriers' branch: %v %d", err, len(orgs))
	}
	if orgs[0].Members != len(demoRoster)+1 {
		t.Errorf("the couriers' branch has %d members, want %d", orgs[0].Members, len(demoRoster)+1)
	}
	village, err := svc.Orgs(ctx, staff, org.OrgFilter{Region: demoVillage})
	if err != nil || len(village) != 1 {
		t.Fatalf("平安村's branch: %v %d", err, len(village))
	}
	flows, err := svc.Flows(ctx, staff, village[0].ID)
	if err != nil || len(flows.Out) != 1 {
		t.Fatalf("flows: %v %+v", err, flows)
	}
	cov, err := svc.Coverage(ctx, staff, demoTownship)
	if err != nil {
		t.Fatal(err)
	}
	if cov.Total.ByKind[org.CoverNone] != 1 || cov.Total.ByKind[org.CoverInstructor] != 1 || cov.Total.GapMembers != 3 {
		t.Errorf("两个覆盖: %+v", cov.Total)
	}
}

// TestDemoScopedAccounts finds the demo's accounts held for one branch and
// one unit finished: 平安村's secretary reads their branch, not the
// couriers' joint branch; the township government's personnel officer has
// nominated two cadres of three places and reads only their unit.
func TestDemoScopedAccounts(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	sec := &access.Actor{Username: "sec", Grants: []access.Grant{{Role: access.SecAdmin, Region: province}}}
	users, err := db.Users(access.DefaultPolicy()).Users(ctx, sec)
	if err != nil {
		t.Fatal(err)
	}
	actors := map[string]*access.Actor{}
	for _, u := range users {
		actors[u.Username] = &access.Actor{UserID: u.ID, Username: u.Username, Grants: u.Grants}
	}
	shuji, unit := actors["pingan-shuji"], actors["keerqin-unit"]
	if shuji == nil || unit == nil || len(shuji.Grants) != 1 || shuji.Grants[0].Org == 0 || len(unit.Grants) != 1 || unit.Grants[0].Unit == 0 {
		t.Fatalf("scoped accounts: %+v %+v", shuji, unit)
	}
	orgs, err := db.Org().Orgs(ctx, shuji, org.OrgFilter{})
	if err != nil || len(orgs) != 1 || orgs[0].Home != demoVillage {
		t.Fatalf("the secretary's organisations: %v %+v", err, orgs)
	}
	staff := &access.Actor{Username: "zzb", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	joint, _ := db.Org().Orgs(ctx, staff, org.OrgFilter{Region: demoTownship, Query: "联合党支部"})
	if _, err := db.Org().Org(ctx, shuji, joint[0].ID); err == nil {
		t.Error("the village secretary reads the couriers' joint branch")
	}
	qs, err := db.Training().UnitQuotas(ctx, unit, unit.Grants[0].Unit)
	if err != nil || len(qs) != 1 || qs[0].Quota != 3 || qs[0].Nominated != 2 {
		t.Fatalf("the unit's places: %v %+v", err, qs)
	}
}
