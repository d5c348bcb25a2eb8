package main

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
)

// azOrgs are the organisation register's objects of the authorisation
// test: in the own village and in the sibling's, a unit, a branch with a
// member, a grid with the village's household and a cadre of the unit.
// The sibling's carry the sibling's marker names, so a refused response
// that leaks one is caught.
type azOrgs struct{ unit1, unit2, org1, org2, member1, member2, grid1, grid2, cadre1, cadre2 int64 }

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
		m, err := s.CreateMember(ctx, sys, org.MemberInput{Branch: o.ID, Name: c.name, IDNumber: azID("19750101", 61+2*i), Phone: "13812340000", Probation: "2000-07-01"})
		if err != nil {
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
	return out
}
