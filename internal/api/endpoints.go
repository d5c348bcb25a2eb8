package api

import (
	"fmt"
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
	"shanzhi/internal/server"
)

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	token, err := a.Limits.SignIn(r.Context(), in.Username, func() (string, error) {
		return a.Auth.Login(r.Context(), in.Username, in.Password)
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusCreated, map[string]string{"token": token})
}

// idAndBody reads the object id in the path and the JSON body of a call
// about that object.
func idAndBody[T any](r *http.Request) (int64, T, error) {
	var in T
	id, err := pathID(r)
	if err != nil {
		return 0, in, err
	}
	return id, in, decode(r, &in)
}

func (a *API) region(r *http.Request, act *access.Actor) (int, any, error) {
	path, err := a.Regions.Path(r.Context(), act, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	// The record carries the region's own counts, as its page shows them.
	cur, err := a.Regions.Totals(r.Context(), act, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		regionJSON
		Path []regionJSON `json:"path"`
	}{regionJSON: toRegion(cur)}
	for _, p := range path[:len(path)-1] {
		out.Path = append(out.Path, toRegion(p))
	}
	return http.StatusOK, out, nil
}

func (a *API) regionChildren(r *http.Request, act *access.Actor) (int, any, error) {
	kids, err := a.Regions.Children(r.Context(), act, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]regionJSON, len(kids))
	for i, k := range kids {
		out[i] = toRegion(k)
	}
	return http.StatusOK, map[string]any{"items": out}, nil
}

func (a *API) households(r *http.Request, act *access.Actor) (int, any, error) {
	offset, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	rows, total, err := a.Registry.Households(r.Context(), act, registry.ListFilter{Region: q.Get("region"), Query: q.Get("q"),
		Status: registry.HouseholdStatus(q.Get("status")), Offset: offset, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	out := list[householdJSON]{Items: make([]householdJSON, len(rows)), Total: total, Offset: offset, Limit: limit}
	for i, h := range rows {
		out.Items[i] = toHousehold(h)
	}
	return http.StatusOK, out, nil
}

func (a *API) householdCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var in struct {
		Number  string     `json:"number"`
		Village string     `json:"village_code"`
		Address string     `json:"address"`
		Head    residentIn `json:"head"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	head := in.Head.input()
	head.KeepIDNumber, head.KeepPhone = false, false
	h, err := a.Registry.CreateHousehold(r.Context(), act, registry.HouseholdInput{Number: in.Number, VillageCode: in.Village, Address: in.Address}, head)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toHousehold(*h), nil
}

func (a *API) household(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	h, members, err := a.Registry.Household(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		householdJSON
		MemberList []residentJSON `json:"member_list"`
	}{householdJSON: toHousehold(*h)}
	for _, m := range members {
		out.MemberList = append(out.MemberList, toResident(m))
	}
	return http.StatusOK, out, nil
}

func (a *API) householdUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Number  string `json:"number"`
		Village string `json:"village_code"`
		Address string `json:"address"`
		Reason  string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.UpdateHousehold(r.Context(), act, id, registry.HouseholdInput{Number: in.Number, VillageCode: in.Village, Address: in.Address}, in.Reason); err != nil {
		return 0, nil, err
	}
	return a.household(r, act)
}

func (a *API) householdHistory(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	evs, err := a.Registry.History(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	type ev struct {
		Kind       string `json:"kind"`
		ResidentID int64  `json:"resident_id,omitempty"`
		Resident   string `json:"resident,omitempty"`
		OtherID    int64  `json:"other_household_id,omitempty"`
		Detail     string `json:"detail"`
		Reason     string `json:"reason"`
		Actor      string `json:"actor"`
		At         string `json:"at"`
	}
	out := make([]ev, len(evs))
	for i, e := range evs {
		out[i] = ev{e.Kind, e.ResidentID, e.Resident, e.OtherID, e.Detail, e.Reason, e.Actor, e.At.UTC().Format("2006-01-02T15:04:05Z")}
	}
	return http.StatusOK, map[string]any{"items": out}, nil
}

func (a *API) memberAdd(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[residentIn](r)
	if err != nil {
		return 0, nil, err
	}
	res, err := a.Registry.AddResident(r.Context(), act, id, in.input(), in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toResident(*res), nil
}

func (a *API) changeHead(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		ResidentID      int64  `json:"resident_id"`
		OldHeadRelation string `json:"old_head_relation"`
		Reason          string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.ChangeHead(r.Context(), act, id, in.ResidentID, in.OldHeadRelation, in.Reason); err != nil {
		return 0, nil, err
	}
	return a.household(r, act)
}

func (a *API) split(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Members   []int64           `json:"members"`
		NewHead   int64             `json:"new_head"`
		Number    string            `json:"number"`
		Address   string            `json:"address"`
		Relations map[string]string `json:"relations"`
		Reason    string            `json:"reason"`
		Points    int64             `json:"points"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	sp := registry.Split{From: id, Members: in.Members, NewHead: in.NewHead, Number: in.Number, Address: in.Address, Reason: in.Reason, Relations: map[int64]string{}, Points: in.Points}
	for _, m := range in.Members {
		sp.Relations[m] = in.Relations[itoa(m)]
	}
	h, err := a.Registry.SplitHousehold(r.Context(), act, sp)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toHousehold(*h), nil
}

func (a *API) merge(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Into   int64  `json:"into"`
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.MergeHouseholds(r.Context(), act, id, in.Into, in.Reason); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]int64{"into": in.Into}, nil
}

func (a *API) residents(r *http.Request, act *access.Actor) (int, any, error) {
	offset, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	rows, total, err := a.Registry.Residents(r.Context(), act, registry.ResidentFilter{Region: q.Get("region"), Query: q.Get("q"),
		Status: registry.ResidentStatus(q.Get("status")), Offset: offset, Limit: limit, MongolOrder: q.Get("order") == "mongol"})
	if err != nil {
		return 0, nil, err
	}
	out := list[residentJSON]{Items: make([]residentJSON, len(rows)), Total: total, Offset: offset, Limit: limit}
	for i, p := range rows {
		out.Items[i] = toResident(p.Resident)
		out.Items[i].HouseholdNumber, out.Items[i].VillageCode = p.HouseholdNumber, p.VillageCode
	}
	return http.StatusOK, out, nil
}

func (a *API) resident(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	res, err := a.Registry.Resident(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toResident(*res), nil
}

func (a *API) residentUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[residentIn](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.UpdateResident(r.Context(), act, id, in.input(), in.Reason); err != nil {
		return 0, nil, err
	}
	return a.resident(r, act)
}

func (a *API) residentMove(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		To       int64  `json:"to"`
		Relation string `json:"relation"`
		Reason   string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.MoveResident(r.Context(), act, id, in.To, in.Relation, in.Reason); err != nil {
		return 0, nil, err
	}
	return a.resident(r, act)
}

func (a *API) residentStatus(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.SetResidentStatus(r.Context(), act, id, registry.ResidentStatus(in.Status), in.Reason); err != nil {
		return 0, nil, err
	}
	return a.resident(r, act)
}

// residentErase erases a departed resident's personal data on a lawful
// request and answers with the resident as it now stands.
func (a *API) residentErase(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Registry.EraseResident(r.Context(), act, id, in.Reason); err != nil {
		return 0, nil, err
	}
	return a.resident(r, act)
}

// notFound answers unknown API paths in the API's own error shape.
func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, fault.E(fault.NotFound, "error.not_found"))
}

func (a *API) residentReveal(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := server.Limited(a.Limits.Reveal, fmt.Sprint(act.UserID)); err != nil {
		return 0, nil, err
	}
	idNumber, phone, err := a.Registry.Reveal(r.Context(), act, id, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"id_number": idNumber, "phone": phone}, nil
}
