package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/pinyin"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
)

// EraseResident carries out a lawful erasure request (PIPL art. 47, 删除权)
// for a resident who has left the register (moved out or deceased): the
// register of current residents is a duty the village keeps, so a
// registered person is first recorded as gone, then erased. The name, the
// Mongolian name, the birth date, the sealed ID number and phone with
// their keyed hashes and masks go from the resident's row, from the
// organisation register's linked member, from a 晓景计划 application
// linked to the resident and from the household's event history; masked
// copies of the name on review items of the household's awards and of
// those applications are cleared. Ledger entries and the audit log are not touched:
// they hold amounts and ids, not the person's data, and their keyed chains
// must keep verifying. Award photos stay: they are evidence of the
// household's deed, and a resident who has left is never a household's
// last member (the head must stay registered).
//
// It takes RegionManage, a leader's permission, not PersonalReveal, which
// operators hold too: an erasure cannot be undone, so it is the village
// leadership's decision.
func (s *RegistryService) EraseResident(ctx context.Context, a *access.Actor, id int64, reason string) error {
	if err := requireReason(reason); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.residentFor(ctx, a, id, access.RegionManage)
		if err != nil {
			return err
		}
		if r.Name == registry.ErasedName {
			return fault.E(fault.Conflict, "registry.resident.erased")
		}
		if r.Status == registry.Registered {
			return fault.E(fault.Conflict, "registry.resident.erase_registered")
		}
		name := registry.ErasedName
		if _, err := tx.exec(ctx, `UPDATE residents SET name = ?, name_mongol = '', name_mongol_key = '', name_mongol_sort = '', name_sort = ?, name_initials = ?, name_pinyin = ?, birth_date = '',
			id_enc = NULL, id_hash = NULL, id_masked = '', phone_enc = NULL, phone_hash = NULL, phone_masked = '', updated_at = ? WHERE id = ?`,
			name, pinyin.SortKey(name), pinyin.Initials(name), pinyin.Full(name), tx.nowMS(), id); err != nil {
			return err
		}
		// The national roster's columns of the person go with them: birth
		// date, residence, and the hash of their roster row.
		if _, err := tx.exec(ctx, `UPDATE org_members SET name = ?, id_enc = NULL, id_hash = NULL, id_masked = '', phone_enc = NULL, phone_masked = '',
			birth_date = '', residence = '', roster_hash = '', updated_at = ? WHERE resident_id = ?`, name, tx.nowMS(), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE household_events SET resident_name = ? WHERE resident_id = ?`, name, id); err != nil {
			return err
		}
		// A 晓景计划 application linked to the resident carries a copy of
		// the same data, and its review item the masked name.
		if _, err := tx.exec(ctx, `UPDATE review_items SET person = '' WHERE subject_kind = ?
			AND subject_id IN (SELECT id FROM talent_candidates WHERE resident_id = ?)`, talent.SubjectKind, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE talent_candidates SET name = ?, birth_date = '', id_enc = NULL, id_hash = NULL, id_masked = '', phone_enc = NULL, phone_masked = '',
			updated_at = ? WHERE resident_id = ?`, name, tx.nowMS(), id); err != nil {
			return err
		}
		if masked := review.MaskName(r.Name); masked != "" {
			if _, err := tx.exec(ctx, `UPDATE review_items SET person = '' WHERE person = ? AND subject_kind = 'award'
				AND subject_id IN (SELECT id FROM awards WHERE household_id = ?)`, masked, r.HouseholdID); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "personal.erase", target: fmt.Sprintf("resident:%d", id), region: r.VillageCode, detail: strings.TrimSpace(reason)})
	})
}
