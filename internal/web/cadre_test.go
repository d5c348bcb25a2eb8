package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestCadrePages registers cadres as the township's organisation
// department would: from a sheet (a row with an unknown unit refused
// beside its line), then one by one on the form, and records a 换届 that
// hands the leaver's role to the successor's account.
func TestCadrePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{UserID: 1, Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		if _, err := db.Org().CreateUnit(ctx, zzb, org.UnitInput{Region: keerqin, Name: "科尔沁镇人民政府", CreditCode: creditcode.Complete("11152221MB1234567"), Type: org.Government}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, nil, "old-sec", "old-sec", "First-Pass-1", []access.Grant{{Role: access.Secretary, Region: pingan}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, nil, "new-sec", "new-sec", "First-Pass-1", nil); err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		if res := s.get("/org/cadres/import/template.xlsx"); res.StatusCode != http.StatusOK {
			t.Fatalf("template: %d", res.StatusCode)
		}
		csv := "姓名,性别,身份证号,手机号,单位名称,所在地区,职务,职级,领域,任职日期,系统账号\n" +
			"王明,男,,,科尔沁镇人民政府,,副镇长,乡科级,农业农村,2021-06-01,\n" +
			"张三,男,,,火星公司,,经理,一般干部,,2021-06-01,\n" +
			"老书记,男,,,,平安村,村党支部书记,村两委,党建,2018-01-01,old-sec\n"
		code, body := s.sendFile("/org/cadres/import", "check", "干部.csv", []byte(csv))
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "有 1 行未通过") || !strings.Contains(body, "火星公司") {
			t.Fatalf("check: %d\n%s", code, body)
		}
		if code, body := s.sendFile("/org/cadres/import", "import", "干部.csv", []byte(csv)); !strings.Contains(body, "已登记 2 名干部") {
			t.Fatalf("import: %d\n%s", code, body)
		}
		s.page("/org/cadres/new", http.StatusOK, "职级", "任职单位")
		res := s.post("/org/cadres/new", url.Values{"region": {pingan}, "name": {"新书记"}, "post": {"村党支部书记"}, "rank": {"village"}, "appointed": {"2099-01-01"}, "username": {"new-sec"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不能晚于今天") {
			t.Fatalf("a future appointment: %d", res.StatusCode)
		}
		res = s.post("/org/cadres/new", url.Values{"region": {pingan}, "name": {"新书记"}, "post": {"村党支部书记"}, "rank": {"village"}, "appointed": {"2024-01-01"}, "username": {"new-sec"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new cadre: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/org/cadres?rank=village", http.StatusOK, "老书记", "新书记", "共 2 名干部")
		list, _, err := db.Cadres().Cadres(ctx, zzb, org.CadreFilter{Query: "书记"})
		if err != nil || len(list) != 2 {
			t.Fatalf("cadres: %v %d", err, len(list))
		}
		old, succ := list[1], list[0]
		if old.Name != "老书记" {
			old, succ = succ, old
		}
		path := "/org/cadres/" + fmt.Sprint(old.ID)
		s.page(path, http.StatusOK, "参训档案", "村党支部书记", "登记离任")
		res = s.post(path+"/leave", url.Values{"date": {"2099-01-01"}, "reason": {"换届"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "最多提前一年") {
			t.Fatalf("a leaving years ahead: %d", res.StatusCode)
		}
		res = s.post(path+"/leave", url.Values{"date": {"2026-01-02"}, "reason": {"换届"}, "successor": {fmt.Sprint(succ.ID)}, "hand_over": {"1"}})
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "结束角色 1 个") || !strings.Contains(body, "交给继任者 1 个") {
			t.Fatalf("leaving: %d %s", res.StatusCode, body)
		}
		s.page("/org/ranks", http.StatusOK, "县处级", "110")
	})
}
