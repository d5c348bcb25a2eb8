package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/regioncode"
)

var _ org.NetService = (*OrgService)(nil)

func scanGridHousehold(s interface{ Scan(...any) error }) (org.GridHousehold, error) {
	var h org.GridHousehold
	err := s.Scan(&h.ID, &h.Number, &h.Head, &h.Address)
	return h, err
}

// netOf reads a grid's net in three indexed queries (its settings, its
// members, its households with their links), whatever the size of the
// league: this is the linkage tree the benchmark holds to its figure.
func (tx *Tx) netOf(ctx context.Context, g *org.Grid) (*org.Net, error) {
	n := &org.Net{Grid: g.ID, GridName: g.Name, Village: g.Village, MaxLinks: org.DefaultMaxLinks}
	var leader sql.NullInt64
	err := tx.queryRow(ctx, `SELECT leader_member_id, max_links FROM grid_nets WHERE grid_id = ?`, g.ID).Scan(&leader, &n.MaxLinks)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	n.Leader = leader.Int64
	n.Members, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.NetMember, error) {
		var m org.NetMember
		err := s.Scan(&m.Member, &m.Name, &m.PhoneMasked, &m.Branch, &m.BranchName, &m.Central, &m.CentralOf, &m.CentralName)
		return m, err
	}, `SELECT nm.member_id, m.name, m.phone_masked, m.branch_id, o.name, nm.central <> 0, COALESCE(nm.central_id, 0), COALESCE(cm.name, '')
		FROM grid_net_members nm JOIN org_members m ON m.id = nm.member_id JOIN org_orgs o ON o.id = m.branch_id
		LEFT JOIN org_members cm ON cm.id = nm.central_id
		WHERE nm.grid_id = ? ORDER BY nm.central DESC, m.name, m.id`, g.ID)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, m := range n.Members {
		at[m.Member] = i
		if m.Member == n.Leader {
			n.LeaderName = m.Name
		}
	}
	// One pass over the grid's households, linked or not, by number.
	rows, err := tx.query(ctx, `SELECT COALESCE(l.member_id, 0), h.id, h.number, COALESCE(r.name, ''), h.address FROM grid_households gh
		JOIN households h ON h.id = gh.household_id LEFT JOIN residents r ON r.id = h.head_id
		LEFT JOIN grid_links l ON l.household_id = gh.household_id
		WHERE gh.grid_id = ? ORDER BY h.number, h.id`, g.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var member int64
		var h org.GridHousehold
		if err := rows.Scan(&member, &h.ID, &h.Number, &h.Head, &h.Address); err != nil {
			return nil, err
		}
		if i, ok := at[member]; ok {
			n.Members[i].Households = append(n.Members[i].Households, h)
		} else {
			n.Unlinked = append(n.Unlinked, h)
		}
	}
	return n, rows.Err()
}

// Net returns a grid's linkage net.
func (s *OrgService) Net(ctx context.Context, a *access.Actor, grid int64) (*org.Net, error) {
	var out *org.Net
	err := s.db.view(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridRead)
		if err != nil {
			return err
		}
		out, err = tx.netOf(ctx, g)
		return err
	})
	return out, err
}

// ancestors lists a region and every region above it, for matching an
// organisation whose home covers it.
func ancestors(code string) []any {
	var out []any
	for l := regioncode.Level(1); l <= regioncode.LevelOf(code); l++ {
		p := code[:regioncode.PrefixLen(l)]
		out = append(out, p+strings.Repeat("0", 12-len(p)))
	}
	return out
}

// netMemberIn reads a member placed in grid's net; refused naming the
// member when they are not in it.
func (tx *Tx) netMemberIn(ctx context.Context, grid, member int64, field string) (name string, central bool, err error) {
	var in int64
	err = tx.queryRow(ctx, `SELECT m.name, COALESCE(nm.grid_id, 0), COALESCE(nm.central, 0) <> 0 FROM org_members m
		LEFT JOIN grid_net_members nm ON nm.member_id = m.id WHERE m.id = ?`, member).Scan(&name, &in, &central)
	if errors.Is(err, sql.ErrNoRows) || err == nil && in != grid {
		return "", false, fault.OnField(fault.Invalid, field, "org.net.member_not_in_net", member)
	}
	return name, central, err
}

// placeable checks that a party member may be placed in grid g: of a
// branch whose home covers the grid's village, in no net yet, and, when
// they are a resident of the register, living in this grid.
func (tx *Tx) placeable(ctx context.Context, g *org.Grid, member int64) (string, error) {
	var name, home string
	var placed, resident sql.NullInt64
	err := tx.queryRow(ctx, `SELECT m.name, o.home_code, nm.grid_id, r.household_id FROM org_members m JOIN org_orgs o ON o.id = m.branch_id
		LEFT JOIN grid_net_members nm ON nm.member_id = m.id LEFT JOIN residents r ON r.id = m.resident_id WHERE m.id = ?`, member).Scan(&name, &home, &placed, &resident)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && !regioncode.Covers(home, g.Village):
		return "", fault.OnField(fault.Invalid, "members", "org.net.member_elsewhere", member)
	case err != nil:
		return "", err
	case placed.Valid:
		var other string
		if err := tx.queryRow(ctx, `SELECT name FROM grids WHERE id = ?`, placed.Int64).Scan(&other); err != nil {
			return "", err
		}
		return "", fault.OnField(fault.Conflict, "members", "org.net.member_placed", name, other)
	}
	if resident.Valid {
		if in, _, err := tx.gridOf(ctx, resident.Int64); err != nil {
			return "", err
		} else if in != 0 && in != g.ID {
			var other string
			if err := tx.queryRow(ctx, `SELECT name FROM grids WHERE id = ?`, in).Scan(&other); err != nil {
				return "", err
			}
			return "", fault.OnField(fault.Invalid, "members", "org.net.member_lives_elsewhere", name, other)
		}
	}
	return name, nil
}

// ChangeNet applies one builder operation to a grid's net, all or nothing.
func (s *OrgService) ChangeNet(ctx context.Context, a *access.Actor, grid int64, c org.NetChange) (*org.Net, error) {
	var out *org.Net
	err := s.db.update(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridLink)
		if err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		detail, err := tx.netChange(ctx, g, c)
		if err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.net_change."+string(c.Op), fmt.Sprintf("grid:%d", grid), g.Village, detail); err != nil {
			return err
		}
		out, err = tx.netOf(ctx, g)
		return err
	})
	return out, err
}

// netChange does one checked operation and says what it did, for the audit.
func (tx *Tx) netChange(ctx context.Context, g *org.Grid, c org.NetChange) (string, error) {
	var done []string
	switch c.Op {
	case org.NetPlace:
		for _, m := range c.Members {
			name, err := tx.placeable(ctx, g, m)
			if err != nil {
				return "", err
			}
			if _, err := tx.exec(ctx, `INSERT INTO grid_net_members (member_id, grid_id, central, created_at) VALUES (?, ?, ?, ?)`, m, g.ID, boolInt(c.Central), tx.nowMS()); err != nil {
				return "", err
			}
			done = append(done, name)
		}
	case org.NetRemove:
		name, _, err := tx.netMemberIn(ctx, g.ID, c.Member, "member")
		if err != nil {
			return "", err
		}
		if err := tx.netRelease(ctx, nil, c.Member, g.ID, g.Village, ""); err != nil {
			return "", err
		}
		done = append(done, name)
	case org.NetCentral:
		name, central, err := tx.netMemberIn(ctx, g.ID, c.Member, "member")
		if err != nil {
			return "", err
		}
		if !central {
			return "", fault.OnField(fault.Invalid, "member", "org.net.not_central", name)
		}
		done = append(done, name+" ←")
		for _, m := range c.Members {
			mname, mcentral, err := tx.netMemberIn(ctx, g.ID, m, "members")
			if err != nil {
				return "", err
			}
			if mcentral {
				return "", fault.OnField(fault.Invalid, "members", "org.net.central_under_central", mname)
			}
			if _, err := tx.exec(ctx, `UPDATE grid_net_members SET central_id = ? WHERE member_id = ?`, c.Member, m); err != nil {
				return "", err
			}
			done = append(done, mname)
		}
	case org.NetLeader:
		name, _, err := tx.netMemberIn(ctx, g.ID, c.Member, "member")
		if err != nil {
			return "", err
		}
		if err := tx.netSettings(ctx, g.ID, `leader_member_id`, c.Member); err != nil {
			return "", err
		}
		done = append(done, name)
	case org.NetSettings:
		if err := tx.netSettings(ctx, g.ID, `max_links`, c.MaxLinks); err != nil {
			return "", err
		}
		done = append(done, fmt.Sprint(c.MaxLinks))
	case org.NetLink:
		name, _, err := tx.netMemberIn(ctx, g.ID, c.Member, "member")
		if err != nil {
			return "", err
		}
		done = append(done, name+" →")
		for _, h := range c.Households {
			number, err := tx.linkable(ctx, g, h)
			if err != nil {
				return "", err
			}
			if _, err := tx.exec(ctx, `INSERT INTO grid_links (household_id, grid_id, member_id, linked_at) VALUES (?, ?, ?, ?)`, h, g.ID, c.Member, tx.nowMS()); err != nil {
				return "", err
			}
			done = append(done, number)
		}
	case org.NetUnlink:
		for _, h := range c.Households {
			if err := tx.exactlyOne(ctx, fault.OnField(fault.Invalid, "households", "org.net.not_linked", h),
				`DELETE FROM grid_links WHERE household_id = ? AND grid_id = ?`, h, g.ID); err != nil {
				return "", err
			}
			done = append(done, fmt.Sprint(h))
		}
	}
	return strings.Join(done, ","), nil
}

// netSettings sets one column of a grid's net row, making the row first.
func (tx *Tx) netSettings(ctx context.Context, grid int64, col string, v any) error {
	if _, err := tx.exec(ctx, `INSERT INTO grid_nets (grid_id, max_links, updated_at) VALUES (?, ?, ?) ON CONFLICT (grid_id) DO NOTHING`, grid, org.DefaultMaxLinks, tx.nowMS()); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE grid_nets SET `+col+` = ?, updated_at = ? WHERE grid_id = ?`, v, tx.nowMS(), grid)
	return err
}

// linkable checks that a household may be linked in grid g: it is in
// this grid (a household of another grid is refused, naming that grid)
// and linked to nobody yet (its member is named).
func (tx *Tx) linkable(ctx context.Context, g *org.Grid, h int64) (string, error) {
	var number string
	var in sql.NullInt64
	var gridName, member sql.NullString
	err := tx.queryRow(ctx, `SELECT h.number, gh.grid_id, og.name, m.name FROM households h LEFT JOIN grid_households gh ON gh.household_id = h.id
		LEFT JOIN grids og ON og.id = gh.grid_id LEFT JOIN grid_links l ON l.household_id = h.id LEFT JOIN org_members m ON m.id = l.member_id
		WHERE h.id = ? AND h.village_code = ?`, h, g.Village).Scan(&number, &in, &gridName, &member)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && !in.Valid:
		return "", fault.OnField(fault.Invalid, "households", "org.net.household_not_in_grid", h, g.Name)
	case err != nil:
		return "", err
	case in.Int64 != g.ID:
		return "", fault.OnField(fault.Invalid, "households", "org.net.household_other_grid", number, gridName.String, g.Name)
	case member.Valid:
		return "", fault.OnField(fault.Conflict, "households", "org.net.household_linked", number, member.String)
	}
	return number, nil
}

// NetCandidates lists the party members who may be placed in a grid's
// net, by name.
func (s *OrgService) NetCandidates(ctx context.Context, a *access.Actor, grid int64) ([]org.NetCandidate, error) {
	var out []org.NetCandidate
	err := s.db.view(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridLink)
		if err != nil {
			return err
		}
		anc := ancestors(g.Village)
		args := append(anc, g.ID)
		members, err := queryAll(ctx, tx, scanMember, memberSelect+` LEFT JOIN residents r ON r.id = m.resident_id
			LEFT JOIN grid_households gh ON gh.household_id = r.household_id
			WHERE o.home_code IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(anc)), ", ")+`)
			AND NOT EXISTS (SELECT 1 FROM grid_net_members nm WHERE nm.member_id = m.id)
			AND (gh.grid_id IS NULL OR gh.grid_id = ?) ORDER BY gh.grid_id IS NULL, m.name, m.id LIMIT 2000`, args...)
		if err != nil {
			return err
		}
		numbers, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.NetCandidate, error) {
			var c org.NetCandidate
			err := s.Scan(&c.Resident, &c.Household)
			return c, err
		}, `SELECT r.id, h.number FROM grid_households gh JOIN residents r ON r.household_id = gh.household_id
			JOIN households h ON h.id = gh.household_id JOIN org_members m ON m.resident_id = r.id WHERE gh.grid_id = ?`, g.ID)
		if err != nil {
			return err
		}
		number := make(map[int64]string, len(numbers))
		for _, n := range numbers {
			number[n.Resident] = n.Household
		}
		out = make([]org.NetCandidate, len(members))
		for i, m := range members {
			out[i] = org.NetCandidate{Member: m, Household: number[m.Resident]}
		}
		return nil
	})
	return out, err
}

// Coverage counts how far a grid's net reaches: from the net itself, so
// the page and the builder never disagree.
func (s *OrgService) NetCoverage(ctx context.Context, a *access.Actor, grid int64) (*org.NetCoverage, error) {
	var out *org.NetCoverage
	err := s.db.view(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridRead)
		if err != nil {
			return err
		}
		n, err := tx.netOf(ctx, g)
		if err != nil {
			return err
		}
		c := &org.NetCoverage{Grid: grid, Households: g.Households, Unlinked: n.Unlinked, MaxLinks: n.MaxLinks}
		for _, m := range n.Members {
			c.Linked += len(m.Households)
			switch {
			case len(m.Households) == 0 && !m.Central:
				c.Idle = append(c.Idle, m)
			case len(m.Households) > n.MaxLinks:
				c.Overloaded = append(c.Overloaded, m)
			}
		}
		out = c
		return nil
	})
	return out, err
}

// Cards builds the contact cards of a grid's households. Opening the
// party members' phones is a sensitive read, audited once per call.
func (s *OrgService) Cards(ctx context.Context, a *access.Actor, grid, household int64) ([]org.Card, error) {
	var out []org.Card
	err := s.db.update(ctx, func(tx *Tx) error {
		g, err := tx.gridFor(ctx, a, grid, access.GridRead)
		if err != nil {
			return err
		}
		n, err := tx.netOf(ctx, g)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, m := range n.Members {
			names[m.Member] = m.Name
		}
		for _, m := range n.Members {
			if len(m.Households) == 0 {
				continue
			}
			var sealed []byte
			if err := tx.queryRow(ctx, `SELECT phone_enc FROM org_members WHERE id = ?`, m.Member).Scan(&sealed); err != nil {
				return err
			}
			phone := ""
			if sealed != nil {
				if phone, err = tx.box.Open(purposePhone, sealed); err != nil {
					return err
				}
			}
			central := m.CentralName
			if m.Central {
				central = m.Name
			}
			for _, h := range m.Households {
				if household == 0 || h.ID == household {
					out = append(out, org.Card{Household: h, Grid: g.Name, Village: g.VillageName, Member: m.Name, MemberPhone: phone,
						Central: central, Leader: names[n.Leader], Branch: m.BranchName})
				}
			}
		}
		if household != 0 && len(out) == 0 {
			return fault.OnField(fault.Invalid, "household", "org.net.not_linked", household)
		}
		return tx.orgAudit(ctx, a, "org.net.cards", fmt.Sprintf("grid:%d household:%d", grid, household), g.Village, fmt.Sprint(len(out)))
	})
	return out, err
}
