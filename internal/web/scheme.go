package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/scheme"
)

// schemeRoles are the roles a scheme item may allow to award it, in the
// order the editor shows them.
var schemeRoles = []access.Role{access.Operator, access.Leader, access.Reviewer}

// schemePage is a region's scheme page: what is in force, the history,
// and for a leader the draft with its changes and the publish form.
type schemePage struct {
	Region   region.Region
	InForce  *scheme.Resolved
	Versions []scheme.Scheme
	Manage   bool
	Draft    *scheme.Scheme
	Aspects  []scheme.Aspect // the draft's, with blank rows to add
	// Choices are the aspects an item may go under: the draft's, and for
	// a layer those of the scheme in force above it too.
	Choices  []scheme.Aspect
	Rows     []schemeRow
	Changes  []scheme.ItemDiff
	Roles    []access.Role
	Today    string
	Error    string
	Problems []string
	IsTop    bool // no region above to start from
}

// schemeRow is one line of the draft editor.
type schemeRow struct {
	N     int
	Item  scheme.Item
	Roles map[access.Role]bool
	Bad   bool
}

// schemeShow draws the scheme page.
func (w *Web) schemeShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.schemePage(rw, r, a, nil, nil)
}

// schemePage draws the page, with err (and the draft the user sent, when
// saving it failed) in place of the stored draft.
func (w *Web) schemePage(rw http.ResponseWriter, r *http.Request, a *access.Actor, sent *scheme.Scheme, err error) {
	code := r.PathValue("code")
	ctx := r.Context()
	path, perr := w.Regions.Path(ctx, a, code)
	if perr != nil {
		w.fail(rw, r, perr)
		return
	}
	now := w.Now()
	p := &schemePage{Region: path[len(path)-1], Manage: a.Can(access.SchemeManage, code), Roles: schemeRoles, Today: scheme.Day(scheme.Today(now)),
		IsTop: len(path) < 2}
	if res, rerr := w.Schemes.Resolve(ctx, a, code, scheme.Today(now)); rerr == nil {
		p.InForce = res
	} else if !fault.Is(rerr, fault.NotFound) {
		w.fail(rw, r, rerr)
		return
	}
	var verr error
	if p.Versions, verr = w.Schemes.Versions(ctx, a, code); verr != nil {
		w.fail(rw, r, verr)
		return
	}
	v := w.newView(r, "page.scheme", "regions")
	v.Crumbs = append(regionCrumbs(a, path), crumb{Label: v.T("page.scheme")})
	if p.Manage {
		d, derr := w.Schemes.Draft(ctx, a, code)
		if derr != nil {
			w.fail(rw, r, derr)
			return
		}
		if sent != nil {
			d = sent
		}
		if d != nil {
			changes, cerr := scheme.DraftChanges(ctx, w.Schemes, a, code, d, now)
			if cerr != nil {
				w.fail(rw, r, cerr)
				return
			}
			p.Changes = changes
			p.Draft = d
			p.Aspects = append(slices.Clone(d.Aspects), scheme.Aspect{}, scheme.Aspect{})
			p.Choices = slices.Clone(d.Aspects)
			if p.InForce != nil {
				for _, as := range p.InForce.Aspects {
					if !slices.ContainsFunc(p.Choices, func(x scheme.Aspect) bool { return x.Code == as.Code }) {
						p.Choices = append(p.Choices, as)
					}
				}
			}
			for i, it := range append(slices.Clone(d.Items), scheme.Item{}, scheme.Item{}, scheme.Item{}) {
				row := schemeRow{N: i, Item: it, Roles: map[access.Role]bool{}}
				for _, ro := range it.Roles {
					row.Roles[ro] = true
				}
				p.Rows = append(p.Rows, row)
			}
		}
	}
	status := http.StatusOK
	if err != nil {
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code == fault.Internal || fe.Code == fault.Unauthorized {
			w.fail(rw, r, err)
			return
		}
		status = fault.HTTPStatus(fe.Code)
		p.Error = v.M(fe.Msg)
		for _, f := range fe.Fields {
			msg := v.M(f.Msg)
			if rest, ok := strings.CutPrefix(f.Name, "items."); ok {
				n, _, _ := strings.Cut(rest, ".")
				if i, aerr := strconv.Atoi(n); aerr == nil && i < len(p.Rows) {
					p.Rows[i].Bad = true
					msg = v.T("scheme.row", i+1) + msg
				}
			}
			p.Problems = append(p.Problems, msg)
		}
	}
	v.Data = p
	w.render(rw, status, "scheme", v)
}

// schemeStart starts the region's draft from the source the leader chose.
func (w *Web) schemeStart(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	_, err := w.Schemes.StartDraft(r.Context(), a, code, scheme.Source(r.FormValue("source")), strings.TrimSpace(r.FormValue("from")))
	if err != nil {
		w.schemePage(rw, r, a, nil, err)
		return
	}
	seeOther(rw, r, "/regions/"+code+"/scheme#draft", "scheme_draft")
}

// schemeSave saves the draft editor; a refused draft is shown again as
// sent, with its problems, and the stored one stays as it was.
func (w *Web) schemeSave(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	d := schemeForm(r, code)
	if _, err := w.Schemes.SaveDraft(r.Context(), a, d); err != nil {
		w.schemePage(rw, r, a, &d, err)
		return
	}
	seeOther(rw, r, "/regions/"+code+"/scheme#changes", "saved")
}

// schemeDiscard drops the draft.
func (w *Web) schemeDiscard(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if err := w.Schemes.DiscardDraft(r.Context(), a, code); err != nil {
		w.schemePage(rw, r, a, nil, err)
		return
	}
	seeOther(rw, r, "/regions/"+code+"/scheme", "scheme_discarded")
}

// schemePublish publishes the draft from the date chosen.
func (w *Web) schemePublish(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	from := scheme.ParseDay(strings.TrimSpace(r.FormValue("effective_from")))
	if from.IsZero() && strings.TrimSpace(r.FormValue("effective_from")) != "" {
		w.schemePage(rw, r, a, nil, fault.OnField(fault.Invalid, "effective_from", "scheme.effective"))
		return
	}
	if _, err := w.Schemes.PublishDraft(r.Context(), a, code, from); err != nil {
		w.schemePage(rw, r, a, nil, err)
		return
	}
	seeOther(rw, r, "/regions/"+code+"/scheme", "scheme_published")
}

// schemeForm reads the draft editor: settings, aspect rows and item rows;
// blank rows and rows ticked for removal are left out.
func schemeForm(r *http.Request, code string) scheme.Scheme {
	num := func(name string) int { return scheme.Number(r.FormValue(name)) }
	on := func(name string) bool { return r.FormValue(name) != "" }
	d := scheme.Scheme{Region: code, Name: r.FormValue("name"), BaseScore: num("base_score"), BasePeriod: scheme.Period(r.FormValue("base_period")),
		CarryOver: scheme.CarryOver(r.FormValue("carry_over")), NoticeDays: num("notice_days"), AllowLocalItems: on("allow_local_items"),
		AllowOverride: on("allow_override")}
	codes, names := r.Form["aspect_code"], r.Form["aspect_name"]
	for i := range codes {
		if i < len(names) && (strings.TrimSpace(codes[i]) != "" || strings.TrimSpace(names[i]) != "") {
			d.Aspects = append(d.Aspects, scheme.Aspect{Code: codes[i], Name: names[i], Order: len(d.Aspects) + 1})
		}
	}
	rows := min(num("rows"), scheme.MaxItems+10)
	for i := range rows {
		f := func(name string) string { return fmt.Sprintf("item.%d.%s", i, name) }
		if on(f("remove")) || strings.TrimSpace(r.FormValue(f("code"))) == "" && strings.TrimSpace(r.FormValue(f("name"))) == "" {
			continue
		}
		it := scheme.Item{Code: r.FormValue(f("code")), Aspect: r.FormValue(f("aspect")), Name: r.FormValue(f("name")), Description: r.FormValue(f("description")),
			Points: num(f("points")), Unit: scheme.Unit(r.FormValue(f("unit"))), Cap: num(f("cap")), CapPeriod: scheme.Period(r.FormValue(f("cap_period"))),
			Evidence:    scheme.Evidence{Photo: on(f("photo")), Text: on(f("text")), Witness: on(f("witness"))},
			Overridable: on(f("overridable"))}
		if it.Cap == 0 {
			it.CapPeriod = ""
		}
		for _, ro := range r.Form[f("roles")] {
			it.Roles = append(it.Roles, access.Role(ro))
		}
		d.Items = append(d.Items, it)
	}
	return d
}
