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
