package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAwardReviewOutcomePages walks an award's review through the pages:
// a refused decision comes back on the queue at its item, an objection
// from the public notice gets a reference number whose page shows the
// outcome, the committee dismisses it from the queue, the clerk withdraws
// a second award, the first posts, is corrected, and every page states
// each award's status truthfully.
func TestAwardReviewOutcomePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		h := storetest.AwardHousehold(t, db, pingan, "008", "张桂芳")
		hh := fmt.Sprintf("/households/%d", h.ID)
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		for _, k := range []string{"a", "b"} {
			if res := s.post(hh+"/award", url.Values{"item": {"env-03"}, "key": {k}, "evidence": {"分类投放规范"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award: %d", res.StatusCode)
			}
		}
		s.page(hh, http.StatusOK, "待审批", "撤回")

		s.user("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		body := s.page("/reviews", http.StatusOK, "张桂芳", "008", "分类投放规范", "clerk", "同意所选")
		ids := regexp.MustCompile(`action="/reviews/(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(ids) != 2 {
			t.Fatalf("%d items on the queue, want 2", len(ids))
		}
		first, second := ids[1][1], ids[0][1] // newest first
		// 不通过 without a reason: the queue again, the message at the item.
		res := s.post("/reviews/"+first, url.Values{"decision": {"reject"}, "reason": {""}})
		if b := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "请填写理由") || !strings.Contains(b, `id="item-`+first+`"`) ||
			!strings.Contains(b, "张桂芳") {
			t.Fatalf("reject without a reason: %d %s", res.StatusCode, b)
		}
		for _, id := range []string{first, second} {
			if res := s.post("/reviews/"+id, url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("approve: %d", res.StatusCode)
			}
		}

		// The public notice: an objection through another village's page
		// is refused; through its own it yields a reference number.
		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		object := func(village, id, reason string) *http.Response {
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/notice/"+village+"/"+id+"/object", strings.NewReader(url.Values{"reason": {reason}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", s.srv.URL)
			res, err := anon.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := object("152221100211", first, "不属实"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("objection through another village's notice: %d", res.StatusCode)
		}
		res = object(pingan, first, "那天没有检查")
		loc := res.Header.Get("Location")
		ref := regexp.MustCompile(`ref=([0-9A-Z]{5}-[0-9A-Z]{5})`).FindStringSubmatch(loc)
		if res.StatusCode != http.StatusSeeOther || ref == nil {
			t.Fatalf("objection: %d %q", res.StatusCode, loc)
		}
		out, _ := anon.Get(s.srv.URL + loc)
		if b := s.body(out); out.StatusCode != http.StatusOK || !strings.Contains(b, ref[1]) || !strings.Contains(b, "待处理") || strings.Contains(b, "张桂芳") {
			t.Fatalf("outcome page: %d %s", out.StatusCode, b)
		}

		// The committee sees the objection on the notice tab and dismisses it.
		body = s.page("/reviews?state=in_notice", http.StatusOK, "那天没有检查", "异议不成立")
		oid := regexp.MustCompile(`name="objection" value="(\d+)"`).FindStringSubmatch(body)[1]
		if res := s.post("/reviews/"+first+"/objection", url.Values{"objection": {oid}, "uphold": {"0"}, "state": {"in_notice"}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(s.body(res), "请填写理由") {
			t.Fatalf("dismissal without a reason: %d", res.StatusCode)
		}
		if res := s.post("/reviews/"+first+"/objection", url.Values{"objection": {oid}, "uphold": {"0"}, "reason": {"经核实有检查记录"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("dismiss: %d", res.StatusCode)
		}
		out, _ = anon.Get(s.srv.URL + "/objection?ref=" + strings.ToLower(ref[1]))
		if b := s.body(out); !strings.Contains(b, "不成立") || !strings.Contains(b, "经核实有检查记录") {
			t.Fatalf("outcome after dismissal: %s", b)
		}
		notice, _ := anon.Get(s.srv.URL + "/notice/" + pingan)
		if b := s.body(notice); !strings.Contains(b, "经核实有检查记录") || strings.Contains(b, "张桂芳") {
			t.Fatalf("notice after dismissal: %s", b)
		}

		// The clerk withdraws the second award; the first closes and posts.
		s.user("clerk2", access.Grant{Role: access.Operator, Region: pingan})
		s.page(hh, http.StatusOK, "公示中（至 2026-06-08）")
		if res := s.post("/reviews/"+second+"/withdraw", url.Values{"reason": {"重复登记"}, "back": {hh}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != hh+"?flash=withdrawn" {
			t.Fatalf("withdraw: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		flows, _ := review.NewFlows(points.Flow(), points.AppealReviewFlow())
		now = now.Add(8 * 24 * time.Hour)
		if n, err := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()}).FinaliseDue(ctx, now); err != nil || n != 1 {
			t.Fatalf("finalised %d (%v), want 1", n, err)
		}
		// The notice has closed: an objection now is refused, saying why.
		if res := object(pingan, first, "还有意见"); res.StatusCode != http.StatusConflict || !strings.Contains(s.body(res), "公示期已结束") {
			t.Fatalf("objection to a closed item: %d", res.StatusCode)
		}
		s.user("clerk3", access.Grant{Role: access.Operator, Region: pingan}) // a week later: a new session
		body = s.page(hh, http.StatusOK, "已入账", "已撤回（重复登记）")
		award := regexp.MustCompile(`/correct\?award=(\d+)`).FindStringSubmatch(body)[1]
		// The correction: a form, a reason, a linked reversal under review.
		s.page(hh+"/correct?award="+award, http.StatusOK, "垃圾分类投放", "更正原因")
		if res := s.post(hh+"/correct", url.Values{"award": {award}, "reason": {""}, "key": {"c1"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("correction without a reason: %d", res.StatusCode)
		}
		if res := s.post(hh+"/correct", url.Values{"award": {award}, "reason": {"该户当月未参加检查"}, "key": {"c1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d %s", res.StatusCode, s.body(res))
		}
		s.page(hh+"/points", http.StatusOK, "更正原因：该户当月未参加检查", "待审批", "已入账")
	})
}

// TestVillagerStatusAndAppeal: a villager's own page lists the household's
// declarations with their status, the reason one was turned down, and
// the appeal against it with the committee's answer.
func TestVillagerStatusAndAppeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		h := storetest.AwardHousehold(t, db, pingan, "018", "王秀兰")
		s := newSite(t, db)
		s.user("cunmin", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		if res := s.post("/my/declare", url.Values{"item": {"env-03"}, "key": {"d1"}, "evidence": {"按时分类投放"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("declare: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/my", http.StatusOK, "申领", "垃圾分类投放", "待审批")

		s.user("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		id := regexp.MustCompile(`action="/reviews/(\d+)"`).FindStringSubmatch(s.page("/reviews", http.StatusOK, "王秀兰"))[1]
		if res := s.post("/reviews/"+id, url.Values{"decision": {"reject"}, "reason": {"当月检查未见分类"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject: %d", res.StatusCode)
		}

		s.user("cunmin2", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		body := s.page("/my", http.StatusOK, "未通过（当月检查未见分类）", "/my/appeal?award=")
		award := regexp.MustCompile(`/my/appeal\?award=(\d+)`).FindStringSubmatch(body)[1]
		if res := s.post("/my/appeal", url.Values{"award": {award}, "statement": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("appeal without a statement: %d", res.StatusCode)
		}
		if res := s.post("/my/appeal", url.Values{"award": {award}, "statement": {"检查那天我家在地里，垃圾已分好"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("appeal: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/my", http.StatusOK, "等待村委会答复", "检查那天我家在地里")

		s.user("weiyuan2", access.Grant{Role: access.Reviewer, Region: pingan})
		body = s.page("/reviews", http.StatusOK, "申诉", "检查那天我家在地里", "申诉不成立")
		id = regexp.MustCompile(`action="/reviews/(\d+)"`).FindStringSubmatch(body)[1]
		if res := s.post("/reviews/"+id, url.Values{"decision": {"approve"}, "reason": {"经复核确已分类，由村里更正"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d", res.StatusCode)
		}
		s.user("cunmin3", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		s.page("/my", http.StatusOK, "申诉成立", "经复核确已分类，由村里更正")
	})
}
