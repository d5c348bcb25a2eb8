package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestTalentImport enters applications from a CSV sheet: a sheet with one
// bad row imports nothing and says which line is wrong and why; a sound
// sheet is checked, then imported as drafts.
func TestTalentImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		flows, _ := review.NewFlows(talent.ReviewFlow())
		svc := db.Talent(db.Review(flows, nil))
		league := &access.Actor{UserID: 1, Username: "league", Grants: []access.Grant{{Role: access.Leader, Region: "152200000000"}}}
		if _, err := svc.CreateRound(ctx, league, talent.Round{Region: "152200000000", Name: "晓景计划", StartYear: 2026, Years: 3,
			Trajectory: []int{40, 70, 100}, Opens: "2026-01-01", Closes: "2026-12-31"}); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: keerqin})
		s.page("/talent/import", http.StatusOK, "下载模板")
		if res := s.get("/talent/import/template.xlsx"); res.StatusCode != http.StatusOK {
			t.Fatalf("template: %d", res.StatusCode)
		}
		head := "所属嘎查村,姓名,性别,出生日期,民族,政治面貌,身份证号,手机号,来源渠道,经营主体类型,经营主体名称,产业,带动农户数\n"
		good := "平安村,王晓景,男,1985-03-01,蒙古族,群众," + idFor("19850301", 7) + ",13912345678,在乡村能人中挖掘培育,家庭农场,晓景家庭农场,杂粮,20\n"
		bad := "平安村,李四,男,1986-03-01,汉族,群众," + idFor("19860301", 8) + ",13912345679,在乡村能人中挖掘培育,合伙企业,李四农场,杂粮,十\n"
		send := func(mode, csv string) (int, string) {
			return s.sendFile("/talent/import", mode, "申报.csv", []byte(csv))
		}
		code, body := send("import", head+good+bad)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "有 1 行未通过") || !strings.Contains(body, "经营主体类型不正确") || !strings.Contains(body, "请填写不小于 0 的整数") {
			t.Fatalf("a sheet with a bad row: %d\n%s", code, body)
		}
		if _, n, _ := svc.Candidates(ctx, league, talent.Filter{}); n != 0 {
			t.Fatalf("%d applications after a refused sheet", n)
		}
		if code, body := send("check", head+good); code != http.StatusOK || !strings.Contains(body, "全部通过检查") {
			t.Fatalf("check: %d\n%s", code, body)
		}
		if _, n, _ := svc.Candidates(ctx, league, talent.Filter{}); n != 0 {
			t.Fatal("a check saved something")
		}
		if code, body := send("import", head+good); code != http.StatusOK || !strings.Contains(body, "已导入 1 份草稿") {
			t.Fatalf("import: %d\n%s", code, body)
		}
		cs, n, _ := svc.Candidates(ctx, league, talent.Filter{})
		if n != 1 || cs[0].Status != talent.Draft || cs[0].EntityType != talent.Farm || cs[0].Households != 20 {
			t.Fatalf("imported: %d %+v", n, cs)
		}
	})
}

// TestTalentImportResolvesVillages reads sheets whose village names repeat:
// at the banner 平安村 is in 科尔沁镇 and in 大石寨镇, and 兴隆村 three
// times; a bare name is refused with every candidate and its township,
// a township column or a code resolves it, and the check shows each row's
// resolved code and township. A league clerk's sheet reaches every
// village of the league.
func TestTalentImportResolvesVillages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		flows, _ := review.NewFlows(talent.ReviewFlow())
		svc := db.Talent(db.Review(flows, nil))
		league := &access.Actor{UserID: 1, Username: "league", Grants: []access.Grant{{Role: access.Leader, Region: "152200000000"}}}
		if _, err := svc.CreateRound(ctx, league, talent.Round{Region: "152200000000", Name: "晓景计划", StartYear: 2026, Years: 3,
			Trajectory: []int{40, 70, 100}, Opens: "2026-01-01", Closes: "2026-12-31"}); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		row := func(township, village, name, born string, n int) string {
			return township + "," + village + "," + name + ",男," + born[:4] + "-" + born[4:6] + "-" + born[6:] + ",汉族,群众," + idFor(born, n) + ",在乡村能人中挖掘培育,家庭农场," + name + "农场\n"
		}
		head := "所属苏木乡镇,所属嘎查村,姓名,性别,出生日期,民族,政治面貌,身份证号,来源渠道,经营主体类型,经营主体名称\n"
		s.user("banner", access.Grant{Role: access.Operator, Region: "152221000000"})
		code, body := s.sendFile("/talent/import", "check", "申报.csv", []byte(head+row("", "平安村", "甲", "19850301", 1)+row("", "兴隆村", "乙", "19850302", 2)))
		for _, want := range []string{"科尔沁镇", "大石寨镇", "152221100210", "152221103212", "居力很镇", "阿力得尔苏木", "巴日嘎斯台乡"} {
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
				t.Fatalf("bare repeated names: %d, %s not listed\n%s", code, want, body)
			}
		}
		sheet := head + row("科尔沁镇", "平安村", "甲", "19850301", 1) + row("大石寨镇", "平安村", "乙", "19850302", 2) +
			row("", "152221202218", "丙", "19850303", 3) + row("", "巴日嘎斯台乡兴隆村", "丁", "19850304", 4)
		code, body = s.sendFile("/talent/import", "check", "申报.csv", []byte(sheet))
		if code != http.StatusOK || !strings.Contains(body, "全部通过检查") {
			t.Fatalf("told apart: %d\n%s", code, body)
		}
		for _, want := range []string{"<td>科尔沁镇</td><td class=\"code\">152221100210</td>", "<td>大石寨镇</td><td class=\"code\">152221103212</td>",
			"<td>阿力得尔苏木</td><td class=\"code\">152221202218</td>", "<td>巴日嘎斯台乡</td><td class=\"code\">152221203216</td>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the check does not show %s", want)
			}
		}
		s.user("leagueclerk", access.Grant{Role: access.Operator, Region: "152200000000"})
		code, body = s.sendFile("/talent/import?region=152200000000", "import", "申报.csv", []byte(head+row("学田乡", "平安村", "戊", "19850305", 5)+row("科尔沁镇", "平安村", "己", "19850306", 6)))
		if code != http.StatusOK || !strings.Contains(body, "已导入 2 份草稿") {
			t.Fatalf("league import: %d\n%s", code, body)
		}
		cs, n, _ := svc.Candidates(ctx, league, talent.Filter{})
		got := map[string]string{}
		for _, c := range cs {
			got[c.Name] = c.Village
		}
		if n != 2 || got["戊"] != "152224200208" || got["己"] != "152221100210" {
			t.Fatalf("league import placed %v", got)
		}
	})
}
