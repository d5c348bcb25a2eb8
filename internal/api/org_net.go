package api

import (
	"errors"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/server"
)

// The 全网通 endpoints: a grid's linkage net and its builder operations,
// coverage, contact cards, the household-number import, and contact logs
// with their escalation up the chain.

type netMemberJSON struct {
	Member      int64           `json:"member"`
	Name        string          `json:"name"`
	Phone       string          `json:"phone_masked"`
	Branch      int64           `json:"branch"`
	BranchName  string          `json:"branch_name"`
	Central     bool            `json:"central"`
	CentralOf   int64           `json:"central_of,omitempty"`
	CentralName string          `json:"central_name,omitempty"`
	Households  []gridHousehold `json:"households"`
}

type netJSON struct {
	Grid       int64           `json:"grid"`
	GridName   string          `json:"grid_name"`
	Village    string          `json:"village"`
	Leader     int64           `json:"leader"`
	LeaderName string          `json:"leader_name"`
	MaxLinks   int             `json:"max_links"`
	Members    []netMemberJSON `json:"members"`
	Unlinked   []gridHousehold `json:"unlinked"`
}

func toHouseholds(hs []org.GridHousehold) []gridHousehold {
	out := []gridHousehold{}
	for _, h := range hs {
		out = append(out, gridHousehold{h.ID, h.Number, h.Head})
	}
	return out
}

func toNetMembers(ms []org.NetMember) []netMemberJSON {
	out := []netMemberJSON{}
	for _, m := range ms {
		out = append(out, netMemberJSON{m.Member, m.Name, m.PhoneMasked, m.Branch, m.BranchName, m.Central, m.CentralOf, m.CentralName, toHouseholds(m.Households)})
	}
	return out
}

func toNet(n *org.Net) netJSON {
	return netJSON{Grid: n.Grid, GridName: n.GridName, Village: n.Village, Leader: n.Leader, LeaderName: n.LeaderName, MaxLinks: n.MaxLinks,
		Members: toNetMembers(n.Members), Unlinked: toHouseholds(n.Unlinked)}
}

func (a *API) gridNet(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	n, err := a.Org.Net(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toNet(n), nil
}

// gridNetChange runs one builder operation, as the builder page's forms do.
func (a *API) gridNetChange(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Op         string  `json:"op"`
		Member     int64   `json:"member"`
		Members    []int64 `json:"members"`
		Households []int64 `json:"households"`
		Central    bool    `json:"central"`
		MaxLinks   int     `json:"max_links"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	n, err := a.Org.ChangeNet(r.Context(), act, id, org.NetChange{Op: org.NetOp(b.Op), Member: b.Member, Members: b.Members,
		Households: b.Households, Central: b.Central, MaxLinks: b.MaxLinks})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toNet(n), nil
}

func (a *API) gridCoverage(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Org.NetCoverage(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"grid": c.Grid, "households": c.Households, "linked": c.Linked, "max_links": c.MaxLinks,
		"unlinked": toHouseholds(c.Unlinked), "idle": toNetMembers(c.Idle), "overloaded": toNetMembers(c.Overloaded)}, nil
}

type cardJSON struct {
	Household   gridHousehold `json:"household"`
	Grid        string        `json:"grid"`
	Village     string        `json:"village"`
	Member      string        `json:"member"`
	MemberPhone string        `json:"member_phone"`
	Central     string        `json:"central"`
	Leader      string        `json:"leader"`
	Branch      string        `json:"branch"`
}

// gridCards returns the contact cards of a grid (or of ?household=), for
// printing elsewhere; like the page, it carries the party member's phone,
// which is what the card is for.
func (a *API) gridCards(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	hh, _ := strconv.ParseInt(r.URL.Query().Get("household"), 10, 64)
	cards, err := a.Org.Cards(r.Context(), act, id, hh)
	if err != nil {
		return 0, nil, err
	}
	out := items[cardJSON]{Items: []cardJSON{}}
	for _, c := range cards {
		out.Items = append(out.Items, cardJSON{gridHousehold{c.Household.ID, c.Household.Number, c.Household.Head}, c.Grid, c.Village, c.Member, c.MemberPhone, c.Central, c.Leader, c.Branch})
	}
	return http.StatusOK, out, nil
}

type assignRowJSON struct {
	Line      int    `json:"line"`
	Number    string `json:"number"`
	Household int64  `json:"household,omitempty"`
	Head      string `json:"head,omitempty"`
	Error     string `json:"error,omitempty"`
}

// gridImport checks a list of household numbers against a grid and, with
// commit, assigns them when every row passes, as the sheet upload does.
func (a *API) gridImport(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Rows   []assignRowJSON `json:"rows"`
		Commit bool            `json:"commit"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	rows := make([]org.AssignRow, len(b.Rows))
	for i, x := range b.Rows {
		rows[i] = org.AssignRow{Line: x.Line, Number: x.Number}
	}
	rows, err = a.Org.AssignRows(r.Context(), act, id, rows, b.Commit)
	if err != nil {
		return 0, nil, err
	}
	out := items[assignRowJSON]{Items: []assignRowJSON{}}
	for _, x := range rows {
		j := assignRowJSON{Line: x.Line, Number: x.Number, Household: x.Household, Head: x.Head}
		if x.Err != nil {
			j.Error = a.message(r, x.Err)
		}
		out.Items = append(out.Items, j)
	}
	return http.StatusOK, out, nil
}

type contactStepJSON struct {
	Action string `json:"action"`
	Level  string `json:"level"`
	Note   string `json:"note"`
	Due    string `json:"due,omitempty"`
	Actor  string `json:"actor"`
	At     string `json:"at"`
}

type contactJSON struct {
	ID          int64             `json:"id"`
	Grid        int64             `json:"grid"`
	GridName    string            `json:"grid_name"`
	Household   int64             `json:"household"`
	HouseholdNo string            `json:"household_number"`
	Head        string            `json:"head"`
	Member      int64             `json:"member,omitempty"`
	MemberName  string            `json:"member_name,omitempty"`
	Kind        string            `json:"kind"`
	Date        string            `json:"date"`
	Summary     string            `json:"summary"`
	Issue       string            `json:"issue,omitempty"`
	Status      string            `json:"status"`
	Level       string            `json:"level"`
	Due         string            `json:"due,omitempty"`
	Overdue     bool              `json:"overdue"`
	ClosedNote  string            `json:"closed_note,omitempty"`
	CreatedBy   string            `json:"created_by"`
	Steps       []contactStepJSON `json:"steps,omitempty"`
}

func toContact(c org.Contact) contactJSON {
	out := contactJSON{ID: c.ID, Grid: c.Grid, GridName: c.GridName, Household: c.Household, HouseholdNo: c.HouseholdNo, Head: c.Head,
		Member: c.Member, MemberName: c.MemberName, Kind: string(c.Kind), Date: c.Date, Summary: c.Summary, Issue: c.Issue, Status: string(c.Status),
		Level: string(c.Level), Due: c.Due, Overdue: c.Overdue, ClosedNote: c.ClosedNote, CreatedBy: c.CreatedBy}
	for _, s := range c.Steps {
		out.Steps = append(out.Steps, contactStepJSON{s.Action, string(s.Level), s.Note, s.Due, s.Actor, s.At.UTC().Format("2006-01-02T15:04:05Z")})
	}
	return out
}

func contactList(list []org.Contact) items[contactJSON] {
	out := items[contactJSON]{Items: []contactJSON{}}
	for _, c := range list {
		out.Items = append(out.Items, toContact(c))
	}
	return out
}

// gridContacts lists a grid's contacts (?open=1 for live issues only).
func (a *API) gridContacts(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.Org.Contacts(r.Context(), act, org.ContactFilter{Grid: id, Open: r.URL.Query().Get("open") == "1", Level: org.Level(r.URL.Query().Get("level"))})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, contactList(list), nil
}

// branchContacts lists the issues at a branch's level from the grids of
// its region (?all=1 for closed ones too).
func (a *API) branchContacts(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.Org.Contacts(r.Context(), act, org.ContactFilter{Branch: id, Open: r.URL.Query().Get("all") != "1"})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, contactList(list), nil
}

func (a *API) gridContactLog(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Household int64  `json:"household"`
		Kind      string `json:"kind"`
		Date      string `json:"date"`
		Summary   string `json:"summary"`
		Issue     string `json:"issue"`
		Due       string `json:"due"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Org.LogContact(r.Context(), act, id, org.ContactInput{Household: b.Household, Kind: org.ContactKind(b.Kind), Date: b.Date,
		Summary: b.Summary, Issue: b.Issue, Due: b.Due})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toContact(*c), nil
}

func (a *API) contact(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Org.Contact(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toContact(*c), nil
}

// contactAct escalates or closes an issue.
func (a *API) contactAct(escalate bool) func(r *http.Request, act *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) {
		id, b, err := idAndBody[struct {
			Note string `json:"note"`
			Due  string `json:"due"`
		}](r)
		if err != nil {
			return 0, nil, err
		}
		var c *org.Contact
		if escalate {
			c, err = a.Org.Escalate(r.Context(), act, id, b.Note, b.Due)
		} else {
			c, err = a.Org.CloseContact(r.Context(), act, id, b.Note)
		}
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toContact(*c), nil
	}
}

// message is the user's text for a row's refusal: its field's message
// where it has one, which names the household and the grid.
func (a *API) message(r *http.Request, err error) string {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return a.Catalog.T(lang(r), "error.internal", server.RequestID(r.Context()))
	}
	if len(fe.Fields) > 0 {
		return a.Catalog.Text(lang(r), fe.Fields[0].Msg)
	}
	return a.Catalog.Text(lang(r), fe.Msg)
}
