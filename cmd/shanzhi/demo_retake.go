package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/training"
)

// demoRetakeClass is the earlier class of the demo's retakes.
const demoRetakeClass = "基层党建专题培训班"

// seedTrainingRetakes gives the demo township's year its retakes, through
// the store calls the pages make: a class of three 一般干部 four months ago
// where one trainee missed a session (学时不够) and one failed the exam
// (结业成绩不合格); both wrote their 情况说明 from their links; the first's
// was accepted, they were summoned to a retake session two months ago
// through the 入学关 and passed, which closed their retake; the second's
// still waits for the department.
func seedTrainingRetakes(ctx context.Context, db *sqlstore.DB, staff *access.Actor, stdout io.Writer) error {
	s := db.Training()
	// The records name nobody rather than a made-up account.
	staff = &access.Actor{Username: staff.Username, Grants: staff.Grants}
	clock := db.Now
	defer func() { db.Now = clock }()
	at := func(t time.Time) { db.Now = func() time.Time { return t } }
	dims := map[string]int{}
	for _, d := range training.DefaultDims {
		dims[d] = 82
	}
	// run holds a class of cadres over its day(s): all present except
	// absent at the last session, then evaluated (exam scores by cadre,
	// 85 for the others), confirmed and certified.
	run := func(name string, start time.Time, days int, pick func(class int64) ([]int64, error), absent int64, exams map[int64]int) (*training.Class, []training.Link, error) {
		day := func(k int) string { return start.AddDate(0, 0, k).Format(time.DateOnly) }
		at(start.AddDate(0, 0, -20))
		c, err := s.CreateClass(ctx, staff, training.ClassInput{Region: demoTownship, Name: name, Theme: "党建引领基层治理", Target: "科尔沁镇一般干部",
			Start: day(0), End: day(days - 1), Capacity: 20, HoursRequired: 4 * days * 2})
		if err != nil {
			return nil, nil, err
		}
		for k := 0; k < days; k++ {
			for _, hm := range []string{"08:30", "14:00"} {
				if c, err = s.AddSession(ctx, staff, c.ID, training.SessionInput{Day: day(k), Starts: hm, Title: "党建业务专题", Place: "镇党校", Hours: 4}); err != nil {
					return nil, nil, err
				}
			}
		}
		cadres, err := pick(c.ID)
		if err != nil {
			return nil, nil, err
		}
		if _, err := s.Enrol(ctx, staff, c.ID, cadres); err != nil {
			return nil, nil, err
		}
		links, err := s.IssueLinks(ctx, staff, c.ID)
		if err != nil {
			return nil, nil, err
		}
		es, err := s.Enrolments(ctx, staff, c.ID)
		if err != nil {
			return nil, nil, err
		}
		at(start.AddDate(0, 0, days))
		for i, x := range c.Sessions {
			var present []int64
			for _, e := range es {
				if e.Cadre.ID != absent || i < len(c.Sessions)-1 {
					present = append(present, e.ID)
				}
			}
			if _, err := s.MarkRoll(ctx, staff, x.ID, present); err != nil {
				return nil, nil, err
			}
		}
		var in []training.EvaluationInput
		for _, e := range es {
			exam, ok := exams[e.Cadre.ID]
			if !ok {
				exam = 85
			}
			in = append(in, training.EvaluationInput{Enrolment: e.ID, Source: training.Observer, Score: 84, Notes: "研讨发言积极"},
				training.EvaluationInput{Enrolment: e.ID, Source: training.Headteacher, Dims: dims},
				training.EvaluationInput{Enrolment: e.ID, Source: training.Exam, Score: exam})
		}
		if _, err := s.Evaluate(ctx, staff, c.ID, in); err != nil {
			return nil, nil, err
		}
		at(start.AddDate(0, 0, days+2))
		if _, err := s.ComputeOutcomes(ctx, staff, c.ID); err != nil {
			return nil, nil, err
		}
		if _, err := s.ConfirmOutcomes(ctx, staff, c.ID); err != nil {
			return nil, nil, err
		}
		if _, err := s.IssueCertificates(ctx, staff, c.ID, nil); err != nil {
			return nil, nil, err
		}
		return c, links, nil
	}
	now := time.Now()
	// Three staff of the township's government joined after the year's
	// main class was summoned.
	units, _, err := db.Org().Units(ctx, staff, org.UnitFilter{Region: demoTownship, Query: "人民政府"})
	if err != nil || len(units) == 0 {
		return fmt.Errorf("demo retakes: no township government (%v)", err)
	}
	var list []org.Cadre
	var ids []int64
	for i, p := range []struct{ name, post string }{{"孟和巴雅尔", "党建办干事"}, {"高娃", "综治办干事"}, {"陈立新", "党政办干事"}} {
		c, err := db.Cadres().CreateCadre(ctx, staff, org.CadreInput{Unit: units[0].ID, Name: p.name, Post: p.post, Rank: "staff", Sector: "党建", Appointed: fmt.Sprintf("2022-0%d-01", 3+i)})
		if err != nil {
			return fmt.Errorf("demo retakes: %w", err)
		}
		list, ids = append(list, *c), append(ids, c.ID)
	}
	short, failed := list[0], list[1]
	first, links, err := run(demoRetakeClass, now.AddDate(0, -4, 0), 1, func(int64) ([]int64, error) { return ids, nil }, short.ID, map[int64]int{failed.ID: 52})
	if err != nil {
		return fmt.Errorf("demo retake class: %w", err)
	}
	end, _ := time.ParseInLocation(time.DateOnly, first.End, localtime.Zone())
	byName := map[string]training.Link{}
	for _, l := range links {
		byName[l.Name] = l
	}
	at(end.AddDate(0, 0, 4).Add(20 * time.Hour))
	st, err := s.SubmitStatement(ctx, byName[short.Name].Token, training.StatementInput{Text: "结业当天下午因村里防汛抢险被紧急召回，缺课 4 学时。申请参加回炉重修，补足学时。"})
	if err != nil {
		return fmt.Errorf("demo statement: %w", err)
	}
	if _, err := s.SubmitStatement(ctx, byName[failed.Name].Token, training.StatementInput{Text: "结业考核准备不足，成绩未达合格线。已重新学习党章和基层党建业务，申请参加下一期培训后重新考核。"}); err != nil {
		return fmt.Errorf("demo statement: %w", err)
	}
	at(end.AddDate(0, 0, 6).Add(9 * time.Hour))
	if _, err := s.DecideStatement(ctx, staff, st.ID, true, "情况属实，同意回炉重修"); err != nil {
		return err
	}
	// The retake session, its trainee picked by the "retake due" filter.
	if _, _, err := run(demoRetakeClass+"（回炉重修）", now.AddDate(0, -2, 0), 1, func(class int64) ([]int64, error) {
		due, err := s.Targets(ctx, staff, class, training.TargetFilter{RetakeDue: true})
		var out []int64
		for _, c := range due {
			out = append(out, c.ID)
		}
		if err == nil && len(out) != 1 {
			err = fmt.Errorf("%d cadres due to retake, want 1", len(out))
		}
		return out, err
	}, 0, nil); err != nil {
		return fmt.Errorf("demo retake session: %w", err)
	}
	fmt.Fprintf(stdout, "loaded demo retakes: %s with 2 重修 (学时不够, 结业成绩不合格), one closed by the retake session, one 情况说明 waiting\n", demoRetakeClass)
	return nil
}
