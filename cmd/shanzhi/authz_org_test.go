package main

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
)

// azOrgs are the organisation register's objects of the authorisation
// test: in the own village and in the sibling's, a unit, a branch with a
// member working in the unit and away (流动党员), with a 党建指导员 at the
// unit, and a grid with the village's household, that household linked to
// the member and a contact logged with it. The own village has a second
// grid (grid3, with contact3), which its grid leader and grid worker,
// granted for grid1, must not reach. The sibling's carry the sibling's
// marker names, so a refused response that leaks one is caught: on the
// roster, the flows, the changes, 两个覆盖, the net and the contacts; and a
// cadre of the unit.
//
// The own village also homes a joint branch (org3, with member3) that the
// secretary granted for org1 must not reach, and a second unit (unit3,
// with cadre3) that the staff granted for unit1 must not reach.
type azOrgs struct {
	unit1, unit2, org1, org2, member1, member2, grid1, grid2 int64
	grid3, contact1, contact2, contact3, cadre1, cadre2      int64
	org3, member3, unit3, cadre3                             int64
}

func azOrg(t *testing.T, db *sqlstore.DB, w azWorld) azOrgs {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{UserID: 9200, Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: province}, {Role: access.Operator, Region: province}}}
	s := db.Org()
	var out azOrgs
	for i, c := range []struct {
		village, name             string
		household                 int64
		unit, o, mem, grid, cadre *int64
	}{{azV, "本村", w.h1, &out.unit1, &out.org1, &out.member1, &out.grid1, &out.cadre1}, {azV2, "外村成员", w.h2, &out.unit2, &out.org2, &out.member2, &out.grid2, &out.cadre2}} {
		u, err := s.CreateUnit(ctx, sys, org.UnitInput{Region: c.village, Name: c.name + "合作社", CreditCode: creditcode.Complete("93152221MA0N0000" + string(rune('1'+i))), Type: org.PrivateFirm, TwoNew: true})
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.CreateOrg(ctx, sys, org.OrgInput{Region: c.village, Units: []int64{u.ID}, Kind: org.Branch, Name: c.name + "党支部"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.CreateMember(ctx, sys, org.MemberInput{Branch: o.ID, Name: c.name, IDNumber: azID("19750101", 61+2*i), Phone: "13812340000", Probation: "2000-07-01", WorkUnit: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartFlow(ctx, sys, m.ID, org.FlowInput{TempName: c.name + "临时党支部", Place: c.name + "务工地", From: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetInstructor(ctx, sys, u.ID, c.name+"指导员", ""); err != nil {
			t.Fatal(err)
		}
		g, err := s.CreateGrid(ctx, sys, org.GridInput{Village: c.village, Name: c.name + "网格"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssignHouseholds(ctx, sys, g.ID, []int64{c.household}); err != nil {
			t.Fatal(err)
		}
		cd, err := db.Cadres().CreateCadre(ctx, sys, org.CadreInput{Unit: u.ID, Name: c.name, Post: "经理", Rank: "staff", Appointed: "2020-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		*c.unit, *c.o, *c.mem, *c.grid, *c.cadre = u.ID, o.ID, m.ID, g.ID, cd.ID
	}
	for _, c := range []struct {
		grid, member, household int64
		issue                   string
		contact                 *int64
	}{{out.grid1, out.member1, w.h1, "本村反映", &out.contact1}, {out.grid2, out.member2, w.h2, "外村成员反映", &out.contact2}} {
		if _, err := s.ChangeNet(ctx, sys, c.grid, org.NetChange{Op: org.NetPlace, Members: []int64{c.member}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeNet(ctx, sys, c.grid, org.NetChange{Op: org.NetLink, Member: c.member, Households: []int64{c.household}}); err != nil {
			t.Fatal(err)
		}
		ct, err := s.LogContact(ctx, sys, c.grid, org.ContactInput{Household: c.household, Kind: org.ContactVisit, Date: "2024-05-06", Summary: "走访", Issue: c.issue})
		if err != nil {
			t.Fatal(err)
		}
		*c.contact = ct.ID
	}
	// A second grid of the own village, with a household of its own.
	h3, err := db.Registry().CreateHousehold(ctx, sys, registry.HouseholdInput{Number: "A-003", VillageCode: azV, Address: "三组"},
		registry.ResidentInput{Name: "三组户主", Ethnicity: "汉族", IDNumber: azID("19720101", 71), Political: "群众"})
	if err != nil {
		t.Fatal(err)
	}
	g3, err := s.CreateGrid(ctx, sys, org.GridInput{Village: azV, Name: "本村第二网格"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignHouseholds(ctx, sys, g3.ID, []int64{h3.ID}); err != nil {
		t.Fatal(err)
	}
	c3, err := s.LogContact(ctx, sys, g3.ID, org.ContactInput{Household: h3.ID, Kind: org.ContactPhone, Date: "2024-05-06", Summary: "电话", Issue: "路灯"})
	if err != nil {
		t.Fatal(err)
	}
	out.grid3, out.contact3 = g3.ID, c3.ID
	u3, err := s.CreateUnit(ctx, sys, org.UnitInput{Region: azV, Name: "本村第二合作社", CreditCode: creditcode.Complete("93152221MA0N00009"), Type: org.PrivateFirm, TwoNew: true})
	if err != nil {
		t.Fatal(err)
	}
	o3, err := s.CreateOrg(ctx, sys, org.OrgInput{Region: azV, Units: []int64{u3.ID}, Kind: org.JointBranch, Name: "本村联合党支部"})
	if err != nil {
		t.Fatal(err)
	}
	m3, err := s.CreateMember(ctx, sys, org.MemberInput{Branch: o3.ID, Name: "联合支部党员", Probation: "2000-07-01", WorkUnit: u3.ID})
	if err != nil {
		t.Fatal(err)
	}
	cd3, err := db.Cadres().CreateCadre(ctx, sys, org.CadreInput{Unit: u3.ID, Name: "第二社干部", Post: "经理", Rank: "staff", Appointed: "2020-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	out.org3, out.member3, out.unit3, out.cadre3 = o3.ID, m3.ID, u3.ID, cd3.ID
	return out
}
