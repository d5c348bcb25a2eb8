package main

import (
	"context"
	"testing"

	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/training"
)

// azTrainings are the training programme's objects of the authorisation
// test: a published list version and a class of the own township's
// department and of the sibling township's, the sibling's named with a
// marker so a refused response that leaks one is caught. The own class's
// 班主任 is the matrix's trainer, who keeps its attendance and no other
// class's; each class has a session. Each class's trainee (the own and
// the sibling township's cadre) finished it 优秀 with a certificate.
type azTrainings struct{ list1, list2, class1, class2, session1, session2, cert1, cert2 int64 }

func azTraining(t *testing.T, db *sqlstore.DB, cadre1, cadre2 int64) azTrainings {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{UserID: 9300, Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: province}}}
	s := db.Training()
	var out azTrainings
	for _, c := range []struct {
		town, name, head           string
		cadre                      int64
		list, class, session, cert *int64
	}{{azT, "本镇", "u-" + string(access.Trainer), cadre1, &out.list1, &out.class1, &out.session1, &out.cert1}, {azT2, "外村成员", "", cadre2, &out.list2, &out.class2, &out.session2, &out.cert2}} {
		l, err := s.CreateList(ctx, sys, training.ListInput{Region: c.town, Title: c.name + "紧缺能力清单"})
		if err != nil {
			t.Fatal(err)
		}
		if l, err = s.AddItem(ctx, sys, l.ID, training.ItemInput{Rank: "village", Competency: c.name + "基层治理", Priority: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, sys, l.ID); err != nil {
			t.Fatal(err)
		}
		cl, err := s.CreateClass(ctx, sys, training.ClassInput{Region: c.town, Name: c.name + "培训班", Start: "2026-06-01", End: "2026-06-05", Capacity: 40, HoursRequired: 8, Head: c.head,
			List: l.ID, Items: []int64{l.Items[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		if cl, err = s.AddSession(ctx, sys, cl.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: c.name + "开班", Hours: 2}); err != nil {
			t.Fatal(err)
		}
		*c.list, *c.class, *c.session = l.ID, cl.ID, cl.Sessions[0].ID
		*c.cert = azCertificate(t, db, cl.ID, c.cadre)
	}
	return out
}

// azCertificate enrols the cadre in the class, has them attend its
// session and evaluated from all three sources, and, after the class,
// confirms their 优秀 and issues the certificate.
func azCertificate(t *testing.T, db *sqlstore.DB, class, cadre int64) int64 {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: province}}}
	s := db.Training()
	if _, err := s.Enrol(ctx, sys, class, []int64{cadre}); err != nil {
		t.Fatal(err)
	}
	es, err := s.Enrolments(ctx, sys, class)
	if err != nil || len(es) != 1 {
		t.Fatalf("enrolments: %v", err)
	}
	e := es[0].ID
	// The class's 8 hours: a second session of 6.
	cl, err := s.AddSession(ctx, sys, class, training.SessionInput{Day: "2026-06-02", Starts: "08:30", Title: "研讨", Hours: 6})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range cl.Sessions {
		if _, err := s.MarkRoll(ctx, sys, x.ID, []int64{e}); err != nil {
			t.Fatal(err)
		}
	}
	dims := map[string]int{}
	for _, d := range training.DefaultDims {
		dims[d] = 95
	}
	if _, err := s.Evaluate(ctx, sys, class, []training.EvaluationInput{{Enrolment: e, Source: training.Observer, Score: 95},
		{Enrolment: e, Source: training.Headteacher, Dims: dims}, {Enrolment: e, Source: training.Exam, Score: 95}}); err != nil {
		t.Fatal(err)
	}
	clock := db.Now
	db.Now = func() time.Time { return clock().AddDate(0, 0, 10) }
	defer func() { db.Now = clock }()
	if _, err := s.ComputeOutcomes(ctx, sys, class); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmOutcomes(ctx, sys, class); err != nil {
		t.Fatal(err)
	}
	cs, err := s.IssueCertificates(ctx, sys, class, nil)
	if err != nil || len(cs) != 1 {
		t.Fatalf("certificates: %v", err)
	}
	return cs[0].ID
}
