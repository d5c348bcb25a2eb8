package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestSurveyPages builds a needs survey as the township's organisation
// department would: from the template, with a question added (one refused
// first), published, answered through its public link (refused first for
// a required question left empty) and by a visit entered on the staff
// form (refused first for an option not offered), quotas set by rank,
// and the analysis with its ranked list and workbooks; then closed, after
// which the public link takes no answer. The sibling township's staff
// find nothing.
func TestSurveyPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db)
		const keerqin = "152221100000"
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		s.page("/surveys/new?region="+keerqin+"&template=needs", http.StatusOK, "干部教育培训需求调研")
		res := s.post("/surveys/new?region="+keerqin, url.Values{"template": {"needs"}, "anonymous": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.StatusCode, s.body(res))
		}
		sv := strings.Split(res.Header.Get("Location"), "?")[0]
		s.page(sv, http.StatusOK, "您的职级", "发布并开始收集", "抽样目标")
		res = s.post(sv+"/questions", url.Values{"kind": {"single"}, "label": {"是否担任领导职务"}, "options": {"是"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须有 2–50 个选项") {
			t.Fatalf("a question with one option: %d", res.StatusCode)
		}
		if res := s.post(sv+"/questions", url.Values{"kind": {"single"}, "label": {"是否担任领导职务"}, "options": {"是\n否"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("question: %d %s", res.StatusCode, s.body(res))
		}
		s.page(sv+"/preview", http.StatusOK, "是否担任领导职务", "预览页不能提交")
		if res := s.post(sv+"/publish", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", res.StatusCode, s.body(res))
		}
		show := s.page(sv, http.StatusOK, "收集中", "/s/")
		link := regexp.MustCompile(`/s/[A-Za-z0-9_-]+`).FindString(show)
		s.page(sv+"/poster", http.StatusOK, "data:image/png;base64,", link)

		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(form url.Values) (*http.Response, string) {
			req, _ := http.NewRequest("POST", s.srv.URL+link, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := anon.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		answer := url.Values{"q_rank": {"county"}, "q_sector": {"party_gov"}, "q_lacking": {"decision", "reform"}, "q_mode": {"seminar"}, "q_past": {"4"}}
		if res, body := send(url.Values{"q_rank": {"county"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "为必答题") || !strings.Contains(body, `value="county" checked`) {
			t.Fatalf("a required question left empty: %d", res.StatusCode)
		}
		if res, _ := send(answer); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("public answer: %d", res.StatusCode)
		}
		s.page(sv+"/enter", http.StatusOK, "电话沟通", "面谈交流", "深入走访")
		visit := url.Values{"channel": {"visit"}, "q_rank": {"section"}, "q_sector": {"village"}, "q_lacking": {"rural"}, "q_mode": {"onsite"}}
		bad := clone(visit)
		bad.Set("q_mode", "lecture")
		if res := s.post(sv+"/enter", bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "不在问卷选项中") {
			t.Fatalf("an option not offered: %d", res.StatusCode)
		}
		if res := s.post(sv+"/enter", visit); res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "channel=visit") {
			t.Fatalf("visit: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if res := s.post(sv+"/quotas", url.Values{"strata": {"rank", ""}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("strata: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(sv+"/quotas", url.Values{"strata": {"rank", ""}, "t_county": {"3"}, "t_section": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("quotas: %d %s", res.StatusCode, s.body(res))
		}
		s.page(sv, http.StatusOK, "计入目标的样本 2 / 目标 4", "33%", "100%")
		s.page(sv+"/analysis", http.StatusOK, "共收到答卷 2 份", "深入走访", "紧缺能力排序", "科学决策", "乡村振兴", "<svg", "交叉分析")
		for _, x := range []string{"answers", "analysis", "ranking"} {
			if res := s.get(sv + "/" + x + ".xlsx"); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
				t.Fatalf("%s workbook: %d", x, res.StatusCode)
			}
		}
		// Answers typed into a sheet after a round of phone calls: one bad
		// row keeps the whole sheet out.
		s.page(sv+"/import", http.StatusOK, "渠道")
		if res := s.get(sv + "/import/template.xlsx"); res.StatusCode != http.StatusOK {
			t.Fatalf("import template: %d", res.StatusCode)
		}
		lack := "您认为自己最欠缺、最需要通过培训提升的能力（可多选）"
		csv := "渠道,您的职级,您所在单位类型," + lack + ",您最希望的教学方式\n" +
			"电话沟通,县处级,党政机关,科学决策、改革攻坚,研讨教学\n" +
			"面谈交流,处长,嘎查村,乡村振兴,现场教学\n"
		if code, body := s.sendFile(sv+"/import", "check", "答卷.csv", []byte(csv)); code != http.StatusUnprocessableEntity || !strings.Contains(body, "“您的职级”的选项“处长”不在问卷选项中") {
			t.Fatalf("a bad row: %d", code)
		}
		if code, _ := s.sendFile(sv+"/import", "import", "答卷.csv", []byte(csv)); code != http.StatusUnprocessableEntity {
			t.Fatalf("a sheet with a bad row imported: %d", code)
		}
		s.page(sv+"/analysis", http.StatusOK, "共收到答卷 2 份")
		csv = strings.Replace(csv, "处长", "乡科级", 1)
		if code, body := s.sendFile(sv+"/import", "import", "答卷.csv", []byte(csv)); code != http.StatusOK || !strings.Contains(body, "已导入 2 份答卷") {
			t.Fatalf("import: %d %s", code, body)
		}
		s.page(sv+"/analysis", http.StatusOK, "共收到答卷 4 份", "面谈交流")
		if res := s.post(sv+"/close", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", res.StatusCode)
		}
		if res, body := send(answer); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "已结束收集") {
			t.Fatalf("answer to a closed survey: %d", res.StatusCode)
		}
		s.page(sv+"/analysis", http.StatusOK, "共收到答卷 4 份")

		s.user("zzb2", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		if body := s.page(sv, http.StatusNotFound); strings.Contains(body, "干部教育培训需求调研") {
			t.Fatal("the sibling township's page names the survey")
		}
	})
}
