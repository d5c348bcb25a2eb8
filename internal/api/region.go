package api

import (
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
)

// regionChange is the body of every region management call; each uses
// the fields it needs and the strict decoder refuses any other.
type regionChange struct {
	Name       string `json:"name"`
	Into       string `json:"into"`
	Reason     string `json:"reason"`
	Script     string `json:"script"`
	NameMongol string `json:"name_mongol"`
}

// regionDo adapts a region management call that answers with the region
// as it now stands.
func (a *API) regionDo(do func(r *http.Request, act *access.Actor, code string, in regionChange) (string, error)) func(*http.Request, *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) {
		var in regionChange
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
		code, err := do(r, act, r.PathValue("code"), in)
		if err != nil {
			return 0, nil, err
		}
		reg, err := a.Regions.Get(r.Context(), act, code)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toRegion(*reg), nil
	}
}

func (a *API) regionRename(r *http.Request, act *access.Actor, code string, in regionChange) (string, error) {
	return code, a.Regions.Rename(r.Context(), act, code, in.Name, in.Reason)
}

func (a *API) regionAddVillage(r *http.Request, act *access.Actor, code string, in regionChange) (string, error) {
	v, err := a.Regions.AddVillage(r.Context(), act, code, in.Name, in.Reason)
	if err != nil {
		return "", err
	}
	return v.Code, nil
}

func (a *API) regionMerge(r *http.Request, act *access.Actor, code string, in regionChange) (string, error) {
	return code, a.Regions.Merge(r.Context(), act, code, in.Into, in.Reason)
}

// regionScript chooses how a village writes its public outputs.
func (a *API) regionScript(r *http.Request, act *access.Actor, code string, in regionChange) (string, error) {
	return code, a.Regions.SetScript(r.Context(), act, code, region.Script(in.Script), in.NameMongol, in.Reason)
}

// mongolDrafts lists the Mongolian catalogue entries not yet reviewed.
func (a *API) mongolDrafts(r *http.Request, act *access.Actor) (int, any, error) {
	if !act.CanAnywhere(access.UserManage) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	type draft struct {
		Key       string `json:"key"`
		Chinese   string `json:"chinese"`
		Mongolian string `json:"mongolian"`
	}
	ds := a.Catalog.Drafts()
	out := make([]draft, len(ds))
	for i, d := range ds {
		out[i] = draft{d.Key, d.Chinese, d.Mongolian}
	}
	return http.StatusOK, map[string]any{"items": out, "public": len(a.Catalog.PublicKeys())}, nil
}

func (a *API) regionRetire(r *http.Request, act *access.Actor, code string, in regionChange) (string, error) {
	return code, a.Regions.Retire(r.Context(), act, code, in.Reason)
}

func (a *API) regionHistory(r *http.Request, act *access.Actor) (int, any, error) {
	evs, err := a.Regions.History(r.Context(), act, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	type ev struct {
		Kind    string    `json:"kind"`
		OldName string    `json:"old_name,omitempty"`
		NewName string    `json:"new_name,omitempty"`
		Other   string    `json:"other_code,omitempty"`
		Reason  string    `json:"reason"`
		Actor   string    `json:"actor"`
		At      time.Time `json:"at"`
	}
	out := make([]ev, len(evs))
	for i, e := range evs {
		out[i] = ev{e.Kind, e.OldName, e.NewName, e.Other, e.Reason, e.Actor, e.At.UTC()}
	}
	return http.StatusOK, map[string]any{"items": out}, nil
}
