package training

import (
	"slices"
	"testing"
)

// TestCompute checks each reason for a retake, the mark for 优秀, and the
// cap: by count, by percentage, and with ties across it, which leave
// every tied trainee 合格.
func TestCompute(t *testing.T) {
	sc := func(id int64, hours, obs, portrait, exam int) Scores {
		return Scores{Enrolment: id, Hours: hours, Observer: obs, Portrait: portrait, Exam: exam}
	}
	scores := []Scores{
		sc(1, 24, 95, 95, 98), sc(2, 24, 95, 95, 98), // tied
		sc(3, 24, 92, 92, 92),
		sc(4, 24, 50, 60, 80),  // evaluation 55 < 60
		sc(5, 24, 80, 80, 59),  // exam below 60
		sc(6, 20, 80, 80, 80),  // hours short
		sc(7, 10, 40, 40, -1),  // everything, the exam missed
		sc(8, 24, 60, 60, 60),  // just passes
		sc(9, 24, 96, 96, 100), // the best
	}
	want := func(t *testing.T, r Rules, outcomes string, ties []int64) {
		t.Helper()
		got := Compute(r, 24, scores)
		s := ""
		var tied []int64
		for _, o := range got {
			s += o.Outcome[:1]
			if o.CapTie {
				tied = append(tied, o.Enrolment)
			}
		}
		if s != outcomes || !slices.Equal(tied, ties) {
			t.Errorf("cap %d/%d%%: %s (ties %v), want %s (ties %v)", r.Cap, r.CapPercent, s, tied, outcomes, ties)
		}
	}
	r := DefaultRules()
	want(t, r, "eeerrrrpe", nil)
	got := Compute(r, 24, scores)
	for i, reasons := range map[int][]string{3: {ReasonEvaluation}, 4: {ReasonExam}, 5: {ReasonHours}, 6: {ReasonHours, ReasonEvaluation, ReasonExam}} {
		if !slices.Equal(got[i].Reasons, reasons) {
			t.Errorf("trainee %d: reasons %v, want %v", i+1, got[i].Reasons, reasons)
		}
	}
	if got[0].Total != 960 || got[7].Total != 600 {
		t.Errorf("totals %d %d", got[0].Total, got[7].Total)
	}
	r.Cap = 3 // 9, then 1 and 2 tied: all three fit
	want(t, r, "eeprrrrpe", nil)
	r.Cap = 2 // 9, then 1 and 2 tied across the cap: neither
	want(t, r, "pp"+"prrrrpe", []int64{1, 2})
	r.Cap = 0
	r.CapPercent = 25 // 9 trainees: 2
	want(t, r, "pp"+"prrrrpe", []int64{1, 2})
	r.CapPercent = 50 // 4, the smaller of the two when both are set
	r.Cap = 1
	want(t, r, "pp"+"prrrrpe", nil)
	r.ExcellentMin = 97 // only 9 reaches it
	r.Cap, r.CapPercent = 0, 0
	want(t, r, "ppprrrrpe", nil)
}

// TestPortraitScore checks that a portrait needs every dimension and
// scores their mean.
func TestPortraitScore(t *testing.T) {
	r := DefaultRules()
	in := EvaluationInput{Source: Headteacher, Dims: map[string]int{"学习态度": 90, "纪律": 85, "互动研讨": 80, "作业": 86}}
	if err := in.Validate(r); err != nil || in.Score != 85 {
		t.Fatalf("portrait: %v, score %d", err, in.Score)
	}
	in = EvaluationInput{Source: Headteacher, Dims: map[string]int{"学习态度": 90, "纪律": 85, "互动研讨": 80, "考勤": 86}}
	if err := in.Validate(r); err == nil {
		t.Error("a portrait with a dimension the class does not have passed")
	}
	in = EvaluationInput{Source: Observer, Score: 101}
	if err := in.Validate(r); err == nil {
		t.Error("a score of 101 passed")
	}
}
