package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestOrgAPI keeps the register through the API: a unit refused for its
// credit code then made, a branch under a committee, a cycle refused with
// its Chinese message, a member refused in a second branch and refused a
// transfer to a dissolved one, and a household refused in a second grid.
func TestOrgAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		first := "15222119700101011"
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
			registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: first + string(registry.CheckChar(first)), Relation: registry.Head, Political: "中共党员"})
		if err != nil {
			t.Fatal(err)
		}
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		if code, body := zzb.do("POST", "/api/v1/org/units", `{"region":"`+pingan+`","name":"平安快递站","credit_code":"91350100M000100Y44","type":"private"}`); code != 422 || body["details"] == nil {
			t.Fatalf("bad credit code: %d %v", code, body)
		}
		code, body := zzb.do("POST", "/api/v1/org/units", `{"region":"`+pingan+`","name":"平安快递站","credit_code":"`+creditcode.Complete("91152221MA0N00001")+`","type":"private","new_employment":true}`)
		if code != 201 || body["two_new"] != true {
			t.Fatalf("unit: %d %v", code, body)
		}
		unit := body["id"].(float64)
		code, body = zzb.do("POST", "/api/v1/org/orgs", `{"region":"`+keerqin+`","kind":"committee","name":"科尔沁镇党委"}`)
		if code != 201 {
			t.Fatalf("committee: %d %v", code, body)
		}
		town := body["id"].(float64)
		code, body = zzb.do("POST", "/api/v1/org/orgs", fmt.Sprintf(`{"parent":%v,"units":[%v],"kind":"branch","name":"快递站党支部"}`, town, unit))
		if code != 201 || body["home_region"] != keerqin {
			t.Fatalf("unit branch: %d %v", code, body)
		}
		branch := body["id"].(float64)
		code, body = zzb.do("POST", fmt.Sprintf("/api/v1/org/orgs/%v/move", town), fmt.Sprintf(`{"parent":%v}`, branch))
		if code != 409 || !strings.Contains(body["details"].([]any)[0].(map[string]any)["message"].(string), "循环") {
			t.Fatalf("cycle: %d %v", code, body)
		}
		code, body = zzb.do("POST", fmt.Sprintf("/api/v1/org/orgs/%v/members", branch), `{"name":"尹志勇","id_number":"`+first+string(registry.CheckChar(first))+`","phone":"13904821234","probation":"1996-07-01"}`)
		if code != 201 || strings.Contains(fmt.Sprint(body), "13904821234") || body["standing"] != "probationary" {
			t.Fatalf("member: %d %v", code, body)
		}
		member := body["id"].(float64)
		if code, body := zzb.do("PATCH", fmt.Sprintf("/api/v1/org/members/%v", member), `{"name":"尹志勇","probation":"1996-07-01","full":"1997-07-01"}`); code != 200 || body["standing"] != "full" || body["id_number_masked"] == "" {
			t.Fatalf("full membership: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/orgs/%v/members", town), `{"name":"尹志勇","id_number":"`+first+string(registry.CheckChar(first))+`","probation":"1996-07-01"}`); code != 409 {
			t.Fatalf("second branch: %d %v", code, body)
		}
		code, body = zzb.do("POST", "/api/v1/org/orgs", fmt.Sprintf(`{"parent":%v,"region":"%s","kind":"branch","name":"撤销党支部"}`, town, keerqin))
		if code != 201 {
			t.Fatalf("branch: %d %v", code, body)
		}
		dead := body["id"].(float64)
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/orgs/%v/dissolve", dead), `{"reason":"撤并"}`); code != 200 || body["status"] != "dissolved" {
			t.Fatalf("dissolve: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/members/%v/transfer", member), fmt.Sprintf(`{"to":%v}`, dead)); code != 409 {
			t.Fatalf("transfer to a dissolved branch: %d %v", code, body)
		}
		if code, body := zzb.do("GET", fmt.Sprintf("/api/v1/org/orgs/%v/members", branch), ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("roster: %d %v", code, body)
		}
		code, body = zzb.do("POST", "/api/v1/org/orgs", fmt.Sprintf(`{"parent":%v,"units":[%v],"kind":"branch","name":"快递站第二党支部"}`, town, unit))
		if code != 201 {
			t.Fatalf("second branch: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/orgs/%v/merge", body["id"]), fmt.Sprintf(`{"into":%v,"reason":"合并"}`, branch)); code != 200 || body["id"] != branch {
			t.Fatalf("merge: %d %v", code, body)
		}
		sibling := login("dashizhai", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		if code, _ := sibling.do("GET", fmt.Sprintf("/api/v1/org/members/%v", member), ""); code != 404 {
			t.Fatalf("the sibling township reads the member: %d", code)
		}

		clerk := login("clerk", access.Grant{Role: access.Operator, Region: pingan})
		var grids []float64
		for _, name := range []string{"第一网格", "第二网格"} {
			code, body := clerk.do("POST", "/api/v1/regions/"+pingan+"/grids", `{"name":"`+name+`"}`)
			if code != 201 {
				t.Fatalf("grid: %d %v", code, body)
			}
			grids = append(grids, body["id"].(float64))
		}
		if code, body := clerk.do("POST", fmt.Sprintf("/api/v1/grids/%v/households", grids[0]), fmt.Sprintf(`{"add":[%d]}`, h.ID)); code != 200 || body["households"] != 1.0 {
			t.Fatalf("assign: %d %v", code, body)
		}
		if code, body := clerk.do("POST", fmt.Sprintf("/api/v1/grids/%v/households", grids[1]), fmt.Sprintf(`{"add":[%d]}`, h.ID)); code != 409 {
			t.Fatalf("second grid: %d %v", code, body)
		}
		if code, body := clerk.do("GET", "/api/v1/grids", ""); code != 200 || len(body["items"].([]any)) != 2 {
			t.Fatalf("grids: %d %v", code, body)
		}
	})
}
