package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/survey"
)

// SurveyService implements survey.Service: questionnaires, their answers
// and their figures.
type SurveyService struct{ db *DB }

// Surveys returns the store's survey engine.
func (db *DB) Surveys() *SurveyService { return &SurveyService{db: db} }

var _ survey.Service = (*SurveyService)(nil)

const surveySelect = `SELECT s.id, s.region_code, r.name, s.title, s.intro, s.anonymous, s.template, s.status, s.version, s.draft, s.strata, s.token,
	s.created_at, s.updated_at, (SELECT count(*) FROM survey_answers sa WHERE sa.survey_id = s.id),
	COALESCE((SELECT v.questions FROM survey_versions v WHERE v.survey_id = s.id AND v.version = s.version), '[]')
	FROM surveys s JOIN regions r ON r.code = s.region_code`

func scanSurvey(sc interface{ Scan(...any) error }) (survey.Survey, error) {
	var s survey.Survey
	var anon int
	var draft, strata, live string
	var created, updated int64
	err := sc.Scan(&s.ID, &s.Region, &s.RegionName, &s.Title, &s.Intro, &anon, &s.Template, &s.Status, &s.Version, &draft, &strata, &s.Token,
		&created, &updated, &s.Answers, &live)
	if err != nil {
		return s, err
	}
	s.Anonymous = anon != 0
	s.Created, s.Updated = time.UnixMilli(created), time.UnixMilli(updated)
	if strata != "" {
		s.Strata = strings.Split(strata, ",")
	}
	if err := json.Unmarshal([]byte(draft), &s.Questions); err != nil {
		return s, fmt.Errorf("survey %d draft: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(live), &s.Live); err != nil {
		return s, fmt.Errorf("survey %d version: %w", s.ID, err)
	}
	return s, nil
}

// surveyFor loads a survey the actor may read, and may act on with p
// when p is not survey.read. One outside their reach does not exist for
// them; the public link's token is shown only to those who manage it.
func (tx *Tx) surveyFor(ctx context.Context, a *access.Actor, id int64, p access.Permission) (*survey.Survey, error) {
	s, err := scanSurvey(tx.queryRow(ctx, surveySelect+` WHERE s.id = ?`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return nil, err
	case !survey.CanRead(a, s.Region) && !survey.CanEnter(a, s.Region):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case !a.Can(p, s.Region):
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	if !survey.CanManage(a, s.Region) {
		s.Token = ""
	}
	return &s, nil
}

func (tx *Tx) surveyAudit(ctx context.Context, a *access.Actor, action string, id int64, region, detail string) error {
	return tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("survey:%d", id), region: region, detail: detail})
}

// checkSurvey normalises and validates a questionnaire against the
// actor's rights and the region table.
func (tx *Tx) checkSurvey(ctx context.Context, a *access.Actor, in *survey.Input) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	if !survey.CanManage(a, in.Region) {
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM regions WHERE code = ?`, in.Region).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fault.OnField(fault.Invalid, "region", "survey.region_invalid")
	}
	return nil
}

// Create makes a draft questionnaire; template "needs" starts from the
// cadre-training needs survey, sampled by rank and sector.
func (s *SurveyService) Create(ctx context.Context, a *access.Actor, in survey.Input, template string) (*survey.Survey, error) {
	strata := ""
	switch template {
	case "":
	case survey.TemplateNeeds:
		t := survey.NeedsTemplate(in.Region)
		if strings.TrimSpace(in.Title) != "" {
			t.Title = in.Title
		}
		in, strata = t, strings.Join(survey.NeedsStrata, ",")
	default:
		return nil, fault.OnField(fault.Invalid, "template", "survey.template_unknown")
	}
	var out *survey.Survey
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.checkSurvey(ctx, a, &in); err != nil {
			return err
		}
		draft, err := json.Marshal(nonNil(in.Questions))
		if err != nil {
			return err
		}
		id, err := tx.insertID(ctx, `INSERT INTO surveys (region_code, title, intro, anonymous, template, status, draft, strata, token, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Region, in.Title, in.Intro, flag(in.Anonymous), template, string(survey.Draft), string(draft), strata, newToken()[:22], tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		if err := tx.surveyAudit(ctx, a, "survey.create", id, in.Region, in.Title+"; "+template); err != nil {
			return err
		}
		out, err = tx.surveyFor(ctx, a, id, access.SurveyManage)
		return err
	})
	return out, err
}

func nonNil(qs []survey.Question) []survey.Question {
	if qs == nil {
		return []survey.Question{}
	}
	return qs
}

// Update saves the draft: settings and questions. The region cannot move
// once answers exist, since they were gathered for it; a question's key
// keeps its kind across versions, since answers of every version are
// counted together under it.
func (s *SurveyService) Update(ctx context.Context, a *access.Actor, id int64, in survey.Input) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.surveyFor(ctx, a, id, access.SurveyManage)
		if err != nil {
			return err
		}
		if err := tx.checkSurvey(ctx, a, &in); err != nil {
			return err
		}
		if in.Region != cur.Region && cur.Answers > 0 {
			return fault.OnField(fault.Invalid, "region", "survey.region_fixed")
		}
		kinds, err := tx.publishedKinds(ctx, id)
		if err != nil {
			return err
		}
		for i, q := range in.Questions {
			if k, ok := kinds[q.Key]; ok && k != q.Kind {
				return fault.OnField(fault.Invalid, fmt.Sprintf("q%d", i+1), "survey.question.kind_fixed", i+1, q.Key)
			}
		}
		if in.Anonymous != cur.Anonymous && cur.Version > 0 {
			return fault.OnField(fault.Invalid, "anonymous", "survey.anonymous_fixed")
		}
		draft, err := json.Marshal(nonNil(in.Questions))
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE surveys SET region_code = ?, title = ?, intro = ?, anonymous = ?, draft = ?, updated_at = ? WHERE id = ?`,
			in.Region, in.Title, in.Intro, flag(in.Anonymous), string(draft), tx.nowMS(), id); err != nil {
			return err
		}
		if err := tx.surveyAudit(ctx, a, "survey.update", id, in.Region, fmt.Sprintf("%s; %d questions", in.Title, len(in.Questions))); err != nil {
			return err
		}
		out, err = tx.surveyFor(ctx, a, id, access.SurveyManage)
		return err
	})
	return out, err
}

// publishedKinds maps every question key any published version of the
// survey asked to its kind: a key keeps its kind even after a version
// dropped it, since its answers are still counted under it.
func (tx *Tx) publishedKinds(ctx context.Context, id int64) (map[string]survey.Kind, error) {
	docs, err := column[string](ctx, tx, `SELECT questions FROM survey_versions WHERE survey_id = ?`, id)
	if err != nil {
		return nil, err
	}
	out := map[string]survey.Kind{}
	for _, d := range docs {
		var qs []survey.Question
		if err := json.Unmarshal([]byte(d), &qs); err != nil {
			return nil, fmt.Errorf("survey %d version: %w", id, err)
		}
		for _, q := range qs {
			out[q.Key] = q.Kind
		}
	}
	return out, nil
}

// Publish makes the draft the next version and opens the survey: answers
// from now on are taken in it, and those already in keep theirs.
func (s *SurveyService) Publish(ctx context.Context, a *access.Actor, id int64) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.surveyFor(ctx, a, id, access.SurveyManage)
		if err != nil {
			return err
		}
		if err := cur.Publishable(); err != nil {
			return err
		}
		draft, err := json.Marshal(cur.Questions)
		if err != nil {
			return err
		}
		v := cur.Version + 1
		if _, err := tx.exec(ctx, `INSERT INTO survey_versions (survey_id, version, questions, published_at) VALUES (?, ?, ?, ?)`, id, v, string(draft), tx.nowMS()); err != nil {
			return err
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "survey.changed"), `UPDATE surveys SET version = ?, status = ?, updated_at = ? WHERE id = ? AND version = ?`,
			v, string(survey.Open), tx.nowMS(), id, cur.Version); err != nil {
			return err
		}
		if err := tx.surveyAudit(ctx, a, "survey.publish", id, cur.Region, fmt.Sprintf("version %d", v)); err != nil {
			return err
		}
		out, err = tx.surveyFor(ctx, a, id, access.SurveyManage)
		return err
	})
	return out, err
}

// SetStatus closes an open survey or reopens a closed one; a draft opens
// only by being published.
func (s *SurveyService) SetStatus(ctx context.Context, a *access.Actor, id int64, st survey.Status) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.surveyFor(ctx, a, id, access.SurveyManage)
		if err != nil {
			return err
		}
		switch {
		case st != survey.Open && st != survey.Closed:
			return fault.OnField(fault.Invalid, "status", "survey.status_invalid")
		case cur.Version == 0:
			return fault.OnField(fault.Invalid, "status", "survey.not_published")
		case cur.Status == st:
			return fault.OnField(fault.Invalid, "status", "survey.status_same")
		}
		if _, err := tx.exec(ctx, `UPDATE surveys SET status = ?, updated_at = ? WHERE id = ?`, string(st), tx.nowMS(), id); err != nil {
			return err
		}
		if err := tx.surveyAudit(ctx, a, "survey."+string(st), id, cur.Region, ""); err != nil {
			return err
		}
		out, err = tx.surveyFor(ctx, a, id, access.SurveyManage)
		return err
	})
	return out, err
}

// Survey returns a survey the actor may read or enter answers for.
func (s *SurveyService) Survey(ctx context.Context, a *access.Actor, id int64) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.surveyFor(ctx, a, id, access.SurveyRead)
		if fault.Is(err, fault.Forbidden) {
			out, err = tx.surveyFor(ctx, a, id, access.SurveyEnter)
		}
		return err
	})
	return out, err
}

// List lists the surveys of region (every region the actor reads surveys
// at when empty), newest first.
func (s *SurveyService) List(ctx context.Context, a *access.Actor, f survey.Filter) ([]survey.Survey, error) {
	scopes, err := orgScopes(a, access.SurveyRead, f.Region)
	if err != nil {
		return nil, err
	}
	where, args := scopeWhere("s.region_code", scopes)
	if f.Status != "" {
		where += ` AND s.status = ?`
		args = append(args, string(f.Status))
	}
	var out []survey.Survey
	err = s.db.view(ctx, func(tx *Tx) error {
		out, err = queryAll(ctx, tx, scanSurvey, surveySelect+` WHERE `+where+` ORDER BY s.id DESC LIMIT 500`, args...)
		return err
	})
	for i := range out {
		if !survey.CanManage(a, out[i].Region) {
			out[i].Token = ""
		}
	}
	return out, err
}

// Public returns an open survey by its public link's token, for the
// online questionnaire; a draft or closed one is not found by it.
func (s *SurveyService) Public(ctx context.Context, token string) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.publicSurvey(ctx, token)
		return err
	})
	return out, err
}

func (tx *Tx) publicSurvey(ctx context.Context, token string) (*survey.Survey, error) {
	if token == "" {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	s, err := scanSurvey(tx.queryRow(ctx, surveySelect+` WHERE s.token = ?`, token))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return nil, err
	case s.Version == 0:
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	// The public page shows the questions, never the draft or the owner's
	// figures.
	s.Questions, s.Answers, s.Strata = nil, 0, nil
	return &s, nil
}
