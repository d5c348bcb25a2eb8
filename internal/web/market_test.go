package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestMarketPages walks the supermarket as its users do: the village
// official opens a store, shelves and receives goods; at the till a
// household is found by 户号, a basket redeemed once however often it is
// posted, a short basket refused with what is short; the receipt prints
// on three papers, a return gives everything back; the count, reports and
// exports draw; the villager sees the shelf and their history.
func TestMarketPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: "150000000000"}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
			registry.ResidentInput{Name: "单田芳", Ethnicity: "汉族", IDNumber: idFor("19600101", 11), Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: "fund", Household: h.ID, Kind: points.Base, Points: 50}); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("shop-op", access.Grant{Role: access.Operator, Region: pingan})
		s.page("/market", http.StatusOK, "还没有积分超市", "/regions/"+pingan+"/stores/new")
		if body := s.page("/regions/"+pingan+"/stores/new", http.StatusOK, "超市名称", "超市地址"); strings.Contains(body, "家庭住址") {
			t.Error("the store form calls the store's address 家庭住址")
		}
		if res := s.post("/regions/"+pingan+"/stores/new", url.Values{"name": {""}, "return_days": {"7"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a store without a name: %d", res.StatusCode)
		}
		res := s.post("/regions/"+pingan+"/stores/new", url.Values{"name": {"平安村积分超市"}, "return_days": {"7"}})
		store := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(store, "/stores/") {
			t.Fatalf("open a store: %d %s", res.StatusCode, s.body(res))
		}
		store = strings.Split(store, "?")[0]
		// In order: the delivery needs the goods on the books first.
		for _, step := range []struct {
			path string
			form url.Values
		}{
			{"/goods", url.Values{"name": {"肥皂"}, "category": {"日用品"}, "unit": {"块"}, "price": {"3"}, "on_shelf": {"1"}}},
			{"/inbound", url.Values{"goods": {"1"}, "qty": {"10"}, "source": {"enterprise"}, "donor": {"兴安日化"}, "thank": {"1"}}},
		} {
			if res := s.post(store+step.path, step.form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d %s", step.path, res.StatusCode, s.body(res))
			}
		}
		if res := s.post(store+"/adjust", url.Values{"goods": {"1"}, "delta": {"-99"}, "reason": {"damaged"}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(s.body(res), "「肥皂」库存不足：现有 10 块，需要 99 块") {
			t.Fatalf("an adjustment below zero: %d", res.StatusCode)
		}
		s.page(store, http.StatusOK, "肥皂", "10 块", "收银台", "单价（积分）")
		for _, p := range []string{"/goods?g=1", "/inbound", "/adjust", "/photo?g=1", "/clerks", "/settings", "/count"} {
			s.page(store+p, http.StatusOK)
		}

		// The till: a scan or a search finds the household and draws the
		// basket with its key.
		body := s.page(store+"/counter?q=001", http.StatusOK, "单田芳", "50", "确认兑换")
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(body)
		if key == nil {
			t.Fatal("the basket carries no idempotency key")
		}
		basket := url.Values{"key": {key[1]}, "household": {"1"}, "q1": {"2"}}
		res = s.post(store+"/counter", basket)
		receipt := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(receipt, "/redemptions/") {
			t.Fatalf("redeem: %d %s", res.StatusCode, s.body(res))
		}
		if again := s.post(store+"/counter", basket); again.Header.Get("Location") != receipt {
			t.Fatalf("a resubmitted basket went to %q, not %q", again.Header.Get("Location"), receipt)
		}
		if res := s.post(store+"/counter", url.Values{"key": {"k2"}, "household": {"1"}, "q1": {"9"}}); res.StatusCode != http.StatusConflict ||
			!strings.Contains(s.body(res), "「肥皂」库存不足：现有 8 块，需要 9 块") {
			t.Fatalf("a short basket: %d", res.StatusCode)
		}
		receipt = strings.Split(receipt, "?")[0]
		s.page(receipt+"?paper=58", http.StatusOK, "paper-receipt-58 len-", "receipt-pages.css", "肥皂", "44", "data-print", "receipt.pdf?paper=58")
		s.page(receipt+"?paper=80", http.StatusOK, "paper-receipt-80 len-")
		s.page(receipt, http.StatusOK, "paper-a4", "退货原因")
		if res := s.post(receipt+"/return", url.Values{"reason": {"质量问题"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("return: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(receipt+"/return", url.Values{"reason": {"再退"}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("a second return: %d", res.StatusCode)
		}
		// A returned receipt: when and why, and the balance after the
		// return put the points back, on the page and in its PDF.
		body = s.page(receipt+"?paper=58", http.StatusOK, "已于", "退货后余额")
		res = s.get(receipt + "/receipt.pdf?paper=58")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), "/MediaBox [0 0 164.41 ") {
			t.Fatalf("58 mm receipt PDF: %d", res.StatusCode)
		}
		if text := pdfText(t, raw); text != "" && !strings.Contains(text, "退货后余额") {
			t.Errorf("receipt PDF lacks the balance after the return:\n%s", text)
		}
		if !regexp.MustCompile(`len-\d+`).MatchString(body) {
			t.Error("a 58 mm receipt's page has no length")
		}

		// Count, reports, exports.
		if res := s.post(store+"/count", url.Values{"c1": {"9"}}); res.StatusCode != http.StatusOK || !strings.Contains(s.body(res), "盘点差异表") {
			t.Fatalf("count: %d", res.StatusCode)
		}
		s.page(store+"/reports?month=2026-06", http.StatusOK, "积分负债", "商品进销存", "肥皂")
		for _, kind := range []string{"daily", "monthly", "flow", "liability", "redemptions"} {
			res := s.get(store + "/reports.xlsx?month=2026-06&kind=" + kind)
			if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("export %s: %d", kind, res.StatusCode)
			}
			res.Body.Close()
		}
		s.page(store+"/reports?month=June", http.StatusUnprocessableEntity)

		// The villager's phone.
		v := newSite(t, db)
		v.user("villager-1", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		v.page("/my/market", http.StatusOK, "平安村积分超市", "肥皂", "3", "兴安日化", "已退货")
		v.page(store, http.StatusNotFound)
		// The village's public shelf thanks the donor, without a sign-in.
		anyone := newSite(t, db)
		anyone.page("/market/board/"+pingan, http.StatusOK, "平安村积分超市", "兴安日化", "肥皂")
		anyone.page("/market/board/152221100000", http.StatusNotFound)

		// The store closes for a reason and opens again: closed, its
		// counter takes nothing and its households see why.
		s.page(store, http.StatusOK, "营业中", store+"/close")
		s.page(store+"/close", http.StatusOK, "停业原因", "库存、退货和报表照常")
		if res := s.post(store+"/close", url.Values{"reason": {" "}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "请填写停业原因") {
			t.Fatalf("closing without a reason: %d", res.StatusCode)
		}
		if res := s.post(store+"/close", url.Values{"reason": {"春节歇业"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d %s", res.StatusCode, s.body(res))
		}
		if body := s.page(store, http.StatusOK, "起停业：春节歇业", "恢复营业"); strings.Contains(body, store+"/counter\"") {
			t.Error("a closed store's page leads to its counter")
		}
		s.page("/market", http.StatusOK, "已停业")
		s.page(store+"/counter?q=001", http.StatusOK, "起停业：春节歇业")
		if res := s.post(store+"/counter", url.Values{"key": {"k3"}, "household": {"1"}, "q1": {"1"}}); res.StatusCode != http.StatusConflict ||
			!strings.Contains(s.body(res), "起停业：春节歇业") {
			t.Fatalf("a basket at a closed store: %d", res.StatusCode)
		}
		v.page("/my/market", http.StatusOK, "起停业：春节歇业")
		anyone.page("/market/board/"+pingan, http.StatusOK, "起停业：春节歇业")
		if res := s.post(store+"/reopen", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reopen: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(store+"/reopen", url.Values{}); res.StatusCode != http.StatusConflict {
			t.Fatalf("reopening an open store: %d", res.StatusCode)
		}
		s.page(store, http.StatusOK, "营业中", store+"/counter")
	})
}
