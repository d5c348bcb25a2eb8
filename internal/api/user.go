package api

import (
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// grantBulk grants a role at every region of a level under a region, or
// revokes it from each, in one action; each grant is audited on its own.
func (a *API) grantBulk(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Role   string `json:"role"`
		Region string `json:"region_code"`
		Level  int    `json:"level"`
		Revoke bool   `json:"revoke"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if !act.CanAnywhere(access.RoleManage) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	n, err := a.Users.GrantAt(r.Context(), act, id, access.BulkGrant{Role: access.Role(in.Role), Under: in.Region, Level: regioncode.Level(in.Level), Revoke: in.Revoke})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		Changed int `json:"changed"`
	}{n}, nil
}

// grantJSONIn is one grant as the API takes it: a role at a region, for
// a villager's household, one grid, one party organisation (a branch
// secretary) or one unit (its staff). The region may be left out when an
// organisation or unit is named: theirs is taken.
type grantJSONIn struct {
	Role      string `json:"role"`
	Region    string `json:"region_code"`
	Household int64  `json:"household"`
	Grid      int64  `json:"grid"`
	Org       int64  `json:"org"`
	Unit      int64  `json:"unit"`
}

func (g grantJSONIn) grant() access.Grant {
	return access.Grant{Role: access.Role(g.Role), Region: g.Region, Household: g.Household, Grid: g.Grid, Org: g.Org, Unit: g.Unit}
}

// grantOne grants a role (revoke: takes it away), audited.
func (a *API) grantOne(revoke bool) func(r *http.Request, act *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) {
		id, in, err := idAndBody[grantJSONIn](r)
		if err != nil {
			return 0, nil, err
		}
		if revoke {
			err = a.Users.Revoke(r.Context(), act, id, in.grant())
		} else {
			err = a.Users.Grant(r.Context(), act, id, in.grant())
		}
		if err != nil {
			return 0, nil, err
		}
		u, err := a.Users.User(r.Context(), act, id)
		if err != nil {
			return 0, nil, err
		}
		out := []grantJSONIn{}
		for _, g := range u.Grants {
			out = append(out, grantJSONIn{string(g.Role), g.Region, g.Household, g.Grid, g.Org, g.Unit})
		}
		return http.StatusOK, struct {
			Grants []grantJSONIn `json:"grants"`
		}{out}, nil
	}
}
