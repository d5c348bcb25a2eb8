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
	all2, _ := db.Training().Classes(ctx, staff, demoTownship)
	// The finished class; the units' upcoming one (单位推荐) is beside it.
	var classes []training.Class
	for _, c := range all2 {
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
	// Attendance over the class's days: most through, each day's leave
	// short of the class's hours.
	through := 0
	for _, e := range es {
		if e.Hours >= classes[0].HoursRequired {
			through++
		}
		if !e.Link || e.Hours == 0 {
			t.Errorf("demo trainee %s: link %v, %d hours", e.Cadre.Name, e.Link, e.Hours)
		}
	}
	if through == 0 || through == len(es) {
		t.Errorf("demo class: %d of %d trainees through their hours", through, len(es))
	}
}
