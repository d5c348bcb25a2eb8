package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestGridNetAPI runs the 全网通 through the API: households checked and
// assigned from a list of numbers, the net built, a household of another
// grid refused with its Chinese message, coverage, a contact raised by a
// grid worker that climbs to the branch and is closed there by the
// secretary, and the worker refused a sibling grid.
func TestGridNetAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}, {Role: access.OrgStaff, Region: keerqin}}}
		var hs []*registry.Household
		for i := range 3 {
			first := fmt.Sprintf("152221197001010%02d", 11+2*i)
			h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: fmt.Sprintf("00%d", i+1), VillageCode: pingan},
				registry.ResidentInput{Name: []string{"尹志勇", "王桂兰", "李建国"}[i], Ethnicity: "汉族", IDNumber: first + string(registry.CheckChar(first)), Relation: registry.Head, Political: "群众"})
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		branch, err := db.Org().CreateOrg(ctx, seed, org.OrgInput{Region: pingan, Kind: org.Branch, Name: "平安村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := db.Org().CreateMember(ctx, seed, org.MemberInput{Branch: branch.ID, Resident: hs[0].HeadID, Name: "尹志勇", Phone: "13904821234", Probation: "1996-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		g1, err := db.Org().CreateGrid(ctx, seed, org.GridInput{Village: pingan, Name: "第一网格"})
		if err != nil {
			t.Fatal(err)
		}
		g2, err := db.Org().CreateGrid(ctx, seed, org.GridInput{Village: pingan, Name: "第二网格"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Org().AssignHouseholds(ctx, seed, g2.ID, []int64{hs[2].ID}); err != nil {
			t.Fatal(err)
		}
		sec := login("pingan-shuji", access.Grant{Role: access.Secretary, Region: pingan})
		gp := fmt.Sprintf("/api/v1/grids/%d", g1.ID)
		code, body := sec.do("POST", gp+"/households/import", `{"rows":[{"line":2,"number":"001"},{"line":3,"number":"003"},{"line":4,"number":"009"}],"commit":true}`)
		if code != 200 || !strings.Contains(fmt.Sprint(body), "第二网格") || !strings.Contains(fmt.Sprint(body), "009") {
			t.Fatalf("import check: %d %v", code, body)
		}
		if code, body := sec.do("GET", gp, ""); code != 200 || body["households"] != 0.0 {
			t.Fatalf("a refused sheet assigned households: %d %v", code, body)
		}
		if code, body := sec.do("POST", gp+"/households/import", `{"rows":[{"line":2,"number":"001"},{"line":3,"number":"002"}],"commit":true}`); code != 200 || strings.Contains(fmt.Sprint(body), "error") {
			t.Fatalf("import: %d %v", code, body)
		}
		for _, op := range []string{
			fmt.Sprintf(`{"op":"place","members":[%d],"central":true}`, m.ID),
			fmt.Sprintf(`{"op":"leader","member":%d}`, m.ID),
			fmt.Sprintf(`{"op":"link","member":%d,"households":[%d]}`, m.ID, hs[1].ID),
		} {
			if code, body := sec.do("POST", gp+"/net", op); code != 200 {
				t.Fatalf("%s: %d %v", op, code, body)
			}
		}
		code, body = sec.do("POST", gp+"/net", fmt.Sprintf(`{"op":"link","member":%d,"households":[%d]}`, m.ID, hs[2].ID))
		if code != 422 || !strings.Contains(fmt.Sprint(body), "属于“第二网格”") {
			t.Fatalf("another grid's household: %d %v", code, body)
		}
		if code, body := sec.do("GET", gp+"/coverage", ""); code != 200 || body["linked"] != 1.0 || body["households"] != 2.0 || len(body["unlinked"].([]any)) != 1 {
			t.Fatalf("coverage: %d %v", code, body)
		}
		if code, body := sec.do("GET", gp+"/net", ""); code != 200 || body["leader_name"] != "尹志勇" || strings.Contains(fmt.Sprint(body), "13904821234") {
			t.Fatalf("net: %d %v", code, body)
		}

		worker := login("wanggeyuan", access.Grant{Role: access.GridWorker, Region: pingan, Grid: g1.ID})
		code, body = worker.do("POST", gp+"/contacts", fmt.Sprintf(`{"household":%d,"kind":"phone","date":"2024-05-06","summary":"电话回访","issue":"低保申请"}`, hs[1].ID))
		if code != 201 || body["status"] != "open" || body["member_name"] != "尹志勇" {
			t.Fatalf("log: %d %v", code, body)
		}
		cp := fmt.Sprintf("/api/v1/contacts/%v", body["id"])
		if code, body := worker.do("GET", fmt.Sprintf("/api/v1/grids/%d/contacts", g2.ID), ""); code != 404 {
			t.Fatalf("the worker lists a sibling grid's contacts: %d %v", code, body)
		}
		for range 2 {
			if code, body := worker.do("POST", cp+"/escalate", `{"note":"需协调"}`); code != 200 {
				t.Fatalf("escalate: %d %v", code, body)
			}
		}
		if code, body := sec.do("POST", cp+"/escalate", `{"note":"报支部"}`); code != 200 || body["level"] != "branch" {
			t.Fatalf("to the branch: %d %v", code, body)
		}
		if code, body := sec.do("GET", fmt.Sprintf("/api/v1/org/orgs/%d/contacts", branch.ID), ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("the branch's issues: %d %v", code, body)
		}
		if code, body := sec.do("POST", cp+"/close", `{"note":"已纳入低保"}`); code != 200 || body["status"] != "closed" || len(body["steps"].([]any)) != 5 {
			t.Fatalf("close: %d %v", code, body)
		}
	})
}
