package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/pinyin"
)

const gridSelect = `SELECT g.id, g.village_code, v.name, g.name, g.kind, (SELECT count(*) FROM grid_households gh WHERE gh.grid_id = g.id)
	FROM grids g JOIN regions v ON v.code = g.village_code`

func scanGrid(s interface{ Scan(...any) error }) (org.Grid, error) {
	var g org.Grid
	err := s.Scan(&g.ID, &g.Village, &g.VillageName, &g.Name, &g.Kind, &g.Households)
	return g, err
}

// gridFor loads a grid: those who read grids in its village, or hold a
// grant for this very grid, see it; p decides whether they may act.
func (tx *Tx) gridFor(ctx context.Context, a *access.Actor, id int64, p access.Permission) (*org.Grid, error) {
	g, err := scanGrid(tx.queryRow(ctx, gridSelect+` WHERE g.id = ?`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return nil, err
	case !a.CanGrid(access.GridRead, g.Village, g.ID):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case !a.CanGrid(p, g.Village, g.ID):
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return &g, nil
}

// checkGridGrant checks the grid a grant names: a grid role's names a
// grid of the grant's village, every other role's none.
func (tx *Tx) checkGridGrant(ctx context.Context, g access.Grant) error {
	if !g.Role.GridScoped() {
		if g.Grid != 0 {
			return fault.OnField(fault.Invalid, "grid", "role.grid")
		}
		return nil
	}
	var village string
	err := tx.queryRow(ctx, `SELECT village_code FROM grids WHERE id = ?`, g.Grid).Scan(&village)
	if errors.Is(err, sql.ErrNoRows) || err == nil && village != g.Region {
		return fault.OnField(fault.Invalid, "grid", "role.grid")
	}
	return err
}

// CreateGrid divides a village the actor keeps grids in.
func (s *OrgService) CreateGrid(ctx context.Context, a *access.Actor, in org.GridInput) (*org.Grid, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Kind == "" {
		in.Kind = org.GridPlain
	}
	if !a.Can(access.GridManage, in.Village) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *org.Grid
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.checkVillageOrTown(ctx, in.Village); err != nil {
			return fault.OnField(fault.Invalid, "village", "org.grid.village_invalid")
		}
		id, err := tx.insertID(ctx, `INSERT INTO grids (village_code, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id`, in.Village, in.Name, string(in.Kind), tx.nowMS())
		if isUniqueViolation(err) {
			return fault.OnField(fault.Conflict, "name", "org.grid.name_taken")
		}
		if err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.grid.create", fmt.Sprintf("grid:%d", id), in.Village, in.Name+"; "+string(in.Kind)); err != nil {
			return err
		}
		out, err = tx.gridFor(ctx, a, id, access.GridManage)
		return err
	})
	return out, err
}

// Grids lists the grids of the villages in region (all the actor reads
// when empty), by village and name: a grid worker's list is their grid.
func (s *OrgService) Grids(ctx context.Context, a *access.Actor, region string) ([]org.Grid, error) {
	where, args, err := gridScope(a, access.GridRead, region)
	if err != nil {
		return nil, err
	}
	var out []org.Grid
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanGrid, gridSelect+` WHERE `+where+` ORDER BY g.village_code, g.name, g.id LIMIT 2000`, args...)
		return err
	})
	// 第二网格 before 第十网格: in the order of their numbers, not bytes.
	slices.SortStableFunc(out, func(x, y org.Grid) int {
		return cmp.Or(strings.Compare(x.Village, y.Village), pinyin.CompareNumbered(x.Name, y.Name))
	})
	return out, err
}

// GridPage pages through the grids Grids lists, by id.
func (s *OrgService) GridPage(ctx context.Context, a *access.Actor, region string, after int64, limit int) ([]org.Grid, error) {
	where, args, err := gridScope(a, access.GridRead, region)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []org.Grid
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanGrid, gridSelect+` WHERE `+where+` AND g.id > ? ORDER BY g.id LIMIT ?`, append(args, after, limit)...)
		return err
	})
	return out, err
}

// Grid returns a grid with its households.
func (s *OrgService) Grid(ctx context.Context, a *access.Actor, id int64) (*org.Grid, error) {
	var out *org.Grid
	err := s.db.view(ctx, func(tx *Tx) error { return tx.gridRead(ctx, a, id, &out) })
	return out, err
}

func (tx *Tx) gridHouseholds(ctx context.Context, grid int64) ([]org.GridHousehold, error) {
	return queryAll(ctx, tx, scanGridHousehold, `SELECT h.id, h.number, COALESCE(r.name, ''), h.address FROM grid_households gh JOIN households h ON h.id = gh.household_id
		LEFT JOIN residents r ON r.id = h.head_id WHERE gh.grid_id = ? ORDER BY h.number, h.id`, grid)
}

// AssignHouseholds puts households of the grid's village in it. A
// household already in a grid (this one included) or of another village
// refuses the whole request, naming it.
func (s *OrgService) AssignHouseholds(ctx context.Context, a *access.Actor, grid int64, households []int64) (*org.Grid, error) {
	var out *org.Grid
	err := s.db.update(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridManage)
		if err != nil {
			return err
		}
		if len(households) == 0 {
			return fault.OnField(fault.Invalid, "households", "org.grid.none_chosen")
		}
		if err := tx.assignAll(ctx, a, g, households); err != nil {
			return err
		}
		return tx.gridRead(ctx, a, grid, &out)
	})
	return out, err
}

// assignAll puts households in grid g, one audit entry for them all.
func (tx *Tx) assignAll(ctx context.Context, a *access.Actor, g *org.Grid, households []int64) error {
	var numbers []string
	for _, hid := range households {
		number, err := tx.assignable(ctx, g, hid)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO grid_households (household_id, grid_id, assigned_at) VALUES (?, ?, ?)`, hid, g.ID, tx.nowMS()); err != nil {
			if isUniqueViolation(err) {
				return fault.OnField(fault.Conflict, "households", "org.grid.household_twice", number, g.Name)
			}
			return err
		}
		numbers = append(numbers, number)
	}
	return tx.orgAudit(ctx, a, "org.grid.assign", fmt.Sprintf("grid:%d", g.ID), g.Village, strings.Join(numbers, ","))
}

// assignable checks that a household may go into grid g: it is of the
// grid's village and in no grid yet (the one it is in is named).
func (tx *Tx) assignable(ctx context.Context, g *org.Grid, hid int64) (number string, err error) {
	var village string
	var in sql.NullString
	err = tx.queryRow(ctx, `SELECT h.village_code, h.number, og.name FROM households h LEFT JOIN grid_households gh ON gh.household_id = h.id
		LEFT JOIN grids og ON og.id = gh.grid_id WHERE h.id = ?`, hid).Scan(&village, &number, &in)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && village != g.Village:
		return "", fault.OnField(fault.Invalid, "households", "org.grid.household_elsewhere", hid)
	case err != nil:
		return "", err
	case in.Valid:
		return "", fault.OnField(fault.Conflict, "households", "org.grid.household_twice", number, in.String)
	}
	return number, nil
}

// gridRead reads a grid back with its households after a write.
func (tx *Tx) gridRead(ctx context.Context, a *access.Actor, id int64, out **org.Grid) error {
	g, err := tx.gridFor(ctx, a, id, access.GridRead)
	if err != nil {
		return err
	}
	if g.Members, err = tx.gridHouseholds(ctx, id); err != nil {
		return err
	}
	*out = g
	return nil
}

// ReleaseHousehold takes a household out of a grid, so it can be assigned
// to another.
func (s *OrgService) ReleaseHousehold(ctx context.Context, a *access.Actor, grid, household int64) (*org.Grid, error) {
	var out *org.Grid
	err := s.db.update(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridManage)
		if err != nil {
			return err
		}
		if err := tx.exactlyOne(ctx, fault.OnField(fault.Invalid, "household", "org.grid.not_in_grid"),
			`DELETE FROM grid_households WHERE household_id = ? AND grid_id = ?`, household, grid); err != nil {
			return err
		}
		if err := tx.unlinkHousehold(ctx, household); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.grid.release", fmt.Sprintf("grid:%d household:%d", grid, household), g.Village, ""); err != nil {
			return err
		}
		return tx.gridRead(ctx, a, grid, &out)
	})
	return out, err
}

// gridOf finds the grid a household is in; grid is 0 when it is in none.
func (tx *Tx) gridOf(ctx context.Context, household int64) (grid int64, village string, err error) {
	err = tx.queryRow(ctx, `SELECT gh.grid_id, g.village_code FROM grid_households gh JOIN grids g ON g.id = gh.grid_id WHERE gh.household_id = ?`, household).Scan(&grid, &village)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return grid, village, err
}

// gridRelease takes a household that leaves its grid's village in the
// register (merged into another, or moved to another village) out of its
// grid and its party member's care, so grids follow the register. Every
// register path that does so calls it, and only it.
func (tx *Tx) gridRelease(ctx context.Context, a *access.Actor, household int64, why string) error {
	grid, village, err := tx.gridOf(ctx, household)
	if err != nil || grid == 0 {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM grid_households WHERE household_id = ?`, household); err != nil {
		return err
	}
	if err := tx.unlinkHousehold(ctx, household); err != nil {
		return err
	}
	if err := tx.orgAudit(ctx, a, "org.grid.release", fmt.Sprintf("grid:%d household:%d", grid, household), village, why); err != nil {
		return err
	}
	return tx.netFollow(ctx, a, `r.household_id = ?`, household, why)
}

// netFollow releases the party members among the residents where (over
// residents r) picks who no longer live in the grid whose net holds them:
// their household is now in another grid, or in another village. A member
// whose household is in no grid of the same village stays placed, as
// placing allows.
func (tx *Tx) netFollow(ctx context.Context, a *access.Actor, where string, arg int64, why string) error {
	type placed struct {
		member, grid int64
		village      string
	}
	list, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (placed, error) {
		var p placed
		err := s.Scan(&p.member, &p.grid, &p.village)
		return p, err
	}, `SELECT nm.member_id, nm.grid_id, g.village_code FROM grid_net_members nm JOIN grids g ON g.id = nm.grid_id
		JOIN org_members m ON m.id = nm.member_id JOIN residents r ON r.id = m.resident_id JOIN households h ON h.id = r.household_id
		LEFT JOIN grid_households gh ON gh.household_id = h.id
		WHERE `+where+` AND (h.village_code <> g.village_code OR gh.grid_id IS NOT NULL AND gh.grid_id <> nm.grid_id) ORDER BY nm.member_id`, arg)
	if err != nil {
		return err
	}
	for _, p := range list {
		if err := tx.netRelease(ctx, a, p.member, p.grid, p.village, why); err != nil {
			return err
		}
	}
	return nil
}

// netRelease takes a party member out of their grid's net: the households
// they link are unlinked, members linked to them as a central household
// are left without one, and a party-group leader's place is emptied. The
// builder's remove, a move of the member's household and a transfer of
// their membership all release here.
func (tx *Tx) netRelease(ctx context.Context, a *access.Actor, member, grid int64, village, why string) error {
	for _, q := range []string{`DELETE FROM grid_links WHERE member_id = ?`, `UPDATE grid_net_members SET central_id = NULL WHERE central_id = ?`,
		`UPDATE grid_nets SET leader_member_id = NULL WHERE leader_member_id = ?`, `DELETE FROM grid_net_members WHERE member_id = ?`} {
		if _, err := tx.exec(ctx, q, member); err != nil {
			return err
		}
	}
	if why == "" {
		return nil // the builder audits its own operation
	}
	return tx.orgAudit(ctx, a, "org.net.release", fmt.Sprintf("grid:%d member:%d", grid, member), village, why)
}

// netFollowMember releases a member from the net of a grid when their
// membership moves to another branch (组织关系转接): the receiving
// branch places them again where they now belong.
func (tx *Tx) netFollowMember(ctx context.Context, a *access.Actor, member int64, why string) error {
	var grid int64
	var village string
	err := tx.queryRow(ctx, `SELECT nm.grid_id, g.village_code FROM grid_net_members nm JOIN grids g ON g.id = nm.grid_id WHERE nm.member_id = ?`, member).Scan(&grid, &village)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return tx.netRelease(ctx, a, member, grid, village, why)
}

// unlinkHousehold ends a household's link to a party member, when it
// leaves its grid.
func (tx *Tx) unlinkHousehold(ctx context.Context, household int64) error {
	_, err := tx.exec(ctx, `DELETE FROM grid_links WHERE household_id = ?`, household)
	return err
}

// gridScope is the WHERE over grids g that region and the actor's grants
// for p allow: the region's villages, or with a grant for one grid that
// grid only. region "" is all the actor reaches.
func gridScope(a *access.Actor, p access.Permission, region string) (string, []any, error) {
	if !a.CanAnywhere(p) {
		return "", nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	var scopes []string
	var grids []int64
	switch {
	case region == "":
		scopes, grids = a.Scopes(p), a.GridGrants(p, "")
	case a.Can(p, region):
		scopes = []string{region}
	default:
		if grids = a.GridGrants(p, region); len(grids) == 0 {
			return "", nil, fault.E(fault.NotFound, "region.not_found")
		}
	}
	if len(scopes) == 0 && len(grids) == 0 {
		// A grant for one organisation reaches contacts, not grids.
		return "", nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	where, args := scopeWhere("g.village_code", scopes)
	if len(grids) > 0 {
		where = "(" + where + " OR g.id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(grids)), ", ") + "))"
		for _, id := range grids {
			args = append(args, id)
		}
	}
	return where, args, nil
}

// gridFollowSplit puts a household split off another in the grid of the
// one it came from: it lives where it did the day before.
func (tx *Tx) gridFollowSplit(ctx context.Context, a *access.Actor, from, household int64) error {
	grid, village, err := tx.gridOf(ctx, from)
	if err != nil || grid == 0 {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO grid_households (household_id, grid_id, assigned_at) VALUES (?, ?, ?)`, household, grid, tx.nowMS()); err != nil {
		return err
	}
	return tx.orgAudit(ctx, a, "org.grid.assign", fmt.Sprintf("grid:%d household:%d", grid, household), village, fmt.Sprintf("split from %d", from))
}
