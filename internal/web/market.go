package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/regioncode"
)

type storesPage struct {
	Stores []market.Store
	// Open lists the villages and townships where the user may open a
	// store, each linking to the form.
	Open []option
}

// marketStores lists the stores the user manages or sells at.
func (w *Web) marketStores(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	stores, err := w.Market.Stores(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.market", "market")
	p := &storesPage{Stores: stores}
	for _, code := range a.Scopes(access.MarketManage) {
		if l := regioncode.LevelOf(code); l < regioncode.Township {
			continue // a league or banner opens stores from a township's page down
		}
		path, err := w.Regions.Path(r.Context(), a, code)
		if err != nil {
			continue // a scope the register does not know lists nothing
		}
		p.Open = append(p.Open, option{Value: code, Label: path[len(path)-1].Name})
		kids, _ := w.Regions.Children(r.Context(), a, code)
		for _, k := range kids {
			p.Open = append(p.Open, option{Value: k.Code, Label: path[len(path)-1].Name + k.Name})
		}
	}
	v.Data = p
	w.render(rw, http.StatusOK, "market_stores", v)
}

// storeOf loads the store named in the path.
func (w *Web) storeOf(r *http.Request, a *access.Actor) (*market.Store, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return w.Market.Store(r.Context(), a, id)
}

// storeCrumbs lead from the store list to a store.
func storeCrumbs(v *view, st *market.Store) []crumb {
	return []crumb{{Label: v.T("page.market"), Href: "/market"}, {Label: st.Name, Href: fmt.Sprintf("/stores/%d", st.ID)}}
}

func storeFields(v *view, r *http.Request, st *market.Store) []field {
	name, addr, days := r.FormValue("name"), r.FormValue("address"), r.FormValue("return_days")
	if r.Method != http.MethodPost && st != nil {
		name, addr, days = st.Name, st.Address, strconv.Itoa(st.ReturnDays)
	}
	if days == "" {
		days = strconv.Itoa(market.DefaultReturnDays)
	}
	return []field{
		{Name: "name", Label: v.T("market.store_name_label"), Type: "text", Value: name, Required: true, MaxLen: 40},
		{Name: "address", Label: v.T("market.store_address"), Type: "text", Value: addr},
		{Name: "return_days", Label: v.T("market.return_days_label"), Type: "text", InputMode: "numeric", Value: days, Help: v.T("market.return_days_help")},
	}
}

func storeInput(r *http.Request, region string) market.StoreInput {
	days, err := strconv.Atoi(strings.TrimSpace(r.FormValue("return_days")))
	if err != nil {
		days = -1
	}
	return market.StoreInput{Region: region, Name: r.FormValue("name"), Address: r.FormValue("address"), ReturnDays: days}
}

// storeNew opens a store at a village or township.
func (w *Web) storeNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if !a.Can(access.MarketManage, code) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	v := w.newView(r, "page.store_new", "market")
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("page.market"), Href: "/market"}, {Label: v.T("page.store_new")}}
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: "/market", Intro: v.T("market.store_intro", name), Fields: storeFields(v, r, nil)}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	st, err := w.Market.CreateStore(r.Context(), a, storeInput(r, code))
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, fmt.Sprintf("/stores/%d", st.ID), "saved")
}

type storePage struct {
	Store  *market.Store
	Goods  []market.Goods
	Manage bool
	Sell   bool
	Board  string // the village's public shelf, for a village's store
}

// storeShow is a store's page: its goods with prices and stock, and the
// ways to the counter, the stock forms and the reports.
func (w *Web) storeShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	st, err := w.storeOf(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	goods, err := w.Market.Goods(r.Context(), a, st.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.market", "market")
	v.Title = st.Name
	v.Crumbs = storeCrumbs(v, st)[:1]
	p := &storePage{Store: st, Goods: goods, Manage: market.CanManage(a, st), Sell: sells(a, st)}
	if regioncode.LevelOf(st.Region) == regioncode.Village {
		p.Board = "/market/board/" + st.Region
	}
	v.Data = p
	w.render(rw, http.StatusOK, "market_store", v)
}

// sells reports whether a, who can see st, may sell there: whoever sees
// a store without managing it is one of its clerks.
func sells(a *access.Actor, st *market.Store) bool {
	return !market.CanManage(a, st) || a.Can(access.MarketSell, st.Region)
}

// storeForm serves a form about one store: drawn on GET, run on POST,
// then back to the store's page or, when run names one, to that page.
func (w *Web) storeForm(title string, fields func(v *view, r *http.Request, st *market.Store) []field,
	run func(r *http.Request, a *access.Actor, st *market.Store) (string, error)) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		st, err := w.storeOf(r, a)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		v := w.newView(r, title, "market")
		v.Crumbs = append(storeCrumbs(v, st), crumb{Label: v.T(title)})
		back := fmt.Sprintf("/stores/%d", st.ID)
		f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: back, Fields: fields(v, r, st)}
		for _, fd := range f.Fields {
			f.Multipart = f.Multipart || fd.Type == "file"
		}
		if r.Method != http.MethodPost {
			if !market.CanManage(a, st) {
				w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
				return
			}
			w.showForm(rw, v, f)
			return
		}
		to, err := run(r, a, st)
		if err != nil {
			w.formOrFail(rw, r, v, f, err)
			return
		}
		if to == "" {
			to = back
		}
		seeOther(rw, r, to, "saved")
	}
}

func (w *Web) storeSettings() func(http.ResponseWriter, *http.Request, *access.Actor) {
	return w.storeForm("page.store_settings", storeFields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		_, err := w.Market.UpdateStore(r.Context(), a, st.ID, storeInput(r, st.Region))
		return "", err
	})
}

// storeClose closes a store for a reason its households will read.
func (w *Web) storeClose() func(http.ResponseWriter, *http.Request, *access.Actor) {
	fields := func(v *view, r *http.Request, st *market.Store) []field {
		return []field{{Name: "reason", Label: v.T("market.closing_reason_label"), Type: "text", Value: r.FormValue("reason"), Required: true, MaxLen: 100,
			Help: v.T("market.closing_help")}}
	}
	return w.storeForm("page.store_close", fields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		_, err := w.Market.CloseStore(r.Context(), a, st.ID, r.FormValue("reason"))
		return "", err
	})
}

// storeReopen opens a closed store again, from the button on its page.
func (w *Web) storeReopen(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.Market.ReopenStore(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, fmt.Sprintf("/stores/%d", id), "saved")
}

func (w *Web) storeClerks() func(http.ResponseWriter, *http.Request, *access.Actor) {
	fields := func(v *view, r *http.Request, st *market.Store) []field {
		help := v.T("market.clerks_none")
		if len(st.Clerks) > 0 {
			help = v.T("market.clerks_now", strings.Join(st.Clerks, "、"))
		}
		return []field{
			{Name: "username", Label: v.T("market.clerk_username"), Type: "text", Value: r.FormValue("username"), Required: true, Help: help},
			{Name: "remove", Label: v.T("market.clerk_action"), Type: "select", Value: r.FormValue("remove"),
				Options: []option{{Value: "", Label: v.T("market.clerk_assign")}, {Value: "1", Label: v.T("market.clerk_remove")}}},
		}
	}
	return w.storeForm("page.store_clerks", fields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		return "", w.Market.AssignClerk(r.Context(), a, st.ID, r.FormValue("username"), r.FormValue("remove") == "1")
	})
}

// formInt reads an integer form field, blank as 0; anything else reads as
// badInt, which every check downstream refuses with the field's own
// message.
func formInt(r *http.Request, name string) int64 {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return badInt
	}
	return n
}

// badInt stands for an unreadable number: below every lower bound.
const badInt = -1 << 40
