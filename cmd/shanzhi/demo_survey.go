package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/survey"
	"shanzhi/internal/synth"
)

// seedSurvey gives the demo township's organisation department the
// seed's needs survey, finished: the needs template published, quotas by
// rank × sector, the seed's 1,113 answers over the four channels, and
// closed, so its analysis and the ranked list of lacking competencies
// are there to read. A second, open survey of 红色物业 satisfaction takes
// answers for a visitor to try the link and the staff form on.
func seedSurvey(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	staff := &access.Actor{UserID: 990011, Username: "demo-orgstaff", Grants: []access.Grant{{Role: access.OrgStaff, Region: demoTownship}}}
	s := db.Surveys()
	needs, err := s.Create(ctx, staff, survey.Input{Region: demoTownship, Title: "2026年干部教育培训需求调研"}, survey.TemplateNeeds)
	if err == nil {
		needs, err = s.Publish(ctx, staff, needs.ID)
	}
	if err != nil {
		return err
	}
	var quotas []survey.Quota
	for _, r := range survey.Ranks {
		for _, c := range survey.Sectors {
			quotas = append(quotas, survey.Quota{Cell: []string{r.Key, c.Key}, Target: 60})
		}
	}
	if _, err := s.SetQuotas(ctx, staff, needs.ID, survey.NeedsStrata, quotas); err != nil {
		return err
	}
	const samples = 1113 // the seed's 干部培训需求数据样本
	if err := s.SeedAnswers(ctx, staff, needs.ID, synth.New(1113, time.Now()).NeedsAnswers(samples)); err != nil {
		return err
	}
	if _, err := s.SetStatus(ctx, staff, needs.ID, survey.Closed); err != nil {
		return err
	}
	sat, err := s.Create(ctx, staff, survey.Input{Region: demoTownship, Title: "红色物业服务满意度调查", Anonymous: true, Questions: []survey.Question{
		{Key: "area", Kind: survey.Single, Label: "您居住的小区", Required: true, Options: []survey.Option{{Key: "east", Label: "东城小区"}, {Key: "west", Label: "西苑小区"}}},
		{Key: "score", Kind: survey.Rating, Label: "您对物业服务的总体满意度", Required: true, Min: 1, Max: 5},
		{Key: "need", Kind: survey.Multiple, Label: "最希望改进的服务（可多选）", Options: []survey.Option{{Key: "clean", Label: "环境卫生"}, {Key: "repair", Label: "维修响应"}, {Key: "park", Label: "停车秩序"}, {Key: "elder", Label: "为老服务"}}},
		{Key: "say", Kind: survey.Text, Label: "意见建议"},
	}}, "")
	if err == nil {
		sat, err = s.Publish(ctx, staff, sat.ID)
	}
	if err != nil {
		return err
	}
	for i, v := range []map[string][]string{
		{"area": {"east"}, "score": {"4"}, "need": {"park"}},
		{"area": {"west"}, "score": {"3"}, "need": {"repair", "elder"}, "say": {"楼道灯坏了两周"}},
		{"area": {"east"}, "score": {"5"}},
	} {
		if _, err := s.Enter(ctx, staff, sat.ID, survey.AnswerInput{Channel: survey.StaffChannels[i], Values: v}); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "loaded demo surveys: the needs survey with %d answers over four channels (closed, analysed), an open satisfaction survey\n", samples)
	return nil
}
