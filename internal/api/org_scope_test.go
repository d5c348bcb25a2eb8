package api_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestOrgScopeAPI runs through the API what grants at a branch and at a
// unit give: the security administrator grants a secretary for a branch
// and a unit's staff for a unit (region taken from them); the grids list
// pages by cursor; the department sets a unit's places, the unit's staff
// nominate within them (over the quota refused with each cadre's problem)
// and read their notice, and another unit is not found.
func TestOrgScopeAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		branch, err := db.Org().CreateOrg(ctx, seed, org.OrgInput{Region: pingan, Kind: org.Branch, Name: "平安村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		u1, err := db.Org().CreateUnit(ctx, seed, org.UnitInput{Region: pingan, Name: "平安村卫生室", CreditCode: creditcode.Complete("12152221MA0N00001"), Type: org.Institution})
		if err != nil {
			t.Fatal(err)
		}
		u2, err := db.Org().CreateUnit(ctx, seed, org.UnitInput{Region: pingan, Name: "平安村小学", CreditCode: creditcode.Complete("12152221MA0N00002"), Type: org.Institution})
		if err != nil {
			t.Fatal(err)
		}
		var cadres []int64
		for i := range 3 {
			c, err := db.Cadres().CreateCadre(ctx, seed, org.CadreInput{Unit: u1.ID, Name: fmt.Sprintf("卫生员%d", i+1), Post: "干事", Rank: "staff", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			cadres = append(cadres, c.ID)
		}
		for i := range 5 {
			if _, err := db.Org().CreateGrid(ctx, seed, org.GridInput{Village: pingan, Name: fmt.Sprintf("第%d网格", i+1)}); err != nil {
				t.Fatal(err)
			}
		}
		sec := login("security", access.Grant{Role: access.SecAdmin, Region: "150000000000"})
		staff := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		shuji, err := db.CreateUser(ctx, nil, "shuji", "书记", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := sec.do("POST", fmt.Sprintf("/api/v1/users/%d/grants", shuji), fmt.Sprintf(`{"role":"secretary","org":%d}`, branch.ID)); code != 200 ||
			len(body["grants"].([]any)) != 1 || body["grants"].([]any)[0].(map[string]any)["region_code"] != pingan {
			t.Fatalf("grant for a branch: %d %v", code, body)
		}
		if code, _ := sec.do("POST", fmt.Sprintf("/api/v1/users/%d/grants", shuji), fmt.Sprintf(`{"role":"operator","org":%d}`, branch.ID)); code != 422 {
			t.Errorf("an operator granted for a branch: %d", code)
		}
		// Grids by cursor: 5 in pages of 2.
		seen, after := 0, ""
		for page := 0; page < 5; page++ {
			code, body := staff.do("GET", "/api/v1/grids?limit=2"+after, "")
			if code != 200 {
				t.Fatalf("grids: %d %v", code, body)
			}
			seen += len(body["items"].([]any))
			next, ok := body["next"].(float64)
			if !ok {
				break
			}
			after = fmt.Sprintf("&after=%d", int64(next))
		}
		if seen != 5 {
			t.Errorf("grids paged: %d of 5", seen)
		}
		// Quotas and nominations.
		c, err := db.Training().CreateClass(ctx, seed, training.ClassInput{Region: keerqin, Name: "卫生培训班", Start: "2026-06-01", End: "2026-06-03", Capacity: 10})
		if err != nil {
			t.Fatal(err)
		}
		if code, body := staff.do("POST", fmt.Sprintf("/api/v1/training/classes/%d/quotas", c.ID), fmt.Sprintf(`{"quotas":[{"unit":%d,"quota":2}]}`, u1.ID)); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("quotas: %d %v", code, body)
		}
		unit := login("weisheng", access.Grant{Role: access.UnitStaff, Region: pingan, Unit: u1.ID})
		if code, body := unit.do("GET", fmt.Sprintf("/api/v1/org/units/%d/cadres", u1.ID), ""); code != 200 || len(body["cadres"].([]any)) != 3 || len(body["quotas"].([]any)) != 1 {
			t.Fatalf("the unit's cadres: %d %v", code, body)
		}
		if code, _ := unit.do("GET", fmt.Sprintf("/api/v1/org/units/%d/cadres", u2.ID), ""); code != 404 {
			t.Errorf("another unit's cadres: %d", code)
		}
		nominate := fmt.Sprintf("/api/v1/org/units/%d/nominations", u1.ID)
		code, body := unit.do("POST", nominate, fmt.Sprintf(`{"class":%d,"cadres":[%d,%d,%d]}`, c.ID, cadres[0], cadres[1], cadres[2]))
		if code != 422 || body["items"].([]any)[2].(map[string]any)["problem"] == "" {
			t.Fatalf("over quota: %d %v", code, body)
		}
		if code, body := unit.do("POST", nominate, fmt.Sprintf(`{"class":%d,"cadres":[%d,%d]}`, c.ID, cadres[0], cadres[1])); code != 201 {
			t.Fatalf("nominate: %d %v", code, body)
		}
		if code, body := unit.do("GET", fmt.Sprintf("/api/v1/org/units/%d/notice?class=%d", u1.ID, c.ID), ""); code != 200 || len(body["trainees"].([]any)) != 2 {
			t.Fatalf("notice: %d %v", code, body)
		}
		if code, _ := unit.do("GET", fmt.Sprintf("/api/v1/training/classes/%d/quotas", c.ID), ""); code != 404 {
			t.Errorf("a unit's staff read the class's quotas: %d", code)
		}
		_, es := staff.do("GET", fmt.Sprintf("/api/v1/training/classes/%d/enrolments", c.ID), "")
		first := int64(es["items"].([]any)[0].(map[string]any)["id"].(float64))
		if code, body := staff.do("POST", fmt.Sprintf("/api/v1/training/classes/%d/withdraw", c.ID), fmt.Sprintf(`{"enrolment":%d}`, first)); code != 200 {
			t.Fatalf("withdraw: %d %v", code, body)
		}
		if code, body := staff.do("GET", fmt.Sprintf("/api/v1/training/classes/%d/quotas", c.ID), ""); code != 200 || body["items"].([]any)[0].(map[string]any)["nominated"] != 1.0 {
			t.Fatalf("quotas after withdrawal: %d %v", code, body)
		}
	})
}
