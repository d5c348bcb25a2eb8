package sqlstore

import (
	"context"
	"strings"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/mongol"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
)

// SetScript chooses how a region writes its public outputs, and records
// its name in traditional script: a village its notices, boards and
// cards, a township, banner or league what it issues (certificates,
// boards, showcases). The change is kept in the region's history with its
// reason, and audited there.
func (s *RegionService) SetScript(ctx context.Context, a *access.Actor, code string, script region.Script, nameMongol, reason string) error {
	if err := manageable(a, code); err != nil {
		return err
	}
	nameMongol = mongol.Normalize(nameMongol)
	var fs fault.Fields
	if !region.ValidScript(script) {
		fs.Add("script", "region.script.invalid")
	}
	switch {
	case mongol.HasLegacy(nameMongol):
		fs.Add("name_mongol", "registry.name_mongol.legacy")
	case nameMongol != "" && !mongol.Has(nameMongol):
		fs.Add("name_mongol", "region.name_mongol.chars")
	case utf8.RuneCountInString(nameMongol) > 80:
		fs.Add("name_mongol", "region.name.long")
	}
	checkReason(&fs, reason)
	if err := fs.Err(); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.region(ctx, code)
		if err != nil {
			return err
		}
		if r.Status != region.Active {
			return fault.E(fault.Conflict, "region.inactive")
		}
		if r.Script == script && r.NameMongol == nameMongol {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE regions SET public_script = ?, name_mongol = ?, updated_at = ? WHERE code = ?`,
			string(script), nameMongol, tx.nowMS(), code); err != nil {
			return err
		}
		return tx.regionEvent(ctx, a, code, "script", scriptNote(r.Script, r.NameMongol), scriptNote(script, nameMongol), "", reason)
	})
}

// scriptNote is how a script choice reads in the region's history.
func scriptNote(s region.Script, nameMongol string) string {
	choice := string(s)
	if s == region.ScriptByKind {
		choice = "kind"
	}
	return strings.TrimSpace(choice + " " + nameMongol)
}

// PublicScript returns a region's names and script choice for its public
// pages, which anyone may open.
func (s *RegionService) PublicScript(ctx context.Context, code string) (*region.Region, error) {
	if !regioncode.ValidCode(code) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var r *region.Region
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		r, err = tx.region(ctx, code)
		return err
	})
	return r, err
}
