package main

import (
	"context"
	"path/filepath"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/survey"
)

// TestDemoSurvey loads the demo and finds the needs survey finished as a
// visitor should: closed with the seed's 1,113 answers over all four
// channels, its quotas counted, and a ranked list per rank and sector;
// and a satisfaction survey open for answers.
func TestDemoSurvey(t *testing.T) {
	ctx := context.Background()
	db, _ := seedPlace(t, newPlace(t, "sqlite", filepath.Join(t.TempDir(), "shanzhi.key")))
	staff := &access.Actor{Username: "keerqin-org", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	s := db.Surveys()
	list, err := s.List(ctx, staff, survey.Filter{Region: demoTownship})
	if err != nil || len(list) != 2 {
		t.Fatalf("surveys: %v %d", err, len(list))
	}
	var needs, open *survey.Survey
	for i := range list {
		switch list[i].Status {
		case survey.Closed:
			needs = &list[i]
		case survey.Open:
			open = &list[i]
		}
	}
	if needs == nil || open == nil || needs.Answers != 1113 || open.Answers == 0 {
		t.Fatalf("needs %+v, open %+v", needs, open)
	}
	a, err := s.Analyze(ctx, staff, needs.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Channels {
		if c.Count == 0 {
			t.Errorf("no demo answer came by %s", c.Channel)
		}
	}
	smp, err := s.Sampling(ctx, staff, needs.ID)
	if err != nil || len(smp.Quotas) != 15 || smp.Got == 0 {
		t.Fatalf("sampling: %v %+v", err, smp)
	}
	items, err := s.NeedsRanking(ctx, staff, needs.ID)
	if err != nil || len(items) < 15 {
		t.Fatalf("ranking: %v %d items", err, len(items))
	}
}
