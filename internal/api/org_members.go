package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/server"
)

// The membership half of the register: the national roster in (as JSON
// rows; pages take the xlsx) and out, members by cursor, 流动党员, 党建指导员,
// 两个覆盖 and the split of an organisation.

// memberRoutes registers the membership endpoints.
func (a *API) memberRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage := access.OrgRead, access.OrgManage
	rt.HandleFunc("GET /api/v1/org/members", on(read, server.OnQuery), a.handle(a.orgMemberPage))
	rt.HandleFunc("POST /api/v1/org/members/import", on(manage, server.OnQuery), a.handle(a.orgRosterImport))
	rt.HandleFunc("GET /api/v1/org/members/changes", on(read, server.OnQuery), a.handle(a.orgMemberChanges))
	rt.HandleFunc("POST /api/v1/org/members/changes", on(manage, server.OnQuery), a.handle(a.orgMemberChanges))
	rt.HandleFunc("POST /api/v1/org/members/{id}/flow", on(manage, server.OnMember), a.handle(a.orgFlow(false)))
	rt.HandleFunc("POST /api/v1/org/members/{id}/flow/end", on(manage, server.OnMember), a.handle(a.orgFlow(true)))
	rt.HandleFunc("GET /api/v1/org/orgs/{id}/flows", on(read, server.OnOrg), a.handle(a.orgFlows))
	rt.HandleFunc("POST /api/v1/org/orgs/{id}/split", on(manage, server.OnOrg), a.handle(a.orgSplit))
	rt.HandleFunc("POST /api/v1/org/units/{id}/instructor", on(manage, server.OnUnit), a.handle(a.orgInstructor))
	rt.HandleFunc("GET /api/v1/org/coverage", on(read, server.OnQuery), a.handle(a.orgCoverage))
}

// cursor reads a cursor page: after (the last id seen) and limit.
func cursor(r *http.Request) (after int64, limit int, err error) {
	q := r.URL.Query()
	var fs fault.Fields
	if s := q.Get("after"); s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			fs.Add("after", "api.offset")
		}
	}
	limit = 200
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 1000 {
			fs.Add("limit", "api.limit")
		}
	}
	return after, limit, fs.Err()
}

// paged is a page of a list by cursor: next is the after of the next
// page, 0 when this page is the last.
type paged[T any] struct {
	Items []T   `json:"items"`
	Next  int64 `json:"next,omitempty"`
}

// memberDetailJSON is a member with the national roster's columns.
type memberDetailJSON struct {
	memberJSON
	Ethnicity string    `json:"ethnicity,omitempty"`
	Birth     string    `json:"birth,omitempty"`
	Education string    `json:"education,omitempty"`
	Job       string    `json:"job,omitempty"`
	Residence string    `json:"residence,omitempty"`
	WorkUnit  int64     `json:"work_unit,omitempty"`
	WorkName  string    `json:"work_unit_name,omitempty"`
	Away      *flowJSON `json:"away,omitempty"`
}

type flowJSON struct {
	ID         int64  `json:"id"`
	Member     int64  `json:"member"`
	MemberName string `json:"member_name"`
	Branch     int64  `json:"branch"`
	BranchName string `json:"branch_name"`
	TempOrg    int64  `json:"temp_org,omitempty"`
	TempName   string `json:"temp_name"`
	Place      string `json:"place"`
	From       string `json:"from"`
}

func toFlow(f org.Flow) flowJSON {
	return flowJSON{f.ID, f.Member, f.MemberName, f.Branch, f.BranchName, f.TempOrg, f.TempName, f.Place, f.From}
}

func toMemberDetail(m org.Member) memberDetailJSON {
	out := memberDetailJSON{memberJSON: toMember(m), Ethnicity: m.Ethnicity, Birth: m.Birth, Education: m.Education, Job: m.Job, Residence: m.Residence,
		WorkUnit: m.WorkUnit, WorkName: m.WorkName}
	if m.Away != nil {
		f := toFlow(*m.Away)
		out.Away = &f
	}
	return out
}

func (a *API) orgMemberPage(r *http.Request, act *access.Actor) (int, any, error) {
	after, limit, err := cursor(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.Org.MemberPage(r.Context(), act, org.MemberFilter{Region: r.URL.Query().Get("region"), After: after, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	out := paged[memberDetailJSON]{Items: []memberDetailJSON{}}
	for _, m := range list {
		out.Items = append(out.Items, toMemberDetail(m))
	}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	return http.StatusOK, out, nil
}

// rosterRowBody is a row of the national roster as a client sends it.
type rosterRowBody struct {
	Name      string `json:"name"`
	Gender    string `json:"gender"`
	IDNumber  string `json:"id_number"`
	Ethnicity string `json:"ethnicity"`
	Birth     string `json:"birth"`
	Education string `json:"education"`
	Branch    string `json:"branch"`
	Probation string `json:"probation"`
	Full      string `json:"full"`
	Job       string `json:"job"`
	Phone     string `json:"phone"`
	Residence string `json:"residence"`
	WorkUnit  string `json:"work_unit"` // a unit's name or credit code
	Applied   string `json:"applied"`
}

type rosterRowJSON struct {
	Line    int           `json:"line"`
	Outcome string        `json:"outcome,omitempty"`
	Member  int64         `json:"member,omitempty"`
	Error   string        `json:"error,omitempty"`
	Details []errorDetail `json:"details,omitempty"`
}

// orgRosterImport checks rows of the national roster (commit false) or
// writes those that pass (commit true) against the branches under
// ?region= (all the caller manages when absent); each row answers with its
// outcome or why it was refused, its line counted from 1.
func (a *API) orgRosterImport(r *http.Request, act *access.Actor) (int, any, error) {
	var b struct {
		Commit bool            `json:"commit"`
		Rows   []rosterRowBody `json:"rows"`
	}
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	rows := make([]org.RosterRow, len(b.Rows))
	for i, x := range b.Rows {
		rows[i] = org.RosterRow{Line: i + 1, Branch: x.Branch, Unit: x.WorkUnit, Input: org.MemberInput{Name: x.Name, Gender: x.Gender, IDNumber: x.IDNumber,
			Ethnicity: x.Ethnicity, Birth: x.Birth, Education: x.Education, Probation: x.Probation, Full: x.Full, Job: x.Job, Phone: x.Phone,
			Residence: x.Residence, Applied: x.Applied}}
	}
	done, sum, err := a.Org.ImportRoster(r.Context(), act, r.URL.Query().Get("region"), rows, b.Commit)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Committed bool            `json:"committed"`
		New       int             `json:"new"`
		Changed   int             `json:"changed"`
		Same      int             `json:"same"`
		Refused   int             `json:"refused"`
		Rows      []rosterRowJSON `json:"rows"`
	}{Committed: b.Commit, New: sum.New, Changed: sum.Changed, Same: sum.Same, Refused: sum.Refused, Rows: []rosterRowJSON{}}
	l := lang(r)
	for _, x := range done {
		row := rosterRowJSON{Line: x.Line, Outcome: string(x.Outcome), Member: x.Member}
		var fe *fault.Error
		if errors.As(x.Err, &fe) {
			row.Outcome, row.Error = "", a.Catalog.Text(l, fe.Msg)
			for _, f := range fe.Fields {
				row.Details = append(row.Details, errorDetail{Field: f.Name, Message: a.Catalog.Text(l, f.Msg)})
			}
		} else if x.Err != nil {
			return 0, nil, x.Err
		}
		out.Rows = append(out.Rows, row)
	}
	return http.StatusOK, out, nil
}

func (a *API) orgMemberChanges(r *http.Request, act *access.Actor) (int, any, error) {
	q := r.URL.Query()
	region, since, reason := q.Get("region"), q.Get("since"), ""
	if r.Method == http.MethodPost {
		// The full export: ID numbers and phones whole, with a reason.
		var in struct {
			Region string `json:"region"`
			Since  string `json:"since"`
			Reason string `json:"reason"`
		}
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
		if strings.TrimSpace(in.Reason) == "" {
			return 0, nil, fault.OnField(fault.Invalid, "reason", "org.export_reason")
		}
		if in.Region != "" {
			region = in.Region
		}
		// Counted once the user is known to be allowed this export.
		if region != "" && !act.Can(access.OrgManage, region) || region == "" && !act.CanAnywhere(access.OrgManage) {
			return 0, nil, fault.E(fault.NotFound, "error.not_found")
		}
		if err := server.Limited(a.Limits.Export, fmt.Sprint(act.UserID)); err != nil {
			return 0, nil, err
		}
		since, reason = in.Since, in.Reason
	}
	list, err := a.Org.MemberChanges(r.Context(), act, region, since, reason)
	if err != nil {
		return 0, nil, err
	}
	type changeJSON struct {
		Kind   string           `json:"kind"`
		Date   string           `json:"date"`
		Other  string           `json:"other_branch,omitempty"`
		Member memberDetailJSON `json:"member"`
	}
	out := items[changeJSON]{Items: []changeJSON{}}
	for _, c := range list {
		out.Items = append(out.Items, changeJSON{string(c.Kind), c.Date, c.Other, toMemberDetail(c.Member)})
	}
	return http.StatusOK, out, nil
}

// orgFlow records a member going away (with their temporary branch) or
// back.
func (a *API) orgFlow(end bool) func(r *http.Request, act *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) {
		id, b, err := idAndBody[struct {
			TempOrg  int64  `json:"temp_org"`
			TempName string `json:"temp_name"`
			Place    string `json:"place"`
			From     string `json:"from"`
			Date     string `json:"date"`
		}](r)
		if err != nil {
			return 0, nil, err
		}
		var m *org.Member
		if end {
			m, err = a.Org.EndFlow(r.Context(), act, id, b.Date)
		} else {
			m, err = a.Org.StartFlow(r.Context(), act, id, org.FlowInput{TempOrg: b.TempOrg, TempName: b.TempName, Place: b.Place, From: b.From})
		}
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toMemberDetail(*m), nil
	}
}

func (a *API) orgFlows(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	f, err := a.Org.Flows(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Out []flowJSON `json:"out"`
		In  []flowJSON `json:"in"`
	}{Out: []flowJSON{}, In: []flowJSON{}}
	for _, x := range f.Out {
		out.Out = append(out.Out, toFlow(x))
	}
	for _, x := range f.In {
		out.In = append(out.In, toFlow(x))
	}
	return http.StatusOK, out, nil
}

func (a *API) orgSplit(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Name    string  `json:"name"`
		Kind    string  `json:"kind"`
		Region  string  `json:"region"`
		Units   []int64 `json:"units"`
		Members []int64 `json:"members"`
		Date    string  `json:"date"`
		Reason  string  `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	o, err := a.Org.Split(r.Context(), act, id, org.SplitInput{Name: b.Name, Kind: org.Kind(b.Kind), Region: b.Region, Units: b.Units, Members: b.Members,
		Date: b.Date, Reason: b.Reason})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toOrg(*o), nil
}

func (a *API) orgInstructor(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Name string `json:"name"`
		Date string `json:"date"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	u, err := a.Org.SetInstructor(r.Context(), act, id, b.Name, b.Date)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		unitJSON
		Instructor string `json:"instructor"`
	}{toUnit(*u), u.Instructor}, nil
}

type coverAreaJSON struct {
	Code       string         `json:"code"`
	Name       string         `json:"name"`
	Units      int            `json:"units"`
	Covered    int            `json:"covered"`
	ByKind     map[string]int `json:"by_kind"`
	Members    int            `json:"members"`
	GapMembers int            `json:"gap_members"`
}

func toCoverArea(c org.CoverArea) coverAreaJSON {
	out := coverAreaJSON{Code: c.Code, Name: c.Name, Units: c.Units, Covered: c.Covered(), ByKind: map[string]int{}, Members: c.Members, GapMembers: c.GapMembers}
	for _, k := range org.CoverKinds {
		out.ByKind[string(k)] = c.ByKind[k]
	}
	return out
}

// orgCoverage is 两个覆盖 for a region: the total, each region below (to
// drill down by its code) and the units, gaps first.
func (a *API) orgCoverage(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.OrgRead)
	if err != nil {
		return 0, nil, err
	}
	cov, err := a.Org.Coverage(r.Context(), act, code)
	if err != nil {
		return 0, nil, err
	}
	type unitCover struct {
		Unit    unitJSON `json:"unit"`
		Kind    string   `json:"kind"`
		By      string   `json:"by,omitempty"`
		Members int      `json:"members"`
	}
	out := struct {
		Total coverAreaJSON   `json:"total"`
		Areas []coverAreaJSON `json:"areas"`
		Units []unitCover     `json:"units"`
	}{Total: toCoverArea(cov.Total), Areas: []coverAreaJSON{}, Units: []unitCover{}}
	for _, c := range cov.Areas {
		out.Areas = append(out.Areas, toCoverArea(c))
	}
	for _, u := range cov.Units {
		out.Units = append(out.Units, unitCover{toUnit(u.Unit), string(u.Kind), u.By, u.Members})
	}
	return http.StatusOK, out, nil
}
