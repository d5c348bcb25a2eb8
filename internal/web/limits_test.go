package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/totp"
)

var secretRe = regexp.MustCompile(`<span class="mono">([A-Z2-7 ]+)</span>`)

// TestFailureLimits enrols more colleagues from one office address than
// the second-factor limit allows failures, and signs one account in more
// often than its sign-in limit: successes cost nothing, so all get in;
// then wrong codes still meet the limit.
func TestFailureLimits(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSiteWith(t, db, server.Options{}, httptest.NewServer, true)
	ctx := context.Background()
	limit := server.DefaultLimitSettings()
	// One browser per colleague, all from the test's one address.
	browser := func() *http.Client {
		c := s.srv.Client()
		jar, _ := cookiejar.New(nil)
		c.Jar, c.CheckRedirect = jar, func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	post := func(c *http.Client, path string, form url.Values) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.srv.URL)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	get := func(c *http.Client, path string) string {
		res, err := c.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return s.body(res)
	}
	for i := range limit.CodePerIP + 2 {
		name := fmt.Sprintf("clerk%02d", i)
		if _, err := db.CreateUser(ctx, nil, name, name, "First-Pass-1", []access.Grant{{Role: access.Operator, Region: keerqin}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, nil, name, "Second-Pass-2", false); err != nil {
			t.Fatal(err)
		}
		c := browser()
		if res := post(c, "/login", url.Values{"username": {name}, "password": {"Second-Pass-2"}, "next": {"/"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: sign-in %d", name, res.StatusCode)
		}
		page := get(c, "/login/otp")
		m := secretRe.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no authenticator secret on the enrolment page", name)
		}
		code, err := totp.Code(m[1], db.Now())
		if err != nil {
			t.Fatal(err)
		}
		res := post(c, "/login/otp", url.Values{"code": {code}, "csrf": {csrfOf(t, page)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("colleague %d of one office was refused enrolment: %d %s", i+1, res.StatusCode, s.body(res))
		}
		res.Body.Close()
	}
	// Wrong codes from that address still meet the limit.
	name := "guesser"
	if _, err := db.CreateUser(ctx, nil, name, name, "First-Pass-1", []access.Grant{{Role: access.Operator, Region: keerqin}}); err != nil {
		t.Fatal(err)
	}
	db.SetPassword(ctx, nil, name, "Second-Pass-2", false)
	// Five wrong codes end a session, so the guesser signs in afresh for
	// each: the address's limit still counts every wrong code.
	body := ""
	for range limit.CodePerIP + 1 {
		c := browser()
		post(c, "/login", url.Values{"username": {name}, "password": {"Second-Pass-2"}, "next": {"/"}}).Body.Close()
		page := get(c, "/login/otp")
		res := post(c, "/login/otp", url.Values{"code": {"000000"}, "csrf": {csrfOf(t, page)}})
		body = s.body(res)
	}
	if !strings.Contains(body, "操作过于频繁") {
		t.Fatalf("wrong code %d from one address was not refused for too many tries:\n%s", limit.CodePerIP+1, body)
	}
}
