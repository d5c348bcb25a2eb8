package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestEraseByLeader walks the erasure as a village leader would: the
// household page offers it beside a member who moved away (not beside the
// registered head), the form asks for a reason, and afterwards the page
// shows the placeholder where the name and masked numbers were.
func TestEraseByLeader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		op := &access.Actor{UserID: 900, Username: "setup", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, op, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
			registry.ResidentInput{Name: "巴特尔", Ethnicity: "蒙古族", IDNumber: idFor("19800101", 1), Relation: registry.Head, Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		son, err := db.Registry().AddResident(ctx, op, h.ID, registry.ResidentInput{Name: "巴图", Ethnicity: "蒙古族", IDNumber: idFor("20000101", 3),
			Phone: "13812341234", Relation: "子", Political: "群众"}, "出生")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Registry().SetResidentStatus(ctx, op, son.ID, registry.MovedOut, "外出落户"); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("leader", access.Grant{Role: access.Leader, Region: pingan})
		erase := fmt.Sprintf("/residents/%d/erase", son.ID)
		page := s.page(fmt.Sprintf("/households/%d", h.ID), http.StatusOK, erase, "巴图", "138****1234")
		if strings.Contains(page, fmt.Sprintf("/residents/%d/erase", h.HeadID)) {
			t.Fatal("erasure offered for the registered head")
		}
		s.page(erase, http.StatusOK, "依个人信息保护法第四十七条")
		if res := s.post(erase, url.Values{"reason": {""}}); res.StatusCode == http.StatusSeeOther {
			t.Fatal("erased without a reason")
		}
		if res := s.post(erase, url.Values{"reason": {"本人书面申请"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("erase: %d %s", res.StatusCode, s.body(res))
		}
		page = s.page(fmt.Sprintf("/households/%d", h.ID), http.StatusOK, registry.ErasedName)
		if strings.Contains(page, "巴图") || strings.Contains(page, "138****1234") || strings.Contains(page, erase) {
			t.Fatal("the household page still shows the erased member's data or offers a second erasure")
		}
		body := s.body(s.post(erase, url.Values{"reason": {"再次申请"}}))
		if !strings.Contains(body, "该人员的个人信息已删除") {
			t.Fatalf("second erasure not refused in words:\n%s", body)
		}
	})
}
