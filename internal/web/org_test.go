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
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestOrgPages walks the register as the township's organisation
// department would: a unit (refused first for a bad credit code), the
// township committee and the village branch under it, a member on the
// roster and in its export, a transfer, and the village's grids with a
// household refused in a second grid.
func TestOrgPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
			registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: idFor("19700101", 11), Relation: registry.Head, Political: "中共党员"})
		if err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		s.page("/org/units/new", http.StatusOK, "统一社会信用代码", "两新组织")
		unit := url.Values{"region": {pingan}, "name": {"平安快递站"}, "credit_code": {"91350100M000100Y44"}, "type": {"private"}, "flags": {"two_new", "new_employment"}}
		res := s.post("/org/units/new", clone(unit))
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "统一社会信用代码不正确") {
			t.Fatalf("a bad credit code: %d", res.StatusCode)
		}
		unit.Set("credit_code", creditcode.Complete("91152221MA0N00001"))
		if res := s.post("/org/units/new", clone(unit)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unit: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/org/units?two_new=1", http.StatusOK, "平安快递站", "非公有制企业", "新就业群体")

		res = s.post("/org/orgs/new", url.Values{"kind": {"committee"}, "name": {"科尔沁镇党委"}, "region": {keerqin}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("committee: %d %s", res.StatusCode, s.body(res))
		}
		town := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/org/orgs/")
		res = s.post("/org/orgs/new", url.Values{"parent": {town}, "kind": {"branch"}, "name": {"平安村党支部"}, "region": {pingan}, "brand": {"孝亲敬老"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("branch: %d %s", res.StatusCode, s.body(res))
		}
		branch := strings.Split(res.Header.Get("Location"), "?")[0]
		s.page(branch, http.StatusOK, "平安村党支部", "科尔沁镇党委", "孝亲敬老", "成立党组织")
		// Putting the committee under its own branch is a cycle.
		res = s.post("/org/orgs/"+town+"/move", url.Values{"parent": {strings.TrimPrefix(branch, "/org/orgs/")}})
		if body := s.body(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "会形成循环") {
			t.Fatalf("cycle: %d %s", res.StatusCode, body)
		}
		if res := s.post(branch+"/post", url.Values{"post": {"secretary"}, "name": {"尹志勇"}, "date": {"2021-01-01"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post: %d %s", res.StatusCode, s.body(res))
		}
		body := s.page(branch, http.StatusOK, "书记", "尹志勇", "在任", "平安村党支部；党支部；孝亲敬老", "书记：尹志勇")
		if strings.Contains(body, "; branch;") || strings.Contains(body, "secretary: ") {
			t.Error("the history shows a kind or post code")
		}

		member := url.Values{"name": {"尹志勇"}, "gender": {"男"}, "id_number": {idFor("19700101", 11)}, "phone": {"13904821234"}, "probation": {"1996-07-01"}, "full": {"1997-07-01"}}
		res = s.post(branch+"/members/new", clone(member))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("member: %d %s", res.StatusCode, s.body(res))
		}
		mem := strings.Split(res.Header.Get("Location"), "?")[0]
		res = s.post(branch+"/members/new", clone(member))
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "同一时间只能在一个党组织") {
			t.Fatalf("a second membership: %d", res.StatusCode)
		}
		body = s.page(branch+"/roster", http.StatusOK, "尹志勇", "正式党员")
		if strings.Contains(body, "13904821234") || strings.Contains(body, idFor("19700101", 11)) {
			t.Fatal("the roster shows an ID number or phone in full")
		}
		if res := s.get(branch + "/roster.xlsx"); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheet") {
			t.Fatalf("roster export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		s.page(mem+"/edit", http.StatusOK, "留空表示不变")
		edit := clone(member)
		edit.Del("id_number")
		edit.Del("phone")
		edit.Set("full", "1996-01-01")
		if res := s.post(mem+"/edit", clone(edit)); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "日期先后不对") {
			t.Fatal("full membership before probation was accepted")
		}
		edit.Set("full", "1997-08-01")
		if res := s.post(mem+"/edit", edit); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", res.StatusCode, s.body(res))
		}
		s.page(mem, http.StatusOK, "1997-08-01", "正式党员")
		res = s.post(mem+"/transfer", url.Values{"to": {town}, "date": {"2026-05-01"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("transfer: %d %s", res.StatusCode, s.body(res))
		}
		s.page(mem, http.StatusOK, "在途", "科尔沁镇党委", "确认转入")
		if res := s.post(mem+"/receive", url.Values{"date": {"2026-05-02"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("receive: %d %s", res.StatusCode, s.body(res))
		}
		s.page(mem, http.StatusOK, "已转入")

		res = s.post("/regions/"+pingan+"/grids/new", url.Values{"name": {"第一网格"}, "kind": {"grid"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("grid: %d %s", res.StatusCode, s.body(res))
		}
		g1 := strings.Split(res.Header.Get("Location"), "?")[0]
		res = s.post("/regions/"+pingan+"/grids/new", url.Values{"name": {"第二网格"}})
		g2 := strings.Split(res.Header.Get("Location"), "?")[0]
		s.page(g1, http.StatusOK, "001", "划入网格")
		hid := strconv.FormatInt(h.ID, 10)
		if res := s.post(g1+"/assign", url.Values{"household": {hid}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("assign: %d %s", res.StatusCode, s.body(res))
		}
		s.page(g1, http.StatusOK, "尹志勇", "网格内住户（1 户）")
		res = s.post(g2+"/assign", url.Values{"household": {hid}})
		if body := s.body(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "一户只能在一个网格") {
			t.Fatalf("a household in two grids: %d", res.StatusCode)
		}
		s.page("/grids?region="+pingan, http.StatusOK, "第一网格", "第二网格")
		for _, p := range []string{"/grids.xlsx?region=" + pingan, "/org/orgs.xlsx"} {
			if res := s.get(p); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheet") {
				t.Fatalf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
	})
}

// TestOrgUnitImport registers units from a sheet as villages keep them:
// 检查 saves nothing, 导入 registers the good rows and lists the bad one
// beside its line with the column at fault.
func TestOrgUnitImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: "152221100000"})
		if res := s.get("/org/units/import/template.xlsx"); res.StatusCode != http.StatusOK {
			t.Fatalf("template: %d", res.StatusCode)
		}
		csv := "单位名称,统一社会信用代码,单位类型,所在地区,两新组织,新就业群体\n" +
			"平安快递站," + creditcode.Complete("91152221MA0N00001") + ",非公有制企业,平安村,,是\n" +
			"错码合作社,91350100M000100Y44,非公有制企业,平安村,,\n" +
			"外地公司," + creditcode.Complete("91152221MA0N00002") + ",合伙企业,火星村,,\n"
		send := func(mode string) (int, string) {
			return s.sendFile("/org/units/import", mode, "单位.csv", []byte(csv))
		}
		zzb := &access.Actor{Grants: []access.Grant{{Role: access.OrgStaff, Region: "152221100000"}}}
		code, body := send("check")
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "有 2 行未通过") || !strings.Contains(body, "统一社会信用代码不正确") || !strings.Contains(body, "单位类型不正确") {
			t.Fatalf("check: %d\n%s", code, body)
		}
		if _, n, _ := db.Org().Units(ctx, zzb, org.UnitFilter{}); n != 0 {
			t.Fatal("a check saved something")
		}
		if code, body := send("import"); !strings.Contains(body, "已登记 1 个单位") || !strings.Contains(body, "所在地区不正确") {
			t.Fatalf("import: %d\n%s", code, body)
		}
		us, n, _ := db.Org().Units(ctx, zzb, org.UnitFilter{})
		if n != 1 || us[0].Name != "平安快递站" || !us[0].TwoNew || !us[0].NewEmployment || us[0].Region != pingan {
			t.Fatalf("imported: %d %+v", n, us)
		}
	})
}
