package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAPISchemeFreshInstall is a township on a fresh install, with no
// demo data: awards fail until a leader starts a scheme from the template,
// edits and publishes it through the API; then a clerk's award goes
// through and its review item keeps the scheme's notice length.
func TestAPISchemeFreshInstall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
			registry.ResidentInput{Name: "张桂芳", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		_, login := setup(t, db)
		clerk := login("clerk", access.Grant{Role: access.Operator, Region: pingan})
		clerk.key = "k-1"
		award := fmt.Sprintf("/api/v1/households/%d/awards", h.ID)
		if code, body := clerk.do("POST", award, `{"item":"env-03"}`); code != 404 || !strings.Contains(fmt.Sprint(body["message"]), "分管领导") {
			t.Fatalf("award without a scheme: %d %v", code, body)
		}
		if code, _ := clerk.do("POST", "/api/v1/regions/"+pingan+"/scheme/draft", `{"source":"template"}`); code != 403 {
			t.Fatalf("a clerk started a scheme: %d", code)
		}

		lead := login("lead", access.Grant{Role: access.Leader, Region: keerqin})
		base := "/api/v1/regions/" + keerqin + "/scheme"
		code, d := lead.do("POST", base+"/draft", `{"source":"template"}`)
		if code != 201 || len(d["items"].([]any)) != 40 || len(d["aspects"].([]any)) != 6 {
			t.Fatalf("start from the template: %d %v", code, d)
		}
		// A cap that contradicts its unit is refused and changes nothing.
		bad := strings.Replace(mustJSON(t, d), `"cap":1,"cap_period":"month"`, `"cap":5,"cap_period":"month"`, 1)
		if code, body := lead.do("PUT", base+"/draft", bad); code != 422 || !strings.Contains(fmt.Sprint(body), "按月计分") {
			t.Fatalf("contradictory cap: %d %v", code, body)
		}
		d["notice_days"] = 3
		d["base_score"] = 100
		items := d["items"].([]any)
		items[2].(map[string]any)["points"] = 2 // 垃圾分类投放 worth 2
		if code, body := lead.do("PUT", base+"/draft", mustJSON(t, d)); code != 200 || body["notice_days"].(float64) != 3 {
			t.Fatalf("save draft: %d %v", code, body)
		}
		if code, body := lead.do("GET", base+"/draft", ""); code != 200 || len(body["changes"].([]any)) != 40 {
			t.Fatalf("a first draft adds every item: %d %v", code, body["changes"])
		}
		if code, body := lead.do("POST", base+"/publish", `{}`); code != 201 || body["version"].(float64) != 1 || body["actor"] != "lead" {
			t.Fatalf("publish: %d %v", code, body)
		}
		if code, body := clerk.do("GET", "/api/v1/regions/"+pingan+"/scheme", ""); code != 200 || body["notice_days"].(float64) != 3 {
			t.Fatalf("scheme in force at the village: %d %v", code, body)
		}
		if code, body := lead.do("GET", base+"/versions", ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("history: %d %v", code, body)
		}

		code, aw := clerk.do("POST", award, `{"item":"env-03"}`)
		if code != 201 || aw["points"].(float64) != 2 || aw["status"] != "pending" {
			t.Fatalf("award under the new scheme: %d %v", code, aw)
		}
		// The scheme travels as a sheet to a village of another township.
		req, _ := http.NewRequest("GET", lead.base+base+".xlsx", nil)
		req.Header.Set("Authorization", "Bearer "+lead.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		xlsx, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(xlsx) < 1000 {
			t.Fatalf("export: %d, %d bytes", res.StatusCode, len(xlsx))
		}
		far := login("far", access.Grant{Role: access.Leader, Region: other})
		req, _ = http.NewRequest("PUT", far.base+"/api/v1/regions/"+other+"/scheme/draft.xlsx", bytes.NewReader(xlsx))
		req.Header.Set("Authorization", "Bearer "+far.token)
		if res, err = http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
			t.Fatalf("import: %v %d", err, res.StatusCode)
		}
		res.Body.Close()
		if code, body := far.do("GET", "/api/v1/regions/"+other+"/scheme/draft", ""); code != 200 ||
			len(body["draft"].(map[string]any)["items"].([]any)) != 40 || body["draft"].(map[string]any)["notice_days"].(float64) != 3 {
			t.Fatalf("imported draft: %d %v", code, body)
		}

		reviewer := login("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		code, it := reviewer.do("POST", fmt.Sprintf("/api/v1/reviews/%v/decision", aw["review"]), `{"decision":"approve"}`)
		if code != 200 || it["state"] != "in_notice" {
			t.Fatalf("approve: %d %v", code, it)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
