package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/sheet"

	"shanzhi/internal/access"
	"shanzhi/internal/i18n"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// clone copies a form, since site.post writes the session's token into
// the one it is given.
func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// TestTalentPages walks one application through the pages with one user
// per level, as the issue asks it to be tried: the league sets up the
// round, the village clerk applies, each level scores and decides, the
// notice closes, and the leader's lists are kept.
func TestTalentPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		s.user("league", access.Grant{Role: access.Leader, Region: "152200000000"})
		res := s.post("/regions/152200000000/talent/round", url.Values{"name": {"2026年晓景计划"}, "start_year": {"2026"}, "years": {"3"},
			"trajectory": {"40,70,100"}, "opens": {"2026-05-01"}, "closes": {"2026-06-30"}, "c1": {"政治上合格"}, "m1": {"20"}, "c2": {"有实体经营主体"}, "m2": {"20"},
			"c3": {"经营管理规范"}, "m3": {"20"}, "c4": {"有辐射带动能力"}, "m4": {"20"}, "c5": {"发展产业符合地区经济发展要求"}, "m5": {"20"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("round: %d %s", res.StatusCode, s.body(res))
		}
		round := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/talent/rounds/")
		s.page("/talent/rounds/"+round, http.StatusOK, "政治上合格", "40% → 70% → 100%")
		res = s.post("/talent/rounds/"+round+"/quota", url.Values{"region": {"152221000000"}, "kind": {"pass"}, "n": {"abc"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "名额应为") {
			t.Fatalf("a bad quota: %d", res.StatusCode)
		}

		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		s.page("/talent/new", http.StatusOK, "个人申报", "统一社会信用代码")
		form := url.Values{"village": {pingan}, "channel": {"returnees"}, "name": {"王晓景"}, "gender": {"男"}, "birth_date": {"1985-03-01"},
			"ethnicity": {"蒙古族"}, "political": {"中共党员"}, "id_number": {idFor("19850301", 7)}, "phone": {"13912345678"}, "entity_type": {"coop"},
			"entity_name": {"平安村山野菌合作社"}, "credit_code": {"91350100M000100Y44"}, "industry": {"山野菌采摘加工"}, "households": {"36"},
			"products": {"榛蘑、牛肝菌"}, "summary": {"返乡创业，带动农户采摘加工山野菌"}}
		res = s.post("/talent/new", form)
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "统一社会信用代码不正确") {
			t.Fatalf("a bad credit code: %d", res.StatusCode)
		}
		form.Set("credit_code", "91350100M000100Y43")
		res = s.post("/talent/new", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("application: %d %s", res.StatusCode, s.body(res))
		}
		cand := strings.Split(res.Header.Get("Location"), "?")[0]
		body := s.page(cand, http.StatusOK, "平安村山野菌合作社", "提交申报")
		if strings.Contains(body, "13912345678") || strings.Contains(body, idFor("19850301", 7)) {
			t.Fatal("the page shows the ID number or phone in full")
		}
		if res := s.post(cand+"/submit", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", res.StatusCode, s.body(res))
		}

		score := url.Values{"p1": {"18"}, "p2": {"17"}, "p3": {"16"}, "p4": {"19"}, "p5": {"15"}, "comment": {"带动明显"}}
		levels := []struct {
			user   string
			region string
		}{{"v-review", pingan}, {"t-review", keerqin}, {"b-review", "152221000000"}, {"l-review", "152200000000"}}
		for i, l := range levels {
			s.user(l.user, access.Grant{Role: access.Reviewer, Region: l.region})
			if i == 1 {
				// The township cannot act at the village's step; the page
				// says why, in Chinese.
				res := s.post(cand+"/decide", url.Values{"decision": {"approve"}})
				if body := s.body(res); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "不在您所在层级") {
					t.Fatalf("township at the village step: %d", res.StatusCode)
				}
				s.user("v-review2", access.Grant{Role: access.Reviewer, Region: pingan})
				s.post(cand+"/score", clone(score))
				if res := s.post(cand+"/decide", url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("village decision: %d %s", res.StatusCode, s.body(res))
				}
				s.user(l.user+"x", access.Grant{Role: access.Reviewer, Region: l.region})
				s.page("/talent/ranking", http.StatusOK, "王晓景", "苏木乡镇审核")
			}
			if i == 0 {
				continue // the village decides above, after the township's refused try
			}
			if res := s.post(cand+"/score", clone(score)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("score at %s: %d %s", l.region, res.StatusCode, s.body(res))
			}
			d := url.Values{"decision": {"approve"}}
			if i == 3 {
				d.Set("tier", "township")
			}
			if res := s.post(cand+"/decide", d); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("decide at %s: %d %s", l.region, res.StatusCode, s.body(res))
			}
		}
		s.page(cand, http.StatusOK, "盟级公示", "带动明显", "苏木乡镇级", "85.00")
		// The review form for filing: a row per level with its mean and
		// decision and room to sign and seal; the reviewers' comments stay
		// off the paper.
		body = s.page(cand+"/print", http.StatusOK, "晓景计划申报评审表", "负责人签字", "（盖章）", ">同意", "85.00", "旗（县）")
		if strings.Contains(body, "带动明显") {
			t.Error("the review form prints a reviewer's comment")
		}
		if res := s.get(cand + "/review.pdf"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("review form PDF: %d", res.StatusCode)
		}
		// An objection on the public notice reaches the committee's queue,
		// which resolves any flow's objections, not only the awards'.
		noticeBody := s.page("/notice/"+pingan, http.StatusOK, "王**")
		if strings.Contains(noticeBody, `class="big"`) {
			t.Error("the talent notice shows a points figure")
		}
		item := regexp.MustCompile(`/notice/` + pingan + `/(\d+)/object`).FindStringSubmatch(noticeBody)[1]
		if res := s.post("/notice/"+pingan+"/"+item+"/object", url.Values{"reason": {"合作社去年有欠薪"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("objection: %d", res.StatusCode)
		}
		body = s.page("/reviews?state=in_notice", http.StatusOK, "合作社去年有欠薪")
		oid := regexp.MustCompile(`name="objection" value="(\d+)"`).FindStringSubmatch(body)[1]
		if res := s.post("/reviews/"+item+"/objection", url.Values{"objection": {oid}, "uphold": {"0"}, "reason": {"经核实已结清"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("dismiss: %d %s", res.StatusCode, s.body(res))
		}

		flows, _ := review.NewFlows(points.Flow(), talent.ReviewFlow())
		rev := db.Review(flows, map[string]sqlstore.ReviewApplier{talent.Flow: db.TalentApplier()})
		if n, err := rev.FinaliseDue(ctx, db.Now().Add(6*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("finalise: %d %v", n, err)
		}
		s.page("/talent/coverage?region=152221000000", http.StatusOK, "科尔沁镇", "尚无培育对象的嘎查村", "有认定带头人的嘎查村", "本批次公示中", "不含社区")
		// The export link carries the list's filters as separate parameters.
		s.page("/talent?region=152200000000&status=approved&q=%E7%8E%8B", http.StatusOK, `href="/talent.xlsx?q=%E7%8E%8B&amp;region=152200000000&amp;round=&amp;status=approved&amp;tier="`)
		body = s.page("/talent/leaders?region=152200000000", http.StatusOK, "王晓景", "平安村")
		leader := regexp.MustCompile(`href="(/talent/leaders/\d+)"`).FindStringSubmatch(body)[1]
		for _, x := range []string{"/talent.xlsx?region=152200000000", "/talent/leaders.xlsx?region=152200000000", "/talent/ranking.xlsx?region=152200000000&step=3", "/talent/coverage.xlsx?region=152200000000"} {
			res := s.get(x)
			if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
				t.Errorf("%s: %d %s", x, res.StatusCode, res.Header.Get("Content-Type"))
				continue
			}
			// The sheet numbers its rows once: no header repeats.
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if head := sheetHeader(t, data); len(slices.Compact(slices.Sorted(slices.Values(head)))) != len(head) {
				t.Errorf("%s repeats a header: %q", x, head)
			}
		}

		s.user("clerk2", access.Grant{Role: access.Operator, Region: pingan})
		hh, err := db.Registry().CreateHousehold(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Operator, Region: pingan}}},
			registry.HouseholdInput{Number: "021", VillageCode: pingan}, registry.ResidentInput{Name: "李受益", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		res = s.post(leader+"/measures", url.Values{"list": {"industry"}, "title": {"山野菌收购"}, "owner": {"王晓景"}, "deadline": {"2026-12-31"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "受益户") {
			t.Fatalf("industry measure without its household: %d", res.StatusCode)
		}
		res = s.post(leader+"/measures", url.Values{"list": {"industry"}, "title": {"山野菌收购"}, "owner": {"王晓景"}, "deadline": {"2026-12-31"}, "household": {fmt.Sprint(hh.ID)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("measure: %d %s", res.StatusCode, s.body(res))
		}
		body = s.page(leader, http.StatusOK, "山野菌收购", "021")
		m := regexp.MustCompile(`<option value="(\d+)">#`).FindStringSubmatch(body)[1]
		if res := s.post(leader+"/log", url.Values{"measure": {m}, "day": {"2026-05-30"}, "note": {"收购榛蘑"}, "amount": {"2400"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log: %d %s", res.StatusCode, s.body(res))
		}
		s.page(leader, http.StatusOK, "2400", "推进中")

		// After selection: the league judges the cultivation complete; the
		// village records the plan, the support and the leader's consent
		// with a photo; the support sums and the public showcase show it.
		s.user("judge", access.Grant{Role: access.Leader, Region: "152200000000"})
		if res := s.post(leader+"/recognition", url.Values{"decision": {"recognise"}, "day": {"2026-05-31"}, "reason": {"考核合格"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("recognition: %d %s", res.StatusCode, s.body(res))
		}
		s.user("clerk3", access.Grant{Role: access.Operator, Region: pingan})
		if res := s.post(leader+"/plan", url.Values{"kind": {"incubation"}, "title": {"第一期孵化班"}, "provider": {"科尔沁镇乡土人才孵化中心"}, "day": {"2026-05-20"}, "hours": {"40"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("plan: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(leader+"/support", url.Values{"kind": {"subsidy"}, "amount": {"20000"}, "source": {"旗农牧局"}, "day": {"2026-05-21"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("support: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(leader+"/showcase", url.Values{"published": {"1"}, "consent_day": {"2026-05-30"}, "live_channels": {"抖音直播"}, "fairs": {"红色文旅嘉年华"}, "people": {"210"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("showcase: %d %s", res.StatusCode, s.body(res))
		}
		s.page(leader, http.StatusOK, "认定带头人", "科尔沁镇乡土人才孵化中心", "旗农牧局", "本人同意公开展示")
		s.page("/talent/support", http.StatusOK, "平安村", "20000")
		anon := &http.Client{}
		res, _ = anon.Get(s.srv.URL + "/showcase?industry=" + url.QueryEscape("山野菌"))
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "王晓景") || !strings.Contains(body, "带动 210 人") || !strings.Contains(body, "红色文旅嘉年华") {
			t.Fatalf("showcase: %d\n%s", res.StatusCode, body)
		}
		res, _ = anon.Get(s.srv.URL + "/leaders/" + strings.TrimPrefix(leader, "/talent/leaders/"))
		body = s.body(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "榛蘑") || strings.Contains(body, "1985-03-01") || strings.Contains(body, "139") {
			t.Fatalf("public page: %d\n%s", res.StatusCode, body)
		}
		// Once the village writes Mongolian and Chinese, so does the
		// showcase of its leader.
		manager := &access.Actor{Username: "town", Grants: []access.Grant{{Role: access.Leader, Region: pingan}}}
		if err := db.Regions().SetScript(ctx, manager, pingan, region.ScriptBilingual, "", "双语公示"); err != nil {
			t.Fatal(err)
		}
		cat, _ := i18n.Load()
		products, _ := cat.Mongol("talent.field.products")
		coop, _ := cat.Mongol("talent.entity.coop")
		res, _ = anon.Get(s.srv.URL + "/leaders/" + strings.TrimPrefix(leader, "/talent/leaders/"))
		if body := s.body(res); !strings.Contains(body, products) || !strings.Contains(body, coop) || !strings.Contains(body, "榛蘑") {
			t.Fatalf("bilingual public page:\n%s", body)
		}
		// The showcase: the leader's card follows its village, and the
		// page's heading is bilingual because a card on it is.
		driven, _ := cat.Mongol("talent.showcase.driven", 210, 0)
		heading, _ := cat.Mongol("talent.page.showcase")
		res, _ = anon.Get(s.srv.URL + "/showcase")
		if body := s.body(res); !strings.Contains(body, driven[:20]) || !strings.Contains(body, heading) || !strings.Contains(body, "带动 210 人") || !strings.Contains(body, "/fonts/mongolian-") {
			t.Fatalf("bilingual showcase:\n%s", body)
		}
	})
}

// sheetHeader returns the header row of an exported workbook: the first
// row that starts with 序号.
func sheetHeader(t *testing.T, data []byte) []string {
	t.Helper()
	rd, err := sheet.Open("x.xlsx", bytes.NewReader(data), int64(len(data))+1)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for {
		row, err := rd.Next()
		if err != nil {
			t.Fatalf("no header row: %v", err)
		}
		if len(row.Cells) > 0 && row.Cells[0] == "序号" {
			var out []string
			for _, c := range row.Cells {
				if c != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
}
