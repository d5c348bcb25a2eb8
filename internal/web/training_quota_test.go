package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestUnitNominationPages walks 单位推荐 on the pages: the department
// imports a unit's places from a sheet and downloads the quota sheet; the
// unit's staff, signed in with a grant for their unit, land on its page,
// are refused over the quota in Chinese naming it, nominate within it,
// print their notice, and cannot open another unit's page.
func TestUnitNominationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin, pingan = "152221100000", "152221100201"
		zzb := &access.Actor{UserID: 1, Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		unit := func(name, code string) int64 {
			u, err := db.Org().CreateUnit(ctx, zzb, org.UnitInput{Region: pingan, Name: name, CreditCode: creditcode.Complete(code), Type: org.Institution})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		u1, u2 := unit("平安村卫生室", "12152221MA0N00001"), unit("平安村小学", "12152221MA0N00002")
		var cadres []string
		for i := range 3 {
			c, err := db.Cadres().CreateCadre(ctx, zzb, org.CadreInput{Unit: u1, Name: fmt.Sprintf("卫生员%d号", i+1), Post: "干事", Rank: "staff", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			cadres = append(cadres, fmt.Sprint(c.ID))
		}
		c, err := db.Training().CreateClass(ctx, zzb, training.ClassInput{Region: keerqin, Name: "卫生培训班", Start: "2026-06-01", End: "2026-06-03", Capacity: 10})
		if err != nil {
			t.Fatal(err)
		}
		class := fmt.Sprintf("/training/classes/%d", c.ID)
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		if code, body := s.sendFile(class+"/quotas/import", "", "名额.csv", []byte(fmt.Sprintf("单位编号,单位名称,名额\n%d,平安村卫生室,99\n", u1))); code != http.StatusUnprocessableEntity || !strings.Contains(body, "超过本班计划人数 10 人") {
			t.Fatalf("quotas over capacity: %d\n%s", code, body)
		}
		if code, body := s.sendFile(class+"/quotas/import", "", "名额.csv", []byte(fmt.Sprintf("单位编号,单位名称,名额\n%d,平安村卫生室,2\n%d,平安村小学,\n", u1, u2))); code != http.StatusSeeOther {
			t.Fatalf("quotas: %d\n%s", code, body)
		}
		s.page(class+"/quotas", http.StatusOK, "平安村卫生室")
		if res := s.get(class + "/quotas.xlsx"); res.StatusCode != http.StatusOK {
			t.Fatalf("quota sheet: %d", res.StatusCode)
		}
		s.user("weisheng", access.Grant{Role: access.UnitStaff, Region: pingan, Unit: u1})
		page := fmt.Sprintf("/org/units/%d", u1)
		if loc := s.get("/").Header.Get("Location"); loc != page+"/cadres" {
			t.Errorf("the unit's staff land on %q", loc)
		}
		s.page(page+"/cadres", http.StatusOK, "卫生员1号", "卫生培训班")
		res := s.post(page+"/nominate", url.Values{"class": {fmt.Sprint(c.ID)}, "cadre": cadres})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "推荐名额 2 人") {
			t.Fatalf("over quota: %d\n%s", res.StatusCode, body)
		}
		if res := s.post(page+"/nominate", url.Values{"class": {fmt.Sprint(c.ID)}, "cadre": cadres[:2]}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("nominate: %d %s", res.StatusCode, s.body(res))
		}
		s.page(fmt.Sprintf("%s/notice?class=%d", page, c.ID), http.StatusOK, "卫生员1号", "卫生员2号")
		s.page(fmt.Sprintf("/org/units/%d/cadres", u2), http.StatusNotFound)
		s.page(class, http.StatusNotFound)
	})
}
