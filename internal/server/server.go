// Package server assembles the HTTP handler: the web pages, the JSON API
// and the static assets behind one middleware chain that gives every
// request an id, security headers, a session, cross-origin protection and
// a panic guard.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// SessionCookie names the session cookie. Over TLS the __Host- prefix
// pins it to this host and path and forbids it without Secure.
const SessionCookie = "shanzhi_session"

// CookieName returns the session cookie's name for a connection.
func CookieName(tls bool) string {
	if tls {
		return "__Host-" + SessionCookie
	}
	return SessionCookie
}

// IsHTTPS reports whether the request reached the client's browser over
// HTTPS, as withBasics worked it out: the cookies it sets must then be
// Secure and the session cookie __Host-.
func IsHTTPS(r *http.Request) bool { return access.RequestFrom(r.Context()).HTTPS }

// hstsAge is how long a browser that saw HTTPS keeps to it: a year, the
// usual value, since a township's address does not go back to plain HTTP.
const hstsAge = "max-age=31536000"

// isHTTPS decides whether the client's connection is HTTPS: TLS to us,
// or a trusted reverse proxy's X-Forwarded-Proto of https. The header of
// anyone else is ignored, as X-Forwarded-For is.
func isHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	peer, ok := parseHop(r.RemoteAddr)
	if !ok || !isTrusted(peer, trusted) {
		return false
	}
	proto := r.Header.Values("X-Forwarded-Proto")
	if len(proto) == 0 {
		return false
	}
	// A chain of proxies appends; the nearest one's word counts.
	last := proto[len(proto)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https")
}

// RequestID returns the id the middleware gave the request, which users
// quote to administrators and the log records beside every error.
func RequestID(ctx context.Context) string { return access.RequestFrom(ctx).ID }

// Options are the settings of the middleware chain.
type Options struct {
	Trusted []netip.Prefix // reverse proxies whose forwarding headers are believed
	Secret  []string       // path prefixes whose next segment the log leaves out (Router.SecretPrefixes)
}

// Middleware wraps h with the chain every route shares.
func Middleware(h http.Handler, auth access.AuthService, log *slog.Logger, opt Options) http.Handler {
	cop := http.NewCrossOriginProtection()
	h = cop.Handler(h)
	h = withSession(h, auth, log)
	return withBasics(h, log, opt.Trusted, opt.Secret)
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withBasics sets the request id and the security headers, logs the
// request and turns a panic into a plain 500 that names only the id.
func withBasics(h http.Handler, log *slog.Logger, trusted []netip.Prefix, secret []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		client := ClientIP(r, trusted)
		https := isHTTPS(r, trusted)
		ctx := access.WithRequest(r.Context(), access.Request{ID: id, Client: client, HTTPS: https})
		hd := w.Header()
		if https {
			hd.Set("Strict-Transport-Security", hstsAge)
		}
		// No inline script anywhere, so the policy can forbid it outright.
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w, status: 200}
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !sw.wrote {
					http.Error(sw, "服务器内部错误，请求编号 "+id, http.StatusInternalServerError)
				}
			}
			log.Info("request", "request_id", id, "client", client, "method", r.Method, "path", redactPath(r.URL.Path, secret), "status", sw.status, "ms", time.Since(start).Milliseconds())
		}()
		h.ServeHTTP(sw, r.WithContext(ctx))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(s int) {
	if !w.wrote {
		w.status, w.wrote = s, true
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withSession loads the session named by the cookie, if any, into the
// request context. Handlers decide whether they need one.
func withSession(h http.Handler, auth access.AuthService, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tls := IsHTTPS(r)
		c, err := r.Cookie(CookieName(tls))
		if err == nil && c.Value != "" {
			s, err := auth.Session(r.Context(), c.Value)
			switch {
			case err == nil:
				r = r.WithContext(access.WithSession(r.Context(), s))
			case fault.CodeOf(err) == fault.Internal:
				log.Error("session lookup", "request_id", RequestID(r.Context()), "err", err)
				http.Error(w, "服务器内部错误，请求编号 "+RequestID(r.Context()), http.StatusInternalServerError)
				return
			case fault.CodeOf(err) == fault.Unavailable:
				// Maintenance keeps the session: it is still good after.
				http.Error(w, "系统维护中（正在更换密钥或恢复备份），请稍后再试。Under maintenance, try again shortly.", http.StatusServiceUnavailable)
				return
			default:
				http.SetCookie(w, &http.Cookie{Name: CookieName(tls), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: tls, SameSite: http.SameSiteLaxMode})
			}
		}
		h.ServeHTTP(w, r)
	})
}
