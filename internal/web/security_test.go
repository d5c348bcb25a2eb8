package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/web"
)

// TestRedirectsStayOnSite sends the language switch and the sign-in to
// targets browsers read as another host: each lands on "/".
func TestRedirectsStayOnSite(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db)
	evil := []string{"//evil.example", "/%09/evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example", "/%5Cevil.example", "/ /evil.example"}
	for _, back := range evil {
		if loc := s.get("/lang?to=zh-CN&back=" + url.QueryEscape(back)).Header.Get("Location"); loc != "/" {
			t.Errorf("/lang?back=%q redirects to %q", back, loc)
		}
	}
	// The raw form the probe sent, %09 decoded by the query parser.
	if loc := s.get("/lang?to=zh-CN&back=/%09/evil.example").Header.Get("Location"); loc != "/" {
		t.Errorf("/lang?back=/%%09/evil.example redirects to %q", loc)
	}
	s.user("zhang")
	for _, next := range evil {
		res := s.post("/login", url.Values{"username": {"zhang"}, "password": {"Second-Pass-2"}, "next": {next}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("login next=%q: %d to %q", next, res.StatusCode, loc)
		}
	}
	res := s.post("/login", url.Values{"username": {"zhang"}, "password": {"Second-Pass-2"}, "next": {"/households?page=2"}})
	if loc := res.Header.Get("Location"); loc != "/households?page=2" {
		t.Errorf("a same-site next went to %q", loc)
	}
}

// TestSignInsDoNotUseUpTheLimit signs in more often than the per-account
// limit allows attempts: only failures count.
func TestSignInsDoNotUseUpTheLimit(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db)
	s.user("wang")
	for i := range 14 {
		res := s.post("/login", url.Values{"username": {"wang"}, "password": {"Second-Pass-2"}, "next": {"/"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d refused: %d", i+1, res.StatusCode)
		}
	}
}

// TestStaticListsNothing asks for the asset directory and its parents.
func TestStaticListsNothing(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db)
	for _, p := range []string{"/static/", "/static", "/static/.", "/static//", "/static/./"} {
		res := s.get(p)
		body := s.body(res)
		if res.StatusCode == http.StatusOK || res.StatusCode/100 == 3 && res.Header.Get("Location") != "/static/" {
			t.Errorf("GET %s: %d %.80q", p, res.StatusCode, body)
		}
	}
	if res := s.get("/static/app.css"); res.StatusCode != http.StatusOK {
		t.Errorf("an asset is not served: %d", res.StatusCode)
	}
}

// TestTokenRoutesAreRedacted checks that every route carrying a
// credential in its path is one the request log redacts.
func TestTokenRoutesAreRedacted(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	w, err := web.New(web.Deps{Photos: db.Photos(), Now: db.Now})
	if err != nil {
		t.Fatal(err)
	}
	rt := &server.Router{Mux: http.NewServeMux()}
	w.Routes(rt)
	got := rt.SecretPrefixes()
	for _, want := range []string{"/card/", "/apply/t/", "/attend/t/"} {
		if !slices.Contains(got, want) {
			t.Errorf("secret prefixes %q lack %q", got, want)
		}
	}
}

// TestResetToldToUser resets a user's password and signs in with the
// one-time password: the page says the password was reset, and when.
func TestResetToldToUser(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db)
	ctx := context.Background()
	id, err := db.CreateUser(ctx, nil, "li", "li", "First-Pass-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	sys := &access.Actor{UserID: 9001, Username: "sys", Grants: []access.Grant{{Role: access.SysAdmin, Region: "150000000000"}}}
	otp, err := db.Users(access.DefaultPolicy()).ResetPassword(ctx, sys, id)
	if err != nil {
		t.Fatal(err)
	}
	if res := s.post("/login", url.Values{"username": {"li"}, "password": {otp}, "next": {"/"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the one-time password: %d", res.StatusCode)
	}
	s.page("/password", http.StatusOK, "被管理员重置")
}
