package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/photo"
)

// goodsOptions lists a store's goods for a select, with their stock.
func (w *Web) goodsOptions(v *view, r *http.Request, st *market.Store) []option {
	gs, _ := w.Market.Goods(r.Context(), v.Actor, st.ID)
	out := []option{{}}
	for _, g := range gs {
		out = append(out, option{Value: strconv.FormatInt(g.ID, 10), Label: v.T("market.goods_option", g.Name, g.Stock, g.Unit)})
	}
	return out
}

// pickedGoods is the item a goods form is about: ?g= on the page, the
// hidden field on the post.
func (w *Web) pickedGoods(v *view, r *http.Request, st *market.Store) *market.Goods {
	id, _ := strconv.ParseInt(r.FormValue("g"), 10, 64)
	gs, _ := w.Market.Goods(r.Context(), v.Actor, st.ID)
	for _, g := range gs {
		if g.ID == id {
			return &g
		}
	}
	return nil
}

func yesNo(v *view) []option {
	return []option{{Value: "1", Label: v.T("market.yes")}, {Value: "", Label: v.T("market.no")}}
}

// goodsEdit adds an item to a store or, with ?g=, edits one.
func (w *Web) goodsEdit() func(http.ResponseWriter, *http.Request, *access.Actor) {
	fields := func(v *view, r *http.Request, st *market.Store) []field {
		val := func(k string) string { return r.FormValue(k) }
		if g := w.pickedGoods(v, r, st); g != nil && r.Method != http.MethodPost {
			vals := map[string]string{"name": g.Name, "category": g.Category, "unit": g.Unit, "price": strconv.FormatInt(g.Price, 10),
				"limit": strconv.FormatInt(g.Limit, 10), "limit_per": string(g.LimitPer), "on_shelf": map[bool]string{true: "1"}[g.OnShelf]}
			val = func(k string) string { return vals[k] }
		} else if r.Method != http.MethodPost {
			val = func(k string) string { return map[string]string{"on_shelf": "1"}[k] }
		}
		pers := make([]option, len(market.Periods))
		for i, p := range market.Periods {
			pers[i] = option{Value: string(p), Label: v.T("market.period." + p.Name())}
		}
		return []field{
			{Name: "name", Label: v.T("market.goods_name_label"), Type: "text", Value: val("name"), Required: true, MaxLen: 40},
			{Name: "category", Label: v.T("market.category_label"), Type: "text", Value: val("category"), Help: v.T("market.category_help")},
			{Name: "unit", Label: v.T("market.unit_label"), Type: "text", Value: val("unit"), Required: true, MaxLen: 6},
			{Name: "price", Label: v.T("market.price_label"), Type: "text", InputMode: "numeric", Value: val("price"), Required: true, Help: v.T("market.price_help")},
			{Name: "limit", Label: v.T("market.limit_label"), Type: "text", InputMode: "numeric", Value: val("limit"), Help: v.T("market.limit_help")},
			{Name: "limit_per", Label: v.T("market.limit_per_label"), Type: "select", Value: val("limit_per"), Options: pers},
			{Name: "on_shelf", Label: v.T("market.on_shelf"), Type: "select", Value: val("on_shelf"), Options: yesNo(v)},
			{Name: "g", Type: "hidden", Value: r.FormValue("g")},
		}
	}
	return w.storeForm("page.goods_edit", fields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		id := formInt(r, "g")
		_, err := w.Market.SaveGoods(r.Context(), a, market.GoodsInput{ID: max(id, 0), Store: st.ID, Name: r.FormValue("name"), Category: r.FormValue("category"),
			Unit: r.FormValue("unit"), Price: formInt(r, "price"), Limit: formInt(r, "limit"), LimitPer: market.Period(r.FormValue("limit_per")), OnShelf: r.FormValue("on_shelf") == "1"})
		return "", err
	})
}

// goodsPhoto uploads a photo for an item.
func (w *Web) goodsPhoto() func(http.ResponseWriter, *http.Request, *access.Actor) {
	fields := func(v *view, r *http.Request, st *market.Store) []field {
		label := v.T("market.photo")
		if g := w.pickedGoods(v, r, st); g != nil {
			label = v.T("market.photo_of", g.Name)
		}
		return []field{
			{Name: "photo", Label: label, Type: "file", Accept: "image/jpeg,image/png,image/webp,image/gif", Required: true, Help: v.T("market.photo_help", market.MaxPhoto>>10)},
			{Name: "g", Type: "hidden", Value: r.FormValue("g")},
		}
	}
	return w.storeForm("page.goods_photo", fields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		f, _, err := r.FormFile("photo")
		if err != nil {
			return "", fault.OnField(fault.Invalid, "photo", "market.photo_missing")
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, market.MaxPhoto+1))
		if err != nil {
			return "", err
		}
		if len(data) == 0 {
			return "", fault.OnField(fault.Invalid, "photo", "market.photo_missing")
		}
		return "", w.Market.SetPhoto(r.Context(), a, st.ID, formInt(r, "g"), data)
	})
}

// goodsPhotoServe sends an item's photo to anyone: goods and their
// pictures are what a shop shows in its window.
func (w *Web) goodsPhotoServe(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data, ctype, err := w.Market.Photo(r.Context(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	photo.Serve(rw, ctype, data, "public, max-age=300")
}

// stockIn records a delivery: bought with village funds, or donated.
func (w *Web) stockIn() func(http.ResponseWriter, *http.Request, *access.Actor) {
	fields := func(v *view, r *http.Request, st *market.Store) []field {
		srcs := []option{{}}
		for _, s := range market.Sources {
			srcs = append(srcs, option{Value: string(s), Label: v.T("market.source." + string(s))})
		}
		return []field{
			{Name: "goods", Label: v.T("market.goods_label"), Type: "select", Value: r.FormValue("goods") + r.FormValue("g"), Options: w.goodsOptions(v, r, st), Required: true},
			{Name: "qty", Label: v.T("market.qty_label"), Type: "text", InputMode: "numeric", Value: r.FormValue("qty"), Required: true},
			{Name: "source", Label: v.T("market.source_label"), Type: "select", Value: r.FormValue("source"), Options: srcs, Required: true},
			{Name: "donor", Label: v.T("market.donor_label"), Type: "text", Value: r.FormValue("donor"), Help: v.T("market.donor_help")},
			{Name: "thank", Label: v.T("market.thank_label"), Type: "select", Value: r.FormValue("thank"), Options: []option{{Value: "", Label: v.T("market.no")}, {Value: "1", Label: v.T("market.yes")}}},
			{Name: "memo", Label: v.T("market.memo_label"), Type: "text", Value: r.FormValue("memo")},
		}
	}
	return w.storeForm("page.stock_in", fields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		_, err := w.Market.Receive(r.Context(), a, market.Inbound{Store: st.ID, Goods: formInt(r, "goods"), Qty: formInt(r, "qty"), Source: market.Source(r.FormValue("source")),
			Donor: r.FormValue("donor"), Thank: r.FormValue("thank") == "1", Memo: r.FormValue("memo")})
		return "", err
	})
}

// stockAdjust corrects an item's stock for a reason.
func (w *Web) stockAdjust() func(http.ResponseWriter, *http.Request, *access.Actor) {
	fields := func(v *view, r *http.Request, st *market.Store) []field {
		rs := []option{{}}
		for _, s := range market.Reasons {
			rs = append(rs, option{Value: string(s), Label: v.T("market.reason." + string(s))})
		}
		return []field{
			{Name: "goods", Label: v.T("market.goods_label"), Type: "select", Value: r.FormValue("goods") + r.FormValue("g"), Options: w.goodsOptions(v, r, st), Required: true},
			{Name: "delta", Label: v.T("market.delta_label"), Type: "text", Value: r.FormValue("delta"), Required: true, Help: v.T("market.delta_help")},
			{Name: "reason", Label: v.T("market.reason_label"), Type: "select", Value: r.FormValue("reason"), Options: rs, Required: true},
			{Name: "memo", Label: v.T("market.memo_label"), Type: "text", Value: r.FormValue("memo")},
		}
	}
	return w.storeForm("page.stock_adjust", fields, func(r *http.Request, a *access.Actor, st *market.Store) (string, error) {
		_, err := w.Market.Adjust(r.Context(), a, market.Adjustment{Store: st.ID, Goods: formInt(r, "goods"), Delta: formInt(r, "delta"),
			Reason: market.Reason(r.FormValue("reason")), Memo: r.FormValue("memo")})
		return "", err
	})
}

type countPage struct {
	Store  *market.Store
	Goods  []market.Goods
	Result *market.Count
	Counts []market.Count
	Error  string
}

// stockCount is the stock count (盘点): the shelf counted item by item,
// then the variance report, kept with the earlier ones.
func (w *Web) stockCount(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	st, err := w.storeOf(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.stock_count", "market")
	v.Crumbs = append(storeCrumbs(v, st), crumb{Label: v.T("page.stock_count")})
	p := &countPage{Store: st}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		counted := map[int64]int64{}
		for k, vals := range r.PostForm {
			var id int64
			if _, err := fmt.Sscanf(k, "c%d", &id); err != nil || len(vals) == 0 || vals[0] == "" {
				continue
			}
			counted[id] = formInt(r, k)
		}
		p.Result, err = w.Market.StockCount(r.Context(), a, st.ID, counted)
		if err != nil {
			var ok bool
			if p.Error, ok = w.inlineError(rw, r, v, err); !ok {
				return
			}
			status = http.StatusUnprocessableEntity
		}
	}
	if p.Goods, err = w.Market.Goods(r.Context(), a, st.ID); err == nil {
		p.Counts, err = w.Market.Counts(r.Context(), a, st.ID)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = p
	w.render(rw, status, "market_count", v)
}

// inlineError turns a service error into a message for the top of a
// page; errors a page cannot carry (not found, internal) are answered
// with the error page, and ok is false.
func (w *Web) inlineError(rw http.ResponseWriter, r *http.Request, v *view, err error) (string, bool) {
	f := &form{}
	if !v.applyError(f, err) {
		w.fail(rw, r, err)
		return "", false
	}
	if f.Error == "" {
		f.Error = v.T("error.forbidden")
	}
	return f.Error, true
}
