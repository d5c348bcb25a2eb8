package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestOrgRosterPages walks the membership half as a township's 组织部
// would: the national roster checked (a row in two branches refused) and
// imported, the changes exported, a member recorded away, the 两个覆盖
// dashboard with its gap closed by an instructor, and a branch split.
func TestOrgRosterPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		staff := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: "152221000000"}}}
		svc := db.Org()
		town, err := svc.CreateOrg(ctx, staff, org.OrgInput{Region: keerqin, Kind: org.Committee, Name: "科尔沁镇党委"})
		if err != nil {
			t.Fatal(err)
		}
		branch, err := svc.CreateOrg(ctx, staff, org.OrgInput{Parent: town.ID, Region: pingan, Kind: org.Branch, Name: "平安村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.CreateOrg(ctx, staff, org.OrgInput{Region: "152221103212", Kind: org.Branch, Name: "外村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateMember(ctx, staff, org.MemberInput{Branch: other.ID, Name: "外村党员", IDNumber: idFor("19800101", 21), Probation: "2001-07-01"}); err != nil {
			t.Fatal(err)
		}
		unit, err := svc.CreateUnit(ctx, staff, org.UnitInput{Region: pingan, Name: "平安快递站", CreditCode: creditcode.Complete("91152221MA0N00001"), Type: org.PrivateFirm, TwoNew: true})
		if err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		if res := s.get("/org/members/import/template.xlsx"); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheet") {
			t.Fatalf("template: %d", res.StatusCode)
		}
		csv := "姓名,性别,公民身份号码,民族,出生日期,学历,人员类别,所在党支部,入党日期,转正日期,工作岗位,联系电话,现居住地,工作单位\n" +
			"尹志勇,男," + idFor("19700101", 11) + ",蒙古族,1970/1/1,高中,正式党员,平安村党支部,1996.07.01,1997年7月1日,快递员,13904821234,平安村一组,平安快递站\n" +
			"外村党员,男," + idFor("19800101", 21) + ",汉族,1980-01-01,初中,预备党员,平安村党支部,2001-07-01,,农民,,,\n" +
			"李田田,女," + idFor("19900101", 30) + ",汉族,1990-01-01,大学,预备党员,平安村党支部,2025-07-01,2026-07-01,,,,\n"
		send := func(mode string) (int, string) {
			return s.sendFile("/org/members/import", mode, "党员花名册.csv", []byte(csv))
		}
		code, body := send("check")
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "有 2 行未通过") || !strings.Contains(body, "本辖区以外的党组织") || !strings.Contains(body, "人员类别") {
			t.Fatalf("check: %d\n%s", code, body)
		}
		if got, _ := svc.Members(ctx, staff, branch.ID); len(got) != 0 {
			t.Fatal("a check saved something")
		}
		if code, body := send("import"); !strings.Contains(body, "新增1人") {
			t.Fatalf("import: %d\n%s", code, body)
		}
		got, _ := svc.Members(ctx, staff, branch.ID)
		if len(got) != 1 || got[0].WorkUnit != unit.ID || got[0].Full != "1997-07-01" {
			t.Fatalf("imported: %+v", got)
		}
		mem := "/org/members/" + strconv.FormatInt(got[0].ID, 10)
		body = s.page(mem, http.StatusOK, "平安快递站", "蒙古族", "登记外出")
		if strings.Contains(body, "13904821234") {
			t.Fatal("the member page shows the phone in full")
		}
		for _, p := range []string{"/org/members.xlsx", "/org/members/changes.xlsx?since=2026-01-01", "/org/coverage.xlsx"} {
			if res := s.get(p); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheet") {
				t.Fatalf("%s: %d", p, res.StatusCode)
			}
		}
		if res := s.get("/org/members/changes.xlsx?since=yesterday"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("changes with a bad date: %d", res.StatusCode)
		}

		res := s.post(mem+"/flow", url.Values{"temp_name": {"呼和浩特市快递行业党委"}, "place": {"呼和浩特市"}, "from": {"2026-03-01"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("flow: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(mem+"/flow", url.Values{"temp_name": {"又一处"}, "place": {"包头"}, "from": {"2026-03-02"}}); res.StatusCode != http.StatusConflict || !strings.Contains(s.body(res), "已登记外出") {
			t.Fatalf("a second stay: %d", res.StatusCode)
		}
		s.page("/org/orgs/"+strconv.FormatInt(branch.ID, 10)+"/flows", http.StatusOK, "尹志勇", "呼和浩特市快递行业党委", "流出1人")

		s.page("/org/coverage?region="+keerqin, http.StatusOK, "平安快递站", "未覆盖", "两新单位1个，已覆盖0个")
		ins := "/org/units/" + strconv.FormatInt(unit.ID, 10) + "/instructor"
		s.page(ins, http.StatusOK, "选派党建指导员")
		if res := s.post(ins, url.Values{"name": {"王指导"}, "date": {"2026-01-05"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("instructor: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/org/coverage?region="+keerqin, http.StatusOK, "党建指导员覆盖", "王指导", "已覆盖1个")

		b := "/org/orgs/" + strconv.FormatInt(branch.ID, 10)
		if res := s.post(b+"/split", url.Values{"name": {"平安村第二党支部"}, "member": {strconv.FormatInt(got[0].ID, 10)}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a split without a reason: %d", res.StatusCode)
		}
		if res := s.post(b+"/split", url.Values{"name": {"平安村第二党支部"}, "member": {strconv.FormatInt(got[0].ID, 10)}, "reason": {"按村民小组分设"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("split: %d %s", res.StatusCode, s.body(res))
		}
		s.page(b, http.StatusOK, "分设（分出新组织）", "平安村第二党支部")
	})
}
