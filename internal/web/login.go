package web

import (
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/server"
	"shanzhi/internal/totp"
)

func (w *Web) loginForm(v *view, username, next string) *form {
	return &form{Action: "/login", Submit: v.T("auth.login.submit"), Fields: []field{
		{Name: "username", Label: v.T("auth.login_name"), Type: "text", Value: username, Required: true, Auto: "username"},
		{Name: "password", Label: v.T("auth.password"), Type: "password", Required: true, Auto: "current-password"},
		{Name: "next", Type: "hidden", Value: next},
	}}
}

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, "page.login", "")
	w.showForm(rw, v, w.loginForm(v, "", server.LocalPath(r.URL.Query().Get("next"))))
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	if err := w.parseForm(rw, r); err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.login", "")
	username, next := r.FormValue("username"), server.LocalPath(r.FormValue("next"))
	token, err := w.Limits.SignIn(r.Context(), username, func() (string, error) {
		return w.Auth.Login(r.Context(), username, r.FormValue("password"))
	})
	if err != nil {
		f := w.loginForm(v, username, next)
		if fault.CodeOf(err) == fault.Unauthorized {
			f.Error = v.T("auth.login.failed")
			w.showForm(rw, v, f)
			return
		}
		w.formOrFail(rw, r, v, f, err)
		return
	}
	// A new token at every sign-in: a session id planted before login is
	// worth nothing after it.
	http.SetCookie(rw, &http.Cookie{Name: server.CookieName(server.IsHTTPS(r)), Value: token, Path: "/", HttpOnly: true, Secure: server.IsHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	if s := access.SessionFrom(r.Context()); s != nil && w.parseForm(rw, r) == nil && w.csrfOK(r, s) {
		if c, err := r.Cookie(server.CookieName(server.IsHTTPS(r))); err == nil {
			if err := w.Auth.Logout(r.Context(), c.Value); err != nil {
				w.fail(rw, r, err)
				return
			}
		}
	}
	http.SetCookie(rw, &http.Cookie{Name: server.CookieName(server.IsHTTPS(r)), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: server.IsHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

func (w *Web) passwordForm(v *view) *form {
	return &form{Action: "/password", Submit: v.T("action.save"), Intro: v.T("auth.password.rules"), Fields: []field{
		{Name: "old", Label: v.T("auth.password.old"), Type: "password", Required: true, Auto: "current-password"},
		{Name: "new", Label: v.T("auth.password.new"), Type: "password", Required: true, Auto: "new-password"},
		{Name: "again", Label: v.T("auth.password.again"), Type: "password", Required: true, Auto: "new-password"},
	}}
}

// passwordPage is reachable while a password change is due, which is why
// it checks the session itself instead of going through page.
func (w *Web) passwordPage(rw http.ResponseWriter, r *http.Request) {
	s := access.SessionFrom(r.Context())
	if s == nil {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	if s.SecondFactor != "" {
		http.Redirect(rw, r, "/login/otp", http.StatusSeeOther)
		return
	}
	v := w.newView(r, "page.password", "")
	f := w.passwordForm(v)
	if s.MustChange {
		f.Intro = v.T("auth.password.must_change") + " " + f.Intro
	}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	if !w.postOK(rw, r, s) {
		return
	}
	if r.FormValue("new") != r.FormValue("again") {
		w.formOrFail(rw, r, v, f, fault.OnField(fault.Invalid, "again", "auth.password.mismatch"))
		return
	}
	if err := w.Auth.ChangePassword(r.Context(), s.Actor, r.FormValue("old"), r.FormValue("new")); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	// Every session ended with the change, this one included.
	http.Redirect(rw, r, "/login?flash=password_changed", http.StatusSeeOther)
}

// language switches the catalogue a browser is served, remembered in a
// cookie for a year; Chinese stays the default for everyone else.
func (w *Web) language(rw http.ResponseWriter, r *http.Request) {
	l := i18n.Pick(r.URL.Query().Get("to"))
	http.SetCookie(rw, &http.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: server.IsHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(rw, r, server.LocalPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// textSize switches large-type mode (适老化) on or off for this browser,
// remembered in a cookie for a year like the language; a plain link does
// it, so it works without script on any phone.
func (w *Web) textSize(rw http.ResponseWriter, r *http.Request) {
	c := &http.Cookie{Name: largeCookie, Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: server.IsHTTPS(r), SameSite: http.SameSiteLaxMode}
	if r.URL.Query().Get("to") != "large" {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(rw, c)
	http.Redirect(rw, r, server.LocalPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// largeCookie remembers large-type mode.
const largeCookie = "large"

// secondFactor asks for a TOTP code, first showing a QR code to enrol an
// authenticator app when the user has none. It checks the session itself:
// page would send the user straight back here.
func (w *Web) secondFactor(rw http.ResponseWriter, r *http.Request) {
	s := access.SessionFrom(r.Context())
	c, err := r.Cookie(server.CookieName(server.IsHTTPS(r)))
	if s == nil || err != nil {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	if s.SecondFactor == "" {
		http.Redirect(rw, r, "/", http.StatusSeeOther)
		return
	}
	v := w.newView(r, "page.mfa", "")
	f := &form{Action: "/login/otp", Submit: v.T("auth.mfa.submit"), Intro: v.T("auth.mfa.intro"), Fields: []field{
		{Name: "code", Label: v.T("auth.mfa.code"), Type: "text", Required: true, InputMode: "numeric", Auto: "one-time-code", MaxLen: 7},
	}}
	if r.Method == http.MethodPost {
		if !w.postOK(rw, r, s) {
			return
		}
		key := access.RequestFrom(r.Context()).ClientKey()
		err := server.Limited(w.Limits.Code, key)
		if err == nil {
			if err = w.Auth.VerifySecondFactor(r.Context(), c.Value, r.FormValue("code")); err == nil {
				// Only wrong codes count: an office enrolling its staff
				// from one address is not held up by their successes.
				w.Limits.Code.Refund(key)
			}
		}
		if err != nil {
			w.formOrFail(rw, r, v, f, err)
			return
		}
		http.Redirect(rw, r, "/", http.StatusSeeOther)
		return
	}
	if s.SecondFactor == "enrol" {
		secret, err := w.Auth.EnrolSecondFactor(r.Context(), c.Value)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		qr, err := document.QRDataURL(totp.URI(v.T("app.name"), s.Actor.Username, secret))
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		f.Intro = v.T("auth.mfa.enrol_intro")
		f.QR, f.Secret = qr, secret
	}
	w.showForm(rw, v, f)
}
