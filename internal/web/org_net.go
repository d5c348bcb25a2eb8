package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
)

// formIDs reads every id a form sent under name (ticked boxes, a
// multiple select); what does not parse is left out for the store to
// find missing.
func formIDs(r *http.Request, name string) []int64 {
	var out []int64
	for _, x := range r.Form[name] {
		if id, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

type netView struct {
	N          *org.Net
	Candidates []org.NetCandidate
	Centrals   []org.NetMember
	Plain      []org.NetMember // members that are not central households
	CanBuild   bool
	Error      string
	Problems   []string
}

// gridNet is the builder of a grid's linkage net: the tree as it stands,
// and for those who build it, forms that pick from lists (no dragging, so
// it works in the WeChat browser of a 360 px phone).
func (w *Web) gridNet(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showNet(rw, r, a, nil)
}

func (w *Web) showNet(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var n *org.Net
	if err == nil {
		n, err = w.Org.Net(r.Context(), a, id)
	}
	d := &netView{N: n}
	if err == nil {
		d.CanBuild = a.CanGrid(access.GridLink, n.Village, n.Grid)
		if d.CanBuild {
			d.Candidates, err = w.Org.NetCandidates(r.Context(), a, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, m := range n.Members {
		if m.Central {
			d.Centrals = append(d.Centrals, m)
		} else {
			d.Plain = append(d.Plain, m)
		}
	}
	v := w.newView(r, "org.page.net", "grids")
	v.Title = n.GridName + " " + v.T("org.page.net")
	v.Crumbs = gridCrumbs(v, n.Grid, n.GridName, "org.page.net")
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_net", v)
}

// gridCrumbs are the breadcrumbs of a page about a grid.
func gridCrumbs(v *view, grid int64, name, page string) []crumb {
	return []crumb{{Label: v.T("org.page.grids"), Href: "/grids"}, {Label: name, Href: "/grids/" + strconv.FormatInt(grid, 10)}, {Label: v.T(page)}}
}

// gridNetAct runs one builder form: the operation is the form's op.
func (w *Web) gridNetAct(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		maxLinks, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("max_links")))
		_, err = w.Org.ChangeNet(r.Context(), a, id, org.NetChange{Op: org.NetOp(r.FormValue("op")), Member: formID(r, "member"),
			Members: formIDs(r, "members"), Households: formIDs(r, "households"), Central: r.FormValue("central") == "1", MaxLinks: maxLinks})
	}
	w.afterAct(rw, r, err, "/grids/"+strconv.FormatInt(id, 10)+"/net", "saved", func(err error) { w.showNet(rw, r, a, err) })
}

// gridCoverage shows how far a grid's net reaches: households linked to
// nobody, members linking none or more than the grid's figure.
func (w *Web) gridCoverage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var c *org.NetCoverage
	var g *org.Grid
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	if err == nil {
		c, err = w.Org.NetCoverage(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.net_coverage", "grids")
	v.Title = g.Name + " " + v.T("org.page.net_coverage")
	v.Crumbs = gridCrumbs(v, g.ID, g.Name, "org.page.net_coverage")
	v.Data = c
	w.render(rw, http.StatusOK, "grid_coverage", v)
}

type cardsView struct {
	Cards []org.Card
	Date  string
}

// gridCards prints the contact cards of a grid's linked households, two
// to an A4 page, or one household's card (?household=).
func (w *Web) gridCards(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var cards []org.Card
	if err == nil {
		cards, err = w.Org.Cards(r.Context(), a, id, formID(r, "household"))
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.cards", "grids")
	if len(cards) > 0 {
		v.Crumbs = gridCrumbs(v, id, cards[0].Grid, "org.page.cards")
	}
	v.Data = &cardsView{Cards: cards, Date: localtime.Day(w.Now())}
	w.render(rw, http.StatusOK, "org_cards", v)
}

type memberPageView struct {
	Grid    int64
	Pick    []org.NetMember // the net's members, when none is chosen
	Member  org.NetMember
	Today   string
	Kinds   []option
	Recent  map[int64][]org.Contact
	CanLog  bool
	Error   string
	Problem []string
}

// gridMemberPage is a party member's phone page: the households they
// link, each with its last contacts and a form to log one more.
func (w *Web) gridMemberPage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showMemberPage(rw, r, a, nil)
}

func (w *Web) showMemberPage(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	member := formID(r, "member")
	var n *org.Net
	if err == nil {
		n, err = w.Org.Net(r.Context(), a, id)
	}
	var contacts []org.Contact
	if err == nil {
		contacts, err = w.Org.Contacts(r.Context(), a, org.ContactFilter{Grid: id, Limit: 500})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.member_households", "grids")
	d := &memberPageView{Grid: id, Today: localtime.Day(w.Now()), Recent: map[int64][]org.Contact{}, CanLog: a.CanGrid(access.GridContact, n.Village, id)}
	found := false
	for _, m := range n.Members {
		if m.Member == member {
			d.Member, found = m, true
		}
	}
	if !found && member != 0 {
		w.fail(rw, r, fault.E(fault.NotFound, "error.not_found"))
		return
	}
	if !found {
		// No member asked for: the list to pick one's own name from.
		d.Pick = n.Members
	}
	for _, c := range contacts {
		if len(d.Recent[c.Household]) < 3 {
			d.Recent[c.Household] = append(d.Recent[c.Household], c)
		}
	}
	for _, k := range org.ContactKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: v.T("org.contact_kind." + string(k))})
	}
	v.Title = strings.TrimSpace(d.Member.Name + " " + v.T("org.page.member_households"))
	v.Crumbs = gridCrumbs(v, id, n.GridName, "org.page.member_households")
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problem = msg, problems
	v.Data = d
	w.render(rw, status, "org_net_member", v)
}
