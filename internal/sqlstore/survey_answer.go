package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/survey"
)

// Enter stores one answer gathered by staff by phone, in an interview or
// on a visit, marked with its channel and who entered it.
func (s *SurveyService) Enter(ctx context.Context, a *access.Actor, id int64, in survey.AnswerInput) (int64, error) {
	var out int64
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.surveyFor(ctx, a, id, access.SurveyEnter)
		if err != nil {
			return err
		}
		ids, err := tx.storeAnswers(ctx, a, cur, []survey.AnswerInput{in}, true)
		if err != nil {
			return err
		}
		out = ids[0]
		return tx.surveyAudit(ctx, a, "survey.answer", id, cur.Region, fmt.Sprintf("answer:%d; %s", out, in.Channel))
	})
	return out, err
}

// EnterMany stores a batch of staff-entered answers in one transaction:
// a pile of paper forms typed in after a round of visits, or an import.
// One bad answer refuses the batch, naming its place.
func (s *SurveyService) EnterMany(ctx context.Context, a *access.Actor, id int64, in []survey.AnswerInput) (int, error) {
	if len(in) == 0 || len(in) > survey.MaxBatch {
		return 0, fault.OnField(fault.Invalid, "answers", "survey.answer.batch_size", survey.MaxBatch)
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.surveyFor(ctx, a, id, access.SurveyEnter)
		if err != nil {
			return err
		}
		if _, err := tx.storeAnswers(ctx, a, cur, in, true); err != nil {
			return err
		}
		return tx.surveyAudit(ctx, a, "survey.answer.batch", id, cur.Region, fmt.Sprintf("%d answers", len(in)))
	})
	if err != nil {
		return 0, err
	}
	return len(in), nil
}

// AnswerPublic stores an answer given through the public link. It is
// always of the online channel and keeps no account; an anonymous
// survey's answer keeps no name either.
func (s *SurveyService) AnswerPublic(ctx context.Context, token string, in survey.AnswerInput) (int64, error) {
	in.Channel = survey.Online
	var out int64
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.publicSurvey(ctx, token)
		if err != nil {
			return err
		}
		ids, err := tx.storeAnswers(ctx, nil, cur, []survey.AnswerInput{in}, false)
		if err != nil {
			return err
		}
		out = ids[0]
		if cur.Anonymous {
			// The audit row of an anonymous answer keeps no client
			// address, which would tie the answer to a person.
			ctx = access.WithRequest(ctx, access.Request{ID: access.RequestFrom(ctx).ID})
		}
		return tx.surveyAudit(ctx, nil, "survey.answer", cur.ID, cur.Region, fmt.Sprintf("answer:%d; online", out))
	})
	return out, err
}

// storeAnswers checks answers against the survey's live version and
// writes them with their items; the items of the whole batch go in by
// multi-row inserts. staff says the answers were entered by a, and so
// must be of a staff channel; an online answer keeps no account.
func (tx *Tx) storeAnswers(ctx context.Context, a *access.Actor, s *survey.Survey, in []survey.AnswerInput, staff bool) ([]int64, error) {
	if s.Status != survey.Open {
		return nil, fault.E(fault.Invalid, "survey.answer.not_open")
	}
	all := make([][]survey.Item, len(in))
	for i, ans := range in {
		if staff && !ans.Channel.Staff() || !staff && ans.Channel != survey.Online && !ans.Channel.Staff() {
			return nil, batchErr(len(in), i, fault.OnField(fault.Invalid, "channel", "survey.answer.channel_invalid"))
		}
		items, err := survey.Check(s.Live, s.Anonymous, ans)
		if err != nil {
			return nil, batchErr(len(in), i, err)
		}
		all[i] = items
	}
	ids := make([]int64, len(in))
	const width = 6
	var rows []any
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		_, err := tx.exec(ctx, `INSERT INTO survey_items (answer_id, survey_id, question, choice, num, text) VALUES `+placeholders(len(rows)/width, width), rows...)
		rows = rows[:0]
		return err
	}
	for i, ans := range in {
		respondent := ""
		if !s.Anonymous {
			respondent = strings.TrimSpace(ans.Respondent)
		}
		var by any
		name := ""
		if ans.Channel != survey.Online {
			by, name = a.UserID, a.Username
		}
		id, err := tx.insertID(ctx, `INSERT INTO survey_answers (survey_id, version, channel, entered_by, entered_name, respondent, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.ID, s.Version, string(ans.Channel), by, name, respondent, tx.nowMS())
		if err != nil {
			return nil, err
		}
		ids[i] = id
		for _, it := range all[i] {
			var num any
			if it.Num != nil {
				num = *it.Num
			}
			rows = append(rows, id, s.ID, it.Question, it.Choice, num, it.Text)
		}
		// Both engines cap a statement's parameters (SQLite at 32766,
		// PostgreSQL at 65535); 900 rows of 6 stay well below.
		if len(rows) >= 900*width {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return ids, flush()
}

// batchErr names the place of a bad answer in a batch of more than one.
func batchErr(n, i int, err error) error {
	if n == 1 {
		return err
	}
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return err
	}
	out := fault.OnField(fe.Code, "answers", "survey.answer.batch_place", i+1)
	out.Fields = append(out.Fields, fe.Fields...)
	return out
}
