package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// Grants held for one party organisation (a branch secretary's) or for
// one unit (its 组织人事干部's). Such a grant names the region it is held
// at too: the organisation's home, the unit's region, so that who may
// grant it, its audit and its uniqueness stay those of a region grant.
//
// Rule for grants given before organisations could be named: a secretary's
// grant at a village stays as it was and reaches the whole village (every
// branch homed there, the register and its grids). The security
// administrator narrows it by granting the role again for the branch.

// grantScope fills in the region of a grant for an organisation or unit
// given without one, so the page and the API need only name the branch or
// the unit.
func (tx *Tx) grantScope(ctx context.Context, g *access.Grant) error {
	if g.Region != "" {
		return nil
	}
	var err error
	switch {
	case g.Org != 0:
		err = tx.queryRow(ctx, `SELECT home_code FROM org_orgs WHERE id = ?`, g.Org).Scan(&g.Region)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.Invalid, "org", "role.org")
		}
	case g.Unit != 0:
		err = tx.queryRow(ctx, `SELECT region_code FROM org_units WHERE id = ?`, g.Unit).Scan(&g.Region)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.Invalid, "unit", "role.unit")
		}
	}
	return err
}

// checkOrgUnitGrant checks the organisation or unit a grant names: only a
// secretary's may name an active organisation homed at the grant's region,
// a unit staff's must name a unit in that region, and no grant names both
// or either beside a grid.
func (tx *Tx) checkOrgUnitGrant(ctx context.Context, g access.Grant) error {
	switch {
	case g.Org != 0 && (!g.Role.OrgScopable() || g.Unit != 0 || g.Grid != 0):
		return fault.OnField(fault.Invalid, "org", "role.org")
	case g.Role.UnitScoped() && g.Unit == 0, !g.Role.UnitScoped() && g.Unit != 0:
		return fault.OnField(fault.Invalid, "unit", "role.unit")
	}
	if g.Org != 0 {
		var home, status string
		err := tx.queryRow(ctx, `SELECT home_code, status FROM org_orgs WHERE id = ?`, g.Org).Scan(&home, &status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && (home != g.Region || status != "active") {
			return fault.OnField(fault.Invalid, "org", "role.org")
		}
		if err != nil {
			return err
		}
	}
	if g.Unit != 0 {
		var region string
		err := tx.queryRow(ctx, `SELECT region_code FROM org_units WHERE id = ?`, g.Unit).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || err == nil && region != g.Region {
			return fault.OnField(fault.Invalid, "unit", "role.unit")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// canOrg reports whether a holds p for organisation id, homed at home:
// region-wide there, or by a grant for it or an organisation above it.
func (tx *Tx) canOrg(ctx context.Context, a *access.Actor, p access.Permission, id int64, home string) (bool, error) {
	if a.Can(p, home) {
		return true, nil
	}
	if len(a.OrgGrantsFor(p)) == 0 {
		return false, nil
	}
	chain, err := tx.ancestors(ctx, id)
	if err != nil {
		return false, err
	}
	return a.CanOrg(p, home, chain), nil
}

// orgSubtree returns the organisations the actor's grants for one
// organisation reach with p: each of them and every one below it.
func (tx *Tx) orgSubtree(ctx context.Context, a *access.Actor, p access.Permission) ([]int64, error) {
	return tx.orgsBelow(ctx, a.OrgGrantsFor(p)...)
}

// orgsBelow returns roots and every organisation below them. The walk
// stops at a repeat.
func (tx *Tx) orgsBelow(ctx context.Context, roots ...int64) ([]int64, error) {
	level := roots
	seen := map[int64]bool{}
	var out []int64
	for len(level) > 0 {
		var next []int64
		for _, id := range level {
			if seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, id)
			kids, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (int64, error) {
				var k int64
				err := s.Scan(&k)
				return k, err
			}, `SELECT id FROM org_orgs WHERE parent_id = ?`, id)
			if err != nil {
				return nil, err
			}
			next = append(next, kids...)
		}
		level = next
	}
	return out, nil
}

// idIn is "col IN (?, ?, …)" over ids, or a condition matching nothing.
func idIn(col string, ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}
