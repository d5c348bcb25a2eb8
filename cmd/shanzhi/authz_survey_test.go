package main

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/survey"
)

// azSurveys are the survey engine's objects of the authorisation test: a
// published needs survey of the own township and one of the sibling
// township, each with an answer; the sibling's title carries a marker
// name, so a refused response that leaks it is caught.
func azSurveys(t *testing.T, db *sqlstore.DB) (own, sibling int64) {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{UserID: 9300, Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: province}}}
	s := db.Surveys()
	ids := [2]int64{}
	for i, c := range []struct{ region, title string }{{azT, "本镇培训需求调研"}, {azT2, "外村成员培训需求调研"}} {
		sv, err := s.Create(ctx, sys, survey.Input{Region: c.region, Title: c.title}, survey.TemplateNeeds)
		if err == nil {
			sv, err = s.Publish(ctx, sys, sv.ID)
		}
		if err == nil {
			_, err = s.Enter(ctx, sys, sv.ID, survey.AnswerInput{Channel: survey.Phone, Values: map[string][]string{
				survey.NeedsRank: {"county"}, survey.NeedsSector: {"township"}, survey.NeedsLacking: {"digital"}, survey.NeedsMode: {"onsite"}}})
		}
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = sv.ID
	}
	return ids[0], ids[1]
}
