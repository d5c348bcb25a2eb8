package web

import (
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/market"
	"shanzhi/internal/sheet"
)

type reportPage struct {
	Store       *market.Store
	Month       string
	Daily       []market.DayRow
	Monthly     []market.DayRow
	Flow        []market.FlowRow
	Liability   *market.Liability
	Redemptions []market.Redemption
	Kinds       []string
	Days        []dayTable // the daily and the monthly table, drawn alike
}

type dayTable struct {
	Kind string
	Rows []market.DayRow
}

// reportMonth reads ?month=2026-06, this month in Beijing by default, and
// returns its first day, the first of the next, and the year around it.
func (w *Web) reportMonth(r *http.Request) (string, time.Time, time.Time, error) {
	m := r.URL.Query().Get("month")
	if m == "" {
		m = market.Day(w.Now())[:7]
	}
	from, ok := market.ParseDay(m + "-01")
	if !ok {
		return "", time.Time{}, time.Time{}, fault.OnField(fault.Invalid, "month", "market.month")
	}
	return m, from, from.AddDate(0, 1, 0), nil
}

// report gathers a store's reports for a month.
func (w *Web) report(r *http.Request, a *access.Actor) (*reportPage, error) {
	st, err := w.storeOf(r, a)
	if err != nil {
		return nil, err
	}
	m, from, to, err := w.reportMonth(r)
	if err != nil {
		return nil, err
	}
	p := &reportPage{Store: st, Month: m, Kinds: []string{"daily", "monthly", "flow", "liability", "redemptions"}}
	ctx := r.Context()
	year := time.Date(from.Year(), 1, 1, 0, 0, 0, 0, from.Location())
	if p.Daily, err = w.Market.Daily(ctx, a, st.ID, from, to, false); err != nil {
		return nil, err
	}
	if p.Monthly, err = w.Market.Daily(ctx, a, st.ID, year, year.AddDate(1, 0, 0), true); err != nil {
		return nil, err
	}
	if p.Flow, err = w.Market.Flow(ctx, a, st.ID, from, to); err != nil {
		return nil, err
	}
	if p.Liability, err = w.Market.Liability(ctx, a, st.ID); err != nil {
		return nil, err
	}
	p.Days = []dayTable{{"daily", p.Daily}, {"monthly", p.Monthly}}
	p.Redemptions, err = w.Market.Redemptions(ctx, a, st.ID, from, to)
	return p, err
}

// marketReports shows a store's daily and monthly redemptions, its goods
// flow and its points liability, each exportable as a 台账.
func (w *Web) marketReports(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	p, err := w.report(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.market_reports", "market")
	v.Crumbs = append(storeCrumbs(v, p.Store), crumb{Label: v.T("page.market_reports")})
	v.Data = p
	w.render(rw, http.StatusOK, "market_reports", v)
}

// marketExport sends one of a store's reports as a 台账-shaped workbook.
func (w *Web) marketExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	p, err := w.report(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.market_reports", "market")
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = "daily"
	}
	var cols []sheet.Column
	var rows [][]any
	dayRows := func(rs []market.DayRow) {
		cols = []sheet.Column{{Header: v.T("market.col_date")}, {Header: v.T("market.col_count"), Kind: sheet.Int}, {Header: v.T("market.col_households"), Kind: sheet.Int},
			{Header: v.T("market.col_points"), Kind: sheet.Int}, {Header: v.T("market.col_returns"), Kind: sheet.Int}, {Header: v.T("market.col_returned"), Kind: sheet.Int},
			{Header: v.T("market.col_net"), Kind: sheet.Int}}
		for _, d := range rs {
			rows = append(rows, []any{d.Day, d.Count, d.Households, d.Points, d.Returns, d.Returned, d.Net()})
		}
	}
	switch kind {
	case "daily":
		dayRows(p.Daily)
	case "monthly":
		dayRows(p.Monthly)
	case "flow":
		cols = []sheet.Column{{Header: v.T("market.col_goods"), Width: 16}, {Header: v.T("market.col_unit")}, {Header: v.T("market.col_price"), Kind: sheet.Int},
			{Header: v.T("market.col_opening"), Kind: sheet.Int}, {Header: v.T("market.col_in"), Kind: sheet.Int}, {Header: v.T("market.col_back"), Kind: sheet.Int},
			{Header: v.T("market.col_out"), Kind: sheet.Int}, {Header: v.T("market.col_adjusted"), Kind: sheet.Int}, {Header: v.T("market.col_closing"), Kind: sheet.Int}}
		for _, f := range p.Flow {
			rows = append(rows, []any{f.Name, f.Unit, f.Price, f.Opening, f.In, f.Returned, f.Out, f.Adjusted, f.Closing})
		}
	case "liability":
		l := p.Liability
		cols = []sheet.Column{{Header: v.T("market.col_item"), Width: 24}, {Header: v.T("market.col_value"), Kind: sheet.Int}}
		rows = [][]any{{v.T("market.liab_households"), l.Households}, {v.T("market.liab_holders"), l.Holders}, {v.T("market.liab_outstanding"), l.Outstanding},
			{v.T("market.liab_stock"), l.StockValue}, {v.T("market.liab_stock_all"), l.StockAll}, {v.T("market.liab_covered"), l.Covered()}}
	case "redemptions":
		cols = []sheet.Column{{Header: v.T("market.col_no"), Kind: sheet.Int}, {Header: v.T("col.time"), Width: 18}, {Header: v.T("field.number")}, {Header: v.T("col.head")},
			{Header: v.T("market.col_lines"), Width: 30}, {Header: v.T("market.col_points"), Kind: sheet.Int}, {Header: v.T("market.col_state")}, {Header: v.T("col.actor")}}
		for _, d := range p.Redemptions {
			state := ""
			if d.Returned {
				state = v.T("market.returned_on", market.Day(d.ReturnedAt))
			}
			rows = append(rows, []any{d.ID, d.At.In(localtime.Zone()).Format("2006-01-02 15:04"), d.HouseholdNo, d.Head, market.Summary(d.Lines), d.Total, state, d.Actor})
		}
	default:
		w.fail(rw, r, fault.E(fault.NotFound, "error.not_found"))
		return
	}
	title := v.T("market.report_title", p.Store.Name, p.Month, v.T("market.report."+kind))
	w.sendSheet(rw, r, sheet.Table{Title: title, Unit: p.Store.RegionName, Date: w.Now(), Columns: cols}, title, "market-"+kind+".xlsx", rows)
}

type myMarketPage struct {
	Stores      []market.Catalogue
	Redemptions []market.Redemption
	Mine        bool // a villager's own page, with their history
}

// myMarket is the villager's view of the supermarket on their phone: the
// goods of the stores serving their village, with prices and stock, the
// donors who agreed to be thanked, and their own household's redemptions.
func (w *Web) myMarket(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	cat, err := w.Market.Catalogue(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	mine, err := w.Market.MyRedemptions(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.my_market", "my_market")
	v.Data = &myMarketPage{Stores: cat, Redemptions: mine, Mine: true}
	w.render(rw, http.StatusOK, "market_my", v)
}

// marketBoard is a village's shelf for anyone (积分超市公示): prices,
// stock and the donors who agreed to be thanked publicly.
func (w *Web) marketBoard(rw http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	cat, err := w.Market.PublicCatalogue(r.Context(), code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	reader := &access.Actor{Username: "market", Grants: []access.Grant{{Role: access.Reviewer, Region: code}}}
	name, err := w.regionTitle(r, reader, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.market_board", "")
	v.Title = v.T("page.market_board_of", name)
	v.Data = &myMarketPage{Stores: cat}
	w.render(rw, http.StatusOK, "market_my", v)
}
