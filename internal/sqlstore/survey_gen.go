package sqlstore

import (
	"context"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/survey"
)

// SeedAnswers stores synthetic answers of every channel in one
// transaction, the online ones as the public link would (no account),
// the others as entered by a. It is for the demo and the data generator,
// which load a survey's thousand answers at start-up; people answer
// through AnswerPublic, Enter and EnterMany.
func (s *SurveyService) SeedAnswers(ctx context.Context, a *access.Actor, id int64, in []survey.AnswerInput) error {
	return s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.surveyFor(ctx, a, id, access.SurveyEnter)
		if err != nil {
			return err
		}
		if _, err := tx.storeAnswers(ctx, a, cur, in, false); err != nil {
			return err
		}
		return tx.surveyAudit(ctx, a, "survey.answer.batch", id, cur.Region, fmt.Sprintf("%d synthetic answers", len(in)))
	})
}
