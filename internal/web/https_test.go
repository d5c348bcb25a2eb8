package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore/storetest"
)

// TestHTTPSCookies signs in behind a reverse proxy and over direct TLS:
// the session cookie is Secure and __Host- exactly when the browser's
// connection is HTTPS, which behind a proxy only a trusted proxy's
// X-Forwarded-Proto can say, and HTTPS answers carry HSTS.
func TestHTTPSCookies(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	if _, err := db.CreateUser(context.Background(), nil, "clerk", "clerk", "First-Pass-1", nil); err != nil {
		t.Fatal(err)
	}
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, c := range []struct {
		name    string
		opt     server.Options
		start   func(http.Handler) *httptest.Server
		proto   string
		secure  bool
		comment string
	}{
		{"plain HTTP", server.Options{}, httptest.NewServer, "", false, "no proxy, no TLS"},
		{"trusted proxy, https", server.Options{Trusted: loopback}, httptest.NewServer, "https", true, "the proxy terminated TLS"},
		{"trusted proxy, http", server.Options{Trusted: loopback}, httptest.NewServer, "http", false, "the proxy says plain HTTP"},
		{"untrusted sender, https", server.Options{}, httptest.NewServer, "https", false, "anyone can send the header"},
		{"direct TLS", server.Options{}, httptest.NewTLSServer, "", true, "TLS to us"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSiteWith(t, db, c.opt, c.start, false)
			form := url.Values{"username": {"clerk"}, "password": {"First-Pass-1"}, "next": {"/"}}
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", s.srv.URL)
			if c.proto != "" {
				req.Header.Set("X-Forwarded-Proto", c.proto)
			}
			res, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var session *http.Cookie
			for _, ck := range res.Cookies() {
				if strings.HasSuffix(ck.Name, server.SessionCookie) {
					session = ck
				}
			}
			if session == nil {
				t.Fatalf("no session cookie (%d): %v", res.StatusCode, res.Header["Set-Cookie"])
			}
			if got := session.Secure && session.Name == "__Host-"+server.SessionCookie; got != c.secure {
				t.Errorf("%s: cookie %s Secure=%v, want Secure and __Host- to be %v", c.comment, session.Name, session.Secure, c.secure)
			}
			if got := res.Header.Get("Strict-Transport-Security") != ""; got != c.secure {
				t.Errorf("%s: Strict-Transport-Security %q, want it present: %v", c.comment, res.Header.Get("Strict-Transport-Security"), c.secure)
			}
			// The session the cookie names is found on the next request
			// over the same kind of connection.
			req, _ = http.NewRequest(http.MethodGet, s.srv.URL+"/password", nil)
			if c.proto != "" {
				req.Header.Set("X-Forwarded-Proto", c.proto)
			}
			req.AddCookie(session)
			res, err = s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: the next request with the cookie got %d", c.comment, res.StatusCode)
			}
		})
	}
}
