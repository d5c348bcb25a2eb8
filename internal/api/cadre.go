package api

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
)

// The cadres of the organisation register, and the rank list.

type cadreJSON struct {
	ID          int64  `json:"id"`
	Region      string `json:"region"`
	RegionName  string `json:"region_name"`
	Unit        int64  `json:"unit,omitempty"`
	UnitName    string `json:"unit_name,omitempty"`
	Name        string `json:"name"`
	Gender      string `json:"gender,omitempty"`
	IDMasked    string `json:"id_number_masked,omitempty"`
	PhoneMasked string `json:"phone_masked,omitempty"`
	Post        string `json:"post"`
	Rank        string `json:"rank"`
	RankName    string `json:"rank_name"`
	Sector      string `json:"sector,omitempty"`
	Appointed   string `json:"appointed"`
	Left        string `json:"left,omitempty"`
	LeaveReason string `json:"leave_reason,omitempty"`
	Successor   int64  `json:"successor,omitempty"`
	Username    string `json:"username,omitempty"`
	Resident    int64  `json:"resident,omitempty"`
}

func toCadre(c org.Cadre) cadreJSON {
	return cadreJSON{ID: c.ID, Region: c.Region, RegionName: c.RegionName, Unit: c.Unit, UnitName: c.UnitName, Name: c.Name, Gender: c.Gender,
		IDMasked: c.IDMasked, PhoneMasked: c.PhoneMasked, Post: c.Post, Rank: c.Rank, RankName: c.RankName, Sector: c.Sector,
		Appointed: c.Appointed, Left: c.Left, LeaveReason: c.LeaveReason, Successor: c.Successor, Username: c.Username, Resident: c.Resident}
}

type cadreBody struct {
	Unit      int64  `json:"unit"`
	Region    string `json:"region"`
	Name      string `json:"name"`
	Gender    string `json:"gender"`
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	Post      string `json:"post"`
	Rank      string `json:"rank"`
	Sector    string `json:"sector"`
	Appointed string `json:"appointed"`
	Username  string `json:"username"`
	Resident  int64  `json:"resident"`
}

func (b cadreBody) input() org.CadreInput {
	return org.CadreInput{Unit: b.Unit, Region: b.Region, Name: b.Name, Gender: b.Gender, IDNumber: b.IDNumber, Phone: b.Phone, Post: b.Post,
		Rank: b.Rank, Sector: b.Sector, Appointed: b.Appointed, Username: b.Username, Resident: b.Resident}
}

func (a *API) cadres(r *http.Request, act *access.Actor) (int, any, error) {
	offset, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	unit, _ := strconv.ParseInt(q.Get("unit"), 10, 64)
	list, total, err := a.Cadres.Cadres(r.Context(), act, org.CadreFilter{Region: q.Get("region"), Unit: unit, Rank: q.Get("rank"), Sector: q.Get("sector"),
		Query: q.Get("q"), Former: q.Get("former") == "1", Limit: limit, Offset: offset})
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Total int         `json:"total"`
		Items []cadreJSON `json:"items"`
	}{Total: total, Items: []cadreJSON{}}
	for _, c := range list {
		out.Items = append(out.Items, toCadre(c))
	}
	return http.StatusOK, out, nil
}

func (a *API) cadreCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b cadreBody
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	c, err := a.Cadres.CreateCadre(r.Context(), act, b.input())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toCadre(*c), nil
}

func (a *API) cadre(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Cadres.Cadre(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toCadre(*c), nil
}

func (a *API) cadreUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[cadreBody](r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Cadres.UpdateCadre(r.Context(), act, id, b.input())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toCadre(*c), nil
}

type leaveBody struct {
	Date      string `json:"date"`
	Reason    string `json:"reason"`
	Successor int64  `json:"successor"`
	HandOver  bool   `json:"hand_over"`
}

// cadreLeave records a leaving and answers what it ended and handed over.
func (a *API) cadreLeave(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[leaveBody](r)
	if err != nil {
		return 0, nil, err
	}
	res, err := a.Cadres.Leave(r.Context(), act, id, org.LeaveInput{Date: b.Date, Reason: b.Reason, Successor: b.Successor, HandOver: b.HandOver})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		Cadre       cadreJSON `json:"cadre"`
		EndedGrants int       `json:"ended_grants"`
		EndedTokens int       `json:"ended_tokens"`
		HandedOver  int       `json:"handed_over"`
		Kept        int       `json:"kept"`
	}{toCadre(*res.Cadre), res.EndedGrants, res.EndedTokens, res.HandedOver, res.Kept}, nil
}

type rankJSON struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Hours    int    `json:"hours"`
	Position int    `json:"position"`
}

func ranksJSON(rs []org.Rank) items[rankJSON] {
	out := items[rankJSON]{Items: []rankJSON{}}
	for _, k := range rs {
		out.Items = append(out.Items, rankJSON(k))
	}
	return out
}

func (a *API) ranks(r *http.Request, act *access.Actor) (int, any, error) {
	rs, err := a.Cadres.Ranks(r.Context(), act)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ranksJSON(rs), nil
}

func (a *API) rankSave(r *http.Request, act *access.Actor) (int, any, error) {
	var b rankJSON
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	rs, err := a.Cadres.SaveRank(r.Context(), act, org.Rank(b))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ranksJSON(rs), nil
}
