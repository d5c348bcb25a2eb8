package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore/storetest"
)

// TestGrantRegionNames has the security administrator, who may read no
// region's data, look up a region by code as the grant form does, and
// find every list of grants naming the region in full.
func TestGrantRegionNames(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	if _, err := db.CreateUser(ctx, nil, "clerk", "clerk", "First-Pass-1", []access.Grant{{Role: access.Operator, Region: pingan}}); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, db)
	s.user("guard", access.Grant{Role: access.SecAdmin, Region: "150000000000"})

	lookup := func(code string) (int, map[string]string) {
		res := s.get("/admin/region-name?code=" + code)
		var out map[string]string
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		res.Body.Close()
		return res.StatusCode, out
	}
	if status, out := lookup(pingan); status != http.StatusOK || !strings.Contains(out["path"], "兴安盟") || !strings.HasSuffix(out["path"], "平安村") {
		t.Fatalf("look-up of %s: %d %v", pingan, status, out)
	}
	if status, out := lookup("152221100299"); status != http.StatusUnprocessableEntity || !strings.Contains(out["error"], "152221100299") {
		t.Fatalf("look-up of an unknown code: %d %v", status, out)
	}
	s.page("/admin/users", http.StatusOK, "科尔沁镇 › 平安村")
	users, err := db.Users(access.DefaultPolicy()).Users(ctx, &access.Actor{Grants: []access.Grant{{Role: access.SecAdmin, Region: "150000000000"}}})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, u := range users {
		if u.Username == "clerk" {
			id = u.ID
		}
	}
	body := s.page("/admin/users/"+strconv.FormatInt(id, 10), http.StatusOK, "科尔沁镇 › 平安村", `src="/static/grant.js"`, "data-region-name")
	if strings.Contains(body, "<script>") {
		t.Fatal("the grant form carries an inline script")
	}
	s.page("/static/grant.js", http.StatusOK, "region-name")
}
