package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/talent"
)

// talentRoundNew sets up a round of the programme at the region of the
// path: its window, its goal's yearly trajectory and its five criteria,
// prefilled with the league notice's defaults.
func (w *Web) talentRoundNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if !a.Can(access.TalentManage, code) {
		w.fail(rw, r, fault.E(fault.NotFound, "region.not_found"))
		return
	}
	v := w.newView(r, "talent.page.round_new", "talent")
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: name}, {Label: v.T("talent.page.round_new")}}
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	year := w.Now().In(localtime.Zone()).Year()
	fields := []field{
		{Name: "name", Label: v.T("talent.field.round_name"), Type: "text", Value: val("name", strconv.Itoa(year)+"年晓景计划"), Required: true, MaxLen: talent.MaxName},
		{Name: "start_year", Label: v.T("talent.field.start_year"), Type: "text", Value: val("start_year", strconv.Itoa(year)), Required: true, InputMode: "numeric"},
		{Name: "years", Label: v.T("talent.field.years"), Type: "text", Value: val("years", "3"), Required: true, InputMode: "numeric"},
		{Name: "trajectory", Label: v.T("talent.field.trajectory"), Type: "text", Value: val("trajectory", "40,70,100"), Required: true, Help: v.T("talent.help.trajectory")},
		{Name: "opens", Label: v.T("talent.field.opens"), Type: "date", Value: val("opens", ""), Required: true},
		{Name: "closes", Label: v.T("talent.field.closes"), Type: "date", Value: val("closes", ""), Required: true},
	}
	for i, c := range talent.DefaultCriteria() {
		n := strconv.Itoa(i + 1)
		fields = append(fields,
			field{Name: "c" + n, Label: v.T("talent.field.criterion", i+1), Type: "text", Value: val("c"+n, c.Name), Required: true},
			field{Name: "m" + n, Label: v.T("talent.field.criterion_max", i+1), Type: "text", Value: val("m"+n, strconv.Itoa(c.Max)), Required: true, InputMode: "numeric"},
			field{Name: "r" + n, Label: v.T("talent.field.criterion_rubric", i+1), Type: "textarea", Value: val("r"+n, c.Rubric)})
	}
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: "/talent", Intro: v.T("talent.intro.round", name), Fields: fields}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(r.FormValue(k))); return n }
	var traj []int
	for _, p := range strings.FieldsFunc(r.FormValue("trajectory"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' }) {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = -1 // reported by the round's check
		}
		traj = append(traj, n)
	}
	rd := talent.Round{Region: code, Name: r.FormValue("name"), StartYear: atoi("start_year"), Years: atoi("years"), Trajectory: traj,
		Opens: r.FormValue("opens"), Closes: r.FormValue("closes")}
	for i := 1; i <= talent.CriteriaCount; i++ {
		n := strconv.Itoa(i)
		rd.Criteria = append(rd.Criteria, talent.Criterion{Name: strings.TrimSpace(r.FormValue("c" + n)), Max: atoi("m" + n), Rubric: strings.TrimSpace(r.FormValue("r" + n))})
	}
	out, err := w.Talent.CreateRound(r.Context(), a, rd)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/talent/rounds/"+strconv.FormatInt(out.ID, 10), "saved")
}

type roundView struct {
	R         *talent.Round
	CanManage bool
	Kinds     []option
	Error     string
	Problems  []string
	Lines     []sheetLine // refused lines of a quota sheet
}

// showRound draws a round: its criteria, goal and quotas in force, and
// for its managers a form to set a quota.
func (w *Web) showRound(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	w.showRoundLines(rw, r, a, actErr, nil)
}

// showRoundLines is showRound with the refused lines of a quota sheet.
func (w *Web) showRoundLines(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error, lines []sheetLine) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rd, err := w.Talent.Round(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.round", "talent")
	v.Title = rd.Name
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: rd.Name}}
	d := &roundView{R: rd, CanManage: a.CanAnywhere(access.TalentManage)}
	d.Kinds = []option{{Value: string(talent.QuotaPass), Label: v.T("talent.quota.pass")}}
	for _, t := range talent.Tiers {
		d.Kinds = append(d.Kinds, option{Value: string(talent.TierQuota(t)), Label: v.T("talent.quota.tier", v.T("talent.tier."+string(t)))})
	}
	status, msg, problems := talentRefusal(v, actErr)
	d.Error, d.Problems, d.Lines = msg, problems, lines
	v.Data = d
	w.render(rw, status, "talent_round", v)
}

func (w *Web) talentRoundShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showRound(rw, r, a, nil)
}

// talentQuota sets a quota of the round from the level above the region.
func (w *Web) talentQuota(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil && !a.CanAnywhere(access.TalentManage) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err == nil {
		n, perr := strconv.Atoi(strings.TrimSpace(r.FormValue("n")))
		if perr != nil {
			n = -1
		}
		err = w.Talent.SetQuota(r.Context(), a, id, talent.Quota{Region: strings.TrimSpace(r.FormValue("region")), Kind: talent.QuotaKind(r.FormValue("kind")), N: n})
	}
	w.afterAct(rw, r, err, "/talent/rounds/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showRound(rw, r, a, err) })
}
