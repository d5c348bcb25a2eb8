package main

import (
	"context"
	"path/filepath"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/training"
)

// TestDemoTraining loads the demo and finds its cadres: the township's in
// post, and 平安村's former secretary gone at the 换届 with a successor.
func TestDemoTraining(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	staff := &access.Actor{Username: "zzb", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	in, n, err := db.Cadres().Cadres(ctx, staff, org.CadreFilter{})
	if err != nil || n < 10 {
		t.Fatalf("%d demo cadres in post (%v)", n, err)
	}
	all, _, _ := db.Cadres().Cadres(ctx, staff, org.CadreFilter{Region: demoVillage, Former: true})
	left := 0
	for _, c := range all {
		if c.Left != "" && c.SuccessorName != "" {
			left++
		}
	}
	if left != 1 || len(in) == 0 {
		t.Fatalf("平安村: %d cadres left with a successor, want 1", left)
	}
	lists, err := db.Training().Lists(ctx, staff, demoTownship)
	if err != nil || len(lists) != 1 || lists[0].Draft() {
		t.Fatalf("demo lists: %v %+v", err, lists)
	}
	l, _ := db.Training().List(ctx, staff, lists[0].ID)
	teachers, err := db.Training().Teachers(ctx, staff, demoTownship)
	rated := 0
	for _, x := range teachers {
		if x.Rated > 0 && x.Mean >= 1 && x.Mean <= 5 {
			rated++
		}
	}
	if err != nil || rated == 0 {
		t.Fatalf("no demo teacher has trainees' ratings: %v %+v", err, teachers)
	}
	allClasses, _ := db.Training().Classes(ctx, staff, demoTownship)
	var classes []training.Class
	for _, c := range allClasses {
		if c.Name == "乡村振兴示范培训班" {
			classes = append(classes, c)
		}
	}
	if len(l.Items) == 0 || l.Covered() == 0 || len(classes) != 1 || classes[0].Hours < classes[0].HoursRequired {
		t.Fatalf("demo list of %d items, %d covered; classes %+v", len(l.Items), l.Covered(), classes)
	}
	es, err := db.Training().Enrolments(ctx, staff, classes[0].ID)
	if err != nil || len(es) < 5 {
		t.Fatalf("demo class has %d trainees (%v)", len(es), err)
	}
	// Attendance over the class's days: most at every session, each day's
	// leave short of the class's full hours (but within what it requires).
	through := 0
	for _, e := range es {
		if e.Hours >= classes[0].Hours {
			through++
		}
		if !e.Link || e.Hours == 0 {
			t.Errorf("demo trainee %s: link %v, %d hours", e.Cadre.Name, e.Link, e.Hours)
		}
	}
	if through == 0 || through == len(es) {
		t.Errorf("demo class: %d of %d trainees through their hours", through, len(es))
	}
	// The class ended with confirmed outcomes — some 优秀, more 合格, a few
	// 重修 — and certificates for all but the 重修, each verifiable.
	sh, err := db.Training().EvaluationSheet(ctx, staff, classes[0].ID)
	if err != nil || !sh.Confirmed {
		t.Fatalf("demo outcomes: %v", err)
	}
	count, certs := map[string]int{}, 0
	for _, g := range sh.Graduates {
		count[g.Outcome.Outcome]++
		if g.Certificate != nil {
			certs++
			if v, err := db.Training().VerifyCertificate(ctx, g.Certificate.Token); err != nil || v.Name != g.Name {
				t.Errorf("demo certificate %s: %v", g.Certificate.Serial, err)
			}
		}
	}
	if count["excellent"] == 0 || count["pass"] <= count["excellent"] || count["pass"] <= count["retake"] || count["retake"] == 0 || certs != len(es)-count["retake"] {
		t.Errorf("demo outcomes %v, %d certificates", count, certs)
	}
	t.Logf("demo outcomes %v, %d certificates", count, certs)
}

// TestDemoRetakes finds the demo's retakes: one closed by the retake
// session, one whose 情况说明 waits, both on the loop page's lists and in
// the trainees' files.
func TestDemoRetakes(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	staff := &access.Actor{Username: "zzb", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	var open, closed []training.RetakeCase
	for _, c := range []bool{false, true} {
		list, err := db.Training().Retakes(ctx, staff, demoTownship, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.Class.Name == demoRetakeClass && !c {
				open = append(open, x)
			} else if x.Class.Name == demoRetakeClass {
				closed = append(closed, x)
			}
		}
	}
	if len(open) != 1 || open[0].Statement == nil || open[0].Statement.Status != training.StatementSubmitted || open[0].Reasons[0] != training.ReasonExam {
		t.Fatalf("open retakes: %+v", open)
	}
	if len(closed) != 1 || closed[0].ClosedBy == nil || closed[0].Reasons[0] != training.ReasonHours {
		t.Fatalf("closed retakes: %+v", closed)
	}
	f, err := db.Training().CadreFile(ctx, staff, closed[0].Cadre)
	if err != nil || len(f.Years) == 0 {
		t.Fatal(err)
	}
	classes, certified := 0, 0
	for _, y := range f.Years {
		for _, c := range y.Classes {
			classes++
			if c.Certificate != "" {
				certified++
			}
		}
	}
	if classes != 2 || certified != 1 {
		t.Errorf("the retaken cadre's file: %d classes, %d certificates", classes, certified)
	}
}
