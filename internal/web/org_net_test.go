package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestGridNetPages builds a grid's net by its pages as a village secretary
// would: households put in by number range and from a sheet, members
// placed and linked, coverage and the contact card; then a grid worker
// logs a resident's issue on the party member's phone page, the issue
// climbs to the branch and the secretary closes it there.
func TestGridNetPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}, {Role: access.OrgStaff, Region: "152221100000"}}}
		var hs []*registry.Household
		for i, name := range []string{"尹志勇", "王桂兰", "李建国", "赵淑珍", "刘长青"} {
			h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: fmt.Sprintf("%03d", i+1), VillageCode: pingan, Address: "三组"},
				registry.ResidentInput{Name: name, Ethnicity: "汉族", IDNumber: idFor("19700101", 11+2*i), Political: "群众"})
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		branch, err := db.Org().CreateOrg(ctx, seed, org.OrgInput{Region: pingan, Kind: org.Branch, Name: "平安村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := db.Org().CreateMember(ctx, seed, org.MemberInput{Branch: branch.ID, Resident: hs[0].HeadID, Name: "尹志勇", Phone: "13904821234", Probation: "1996-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := db.Org().CreateGrid(ctx, seed, org.GridInput{Village: pingan, Name: "第一网格"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.Org().CreateGrid(ctx, seed, org.GridInput{Village: pingan, Name: "第二网格"})
		if err != nil {
			t.Fatal(err)
		}
		gp := "/grids/" + strconv.FormatInt(g.ID, 10)
		s.user("pingan-shuji", access.Grant{Role: access.Secretary, Region: pingan})

		if res := s.post(gp+"/assign", url.Values{"from": {"1"}, "to": {"003"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("range: %d %s", res.StatusCode, s.body(res))
		}
		s.page(gp, http.StatusOK, "网格内住户（3 户）", "李建国")
		if res := s.get(gp + "/import/template.xlsx"); res.StatusCode != http.StatusOK {
			t.Fatalf("template: %d", res.StatusCode)
		}
		sheet := "户号,户主\n004,赵淑珍\n001,尹志勇\n"
		if code, body := s.sendFile(gp+"/import", "check", "划户.csv", []byte(sheet)); code != http.StatusUnprocessableEntity || !strings.Contains(body, "已在“第一网格”") {
			t.Fatalf("a household already in the grid: %d\n%s", code, body[strings.Index(body, "<main"):])
		}
		if code, _ := s.sendFile(gp+"/import", "import", "划户.csv", []byte("户号\n004\n")); code != http.StatusSeeOther {
			t.Fatalf("import: %d", code)
		}
		s.page(gp, http.StatusOK, "网格内住户（4 户）", "赵淑珍")
		if _, err := db.Org().AssignHouseholds(ctx, seed, other.ID, []int64{hs[4].ID}); err != nil {
			t.Fatal(err)
		}

		net := func(v url.Values) *http.Response { return s.post(gp+"/net", v) }
		mid := strconv.FormatInt(m.ID, 10)
		for _, v := range []url.Values{{"op": {"place"}, "members": {mid}, "central": {"1"}}, {"op": {"leader"}, "member": {mid}},
			{"op": {"link"}, "member": {mid}, "households": {strconv.FormatInt(hs[0].ID, 10), strconv.FormatInt(hs[1].ID, 10)}}} {
			if res := net(v); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%v: %d %s", v, res.StatusCode, s.body(res))
			}
		}
		res := net(url.Values{"op": {"link"}, "member": {mid}, "households": {strconv.FormatInt(hs[4].ID, 10)}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "属于“第二网格”") {
			t.Fatalf("a household of another grid: %d", res.StatusCode)
		}
		s.page(gp+"/net", http.StatusOK, "党小组组长：尹志勇", "中心户自己联系的住户", "001 尹志勇")
		s.page(gp+"/coverage", http.StatusOK, "已联系住户 2 / 4 户（50%）", "李建国", "赵淑珍")
		s.page(gp+"/cards?household="+strconv.FormatInt(hs[1].ID, 10), http.StatusOK, "王桂兰", "13904821234", "平安村党支部")
		for _, p := range []string{gp + "/net.xlsx", gp + "/contacts.xlsx", "/grids.xlsx?region=" + pingan} {
			if res := s.get(p); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheet") {
				t.Fatalf("%s: %d", p, res.StatusCode)
			}
		}

		// The grid worker: their grid only, and a contact on the member's page.
		s.user("wanggeyuan", access.Grant{Role: access.GridWorker, Region: pingan, Grid: g.ID})
		s.page("/grids", http.StatusOK, "第一网格")
		s.page("/grids/"+strconv.FormatInt(other.ID, 10), http.StatusNotFound)
		s.page(gp+"/members", http.StatusOK, "尹志勇")
		s.page(gp+"/members?member="+mid, http.StatusOK, "王桂兰", "记录联系")
		res = s.post(gp+"/contacts", url.Values{"member": {mid}, "household": {strconv.FormatInt(hs[1].ID, 10)}, "kind": {"visit"},
			"date": {"2024-05-06"}, "summary": {"入户走访"}, "issue": {"村道路灯不亮"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/members?member="+mid) {
			t.Fatalf("log: %d %s", res.StatusCode, s.body(res))
		}
		list, err := db.Org().Contacts(ctx, seed, org.ContactFilter{Grid: g.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("contacts: %v %d", err, len(list))
		}
		cp := "/contacts/" + strconv.FormatInt(list[0].ID, 10)
		for range 2 {
			if res := s.post(cp+"/escalate", url.Values{"note": {"需协调"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("escalate: %d %s", res.StatusCode, s.body(res))
			}
		}
		if res := s.post(cp+"/close", url.Values{"note": {"已办"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the worker closes at the group leader's level: %d", res.StatusCode)
		}

		s.signInAs("pingan-shuji")
		if res := s.post(cp+"/escalate", url.Values{"note": {"报支部"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate to the branch: %d %s", res.StatusCode, s.body(res))
		}
		bp := "/org/orgs/" + strconv.FormatInt(branch.ID, 10) + "/contacts"
		s.page(bp, http.StatusOK, "村道路灯不亮", "第一网格")
		if res := s.post(cp+"/close", url.Values{"note": {"已联系供电所修复"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d %s", res.StatusCode, s.body(res))
		}
		s.page(cp, http.StatusOK, "已办结", "已联系供电所修复", "党支部")
		if body := s.page(bp, http.StatusOK); strings.Contains(body, "村道路灯不亮") {
			t.Fatal("a closed issue is still on the branch's open list")
		}
	})
}
