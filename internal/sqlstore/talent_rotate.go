package sqlstore

import (
	"context"
	"fmt"

	"shanzhi/internal/secret"
)

// rotateTalent re-seals the applicants' ID numbers and phones with nb and
// recomputes their keyed hashes, then carries the new hash to each
// leader: the hash is how a later round's application finds the leader it
// moves up a tier, so a stale one would make a second, parallel leader.
// Applications are few (thousands), so they are read in one pass.
func (tx *Tx) rotateTalent(ctx context.Context, nb *secret.Box, rep *RotateReport) error {
	if err := tx.rotateSealed(ctx, nb, rep, "talent_candidates"); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE talent_leaders SET person_hash = (SELECT c.id_hash FROM talent_candidates c WHERE c.id = talent_leaders.candidate_id)`)
	return err
}

// rotateSealed re-seals the ID numbers and phones of a table outside the
// household register that keeps them in id_enc, id_hash and phone_enc
// (applicants, party members), in one pass.
func (tx *Tx) rotateSealed(ctx context.Context, nb *secret.Box, rep *RotateReport, table string) error {
	type sealed struct {
		id              int64
		idEnc, phoneEnc []byte
	}
	rows, err := tx.query(ctx, `SELECT id, id_enc, phone_enc FROM `+table+` ORDER BY id`)
	if err != nil {
		return err
	}
	var all []sealed
	for rows.Next() {
		var s sealed
		if err := rows.Scan(&s.id, &s.idEnc, &s.phoneEnc); err != nil {
			rows.Close()
			return err
		}
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range all {
		idNumber, err := nb.Open(purposeID, s.idEnc)
		if err != nil {
			return fmt.Errorf("%s %d id: %w", table, s.id, err)
		}
		phone, err := nb.Open(purposePhone, s.phoneEnc)
		if err != nil {
			return fmt.Errorf("%s %d phone: %w", table, s.id, err)
		}
		if _, err := tx.exec(ctx, `UPDATE `+table+` SET id_enc = ?, id_hash = ?, phone_enc = ? WHERE id = ?`,
			nb.Seal(purposeID, idNumber), nullable(nb.Index(purposeID, idNumber)), nb.Seal(purposePhone, phone), s.id); err != nil {
			return fmt.Errorf("%s %d: %w", table, s.id, err)
		}
		for _, v := range []string{idNumber, phone} {
			if v != "" {
				rep.Values++
			}
		}
	}
	return nil
}
