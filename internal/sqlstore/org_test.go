package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// The register's actors: organisation department staff of the banner, of
// 科尔沁镇 and of the sibling township 大石寨镇, and a village secretary.
var (
	orgBanner  = &access.Actor{UserID: 301, Username: "zzb-qianqi", Grants: []access.Grant{{Role: access.OrgStaff, Region: qianqi}}}
	orgTown    = &access.Actor{UserID: 302, Username: "zzb-keerqin", Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
	orgSibling = &access.Actor{UserID: 303, Username: "zzb-dashizhai", Grants: []access.Grant{{Role: access.OrgStaff, Region: daShiZai}}}
	orgSec     = &access.Actor{UserID: 304, Username: "sec-pingan", Grants: []access.Grant{{Role: access.Secretary, Region: pingan}}}
	orgAuditor = &access.Actor{UserID: 305, Username: "auditor", Grants: []access.Grant{{Role: access.AuditAdmin, Region: "150000000000"}}}
)

// dsVillage is a village of the sibling township 大石寨镇.
const dsVillage = "152221103212"

func auditCount(t *testing.T, db *sqlstore.DB, action string) int {
	t.Helper()
	_, n, err := db.Audit().Entries(context.Background(), orgAuditor, audit.Filter{Action: action, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOrgUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		code := creditcode.Complete("91152221MA0N00001")
		u, err := s.CreateUnit(ctx, orgTown, org.UnitInput{Region: pingan, Name: " 平安快递站 ", CreditCode: strings.ToLower(code), Type: org.PrivateFirm, TwoNew: true, NewEmployment: true})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "平安快递站" || u.CreditCode != code || !u.TwoNew || !u.NewEmployment || u.RegionName == "" {
			t.Fatalf("unit %+v", u)
		}
		for name, c := range map[string]struct {
			in   org.UnitInput
			code fault.Code
		}{
			"bad check character": {org.UnitInput{Region: pingan, Name: "甲", CreditCode: code[:17] + "0", Type: org.PrivateFirm}, fault.Invalid},
			"no credit code":      {org.UnitInput{Region: pingan, Name: "乙", Type: org.StateFirm}, fault.Invalid},
			"code taken":          {org.UnitInput{Region: pingan, Name: "丙", CreditCode: code, Type: org.PrivateFirm}, fault.Conflict},
			"sibling's region":    {org.UnitInput{Region: dsVillage, Name: "丁", Type: org.OtherUnit}, fault.Forbidden},
		} {
			if _, err := s.CreateUnit(ctx, orgTown, c.in); fault.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		if _, err := s.Unit(ctx, orgSibling, u.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling township reads the unit: %v", err)
		}
		if _, err := s.UpdateUnit(ctx, orgSec, u.ID, u.UnitInput); !fault.Is(err, fault.Forbidden) {
			t.Errorf("secretary changes a unit: %v", err)
		}
		in := u.UnitInput
		in.Name = "平安镇快递驿站"
		if got, err := s.UpdateUnit(ctx, orgBanner, u.ID, in); err != nil || got.Name != in.Name {
			t.Fatalf("update: %v %+v", err, got)
		}
		list, total, err := s.Units(ctx, orgSec, org.UnitFilter{TwoNew: true})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("secretary's list: %d %v", total, err)
		}
		if _, total, _ := s.Units(ctx, orgSibling, org.UnitFilter{}); total != 0 {
			t.Errorf("sibling township lists %d units", total)
		}
		rows, err := s.ImportUnits(ctx, orgTown, []org.UnitRow{
			{Line: 2, Input: org.UnitInput{Region: pingan, Name: "平安合作社", CreditCode: creditcode.Complete("93152221MA0N00002"), Type: org.PrivateFirm}},
			{Line: 3, Input: org.UnitInput{Region: pingan, Name: "重复", CreditCode: creditcode.Complete("93152221MA0N00002"), Type: org.PrivateFirm}},
			{Line: 4, Input: org.UnitInput{Region: pingan, Name: "已有", CreditCode: code, Type: org.PrivateFirm}},
		}, true)
		if err != nil || rows[0].ID == 0 || rows[0].Err != nil || !fault.Is(rows[1].Err, fault.Conflict) || !fault.Is(rows[2].Err, fault.Conflict) {
			t.Fatalf("import: %v %+v", err, rows)
		}
		if n := auditCount(t, db, "org.unit."); n != 3 {
			t.Errorf("%d unit audit entries, want 3", n)
		}
	})
}

// orgTree builds the seed's tree: 科尔沁镇党委 over the 平安村党支部 with
// its 党小组, and a branch in the sibling township.
type orgTree struct {
	town, branch, group, sibling *org.Org
}

func mustOrgTree(t *testing.T, s *sqlstore.OrgService) orgTree {
	t.Helper()
	ctx := context.Background()
	var tr orgTree
	var err error
	if tr.town, err = s.CreateOrg(ctx, orgBanner, org.OrgInput{Region: keerqin, Kind: org.Committee, Name: "科尔沁镇党委", Founded: "1990-07-01"}); err != nil {
		t.Fatal(err)
	}
	if tr.branch, err = s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Region: pingan, Kind: org.Branch, Name: "平安村党支部", Brand: "孝亲敬老"}); err != nil {
		t.Fatal(err)
	}
	if tr.group, err = s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.branch.ID, Region: pingan, Kind: org.Group, Name: "第一党小组"}); err != nil {
		t.Fatal(err)
	}
	if tr.sibling, err = s.CreateOrg(ctx, orgSibling, org.OrgInput{Region: dsVillage, Kind: org.Branch, Name: "外村党支部"}); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestOrgTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		if tr.branch.Home != pingan || tr.group.Home != pingan || tr.town.Home != keerqin {
			t.Fatalf("homes %s %s %s", tr.town.Home, tr.branch.Home, tr.group.Home)
		}
		u, err := s.CreateUnit(ctx, orgTown, org.UnitInput{Region: pingan, Name: "平安快递站", CreditCode: creditcode.Complete("91152221MA0N00001"), Type: org.PrivateFirm})
		if err != nil {
			t.Fatal(err)
		}
		// A branch attached to a unit only lives where its parent does.
		unitBranch, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Units: []int64{u.ID}, Kind: org.Branch, Name: "快递站党支部"})
		if err != nil || unitBranch.Home != keerqin {
			t.Fatalf("unit branch: %v %+v", err, unitBranch)
		}
		if _, err := s.Org(ctx, orgSec, unitBranch.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the village secretary sees the township's unit branch: %v", err)
		}
		if _, err := s.Org(ctx, orgSibling, tr.branch.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township sees the branch: %v", err)
		}
		for name, in := range map[string]org.OrgInput{
			"group under committee":  {Parent: tr.town.ID, Region: pingan, Kind: org.Group, Name: "x"},
			"outside parent's home":  {Parent: tr.branch.ID, Region: "152221100201", Kind: org.Group, Name: "x"},
			"attached to nothing":    {Parent: tr.town.ID, Kind: org.Branch, Name: "x"},
			"branch under a branch":  {Parent: tr.branch.ID, Region: pingan, Kind: org.Branch, Name: "x"},
			"sibling's region (top)": {Region: dsVillage, Kind: org.Branch, Name: "x"},
		} {
			if _, err := s.CreateOrg(ctx, orgTown, in); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		// A cycle: the township committee under its own branch's group.
		general, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Region: keerqin, Kind: org.General, Name: "机关党总支"})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: general.ID, Region: keerqin, Kind: org.General, Name: "下属党总支"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Move(ctx, orgTown, general.ID, sub.ID, "")
		if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "org.org.cycle") {
			t.Fatalf("cycle: %v", err)
		}
		if _, err := s.Move(ctx, orgTown, general.ID, general.ID, ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("self-parent: %v", err)
		}
		moved, err := s.Move(ctx, orgTown, sub.ID, tr.town.ID, "2026-05-01")
		if err != nil || moved.Parent != tr.town.ID {
			t.Fatalf("move: %v", err)
		}
		// Rename and posts keep their history.
		if _, err := s.Rename(ctx, orgTown, tr.branch.ID, "平安村党总支部", "2026-05-02"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPost(ctx, orgTown, tr.branch.ID, org.PostInput{Post: org.Secretary, Name: "尹志勇", From: "2020-01-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPost(ctx, orgTown, tr.branch.ID, org.PostInput{Post: org.Secretary, Name: "王大义", From: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPost(ctx, orgTown, tr.branch.ID, org.PostInput{Post: org.GroupLeader, Name: "x", From: "2026-01-01"}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a branch with a group leader: %v", err)
		}
		got, err := s.Org(ctx, orgSec, tr.branch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "平安村党总支部" || len(got.Holders) != 2 || got.Holders[0].Name != "王大义" || got.Holders[0].To != "" || got.Holders[1].To != "2026-01-01" {
			t.Fatalf("branch %+v holders %+v", got, got.Holders)
		}
		if len(got.History) != 4 || got.History[2].Detail != "平安村党支部 → 平安村党总支部" {
			t.Fatalf("history %+v", got.History)
		}
		if len(got.Children) != 1 || got.Brand != "孝亲敬老" {
			t.Fatalf("children %+v", got.Children)
		}
		// Dissolving one with a group below is refused; the group first.
		if _, err := s.Dissolve(ctx, orgTown, tr.branch.ID, "", "合并"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("dissolve non-empty: %v", err)
		}
		if _, err := s.Dissolve(ctx, orgTown, tr.group.ID, "", ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("dissolve without reason: %v", err)
		}
		if d, err := s.Dissolve(ctx, orgTown, tr.group.ID, "", "调整"); err != nil || d.Status != org.Dissolved {
			t.Fatalf("dissolve: %v", err)
		}
		if _, err := s.Rename(ctx, orgTown, tr.group.ID, "y", ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("rename a dissolved group: %v", err)
		}
		list, err := s.Orgs(ctx, orgSec, org.OrgFilter{All: true})
		if err != nil || len(list) != 2 {
			t.Fatalf("secretary's orgs: %v %d", err, len(list))
		}
		if n := auditCount(t, db, "org.org."); n < 12 {
			t.Errorf("%d org audit entries", n)
		}
	})
}

func TestOrgMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		h := mustHousehold(t, db, pingan, "001", person("尹志勇", 1, "1970-03-04", registry.Male))
		_, members, err := db.Registry().Household(ctx, admin, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		head := members[0]
		idNumber := person("尹志勇", 1, "1970-03-04", registry.Male).IDNumber
		m, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Resident: head.ID, Name: "尹志勇", Gender: "男",
			IDNumber: idNumber, Phone: "13904821234", Applied: "1995-01-01", Probation: "1996-07-01", Full: "1997-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		if m.IDMasked == "" || strings.Contains(m.IDMasked, idNumber[6:14]) || m.PhoneMasked == "13904821234" || m.Standing != org.FullMember {
			t.Fatalf("member %+v", m)
		}
		// The same person a second time, by resident or by ID number, in any branch.
		for name, in := range map[string]org.MemberInput{
			"same resident":  {Branch: tr.town.ID, Resident: head.ID, Name: "尹志勇", Probation: "1996-07-01"},
			"same ID number": {Branch: tr.town.ID, Name: "尹志勇", IDNumber: idNumber, Probation: "1996-07-01"},
		} {
			if _, err := s.CreateMember(ctx, orgTown, in); !fault.Is(err, fault.Conflict) {
				t.Errorf("%s: %v", name, err)
			}
		}
		for name, in := range map[string]org.MemberInput{
			"into a party group":    {Branch: tr.group.ID, Name: "甲", Probation: "2020-01-01"},
			"dates out of order":    {Branch: tr.branch.ID, Name: "甲", Probation: "2020-01-01", Full: "2019-01-01"},
			"no probation date":     {Branch: tr.branch.ID, Name: "甲"},
			"sibling's branch":      {Branch: tr.sibling.ID, Name: "甲", Probation: "2020-01-01"},
			"resident out of reach": {Branch: tr.branch.ID, Name: "甲", Probation: "2020-01-01", Resident: 987654},
		} {
			if _, err := s.CreateMember(ctx, orgTown, in); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		p, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "李田田", Gender: "女", Probation: "2025-07-01"})
		if err != nil || p.Standing != org.Probationary {
			t.Fatalf("probationary: %v", err)
		}
		// 转正 is recorded by an update; another member's ID number is refused.
		if up, err := s.UpdateMember(ctx, orgTown, p.ID, org.MemberInput{Name: "李田田", Gender: "女", Probation: "2025-07-01", Full: "2026-05-30"}); err != nil || up.Standing != org.FullMember || up.Full != "2026-05-30" {
			t.Fatalf("full membership: %v %+v", err, up)
		}
		if _, err := s.UpdateMember(ctx, orgTown, p.ID, org.MemberInput{Name: "李田田", IDNumber: idNumber, Probation: "2025-07-01"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("another member's ID number: %v", err)
		}
		if _, err := s.UpdateMember(ctx, orgSec, p.ID, org.MemberInput{Name: "李田田", Probation: "2025-07-01"}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a secretary edits a member: %v", err)
		}
		if up, err := s.UpdateMember(ctx, orgTown, m.ID, org.MemberInput{Name: "尹志勇", Resident: head.ID, Probation: "1996-07-01", Full: "1997-07-01"}); err != nil || up.IDMasked != m.IDMasked || up.PhoneMasked != m.PhoneMasked {
			t.Fatalf("an update without ID number keeps it: %v %+v", err, up)
		}
		roster, err := s.Members(ctx, orgSec, tr.branch.ID)
		if err != nil || len(roster) != 2 {
			t.Fatalf("roster: %v %d", err, len(roster))
		}
		if _, err := s.Members(ctx, orgSibling, tr.branch.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling reads the roster: %v", err)
		}
		// Transfers: not to a dissolved branch; in transit the member stays in
		// the sending branch; the receiving side takes them.
		dead, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Region: keerqin, Kind: org.Branch, Name: "撤销党支部"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Dissolve(ctx, orgTown, dead.ID, "", "撤并"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transfer(ctx, orgBanner, p.ID, dead.ID, ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("transfer to a dissolved branch: %v", err)
		}
		if _, err := s.Transfer(ctx, orgTown, p.ID, tr.sibling.ID, ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("transfer to a branch out of sight: %v", err)
		}
		if _, err := s.Transfer(ctx, orgTown, p.ID, tr.branch.ID, ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("transfer to the same branch: %v", err)
		}
		moving, err := s.Transfer(ctx, orgBanner, p.ID, tr.sibling.ID, "2026-05-20")
		if err != nil || moving.Pending == nil || moving.Branch != tr.branch.ID {
			t.Fatalf("transfer: %v %+v", err, moving)
		}
		if _, err := s.Transfer(ctx, orgBanner, p.ID, tr.town.ID, ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second open transfer: %v", err)
		}
		if _, err := s.Dissolve(ctx, orgSibling, tr.sibling.ID, "", "撤并"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("dissolve with a member on the way in: %v", err)
		}
		if _, err := s.Receive(ctx, orgTown, p.ID, ""); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("the sending side receives: %v", err)
		}
		// The receiving side sees whom it is to receive.
		if seen, err := s.Member(ctx, orgSibling, p.ID); err != nil || seen.Pending == nil {
			t.Fatalf("the receiving township cannot see the member in transit: %v", err)
		}
		if _, err := s.Transfer(ctx, orgSibling, p.ID, tr.sibling.ID, ""); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("the receiving side sends the member on: %v", err)
		}
		got, err := s.Receive(ctx, orgBanner, p.ID, "2026-05-25")
		if err != nil || got.Branch != tr.sibling.ID || got.Pending != nil {
			t.Fatalf("receive: %v %+v", err, got)
		}
		if _, err := s.Member(ctx, orgTown, p.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the old township still sees the member: %v", err)
		}
		full, err := s.Member(ctx, orgSibling, p.ID)
		if err != nil || len(full.Transfers) != 1 || full.Transfers[0].Status != org.TransferReceived || full.Transfers[0].Received != "2026-05-25" {
			t.Fatalf("history: %v %+v", err, full)
		}
		if n := auditCount(t, db, "org.member."); n != 6 {
			t.Errorf("%d member audit entries, want 6", n)
		}
	})
}

func TestOrgGrids(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		h1 := mustHousehold(t, db, pingan, "001", person("甲", 1, "1970-03-04", registry.Male))
		h2 := mustHousehold(t, db, pingan, "002", person("乙", 2, "1971-03-04", registry.Male))
		far := mustHousehold(t, db, dsVillage, "001", person("丙", 3, "1972-03-04", registry.Male))
		op := operatorAt(pingan)
		g1, err := s.CreateGrid(ctx, op, org.GridInput{Village: pingan, Name: "第一网格"})
		if err != nil {
			t.Fatal(err)
		}
		g2, err := s.CreateGrid(ctx, orgSec, org.GridInput{Village: pingan, Name: "第二网格", Kind: org.GridPlain})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateGrid(ctx, op, org.GridInput{Village: pingan, Name: "第一网格"}); !fault.Is(err, fault.Conflict) {
			t.Errorf("same name: %v", err)
		}
		if _, err := s.CreateGrid(ctx, orgTown, org.GridInput{Village: keerqin, Name: "镇网格"}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a township as grid village: %v", err)
		}
		if _, err := s.CreateGrid(ctx, orgSibling, org.GridInput{Village: pingan, Name: "越权"}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("sibling township: %v", err)
		}
		got, err := s.AssignHouseholds(ctx, op, g1.ID, []int64{h1.ID, h2.ID})
		if err != nil || len(got.Members) != 2 || got.Households != 2 {
			t.Fatalf("assign: %v %+v", err, got)
		}
		if _, err := s.AssignHouseholds(ctx, op, g2.ID, []int64{h1.ID}); !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "household_twice") {
			t.Fatalf("second grid: %v", err)
		}
		if _, err := s.AssignHouseholds(ctx, op, g2.ID, []int64{far.ID}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("another village's household: %v", err)
		}
		if _, err := s.Grid(ctx, orgSibling, g1.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("sibling reads the grid: %v", err)
		}
		if _, err := s.ReleaseHousehold(ctx, op, g1.ID, h1.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.AssignHouseholds(ctx, op, g2.ID, []int64{h1.ID}); err != nil || got.Households != 1 {
			t.Fatalf("reassign: %v", err)
		}
		if _, err := s.Grids(ctx, orgSibling, pingan); !fault.Is(err, fault.NotFound) {
			t.Fatalf("sibling lists the village's grids: %v", err)
		}
		if _, err := s.Grids(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Clerk, Region: pingan}}}, ""); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a clerk lists grids: %v", err)
		}
		// Grids follow the register: a household split off lives in its
		// old household's grid, a household merged away leaves its grid.
		child := person("甲子", 4, "2000-03-04", registry.Male)
		child.Relation = "子"
		kid, err := db.Registry().AddResident(ctx, admin, h1.ID, child, "出生")
		if err != nil {
			t.Fatal(err)
		}
		split, err := db.Registry().SplitHousehold(ctx, admin, registry.Split{From: h1.ID, Members: []int64{kid.ID}, NewHead: kid.ID, Number: "003", Reason: "分户"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Registry().MergeHouseholds(ctx, admin, h2.ID, h1.ID, "合户"); err != nil {
			t.Fatal(err)
		}
		g2now, err := s.Grid(ctx, op, g2.ID)
		if err != nil || len(g2now.Members) != 2 || g2now.Members[0].ID != h1.ID || g2now.Members[1].ID != split.ID {
			t.Fatalf("grid after split: %v %+v", err, g2now)
		}
		g1now, err := s.Grid(ctx, op, g1.ID)
		if err != nil || len(g1now.Members) != 0 {
			t.Fatalf("grid after merge: %v %+v", err, g1now)
		}
		list, err := s.Grids(ctx, orgSec, "")
		if err != nil || len(list) != 2 || list[0].Households != 0 || list[1].Households != 2 {
			t.Fatalf("grids: %v %+v", err, list)
		}
		if n := auditCount(t, db, "org.grid."); n != 7 {
			t.Errorf("%d grid audit entries, want 7", n)
		}
	})
}

// TestOrgMemberAcrossRotation rotates the personal-data key and then
// refuses the same person a second membership: the keyed hash of a
// member's ID number is carried to the new key, so the rule holds.
func TestOrgMemberAcrossRotation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			base := storetest.MustOpenUnkeyed(t, engine)
			k1, k2 := secret.NewKey(secret.AES), secret.NewKey(secret.AES)
			db := rotOpen(t, base, k1)
			tr := mustOrgTree(t, db.Org())
			idNumber := person("尹志勇", 1, "1970-03-04", registry.Male).IDNumber
			if _, err := db.Org().CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "尹志勇", IDNumber: idNumber, Phone: "13904821234", Probation: "1996-07-01"}); err != nil {
				t.Fatal(err)
			}
			db2 := rotOpen(t, base, k2, k1)
			rep, err := db2.RotateKey(ctx, nil, sqlstore.RotateOptions{})
			if err != nil || rep.Values < 2 {
				t.Fatalf("rotate: %+v %v", rep, err)
			}
			only := rotOpen(t, base, k2)
			if _, err := only.Org().CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.town.ID, Name: "尹志勇", IDNumber: idNumber, Probation: "1996-07-01"}); !fault.Is(err, fault.Conflict) {
				t.Fatalf("second membership after rotation: %v", err)
			}
		})
	}
}

// TestOrgMerge merges the 平安村 branch into another branch of the
// township: its party group and its member pass over, a transfer on its
// way to it is retargeted, and it ends dissolved with the merger in both
// histories; merging into one's own group or into a dissolved one is
// refused.
func TestOrgMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		other, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Region: keerqin, Kind: org.Branch, Name: "镇机关党支部"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "甲", Probation: "2020-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		incoming, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.town.ID, Name: "乙", Probation: "2020-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transfer(ctx, orgTown, incoming.ID, tr.branch.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Merge(ctx, orgTown, tr.branch.ID, tr.group.ID, "", "合并"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("merge into its own group: %v", err)
		}
		if _, err := s.Merge(ctx, orgTown, tr.branch.ID, other.ID, "", ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("merge without a reason: %v", err)
		}
		if got, err := s.Merge(ctx, orgTown, tr.branch.ID, other.ID, "2026-05-31", "村机关党支部合并"); err != nil || got.ID != other.ID || got.Members != 1 {
			t.Fatalf("merge: %v %+v", err, got)
		}
		got, err := s.Org(ctx, orgTown, other.ID)
		if err != nil || len(got.Children) != 1 || got.Children[0].ID != tr.group.ID || got.History[0].Kind != "merged_in" {
			t.Fatalf("after the merge: %v %+v", err, got)
		}
		old, err := s.Org(ctx, orgTown, tr.branch.ID)
		if err != nil || old.Status != org.Dissolved || old.Dissolved != "2026-05-31" || old.History[0].Kind != "merged" {
			t.Fatalf("merged branch: %v %+v", err, old)
		}
		if mm, err := s.Member(ctx, orgTown, m.ID); err != nil || mm.Branch != other.ID {
			t.Fatalf("member after merge: %v %+v", err, mm)
		}
		if in, err := s.Member(ctx, orgTown, incoming.ID); err != nil || in.Pending == nil || in.Pending.To != other.ID {
			t.Fatalf("transfer after merge: %v %+v", err, in)
		}
		if _, err := s.Merge(ctx, orgTown, other.ID, tr.branch.ID, "", "x"); !fault.Is(err, fault.Invalid) {
			t.Fatalf("merge into a dissolved branch: %v", err)
		}
	})
}

// TestListsInNumberOrder: a village's grids and a branch's groups list
// in the order of their numbers (第二 before 第十), whatever order they
// were made in and however their names' bytes sort.
func TestListsInNumberOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		want := []string{"第一网格", "第二网格", "第三网格", "第十网格", "第十一网格"}
		for _, i := range []int{3, 2, 4, 1, 0} {
			if _, err := s.CreateGrid(ctx, operatorAt(pingan), org.GridInput{Village: pingan, Name: want[i]}); err != nil {
				t.Fatal(err)
			}
		}
		grids, err := s.Grids(ctx, orgSec, pingan)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range grids {
			got = append(got, g.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("grids %q, want %q", got, want)
		}
		tr := mustOrgTree(t, s)
		groups := []string{"第一党小组", "第二党小组", "第三党小组", "第十党小组"}
		for _, name := range []string{"第十党小组", "第三党小组", "第二党小组"} {
			if _, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.branch.ID, Region: pingan, Kind: org.Group, Name: name}); err != nil {
				t.Fatal(err)
			}
		}
		branch, err := s.Org(ctx, orgSec, tr.branch.ID)
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		for _, o := range branch.Children {
			got = append(got, o.Name)
		}
		if !slices.Equal(got, groups) {
			t.Errorf("groups %q, want %q", got, groups)
		}
	})
}
