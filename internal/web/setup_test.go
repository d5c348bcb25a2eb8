package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore/storetest"
)

// TestMissingSchemePage opens the award form of a village under no
// scheme: the page says what is missing and who sets it up, rather than a
// bare not-found with only a link home: who sets it up, and a link to the
// village's scheme page where they do.
func TestMissingSchemePage(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
	h, err := db.Registry().CreateHousehold(context.Background(), seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
		registry.ResidentInput{Name: "周一", Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"})
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, db)
	s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
	s.page(fmt.Sprintf("/households/%d/award", h.ID), http.StatusNotFound, "没有正在生效的积分评价方案", "谁来设立", "嘎查村的领导", "安全管理员", `href="/regions/`+pingan+`/scheme"`)
}
