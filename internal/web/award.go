package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/server"
)

// newKey makes the idempotency key drawn into a form when the page is
// drawn, so a double click or a resubmitted page records one award.
func newKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// awardForm records an award or deduction for a household, choosing an
// item of the scheme in force in its village today.
func (w *Web) awardForm(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.award", "households")
	h, crumbs, back, err := w.householdTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.award")})
	if !a.Can(access.PointsWrite, h.VillageCode) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	res, err := w.Schemes.Resolve(r.Context(), a, h.VillageCode, scheme.Today(w.Now()))
	if err != nil {
		w.failScheme(rw, r, err, h.VillageCode)
		return
	}
	items := []option{{}}
	names := map[string]string{}
	for _, as := range res.Aspects {
		names[as.Code] = as.Name
	}
	for _, it := range res.Items {
		items = append(items, option{Value: it.Code, Label: fmt.Sprintf("%s · %s（%+d）", names[it.Aspect], it.Name, it.Points)})
	}
	key := r.FormValue("key")
	if key == "" {
		key = newKey()
	}
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Intro: v.T("award.intro"), Fields: []field{
		{Name: "item", Label: v.T("award.item"), Type: "select", Value: r.FormValue("item"), Options: items, Required: true},
		{Name: "evidence", Label: v.T("award.evidence"), Type: "textarea", Value: r.FormValue("evidence")},
		{Name: "witness", Label: v.T("award.witness"), Type: "text", Value: r.FormValue("witness")},
		{Name: "proxy_for", Label: v.T("award.proxy_for"), Type: "text", Value: r.FormValue("proxy_for"), Help: v.T("award.proxy_help")},
		{Name: "key", Type: "hidden", Value: key},
	}, Multipart: true}
	f.Fields = append(f.Fields, photoFields(v, r)...)
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	photos, err := w.formPhotos(v, f, r, a)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	in := points.AwardInput{Key: key, Household: h.ID, Item: r.FormValue("item"), Evidence: r.FormValue("evidence"),
		Witness: r.FormValue("witness"), Photos: photos, ProxyFor: r.FormValue("proxy_for")}
	if in.ProxyFor != "" {
		in.Channel = points.Proxy
	}
	if _, err := w.Awards.Record(r.Context(), a, in); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "award_recorded")
}

type noticePage struct {
	Village string
	Name    string
	Notices []review.Notice
	// ChainCode is the short keyed code of the village's ledger and audit
	// heads, printed so a photograph of the notice anchors them.
	ChainCode string
}

// notice is the public notice page of a village (公示), for the screen in
// the village hall and for anyone's phone: masked names, items and points
// only, with the objections and how they were resolved.
func (w *Web) notice(rw http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	ns, err := w.Review.PublicNotices(r.Context(), code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The page names its village, read as the village itself would.
	reader := &access.Actor{Username: "notice", Grants: []access.Grant{{Role: access.Reviewer, Region: code}}}
	name, err := w.regionTitle(r, reader, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.notice", "")
	reg, err := w.publicScript(r, v, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.biTitle("page.notice_of", []any{name}, []any{mongolName(reg)})
	p := &noticePage{Village: code, Name: name, Notices: ns}
	if w.NoticeCode != nil {
		if p.ChainCode, err = w.NoticeCode(r.Context(), code); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	v.Data = p
	w.render(rw, http.StatusOK, "notice", v)
}

// noticeObject takes an objection from the public page, anonymous unless
// the villager is signed in; the card limiter keeps it from being flooded.
func (w *Web) noticeObject(rw http.ResponseWriter, r *http.Request) {
	if err := w.parseForm(rw, r); err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := server.Limited(w.Limits.Card, "object:"+access.RequestFrom(r.Context()).ClientKey()); err != nil {
		w.fail(rw, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.fail(rw, r, fault.E(fault.NotFound, "error.not_found"))
		return
	}
	var a *access.Actor
	if s := access.SessionFrom(r.Context()); s != nil && s.Actor.Household() != 0 {
		a = s.Actor
	}
	o, err := w.Review.Object(r.Context(), a, r.PathValue("code"), id, r.FormValue("reason"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The objector lands on their objection's own page, which shows the
	// reference number to keep and, later, the outcome.
	seeOther(rw, r, "/objection?ref="+url.QueryEscape(o.Ref), "objection")
}

type outcomePage struct {
	Ref     string
	Outcome *review.Outcome
	Error   string
}

// objectionOutcome is the public page where an objector brings their
// reference number and sees how the objection was handled: the item's
// masked summary and the resolution, naming nobody. It is rate-limited
// like the objection form, so reference numbers cannot be tried in bulk.
func (w *Web) objectionOutcome(rw http.ResponseWriter, r *http.Request) {
	v := w.newView(r, "page.objection", "")
	p := &outcomePage{Ref: r.URL.Query().Get("ref")}
	v.Data = p
	if p.Ref == "" {
		w.render(rw, http.StatusOK, "objection", v)
		return
	}
	if err := server.Limited(w.Limits.Card, "object:"+access.RequestFrom(r.Context()).ClientKey()); err != nil {
		w.fail(rw, r, err)
		return
	}
	o, err := w.Review.ObjectionOutcome(r.Context(), p.Ref)
	if err != nil {
		if fault.CodeOf(err) != fault.NotFound {
			w.fail(rw, r, err)
			return
		}
		p.Error = v.T("review.ref.not_found")
		w.render(rw, http.StatusNotFound, "objection", v)
		return
	}
	p.Outcome = o
	w.render(rw, http.StatusOK, "objection", v)
}
