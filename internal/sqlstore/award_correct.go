package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
)

// CorrectionKind is the subject kind a correction goes under review as, in
// the award flow: the notice page and the queue say 更正 by it.
const CorrectionKind = "correction"

// Correct stores a correction of a posted award as an award of its own
// (the opposite points, the original's item, day and period, the reason)
// and puts it under the award flow: the committee approves it and it
// stands on notice like any award, and only then is the reversal posted.
func (s *AwardService) Correct(ctx context.Context, a *access.Actor, c points.Correction) (*points.AwardRecord, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	fp := correctPrint(c.Household, c.Award, c.Reason)
	var out *points.AwardRecord
	err := s.db.update(ctx, func(tx *Tx) error {
		var prevID int64
		prevFP, err := scanPrint(tx.queryRow(ctx, `SELECT id, `+printCols+` FROM awards WHERE idem_key = ?`, c.Key), &prevID)
		switch {
		case err == nil && prevFP == fp:
			out, err = tx.award(ctx, prevID)
			return err
		case err == nil:
			return fault.OnField(fault.Conflict, "key", "points.key_reused")
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		orig, err := tx.award(ctx, c.Award)
		if errors.Is(err, sql.ErrNoRows) || err == nil && (orig.Household != c.Household || !a.Can(access.PointsWrite, orig.Village)) {
			return fault.OnField(fault.NotFound, "award", "points.correct.award")
		}
		if err != nil {
			return err
		}
		if err := correctable(orig); err != nil {
			return err
		}
		var live int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM awards WHERE corrects_id = ? AND status IN ('pending', 'approved')`, orig.ID).Scan(&live); err != nil {
			return err
		}
		if live > 0 {
			return fault.OnField(fault.Conflict, "award", "points.correct.open")
		}
		// Points already spent cannot be taken back: say so now rather
		// than when the correction's notice closes. The balance can still
		// fall before then, and the posting re-checks it.
		var delta int64
		if err := tx.queryRow(ctx, `SELECT delta FROM ledger_entries WHERE id = ?`, orig.EntryID).Scan(&delta); err != nil {
			return err
		}
		if delta > 0 {
			bal, err := tx.balanceOf(ctx, orig.Household)
			if err != nil {
				return err
			}
			if bal < delta {
				return fault.OnField(fault.Conflict, "award", "points.correct.spent", bal, delta)
			}
		}
		var status, head, headMongol, birth string
		if err := tx.queryRow(ctx, `SELECT h.status, COALESCE(r.name, ''), COALESCE(r.name_mongol, ''), COALESCE(r.birth_date, '') FROM households h LEFT JOIN residents r ON r.id = h.head_id WHERE h.id = ?`,
			orig.Household).Scan(&status, &head, &headMongol, &birth); err != nil {
			return err
		}
		if status != string(registry.HouseholdActive) {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		id, err := tx.insertID(ctx, `INSERT INTO awards (household_id, item_code, aspect, points, channel, evidence,
			scheme_versions, period, award_date, status, idem_key, photo_sums, corrects_id, reason)
			SELECT household_id, item_code, aspect, -points, channel, ?, scheme_versions, period, award_date, 'pending', ?, '', id, ?
			FROM awards WHERE id = ? RETURNING id`, c.Reason, c.Key, c.Reason, orig.ID)
		if err != nil {
			return err
		}
		// A correction's notice is as long as the one the original award
		// was promised: the village's rule for that award.
		var noticeDays int
		if err := tx.queryRow(ctx, `SELECT notice_days FROM review_items WHERE id = ?`, orig.ReviewID).Scan(&noticeDays); err != nil {
			return err
		}
		sum := review.Summary{Title: orig.ItemName, Points: -orig.Points, Note: c.Reason}
		publicPerson(&sum, head, headMongol, birth, tx.now)
		item, err := s.review.submitNew(ctx, tx, a, points.AwardFlow, CorrectionKind, id, orig.Village, sum, noticeDays)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE awards SET review_id = ? WHERE id = ?`, item.ID, id); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "points.correct", target: fmt.Sprintf("award:%d corrects:%d household:%d", id, orig.ID, orig.Household),
			region: orig.Village, detail: fmt.Sprintf("%s %+d; %s", orig.ItemName, -orig.Points, c.Reason)}); err != nil {
			return err
		}
		out, err = tx.award(ctx, id)
		return err
	})
	return out, err
}

// correctable says whether an award can be corrected: it was posted, and
// it is not itself a correction (a reversal is never reversed).
func correctable(w *points.AwardRecord) error {
	switch {
	case w.Corrects != 0:
		return fault.OnField(fault.Conflict, "award", "points.reversal_of_reversal")
	case w.Status == points.AwardCorrected:
		return fault.OnField(fault.Conflict, "award", "points.reversed")
	case w.Status != points.AwardApproved || w.EntryID == 0:
		return fault.OnField(fault.Conflict, "award", "points.correct.not_posted")
	}
	return nil
}

// postCorrection posts an approved correction: a reversal of the original
// award's entry through the one posting path, under a key derived from
// the correction, so it is posted exactly once; the original is then
// corrected, and the totals take its points back.
func (tx *Tx) postCorrection(ctx context.Context, w *points.AwardRecord, itemID int64) (int64, error) {
	orig, err := tx.award(ctx, w.Corrects)
	if err != nil {
		return 0, err
	}
	if err := correctable(orig); err != nil {
		return 0, err
	}
	e, err := tx.post(ctx, nil, "", points.Posting{Key: fmt.Sprintf("award:%d", w.ID), Household: w.Household, Kind: points.Reversal,
		Reverses: orig.EntryID, Item: w.ItemName, Memo: w.Reason})
	if err != nil {
		return 0, err
	}
	if err := tx.addTotals(ctx, orig, e.Delta, 0); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE awards SET status = 'corrected' WHERE id = ?`, orig.ID); err != nil {
		return 0, err
	}
	return e.ID, nil
}

// recentAwards is how many of a household's latest awards the queue shows
// beside an item.
const recentAwards = 5

// Queue lists the award and appeal flows' items in state with their awards, the
// household's 户号 and head, the facts, photos, and the household's recent
// awards, in one snapshot. The head's name is whole only for those holding
// a role at the village itself; levels above see it masked.
func (s *AwardService) Queue(ctx context.Context, a *access.Actor, state review.State) ([]points.QueueItem, error) {
	if state == "" {
		state = review.Pending
	}
	var out []points.QueueItem
	err := s.db.view(ctx, func(tx *Tx) error {
		items, err := s.review.items(ctx, tx, a, review.Filter{Flow: points.AwardFlow, State: state})
		if err != nil {
			return err
		}
		// Appeals come first: a household waits on them.
		if _, ok := s.review.flows[points.AppealFlow]; ok {
			appeals, err := s.review.items(ctx, tx, a, review.Filter{Flow: points.AppealFlow, State: state})
			if err != nil {
				return err
			}
			items = append(appeals, items...)
		}
		var ptrs []*points.AwardRecord
		out = make([]points.QueueItem, len(items))
		for i, it := range items {
			q := &out[i]
			q.Item = it
			w, err := scanAwardShown(tx.queryRow(ctx, `SELECT `+awardShownCols+`, h.number, COALESCE(r.name, ''), a.evidence, a.witness, a.proxy_for
				`+awardFrom+` JOIN households h ON h.id = a.household_id
				LEFT JOIN residents r ON r.id = h.head_id WHERE a.id = ?`, it.SubjectID), &q.Number, &q.Head, &q.Evidence, &q.Witness, &q.ProxyFor)
			if err != nil {
				return err
			}
			q.Award = w
			ptrs = append(ptrs, &q.Award)
			if !villageOwn(a, w.Village) {
				q.Head = review.MaskName(q.Head)
			}
			if q.Recent, err = tx.householdAwards(ctx, w.Household, recentAwards+1); err != nil {
				return err
			}
			q.Recent = dropAward(q.Recent, w.ID, recentAwards)
			if it.State == review.InNotice {
				os, err := tx.reviewObjections(ctx, it.ID)
				if err != nil {
					return err
				}
				for _, o := range os {
					if o.State == review.ObjOpen {
						q.Objection = append(q.Objection, o)
					}
				}
			}
		}
		return tx.withPhotos(ctx, ptrs)
	})
	return out, err
}

// villageOwn reports whether a holds a role at village itself (not above
// it, not a villager's own household): the village committee, entitled to
// see its own villagers by name.
func villageOwn(a *access.Actor, village string) bool {
	for _, g := range a.Grants {
		if g.Region == village && g.Household == 0 && a.Can(access.RegistryRead, village) {
			return true
		}
	}
	return false
}

// dropAward leaves award id out of ws and keeps at most n.
func dropAward(ws []points.AwardRecord, id int64, n int) []points.AwardRecord {
	out := ws[:0]
	for _, w := range ws {
		if w.ID != id && len(out) < n {
			out = append(out, w)
		}
	}
	return out
}
