package api

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
	"shanzhi/internal/schemesheet"
)

// schemeJSON is a scheme version or draft as the API reads and writes it;
// a draft is saved whole, the way the scheme page saves it.
type schemeJSON struct {
	Region          string           `json:"region"`
	Name            string           `json:"name"`
	Version         int              `json:"version,omitempty"`
	Source          string           `json:"source,omitempty"`
	Inherits        bool             `json:"inherits"`
	EffectiveFrom   string           `json:"effective_from,omitempty"`
	EffectiveTo     string           `json:"effective_to,omitempty"`
	BaseScore       int              `json:"base_score"`
	BasePeriod      string           `json:"base_period"`
	CarryOver       string           `json:"carry_over"`
	NoticeDays      int              `json:"notice_days"`
	AllowLocalItems bool             `json:"allow_local_items"`
	AllowOverride   bool             `json:"allow_override"`
	Aspects         []aspectJSON     `json:"aspects"`
	Items           []schemeItemJSON `json:"items"`
	Actor           string           `json:"actor,omitempty"`
	At              string           `json:"at,omitempty"`
}

type aspectJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type evidenceJSON struct {
	Photo   bool `json:"photo"`
	Text    bool `json:"text"`
	Witness bool `json:"witness"`
}

type schemeItemJSON struct {
	Code        string       `json:"code"`
	Aspect      string       `json:"aspect"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Points      int          `json:"points"`
	Unit        string       `json:"unit"`
	Cap         int          `json:"cap"`
	CapPeriod   string       `json:"cap_period"`
	Roles       []string     `json:"roles"`
	Evidence    evidenceJSON `json:"evidence"`
	Overridable bool         `json:"overridable"`
}

func toSchemeJSON(s scheme.Scheme) schemeJSON {
	out := schemeJSON{Region: s.Region, Name: s.Name, Version: s.Version, Source: string(s.Source), Inherits: s.Inherits,
		EffectiveFrom: scheme.Day(s.EffectiveFrom), EffectiveTo: scheme.Day(s.EffectiveTo), BaseScore: s.BaseScore,
		BasePeriod: string(s.BasePeriod), CarryOver: string(s.CarryOver), NoticeDays: s.NoticeDays, AllowLocalItems: s.AllowLocalItems,
		AllowOverride: s.AllowOverride, Aspects: []aspectJSON{}, Items: []schemeItemJSON{}, Actor: s.Actor}
	if !s.CreatedAt.IsZero() {
		out.At = s.CreatedAt.UTC().Format(time.RFC3339)
	}
	for _, a := range s.Aspects {
		out.Aspects = append(out.Aspects, aspectJSON{a.Code, a.Name})
	}
	for _, it := range s.Items {
		out.Items = append(out.Items, toSchemeItemJSON(it))
	}
	return out
}

func toSchemeItemJSON(it scheme.Item) schemeItemJSON {
	roles := make([]string, len(it.Roles))
	for i, r := range it.Roles {
		roles[i] = string(r)
	}
	return schemeItemJSON{Code: it.Code, Aspect: it.Aspect, Name: it.Name, Description: it.Description, Points: it.Points, Unit: string(it.Unit),
		Cap: it.Cap, CapPeriod: string(it.CapPeriod), Roles: roles, Evidence: evidenceJSON(it.Evidence), Overridable: it.Overridable}
}

// fromSchemeJSON reads a draft body; what the store keeps from the draft
// it replaces (source, layer) is not taken from the body.
func fromSchemeJSON(code string, in schemeJSON) scheme.Scheme {
	s := scheme.Scheme{Region: code, Name: in.Name, BaseScore: in.BaseScore, BasePeriod: scheme.Period(in.BasePeriod),
		CarryOver: scheme.CarryOver(in.CarryOver), NoticeDays: in.NoticeDays, AllowLocalItems: in.AllowLocalItems, AllowOverride: in.AllowOverride}
	for i, a := range in.Aspects {
		s.Aspects = append(s.Aspects, scheme.Aspect{Code: a.Code, Name: a.Name, Order: i + 1})
	}
	for _, it := range in.Items {
		roles := make([]access.Role, len(it.Roles))
		for i, r := range it.Roles {
			roles[i] = access.Role(r)
		}
		s.Items = append(s.Items, scheme.Item{Code: it.Code, Aspect: it.Aspect, Name: it.Name, Description: it.Description, Points: it.Points,
			Unit: scheme.Unit(it.Unit), Cap: it.Cap, CapPeriod: scheme.Period(it.CapPeriod), Roles: roles, Evidence: scheme.Evidence(it.Evidence),
			Overridable: it.Overridable})
	}
	return s
}

// schemeOfficial keeps the scheme endpoints to the officials their rule
// names: a villager reads the scheme on their own page, not here.
func schemeOfficial(act *access.Actor, code string) error {
	if !act.Can(access.RegistryRead, code) && !act.Can(access.PointsWrite, code) {
		return fault.E(fault.NotFound, "region.not_found")
	}
	return nil
}

// schemeInForce is the region's scheme in force on ?date= (today when
// absent), after inheritance.
func (a *API) schemeInForce(r *http.Request, act *access.Actor) (int, any, error) {
	if err := schemeOfficial(act, r.PathValue("code")); err != nil {
		return 0, nil, err
	}
	day, err := optionalDay("date", r.URL.Query().Get("date"))
	if err != nil {
		return 0, nil, err
	}
	if day.IsZero() {
		day = scheme.Today(time.Now())
	}
	res, err := a.Schemes.Resolve(r.Context(), act, r.PathValue("code"), day)
	if err != nil {
		return 0, nil, err
	}
	items := make([]schemeItemJSON, len(res.Items))
	for i, it := range res.Items {
		items[i] = toSchemeItemJSON(it.Item)
	}
	aspects := make([]aspectJSON, len(res.Aspects))
	for i, as := range res.Aspects {
		aspects[i] = aspectJSON{as.Code, as.Name}
	}
	type ref struct {
		Region  string `json:"region"`
		Version int    `json:"version"`
	}
	var vs []ref
	for _, v := range res.Versions {
		vs = append(vs, ref{v.Region, v.Version})
	}
	return http.StatusOK, map[string]any{"region": res.Region, "date": scheme.Day(res.Date), "name": res.Name, "base_score": res.BaseScore,
		"base_period": res.BasePeriod, "carry_over": res.CarryOver, "notice_days": res.NoticeDays, "aspects": aspects, "items": items, "versions": vs}, nil
}

// schemeVersions is the region's history: every version, who published
// it and when.
func (a *API) schemeVersions(r *http.Request, act *access.Actor) (int, any, error) {
	if err := schemeOfficial(act, r.PathValue("code")); err != nil {
		return 0, nil, err
	}
	vs, err := a.Schemes.Versions(r.Context(), act, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]schemeJSON, len(vs))
	for i, v := range vs {
		out[i] = toSchemeJSON(v)
		out[i].Aspects, out[i].Items = nil, nil
	}
	return http.StatusOK, map[string]any{"items": out}, nil
}

// schemeDraftStart starts (or restarts) the region's draft.
func (a *API) schemeDraftStart(r *http.Request, act *access.Actor) (int, any, error) {
	var in struct {
		Source string `json:"source"` // template, copy, inherit, village; empty: the region's own latest version
		From   string `json:"from"`   // for village: the region to copy
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	d, err := a.Schemes.StartDraft(r.Context(), act, r.PathValue("code"), scheme.Source(in.Source), in.From)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toSchemeJSON(*d), nil
}

// schemeDraft is the region's draft with its changes against the
// region's own version in force today, item by item.
func (a *API) schemeDraft(r *http.Request, act *access.Actor) (int, any, error) {
	code := r.PathValue("code")
	d, err := a.Schemes.Draft(r.Context(), act, code)
	if err != nil || d == nil {
		return http.StatusOK, map[string]any{"draft": nil, "changes": []any{}}, err
	}
	diff, err := scheme.DraftChanges(r.Context(), a.Schemes, act, code, d, time.Now())
	if err != nil {
		return 0, nil, err
	}
	type change struct {
		Code   string          `json:"code"`
		Change string          `json:"change"`
		Fields []string        `json:"fields,omitempty"`
		Old    *schemeItemJSON `json:"old,omitempty"`
		New    *schemeItemJSON `json:"new,omitempty"`
	}
	changes := []change{}
	for _, c := range diff {
		ch := change{Code: c.Code, Change: string(c.Change), Fields: c.Fields}
		if c.Old != nil {
			o := toSchemeItemJSON(*c.Old)
			ch.Old = &o
		}
		if c.New != nil {
			n := toSchemeItemJSON(*c.New)
			ch.New = &n
		}
		changes = append(changes, ch)
	}
	return http.StatusOK, map[string]any{"draft": toSchemeJSON(*d), "changes": changes}, nil
}

// schemeDraftSave replaces the region's draft with the body.
func (a *API) schemeDraftSave(r *http.Request, act *access.Actor) (int, any, error) {
	var in schemeJSON
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	d, err := a.Schemes.SaveDraft(r.Context(), act, fromSchemeJSON(r.PathValue("code"), in))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toSchemeJSON(*d), nil
}

// schemeDraftDiscard drops the region's draft.
func (a *API) schemeDraftDiscard(r *http.Request, act *access.Actor) (int, any, error) {
	if err := a.Schemes.DiscardDraft(r.Context(), act, r.PathValue("code")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"discarded": true}, nil
}

// schemePublish publishes the region's draft from effective_from (today
// when empty).
func (a *API) schemePublish(r *http.Request, act *access.Actor) (int, any, error) {
	var in struct {
		EffectiveFrom string `json:"effective_from"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	from, err := optionalDay("effective_from", in.EffectiveFrom)
	if err != nil {
		return 0, nil, err
	}
	v, err := a.Schemes.PublishDraft(r.Context(), act, r.PathValue("code"), from)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toSchemeJSON(*v), nil
}

// maxSchemeSheet bounds an imported scheme sheet: two hundred items fit in
// a small fraction of it.
const maxSchemeSheet = 4 << 20

// schemeExport sends the region's scheme in force (or, with ?draft=1, its
// draft) as an xlsx sheet, the file another village imports.
func (a *API) schemeExport(w http.ResponseWriter, r *http.Request) {
	act, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	if err := schemeOfficial(act, code); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := scheme.Exported(r.Context(), a.Schemes, act, code, r.URL.Query().Get("draft") != "", time.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := schemesheet.Write(&buf, s, code, time.Now()); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="scheme-`+code+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// schemeImport replaces the region's draft with the scheme in the xlsx
// body; on any problem the draft stays as it was.
func (a *API) schemeImport(r *http.Request, act *access.Actor) (int, any, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxSchemeSheet+1))
	if err != nil {
		return 0, nil, err
	}
	if len(data) > maxSchemeSheet {
		return 0, nil, fault.OnField(fault.TooLarge, "file", "error.too_large", maxSchemeSheet>>20)
	}
	code := r.PathValue("code")
	d, err := schemesheet.Read("scheme.xlsx", data, code, maxSchemeSheet)
	if err != nil {
		return 0, nil, err
	}
	saved, err := a.Schemes.SaveDraft(r.Context(), act, d)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toSchemeJSON(*saved), nil
}
