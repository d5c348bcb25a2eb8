package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/password"
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
// a dozen members linked to residents, and 平安村 divided into three grids
// with their 全网通 nets (seedGrids).
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
	var placed []demoPlaced
	for i, h := range hs {
		if len(placed) == demoMembers {
			break
		}
		if i%10 != 0 || h.HeadID == 0 {
			continue
		}
		year := 1990 + i%25
		in := org.MemberInput{Branch: branch.ID, Resident: h.HeadID, Name: h.HeadName, Phone: fmt.Sprintf("1390482%04d", i),
			Applied: fmt.Sprintf("%d-03-01", year), Probation: fmt.Sprintf("%d-07-01", year+1), Full: fmt.Sprintf("%d-07-01", year+2)}
		m, err := svc.CreateMember(ctx, staff, in)
		if err != nil {
			return fmt.Errorf("demo member %s: %w", h.HeadName, err)
		}
		placed = append(placed, demoPlaced{member: m.ID, household: i})
	}
	if err := seedMembership(ctx, svc, staff, branch, joint); err != nil {
		return err
	}
	// 平安村's secretary holds the role for the village branch only, not
	// for the couriers' joint branch of the township.
	if _, err := db.CreateUser(ctx, nil, "pingan-shuji", "平安村党支部书记", password.Random(),
		[]access.Grant{{Role: access.Secretary, Region: demoVillage, Org: branch.ID}}); err != nil {
		return err
	}
	linked, err := seedGrids(ctx, db, staff, hs, placed, branch.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded demo organisation register: 4 units, 3 party organisations, %d members of 平安村's branch and %d of the couriers' joint branch "+
		"(imported from the national roster, one received by transfer), one member away, 两个覆盖 with one gap; "+
		"平安村 in %d grids of %d households, %d linked to a party member, an issue closed at the branch\n",
		len(placed), len(demoRoster), demoGrids, len(hs), linked)
	return nil
}

// demoGrids is how many grids 平安村 is divided into.
const demoGrids = 3

// demoPlaced is a demo party member and the index of their household.
type demoPlaced struct {
	member    int64
	household int
}

// demoGridAccounts are the grid leader and grid worker of 平安村's first
// grid; seedGrids grants them their grid, once it exists.
var demoGridAccounts = []demoAccount{{"pingan-wgz", "平安村第一网格网格长", nil, false}, {"pingan-wgy", "平安村第一网格网格员", nil, false}}

// demoScopedAccounts hold their role for one party organisation or unit:
// seedOrg grants 平安村's secretary the village branch, seedUnitNominations
// the township government's personnel officer their unit.
var demoScopedAccounts = []demoAccount{{"pingan-shuji", "平安村党支部书记（本支部）", nil, false}, {"keerqin-unit", "科尔沁镇人民政府组织人事干部（本单位）", nil, false}}

// seedGrids divides 平安村 into three grids by household number, builds
// each grid's 全网通 net through the builder's calls (the first member of
// a grid its central household and party-group leader, the others linked
// to it, the grid's households dealt to its members but for a few left
// for the coverage page to show), and runs one resident's issue from the
// grid worker up to the branch, where its secretary closes it; a second
// issue is left open at the party member's level.
func seedGrids(ctx context.Context, db *sqlstore.DB, staff *access.Actor, hs []registry.Household, placed []demoPlaced, branch int64) (int, error) {
	svc := db.Org()
	var grids [demoGrids]*org.Grid
	per := (len(hs) + demoGrids - 1) / demoGrids
	for gi := range grids {
		g, err := svc.CreateGrid(ctx, staff, org.GridInput{Village: demoVillage, Name: fmt.Sprintf("平安村第%s网格", []string{"一", "二", "三"}[gi]), Kind: org.GridPlain})
		if err != nil {
			return 0, err
		}
		var ids []int64
		for _, h := range hs[gi*per : min((gi+1)*per, len(hs))] {
			ids = append(ids, h.ID)
		}
		if len(ids) > 0 {
			if _, err := svc.AssignHouseholds(ctx, staff, g.ID, ids); err != nil {
				return 0, err
			}
		}
		grids[gi] = g
	}
	linked := 0
	for gi, g := range grids {
		var ms []int64
		for _, p := range placed {
			if p.household/per == gi {
				ms = append(ms, p.member)
			}
		}
		if len(ms) == 0 {
			continue
		}
		steps := []org.NetChange{{Op: org.NetPlace, Members: ms[:1], Central: true}, {Op: org.NetLeader, Member: ms[0]}}
		if len(ms) > 1 {
			steps = append(steps, org.NetChange{Op: org.NetPlace, Members: ms[1:]}, org.NetChange{Op: org.NetCentral, Member: ms[0], Members: ms[1:]})
		}
		// Three households of each grid stay unlinked, for coverage.
		grid := hs[gi*per : min((gi+1)*per, len(hs))]
		for k, m := range ms {
			var link []int64
			for j := k; j < len(grid)-3; j += len(ms) {
				link = append(link, grid[j].ID)
			}
			steps = append(steps, org.NetChange{Op: org.NetLink, Member: m, Households: link})
			linked += len(link)
		}
		for _, c := range steps {
			if _, err := svc.ChangeNet(ctx, staff, g.ID, c); err != nil {
				return 0, fmt.Errorf("demo net of %s (%s): %w", g.Name, c.Op, err)
			}
		}
	}
	first := grids[0]
	actors := map[string]*access.Actor{}
	for i, a := range demoGridAccounts {
		role := []access.Role{access.GridLeader, access.GridWorker}[i]
		grants := []access.Grant{{Role: role, Region: demoVillage, Grid: first.ID}}
		id, err := db.CreateUser(ctx, nil, a.username, a.display, password.Random(), grants)
		if err != nil {
			return 0, err
		}
		actors[a.username] = &access.Actor{UserID: id, Username: a.username, Grants: grants}
	}
	leader, worker := actors["pingan-wgz"], actors["pingan-wgy"]
	secretary := &access.Actor{UserID: 990011, Username: "pingan-shuji", Grants: []access.Grant{{Role: access.Secretary, Region: demoVillage, Org: branch}}}
	today := localtime.Day(time.Now())
	c, err := svc.LogContact(ctx, worker, first.ID, org.ContactInput{Household: hs[1].ID, Kind: org.ContactVisit, Date: today,
		Summary: "入户走访，了解老人身体和用水情况", Issue: "村西自来水管冬季冻裂，三户停水"})
	if err != nil {
		return 0, err
	}
	for _, step := range []struct {
		by   *access.Actor
		note string
	}{{worker, "中心户协调不了，报党小组组长"}, {worker, "涉及管网维修，请组长协调"}, {leader, "需村集体出资维修，报支部"}} {
		if c, err = svc.Escalate(ctx, step.by, c.ID, step.note, ""); err != nil {
			return 0, err
		}
	}
	if _, err := svc.CloseContact(ctx, secretary, c.ID, "支部研究决定由村集体出资更换管段，已恢复供水"); err != nil {
		return 0, err
	}
	if _, err := svc.LogContact(ctx, worker, first.ID, org.ContactInput{Household: hs[4].ID, Kind: org.ContactPhone, Date: today,
		Summary: "电话回访", Issue: "咨询高龄津贴申领"}); err != nil {
		return 0, err
	}
	return linked, nil
}
