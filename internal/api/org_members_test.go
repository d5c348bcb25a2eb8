package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestOrgMembersAPI keeps the membership half through the API: roster
// rows checked (one in another branch refused with its Chinese message)
// then committed, the members paged by cursor, the changes since a date,
// a member away, 两个覆盖 with a gap closed by an instructor, the
// organisations paged by cursor, and a split.
func TestOrgMembersAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: "152221000000"}}}
		s := db.Org()
		town, err := s.CreateOrg(ctx, seed, org.OrgInput{Region: keerqin, Kind: org.Committee, Name: "科尔沁镇党委"})
		if err != nil {
			t.Fatal(err)
		}
		branch, err := s.CreateOrg(ctx, seed, org.OrgInput{Parent: town.ID, Region: pingan, Kind: org.Branch, Name: "平安村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateOrg(ctx, seed, org.OrgInput{Region: "152221103212", Kind: org.Branch, Name: "外村党支部"})
		if err != nil {
			t.Fatal(err)
		}
		id := func(birth string, seq int) string {
			first := "152221" + birth + fmt.Sprintf("%03d", seq)
			return first + string(registry.CheckChar(first))
		}
		if _, err := s.CreateMember(ctx, seed, org.MemberInput{Branch: other.ID, Name: "外村党员", IDNumber: id("19800101", 21), Probation: "2001-07-01"}); err != nil {
			t.Fatal(err)
		}
		unit, err := s.CreateUnit(ctx, seed, org.UnitInput{Region: pingan, Name: "平安快递站", CreditCode: creditcode.Complete("91152221MA0N00001"), Type: org.PrivateFirm, TwoNew: true})
		if err != nil {
			t.Fatal(err)
		}
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		rows := `[{"name":"尹志勇","gender":"男","id_number":"` + id("19700101", 11) + `","branch":"平安村党支部","probation":"1996-07-01","full":"1997-07-01","phone":"13904821234","work_unit":"平安快递站"},
			{"name":"李田田","gender":"女","id_number":"` + id("19900101", 30) + `","branch":"平安村党支部","probation":"2025-07-01"},
			{"name":"外村党员","id_number":"` + id("19800101", 21) + `","branch":"平安村党支部","probation":"2001-07-01"}]`
		code, body := zzb.do("POST", "/api/v1/org/members/import?region="+keerqin, `{"rows":`+rows+`}`)
		if code != 200 || body["new"] != 2.0 || body["refused"] != 1.0 || !strings.Contains(fmt.Sprint(body["rows"]), "本辖区以外的党组织") {
			t.Fatalf("check: %d %v", code, body)
		}
		if got, _ := s.Members(ctx, seed, branch.ID); len(got) != 0 {
			t.Fatal("a check wrote members")
		}
		if code, body := zzb.do("POST", "/api/v1/org/members/import", `{"commit":true,"rows":`+rows+`}`); code != 200 || body["new"] != 2.0 || body["committed"] != true {
			t.Fatalf("commit: %d %v", code, body)
		}
		code, body = zzb.do("GET", "/api/v1/org/members?limit=1", "")
		if code != 200 || len(body["items"].([]any)) != 1 || body["next"] == nil || strings.Contains(fmt.Sprint(body), "13904821234") {
			t.Fatalf("first page: %d %v", code, body)
		}
		code, body = zzb.do("GET", fmt.Sprintf("/api/v1/org/members?limit=1&after=%v", body["next"]), "")
		if code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("second page: %d %v", code, body)
		}
		first := body["items"].([]any)[0].(map[string]any)
		if code, _ := zzb.do("GET", "/api/v1/org/members?limit=5000", ""); code != 422 {
			t.Fatalf("a limit too large: %d", code)
		}
		if code, body := zzb.do("GET", "/api/v1/org/members/changes?since=2026-01-01", ""); code != 200 || len(body["items"].([]any)) != 2 {
			t.Fatalf("changes: %d %v", code, body)
		}
		member := first["id"]
		patch := fmt.Sprintf(`{"name":"李田田","gender":"女","probation":"2025-07-01","ethnicity":"蒙古族","job":"快递员","work_unit":%d}`, unit.ID)
		if code, body := zzb.do("PATCH", fmt.Sprintf("/api/v1/org/members/%v", member), patch); code != 200 || body["ethnicity"] != "蒙古族" || body["work_unit_name"] != "平安快递站" {
			t.Fatalf("the roster's columns by PATCH: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/members/%v/flow", member), `{"temp_name":"包头市某党支部","place":"包头市","from":"2026-02-01"}`); code != 200 || body["away"] == nil {
			t.Fatalf("flow: %d %v", code, body)
		}
		if code, body := zzb.do("GET", fmt.Sprintf("/api/v1/org/orgs/%d/flows", branch.ID), ""); code != 200 || len(body["out"].([]any)) != 1 {
			t.Fatalf("flows: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/members/%v/flow/end", member), `{"date":"2026-01-01"}`); code != 422 {
			t.Fatalf("back before leaving: %d %v", code, body)
		}
		code, body = zzb.do("GET", "/api/v1/org/coverage?region="+keerqin, "")
		if code != 200 || body["total"].(map[string]any)["units"] != 1.0 || body["total"].(map[string]any)["covered"] != 0.0 || body["total"].(map[string]any)["gap_members"] != 2.0 {
			t.Fatalf("coverage: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/units/%d/instructor", unit.ID), `{"name":"王指导"}`); code != 200 || body["instructor"] != "王指导" {
			t.Fatalf("instructor: %d %v", code, body)
		}
		if code, body := zzb.do("GET", "/api/v1/org/coverage?region="+keerqin, ""); code != 200 || body["total"].(map[string]any)["covered"] != 1.0 {
			t.Fatalf("coverage after: %d %v", code, body)
		}
		code, body = zzb.do("GET", "/api/v1/org/orgs?limit=1", "")
		if code != 200 || len(body["items"].([]any)) != 1 || body["next"] == nil {
			t.Fatalf("orgs page: %d %v", code, body)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/org/orgs/%d/split", branch.ID), fmt.Sprintf(`{"name":"平安村第二党支部","members":[%v],"reason":"分设"}`, member)); code != 201 || body["members"] != 1.0 {
			t.Fatalf("split: %d %v", code, body)
		}
		sibling := login("dashizhai", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		if code, _ := sibling.do("POST", "/api/v1/org/members/import?region="+keerqin, `{"rows":`+rows+`}`); code != 404 {
			t.Fatalf("the sibling imports into 科尔沁镇: %d", code)
		}
		if code, _ := sibling.do("GET", "/api/v1/org/coverage?region="+keerqin, ""); code != 404 {
			t.Fatalf("the sibling reads the coverage: %d", code)
		}
	})
}
