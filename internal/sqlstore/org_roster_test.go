package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"shanzhi/internal/audit"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// rosterID is the n-th synthetic ID number of a roster test.
func rosterID(n int) string {
	return person("党员", n, "1980-01-01", registry.Male).IDNumber
}

// rosterRow is a sound row of the national roster for 平安村党支部.
func rosterRow(line, n int, name string) org.RosterRow {
	return org.RosterRow{Line: line, Branch: "平安村党支部", Input: org.MemberInput{Name: name, Gender: "男", IDNumber: rosterID(n), Ethnicity: "蒙古族",
		Birth: "1980-01-01", Education: "高中", Probation: "2005-07-01", Full: "2006-07-01", Job: "农牧民", Phone: "13904820001", Residence: "平安村一组"}}
}

func TestOrgRosterImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		u, err := s.CreateUnit(ctx, orgTown, org.UnitInput{Region: pingan, Name: "平安快递站", CreditCode: creditcode.Complete("91152221MA0N00001"), Type: org.PrivateFirm, TwoNew: true})
		if err != nil {
			t.Fatal(err)
		}
		// Someone already a member of the sibling township's branch.
		elsewhere, err := s.CreateMember(ctx, orgSibling, org.MemberInput{Branch: tr.sibling.ID, Name: "外村党员", IDNumber: rosterID(9), Probation: "2001-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		good := rosterRow(2, 1, "尹志勇")
		good.Unit = "平安快递站"
		twice := rosterRow(3, 1, "尹志勇")
		unknown := rosterRow(4, 2, "甲")
		unknown.Branch = "外村党支部" // the sibling township's: not the importer's
		noID := rosterRow(5, 3, "乙")
		noID.Input.IDNumber = ""
		badDate := rosterRow(6, 4, "丙")
		badDate.Input.Full = "2004-01-01"
		other := rosterRow(7, 9, "外村党员")
		badUnit := rosterRow(8, 5, "丁")
		badUnit.Unit = "不存在的公司"
		rows := []org.RosterRow{good, twice, unknown, noID, badDate, other, badUnit}

		// 尹志勇 lives in 平安村: the register holds him under the same ID
		// number, so the import links him to his household.
		hh, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: "R-01", VillageCode: pingan}, person("尹志勇", 1, "1980-01-01", registry.Male))
		if err != nil {
			t.Fatal(err)
		}
		resident := hh.HeadID

		// The preview writes nothing.
		checked, sum, err := s.ImportRoster(ctx, orgTown, keerqin, rows, false)
		if err != nil || sum != (org.RosterSummary{New: 1, Refused: 6, Residents: 1}) {
			t.Fatalf("preview: %v %+v", err, sum)
		}
		for i, want := range []string{"", "id_number", "branch", "id_number", "full", "branch", "work_unit"} {
			if got := fieldOf(checked[i].Err); got != want {
				t.Errorf("row %d: refused on %q (%v), want %q", checked[i].Line, got, checked[i].Err, want)
			}
		}
		if !fault.Is(checked[5].Err, fault.Conflict) || fmt.Sprint(checked[5].Err) != "conflict: org.roster.other_branch_hidden" {
			t.Errorf("a member of a branch out of sight: %v", checked[5].Err)
		}
		if roster, _ := s.Members(ctx, orgTown, tr.branch.ID); len(roster) != 0 {
			t.Fatalf("the preview wrote %d members", len(roster))
		}
		// The banner sees both townships, so the refusal names the branch.
		if banner, _, err := s.ImportRoster(ctx, orgBanner, "", []org.RosterRow{other}, false); err != nil || fmt.Sprint(banner[0].Err) != "conflict: org.roster.other_branch" {
			t.Errorf("banner's refusal: %v %v", err, banner[0].Err)
		}

		done, sum, err := s.ImportRoster(ctx, orgTown, keerqin, rows, true)
		if err != nil || sum.New != 1 || done[0].Member == 0 {
			t.Fatalf("import: %v %+v", err, sum)
		}
		m, err := s.Member(ctx, orgSec, done[0].Member)
		if err != nil || m.Branch != tr.branch.ID || m.WorkUnit != u.ID || m.Ethnicity != "蒙古族" || m.Residence != "平安村一组" || m.PhoneMasked == "13904820001" || m.Standing != org.FullMember || m.Resident != resident {
			t.Fatalf("imported member: %v %+v", err, m)
		}
		if still, _ := s.Member(ctx, orgSibling, elsewhere.ID); still.Branch != tr.sibling.ID {
			t.Fatalf("the member elsewhere moved to %d", still.Branch)
		}
		if n := auditCount(t, db, "org.member.import"); n != 1 {
			t.Errorf("%d import audit entries, want 1", n)
		}

		// Sent again: unchanged, then changed.
		if _, sum, err := s.ImportRoster(ctx, orgTown, "", []org.RosterRow{good}, true); err != nil || sum != (org.RosterSummary{Same: 1, Residents: 1}) {
			t.Fatalf("again: %v %+v", err, sum)
		}
		changed := good
		changed.Input.Phone, changed.Input.Job = "13904829999", "村医"
		if out, sum, err := s.ImportRoster(ctx, orgTown, "", []org.RosterRow{changed}, true); err != nil || sum != (org.RosterSummary{Changed: 1, Residents: 1}) || out[0].Member != m.ID {
			t.Fatalf("changed: %v %+v", err, sum)
		}
		if m2, _ := s.Member(ctx, orgTown, m.ID); m2.Job != "村医" || m2.PhoneMasked == m.PhoneMasked {
			t.Errorf("the change was not written: %+v", m2)
		}
		// A secretary only reads the register; a sibling cannot import into
		// another township.
		if _, _, err := s.ImportRoster(ctx, orgSec, "", rows, false); !fault.Is(err, fault.Forbidden) {
			t.Errorf("secretary imports: %v", err)
		}
		if _, _, err := s.ImportRoster(ctx, orgSibling, keerqin, rows, false); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling imports into 科尔沁镇: %v", err)
		}

		// Changes since today: the new member; after a transfer out of the
		// township and its receipt, 转出 for the township and 转入 for the
		// sibling.
		today := localtime.Day(db.Now())
		ch, err := s.MemberChanges(ctx, orgTown, keerqin, today, "")
		if err != nil || len(ch) != 1 || ch[0].Kind != org.ChangeNew || ch[0].Member.ID != m.ID {
			t.Fatalf("changes: %v %+v", err, ch)
		}
		if _, err := s.Transfer(ctx, orgBanner, m.ID, tr.sibling.ID, today); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Receive(ctx, orgBanner, m.ID, today); err != nil {
			t.Fatal(err)
		}
		if ch, err := s.MemberChanges(ctx, orgTown, keerqin, today, ""); err != nil || len(ch) != 1 || ch[0].Kind != org.ChangeOut || ch[0].Other != "外村党支部" {
			t.Fatalf("changes after the transfer: %v %+v", err, ch)
		}
		// The sibling's own member, recorded today, is 新增 there.
		if ch, err := s.MemberChanges(ctx, orgSibling, daShiZai, today, ""); err != nil || len(ch) != 2 || ch[0].Kind != org.ChangeNew || ch[1].Member.ID != m.ID ||
			ch[1].Kind != org.ChangeIn || ch[1].Other != "平安村党支部" {
			t.Fatalf("the sibling's changes: %v %+v", err, ch)
		}
		if _, err := s.MemberChanges(ctx, orgTown, keerqin, "2026-13-01", ""); !fault.Is(err, fault.Invalid) {
			t.Errorf("a bad date: %v", err)
		}
		// The full export for the national system: whole numbers, for the
		// department that keeps the register, with a reason, audited; a
		// secretary, who only reads, is refused.
		full, err := s.MemberChanges(ctx, orgSibling, daShiZai, today, "报送全国党员管理信息系统")
		if err != nil || len(full) != 2 || full[1].Member.IDNumber == "" || full[1].Member.IDNumber == full[1].Member.IDMasked || len(full[1].Member.IDNumber) != 18 {
			t.Fatalf("full changes: %v %+v", err, full)
		}
		if _, err := s.MemberChanges(ctx, orgSec, "", today, "报送"); err == nil {
			t.Error("a secretary exported whole ID numbers")
		}
		if n, _ := authActions(t, db, audit.Filter{Action: "org.export_full"}); n["org.export_full"] != 1 {
			t.Errorf("audit records of the full export: %v, want 1", n)
		}

		// Paging by cursor.
		for i := 0; i < 3; i++ {
			if _, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: fmt.Sprintf("党员%d", i), Probation: "2010-07-01"}); err != nil {
				t.Fatal(err)
			}
		}
		first, err := s.MemberPage(ctx, orgTown, org.MemberFilter{Region: keerqin, Limit: 2})
		if err != nil || len(first) != 2 {
			t.Fatalf("first page: %v %d", err, len(first))
		}
		rest, err := s.MemberPage(ctx, orgTown, org.MemberFilter{Region: keerqin, Limit: 2, After: first[1].ID})
		if err != nil || len(rest) != 1 || rest[0].ID <= first[1].ID {
			t.Fatalf("second page: %v %+v", err, rest)
		}
	})
}

// fieldOf is the field a refusal stands beside, "" for none.
func fieldOf(err error) string {
	var e *fault.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0].Name
}

func TestOrgFlows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		m, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "外出党员", Probation: "2010-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			in   org.FlowInput
			code fault.Code
		}{
			"no place":               {org.FlowInput{TempName: "呼和浩特市某党支部", From: "2026-03-01"}, fault.Invalid},
			"no temporary branch":    {org.FlowInput{Place: "呼和浩特市", From: "2026-03-01"}, fault.Invalid},
			"branch out of sight":    {org.FlowInput{TempOrg: tr.sibling.ID, Place: "大石寨", From: "2026-03-01"}, fault.Invalid},
			"the member's own":       {org.FlowInput{TempOrg: tr.branch.ID, Place: "平安村", From: "2026-03-01"}, fault.Invalid},
			"a date in the future":   {org.FlowInput{TempName: "某党支部", Place: "呼和浩特市", From: "2999-01-01"}, fault.Invalid},
			"a party group as host":  {org.FlowInput{TempOrg: tr.group.ID, Place: "平安村", From: "2026-03-01"}, fault.Invalid},
			"secretary reads only":   {org.FlowInput{TempName: "某党支部", Place: "呼和浩特市", From: "2026-03-01"}, fault.Forbidden},
			"sibling cannot see him": {org.FlowInput{TempName: "某党支部", Place: "呼和浩特市", From: "2026-03-01"}, fault.NotFound},
		} {
			actor := orgTown
			switch name {
			case "secretary reads only":
				actor = orgSec
			case "sibling cannot see him":
				actor = orgSibling
			}
			if _, err := s.StartFlow(ctx, actor, m.ID, c.in); fault.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		away, err := s.StartFlow(ctx, orgBanner, m.ID, org.FlowInput{TempOrg: tr.sibling.ID, Place: "大石寨镇", From: "2026-03-01"})
		if err != nil || away.Away == nil || away.Away.TempName != "外村党支部" {
			t.Fatalf("start: %v %+v", err, away)
		}
		if _, err := s.StartFlow(ctx, orgBanner, m.ID, org.FlowInput{TempName: "又一处", Place: "包头", From: "2026-03-02"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a second stay: %v", err)
		}
		own, err := s.Flows(ctx, orgSec, tr.branch.ID)
		if err != nil || len(own.Out) != 1 || len(own.In) != 0 || own.Out[0].MemberName != "外出党员" {
			t.Fatalf("流出: %v %+v", err, own)
		}
		host, err := s.Flows(ctx, orgSibling, tr.sibling.ID)
		if err != nil || len(host.In) != 1 || host.In[0].BranchName != "平安村党支部" {
			t.Fatalf("流入: %v %+v", err, host)
		}
		if _, err := s.Flows(ctx, orgSibling, tr.branch.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling reads 平安村's flows: %v", err)
		}
		if _, err := s.EndFlow(ctx, orgTown, m.ID, "2026-02-01"); !fault.Is(err, fault.Invalid) {
			t.Fatalf("back before leaving: %v", err)
		}
		back, err := s.EndFlow(ctx, orgTown, m.ID, "2026-04-01")
		if err != nil || back.Away != nil {
			t.Fatalf("back: %v %+v", err, back)
		}
		if _, err := s.EndFlow(ctx, orgTown, m.ID, ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("back twice: %v", err)
		}
		if f, _ := s.Flows(ctx, orgTown, tr.branch.ID); len(f.Out) != 0 {
			t.Errorf("a member back is still listed away")
		}
		if n := auditCount(t, db, "org.member.flow_"); n != 2 {
			t.Errorf("%d flow audit entries, want 2", n)
		}
	})
}

func TestOrgCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		unit := func(n int, name, region string) *org.Unit {
			u, err := s.CreateUnit(ctx, orgBanner, org.UnitInput{Region: region, Name: name, CreditCode: creditcode.Complete(fmt.Sprintf("91152221MA0N%05d", n)), Type: org.PrivateFirm, TwoNew: true})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		own, joint1, joint2, guided, bare := unit(1, "自有党支部公司", pingan), unit(2, "联合甲", pingan), unit(3, "联合乙", pingan), unit(4, "指导员公司", pingan), unit(5, "空白公司", dsVillage)
		if _, err := s.CreateUnit(ctx, orgBanner, org.UnitInput{Region: pingan, Name: "国企", CreditCode: creditcode.Complete("91152221MA0N00006"), Type: org.StateFirm}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Units: []int64{own.ID}, Kind: org.Branch, Name: "自有党支部"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateOrg(ctx, orgTown, org.OrgInput{Parent: tr.town.ID, Units: []int64{joint1.ID, joint2.ID}, Kind: org.JointBranch, Name: "联合党支部"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetInstructor(ctx, orgSec, guided.ID, "王指导", ""); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a secretary assigns an instructor: %v", err)
		}
		if got, err := s.SetInstructor(ctx, orgTown, guided.ID, "王指导", "2026-01-05"); err != nil || got.Instructor != "王指导" {
			t.Fatalf("instructor: %v %+v", err, got)
		}
		// Members working in the units: two in the bare one (the gap), one
		// in the jointly covered.
		// The banner sees both townships' units.
		for i, c := range []struct{ branch, unit int64 }{{tr.sibling.ID, bare.ID}, {tr.sibling.ID, bare.ID}, {tr.branch.ID, joint1.ID}} {
			if _, err := s.CreateMember(ctx, orgBanner, org.MemberInput{Branch: c.branch, Name: fmt.Sprintf("员工%d", i), Probation: "2015-07-01", WorkUnit: c.unit}); err != nil {
				t.Fatal(err)
			}
		}
		cov, err := s.Coverage(ctx, orgBanner, qianqi)
		if err != nil {
			t.Fatal(err)
		}
		want := map[org.CoverKind]int{org.CoverOwn: 1, org.CoverJoint: 2, org.CoverInstructor: 1, org.CoverNone: 1}
		if cov.Total.Units != 5 || fmt.Sprint(cov.Total.ByKind) != fmt.Sprint(want) || cov.Total.Members != 3 || cov.Total.GapMembers != 2 {
			t.Fatalf("total %+v", cov.Total)
		}
		if cov.Units[0].Unit.ID != bare.ID || cov.Units[0].Kind != org.CoverNone || cov.Units[0].Members != 2 {
			t.Errorf("the gap is not first: %+v", cov.Units[0])
		}
		// Per township: 科尔沁镇 covered fully, 大石寨镇 has the gap.
		byCode := map[string]org.CoverArea{}
		for _, a := range cov.Areas {
			byCode[a.Code] = a
		}
		if k, d := byCode[keerqin], byCode[daShiZai]; k.Units != 4 || k.Covered() != 4 || d.Units != 1 || d.Covered() != 0 || d.GapMembers != 2 {
			t.Errorf("areas: %+v %+v", k, d)
		}
		if _, err := s.Coverage(ctx, orgSibling, keerqin); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling reads 科尔沁镇's coverage: %v", err)
		}
		// Dissolving the own branch opens a gap; ending the instructor too.
		if _, err := s.SetInstructor(ctx, orgTown, guided.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		if cov, _ := s.Coverage(ctx, orgTown, keerqin); cov.Total.ByKind[org.CoverNone] != 1 || cov.Units[0].Unit.ID != guided.ID {
			t.Errorf("after the instructor left: %+v", cov.Total)
		}
	})
}

func TestOrgSplit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Org()
		tr := mustOrgTree(t, s)
		var ids []int64
		for i := 0; i < 3; i++ {
			m, err := s.CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: fmt.Sprintf("党员%d", i), Probation: "2010-07-01"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		other, err := s.CreateMember(ctx, orgSibling, org.MemberInput{Branch: tr.sibling.ID, Name: "外村", Probation: "2010-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.Orgs(ctx, orgBanner, org.OrgFilter{All: true})
		for name, in := range map[string]org.SplitInput{
			"no reason":             {Name: "平安村第二党支部", Members: ids[:2]},
			"a member of another":   {Name: "平安村第二党支部", Members: []int64{ids[0], other.ID}, Reason: "党员人数超过50人"},
			"a nameless new branch": {Members: ids[:1], Reason: "党员人数超过50人"},
		} {
			if _, err := s.Split(ctx, orgBanner, tr.branch.ID, in); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if after, _ := s.Orgs(ctx, orgBanner, org.OrgFilter{All: true}); len(after) != len(before) {
			t.Fatalf("a refused split left an organisation behind")
		}
		if _, err := s.Split(ctx, orgSec, tr.branch.ID, org.SplitInput{Name: "平安村第二党支部", Reason: "分设"}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a secretary splits: %v", err)
		}
		n, err := s.Split(ctx, orgTown, tr.branch.ID, org.SplitInput{Name: "平安村第二党支部", Members: ids[:2], Reason: "党员人数超过50人", Date: "2026-05-01"})
		if err != nil || n.Parent != tr.town.ID || n.Home != pingan || n.Members != 2 || n.Kind != org.Branch {
			t.Fatalf("split: %v %+v", err, n)
		}
		old, err := s.Org(ctx, orgTown, tr.branch.ID)
		if err != nil || old.Members != 1 || old.Status != org.Active || old.History[0].Kind != "split" {
			t.Fatalf("the old branch: %v %+v", err, old)
		}
	})
}
