package api

import (
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
)

// The organisation register's endpoints (组织底账): units, party
// organisations, members and their transfers, grids.

// items is the body of a list: an object, so a list can grow fields
// (a total, a cursor) without breaking its clients.
type items[T any] struct {
	Items []T `json:"items"`
}

type unitJSON struct {
	ID            int64  `json:"id"`
	Region        string `json:"region"`
	RegionName    string `json:"region_name"`
	Name          string `json:"name"`
	CreditCode    string `json:"credit_code"`
	Type          string `json:"type"`
	TwoNew        bool   `json:"two_new"`
	NewEmployment bool   `json:"new_employment"`
}

func toUnit(u org.Unit) unitJSON {
	return unitJSON{ID: u.ID, Region: u.Region, RegionName: u.RegionName, Name: u.Name, CreditCode: u.CreditCode, Type: string(u.Type), TwoNew: u.TwoNew, NewEmployment: u.NewEmployment}
}

type unitBody struct {
	Region        string `json:"region"`
	Name          string `json:"name"`
	CreditCode    string `json:"credit_code"`
	Type          string `json:"type"`
	TwoNew        *bool  `json:"two_new"` // defaults by type when absent
	NewEmployment bool   `json:"new_employment"`
}

func (b unitBody) input() org.UnitInput {
	in := org.UnitInput{Region: b.Region, Name: b.Name, CreditCode: b.CreditCode, Type: org.UnitType(b.Type), TwoNew: org.UnitType(b.Type).TwoNew(), NewEmployment: b.NewEmployment}
	if b.TwoNew != nil {
		in.TwoNew = *b.TwoNew
	}
	return in
}

func (a *API) orgUnits(r *http.Request, act *access.Actor) (int, any, error) {
	offset, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	list, total, err := a.Org.Units(r.Context(), act, org.UnitFilter{Region: q.Get("region"), Query: q.Get("q"), TwoNew: q.Get("two_new") == "1", Limit: limit, Offset: offset})
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Total int        `json:"total"`
		Items []unitJSON `json:"items"`
	}{Total: total, Items: []unitJSON{}}
	for _, u := range list {
		out.Items = append(out.Items, toUnit(u))
	}
	return http.StatusOK, out, nil
}

func (a *API) orgUnitCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b unitBody
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	u, err := a.Org.CreateUnit(r.Context(), act, b.input())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toUnit(*u), nil
}

func (a *API) orgUnit(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	u, err := a.Org.Unit(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toUnit(*u), nil
}

func (a *API) orgUnitUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[unitBody](r)
	if err != nil {
		return 0, nil, err
	}
	u, err := a.Org.UpdateUnit(r.Context(), act, id, b.input())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toUnit(*u), nil
}

type holderJSON struct {
	Post   string `json:"post"`
	Name   string `json:"name"`
	Member int64  `json:"member,omitempty"`
	From   string `json:"from"`
	To     string `json:"to,omitempty"`
}

type eventJSON struct {
	Kind   string `json:"kind"`
	Date   string `json:"date"`
	Detail string `json:"detail"`
	Actor  string `json:"actor"`
}

type orgJSON struct {
	ID        int64        `json:"id"`
	Parent    int64        `json:"parent,omitempty"`
	Home      string       `json:"home_region"`
	Attached  string       `json:"region,omitempty"`
	Kind      string       `json:"kind"`
	Name      string       `json:"name"`
	Founded   string       `json:"founded,omitempty"`
	Brand     string       `json:"brand,omitempty"`
	Status    string       `json:"status"`
	Dissolved string       `json:"dissolved,omitempty"`
	Members   int          `json:"members"`
	Units     []unitJSON   `json:"units,omitempty"`
	Children  []orgJSON    `json:"children,omitempty"`
	Holders   []holderJSON `json:"posts,omitempty"`
	History   []eventJSON  `json:"history,omitempty"`
}

func toOrg(o org.Org) orgJSON {
	out := orgJSON{ID: o.ID, Parent: o.Parent, Home: o.Home, Attached: o.Attached, Kind: string(o.Kind), Name: o.Name, Founded: o.Founded, Brand: o.Brand,
		Status: string(o.Status), Dissolved: o.Dissolved, Members: o.Members}
	for _, u := range o.Units {
		out.Units = append(out.Units, toUnit(u))
	}
	for _, c := range o.Children {
		out.Children = append(out.Children, toOrg(c))
	}
	for _, h := range o.Holders {
		out.Holders = append(out.Holders, holderJSON{string(h.Post), h.Name, h.Member, h.From, h.To})
	}
	for _, e := range o.History {
		out.History = append(out.History, eventJSON{e.Kind, e.Date, e.Detail, e.Actor})
	}
	return out
}

// orgOrgs pages through the organisations by id: next is the cursor of
// the next page, absent on the last.
func (a *API) orgOrgs(r *http.Request, act *access.Actor) (int, any, error) {
	after, limit, err := cursor(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	list, err := a.Org.Orgs(r.Context(), act, org.OrgFilter{Region: q.Get("region"), Parent: queryID(r, "parent"), Query: q.Get("q"), All: q.Get("all") == "1",
		After: after, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	out := paged[orgJSON]{Items: []orgJSON{}}
	for _, o := range list {
		out.Items = append(out.Items, toOrg(o))
	}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	return http.StatusOK, out, nil
}

func (a *API) orgCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b struct {
		Parent  int64   `json:"parent"`
		Region  string  `json:"region"`
		Units   []int64 `json:"units"`
		Kind    string  `json:"kind"`
		Name    string  `json:"name"`
		Founded string  `json:"founded"`
		Brand   string  `json:"brand"`
	}
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	o, err := a.Org.CreateOrg(r.Context(), act, org.OrgInput{Parent: b.Parent, Region: b.Region, Units: b.Units, Kind: org.Kind(b.Kind), Name: b.Name, Founded: b.Founded, Brand: b.Brand})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toOrg(*o), nil
}

func (a *API) orgShow(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	o, err := a.Org.Org(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toOrg(*o), nil
}

// orgChange is a change of an organisation (rename, move, dissolve, posts,
// merge) whose body the endpoint decodes; it answers with the organisation
// (for a merge, the one merged into).
func (a *API) orgChange(change string) func(r *http.Request, act *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) { return a.orgChangeDo(r, act, change) }
}

func (a *API) orgChangeDo(r *http.Request, act *access.Actor, change string) (int, any, error) {
	id, b, err := idAndBody[struct {
		Name   string `json:"name"`
		Parent int64  `json:"parent"`
		Date   string `json:"date"`
		Reason string `json:"reason"`
		Post   string `json:"post"`
		Member int64  `json:"member"`
		Into   int64  `json:"into"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	var o *org.Org
	switch change {
	case "rename":
		o, err = a.Org.Rename(r.Context(), act, id, b.Name, b.Date)
	case "move":
		o, err = a.Org.Move(r.Context(), act, id, b.Parent, b.Date)
	case "dissolve":
		o, err = a.Org.Dissolve(r.Context(), act, id, b.Date, b.Reason)
	case "merge":
		o, err = a.Org.Merge(r.Context(), act, id, b.Into, b.Date, b.Reason)
	case "posts":
		o, err = a.Org.SetPost(r.Context(), act, id, org.PostInput{Post: org.Post(b.Post), Name: b.Name, Member: b.Member, From: b.Date})
	default:
		err = fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toOrg(*o), nil
}

type transferJSON struct {
	ID       int64  `json:"id"`
	From     int64  `json:"from"`
	To       int64  `json:"to"`
	ToName   string `json:"to_name"`
	Status   string `json:"status"`
	Sent     string `json:"sent"`
	Received string `json:"received,omitempty"`
}

type memberJSON struct {
	ID          int64          `json:"id"`
	Branch      int64          `json:"branch"`
	BranchName  string         `json:"branch_name"`
	Resident    int64          `json:"resident,omitempty"`
	Name        string         `json:"name"`
	Gender      string         `json:"gender,omitempty"`
	IDMasked    string         `json:"id_number_masked,omitempty"`
	PhoneMasked string         `json:"phone_masked,omitempty"`
	IDNumber    string         `json:"id_number,omitempty"` // whole only in a full changes export
	Phone       string         `json:"phone,omitempty"`
	Applied     string         `json:"applied,omitempty"`
	Probation   string         `json:"probation"`
	Full        string         `json:"full,omitempty"`
	Standing    string         `json:"standing"`
	Pending     *transferJSON  `json:"transfer,omitempty"`
	Transfers   []transferJSON `json:"transfers,omitempty"`
}

func toTransfer(t org.Transfer) transferJSON {
	return transferJSON{t.ID, t.From, t.To, t.ToName, string(t.Status), t.Sent, t.Received}
}

func toMember(m org.Member) memberJSON {
	out := memberJSON{ID: m.ID, Branch: m.Branch, BranchName: m.BranchName, Resident: m.Resident, Name: m.Name, Gender: m.Gender, IDMasked: m.IDMasked,
		PhoneMasked: m.PhoneMasked, IDNumber: m.IDNumber, Phone: m.Phone, Applied: m.Applied, Probation: m.Probation, Full: m.Full, Standing: string(m.Standing)}
	if m.Pending != nil {
		t := toTransfer(*m.Pending)
		out.Pending = &t
	}
	for _, t := range m.Transfers {
		out.Transfers = append(out.Transfers, toTransfer(t))
	}
	return out
}

func (a *API) orgMembers(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.Org.Members(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := items[memberJSON]{Items: []memberJSON{}}
	for _, m := range list {
		out.Items = append(out.Items, toMember(m))
	}
	return http.StatusOK, out, nil
}

// memberBody is a member as a client sends it.
type memberBody struct {
	Resident  int64  `json:"resident"`
	Name      string `json:"name"`
	Gender    string `json:"gender"`
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	Applied   string `json:"applied"`
	Probation string `json:"probation"`
	Full      string `json:"full"`
	Ethnicity string `json:"ethnicity"`
	Birth     string `json:"birth"`
	Education string `json:"education"`
	Job       string `json:"job"`
	Residence string `json:"residence"`
	WorkUnit  int64  `json:"work_unit"`
}

func (b memberBody) input() org.MemberInput {
	return org.MemberInput{Resident: b.Resident, Name: b.Name, Gender: b.Gender, IDNumber: b.IDNumber, Phone: b.Phone, Applied: b.Applied, Probation: b.Probation, Full: b.Full,
		Ethnicity: b.Ethnicity, Birth: b.Birth, Education: b.Education, Job: b.Job, Residence: b.Residence, WorkUnit: b.WorkUnit}
}

func (a *API) orgMemberCreate(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[memberBody](r)
	if err != nil {
		return 0, nil, err
	}
	in := b.input()
	in.Branch = id
	m, err := a.Org.CreateMember(r.Context(), act, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toMemberDetail(*m), nil
}

// orgMemberUpdate corrects a member; an absent ID number or phone keeps
// the one on file.
func (a *API) orgMemberUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[memberBody](r)
	if err != nil {
		return 0, nil, err
	}
	m, err := a.Org.UpdateMember(r.Context(), act, id, b.input())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toMemberDetail(*m), nil
}

func (a *API) orgMember(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	m, err := a.Org.Member(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toMemberDetail(*m), nil
}

// orgMemberMove sends a member's membership to another branch (transfer)
// or takes it in at the receiving one (receive).
func (a *API) orgMemberMove(receive bool) func(r *http.Request, act *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) { return a.orgMemberMoveDo(r, act, receive) }
}

func (a *API) orgMemberMoveDo(r *http.Request, act *access.Actor, receive bool) (int, any, error) {
	id, b, err := idAndBody[struct {
		To   int64  `json:"to"`
		Date string `json:"date"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	var m *org.Member
	if receive {
		m, err = a.Org.Receive(r.Context(), act, id, b.Date)
	} else {
		m, err = a.Org.Transfer(r.Context(), act, id, b.To, b.Date)
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toMember(*m), nil
}

type gridJSON struct {
	ID          int64           `json:"id"`
	Village     string          `json:"village"`
	VillageName string          `json:"village_name"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Households  int             `json:"households"`
	Members     []gridHousehold `json:"members,omitempty"`
}

type gridHousehold struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Head   string `json:"head"`
}

func toGrid(g org.Grid) gridJSON {
	out := gridJSON{ID: g.ID, Village: g.Village, VillageName: g.VillageName, Name: g.Name, Kind: string(g.Kind), Households: g.Households}
	for _, h := range g.Members {
		out.Members = append(out.Members, gridHousehold{h.ID, h.Number, h.Head})
	}
	return out
}

// grids pages through the grids by id (?after=, ?limit=): next is the
// cursor of the next page, absent on the last.
func (a *API) grids(r *http.Request, act *access.Actor) (int, any, error) {
	after, limit, err := cursor(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.Org.GridPage(r.Context(), act, r.URL.Query().Get("region"), after, limit)
	if err != nil {
		return 0, nil, err
	}
	out := paged[gridJSON]{Items: []gridJSON{}}
	for _, g := range list {
		out.Items = append(out.Items, toGrid(g))
	}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	return http.StatusOK, out, nil
}

func (a *API) gridCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	g, err := a.Org.CreateGrid(r.Context(), act, org.GridInput{Village: r.PathValue("code"), Name: b.Name, Kind: org.GridKind(b.Kind)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toGrid(*g), nil
}

func (a *API) grid(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	g, err := a.Org.Grid(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toGrid(*g), nil
}

// gridHouseholds assigns households to a grid (add) or releases one
// (remove).
func (a *API) gridHouseholds(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Add    []int64 `json:"add"`
		Remove int64   `json:"remove"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	var g *org.Grid
	if b.Remove != 0 {
		g, err = a.Org.ReleaseHousehold(r.Context(), act, id, b.Remove)
	} else {
		g, err = a.Org.AssignHouseholds(r.Context(), act, id, b.Add)
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toGrid(*g), nil
}
