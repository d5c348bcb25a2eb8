package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"shanzhi/internal/creditcode"
	"shanzhi/internal/org"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// GenOrgSpec sizes a synthetic organisation register for a league.
type GenOrgSpec struct {
	League  string
	Orgs    int // party organisations, the committees above the branches among them
	Members int
	Seed    int64
}

// GenOrgReport says what GenerateOrgs wrote.
type GenOrgReport struct {
	Orgs, Branches, Members, Units int
	// The branches made, for benchmarks that read or name them.
	BranchIDs   []int64
	BranchNames []string
	Took        time.Duration
}

// GenMemberID is the n-th synthetic ID number GenerateOrgs gives a member
// (born on a day of 1960 onwards, 1,000 to a day): a benchmark that sends
// a roster of the same people back matches them by it.
func GenMemberID(n int) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first := fmt.Sprintf("152221%s%03d", birth.Format("20060102"), n%1000)
	return first + string(registry.CheckChar(first))
}

// GenBranchName is the name GenerateOrgs gives the n-th branch.
func GenBranchName(village string, n int) string { return fmt.Sprintf("%s第%d党支部", village, n) }

// GenerateOrgs fills a league with a deterministic organisation register
// for benchmarks and drills: a committee per banner and per township, then
// branches of the villages under the townships' committees up to Orgs;
// one 两新 unit per five branches in their villages, every second covered
// by a branch attached to it and every fifth by an instructor; and Members
// spread over the branches, sealed and hashed as the import writes them,
// one in three working in a 两新 unit. It writes in bulk, without the
// audit trail: no user did it.
func (db *DB) GenerateOrgs(ctx context.Context, spec GenOrgSpec) (*GenOrgReport, error) {
	if regioncode.LevelOf(spec.League) != regioncode.League {
		return nil, fmt.Errorf("gen: %s is not a league code", spec.League)
	}
	start := time.Now()
	rep := &GenOrgReport{}
	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 14))
	err := db.update(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(spec.League)
		type place struct{ code, parent string }
		var places []place
		rows, err := tx.query(ctx, `SELECT code, parent_code FROM regions WHERE code >= ? AND code < ? AND level IN (3, 4, 5) AND status = 'active' ORDER BY level, code`, lo, hi)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p place
			if err := rows.Scan(&p.code, &p.parent); err != nil {
				rows.Close()
				return err
			}
			places = append(places, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := tx.nowMS()
		committee := map[string]int64{} // banner and township codes
		var villages []place
		for _, p := range places {
			if regioncode.LevelOf(p.code) == regioncode.Village {
				villages = append(villages, p)
				continue
			}
			if rep.Orgs >= spec.Orgs {
				continue
			}
			id, err := tx.insertID(ctx, `INSERT INTO org_orgs (parent_id, home_code, region_code, kind, name, founded, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, '1990-07-01', 'active', ?, ?) RETURNING id`, nullable64(committee[p.parent]), p.code, p.code, string(org.Committee),
				"中共"+p.code+"委员会", now, now)
			if err != nil {
				return err
			}
			committee[p.code] = id
			rep.Orgs++
		}
		if len(villages) == 0 {
			return fmt.Errorf("gen: %s has no villages", spec.League)
		}
		var branches []int64
		var homes []string
		var batch []any
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			ids, err := tx.ids(ctx, `INSERT INTO org_orgs (parent_id, home_code, region_code, kind, name, founded, status, created_at, updated_at)
				VALUES `+placeholders(len(batch)/9, 9)+` RETURNING id`, batch...)
			branches, batch = append(branches, ids...), batch[:0]
			return err
		}
		for n := 0; rep.Orgs < spec.Orgs; n++ {
			v := villages[n%len(villages)]
			name := GenBranchName(v.code, n/len(villages)+1)
			batch = append(batch, nullable64(committee[v.parent]), v.code, v.code, string(org.Branch), name, "2000-07-01", "active", now, now)
			rep.BranchNames = append(rep.BranchNames, name)
			homes = append(homes, v.code)
			rep.Orgs++
			if len(batch) >= genRows*9 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		rep.Branches, rep.BranchIDs = len(branches), branches
		if len(branches) == 0 {
			return fmt.Errorf("gen: %d organisations leave no branch for members", spec.Orgs)
		}
		var units []int64
		for i := 0; i < len(branches); i += 5 {
			code := creditcode.Complete(fmt.Sprintf("91152221MA%07d", i))
			id, err := tx.insertID(ctx, `INSERT INTO org_units (region_code, name, credit_code, type, two_new, new_employment, created_at, updated_at)
				VALUES (?, ?, ?, ?, 1, 0, ?, ?) RETURNING id`, homes[i], fmt.Sprintf("%s第%d公司", homes[i], i), code, string(org.PrivateFirm), now, now)
			if err != nil {
				return err
			}
			units = append(units, id)
			switch {
			case len(units)%2 == 0:
				_, err = tx.exec(ctx, `INSERT INTO org_org_units (org_id, unit_id) VALUES (?, ?)`, branches[i], id)
			case len(units)%5 == 1:
				_, err = tx.exec(ctx, `INSERT INTO org_instructors (unit_id, name, from_date, created_at) VALUES (?, '指导员', '2025-01-01', ?)`, id, now)
			}
			if err != nil {
				return err
			}
		}
		rep.Units = len(units)
		var members []any
		for i := 0; i < spec.Members; i++ {
			idn := GenMemberID(i)
			phone := fmt.Sprintf("139%08d", i)
			var unit any
			if i%3 == 0 {
				unit = units[rng.IntN(len(units))]
			}
			members = append(members, branches[rng.IntN(len(branches))], nil, fmt.Sprintf("党员%d", i), "男", tx.box.Seal(purposeID, idn), tx.box.Index(purposeID, idn),
				registry.MaskID(idn), tx.box.Seal(purposePhone, phone), registry.MaskPhone(phone), "", "2000-07-01", "2001-07-01", "汉族", "", "", "", "",
				unit, "", now, now)
		}
		rep.Members = spec.Members
		return tx.insertMany(ctx, `INSERT INTO org_members (branch_id, resident_id, name, gender, id_enc, id_hash, id_masked, phone_enc, phone_masked,
			applied, probation, full_date, ethnicity, birth_date, education, job, residence, work_unit_id, roster_hash, created_at, updated_at) VALUES `, 21, members)
	})
	rep.Took = time.Since(start)
	return rep, err
}
