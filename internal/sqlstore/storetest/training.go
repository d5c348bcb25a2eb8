package storetest

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/training"
)

// Graduate evaluates a class's trainees through the evaluation service —
// the exam scores by cadre name, the 跟班干部's and 班主任's 80 — and has
// the department (dept) compute and confirm the outcomes: a low exam
// score makes a 重修, as do hours short of the class's.
func Graduate(tb testing.TB, db *sqlstore.DB, dept *access.Actor, class int64, exams map[string]int) {
	tb.Helper()
	ctx := context.Background()
	s := db.Training()
	es, err := s.Enrolments(ctx, dept, class)
	if err != nil {
		tb.Fatal(err)
	}
	var in []training.EvaluationInput
	for _, e := range es {
		dims := map[string]int{}
		for _, d := range training.DefaultDims {
			dims[d] = 80
		}
		in = append(in, training.EvaluationInput{Enrolment: e.ID, Source: training.Observer, Score: 80},
			training.EvaluationInput{Enrolment: e.ID, Source: training.Headteacher, Dims: dims},
			training.EvaluationInput{Enrolment: e.ID, Source: training.Exam, Score: exams[e.Cadre.Name]})
	}
	if _, err := s.Evaluate(ctx, dept, class, in); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.ComputeOutcomes(ctx, dept, class); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.ConfirmOutcomes(ctx, dept, class); err != nil {
		tb.Fatal(err)
	}
}
