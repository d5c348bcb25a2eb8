package api_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAPIErase erases a member who moved away through the API: an
// operator, who keeps the register but is no leader, is refused; the
// village's leader succeeds once and is told in Chinese the second time.
func TestAPIErase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, login := setup(t, db)
		ctx := context.Background()
		store := &access.Actor{UserID: 900, Username: "setup", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, store, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
			registry.ResidentInput{Name: "巴特尔", Ethnicity: "蒙古族", IDNumber: idFor("19800101", 1), Relation: registry.Head, Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		son, err := db.Registry().AddResident(ctx, store, h.ID, registry.ResidentInput{Name: "巴图", Ethnicity: "蒙古族", IDNumber: idFor("20000101", 3),
			Phone: "13812341234", Relation: "子", Political: "群众"}, "出生")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Registry().SetResidentStatus(ctx, store, son.ID, registry.MovedOut, "外出落户"); err != nil {
			t.Fatal(err)
		}
		op := login("op", access.Grant{Role: access.Operator, Region: pingan})
		leader := login("leader", access.Grant{Role: access.Leader, Region: pingan})
		path := fmt.Sprintf("/api/v1/residents/%d/erase", son.ID)
		if code, b := op.do("POST", path, `{"reason":"本人申请删除"}`); code != 403 {
			t.Fatalf("operator erased: %d %v", code, b)
		}
		code, b := leader.do("POST", path, `{"reason":"本人申请删除"}`)
		if code != 200 || b["name"] != registry.ErasedName || b["id_number_masked"] != "" || b["phone_masked"] != "" {
			t.Fatalf("erase: %d %v", code, b)
		}
		if code, b := leader.do("POST", path, `{"reason":"本人申请删除"}`); code != 409 || b["message"] != "该人员的个人信息已删除，无需再次删除" {
			t.Fatalf("second erase: %d %v", code, b)
		}
	})
}
