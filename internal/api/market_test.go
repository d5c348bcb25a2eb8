package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestRedemptionAPI is the endpoint the load and crash drills drive: one
// redemption per Idempotency-Key, replays answered 200 with the first,
// shortages and reused keys 409 with every problem in the details, bad
// bodies 422, other villages' clerks nothing at all.
func TestRedemptionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: "150000000000"}}}
		m := db.Market()
		st, err := m.CreateStore(ctx, seed, market.StoreInput{Region: pingan, Name: "平安村积分超市"})
		if err != nil {
			t.Fatal(err)
		}
		var goods []int64
		for _, name := range []string{"肥皂", "毛巾", "作业本"} {
			g, err := m.SaveGoods(ctx, seed, market.GoodsInput{Store: st.ID, Name: name, Unit: "件", Price: 2, OnShelf: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Receive(ctx, seed, market.Inbound{Store: st.ID, Goods: g.ID, Qty: 5, Source: market.Funds}); err != nil {
				t.Fatal(err)
			}
			goods = append(goods, g.ID)
		}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
			registry.ResidentInput{Name: "巴特尔", Ethnicity: "蒙古族", Gender: registry.Male, BirthDate: "1980-01-01", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: "fund", Household: h.ID, Kind: points.Base, Points: 20}); err != nil {
			t.Fatal(err)
		}
		clerk := login("shop", access.Grant{Role: access.Clerk, Region: pingan})
		if err := m.AssignClerk(ctx, seed, st.ID, "shop", false); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/stores/%d/redemptions", st.ID)
		basket := fmt.Sprintf(`{"household": %d, "items": [{"goods": %d, "qty": 1}, {"goods": %d, "qty": 2}, {"goods": %d, "qty": 1}]}`, h.ID, goods[0], goods[1], goods[2])

		// An API client has no page to refresh: the message names the header.
		if code, body := clerk.do("POST", path, basket); code != 422 || body["code"] != "invalid" || strings.Contains(fmt.Sprint(body), "刷新") || !strings.Contains(fmt.Sprint(body), "Idempotency-Key 请求头") {
			t.Fatalf("no Idempotency-Key: %d %v", code, body)
		}
		clerk.key = "k-1"
		code, first := clerk.do("POST", path, basket)
		if code != 201 || first["total"] != 8.0 || first["balance"] != 12.0 || first["replayed"] != false {
			t.Fatalf("redeem: %d %v", code, first)
		}
		if code, again := clerk.do("POST", path, basket); code != 200 || again["id"] != first["id"] || again["replayed"] != true {
			t.Fatalf("replay: %d %v", code, again)
		}
		if code, body := clerk.do("POST", path, fmt.Sprintf(`{"household": %d, "items": [{"goods": %d, "qty": 1}]}`, h.ID, goods[0])); code != 409 || body["code"] != "conflict" {
			t.Fatalf("key reused for another basket: %d %v", code, body)
		}
		clerk.key = "k-2"
		code, body := clerk.do("POST", path, fmt.Sprintf(`{"household": %d, "items": [{"goods": %d, "qty": 9}]}`, h.ID, goods[1]))
		if details, _ := body["details"].([]any); code != 409 || len(details) != 2 {
			t.Fatalf("short of stock and points: %d %v", code, body)
		}
		for _, bad := range []string{`{"household": 1, "items": [], "price": 0}`, `{"items": [{"goods": 1, "qty": 1}]}`, fmt.Sprintf(`{"household": %d, "items": [{"goods": %d, "qty": 0}]}`, h.ID, goods[0])} {
			if code, body := clerk.do("POST", path, bad); code != 422 {
				t.Fatalf("%s: %d %v", bad, code, body)
			}
		}
		if code, body := clerk.do("GET", fmt.Sprintf("/api/v1/stores/%d/goods", st.ID), ""); code != 200 || len(body["items"].([]any)) != 3 {
			t.Fatalf("goods: %d %v", code, body)
		}
		rid := int64(first["id"].(float64))
		if code, body := clerk.do("GET", fmt.Sprintf("/api/v1/redemptions/%d", rid), ""); code != 200 || len(body["lines"].([]any)) != 3 {
			t.Fatalf("receipt: %d %v", code, body)
		}
		if code, body := clerk.do("POST", fmt.Sprintf("/api/v1/redemptions/%d/return", rid), `{"reason": "破损"}`); code != 200 || body["returned"] != true {
			t.Fatalf("return: %d %v", code, body)
		}
		if res, pdf := clerk.raw("GET", fmt.Sprintf("/api/v1/redemptions/%d/receipt.pdf?paper=80", rid), "", nil); res.StatusCode != 200 ||
			!strings.Contains(string(pdf), "/MediaBox [0 0 226.77 ") {
			t.Fatalf("80 mm receipt PDF: %d", res.StatusCode)
		}
		if code, _ := clerk.do("POST", fmt.Sprintf("/api/v1/redemptions/%d/return", rid), `{"reason": "再退"}`); code != 409 {
			t.Fatalf("second return: %d", code)
		}
		far := login("far-shop", access.Grant{Role: access.Clerk, Region: other})
		far.key = "k-3"
		if code, _ := far.do("POST", path, basket); code != 404 {
			t.Fatalf("another village's clerk: %d", code)
		}

		// The store closes and opens again: its manager does both, its
		// clerk reads the state and is refused at the counter meanwhile.
		manager := login("shop-op", access.Grant{Role: access.Operator, Region: pingan})
		storePath := fmt.Sprintf("/api/v1/stores/%d", st.ID)
		if code, body := clerk.do("POST", storePath+"/close", `{"reason": "盘点"}`); code != 403 {
			t.Fatalf("a clerk closing the store: %d %v", code, body)
		}
		if code, body := manager.do("POST", storePath+"/close", `{"reason": ""}`); code != 422 || !strings.Contains(fmt.Sprint(body), "停业原因") {
			t.Fatalf("closing without a reason: %d %v", code, body)
		}
		if code, body := manager.do("POST", storePath+"/close", `{"reason": "盘点"}`); code != 200 || body["open"] != false || body["closed_reason"] != "盘点" || body["closed_at"] == nil {
			t.Fatalf("close: %d %v", code, body)
		}
		if code, body := clerk.do("GET", storePath, ""); code != 200 || body["open"] != false || len(body["clerks"].([]any)) != 1 {
			t.Fatalf("the store as its clerk reads it: %d %v", code, body)
		}
		if code, body := clerk.do("GET", "/api/v1/stores", ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("the clerk's stores: %d %v", code, body)
		}
		clerk.key = "k-4"
		if code, body := clerk.do("POST", path, basket); code != 409 || !strings.Contains(fmt.Sprint(body), "本超市已停业（盘点）") {
			t.Fatalf("a basket at a closed store: %d %v", code, body)
		}
		if code, body := manager.do("POST", storePath+"/reopen", ""); code != 200 || body["open"] != true || body["closed_at"] != nil {
			t.Fatalf("reopen: %d %v", code, body)
		}
		if code, _ := manager.do("POST", storePath+"/reopen", ""); code != 409 {
			t.Fatalf("reopening an open store: %d", code)
		}
		if code, _ := far.do("GET", storePath, ""); code != 404 {
			t.Fatalf("another village's clerk reading the store: %d", code)
		}
	})
}
