package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestStatementPrint: the printed statement holds every entry of the
// chosen period (not the newest 50) from its opening balance, with the
// village, township, signature lines and page numbers; its PDF is the same
// document; the workbook does not stop at 500 entries; a bad date is
// refused in Chinese and a user of another village sees nothing.
func TestStatementPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "008", VillageCode: pingan},
			registry.ResidentInput{Name: "王桂芝", Ethnicity: "蒙古族", Gender: registry.Female, BirthDate: "1960-02-03", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC) }
		if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: "old", Household: h.ID, Kind: points.Award, Points: 40, Item: "上月加分"}); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) }
		const n = 510
		for i := 1; i <= n; i++ {
			if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: fmt.Sprint("e", i), Household: h.ID, Kind: points.Award, Points: 1, Item: fmt.Sprintf("义务劳动第%d次", i)}); err != nil {
				t.Fatal(err)
			}
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		base := fmt.Sprintf("/households/%d/points", h.ID)
		body := s.page(base+"/print?from=2026-03-01&to=2026-03-31", http.StatusOK, "积分明细账", "期初余额", ">40<", "义务劳动第1次", fmt.Sprintf("义务劳动第%d次", n),
			">550<", "经办人", "审核人", "平安村", "科尔沁镇", "008", "document.css", "points.pdf?from=2026-03-01")
		if strings.Contains(body, "上月加分") {
			t.Error("an entry before the period is printed")
		}
		res := s.get(base + ".pdf?from=2026-03-01&to=2026-03-31")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(raw), "%PDF-") {
			t.Fatalf("statement PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if text := pdfText(t, raw); text != "" && (!strings.Contains(text, fmt.Sprintf("义务劳动第%d次", n)) || !strings.Contains(text, "期初余额")) {
			t.Errorf("PDF lacks the last entry or the opening balance")
		}
		res = s.get(base + ".xlsx")
		raw, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !sheetHas(t, raw, fmt.Sprintf("义务劳动第%d次", n)) || !sheetHas(t, raw, "上月加分") {
			t.Fatalf("statement export stops before its last entry: %d", res.StatusCode)
		}
		s.page(base+"/print?from=2026-13-01", http.StatusUnprocessableEntity, "2026-13-01")
		s.page(base+"/print?from=2026-03-31&to=2026-03-01", http.StatusUnprocessableEntity, "截止日期早于开始日期")
		s.user("other", access.Grant{Role: access.Operator, Region: "152221103212"})
		for _, p := range []string{base + "/print", base + ".pdf"} {
			if b := s.page(p, http.StatusNotFound); strings.Contains(b, "王桂芝") {
				t.Errorf("%s leaks the head's name", p)
			}
		}
	})
}

// TestNoticePrint: the 公示 for the board is one table of the items on
// notice with the household number and the head masked as on the public
// page, the committee, the date, the seal place, a QR code and the phone
// for objections; the PDF is the same document; a phone number that is no
// phone number is refused; another village's official gets nothing.
func TestNoticePrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		h := storetest.AwardHousehold(t, db, pingan, "018", "张桂芳")
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		if res := s.post(fmt.Sprintf("/households/%d/award", h.ID), url.Values{"item": {"env-03"}, "key": {"n1"}, "evidence": {"分类投放规范"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("award: %d", res.StatusCode)
		}
		s.user("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		id := regexp.MustCompile(`action="/reviews/(\d+)"`).FindStringSubmatch(s.page("/reviews", http.StatusOK))
		if res := s.post("/reviews/"+id[1], url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		public := s.page("/notice/"+pingan, http.StatusOK, "公示")
		masked := regexp.MustCompile(`(张[^ <·]*) ·`).FindStringSubmatch(public)
		if masked == nil || masked[1] == "张桂芳" {
			t.Fatalf("public notice shows no masked head: %s", public)
		}
		body := s.page("/regions/"+pingan+"/notice/print?phone=0482-8123456", http.StatusOK, "平安村积分公示", ">018<", ">"+masked[1]+"<",
			"0482-8123456", "平安村村民委员会", "（盖章）", "data:image/png;base64,", "2026年6月1日", "科尔沁镇")
		if strings.Contains(body, "张桂芳") {
			t.Error("the printed notice names the head in full")
		}
		res := s.get("/regions/" + pingan + "/notice.pdf?phone=0482-8123456")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("notice PDF: %d", res.StatusCode)
		}
		if text := pdfText(t, raw); text != "" && (!strings.Contains(text, "018") || !strings.Contains(text, masked[1]) || strings.Contains(text, "张桂芳")) {
			t.Errorf("notice PDF text:\n%s", text)
		}
		s.page("/regions/"+pingan+"/notice/print?phone=<script>", http.StatusUnprocessableEntity, "电话号码")
		s.user("other", access.Grant{Role: access.Reviewer, Region: "152221103212"})
		s.page("/regions/"+pingan+"/notice/print", http.StatusNotFound)
	})
}

// TestCardPrint: the household card at card size with its members and the
// QR code, and without birth dates or ID numbers; the card page hides those
// when printed.
func TestCardPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "028", VillageCode: pingan},
			registry.ResidentInput{Name: "乌云", Ethnicity: "蒙古族", Gender: registry.Female, BirthDate: "1966-04-05", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		base := fmt.Sprintf("/households/%d/card", h.ID)
		body := s.page(base+"/print", http.StatusOK, "paper-card", "乌云", ">028<", "data:image/png;base64,", "卡号")
		if strings.Contains(body, "1966") {
			t.Error("the card shows a birth date")
		}
		s.page(base, http.StatusOK, `class="noprint">1966-04-05`)
		res := s.get(base + ".pdf")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), "/MediaBox [0 0 242.65 153.07]") {
			t.Fatalf("card PDF: %d", res.StatusCode)
		}
		if text := pdfText(t, raw); text != "" && (!strings.Contains(text, "乌云") || strings.Contains(text, "1966")) {
			t.Errorf("card PDF text:\n%s", text)
		}
		s.user("other", access.Grant{Role: access.Operator, Region: "152221103212"})
		if b := s.page(base+"/print", http.StatusNotFound); strings.Contains(b, "乌云") {
			t.Error("another village's clerk sees the card")
		}
	})
}

// TestRegisterPrint: every registered household of the village with its
// people and the totals, ID numbers masked; in full only on a POST with a
// reason from a full-export holder, which the audit trail records; the
// PDF is the same document.
func TestRegisterPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		for i, surname := range []rune("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔") {
			if _, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: fmt.Sprintf("R%03d", i+1), VillageCode: pingan},
				registry.ResidentInput{Name: string(surname) + "建国", Ethnicity: "汉族", Relation: registry.Head, Political: "群众",
					IDNumber: idFor("19700101", 2*i+1)}); err != nil {
				t.Fatal(err)
			}
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		body := s.page("/regions/"+pingan+"/register/print", http.StatusOK, "户籍台账", "R001", "孔建国", "25 户 25 人", "paper-a4-landscape")
		if strings.Contains(body, idFor("19700101", 49)) {
			t.Error("the register print shows a full ID number on GET")
		}
		if strings.Contains(body, "print.register.full") || strings.Contains(body, `name="reason"`) {
			t.Error("an operator without full export is offered the full print")
		}
		res := s.get("/regions/" + pingan + "/register.pdf")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("register PDF: %d", res.StatusCode)
		}
		if text := pdfText(t, raw); text != "" && (!strings.Contains(text, "孔建国") || strings.Contains(text, idFor("19700101", 49))) {
			t.Errorf("register PDF text lacks the last household or shows a full ID")
		}
		if res := s.post("/regions/"+pingan+"/register/print", url.Values{"reason": {"报送乡镇"}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Fatalf("operator's full print: %d", res.StatusCode)
		}
		s.user("leader", access.Grant{Role: access.Leader, Region: pingan})
		s.page("/regions/"+pingan+"/register/print", http.StatusOK, `name="reason"`)
		if res := s.post("/regions/"+pingan+"/register/print", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("full print without a reason: %d", res.StatusCode)
		}
		res = s.post("/regions/"+pingan+"/register/print", url.Values{"reason": {"报送乡镇"}})
		if b := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(b, idFor("19700101", 49)) {
			t.Fatalf("full print: %d", res.StatusCode)
		}
		s.auditHas(&access.Actor{Grants: []access.Grant{{Role: access.AuditAdmin, Region: "150000000000"}}}, "registry.export_full", "报送乡镇")
		s.user("other", access.Grant{Role: access.Operator, Region: "152221103212"})
		if b := s.page("/regions/"+pingan+"/register/print", http.StatusNotFound); strings.Contains(b, "赵建国") {
			t.Error("another village's clerk sees the register")
		}
	})
}
