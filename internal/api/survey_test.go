package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestSurveyAPI runs a needs survey through the API: made from the
// template, published, answered by staff and through the public link,
// refused a choice it does not offer and a closed survey's answer, and
// read back as figures, a cross-tabulation, quotas, the ranked list and
// a workbook; the sibling township sees none of it.
func TestSurveyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		base, login := setup(t, db)
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		other := login("zzb2", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		code, body := zzb.do("POST", "/api/v1/surveys", `{"region":"`+keerqin+`","template":"needs"}`)
		if code != 201 || body["status"] != "draft" {
			t.Fatalf("create: %d %v", code, body)
		}
		id := body["id"].(float64)
		token := body["token"].(string)
		path := fmt.Sprintf("/api/v1/surveys/%v", id)
		if code, body := zzb.do("POST", path+"/publish", ""); code != 200 || body["version"] != float64(1) {
			t.Fatalf("publish: %d %v", code, body)
		}
		answer := `{"channel":"visit","values":{"rank":["section"],"sector":["village"],"lacking":["rural","digital"],"mode":["onsite"]}}`
		if code, body := zzb.do("POST", path+"/answers", answer); code != 201 || body["id"] == nil {
			t.Fatalf("answer: %d %v", code, body)
		}
		bad := `{"channel":"phone","values":{"rank":["mayor"],"sector":["village"],"lacking":["rural"],"mode":["onsite"]}}`
		if code, body := zzb.do("POST", path+"/answers", bad); code != 422 || !strings.Contains(fmt.Sprint(body), "不在问卷选项中") {
			t.Fatalf("a choice not offered: %d %v", code, body)
		}
		batch := `{"answers":[` + answer + `,{"channel":"phone","values":{"rank":["county"],"sector":["village"],"lacking":["rural"],"mode":["seminar"],"past":["4"]}}]}`
		if code, body := zzb.do("POST", path+"/answers/batch", batch); code != 201 || body["stored"] != float64(2) {
			t.Fatalf("batch: %d %v", code, body)
		}
		anon := &client{t: t, base: base}
		if code, body := anon.do("GET", "/api/v1/public/surveys/"+token, ""); code != 200 || body["live"] == nil || body["questions"] != nil {
			t.Fatalf("public: %d %v", code, body)
		}
		if code, body := anon.do("POST", "/api/v1/public/surveys/"+token+"/answers", `{"values":{"rank":["county"],"sector":["party_gov"],"lacking":["decision"],"mode":["seminar"]}}`); code != 201 {
			t.Fatalf("public answer: %d %v", code, body)
		}
		if code, body := anon.do("POST", "/api/v1/public/surveys/"+token+"/answers", `{"values":{"rank":["county"]}}`); code != 422 || !strings.Contains(fmt.Sprint(body), "必答题") {
			t.Fatalf("public answer missing required: %d %v", code, body)
		}
		code, body = zzb.do("GET", path+"/analysis", "")
		if code != 200 || body["total"] != float64(4) {
			t.Fatalf("analysis: %d %v", code, body)
		}
		code, body = zzb.do("GET", path+"/ranking", "")
		items, _ := body["items"].([]any)
		if code != 200 || len(items) == 0 || items[0].(map[string]any)["rank"] != "县处级" {
			t.Fatalf("ranking: %d %v", code, body)
		}
		if code, body := zzb.do("GET", path+"/cross?row=rank&col=lacking", ""); code != 200 || body["counts"] == nil {
			t.Fatalf("cross: %d %v", code, body)
		}
		if code, body := zzb.do("PUT", path+"/quotas", `{"strata":["rank"],"quotas":[{"cell":["section"],"target":2}]}`); code != 200 || body["got"] != float64(2) {
			t.Fatalf("quotas: %d %v", code, body)
		}
		if code, body := zzb.do("GET", path+"/answers", ""); code != 200 || len(body["items"].([]any)) != 4 {
			t.Fatalf("answers: %d %v", code, body)
		}
		req, _ := http.NewRequest("GET", base+path+"/answers.xlsx", nil)
		req.Header.Set("Authorization", "Bearer "+zzb.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("workbook: %v %v", err, res)
		}
		res.Body.Close()
		if code, _ := other.do("GET", path+"/analysis", ""); code != 404 {
			t.Fatalf("sibling reads the figures: %d", code)
		}
		if code, body := zzb.do("POST", path+"/close", ""); code != 200 || body["status"] != "closed" {
			t.Fatalf("close: %d %v", code, body)
		}
		if code, body := zzb.do("POST", path+"/answers", answer); code != 422 || !strings.Contains(fmt.Sprint(body), "未开放") {
			t.Fatalf("answer to a closed survey: %d %v", code, body)
		}
	})
}
