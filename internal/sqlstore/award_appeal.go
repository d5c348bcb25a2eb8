package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
)

// Appeal puts a household's appeal under the appeal flow, with the
// household's statement as the item's note, which only the committee
// reads: the flow has no notice step.
func (s *AwardService) Appeal(ctx context.Context, a *access.Actor, household, award int64, statement string) (*points.Appeal, error) {
	statement = strings.TrimSpace(statement)
	switch {
	case statement == "":
		return nil, fault.OnField(fault.Invalid, "statement", "appeal.statement.required")
	case utf8.RuneCountInString(statement) > review.MaxNote:
		return nil, fault.OnField(fault.Invalid, "statement", "review.summary.note_long", review.MaxNote)
	}
	var out *points.Appeal
	err := s.db.update(ctx, func(tx *Tx) error {
		w, err := tx.award(ctx, award)
		own := err == nil && a.Household() == w.Household && a.Can(access.OwnHousehold, w.Village)
		if errors.Is(err, sql.ErrNoRows) || err == nil && (w.Household != household || !own && !a.Can(access.PointsWrite, w.Village)) {
			return fault.OnField(fault.NotFound, "award", "error.not_found")
		}
		if err != nil {
			return err
		}
		if !w.Appealable() {
			return fault.OnField(fault.Conflict, "award", "appeal.not_appealable")
		}
		var before int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM review_items WHERE flow = ? AND subject_kind = 'award' AND subject_id = ?`,
			points.AppealFlow, w.ID).Scan(&before); err != nil {
			return err
		}
		if before > 0 {
			return fault.OnField(fault.Conflict, "award", "appeal.again")
		}
		var head string
		if err := tx.queryRow(ctx, `SELECT COALESCE(r.name, '') FROM households h LEFT JOIN residents r ON r.id = h.head_id WHERE h.id = ?`,
			w.Household).Scan(&head); err != nil {
			return err
		}
		it, err := s.review.SubmitTx(ctx, tx, a, points.AppealFlow, "award", w.ID, w.Village,
			review.Summary{Title: w.ItemName, Person: review.MaskName(head), Points: w.Points, Note: statement})
		if err != nil {
			return err
		}
		out = &points.Appeal{ID: it.ID, Award: w.ID, ItemName: w.ItemName, Points: w.Points, Statement: statement, State: it.State, Created: it.Created}
		return nil
	})
	return out, err
}

// Appeals lists a household's appeals, newest first, each with the
// reason of the decision that answered it.
func (s *AwardService) Appeals(ctx context.Context, a *access.Actor, household int64) ([]points.Appeal, error) {
	var out []points.Appeal
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (points.Appeal, error) {
			var p points.Appeal
			var created int64
			err := sc.Scan(&p.ID, &p.Award, &p.ItemName, &p.Points, &p.Statement, &p.State, &p.Answer, &created)
			p.Created = msTime(created)
			return p, err
		}, `SELECT i.id, w.id, COALESCE(t.title, ''), w.points, i.note, i.state,
			COALESCE((SELECT t.reason FROM review_transitions t WHERE t.item_id = i.id AND t.action IN ('approve', 'reject', 'return', 'withdraw') ORDER BY t.id DESC LIMIT 1), ''),
			i.created_at
			FROM awards w JOIN review_items i ON i.flow = ? AND i.subject_kind = 'award' AND i.subject_id = w.id LEFT JOIN review_items t ON t.id = w.review_id
			WHERE w.household_id = ? ORDER BY i.id DESC LIMIT 50`, points.AppealFlow, household)
		return err
	})
	return out, err
}
