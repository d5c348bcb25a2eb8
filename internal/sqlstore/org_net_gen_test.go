package sqlstore

import (
	"context"
	"fmt"

	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// GenGridNets fills an empty store with households households in grids
// grids spread over the villages of league, each grid's net built: a
// party member for every fifth household (the first of a grid its central
// household and party-group leader, the others linked to it), and every
// household but one in ten linked to the member of its block of five. Rows
// go in by bulk inserts with explicit ids, like gen: the benchmark
// measures reading a net, not building one. It returns the grid ids.
func (db *DB) GenGridNets(ctx context.Context, league string, households, grids int) ([]int64, error) {
	var villages []string
	err := db.view(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(league)
		var err error
		villages, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (string, error) {
			var c string
			return c, s.Scan(&c)
		}, `SELECT code FROM regions WHERE level = ? AND status = 'active' AND code >= ? AND code < ? ORDER BY code`, int(regioncode.Village), lo, hi)
		return err
	})
	if err != nil || len(villages) == 0 {
		return nil, fmt.Errorf("gen grid nets: villages of %s: %v", league, err)
	}
	per := max(households/grids, 1)
	now := int64(1_700_000_000_000)
	ids := make([]int64, grids)
	err = db.update(ctx, func(tx *Tx) error {
		tx.quiet = true
		var orgs, gs []any
		for i, v := range villages {
			orgs = append(orgs, i+1, v, v, "branch", v+"党支部", "active", now, now)
		}
		if err := tx.insertMany(ctx, `INSERT INTO org_orgs (id, home_code, region_code, kind, name, status, created_at, updated_at) VALUES `, 8, orgs); err != nil {
			return err
		}
		for g := range grids {
			ids[g] = int64(g + 1)
			gs = append(gs, g+1, villages[g%len(villages)], fmt.Sprintf("第%d网格", g+1), "grid", now)
		}
		return tx.insertMany(ctx, `INSERT INTO grids (id, village_code, name, kind, created_at) VALUES `, 5, gs)
	})
	if err != nil {
		return nil, err
	}
	// One transaction per 100 grids keeps each statement batch and the
	// PostgreSQL transaction modest.
	for first := 0; first < grids; first += 100 {
		err := db.update(ctx, func(tx *Tx) error {
			tx.quiet = true
			var hs, ghs, ms, nms, links, nets []any
			for g := first; g < min(first+100, grids); g++ {
				v := g % len(villages)
				leader := 0
				for k := range per {
					h := g*per + k + 1
					hs = append(hs, h, villages[v], fmt.Sprintf("%06d", h), "一组", string(registry.HouseholdActive), now, now)
					ghs = append(ghs, h, g+1, now)
					member := g*per + k/5*5 + 1 // the member of this block of five, keyed like its household
					if k%5 == 0 {
						ms = append(ms, member, v+1, fmt.Sprintf("党员%d", member), "2001-07-01", now, now)
						if k == 0 {
							leader = member
							nms = append(nms, member, g+1, 1, nil, now)
						} else {
							nms = append(nms, member, g+1, 0, leader, now)
						}
					}
					if k%10 != 9 {
						links = append(links, h, g+1, member, now)
					}
				}
				nets = append(nets, g+1, leader, 15, now)
			}
			for _, q := range []struct {
				prefix string
				width  int
				rows   []any
			}{
				{`INSERT INTO households (id, village_code, number, address, status, created_at, updated_at) VALUES `, 7, hs},
				{`INSERT INTO grid_households (household_id, grid_id, assigned_at) VALUES `, 3, ghs},
				{`INSERT INTO org_members (id, branch_id, name, probation, created_at, updated_at) VALUES `, 6, ms},
				{`INSERT INTO grid_net_members (member_id, grid_id, central, central_id, created_at) VALUES `, 5, nms},
				{`INSERT INTO grid_links (household_id, grid_id, member_id, linked_at) VALUES `, 4, links},
				{`INSERT INTO grid_nets (grid_id, leader_member_id, max_links, updated_at) VALUES `, 4, nets},
			} {
				if err := tx.insertMany(ctx, q.prefix, q.width, q.rows); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return ids, db.Analyze(ctx)
}
