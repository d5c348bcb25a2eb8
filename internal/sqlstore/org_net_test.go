package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestGridNetCheck is the issue's check as a new user would run it: a
// community of 3 grids, 120 party members and 1,500 households linked end
// to end; the coverage the store reports equals an independent count in
// raw SQL; a resident's issue climbs the chain to the branch and is closed
// there; bad input is refused and changes nothing.
func TestGridNetCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		const households, perGrid = 1500, 500
		hs := make([]*registry.Household, households)
		for i := range hs {
			birth := fmt.Sprintf("19%02d-%02d-%02d", 50+i%40, 1+i%12, 1+i%28)
			hs[i] = mustHousehold(t, db, pingan, fmt.Sprintf("%04d", i+1), person(cnName(i), i, birth, registry.Male))
		}
		var grids [3]*org.Grid
		for gi := range grids {
			g, err := s.CreateGrid(ctx, orgSec, org.GridInput{Village: pingan, Name: fmt.Sprintf("第%d网格", gi+1)})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range hs[gi*perGrid : (gi+1)*perGrid] {
				ids = append(ids, h.ID)
			}
			if _, err := s.AssignHouseholds(ctx, orgSec, g.ID, ids); err != nil {
				t.Fatal(err)
			}
			grids[gi] = g
		}
		// 120 members: the heads of every 12th household, 40 a grid.
		members := make([][]int64, 3)
		for gi := range members {
			for k := 0; k < 40; k++ {
				h := hs[gi*perGrid+k*12]
				m, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Resident: h.HeadID, Name: h.HeadName, Phone: fmt.Sprintf("139%08d", gi*perGrid+k), Probation: "2001-07-01"})
				if err != nil {
					t.Fatal(err)
				}
				members[gi] = append(members[gi], m.ID)
			}
		}
		// A member who lives in no household of the register may be placed
		// anywhere; the builder lists the grid's own 40 first, each with
		// the 户号 that tells two of one name apart, and no other grid's.
		away, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "外出党员", Probation: "2001-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		cands, err := s.NetCandidates(ctx, orgSec, grids[1].ID)
		if err != nil || len(cands) != 41 || cands[40].ID != away.ID || cands[40].Household != "" {
			t.Fatalf("candidates of grid 2: %v, %d", err, len(cands))
		}
		for _, c := range cands[:40] {
			if !slices.Contains(members[1], c.ID) || c.Household == "" {
				t.Fatalf("candidate %+v of grid 2", c)
			}
		}
		leader := &access.Actor{UserID: 801, Username: "wgz-1", Grants: []access.Grant{{Role: access.GridLeader, Region: pingan, Grid: grids[0].ID}}}
		worker := &access.Actor{UserID: 802, Username: "wgy-1", Grants: []access.Grant{{Role: access.GridWorker, Region: pingan, Grid: grids[0].ID}}}
		for gi, g := range grids {
			ms := members[gi]
			do := func(c org.NetChange) {
				t.Helper()
				if _, err := s.ChangeNet(ctx, orgSec, g.ID, c); err != nil {
					t.Fatalf("grid %d %s: %v", gi, c.Op, err)
				}
			}
			centrals := []int64{ms[0], ms[10], ms[20], ms[30]}
			do(org.NetChange{Op: org.NetPlace, Members: centrals, Central: true})
			var rest []int64
			for i, m := range ms {
				if i%10 != 0 {
					rest = append(rest, m)
				}
			}
			do(org.NetChange{Op: org.NetPlace, Members: rest})
			for c := range centrals {
				do(org.NetChange{Op: org.NetCentral, Member: centrals[c], Members: rest[c*9 : (c+1)*9]})
			}
			do(org.NetChange{Op: org.NetLeader, Member: ms[0]})
			// Each member links 12 households, leaving 20 to 34 of a grid
			// unlinked; grid 1 allows 15 a member, the others keep 10.
			grid := hs[gi*perGrid : (gi+1)*perGrid]
			for i, m := range ms {
				var link []int64
				for _, h := range grid[i*12 : min((i+1)*12, len(grid)-gi*7)] {
					link = append(link, h.ID)
				}
				if len(link) > 0 {
					do(org.NetChange{Op: org.NetLink, Member: m, Households: link})
				}
			}
			if gi == 0 {
				do(org.NetChange{Op: org.NetSettings, MaxLinks: 15})
			}
		}

		// Coverage equals an independent count of the same facts in SQL.
		for _, g := range grids {
			cov, err := s.NetCoverage(ctx, orgSec, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			var inGrid, linked, idle, over int
			count := func(q string, out *int, args ...any) {
				t.Helper()
				if err := db.RawRow(ctx, q, args...).Scan(out); err != nil {
					t.Fatal(err)
				}
			}
			count(`SELECT count(*) FROM grid_households WHERE grid_id = ?`, &inGrid, g.ID)
			count(`SELECT count(*) FROM grid_households gh WHERE gh.grid_id = ? AND EXISTS (SELECT 1 FROM grid_links l WHERE l.household_id = gh.household_id)`, &linked, g.ID)
			count(`SELECT count(*) FROM grid_net_members nm WHERE nm.grid_id = ? AND nm.central = 0 AND NOT EXISTS (SELECT 1 FROM grid_links l WHERE l.member_id = nm.member_id)`, &idle, g.ID)
			count(`SELECT count(*) FROM (SELECT l.member_id FROM grid_links l WHERE l.grid_id = ? GROUP BY l.member_id
				HAVING count(*) > (SELECT COALESCE(max(max_links), 10) FROM grid_nets WHERE grid_id = ?)) x`, &over, g.ID, g.ID)
			if cov.Households != inGrid || cov.Linked != linked || len(cov.Unlinked) != inGrid-linked || len(cov.Idle) != idle || len(cov.Overloaded) != over {
				t.Fatalf("grid %s coverage %d/%d unlinked %d idle %d over %d; SQL says %d/%d idle %d over %d",
					g.Name, cov.Linked, cov.Households, len(cov.Unlinked), len(cov.Idle), len(cov.Overloaded), linked, inGrid, idle, over)
			}
			if g == grids[0] && over != 0 || g != grids[0] && over == 0 || linked == 0 || linked == perGrid {
				t.Fatalf("grid %s: the set-up did not give the mix the test means: %d linked, %d over", g.Name, linked, over)
			}
		}
		var total int
		if err := db.RawRow(ctx, `SELECT count(*) FROM grid_links`).Scan(&total); err != nil || total < 1400 {
			t.Fatalf("%d households linked end to end: %v", total, err)
		}

		// Bad input: a household of grid 2 linked to a member of grid 1, a
		// household put in a second grid. Clear errors, nothing changed.
		unlinked, err := s.NetCoverage(ctx, orgSec, grids[1].ID)
		if err != nil || len(unlinked.Unlinked) == 0 {
			t.Fatal(err)
		}
		h2 := unlinked.Unlinked[0]
		_, err = s.ChangeNet(ctx, orgSec, grids[0].ID, org.NetChange{Op: org.NetLink, Member: members[0][1], Households: []int64{h2.ID}})
		if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "household_other_grid") {
			t.Fatalf("a household of another grid: %v", err)
		}
		if _, err := s.ChangeNet(ctx, orgSec, grids[1].ID, org.NetChange{Op: org.NetPlace, Members: []int64{members[0][5]}}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a member placed in two nets: %v", err)
		}
		if _, err := s.AssignHouseholds(ctx, orgSec, grids[2].ID, []int64{h2.ID}); !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "household_twice") {
			t.Fatalf("a household in two grids: %v", err)
		}
		var after int
		if err := db.RawRow(ctx, `SELECT count(*) FROM grid_links`).Scan(&after); err != nil || after != total {
			t.Fatalf("a refused change changed the links: %d → %d (%v)", total, after, err)
		}

		// The grid worker reaches their grid only.
		if list, err := s.Grids(ctx, worker, pingan); err != nil || len(list) != 1 || list[0].ID != grids[0].ID {
			t.Fatalf("the worker's grids: %v %+v", err, list)
		}
		if _, err := s.Net(ctx, worker, grids[1].ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("the worker reads a sibling grid: %v", err)
		}
		if _, err := s.Grids(ctx, worker, keerqin); !fault.Is(err, fault.NotFound) {
			t.Fatalf("the worker lists the township: %v", err)
		}
		if _, err := s.ChangeNet(ctx, worker, grids[0].ID, org.NetChange{Op: org.NetSettings, MaxLinks: 3}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("the worker builds the net: %v", err)
		}
		if _, _, err := db.Registry().Household(ctx, worker, hs[0].ID); err == nil {
			t.Fatal("the worker reads the register")
		}

		// A resident's issue climbs the chain and is closed at the branch.
		cards, err := s.Cards(ctx, worker, grids[0].ID, hs[13].ID)
		if err != nil || len(cards) != 1 || cards[0].Member == "" || !strings.HasPrefix(cards[0].MemberPhone, "139") || cards[0].Leader == "" || cards[0].Central == "" {
			t.Fatalf("card: %v %+v", err, cards)
		}
		c, err := s.LogContact(ctx, worker, grids[0].ID, org.ContactInput{Household: hs[13].ID, Kind: org.ContactVisit, Date: "2024-05-06",
			Summary: "入户走访", Issue: "村道路灯不亮"})
		if err != nil || c.Status != org.ContactOpen || c.Level != org.LevelMember || c.MemberName == "" || c.Due == "" {
			t.Fatalf("log: %v %+v", err, c)
		}
		if _, err := s.LogContact(ctx, worker, grids[0].ID, org.ContactInput{Household: h2.ID, Kind: org.ContactPhone, Date: "2024-05-06", Summary: "电话"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a contact with another grid's household: %v", err)
		}
		for _, by := range []*access.Actor{worker, worker, leader} {
			if c, err = s.Escalate(ctx, by, c.ID, "需上级协调", ""); err != nil {
				t.Fatalf("escalate by %s: %v", by.Username, err)
			}
		}
		if c.Level != org.LevelBranch || c.Status != org.ContactEscalated {
			t.Fatalf("after three steps: %+v", c)
		}
		if _, err := s.CloseContact(ctx, leader, c.ID, "已处理"); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("the grid leader closes at the branch: %v", err)
		}
		if _, err := s.CloseContact(ctx, operatorAt(pingan), c.ID, "已处理"); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("the village clerk closes for the branch: %v", err)
		}
		if _, err := s.CloseContact(ctx, orgSec, c.ID, ""); !fault.Is(err, fault.Invalid) {
			t.Fatalf("closing without a note: %v", err)
		}
		at, err := s.Contacts(ctx, orgSec, org.ContactFilter{Branch: tr.branch.ID, Open: true})
		if err != nil || len(at) != 1 || at[0].ID != c.ID || !at[0].CanClose {
			t.Fatalf("the branch's open issues: %v %+v", err, at)
		}
		if c, err = s.CloseContact(ctx, orgSec, c.ID, "已联系供电所修复"); err != nil || c.Status != org.ContactClosed || len(c.Steps) != 5 {
			t.Fatalf("close at the branch: %v %+v", err, c)
		}
		// An issue past its deadline at the member's level shows, flagged,
		// to the levels above it, the branch included.
		late, err := s.LogContact(ctx, worker, grids[0].ID, org.ContactInput{Household: hs[25].ID, Kind: org.ContactPhone, Date: "2024-05-06",
			Summary: "电话", Issue: "院墙倒塌", Due: "2024-05-10"})
		if err != nil || !late.Overdue {
			t.Fatalf("late: %v %+v", err, late)
		}
		if at, err := s.Contacts(ctx, orgSec, org.ContactFilter{Branch: tr.branch.ID, Open: true}); err != nil || len(at) != 1 || at[0].ID != late.ID || !at[0].Overdue {
			t.Fatalf("the branch's view of an overdue issue: %v %+v", err, at)
		}
		if _, err := s.Contact(ctx, &access.Actor{Grants: []access.Grant{{Role: access.GridWorker, Region: pingan, Grid: grids[1].ID}}}, c.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a sibling grid's worker reads the contact: %v", err)
		}

		// Moves follow the register: a household moving village leaves
		// its grid and its party member.
		moved := hs[14]
		if err := db.Registry().UpdateHousehold(ctx, admin, moved.ID, registry.HouseholdInput{Number: moved.Number, VillageCode: dsVillage, Address: "一组"}, "迁往外村"); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.RawRow(ctx, `SELECT count(*) FROM grid_households gh JOIN grid_links l ON l.household_id = gh.household_id WHERE gh.household_id = ?`, moved.ID).Scan(&left); err != nil || left != 0 {
			t.Fatalf("the moved household is still in its grid: %d %v", left, err)
		}
	})
}

// cnName is a resident's name for number i, in the digits a name may hold.
func cnName(i int) string {
	digits := []rune("零一二三四五六七八九")
	name := []rune("户主")
	for _, d := range fmt.Sprint(i) {
		name = append(name, digits[d-'0'])
	}
	return string(name)
}

// TestGridGrant grants grid roles as the security administrator does: a
// grid leader's grant names a grid of its village, any other role's none,
// and the grant read back at sign-in carries the grid.
func TestGridGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		g, err := db.Org().CreateGrid(ctx, orgSec, org.GridInput{Village: pingan, Name: "第一网格"})
		if err != nil {
			t.Fatal(err)
		}
		far, err := db.Org().CreateGrid(ctx, orgSibling, org.GridInput{Village: dsVillage, Name: "外村网格"})
		if err != nil {
			t.Fatal(err)
		}
		uid, err := db.CreateUser(ctx, nil, "wanggezhang", "网格长", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		sec := &access.Actor{UserID: 99999, Username: "security", Grants: []access.Grant{{Role: access.SecAdmin, Region: "150000000000"}}}
		users := db.Users(access.DefaultPolicy())
		for name, bad := range map[string]access.Grant{
			"no grid":                  {Role: access.GridLeader, Region: pingan},
			"another village's grid":   {Role: access.GridLeader, Region: pingan, Grid: far.ID},
			"a grid on a region grant": {Role: access.Operator, Region: pingan, Grid: g.ID},
		} {
			if err := users.Grant(ctx, sec, uid, bad); !fault.Is(err, fault.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if err := users.Grant(ctx, sec, uid, access.Grant{Role: access.GridLeader, Region: pingan, Grid: g.ID}); err != nil {
			t.Fatal(err)
		}
		u, err := users.User(ctx, sec, uid)
		if err != nil || len(u.Grants) != 1 || u.Grants[0].Grid != g.ID {
			t.Fatalf("grants read back: %v %+v", err, u)
		}
	})
}
