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
