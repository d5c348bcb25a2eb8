package sqlstore_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTrainingEvaluation runs a class's triple evaluation: the 跟班干部
// scores, the 班主任 portrays and enters the exam (a sheet with a bad row
// enters nothing), each refused the other's part and another class's
// 班主任 refused everything; the outcomes are refused before the class
// ends, then computed with each reason and the cap, confirmed by the
// department and fixed; certificates are refused for a 重修 trainee,
// issued for the others, verified by their token, revoked with a reason
// and issued anew; the trainee's page and the cadre's file show them.
func TestTrainingEvaluation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := at("10:00:00")
		db.Now = func() time.Time { return now }
		s := db.Training()
		user := func(name string) *access.Actor {
			g := access.Grant{Role: access.Trainer, Region: keerqin}
			return &access.Actor{UserID: authUser(t, db, name, g), Username: name, Grants: []access.Grant{g}}
		}
		head, escort, other := user("banzhuren"), user("genban"), user("other-head")
		dept := &access.Actor{Username: "zzb", Grants: orgBanner.Grants}
		c, links := attendClass(t, db, "banzhuren", 6)
		// Everyone attends both sessions but the last trainee, who misses
		// the afternoon: 2 hours of the 4 required.
		var all []int64
		for _, l := range links {
			all = append(all, l.Enrolment)
		}
		if _, err := s.MarkRoll(ctx, head, c.Sessions[0].ID, all); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkRoll(ctx, head, c.Sessions[1].ID, all[:5]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetEscort(ctx, head, c.ID, "genban"); !fault.Is(err, fault.NotFound) && !fault.Is(err, fault.Forbidden) {
			t.Errorf("the 班主任 names the 跟班干部: %v", err)
		}
		sh, err := s.SetEscort(ctx, dept, c.ID, "genban")
		if err != nil {
			t.Fatal(err)
		}
		if len(sh.Graduates) != 6 || sh.Ended || sh.Confirmed {
			t.Fatalf("sheet: %d trainees, ended %v", len(sh.Graduates), sh.Ended)
		}
		if sh, err = s.EvaluationSheet(ctx, escort, c.ID); err != nil || len(sh.MayEnter) != 1 || sh.MayEnter[0] != training.Observer {
			t.Fatalf("the 跟班干部's sheet: %v %+v", err, sh)
		}
		if _, err := s.EvaluationSheet(ctx, other, c.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another class's 班主任 reads the sheet: %v", err)
		}
		portrait := func(v int) map[string]int {
			return map[string]int{"学习态度": v, "纪律": v, "互动研讨": v, "作业": v}
		}
		// Scores: 0 and 1 tied at the top, 2 just below, 3 with a low
		// evaluation, 4 failing the exam, 5 short of hours.
		obs := []int{95, 95, 92, 50, 80, 80}
		exam := []int{98, 98, 92, 80, 40, 80}
		var observer, portraits []training.EvaluationInput
		for i, e := range all {
			observer = append(observer, training.EvaluationInput{Enrolment: e, Source: training.Observer, Score: obs[i], Notes: "认真"})
			portraits = append(portraits, training.EvaluationInput{Enrolment: e, Source: training.Headteacher, Dims: portrait(obs[i])})
		}
		for name, x := range map[string]struct {
			a    *access.Actor
			in   []training.EvaluationInput
			code fault.Code
		}{
			"the 班主任 scoring as 跟班干部":        {head, observer[:1], fault.Forbidden},
			"the 跟班干部 portraying":            {escort, portraits[:1], fault.Forbidden},
			"another class's 班主任":            {other, portraits[:1], fault.NotFound},
			"a portrait missing a dimension": {head, []training.EvaluationInput{{Enrolment: all[0], Source: training.Headteacher, Dims: map[string]int{"纪律": 90}}}, fault.Invalid},
			"a score over 100":               {escort, []training.EvaluationInput{{Enrolment: all[0], Source: training.Observer, Score: 101}}, fault.Invalid},
			"another class's trainee":        {escort, []training.EvaluationInput{{Enrolment: 987654, Source: training.Observer, Score: 80}}, fault.Invalid},
		} {
			if _, err := s.Evaluate(ctx, x.a, c.ID, x.in); fault.CodeOf(err) != x.code {
				t.Errorf("%s: %v, want %s", name, err, x.code)
			}
		}
		if _, err := s.Evaluate(ctx, escort, c.ID, observer); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Evaluate(ctx, head, c.ID, portraits); err != nil {
			t.Fatal(err)
		}
		// The exam sheet: one wrong name enters nothing.
		var rows []training.ExamRow
		for i, e := range all {
			rows = append(rows, training.ExamRow{Line: i + 2, ID: strconv.FormatInt(e, 10), Name: "学员00" + strconv.Itoa(i), Score: exam[i]})
		}
		bad := append([]training.ExamRow{}, rows...)
		bad[2].Name = "别人"
		out, err := s.ImportExam(ctx, head, c.ID, bad, true)
		if err != nil || out[2].Err == nil || out[0].Err != nil {
			t.Fatalf("a sheet with a wrong name: %v %+v", err, out)
		}
		if sh, _ = s.EvaluationSheet(ctx, dept, c.ID); len(sh.Graduates[0].Evaluations) != 2 {
			t.Fatalf("a refused sheet entered scores: %+v", sh.Graduates[0].Evaluations)
		}
		if _, err := s.ImportExam(ctx, escort, c.ID, rows, true); !fault.Is(err, fault.Forbidden) {
			t.Errorf("the 跟班干部 enters the exam: %v", err)
		}
		if out, err = s.ImportExam(ctx, head, c.ID, rows, true); err != nil || out[0].Err != nil {
			t.Fatalf("exam: %v %+v", err, out)
		}
		// Before the class ends, no outcome; nor by the 班主任.
		if _, err := s.ComputeOutcomes(ctx, dept, c.ID); !fault.Is(err, fault.Invalid) {
			t.Errorf("outcomes before the class ended: %v", err)
		}
		now = now.AddDate(0, 0, 2)
		if _, err := s.ComputeOutcomes(ctx, head, c.ID); fault.CodeOf(err) != fault.NotFound && fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("the 班主任 computes outcomes: %v", err)
		}
		outcomes := func(sh *training.Sheet) string {
			b := ""
			for _, g := range sh.Graduates {
				b += g.Outcome.Outcome[:1]
			}
			return b
		}
		if sh, err = s.ComputeOutcomes(ctx, dept, c.ID); err != nil || outcomes(sh) != "eeerrr" {
			t.Fatalf("outcomes: %v %s", err, outcomes(sh))
		}
		for i, want := range map[int]string{3: training.ReasonEvaluation, 4: training.ReasonExam, 5: training.ReasonHours} {
			if r := sh.Graduates[i].Outcome.Reasons; len(r) != 1 || r[0] != want {
				t.Errorf("trainee %d: reasons %v, want %s", i, r, want)
			}
		}
		// A cap of 2: trainees 0 and 1 tie at the top and both fit; of 1,
		// they tie across it and neither is 优秀.
		r := training.DefaultRules()
		r.Cap = 1
		if _, err := s.SetRules(ctx, dept, c.ID, r); err != nil {
			t.Fatal(err)
		}
		if sh, err = s.ComputeOutcomes(ctx, dept, c.ID); err != nil || outcomes(sh) != "ppprrr" || !sh.Graduates[0].Outcome.CapTie {
			t.Fatalf("cap 1: %v %s", err, outcomes(sh))
		}
		r.Cap = 2
		if _, err := s.SetRules(ctx, dept, c.ID, r); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmOutcomes(ctx, dept, c.ID); !fault.Is(err, fault.Invalid) {
			t.Errorf("confirmed outcomes the new rules dropped: %v", err)
		}
		if sh, err = s.ComputeOutcomes(ctx, dept, c.ID); err != nil || outcomes(sh) != "eeprrr" {
			t.Fatalf("cap 2: %v %s", err, outcomes(sh))
		}
		if _, err := s.IssueCertificates(ctx, dept, c.ID, nil); !fault.Is(err, fault.Invalid) {
			t.Errorf("certificates before confirmation: %v", err)
		}
		if sh, err = s.ConfirmOutcomes(ctx, dept, c.ID); err != nil || !sh.Confirmed {
			t.Fatalf("confirm: %v", err)
		}
		if _, err := s.Evaluate(ctx, escort, c.ID, observer[:1]); !fault.Is(err, fault.Conflict) {
			t.Errorf("an evaluation after confirmation: %v", err)
		}
		if _, err := s.SetRules(ctx, dept, c.ID, r); !fault.Is(err, fault.Conflict) {
			t.Errorf("rules after confirmation: %v", err)
		}
		// Certificates.
		if _, err := s.IssueCertificates(ctx, dept, c.ID, []int64{all[0], all[3]}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a certificate for a 重修 trainee: %v", err)
		}
		certs, err := s.IssueCertificates(ctx, dept, c.ID, nil)
		if err != nil || len(certs) != 3 {
			t.Fatalf("issue: %v %d", err, len(certs))
		}
		serial := regexp.MustCompile(`^2026-\d{4}-00[1-3]-[0-9X]$`)
		for i, x := range certs {
			kind := training.CertExcellent
			if i == 2 {
				kind = training.CertCompletion
			}
			if x.Kind != kind || !serial.MatchString(x.Serial) || len(x.Token) < 40 || x.Hours != 4 || x.Issuer == "" {
				t.Errorf("certificate %d: %+v", i, x)
			}
		}
		if _, err := s.IssueCertificates(ctx, dept, c.ID, []int64{all[0]}); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second certificate in force: %v", err)
		}
		v, err := s.VerifyCertificate(ctx, certs[2].Token)
		if err != nil || v.Name != "学员002" || !v.InForce() {
			t.Fatalf("verify: %v %+v", err, v)
		}
		for _, tok := range []string{"", certs[2].Serial, certs[2].Token[:20]} {
			if _, err := s.VerifyCertificate(ctx, tok); !fault.Is(err, fault.NotFound) {
				t.Errorf("verify %q: %v", tok, err)
			}
		}
		if _, err := s.RevokeCertificate(ctx, dept, certs[2].ID, " "); !fault.Is(err, fault.Invalid) {
			t.Errorf("a revocation without a reason: %v", err)
		}
		if _, err := s.RevokeCertificate(ctx, head, certs[2].ID, "错发"); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("the 班主任 revokes: %v", err)
		}
		if _, err := s.RevokeCertificate(ctx, dept, certs[2].ID, "姓名有误，重新颁发"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevokeCertificate(ctx, dept, certs[2].ID, "再撤"); !fault.Is(err, fault.Conflict) {
			t.Errorf("revoked twice: %v", err)
		}
		if v, err = s.VerifyCertificate(ctx, certs[2].Token); err != nil || v.InForce() || v.Reason != "姓名有误，重新颁发" {
			t.Fatalf("verify revoked: %v %+v", err, v)
		}
		again, err := s.IssueCertificates(ctx, dept, c.ID, []int64{all[2]})
		if err != nil || len(again) != 1 || again[0].Serial == certs[2].Serial {
			t.Fatalf("issue anew: %v %+v", err, again)
		}
		tr, err := s.Trainee(ctx, links[0].Token)
		if err != nil || tr.Outcome == nil || tr.Outcome.Outcome != training.Excellent || tr.Certificate == nil || tr.Certificate.Serial != certs[0].Serial {
			t.Fatalf("trainee page: %v %+v", err, tr)
		}
		if tr, err = s.Trainee(ctx, links[3].Token); err != nil || tr.Outcome == nil || tr.Outcome.Outcome != training.Retake || tr.Certificate != nil {
			t.Fatalf("重修 trainee's page: %v %+v", err, tr)
		}
		cs, err := s.CadreCertificates(ctx, dept, sh.Graduates[2].Cadre)
		if err != nil || len(cs) != 2 || !cs[0].InForce() || cs[1].InForce() {
			t.Fatalf("cadre's certificates: %v %+v", err, cs)
		}
		// Every change is in the audit trail.
		auditor := &access.Actor{Grants: []access.Grant{{Role: access.AuditAdmin, Region: qianqi}}}
		for action, n := range map[string]int{"training.evaluate": 18, "training.escort": 1, "training.rules": 2, "training.outcome.compute": 3,
			"training.outcome.confirm": 1, "training.certificate.issue": 4, "training.certificate.revoke": 1} {
			es, _, err := db.Audit().Entries(ctx, auditor, audit.Filter{Action: action, Limit: 100})
			got := 0
			for _, e := range es {
				if e.Action == action {
					got++
				}
			}
			if err != nil || got != n {
				t.Errorf("audit %s: %d rows (%v), want %d", action, got, err, n)
			}
		}
	})
}
