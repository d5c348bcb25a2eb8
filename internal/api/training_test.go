package api_test

import (
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestTrainingAPI keeps the programme through the API: a list version
// with an item refused for its rank and one added, published, a class
// addressing the item with a session, and the list showing it covered.
func TestTrainingAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, login := setup(t, db)
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		code, body := zzb.do("POST", "/api/v1/training/lists", `{"region":"`+keerqin+`","title":"科尔沁镇干部紧缺能力清单"}`)
		if code != 201 || body["version"] != float64(1) {
			t.Fatalf("list: %d %v", code, body)
		}
		list := body["id"].(float64)
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/training/lists/%v/items", list), `{"rank":"mayor","competency":"招商引资","priority":1}`); code != 422 {
			t.Fatalf("unknown rank: %d %v", code, body)
		}
		code, body = zzb.do("POST", fmt.Sprintf("/api/v1/training/lists/%v/items", list), `{"rank":"village","competency":"基层治理","priority":1}`)
		if code != 200 {
			t.Fatalf("item: %d %v", code, body)
		}
		item := body["items"].([]any)[0].(map[string]any)["id"].(float64)
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/training/lists/%v/publish", list), `{}`); code != 200 || body["published"] == nil {
			t.Fatalf("publish: %d %v", code, body)
		}
		code, body = zzb.do("POST", "/api/v1/training/teachers", `{"region":"`+keerqin+`","name":"王教授","internal":false}`)
		if code != 201 {
			t.Fatalf("teacher: %d %v", code, body)
		}
		teacher := body["id"].(float64)
		if code, body := zzb.do("POST", "/api/v1/training/courses", fmt.Sprintf(`{"region":"%s","title":"基层治理实务","competency":"基层治理","mode":"seminar","hours":3,"teacher":%v}`, keerqin, teacher)); code != 201 {
			t.Fatalf("course: %d %v", code, body)
		}
		code, body = zzb.do("POST", "/api/v1/training/classes", fmt.Sprintf(`{"region":"%s","name":"村两委培训班","start":"2026-06-01","end":"2026-06-03","capacity":50,"hours_required":6,"list":%v,"items":[%v]}`, keerqin, list, item))
		if code != 201 {
			t.Fatalf("class: %d %v", code, body)
		}
		class := body["id"].(float64)
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/training/classes/%v/sessions", class), fmt.Sprintf(`{"day":"2026-06-02","starts":"09:00","title":"研讨","teacher":%v,"hours":3}`, teacher)); code != 200 || body["hours"] != float64(3) {
			t.Fatalf("session: %d %v", code, body)
		}
		if code, body := zzb.do("GET", fmt.Sprintf("/api/v1/training/lists/%v", list), ""); code != 200 || body["covered"] != float64(1) {
			t.Fatalf("coverage: %d %v", code, body)
		}
		code, body = zzb.do("POST", "/api/v1/cadres", `{"region":"`+pingan+`","name":"甲书记","post":"村党支部书记","rank":"village","appointed":"2018-01-01"}`)
		if code != 201 {
			t.Fatalf("cadre: %d %v", code, body)
		}
		cadre := body["id"].(float64)
		if code, body := zzb.do("GET", fmt.Sprintf("/api/v1/training/classes/%v/targets?rank=village", class), ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("targets: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/training/classes/%v/enrolments", class), fmt.Sprintf(`{"cadres":[%v,%v]}`, cadre, cadre)); code != 422 || body["items"].([]any)[1].(map[string]any)["problem"] == nil {
			t.Fatalf("a cadre twice: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/training/classes/%v/enrolments", class), fmt.Sprintf(`{"cadres":[%v]}`, cadre)); code != 201 {
			t.Fatalf("enrol: %d %v", code, body)
		}
		if code, body := zzb.do("GET", fmt.Sprintf("/api/v1/training/classes/%v/enrolments", class), ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("enrolments: %d %v", code, body)
		}
		sibling := login("zzb2", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		if code, _ := sibling.do("GET", fmt.Sprintf("/api/v1/training/classes/%v", class), ""); code != 404 {
			t.Fatalf("sibling reads the class: %d", code)
		}
	})
}
