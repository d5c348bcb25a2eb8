package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/regiondata"
)

// RegionService implements region.Service.
type RegionService struct{ db *DB }

// Regions returns the store's region service.
func (db *DB) Regions() *RegionService { return &RegionService{db: db} }

var _ region.Service = (*RegionService)(nil)

// SeedRegions loads the embedded statistical hierarchy into an empty
// regions table and returns how many rows it wrote; a table that already
// has rows is left alone, because staff may have renamed, added or merged
// villages since.
func (db *DB) SeedRegions(ctx context.Context) (int, error) {
	all, err := regiondata.All()
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.update(ctx, func(tx *Tx) error {
		if err := tx.startupLock(ctx); err != nil {
			return err
		}
		var have int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM regions`).Scan(&have); err != nil {
			return err
		}
		if have > 0 {
			return nil
		}
		const batch = 400
		for i := 0; i < len(all); i += batch {
			chunk := all[i:min(i+batch, len(all))]
			var b strings.Builder
			b.WriteString(`INSERT INTO regions (code, parent_code, name, level, kind, status, updated_at) VALUES `)
			args := make([]any, 0, len(chunk)*6)
			for j, r := range chunk {
				if j > 0 {
					b.WriteString(",")
				}
				b.WriteString("(?, ?, ?, ?, ?, 'active', ?)")
				var parent any
				if r.ParentCode != "" {
					parent = r.ParentCode
				}
				args = append(args, r.Code, parent, r.Name, r.Level, r.Kind, tx.nowMS())
			}
			if _, err := tx.exec(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("seed regions: %w", err)
			}
			n += len(chunk)
		}
		return tx.audit(ctx, nil, auditEntry{action: "region.seed", target: "regions", detail: fmt.Sprintf("%d rows, %s", n, regiondata.Vintage())})
	})
	return n, err
}

const regionCols = `code, COALESCE(parent_code, ''), name, level, kind, status, COALESCE(merged_into, ''), name_mongol, public_script`

func scanRegion(s interface{ Scan(...any) error }) (region.Region, error) {
	var r region.Region
	var lvl int
	err := s.Scan(&r.Code, &r.ParentCode, &r.Name, &lvl, &r.Kind, &r.Status, &r.MergedInto, &r.NameMongol, &r.Script)
	r.Level = regioncode.Level(lvl)
	return r, err
}

func (tx *Tx) region(ctx context.Context, code string) (*region.Region, error) {
	r, err := scanRegion(tx.queryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// readable checks that a can read code; unknown or foreign codes look the
// same, so probing learns nothing.
func readable(a *access.Actor, code string) error {
	if !regioncode.ValidCode(code) || !a.Can(access.RegistryRead, code) {
		return fault.E(fault.NotFound, "region.not_found")
	}
	return nil
}

// Get returns one region.
func (s *RegionService) Get(ctx context.Context, a *access.Actor, code string) (*region.Region, error) {
	if err := readable(a, code); err != nil {
		return nil, err
	}
	var r *region.Region
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		r, err = tx.region(ctx, code)
		return err
	})
	return r, err
}

// Path returns the chain from the province down to code. Ancestors above
// the actor's scope are named too: a breadcrumb must say where a village
// is, and region names are public.
func (s *RegionService) Path(ctx context.Context, a *access.Actor, code string) ([]region.Region, error) {
	if err := readable(a, code); err != nil {
		return nil, err
	}
	var out []region.Region
	err := s.db.view(ctx, func(tx *Tx) error {
		for c := code; c != ""; {
			r, err := tx.region(ctx, c)
			if err != nil {
				return err
			}
			out = append([]region.Region{*r}, out...)
			c = r.ParentCode
		}
		return nil
	})
	return out, err
}

// Names returns the full name path of each code that names a region, one
// lookup per level, with the levels shared between codes read once.
func (s *RegionService) Names(ctx context.Context, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	err := s.db.view(ctx, func(tx *Tx) error {
		seen := map[string]*region.Region{}
		for _, code := range codes {
			if _, done := out[code]; done {
				continue
			}
			var names []string
			for c := code; c != ""; {
				r, ok := seen[c]
				if !ok {
					var err error
					if r, err = tx.region(ctx, c); fault.Is(err, fault.NotFound) {
						r = nil
					} else if err != nil {
						return err
					}
					seen[c] = r
				}
				if r == nil {
					names = nil
					break
				}
				names = append([]string{r.Name}, names...)
				c = r.ParentCode
			}
			if names != nil {
				out[code] = strings.Join(names, " › ")
			}
		}
		return nil
	})
	return out, err
}

// Children lists the direct children of code with their counts. Counts
// come from index range scans over the code-prefixed columns, grouped by
// the child's prefix, so one query serves a whole level.
func (s *RegionService) Children(ctx context.Context, a *access.Actor, code string) ([]region.Region, error) {
	if err := readable(a, code); err != nil {
		return nil, err
	}
	var out []region.Region
	err := s.db.view(ctx, func(tx *Tx) error {
		parent, err := tx.region(ctx, code)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+regionCols+`, (SELECT count(*) FROM regions c WHERE c.parent_code = r.code AND c.status = 'active')
			FROM regions r WHERE parent_code = ? ORDER BY status, code`, code)
		if err != nil {
			return err
		}
		defer rows.Close()
		idx := map[string]int{}
		for rows.Next() {
			var r region.Region
			var lvl int
			if err := rows.Scan(&r.Code, &r.ParentCode, &r.Name, &lvl, &r.Kind, &r.Status, &r.MergedInto, &r.NameMongol, &r.Script, &r.Children); err != nil {
				return err
			}
			r.Level = regioncode.Level(lvl)
			idx[regioncode.Prefix(r.Code)] = len(out)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if parent.Level >= regioncode.Village || len(out) == 0 {
			return nil
		}
		plen := len(regioncode.Prefix(out[0].Code))
		lo, hi := regioncode.Range(code)
		count := func(q string, set func(*region.Region, int)) error {
			rs, err := tx.query(ctx, q, plen, lo, hi)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var p string
				var n int
				if err := rs.Scan(&p, &n); err != nil {
					return err
				}
				if i, ok := idx[p]; ok {
					set(&out[i], n)
				}
			}
			return rs.Err()
		}
		if err := count(`SELECT substr(village_code, 1, ?), count(*) FROM households WHERE village_code >= ? AND village_code < ? AND status = '在册' GROUP BY 1`,
			func(r *region.Region, n int) { r.Households = n }); err != nil {
			return err
		}
		return count(`SELECT substr(village_code, 1, ?), count(*) FROM residents WHERE village_code >= ? AND village_code < ? AND status = '在册' GROUP BY 1`,
			func(r *region.Region, n int) { r.Residents = n })
	})
	return out, err
}

// Totals returns code with its counts: the sums over its children, whose
// counts come from one grouped scan per level, or a village's own
// register, which has no children to sum.
func (s *RegionService) Totals(ctx context.Context, a *access.Actor, code string) (region.Region, error) {
	r, err := s.Get(ctx, a, code)
	if err != nil {
		return region.Region{}, err
	}
	if r.Level >= regioncode.Village {
		err := s.db.view(ctx, func(tx *Tx) error {
			if err := tx.queryRow(ctx, `SELECT count(*) FROM households WHERE village_code = ? AND status = '在册'`, code).Scan(&r.Households); err != nil {
				return err
			}
			return tx.queryRow(ctx, `SELECT count(*) FROM residents WHERE village_code = ? AND status = '在册'`, code).Scan(&r.Residents)
		})
		return *r, err
	}
	kids, err := s.Children(ctx, a, code)
	for _, k := range kids {
		if k.Status == region.Active {
			r.Children++
		}
		r.Households += k.Households
		r.Residents += k.Residents
	}
	return *r, err
}

// Search finds regions whose name contains q inside the actor's scopes.
func (s *RegionService) Search(ctx context.Context, a *access.Actor, q string, limit int) ([]region.Region, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	var out []region.Region
	err := s.db.view(ctx, func(tx *Tx) error {
		where, args := scopeWhere("code", a.Scopes(access.RegistryRead))
		args = append([]any{"%" + likeEscape(q) + "%"}, args...)
		found, err := queryAll(ctx, tx, scanRegion, `SELECT `+regionCols+` FROM regions WHERE name LIKE ? ESCAPE '\' AND `+where+` ORDER BY level, code LIMIT `+fmt.Sprint(limit), args...)
		out = found
		return err
	})
	return out, err
}

// scopeWhere builds "(col >= ? AND col < ? OR ...)" over the actor's
// scopes; with no scope it matches nothing.
func scopeWhere(col string, scopes []string) (string, []any) {
	if len(scopes) == 0 {
		return "1 = 0", nil
	}
	parts := make([]string, 0, len(scopes))
	args := make([]any, 0, 2*len(scopes))
	for _, s := range scopes {
		lo, hi := regioncode.Range(s)
		parts = append(parts, col+" >= ? AND "+col+" < ?")
		args = append(args, lo, hi)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// History lists a region's events, newest first.
func (s *RegionService) History(ctx context.Context, a *access.Actor, code string) ([]region.Event, error) {
	if err := readable(a, code); err != nil {
		return nil, err
	}
	var out []region.Event
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, code, kind, old_name, new_name, other_code, reason, actor_name, at FROM region_events WHERE code = ? ORDER BY id DESC`, code)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e region.Event
			var at int64
			if err := rows.Scan(&e.ID, &e.Code, &e.Kind, &e.OldName, &e.NewName, &e.Other, &e.Reason, &e.Actor, &at); err != nil {
				return err
			}
			e.At = time.UnixMilli(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// manageable checks that a may manage code, which must be a village-level
// unit when village is true.
func manageable(a *access.Actor, code string) error {
	if !regioncode.ValidCode(code) {
		return fault.E(fault.NotFound, "region.not_found")
	}
	if !a.Can(access.RegionManage, code) {
		if a.Can(access.RegistryRead, code) {
			return fault.E(fault.Forbidden, "error.forbidden")
		}
		return fault.E(fault.NotFound, "region.not_found")
	}
	return nil
}

func checkRegionText(name, reason string) error {
	var fs fault.Fields
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		fs.Add("name", "region.name.required")
	case utf8.RuneCountInString(name) > 40:
		fs.Add("name", "region.name.long")
	}
	checkReason(&fs, reason)
	return fs.Err()
}

func checkReason(fs *fault.Fields, reason string) {
	switch r := strings.TrimSpace(reason); {
	case r == "":
		fs.Add("reason", "registry.reason.required")
	case utf8.RuneCountInString(r) > 200:
		fs.Add("reason", "registry.reason.long")
	}
}

func (tx *Tx) regionEvent(ctx context.Context, a *access.Actor, code, kind, oldName, newName, other, reason string) error {
	uid, uname := actorRef(a)
	_, err := tx.exec(ctx, `INSERT INTO region_events (code, kind, old_name, new_name, other_code, reason, actor_id, actor_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, code, kind, oldName, newName, other, strings.TrimSpace(reason), uid, uname, tx.nowMS())
	if err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: "region." + kind, target: code, region: code, detail: strings.TrimSpace(oldName + " " + newName + " " + other)})
}

// Rename gives a region a new name; the old one stays in its history.
func (s *RegionService) Rename(ctx context.Context, a *access.Actor, code, name, reason string) error {
	if err := manageable(a, code); err != nil {
		return err
	}
	if err := checkRegionText(name, reason); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.region(ctx, code)
		if err != nil {
			return err
		}
		if r.Status != region.Active {
			return fault.E(fault.Conflict, "region.inactive")
		}
		if r.Name == name {
			return nil
		}
		if err := tx.siblingNameFree(ctx, r.ParentCode, name); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE regions SET name = ?, kind = ?, updated_at = ? WHERE code = ?`, name, region.KindOf(r.Level, name), tx.nowMS(), code); err != nil {
			return err
		}
		return tx.regionEvent(ctx, a, code, "renamed", r.Name, name, "", reason)
	})
}

func (tx *Tx) siblingNameFree(ctx context.Context, parent, name string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM regions WHERE parent_code = ? AND name = ? AND status = 'active'`, parent, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fault.OnField(fault.Conflict, "name", "region.name.taken", name)
	}
	return nil
}

// AddVillage creates a village under township, numbered from LocalFirst up.
func (s *RegionService) AddVillage(ctx context.Context, a *access.Actor, township, name, reason string) (*region.Region, error) {
	if err := manageable(a, township); err != nil {
		return nil, err
	}
	if regioncode.LevelOf(township) != regioncode.Township {
		return nil, fault.E(fault.Invalid, "region.add.not_township")
	}
	if err := checkRegionText(name, reason); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	var out *region.Region
	err := s.db.update(ctx, func(tx *Tx) error {
		t, err := tx.region(ctx, township)
		if err != nil {
			return err
		}
		if t.Status != region.Active {
			return fault.E(fault.Conflict, "region.inactive")
		}
		if err := tx.siblingNameFree(ctx, township, name); err != nil {
			return err
		}
		var maxCode string
		lo := township[:9] + fmt.Sprintf("%03d", region.LocalFirst)
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(code), '') FROM regions WHERE code >= ? AND code <= ?`, lo, township[:9]+"999").Scan(&maxCode); err != nil {
			return err
		}
		next := region.LocalFirst
		if maxCode != "" {
			fmt.Sscanf(maxCode[9:], "%d", &next)
			next++
		}
		if next > 999 {
			return fault.E(fault.Conflict, "region.add.full")
		}
		code := fmt.Sprintf("%s%03d", township[:9], next)
		kind := region.KindOf(regioncode.Village, name)
		if _, err := tx.exec(ctx, `INSERT INTO regions (code, parent_code, name, level, kind, status, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?)`,
			code, township, name, int(regioncode.Village), kind, tx.nowMS()); err != nil {
			return err
		}
		out = &region.Region{Code: code, ParentCode: township, Name: name, Level: regioncode.Village, Kind: kind, Status: region.Active}
		return tx.regionEvent(ctx, a, code, "created", "", name, "", reason)
	})
	return out, err
}

// Merge moves every household and resident of village from into village
// into, in one transaction. Household numbers that clash with one already
// in the receiving village get the old village's three-digit number as a
// suffix, recorded in the household's history, so nothing is lost.
func (s *RegionService) Merge(ctx context.Context, a *access.Actor, from, into, reason string) error {
	if err := manageable(a, from); err != nil {
		return err
	}
	if !regioncode.ValidCode(into) {
		return fault.OnField(fault.Invalid, "into", "region.code_invalid")
	}
	if err := manageable(a, into); err != nil {
		return err
	}
	var fs fault.Fields
	checkReason(&fs, reason)
	if from == into {
		fs.Add("into", "region.merge.same")
	}
	if regioncode.LevelOf(from) != regioncode.Village || regioncode.LevelOf(into) != regioncode.Village {
		fs.Add("into", "region.merge.not_village")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		f, err := tx.region(ctx, from)
		if err != nil {
			return err
		}
		t, err := tx.region(ctx, into)
		if err != nil {
			return err
		}
		if f.Status != region.Active || t.Status != region.Active {
			return fault.E(fault.Conflict, "region.inactive")
		}
		rows, err := tx.query(ctx, `SELECT h.id, h.number, EXISTS (SELECT 1 FROM households o WHERE o.village_code = ? AND o.number = h.number)
			FROM households h WHERE h.village_code = ? ORDER BY h.id`, into, from)
		if err != nil {
			return err
		}
		type move struct {
			id     int64
			number string
			clash  bool
		}
		var moves []move
		for rows.Next() {
			var m move
			if err := rows.Scan(&m.id, &m.number, &m.clash); err != nil {
				rows.Close()
				return err
			}
			moves = append(moves, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range moves {
			number := m.number
			if m.clash {
				number = m.number + "-" + from[9:]
			}
			if _, err := tx.exec(ctx, `UPDATE households SET village_code = ?, number = ?, updated_at = ? WHERE id = ?`, into, number, tx.nowMS(), m.id); err != nil {
				return err
			}
			detail := f.Name + " → " + t.Name
			if number != m.number {
				detail += "；户号 " + m.number + " → " + number
			}
			if err := tx.householdEvent(ctx, a, m.id, 0, "", "village_changed", 0, detail, reason); err != nil {
				return err
			}
			if err := tx.moveTotals(ctx, m.id, from, into); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE residents SET village_code = ?, updated_at = ? WHERE village_code = ?`, into, tx.nowMS(), from); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE regions SET status = 'merged', merged_into = ?, updated_at = ? WHERE code = ?`, into, tx.nowMS(), from); err != nil {
			return err
		}
		if err := tx.regionEvent(ctx, a, from, "merged", f.Name, t.Name, into, reason); err != nil {
			return err
		}
		return tx.regionEvent(ctx, a, into, "absorbed", t.Name, f.Name, from, reason)
	})
}

// Retire ends a village that no longer exists; one that still has
// households must be merged instead, so nobody is left without a village.
func (s *RegionService) Retire(ctx context.Context, a *access.Actor, code, reason string) error {
	if err := manageable(a, code); err != nil {
		return err
	}
	var fs fault.Fields
	checkReason(&fs, reason)
	if err := fs.Err(); err != nil {
		return err
	}
	if regioncode.LevelOf(code) != regioncode.Village {
		return fault.E(fault.Invalid, "region.merge.not_village")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.region(ctx, code)
		if err != nil {
			return err
		}
		if r.Status != region.Active {
			return fault.E(fault.Conflict, "region.inactive")
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM households WHERE village_code = ? AND status = '在册'`, code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.E(fault.Conflict, "region.retire.has_households", n)
		}
		if _, err := tx.exec(ctx, `UPDATE regions SET status = 'retired', updated_at = ? WHERE code = ?`, tx.nowMS(), code); err != nil {
			return err
		}
		return tx.regionEvent(ctx, a, code, "retired", r.Name, "", "", reason)
	})
}
