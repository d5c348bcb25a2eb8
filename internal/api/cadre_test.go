package api_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestCadreAPI keeps cadres through the API: one refused for an unknown
// rank, two made, the sibling township refused the list, a leaving that
// ends the leaver's grant and hands it to the successor, and the ranks
// read and changed.
func TestCadreAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		for _, u := range []struct {
			name   string
			grants []access.Grant
		}{{"old-sec", []access.Grant{{Role: access.Secretary, Region: pingan}}}, {"new-sec", nil}} {
			if _, err := db.CreateUser(ctx, nil, u.name, u.name, "First-Pass-1", u.grants); err != nil {
				t.Fatal(err)
			}
		}
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		if code, body := zzb.do("POST", "/api/v1/cadres", `{"region":"`+pingan+`","name":"老书记","post":"村党支部书记","rank":"mayor","appointed":"2018-01-01"}`); code != 422 || body["details"] == nil {
			t.Fatalf("unknown rank: %d %v", code, body)
		}
		code, body := zzb.do("POST", "/api/v1/cadres", `{"region":"`+pingan+`","name":"老书记","post":"村党支部书记","rank":"village","appointed":"2018-01-01","username":"old-sec","phone":"13904821234"}`)
		if code != 201 || body["rank_name"] != "村两委" || body["phone_masked"] == "13904821234" {
			t.Fatalf("cadre: %d %v", code, body)
		}
		old := body["id"].(float64)
		code, body = zzb.do("POST", "/api/v1/cadres", `{"region":"`+pingan+`","name":"新书记","post":"村党支部书记","rank":"village","appointed":"2024-01-01","username":"new-sec"}`)
		if code != 201 {
			t.Fatalf("successor: %d %v", code, body)
		}
		succ := body["id"].(float64)
		if code, body := zzb.do("GET", "/api/v1/cadres?rank=village", ""); code != 200 || body["total"] != float64(2) {
			t.Fatalf("list: %d %v", code, body)
		}
		sibling := login("zzb2", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		if code, _ := sibling.do("GET", "/api/v1/cadres?region="+pingan, ""); code != 404 {
			t.Fatalf("sibling's list: %d", code)
		}
		if code, _ := sibling.do("GET", fmt.Sprintf("/api/v1/cadres/%v", old), ""); code != 404 {
			t.Fatalf("sibling reads a cadre: %d", code)
		}
		code, body = zzb.do("POST", fmt.Sprintf("/api/v1/cadres/%v/leave", old), fmt.Sprintf(`{"date":"2026-01-02","reason":"换届","successor":%v,"hand_over":true}`, succ))
		if code != 200 || body["ended_grants"] != float64(1) || body["handed_over"] != float64(1) || body["cadre"].(map[string]any)["left"] != "2026-01-02" {
			t.Fatalf("leave: %d %v", code, body)
		}
		if code, _ := zzb.do("POST", fmt.Sprintf("/api/v1/cadres/%v/leave", old), `{"date":"2026-01-03","reason":"换届"}`); code != 409 {
			t.Fatalf("leaving twice: %d", code)
		}
		if code, body := zzb.do("POST", "/api/v1/cadre-ranks", `{"code":"village","name":"村两委","hours":60,"position":4}`); code != 200 || len(body["items"].([]any)) != 4 {
			t.Fatalf("rank: %d %v", code, body)
		}
	})
}
