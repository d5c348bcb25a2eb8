package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/talent"
)

// talentRegion reads the ?region= of a programme page: by default the
// first region where the actor holds p, and never one where they do not,
// so a township official asking for the banner's list is refused rather
// than shown an empty one.
func talentRegion(r *http.Request, a *access.Actor, p access.Permission) (string, error) {
	code := r.URL.Query().Get("region")
	if code == "" {
		if s := a.Scopes(p); len(s) > 0 {
			code = s[0]
		}
	}
	if !a.CanAnywhere(p) {
		return "", fault.E(fault.Forbidden, "error.forbidden")
	}
	if !regioncode.ValidCode(code) || !a.Can(p, code) {
		return "", fault.E(fault.NotFound, "region.not_found")
	}
	return code, nil
}

// talentRound picks the round a page is about: the ?round= asked for, or
// the newest one the actor works in; nil when there is none yet.
func (w *Web) talentRound(r *http.Request, a *access.Actor) (*talent.Round, []talent.Round, error) {
	rounds, err := w.Talent.Rounds(r.Context(), a)
	if err != nil || len(rounds) == 0 {
		return nil, rounds, err
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("round"), 10, 64)
	for i := range rounds {
		if rounds[i].ID == id {
			return &rounds[i], rounds, nil
		}
	}
	if id != 0 {
		return nil, nil, fault.E(fault.NotFound, "talent.round.not_found")
	}
	return &rounds[0], rounds, nil
}

// talentScope reads the region and round of a register page or export:
// the region the reader may read, the round asked for or the newest.
func (w *Web) talentScope(r *http.Request, a *access.Actor) (string, *talent.Round, []talent.Round, error) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		return "", nil, nil, err
	}
	round, rounds, err := w.talentRound(r, a)
	return code, round, rounds, err
}

// talentOptions are the select options of a list of codes, labelled
// from the catalogue under prefix.
func talentOptions(v *view, prefix string, blank bool, codes ...string) []option {
	var out []option
	if blank {
		out = append(out, option{Label: v.T("list.all")})
	}
	for _, c := range codes {
		out = append(out, option{Value: c, Label: v.T(prefix + c)})
	}
	return out
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

type talentList struct {
	Round      *talent.Round
	Rounds     []talent.Round
	Region     string
	RegionName string
	Status     string
	Tier       string
	Name       string
	Statuses   []option
	Tiers      []option
	Rows       []talent.Candidate
	Pager      pager
	CanCreate  bool
	CanManage  bool
	CanReview  bool
	// Export is the export link with the list's filters. It is built
	// whole here: a query string given to the template after "?" would be
	// escaped as one value, and the filters lost.
	Export template.URL
}

// talentCandidates is the programme's register: the rounds, and the
// applications of a region filtered by round, status, tier and name.
func (w *Web) talentCandidates(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, round, rounds, err := w.talentScope(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.list", "talent")
	q := r.URL.Query()
	d := &talentList{Round: round, Rounds: rounds, Region: code, Status: q.Get("status"), Tier: q.Get("tier"), Name: strings.TrimSpace(q.Get("q")),
		Statuses: talentOptions(v, "talent.status.", true, strs(talent.Statuses)...), Tiers: talentOptions(v, "talent.tier.", true, strs(talent.Tiers)...),
		CanCreate: a.Can(access.TalentWrite, code) && round != nil, CanManage: a.Can(access.TalentManage, code), CanReview: a.Can(access.TalentReview, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err != nil {
		w.fail(rw, r, err)
		return
	}
	f := talent.Filter{Region: code, Status: talent.Status(d.Status), Tier: talent.Tier(d.Tier), Name: d.Name, Limit: pageSize}
	if round != nil {
		f.Round = round.ID
	}
	_, total, err := w.Talent.Candidates(r.Context(), a, talent.Filter{Round: f.Round, Region: code, Status: f.Status, Tier: f.Tier, Name: f.Name, Limit: 1})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Pager, f.Offset = newPager(v, r, total)
	if d.Rows, _, err = w.Talent.Candidates(r.Context(), a, f); err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Export = template.URL("/talent.xlsx?" + url.Values{"region": {code}, "round": {q.Get("round")}, "status": {d.Status}, "tier": {d.Tier}, "q": {d.Name}}.Encode())
	v.Data = d
	w.render(rw, http.StatusOK, "talent_list", v)
}

// candidateFields draws the application form; the ID number and phone
// are never drawn back, only their masks as a hint, and left empty they
// keep what is stored.
func (w *Web) candidateFields(v *view, r *http.Request, villages []region.Region, c *talent.Candidate) []field {
	val := func(name, stored string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(name)
		}
		return stored
	}
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	if c == nil {
		c = &talent.Candidate{}
	}
	vs := []option{{}}
	for _, x := range villages {
		vs = append(vs, option{Value: x.Code, Label: x.Name})
	}
	if len(vs) == 1 && c.Village != "" {
		vs = append(vs, option{Value: c.Village, Label: c.VillageName})
	}
	idHelp, phoneHelp := v.T("talent.help.id"), ""
	if c.IDMasked != "" {
		idHelp, phoneHelp = v.T("talent.help.kept", c.IDMasked), v.T("talent.help.kept", c.PhoneMasked)
	}
	ents := append([]option{{}}, talentOptions(v, "talent.entity.", false, strs(talent.EntityTypes)...)...)
	chans := append([]option{{}}, talentOptions(v, "talent.channel.", false, strs(talent.Channels)...)...)
	return []field{
		{Name: "village", Label: v.T("field.village"), Type: "select", Value: val("village", c.Village), Options: vs, Required: true},
		{Name: "channel", Label: v.T("talent.field.channel"), Type: "select", Value: val("channel", string(c.Channel)), Options: chans, Required: true},
		{Name: "name", Label: v.T("talent.field.name"), Type: "text", Value: val("name", c.Name), Required: true, MaxLen: 30},
		{Name: "gender", Label: v.T("talent.field.gender"), Type: "select", Value: val("gender", c.Gender), Options: opts([]string{"", "男", "女"}), Required: true},
		{Name: "birth_date", Label: v.T("talent.field.birth_date"), Type: "date", Value: val("birth_date", c.BirthDate), Required: true},
		{Name: "ethnicity", Label: v.T("talent.field.ethnicity"), Type: "text", Value: val("ethnicity", c.Ethnicity), Required: true},
		{Name: "political", Label: v.T("talent.field.political"), Type: "text", Value: val("political", c.Political), Required: true},
		{Name: "education", Label: v.T("talent.field.education"), Type: "text", Value: val("education", c.Education)},
		{Name: "id_number", Label: v.T("talent.field.id_number"), Type: "text", Value: r.FormValue("id_number"), Help: idHelp, Auto: "off", MaxLen: 18},
		{Name: "phone", Label: v.T("talent.field.phone"), Type: "tel", Value: r.FormValue("phone"), Help: phoneHelp, InputMode: "tel", MaxLen: 20},
		{Name: "entity_type", Label: v.T("talent.field.entity_type"), Type: "select", Value: val("entity_type", string(c.EntityType)), Options: ents, Required: true},
		{Name: "entity_name", Label: v.T("talent.field.entity_name"), Type: "text", Value: val("entity_name", c.EntityName), Required: true},
		{Name: "credit_code", Label: v.T("talent.field.credit_code"), Type: "text", Value: val("credit_code", c.CreditCode), Help: v.T("talent.help.credit_code"), MaxLen: 18},
		{Name: "industry", Label: v.T("talent.field.industry"), Type: "text", Value: val("industry", c.Industry), Required: true},
		{Name: "revenue", Label: v.T("talent.field.revenue"), Type: "text", Value: val("revenue", num(c.Revenue)), InputMode: "numeric"},
		{Name: "employees", Label: v.T("talent.field.employees"), Type: "text", Value: val("employees", num(int64(c.Employees))), InputMode: "numeric"},
		{Name: "households", Label: v.T("talent.field.households"), Type: "text", Value: val("households", num(int64(c.Households))), InputMode: "numeric"},
		{Name: "income_rise", Label: v.T("talent.field.income_rise"), Type: "text", Value: val("income_rise", num(c.IncomeRise)), InputMode: "numeric"},
		{Name: "products", Label: v.T("talent.field.products"), Type: "textarea", Value: val("products", c.Products)},
		{Name: "sales_routes", Label: v.T("talent.field.sales_routes"), Type: "textarea", Value: val("sales_routes", c.SalesRoutes)},
		{Name: "honours", Label: v.T("talent.field.honours"), Type: "textarea", Value: val("honours", c.Honours)},
		{Name: "summary", Label: v.T("talent.field.summary"), Type: "textarea", Value: val("summary", c.Summary), Required: true},
	}
}

// candidateInput reads the application form. A number that does not
// parse is reported on its field rather than read as zero.
func candidateInput(r *http.Request, round int64) (talent.CandidateInput, error) {
	var fs fault.Fields
	n := func(name string) int64 {
		s := strings.TrimSpace(r.FormValue(name))
		if s == "" {
			return 0
		}
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fs.Add(name, "talent.candidate.number_invalid")
		}
		return x
	}
	in := talent.CandidateInput{Round: round, Village: r.FormValue("village"), Channel: talent.Channel(r.FormValue("channel")), Name: r.FormValue("name"),
		Gender: r.FormValue("gender"), BirthDate: r.FormValue("birth_date"), Ethnicity: r.FormValue("ethnicity"), Political: r.FormValue("political"),
		Education: r.FormValue("education"), IDNumber: r.FormValue("id_number"), Phone: r.FormValue("phone"),
		EntityType: talent.EntityType(r.FormValue("entity_type")), EntityName: r.FormValue("entity_name"), CreditCode: r.FormValue("credit_code"),
		Industry: r.FormValue("industry"), Revenue: n("revenue"), Employees: int(n("employees")), Households: int(n("households")),
		IncomeRise: n("income_rise"), Products: r.FormValue("products"), SalesRoutes: r.FormValue("sales_routes"), Honours: r.FormValue("honours"),
		Summary: r.FormValue("summary")}
	return in, fs.Err()
}

// villagesUnder lists the active villages of code for the form's select:
// the village itself, or the villages of a township or of a banner.
func (w *Web) villagesUnder(r *http.Request, a *access.Actor, code string) []region.Region {
	switch regioncode.LevelOf(code) {
	case regioncode.Village:
		if reg, err := w.Regions.Get(r.Context(), a, code); err == nil {
			return []region.Region{*reg}
		}
	case regioncode.Township, regioncode.Banner, regioncode.League:
		kids, _ := w.Regions.Children(r.Context(), a, code)
		var out []region.Region
		for _, k := range kids {
			switch {
			case k.Status != region.Active:
			case regioncode.LevelOf(k.Code) == regioncode.Village:
				out = append(out, k)
			default: // a banner's townships, one level further down
				out = append(out, w.villagesUnder(r, a, k.Code)...)
			}
		}
		return out
	}
	return nil
}

// talentNew enters a new application as a draft for a village of the
// clerk's region, in the newest open round.
func (w *Web) talentNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TalentWrite)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.new", "talent")
	round, _, err := w.talentRound(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if round == nil {
		w.fail(rw, r, fault.E(fault.Conflict, "talent.round.none"))
		return
	}
	back := "/talent?region=" + code
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: back}, {Label: v.T("talent.page.new")}}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("talent.action.save_draft"), Cancel: back, Intro: v.T("talent.intro.new", round.Name, round.Opens, round.Closes),
		Fields: w.candidateFields(v, r, w.villagesUnder(r, a, code), nil)}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in, err := candidateInput(r, round.ID)
	if err == nil {
		var c *talent.Candidate
		if c, err = w.Talent.Save(r.Context(), a, 0, in); err == nil {
			seeOther(rw, r, "/talent/candidates/"+strconv.FormatInt(c.ID, 10), "saved")
			return
		}
	}
	w.formOrFail(rw, r, v, f, err)
}

// candidateTarget loads the application of the path.
func (w *Web) candidateTarget(r *http.Request, a *access.Actor) (*talent.Candidate, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return w.Talent.Candidate(r.Context(), a, id)
}

// talentEdit changes a draft or returned application.
func (w *Web) talentEdit(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.candidateTarget(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !a.Can(access.TalentWrite, c.Village) {
		w.fail(rw, r, fault.E(fault.Forbidden, "talent.candidate.forbidden"))
		return
	}
	if !c.Status.Editable() {
		w.fail(rw, r, fault.E(fault.Conflict, "talent.candidate.not_editable"))
		return
	}
	v := w.newView(r, "talent.page.edit", "talent")
	back := "/talent/candidates/" + strconv.FormatInt(c.ID, 10)
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: c.Name, Href: back}, {Label: v.T("talent.page.edit")}}
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Fields: w.candidateFields(v, r, w.villagesUnder(r, a, talent.Ancestor(c.Village, regioncode.Township)), c)}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in, err := candidateInput(r, c.Round)
	if err == nil {
		if _, err = w.Talent.Save(r.Context(), a, c.ID, in); err == nil {
			seeOther(rw, r, back, "saved")
			return
		}
	}
	w.formOrFail(rw, r, v, f, err)
}
