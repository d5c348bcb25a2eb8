package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestPagesFitTheirUsers checks that a supermarket clerk lands on their
// counter, that a villager's menu has no API tokens and their page names
// the household, and that large-type mode is switched by a link and
// remembered.
func TestPagesFitTheirUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "007", VillageCode: pingan},
			registry.ResidentInput{Name: "包金花", Ethnicity: "蒙古族", IDNumber: idFor("19500101", 12), Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("shop-op", access.Grant{Role: access.Operator, Region: pingan})
		res := s.post("/regions/"+pingan+"/stores/new", url.Values{"name": {"平安村积分超市"}, "return_days": {"7"}})
		store := strings.Split(res.Header.Get("Location"), "?")[0]
		if res.StatusCode != http.StatusSeeOther || store == "" {
			t.Fatalf("open a store: %d", res.StatusCode)
		}
		s.user("shop-clerk", access.Grant{Role: access.Clerk, Region: pingan})
		s.signInAs("shop-op")
		if res := s.post(store+"/clerks", url.Values{"username": {"shop-clerk"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("assign the clerk: %d %s", res.StatusCode, s.body(res))
		}
		s.signInAs("shop-clerk")
		if loc := s.get("/").Header.Get("Location"); loc != store+"/counter" {
			t.Fatalf("the clerk's home is %q, want %s/counter", loc, store)
		}

		s.user("villager", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		body := s.page("/my", http.StatusOK, "包金花户（户号 007）", `href="/text-size?to=large`)
		if strings.Contains(body, `href="/tokens"`) {
			t.Error("a villager's menu offers API tokens")
		}
		if strings.Contains(body, `class="large"`) {
			t.Fatal("large type before it was asked for")
		}
		res = s.get("/text-size?to=large&back=" + url.QueryEscape("/my"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/my" {
			t.Fatalf("switch to large type: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		s.page("/my", http.StatusOK, `<html lang="zh-CN" class="large">`, `href="/text-size?to=normal`)
		s.get("/text-size?to=normal&back=/my")
		if strings.Contains(s.page("/my", http.StatusOK), `class="large"`) {
			t.Fatal("large type stayed after switching back")
		}
		// An official keeps the tokens page in the menu.
		s.signInAs("shop-op")
		s.page("/regions/"+pingan, http.StatusOK, `href="/tokens"`)
	})
}

// TestLargeTypeStyle checks the stylesheet's promise: large type sets
// body text of at least 18 px, and on a phone (large type or not) tables
// turn into cards. TestE2EPhoneAudit checks the result in a browser.
func TestLargeTypeStyle(t *testing.T) {
	b, err := os.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	m := regexp.MustCompile(`html\.large \{ font-size: (\d+)px; \}`).FindStringSubmatch(css)
	if m == nil {
		t.Fatal("no large-type font size")
	}
	if n, _ := strconv.Atoi(m[1]); n < 18 {
		t.Fatalf("large type is %d px, want at least 18", n)
	}
	i := strings.Index(css, "@media (max-width: 480px) {")
	if i < 0 || !strings.Contains(css[i:], ".grid thead { display: none; }") {
		t.Fatal("tables do not become cards on a phone")
	}
}
