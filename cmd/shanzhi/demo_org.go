package main

import (
	"context"
	"fmt"
	"io"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
)

// demoMembers is how many heads of 平安村 households the demo records as
// party members of the village branch.
const demoMembers = 12

// seedOrg gives the demo township the start of its organisation register,
// through the same store calls the 组织部 pages make: two units (one a
// courier firm of the 新就业群体), the township committee with 平安村's
// branch (brand 孝亲敬老, as in the seed) and a joint branch of the units,
// a dozen members linked to residents, and 平安村 divided into two grids
// by its village groups.
func seedOrg(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	staff := &access.Actor{UserID: 990010, Username: "demo-orgstaff", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	svc := db.Org()
	gov, err := svc.CreateUnit(ctx, staff, org.UnitInput{Region: demoTownship, Name: "科尔沁镇人民政府",
		CreditCode: creditcode.Complete("11152221MB1234567"), Type: org.Government})
	if err != nil {
		return err
	}
	courier, err := svc.CreateUnit(ctx, staff, org.UnitInput{Region: demoTownship, Name: "科尔沁镇快递服务站",
		CreditCode: creditcode.Complete("92152221MA0K2L3M4"), Type: org.PrivateFirm, TwoNew: true, NewEmployment: true})
	if err != nil {
		return err
	}
	committee, err := svc.CreateOrg(ctx, staff, org.OrgInput{Region: demoTownship, Kind: org.Committee, Name: "中共科尔沁镇委员会",
		Founded: "1984-05-01", Units: []int64{gov.ID}})
	if err != nil {
		return err
	}
	branch, err := svc.CreateOrg(ctx, staff, org.OrgInput{Parent: committee.ID, Region: demoVillage, Kind: org.Branch,
		Name: "中共平安村支部委员会", Founded: "1992-07-01", Brand: "孝亲敬老"})
	if err != nil {
		return err
	}
	joint, err := svc.CreateOrg(ctx, staff, org.OrgInput{Parent: committee.ID, Units: []int64{courier.ID}, Kind: org.JointBranch,
		Name: "科尔沁镇快递物流行业联合党支部", Founded: "2023-03-01"})
	if err != nil {
		return err
	}
	hs, _, err := db.Registry().Households(ctx, staff, registry.ListFilter{Region: demoVillage, Status: registry.HouseholdActive, ByNumber: true, Limit: 500})
	if err != nil {
		return err
	}
	members := 0
	for i, h := range hs {
		if members == demoMembers {
			break
		}
		if i%3 != 0 || h.HeadID == 0 {
			continue
		}
		year := 1990 + i%25
		in := org.MemberInput{Branch: branch.ID, Resident: h.HeadID, Name: h.HeadName,
			Applied: fmt.Sprintf("%d-03-01", year), Probation: fmt.Sprintf("%d-07-01", year+1), Full: fmt.Sprintf("%d-07-01", year+2)}
		if _, err := svc.CreateMember(ctx, staff, in); err != nil {
			return fmt.Errorf("demo member %s: %w", h.HeadName, err)
		}
		members++
	}
	if err := seedMembership(ctx, svc, staff, branch, joint); err != nil {
		return err
	}
	// Two grids, by village group as the addresses name them: 一组 and the
	// rest.
	grids := map[bool][]int64{}
	for _, h := range hs {
		first := registry.GroupOf(h.Address) == "一组"
		grids[first] = append(grids[first], h.ID)
	}
	for _, g := range []struct {
		name  string
		first bool
	}{{"平安村第一网格", true}, {"平安村第二网格", false}} {
		if len(grids[g.first]) == 0 {
			continue
		}
		grid, err := svc.CreateGrid(ctx, staff, org.GridInput{Village: demoVillage, Name: g.name, Kind: org.GridPlain})
		if err != nil {
			return err
		}
		if _, err := svc.AssignHouseholds(ctx, staff, grid.ID, grids[g.first]); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "loaded demo organisation register: 4 units, 3 party organisations, %d members of 平安村's branch and %d of the couriers' joint branch "+
		"(imported from the national roster, one received by transfer), one member away, 两个覆盖 with one gap; 平安村 in 2 grids of %d households\n",
		members, len(demoRoster), len(hs))
	return nil
}
