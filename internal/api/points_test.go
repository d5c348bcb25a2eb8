package api_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAPIAwards records an award through the API, repeats it with the same
// key (one award), reuses the key for another body (a conflict), approves
// it and reads balance, statement and rankings; an operator of another
// village sees none of it.
func TestAPIAwards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: "008", VillageCode: pingan},
			registry.ResidentInput{Name: "张桂芳", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		_, login := setup(t, db)
		clerk := login("clerk", access.Grant{Role: access.Operator, Region: pingan})
		path := fmt.Sprintf("/api/v1/households/%d/awards", h.ID)
		if code, body := clerk.do("POST", path, `{"item":"env-03"}`); code != 422 || body["code"] != "invalid" {
			t.Fatalf("award without a key: %d %v", code, body)
		}
		clerk.key = "k-1"
		code, first := clerk.do("POST", path, `{"item":"env-03","date":"2026-11-02"}`)
		if code != 201 || first["points"].(float64) <= 0 || first["status"] != "pending" {
			t.Fatalf("award: %d %v", code, first)
		}
		if code, again := clerk.do("POST", path, `{"item":"env-03","date":"2026-11-02"}`); code != 201 || again["id"] != first["id"] {
			t.Fatalf("repeat: %d %v, want award %v", code, again, first["id"])
		}
		if code, body := clerk.do("POST", path, `{"item":"env-04","date":"2026-11-02"}`); code != 409 {
			t.Fatalf("key reused for another body: %d %v", code, body)
		}
		clerk.key = "k-2"
		if code, body := clerk.do("POST", path, `{"item":"env-03","date":"2026-13-40"}`); code != 422 || body["details"] == nil {
			t.Fatalf("bad date: %d %v", code, body)
		}
		if code, body := clerk.do("POST", path, `{"item":"env-03","points":500}`); code != 422 {
			t.Fatalf("an unknown field was taken: %d %v", code, body)
		}
		// The clerk may not approve; a reviewer of the village approves
		// and the award waits out its notice window.
		rid := int64(first["review"].(float64))
		if code, _ := clerk.do("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", rid), `{"decision":"approve"}`); code != 403 {
			t.Fatalf("clerk approved: %d", code)
		}
		reviewer := login("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		if code, body := reviewer.do("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", rid), `{"decision":"approve"}`); code != 200 || body["state"] != "in_notice" {
			t.Fatalf("approve: %d %v", code, body)
		}
		if code, body := reviewer.do("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", rid), `{"decision":"approve"}`); code == 200 {
			t.Fatalf("a notice step was approved by hand: %v", body)
		}
		if code, body := clerk.do("GET", fmt.Sprintf("/api/v1/households/%d/balance", h.ID), ""); code != 200 || body["balance"].(float64) != 0 {
			t.Fatalf("balance before the notice ends: %d %v", code, body)
		}
		if code, body := clerk.do("GET", fmt.Sprintf("/api/v1/households/%d/statement?limit=501", h.ID), ""); code != 422 {
			t.Fatalf("statement limit: %d %v", code, body)
		}
		if code, body := clerk.do("GET", "/api/v1/rankings?region="+pingan+"&by=villages&period=2026-11", ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("village ranking: %d %v", code, body)
		}
		// Townships of the banner ranked against each other, by ratio.
		banner := login("banner", access.Grant{Role: access.Leader, Region: "152221000000"})
		code, body := banner.do("GET", "/api/v1/rankings?region=152221000000&by=regions&order=participation&period=2026-11", "")
		if code != 200 || len(body["items"].([]any)) < 2 {
			t.Fatalf("township ranking: %d %v", code, body)
		}
		if first := body["items"].([]any)[0].(map[string]any); first["per_household"] == nil || first["rank"].(float64) != 1 {
			t.Fatalf("township ranking's first line: %v", first)
		}
		if code, body := clerk.do("GET", "/api/v1/rankings?region="+pingan+"&by=regions", ""); code != 422 {
			t.Fatalf("regions below a village: %d %v", code, body)
		}
		if code, body := banner.do("GET", "/api/v1/rankings?region=152221000000&by=regions&order=size", ""); code != 422 {
			t.Fatalf("an unknown order: %d %v", code, body)
		}
		stranger := login("stranger", access.Grant{Role: access.Operator, Region: other})
		stranger.key = "k-3"
		for _, p := range []string{fmt.Sprintf("/api/v1/households/%d/balance", h.ID), fmt.Sprintf("/api/v1/households/%d/statement", h.ID)} {
			if code, _ := stranger.do("GET", p, ""); code != 404 && code != 403 {
				t.Fatalf("stranger read %s: %d", p, code)
			}
		}
		if code, _ := stranger.do("POST", path, `{"item":"env-03"}`); code != 404 && code != 403 {
			t.Fatalf("stranger awarded: %d", code)
		}
	})
}
