// Package web serves the server-rendered pages in Chinese: the layout
// officials know from admin systems (left navigation, breadcrumb, query
// form, toolbar, bordered table, pager), working on a 360-pixel phone and
// printing on A4. Pages work without JavaScript.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/market"
	"shanzhi/internal/org"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
	"shanzhi/internal/talent"
	"shanzhi/internal/training"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the pages need.
type Deps struct {
	Catalog  *i18n.Catalog
	Regions  region.Service
	Registry registry.Service
	Auth     access.AuthService
	Users    access.UserService
	Audit    audit.Service
	Ledger   points.Service
	Awards   points.AwardService
	Review   review.Service
	Schemes  scheme.Service
	Rankings points.RankingService
	Periods  points.PeriodService
	Talent   talent.Service
	Org      org.Service
	Cadres   org.CadreService
	Training training.Service
	Surveys  survey.Service
	Market   market.Service
	Photos   points.PhotoService
	Honours  honour.BoardService
	Funds    honour.FundService
	// Privileges and Credit are the township's privileges and the
	// consented credit exports (道德积分贷).
	Privileges honour.PrivilegeService
	Credit     honour.CreditService
	// NoticeCode gives the code a village's public notice prints for its
	// ledger and audit heads (see sqlstore.NoticeCode).
	NoticeCode func(ctx context.Context, village string) (string, error)
	Limits     *server.Limits
	Log        *slog.Logger
	Demo       bool  // show the 演示模式 banner
	MaxUpload  int64 // bytes
	Now        func() time.Time
}

// Web holds the parsed templates and the dependencies.
type Web struct {
	Deps
	pages map[string]*template.Template
	font  *mongolFont
}

// New parses every page template with the layout once, failing fast on a
// template error so a broken page never reaches a user.
func New(d Deps) (*Web, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Limits == nil {
		d.Limits = server.NewLimits(d.Now, server.DefaultLimitSettings())
	}
	w := &Web{Deps: d, pages: map[string]*template.Template{}, font: newMongolFont()}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"add":     func(a, b int) int { return a + b },
		"day":     scheme.Day,
		"date":    func(t time.Time) string { return t.In(localtime.Zone()).Format("2006-01-02 15:04") },
		"pct":     func(a, b int) int { return a * 100 / max(b, 1) },
		"share":   func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) },
		"decimal": func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
		"query":   func(v url.Values) template.URL { return template.URL(v.Encode()) },
		"isError": func(s string) bool { return s != "" },
		"list":    func(s ...string) []string { return s },
		"yuan":    honour.Yuan,
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "part_") {
			continue
		}
		// Every page gets the layout and the parts several pages share.
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/part_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		w.pages[base] = t
	}
	return w, nil
}

// Static serves the embedded assets with long caching; their names change
// when their content does, by the vendoring script.
func (w *Web) Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServer(http.FS(sub))
	return http.StripPrefix("/static/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		// Files only: a directory would be answered with a listing of
		// every asset, which tells a prober more than the pages do.
		name := strings.TrimSuffix(path.Clean("/" + r.URL.Path)[1:], "/")
		if st, err := fs.Stat(sub, name); name == "" || err != nil || st.IsDir() {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(rw, r)
	}))
}

// view is what every page template receives.
type view struct {
	w      *Web
	Lang   i18n.Lang
	Title  string
	Nav    string
	Crumbs []crumb
	Actor  *access.Actor
	CSRF   string
	Demo   bool
	Flash  string
	// ResetNotice tells the user their password was reset by an administrator.
	ResetNotice string
	RequestID   string
	Data        any
	Here        string // this page's path and query, for the language switch
	// Large is large-type mode (适老化), chosen with the top bar's button.
	Large bool
	// Pending hides the menu while a second factor or a password change
	// is owed: none of its entries would open yet.
	Pending bool
	// Next is the way on from an error page, where one is known.
	Next *crumb
	// Bilingual is set on the public pages of a village that writes
	// Mongolian beside Chinese (bilingual.go); TitleMn is then the
	// heading's Mongolian and MongolCSS the stylesheet of the font.
	Bilingual bool
	TitleMn   string
	MongolCSS string
}

type crumb struct{ Label, Href string }

// Can reports whether the page's user holds p anywhere, for menus.
func (v *view) Can(p string) bool { return v.Actor.CanAnywhere(access.Permission(p)) }

// Units are the units the actor is staff of, for their menu entry.
func (v *view) Units() []int64 { return v.Actor.UnitGrantsFor(access.UnitCadres) }

// CanGrids is whether the menu's grids entry leads somewhere: a grant for
// one organisation reaches its members' contacts, not grids.
func (v *view) CanGrids() bool {
	return len(v.Actor.Scopes(access.GridRead)) > 0 || len(v.Actor.GridGrants(access.GridRead, "")) > 0
}

// ShowTokens is false for someone who is only a villager: API tokens are
// for officials' programs, and a villager's menu keeps to their household.
func (v *view) ShowTokens() bool {
	for _, g := range v.Actor.Grants {
		if g.Role != access.Villager {
			return true
		}
	}
	return false
}

// T translates a catalogue key for the page's language.
func (v *view) T(key string, args ...any) string { return v.w.Catalog.T(v.Lang, key, args...) }

// M renders a message carried by an error or a report.
func (v *view) M(m i18n.Msg) string { return v.w.Catalog.Text(v.Lang, m) }

func (w *Web) newView(r *http.Request, title, nav string) *view {
	v := &view{w: w, Lang: langOf(r), Title: title, Nav: nav, Demo: w.Demo, RequestID: server.RequestID(r.Context()), Here: r.URL.RequestURI()}
	if s := access.SessionFrom(r.Context()); s != nil {
		v.Actor, v.CSRF, v.Pending = s.Actor, s.CSRF, s.SecondFactor != "" || s.MustChange
		// The user may not have asked for a reset; the pages say when it
		// happened for a while after, whoever signs in.
		if !s.ResetAt.IsZero() && w.Now().Sub(s.ResetAt) < access.ResetNotice {
			v.ResetNotice = v.T("auth.reset_notice", localtime.In(s.ResetAt).Format("2006-01-02 15:04"))
		}
	}
	if c, err := r.Cookie(largeCookie); err == nil && c.Value == "1" {
		v.Large = true
	}
	v.Title = v.T(title)
	v.Flash = r.URL.Query().Get("flash")
	if v.Flash != "" {
		v.Flash = v.T("flash." + v.Flash)
	}
	return v
}

func langOf(r *http.Request) i18n.Lang {
	if c, err := r.Cookie("lang"); err == nil {
		return i18n.Pick(c.Value)
	}
	return i18n.ZH // Chinese first, whatever the browser says
}

func (w *Web) render(rw http.ResponseWriter, status int, page string, v *view) {
	t, ok := w.pages[page]
	if !ok {
		panic("web: no template " + page)
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	var b strings.Builder
	if err := t.Execute(&b, v); err != nil {
		w.Log.Error("render", "page", page, "request_id", v.RequestID, "err", err)
		http.Error(rw, v.T("error.internal", v.RequestID), http.StatusInternalServerError)
		return
	}
	rw.WriteHeader(status)
	fmt.Fprint(rw, b.String())
}

// fail shows an error page for err: the user's message for service faults,
// a request id and nothing else for internal ones.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	w.failWith(rw, r, err, nil)
}

// failScheme is fail for a page that needs the scheme in force at
// village: when there is none, the error page leads to the scheme page,
// where a leader sets one up.
func (w *Web) failScheme(rw http.ResponseWriter, r *http.Request, err error, village string) {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Msg.Key == "scheme.none" {
		w.failWith(rw, r, err, &crumb{Label: w.Catalog.T(langOf(r), "page.scheme"), Href: "/regions/" + village + "/scheme"})
		return
	}
	w.fail(rw, r, err)
}

// failWith is fail with a way on from the error page.
func (w *Web) failWith(rw http.ResponseWriter, r *http.Request, err error, next *crumb) {
	code := fault.CodeOf(err)
	v := w.newView(r, "page.error", "")
	v.Next = next
	var fe *fault.Error
	msg := i18n.M("error.internal", v.RequestID)
	switch {
	case code == fault.Unauthorized:
		http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	case errors.As(err, &fe) && code != fault.Internal:
		msg = fe.Msg
		if code == fault.Forbidden {
			w.denied(r, "access.denied")
		}
	default:
		// The route, not the path: a path may carry a credential (a card or
		// applicant token), and the request id leads to the redacted path.
		w.Log.Error("request failed", "request_id", v.RequestID, "route", r.Pattern, "err", err)
	}
	page := &errorPage{Msg: v.M(msg)}
	// Something not set up yet (no scheme in force) is not a dead end:
	// the catalogue's "<key>_setup" says who sets it up and where.
	if setup := msg.Key + "_setup"; w.Catalog.Has(v.Lang, setup) {
		page.Setup = v.T(setup)
	}
	v.Data = page
	w.render(rw, fault.HTTPStatus(code), "error", v)
}

// errorPage is what the error page shows: the message, and for a missing
// set-up who can make it and where.
type errorPage struct {
	Msg, Setup string
}

// page wraps a handler that needs a signed-in user whose password is not
// due for change, and on POST checks the form's CSRF token against the
// session before anything else runs.
func (w *Web) page(fn func(http.ResponseWriter, *http.Request, *access.Actor)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		s := access.SessionFrom(r.Context())
		if s == nil {
			http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if s.SecondFactor != "" {
			http.Redirect(rw, r, "/login/otp", http.StatusSeeOther)
			return
		}
		if s.MustChange {
			http.Redirect(rw, r, "/password", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if !w.postOK(rw, r, s) {
				return
			}
		}
		fn(rw, r, s.Actor)
	}
}

// maxForm bounds an ordinary form body; only uploads are larger.
const maxForm = 1 << 20

// parseForm reads a POST body under a size cap, so an oversized upload is
// refused with its own message before anything reads it into memory.
func (w *Web) parseForm(rw http.ResponseWriter, r *http.Request) error {
	limit := int64(maxForm)
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart {
		limit = w.MaxUpload + maxForm
	}
	r.Body = http.MaxBytesReader(rw, r.Body, limit)
	var err error
	if multipart {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return fault.E(fault.TooLarge, "error.too_large", w.MaxUpload>>20)
	case err != nil:
		return fault.Wrap(fault.Invalid, err, "error.bad_request")
	}
	return nil
}

// postOK reads a POST form and checks its CSRF token, answering the
// request itself when either fails.
func (w *Web) postOK(rw http.ResponseWriter, r *http.Request, s *access.Session) bool {
	if err := w.parseForm(rw, r); err != nil {
		w.fail(rw, r, err)
		return false
	}
	if !w.csrfOK(r, s) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.csrf"))
		return false
	}
	return true
}

// csrfOK checks the form's token against the session's.
func (w *Web) csrfOK(r *http.Request, s *access.Session) bool {
	t := r.PostFormValue("csrf")
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.CSRF)) == 1
}

// pathID reads a numeric path value; a malformed one is a not-found, as a
// forged id should be.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.E(fault.NotFound, "error.not_found")
	}
	return id, nil
}

// seeOther redirects after a successful POST, with a flash message key.
func seeOther(rw http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "flash=" + flash
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// denied records a refused request in the audit trail; a failure to
// record is logged, not shown, since the refusal stands either way.
func (w *Web) denied(r *http.Request, action string) {
	if w.Audit == nil {
		return
	}
	if err := w.Audit.Denied(r.Context(), access.ActorFrom(r.Context()), action, r.Method+" "+r.URL.Path); err != nil {
		w.Log.Error("audit denied", "request_id", server.RequestID(r.Context()), "err", err)
	}
}
