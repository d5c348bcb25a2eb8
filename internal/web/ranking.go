package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/localtime"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
)

type rankingPage struct {
	Region     string
	RegionName string
	Period     string
	Aspect     string
	Villages   []points.Ranked
	// Regions ranks the units one level down (townships of a banner,
	// banners of a league), only above a township; Unit names them.
	Regions    []points.Ranked
	Unit       string
	Order      points.RegionOrder
	Households []points.Ranked
	Public     bool // the village-hall board: names masked, no links
	// Chart is the village bars as JSON for app.js to draw with ECharts;
	// the page reads the same figures from the table without script.
	Chart template.JS
}

// rankingParams reads the period (default: this month) and the aspect.
func (w *Web) rankingParams(r *http.Request) (period, aspect string) {
	period = r.URL.Query().Get("period")
	if period == "" {
		period = w.Now().In(localtime.Zone()).Format("2006-01")
	}
	return period, r.URL.Query().Get("aspect")
}

// rankings shows the households and villages of a region ranked by the
// points of approved awards in a period, with each village's
// participation rate.
func (w *Web) rankings(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	region := r.URL.Query().Get("region")
	if region == "" {
		if s := a.Scopes(access.RegistryRead); len(s) > 0 {
			region = s[0]
		}
	}
	period, aspect := w.rankingParams(r)
	p := &rankingPage{Region: region, Period: period, Aspect: aspect}
	var err error
	if p.RegionName, err = w.regionTitle(r, a, region); err != nil {
		w.fail(rw, r, err)
		return
	}
	if lvl := regioncode.LevelOf(region); lvl != 0 && lvl < regioncode.Township {
		p.Order = points.RegionOrder(r.URL.Query().Get("order"))
		if p.Order == "" {
			p.Order = points.ByPerHousehold
		}
		if p.Regions, err = w.Rankings.Regions(r.Context(), a, region, period, aspect, p.Order); err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Unit = fmt.Sprintf("ranking.unit.%d", lvl+1)
	}
	if p.Villages, err = w.Rankings.Villages(r.Context(), a, region, period, aspect); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Households, err = w.Rankings.Households(r.Context(), a, region, period, aspect, 50); err != nil {
		w.fail(rw, r, err)
		return
	}
	var names []string
	var values []int64
	for _, x := range p.Villages[:min(len(p.Villages), 30)] {
		names, values = append(names, x.Name), append(values, x.Points)
	}
	js, _ := json.Marshal(map[string]any{"names": names, "values": values})
	p.Chart = template.JS(js)
	v := w.newView(r, "page.rankings", "rankings")
	v.Data = p
	w.render(rw, http.StatusOK, "rankings", v)
}

// board is a village's public board for the screen in the village hall:
// the month's top households with masked names, and the village's total.
// boardNamed reports whether a public board of period ("2026-06" or
// "2026") still names households: a month's board through the month after
// it, a year's through the January after it.
func boardNamed(period string, now time.Time) bool {
	last := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, now.Location())
	switch len(period) {
	case len("2006-01"):
		return period >= last.Format("2006-01")
	case len("2006"):
		return period >= last.Format("2006")
	}
	return false
}

func (w *Web) board(rw http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	period, aspect := w.rankingParams(r)
	// The board reads as the village itself: a reader covering only that
	// village, so nothing outside it can appear.
	reader := &access.Actor{Username: "board", Grants: []access.Grant{{Role: access.Reviewer, Region: code}}}
	hs, err := w.Rankings.Households(r.Context(), reader, code, period, aspect, 20)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// Names stay on the board while its period is on display, and never
	// a minor's.
	named := boardNamed(period, localtime.In(w.Now()))
	for i := range hs {
		hs[i].Head, hs[i].HeadMongol = review.MaskNames(hs[i].Head, hs[i].HeadMongol)
		if !named || hs[i].HeadMinor {
			hs[i].Head, hs[i].HeadMongol = "", ""
		}
	}
	v := w.newView(r, "page.board", "")
	if _, err := w.publicScript(r, v, code); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.biTitle("page.board", nil, nil)
	v.Data = &rankingPage{Region: code, Period: period, Households: hs, Public: true}
	w.render(rw, http.StatusOK, "rankings", v)
}
