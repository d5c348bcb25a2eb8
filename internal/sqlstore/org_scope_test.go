package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestBranchSecretaryGrant grants a secretary for one branch of a village
// that also homes a joint branch (联合党支部): they read their branch, its
// 党小组 and its members and flows, not the joint branch nor its members,
// and nothing village-wide; the grant names an active organisation of its
// region, and only a secretary's may.
func TestBranchSecretaryGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		joint, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Region: pingan, Kind: org.JointBranch, Name: "平安村非公企业联合党支部"})
		if err != nil {
			t.Fatal(err)
		}
		own, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "本支部党员", Probation: "2001-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: joint.ID, Name: "联合支部党员", Probation: "2001-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		users := db.Users(access.DefaultPolicy())
		uid, err := db.CreateUser(ctx, nil, "shuji-branch", "支部书记", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]access.Grant{
			"an operator for a branch":   {Role: access.Operator, Org: tr.branch.ID},
			"a branch of another region": {Role: access.Secretary, Region: keerqin, Org: tr.branch.ID},
			"an unknown branch":          {Role: access.Secretary, Org: 987654},
			"a branch and a unit":        {Role: access.Secretary, Org: tr.branch.ID, Unit: 1},
		} {
			if err := users.Grant(ctx, authSec, uid, g); !fault.Is(err, fault.Invalid) {
				t.Errorf("%s: granted (%v)", name, err)
			}
		}
		if err := users.Grant(ctx, authSec, uid, access.Grant{Role: access.Secretary, Org: tr.branch.ID}); err != nil {
			t.Fatal(err)
		}
		u, err := users.User(ctx, authSec, uid)
		if err != nil || len(u.Grants) != 1 || u.Grants[0].Region != pingan || u.Grants[0].Org != tr.branch.ID {
			t.Fatalf("grant stored as %+v (%v)", u, err)
		}
		if auditCount(t, db, "role.grant") == 0 {
			t.Error("the grant is not audited")
		}
		sec := &access.Actor{UserID: uid, Username: "shuji-branch", Grants: u.Grants}
		for _, id := range []int64{tr.branch.ID, tr.group.ID} {
			if _, err := s.Org(ctx, sec, id); err != nil {
				t.Errorf("own organisation %d: %v", id, err)
			}
		}
		if _, err := s.Members(ctx, sec, tr.branch.ID); err != nil {
			t.Error(err)
		}
		if _, err := s.Member(ctx, sec, own.ID); err != nil {
			t.Error(err)
		}
		if _, err := s.Flows(ctx, sec, tr.branch.ID); err != nil {
			t.Error(err)
		}
		for what, err := range map[string]error{
			"joint branch":         second(s.Org(ctx, sec, joint.ID)),
			"joint roster":         second(s.Members(ctx, sec, joint.ID)),
			"joint member":         second(s.Member(ctx, sec, other.ID)),
			"joint flows":          second(s.Flows(ctx, sec, joint.ID)),
			"township committee":   second(s.Org(ctx, sec, tr.town.ID)),
			"village orgs by code": second(s.Orgs(ctx, sec, org.OrgFilter{Region: pingan})),
		} {
			if !fault.Is(err, fault.NotFound) {
				t.Errorf("%s: %v", what, err)
			}
		}
		if _, err := s.Rename(ctx, sec, tr.branch.ID, "改名", ""); err == nil {
			t.Error("a branch secretary renamed their branch")
		}
		list, err := s.Orgs(ctx, sec, org.OrgFilter{})
		if err != nil || len(list) != 2 {
			t.Errorf("own organisations: %d %v", len(list), err)
		}
		ms, err := s.MemberPage(ctx, sec, org.MemberFilter{})
		if err != nil || len(ms) != 1 || ms[0].ID != own.ID {
			t.Errorf("own members: %+v %v", ms, err)
		}
		if sec.Can(access.RegistryRead, pingan) || sec.Can(access.GridRead, pingan) {
			t.Error("a grant for a branch reaches the village's register or grids")
		}
		if _, err := s.Grids(ctx, sec, ""); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a branch secretary lists grids: %v", err)
		}
		// The village-wide grant of before still reaches both branches.
		if _, err := s.Org(ctx, orgSec, joint.ID); err != nil {
			t.Errorf("village secretary: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestMemberMoveLeavesNet moves the households and membership of party
// members placed in a grid's net: moving into a household of another grid
// or another village, or receiving their membership in another branch,
// releases them from the old net (their links, the leader's place) in the
// same step, audited; a move within the grid keeps them.
func TestMemberMoveLeavesNet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		h1 := mustHousehold(t, db, pingan, "M-001", person("甲", 1, "1970-01-01", registry.Male))
		h2 := mustHousehold(t, db, pingan, "M-002", person("乙", 2, "1971-01-01", registry.Male))
		h3 := mustHousehold(t, db, pingan, "M-003", person("丙", 3, "1972-01-01", registry.Male))
		h4 := mustHousehold(t, db, pingan, "M-004", person("丁", 4, "1973-01-01", registry.Male))
		g1, err := s.CreateGrid(ctx, orgSec, org.GridInput{Village: pingan, Name: "一网格"})
		if err != nil {
			t.Fatal(err)
		}
		g2, err := s.CreateGrid(ctx, orgSec, org.GridInput{Village: pingan, Name: "二网格"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssignHouseholds(ctx, orgSec, g1.ID, []int64{h1.ID, h3.ID, h4.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssignHouseholds(ctx, orgSec, g2.ID, []int64{h2.ID}); err != nil {
			t.Fatal(err)
		}
		// Two residents of h1 are party members: 甲 (the head) and 甲妻.
		wife := person("甲妻", 5, "1972-02-02", registry.Female)
		wife.Relation = "配偶"
		r, err := db.Registry().AddResident(ctx, admin, h1.ID, wife, "婚入")
		if err != nil {
			t.Fatal(err)
		}
		m1, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Resident: r.ID, Name: "甲妻", Probation: "2001-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		m2, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Resident: h4.HeadID, Name: "丁", Probation: "2001-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []org.NetChange{{Op: org.NetPlace, Members: []int64{m1.ID, m2.ID}}, {Op: org.NetLink, Member: m1.ID, Households: []int64{h3.ID}},
			{Op: org.NetLink, Member: m2.ID, Households: []int64{h1.ID}}, {Op: org.NetLeader, Member: m1.ID}} {
			if _, err := s.ChangeNet(ctx, orgSec, g1.ID, c); err != nil {
				t.Fatalf("%s: %v", c.Op, err)
			}
		}
		placed := func(m int64) bool {
			t.Helper()
			n, err := s.Net(ctx, orgSec, g1.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range n.Members {
				if x.Member == m {
					return true
				}
			}
			return false
		}
		// 甲妻 moves into h2, in the other grid: out of g1's net, the
		// household she linked unlinked, the leader's place empty.
		if err := db.Registry().MoveResident(ctx, admin, r.ID, h2.ID, "其他", "迁入二网格"); err != nil {
			t.Fatal(err)
		}
		if placed(m1.ID) {
			t.Error("a member who moved to another grid is still in the old net")
		}
		n, _ := s.Net(ctx, orgSec, g1.ID)
		if n.Leader != 0 {
			t.Error("the leader's place was kept for a member who moved away")
		}
		var links int
		if err := db.RawRow(ctx, `SELECT count(*) FROM grid_links WHERE member_id = ?`, m1.ID).Scan(&links); err != nil || links != 0 {
			t.Errorf("links left: %d %v", links, err)
		}
		if auditCount(t, db, "org.net.release") != 1 {
			t.Error("the release is not audited once")
		}
		// 丁's membership moves to the sibling township's branch: out of
		// the net when it is received.
		sibl := &access.Actor{UserID: 305, Username: "zzb-both", Grants: []access.Grant{{Role: access.OrgStaff, Region: "152221000000"}}}
		if _, err := s.Transfer(ctx, sibl, m2.ID, tr.sibling.ID, ""); err != nil {
			t.Fatal(err)
		}
		if !placed(m2.ID) {
			t.Error("a transfer in transit already released the member")
		}
		if _, err := s.Receive(ctx, sibl, m2.ID, ""); err != nil {
			t.Fatal(err)
		}
		if placed(m2.ID) {
			t.Error("a member received by another branch is still in the old net")
		}
		if auditCount(t, db, "org.net.release") != 2 {
			t.Error("the transfer's release is not audited")
		}
	})
}
