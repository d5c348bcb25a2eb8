package sqlstore

import (
	"context"
	"errors"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/talent"
)

// batchSize checks the size of a bulk action.
func batchSize(n int) error {
	if n == 0 {
		return fault.OnField(fault.Invalid, "ids", "talent.bulk.empty")
	}
	if n > talent.MaxBatch {
		return fault.OnField(fault.Invalid, "ids", "talent.bulk.too_many", talent.MaxBatch)
	}
	return nil
}

// DecideMany decides a batch in one transaction, in the order given (the
// level's recommendation order on the ranking page), so an approval takes
// the quota room the one before left. The first refusal ends the batch
// and undoes it, and names its application: an official deciding sixty
// at once must know which one to look at.
func (s *TalentService) DecideMany(ctx context.Context, a *access.Actor, ids []int64, d talent.Decision) ([]talent.Candidate, error) {
	if err := batchSize(len(ids)); err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var out []talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		out = out[:0]
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			c, err := s.decideTx(ctx, tx, a, id, d)
			if err != nil {
				return s.namedRefusal(ctx, tx, a, id, err)
			}
			out = append(out, *c)
		}
		return nil
	})
	return out, err
}

// namedRefusal wraps the refusal of one application of a batch in a
// message naming it, keeping the refusal's code and fields; an
// application the actor cannot see is named by nothing but its id.
func (s *TalentService) namedRefusal(ctx context.Context, tx *Tx, a *access.Actor, id int64, err error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code == fault.Internal {
		return err
	}
	who := "#" + strconv.FormatInt(id, 10)
	if c, cerr := tx.talentCandidate(ctx, a, id); cerr == nil {
		who = c.Name + "（" + c.VillageName + "）"
	}
	return &fault.Error{Code: fe.Code, Msg: i18n.M("talent.bulk.refused", who, fe.Msg), Fields: fe.Fields}
}

// ScoreMany records a scoring sheet in one transaction, each row in a
// savepoint so a refused row leaves the rest checkable; a rehearsal when
// commit is false, so the check meets exactly the checks of the real run.
func (s *TalentService) ScoreMany(ctx context.Context, a *access.Actor, rows []talent.ScoreRow, commit bool) error {
	if err := batchSize(len(rows)); err != nil {
		return err
	}
	run := s.db.rehearse
	if commit {
		run = s.db.update
	}
	return run(ctx, func(tx *Tx) error {
		failed := 0
		for i := range rows {
			rows[i].Err = rowSavepoint(ctx, tx, func() error {
				c, err := s.scoreTx(ctx, tx, a, rows[i].Candidate, rows[i].Points, rows[i].Comment)
				if err == nil && rows[i].Name != "" && rows[i].Name != c.Name {
					// The sheet's name and id disagree: a row moved or
					// pasted over, and the scores may be someone else's.
					err = fault.OnField(fault.Invalid, "name", "talent.score.name_mismatch", rows[i].Name, c.Name)
				}
				return err
			})
			if rows[i].Err != nil {
				if fault.CodeOf(rows[i].Err) == fault.Internal {
					return rows[i].Err
				}
				failed++
			}
		}
		if failed > 0 {
			return fault.E(fault.Invalid, "talent.import.problems", failed)
		}
		return nil
	})
}

// SetQuotas records a quota sheet in one transaction, all or nothing.
func (s *TalentService) SetQuotas(ctx context.Context, a *access.Actor, round int64, rows []talent.QuotaRow) error {
	if err := batchSize(len(rows)); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.talentRound(ctx, a, round)
		if err != nil {
			return err
		}
		failed := 0
		for i := range rows {
			if rows[i].Err != nil { // the sheet's own problem
				failed++
				continue
			}
			rows[i].Err = rowSavepoint(ctx, tx, func() error { return tx.setQuota(ctx, a, r, rows[i].Quota) })
			if rows[i].Err != nil {
				if fault.CodeOf(rows[i].Err) == fault.Internal {
					return rows[i].Err
				}
				failed++
			}
		}
		if failed > 0 {
			return fault.E(fault.Invalid, "talent.import.problems", failed)
		}
		return nil
	})
}

// rowSavepoint runs one row of a batch in a savepoint and rolls the row
// back when it fails, so the transaction stays usable for the rows after.
func rowSavepoint(ctx context.Context, tx *Tx, row func() error) error {
	if _, err := tx.exec(ctx, `SAVEPOINT talent_row`); err != nil {
		return err
	}
	err := row()
	if err != nil {
		if _, rerr := tx.exec(ctx, `ROLLBACK TO SAVEPOINT talent_row`); rerr != nil {
			return rerr
		}
	}
	if _, rerr := tx.exec(ctx, `RELEASE SAVEPOINT talent_row`); rerr != nil {
		return rerr
	}
	return err
}
