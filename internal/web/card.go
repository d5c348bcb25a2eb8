package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"

	"shanzhi/internal/honour"
	"shanzhi/internal/server"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
)

type cardPage struct {
	H         *registry.Household
	Statement *statementPage // the villager's own points, on their page
	Members   []registry.Resident
	QR        template.URL
	Token     string // printed under the code, for typing when a scanner fails
	Public    bool   // opened by the card's token, not by a signed-in user
	Appeals   []points.Appeal
	Honours   []honour.Honour
	Boards    []honour.Board // the boards a villager may nominate a neighbour on
}

// myHousehold is the villager's page: their household, read-only.
func (w *Web) myHousehold(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	h, ms, err := w.Registry.OwnHousehold(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.my", "my")
	st, err := w.statementFor(r, v, a, h)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	appeals, err := w.Awards.Appeals(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The villager's place in the village this year, as the village board
	// ranks it.
	if st.Standing, err = w.Rankings.Standing(r.Context(), a, h.ID, scheme.Today(w.Now()).Format("2006")); err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := w.cardScript(r, v, h); err != nil {
		w.fail(rw, r, err)
		return
	}
	honours, err := w.Honours.HouseholdHonours(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The village's boards are public; the villager nominates on its own.
	boards, err := w.Honours.Boards(r.Context(), nil, h.VillageCode)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var nominated []honour.Board
	for _, b := range boards {
		if b.Kind == honour.Nominated && b.Region == h.VillageCode {
			nominated = append(nominated, b)
		}
	}
	// A villager sees whose household this is, not only 我的家庭.
	v.Title, v.TitleMn = v.T("my.title", h.HeadName, h.Number), ""
	v.Data = &cardPage{H: h, Members: ms, Statement: st, Appeals: appeals, Honours: honours, Boards: nominated}
	w.render(rw, http.StatusOK, "card", v)
}

// householdCard is the printable household card: a QR code that holds
// only the card's random token, which opens the household read-only.
func (w *Web) householdCard(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h, ms, err := w.Registry.Household(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	token, err := w.Registry.CardToken(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	qr, err := document.QRDataURL(origin(r) + "/card/" + token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.card", "households")
	v.Crumbs = []crumb{{Label: v.T("page.households"), Href: "/households?region=" + h.VillageCode}, {Label: h.Number, Href: fmt.Sprintf("/households/%d", id)}, {Label: v.T("page.card")}}
	if err := w.cardScript(r, v, h); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = &cardPage{H: h, Members: ms, QR: qr, Token: token}
	w.render(rw, http.StatusOK, "card", v)
}

// cardOpen shows the household a card's token names, to whoever holds the
// card. Members are masked; look-ups per address are rate-limited, so the
// 128-bit token cannot be guessed by brute force.
func (w *Web) cardOpen(rw http.ResponseWriter, r *http.Request) {
	if err := server.Limited(w.Limits.Card, access.RequestFrom(r.Context()).ClientKey()); err != nil {
		w.fail(rw, r, err)
		return
	}
	h, ms, err := w.Registry.CardHousehold(r.Context(), r.PathValue("token"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The card is a public page: a child of the household is not on it.
	now := w.Now()
	ms = slices.DeleteFunc(ms, func(m registry.Resident) bool { return registry.Minor(m.BirthDate, now) })
	v := w.newView(r, "page.card", "")
	if err := w.cardScript(r, v, h); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = &cardPage{H: h, Members: ms, Public: true}
	w.render(rw, http.StatusOK, "card", v)
}

// cardScript writes a household card as its village writes public
// outputs: the printed card, the page its code opens and the villager's
// own page are one card.
func (w *Web) cardScript(r *http.Request, v *view, h *registry.Household) error {
	if _, err := w.publicScript(r, v, h.VillageCode); err != nil {
		return err
	}
	v.biTitle("page.card", nil, nil)
	return nil
}

// issueVillager opens a villager account for the household and shows its
// one-time password once.
func (w *Web) issueVillager(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.villager_account", "households")
	h, crumbs, back, err := w.householdTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.villager_account")})
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Intro: v.T("villager.intro"), Fields: []field{
		{Name: "phone", Label: v.T("field.phone"), Type: "tel", Required: true, InputMode: "tel", Value: r.FormValue("phone")},
	}}
	if r.Method == http.MethodPost {
		pw, err := w.Users.IssueVillager(r.Context(), a, h.ID, r.FormValue("phone"))
		if err != nil {
			w.formOrFail(rw, r, v, f, err)
			return
		}
		f.Fields, f.Submit = nil, ""
		f.Intro = v.T("villager.issued", pw)
	}
	w.showForm(rw, v, f)
}

// declare lets a villager declare a good deed of their own household (申领).
func (w *Web) declare(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	h, _, err := w.Registry.OwnHousehold(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.declare", "my")
	res, err := w.Schemes.Resolve(r.Context(), a, h.VillageCode, scheme.Today(w.Now()))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	items := []option{{}}
	for _, it := range res.Items {
		if it.Points > 0 {
			items = append(items, option{Value: it.Code, Label: fmt.Sprintf("%s（+%d）", it.Name, it.Points)})
		}
	}
	key := r.FormValue("key")
	if key == "" {
		key = newKey()
	}
	f := &form{Action: "/my/declare", Submit: v.T("action.save"), Cancel: "/my", Intro: v.T("declare.intro"), Fields: []field{
		{Name: "item", Label: v.T("award.item"), Type: "select", Value: r.FormValue("item"), Options: items, Required: true},
		{Name: "evidence", Label: v.T("award.evidence"), Type: "textarea", Value: r.FormValue("evidence"), Required: true},
		{Name: "witness", Label: v.T("award.witness"), Type: "text", Value: r.FormValue("witness")},
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
	in := points.AwardInput{Key: key, Household: h.ID, Item: r.FormValue("item"), Channel: points.Declaration, Evidence: r.FormValue("evidence"),
		Witness: r.FormValue("witness"), Photos: photos}
	if _, err := w.Awards.Record(r.Context(), a, in); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/my", "award_recorded")
}
