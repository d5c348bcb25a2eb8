package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/talent"
)

type coverageView struct {
	*talent.Coverage
	Rounds   []talent.Round
	Due      talent.Target
	OnTrack  bool
	Tiers    []talent.Tier
	Channels []talent.Channel
	Statuses []talent.Status
	Chart    template.JS
	// TierChart and ChannelChart are the candidates and leaders per tier
	// and per source channel, as JSON for app.js.
	TierChart, ChannelChart template.JS
	// UncoveredRows is one page of the uncovered villages, numbered from
	// UncoveredFrom; Next is the cursor of the page after, "" on the last.
	UncoveredRows []talent.Area
	UncoveredFrom int
	Next          string
}

// uncoveredPage is how many uncovered villages the coverage page lists at
// a time: a league has hundreds, and the page is read for its figures.
const uncoveredPage = 50

// talentCoverage is the coverage dashboard of a region: villages with a
// cultivation target and with a recognised leader against all of them,
// per area below, against the yearly targets of the round's goal, with
// the villages still uncovered a page at a time and the round's
// candidates, notices and selections per tier and channel. The chart
// draws the same figures as the table, from JSON, for app.js.
func (w *Web) talentCoverage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, round, rounds, err := w.talentScope(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.coverage", "talent")
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: v.T("talent.page.coverage")}}
	d := &coverageView{Rounds: rounds, Tiers: talent.Tiers, Channels: talent.Channels, Statuses: talent.Statuses, Chart: "{}"}
	if round != nil {
		if d.Coverage, err = w.Talent.Coverage(r.Context(), a, round.ID, code); err != nil {
			w.fail(rw, r, err)
			return
		}
		q := r.URL.Query()
		d.UncoveredFrom, _ = strconv.Atoi(q.Get("from"))
		d.UncoveredFrom = max(d.UncoveredFrom, 0)
		if d.UncoveredRows, d.Next, err = w.Talent.Uncovered(r.Context(), a, code, q.Get("after"), uncoveredPage); err != nil {
			w.fail(rw, r, err)
			return
		}
		d.Due, d.OnTrack = d.Coverage.Due(w.Now().In(localtime.Zone()))
		var names []string
		var values []int
		for _, ar := range d.Areas {
			names, values = append(names, ar.Name), append(values, ar.Percent())
		}
		js, _ := json.Marshal(map[string]any{"names": names, "values": values, "axis": v.T("talent.coverage.axis_share"), "max": 100})
		d.Chart = template.JS(js)
		d.TierChart = pairChart(v, "talent.tier.", strs(talent.Tiers), func(k string) (int, int) {
			return d.CandidatesByTier[talent.Tier(k)], d.ByTier[talent.Tier(k)]
		})
		d.ChannelChart = pairChart(v, "talent.channel.", strs(talent.Channels), func(k string) (int, int) {
			return d.CandidatesByChannel[talent.Channel(k)], d.ByChannel[talent.Channel(k)]
		})
	}
	v.Data = d
	w.render(rw, http.StatusOK, "talent_coverage", v)
}

// pairChart is a grouped bar chart's JSON: for each key its label, the
// candidates and the leaders, with the series named for the legend.
func pairChart(v *view, prefix string, keys []string, count func(string) (candidates, leaders int)) template.JS {
	names := make([]string, len(keys))
	cands, leaders := make([]int, len(keys)), make([]int, len(keys))
	for i, k := range keys {
		names[i] = v.T(prefix + k)
		cands[i], leaders[i] = count(k)
	}
	js, _ := json.Marshal(map[string]any{"names": names, "axis": v.T("talent.coverage.axis_people"), "series": []map[string]any{
		{"name": v.T("talent.coverage.candidates"), "values": cands}, {"name": v.T("talent.coverage.selected"), "values": leaders}}})
	return template.JS(js)
}

type leadersView struct {
	Region     string
	RegionName string
	Rows       []talent.Leader
	Overdue    []talent.Measure
	Lists      []talent.List
}

// talentLeaders lists a region's leaders with the progress of their three
// lists, and the overdue measures the region must chase.
func (w *Web) talentLeaders(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.leaders", "talent")
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: v.T("talent.page.leaders")}}
	d := &leadersView{Region: code, Lists: talent.Lists}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		if d.Rows, err = w.Talent.Leaders(r.Context(), a, code); err == nil {
			d.Overdue, err = w.Talent.Overdue(r.Context(), a, code)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = d
	w.render(rw, http.StatusOK, "talent_leaders", v)
}

type leaderView struct {
	L            *talent.Leader
	Lists        []talent.List
	Statuses     []option
	Directions   []option // of a training: given or received
	Recognitions []option
	PlanKinds    []option
	SupportKinds []option
	CanWrite     bool
	CanManage    bool // may judge the cultivation
	Error        string
	Problems     []string
	Today        string
}

// showLeader draws a leader's page: the business, the tiers, and the three
// lists with a form to add a measure and one to log progress.
func (w *Web) showLeader(rw http.ResponseWriter, r *http.Request, a *access.Actor, id int64, actErr error) {
	l, err := w.Talent.Leader(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.leader", "talent")
	v.Title = v.T("talent.page.leader_of", l.Name)
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: v.T("talent.page.leaders"), Href: "/talent/leaders"}, {Label: l.Name}}
	d := &leaderView{L: l, Lists: talent.Lists, CanWrite: a.Can(access.TalentWrite, l.Village), Today: w.Now().In(localtime.Zone()).Format("2006-01-02"),
		Statuses:   append([]option{{Label: v.T("talent.measure.keep")}}, talentOptions(v, "talent.mstatus.", false, strs(talent.MeasureStatuses)...)...),
		Directions: talentOptions(v, "talent.direction.", false, strs(talent.Directions)...), CanManage: a.Can(access.TalentManage, l.Village),
		Recognitions: talentOptions(v, "talent.recognition.", false, strs(talent.Recognitions)...),
		PlanKinds:    talentOptions(v, "talent.plankind.", false, strs(talent.PlanKinds)...),
		SupportKinds: talentOptions(v, "talent.supportkind.", false, strs(talent.SupportKinds)...)}
	status, msg, problems := talentRefusal(v, actErr)
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "talent_leader", v)
}

func (w *Web) talentLeader(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showLeader(rw, r, a, id, nil)
}

// leaderAct runs a change to a leader's lists and redraws the page with
// the refusal, or goes back to it.
func (w *Web) leaderAct(p access.Permission, act func(r *http.Request, a *access.Actor, id int64) error) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil && !a.CanAnywhere(p) {
			err = fault.E(fault.Forbidden, "error.forbidden")
		}
		if err == nil {
			err = act(r, a, id)
		}
		w.afterAct(rw, r, err, "/talent/leaders/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showLeader(rw, r, a, id, err) })
	}
}

func talentInt(r *http.Request, name string) (int64, bool) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (w *Web) measureAdd(r *http.Request, a *access.Actor, id int64) error {
	hh, ok := talentInt(r, "household")
	if !ok {
		return fault.OnField(fault.Invalid, "household", "talent.measure.household_invalid")
	}
	_, err := w.Talent.AddMeasure(r.Context(), a, id, talent.MeasureInput{List: talent.List(r.FormValue("list")), Title: r.FormValue("title"),
		Goal: r.FormValue("goal"), Owner: r.FormValue("owner"), Deadline: r.FormValue("deadline"), Partner: r.FormValue("partner"), Household: hh,
		Direction: talent.Direction(r.FormValue("direction"))})
	return err
}

func (w *Web) measureLog(r *http.Request, a *access.Actor, id int64) error {
	m, ok1 := talentInt(r, "measure")
	amount, ok2 := talentInt(r, "amount")
	if !ok1 || !ok2 {
		return fault.OnField(fault.Invalid, "amount", "talent.candidate.number_invalid")
	}
	return w.Talent.LogMeasure(r.Context(), a, id, talent.LogInput{Measure: m, Day: r.FormValue("day"), Note: r.FormValue("note"), Amount: amount,
		Evidence: r.FormValue("evidence"), Status: talent.MeasureStatus(r.FormValue("status"))})
}

// talentProfile is a leader's public page (示范展示): the business, its
// products and sales channels, households driven and honours; nothing
// personal beyond the name and village.
func (w *Web) talentProfile(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p, err := w.Talent.Profile(r.Context(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.profile", "")
	if _, err := w.publicScript(r, v, p.Village); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = p.Name + " · " + p.EntityName
	if v.Bilingual {
		v.TitleMn, _ = w.Catalog.Mongol("talent.page.profile")
	}
	v.Data = p
	w.render(rw, http.StatusOK, "talent_profile", v)
}
