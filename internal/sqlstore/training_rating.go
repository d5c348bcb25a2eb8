package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

const ratingSelect = `SELECT session_id, teacher_id, score, comment, at FROM training_ratings`

func scanRating(s interface{ Scan(...any) error }) (training.Rating, error) {
	var r training.Rating
	var at int64
	err := s.Scan(&r.Session, &r.Teacher, &r.Score, &r.Comment, &at)
	r.At = time.UnixMilli(at)
	return r, err
}

// Rate records the trainee's score for the teacher of a session they
// attended. Once per session: the first rating stands, a second is
// refused, so a teacher's mean cannot be moved by one trainee twice.
func (s *TrainingService) Rate(ctx context.Context, cred string, in training.Rating) (*training.Rating, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	if err := in.Check(); err != nil {
		return nil, err
	}
	var out *training.Rating
	err := s.db.update(ctx, func(tx *Tx) error {
		e, err := tx.byCredential(ctx, cred)
		if err != nil {
			return err
		}
		x, ok := sessionOf(e.class, in.Session)
		if !ok || x.Teacher == 0 {
			return fault.OnField(fault.Invalid, "session", "training.rating.session")
		}
		var attended int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_attendance WHERE enrolment_id = ? AND session_id = ?`, e.id, x.ID).Scan(&attended); err != nil {
			return err
		}
		if attended == 0 {
			return fault.OnField(fault.Invalid, "session", "training.rating.absent")
		}
		res, err := tx.exec(ctx, `INSERT INTO training_ratings (enrolment_id, session_id, teacher_id, score, comment, at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (enrolment_id, session_id) DO NOTHING`, e.id, x.ID, x.Teacher, in.Score, in.Comment, tx.nowMS())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = fault.OnField(fault.Conflict, "session", "training.rating.twice")
			}
			return err
		}
		if err := tx.audit(ctx, traineeActor(e.class.Region), auditEntry{action: "training.rate", target: fmt.Sprintf("training_session:%d", x.ID),
			region: e.class.Region, detail: fmt.Sprintf("%s 评价 %s: %d", e.name, x.TeacherName, in.Score)}); err != nil {
			return err
		}
		r, err := scanRating(tx.queryRow(ctx, ratingSelect+` WHERE enrolment_id = ? AND session_id = ?`, e.id, x.ID))
		out = &r
		return err
	})
	return out, err
}
