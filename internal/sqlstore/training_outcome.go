package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
	"shanzhi/internal/training"
)

var _ training.Evaluating = (*TrainingService)(nil)

// evalClass is a class as its evaluation sheet sees it: its rules, its
// 班主任's and 跟班干部's accounts, and who the actor is to it.
type evalClass struct {
	c                *training.Class
	rules            training.Rules
	escort           string // the 跟班干部's username
	manage           bool   // the actor manages the programme at the class's region
	isHead, isEscort bool
}

// mayEnter reports whether the actor may enter evaluations from source:
// the observer's score its 跟班干部, the portrait and the exam its 班主任,
// anything the department.
func (e *evalClass) mayEnter(source string) bool {
	switch source {
	case training.Observer:
		return e.manage || e.isEscort
	case training.Headteacher, training.Exam:
		return e.manage || e.isHead
	}
	return false
}

// loadEvalClass loads class id for the actor: one who reads the programme
// at its region, its 班主任, or its 跟班干部; with manage, only who
// manages the programme there. Anyone else is answered as for a class
// they may not read.
func (tx *Tx) loadEvalClass(ctx context.Context, a *access.Actor, id int64, manage bool) (*evalClass, error) {
	var dims string
	var head, escort int64
	out := &evalClass{}
	r := &out.rules
	err := tx.queryRow(ctx, `SELECT c.eval_dims, c.eval_pass, c.exam_pass, c.excellent_min, c.excellent_cap, c.excellent_cap_pct,
		COALESCE(c.head_user_id, 0), COALESCE(c.escort_user_id, 0), COALESCE(u.username, '')
		FROM training_classes c LEFT JOIN users u ON u.id = c.escort_user_id WHERE c.id = ?`, id).
		Scan(&dims, &r.EvalPass, &r.ExamPass, &r.ExcellentMin, &r.Cap, &r.CapPercent, &head, &escort, &out.escort)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(dims), &r.Dims); err != nil {
		return nil, fmt.Errorf("class %d: dimensions %q: %w", id, dims, err)
	}
	if a != nil && a.UserID != 0 {
		out.isHead, out.isEscort = head == a.UserID, escort == a.UserID
	}
	k, err := scanClass(tx.queryRow(ctx, classSelect+` WHERE c.id = ?`, id))
	if err != nil {
		return nil, err
	}
	out.manage = training.CanManage(a, k.Region)
	if manage && !out.manage || !out.manage && !out.isHead && !out.isEscort && !training.CanRead(a, k.Region) {
		if err := trainingReachable(nil, a, k.Region, manage); err != nil {
			return nil, err
		}
	}
	if out.c, err = tx.classDetail(ctx, &k); err != nil {
		return nil, err
	}
	return out, nil
}

// confirmed reports whether the class's outcomes are confirmed.
func (tx *Tx) outcomesConfirmed(ctx context.Context, class int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM training_outcomes o JOIN training_enrolments e ON e.id = o.enrolment_id
		WHERE e.class_id = ? AND o.confirmed_at <> 0`, class).Scan(&n)
	return n > 0, err
}

const evalSelect = `SELECT v.enrolment_id, v.source, v.score, v.dims, v.notes, COALESCE(u.display_name, ''), v.at
	FROM training_evaluations v JOIN training_enrolments e ON e.id = v.enrolment_id LEFT JOIN users u ON u.id = v.by_user`

func scanEvaluation(s interface{ Scan(...any) error }) (training.Evaluation, error) {
	var v training.Evaluation
	var dims string
	var at int64
	err := s.Scan(&v.Enrolment, &v.Source, &v.Score, &dims, &v.Notes, &v.By, &at)
	if err == nil && dims != "" {
		err = json.Unmarshal([]byte(dims), &v.Dims)
	}
	v.At = time.UnixMilli(at)
	return v, err
}

const outcomeSelect = `SELECT o.enrolment_id, o.outcome, o.reasons, o.hours, o.total, o.computed_at, o.confirmed_at
	FROM training_outcomes o JOIN training_enrolments e ON e.id = o.enrolment_id`

func scanOutcome(s interface{ Scan(...any) error }) (training.Outcome, error) {
	var o training.Outcome
	var reasons string
	var computed, confirmed int64
	err := s.Scan(&o.Enrolment, &o.Outcome, &reasons, &o.Hours, &o.Total, &computed, &confirmed)
	if reasons != "" {
		o.Reasons = strings.Split(reasons, ",")
	}
	o.Computed = time.UnixMilli(computed)
	if confirmed != 0 {
		o.Confirmed = time.UnixMilli(confirmed)
	}
	return o, err
}

const certSelect = `SELECT t.id, t.serial, t.token, t.enrolment_id, t.kind, t.name, t.class_name, t.start_on, t.end_on, t.hours, t.issuer,
	k.region_code, t.issued_at, t.revoked_at, t.revoked_reason, e.cadre_id, e.class_id
	FROM training_certificates t JOIN training_enrolments e ON e.id = t.enrolment_id JOIN training_classes k ON k.id = e.class_id`

func scanCertificate(s interface{ Scan(...any) error }) (training.Certificate, error) {
	var c training.Certificate
	var issued, revoked int64
	err := s.Scan(&c.ID, &c.Serial, &c.Token, &c.Enrolment, &c.Kind, &c.Name, &c.Class, &c.Start, &c.End, &c.Hours, &c.Issuer,
		&c.Region, &issued, &revoked, &c.Reason, &c.Cadre, &c.ClassID)
	c.Issued = time.UnixMilli(issued)
	if revoked != 0 {
		c.Revoked = time.UnixMilli(revoked)
	}
	return c, err
}

// hoursOf is the hours enrolment e.id attended.
const hoursOf = `(SELECT COALESCE(sum(s.hours), 0) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id WHERE a.enrolment_id = e.id)`

// sheet builds the class's evaluation sheet.
func (tx *Tx) sheet(ctx context.Context, ec *evalClass) (*training.Sheet, error) {
	id := ec.c.ID
	out := &training.Sheet{Class: ec.c, Rules: ec.rules, Ended: ec.c.Ended(tx.now), Manage: ec.manage}
	for _, src := range training.Sources {
		if ec.mayEnter(src) {
			out.MayEnter = append(out.MayEnter, src)
		}
	}
	var err error
	out.Graduates, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.Graduate, error) {
		g := training.Graduate{Evaluations: map[string]training.Evaluation{}}
		err := s.Scan(&g.Enrolment, &g.Cadre, &g.Name, &g.Unit, &g.Hours)
		return g, err
	}, `SELECT e.id, c.id, c.name, COALESCE(u.name, r.name), `+hoursOf+` FROM training_enrolments e JOIN cadres c ON c.id = e.cadre_id
		JOIN regions r ON r.code = c.region_code LEFT JOIN org_units u ON u.id = c.unit_id
		WHERE e.class_id = ? ORDER BY COALESCE(c.unit_id, 0), c.region_code, c.name, e.id`, id)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, g := range out.Graduates {
		at[g.Enrolment] = i
	}
	evals, err := queryAll(ctx, tx, scanEvaluation, evalSelect+` WHERE e.class_id = ?`, id)
	if err != nil {
		return nil, err
	}
	for _, v := range evals {
		out.Graduates[at[v.Enrolment]].Evaluations[v.Source] = v
	}
	outs, err := queryAll(ctx, tx, scanOutcome, outcomeSelect+` WHERE e.class_id = ?`, id)
	if err != nil {
		return nil, err
	}
	for i := range outs {
		out.Graduates[at[outs[i].Enrolment]].Outcome = &outs[i]
		out.Confirmed = out.Confirmed || !outs[i].Confirmed.IsZero()
	}
	if len(outs) > 0 {
		// The cap's marks are not stored: recomputed from the scores.
		marks := training.Compute(ec.rules, ec.c.HoursRequired, scoresOf(out.Graduates))
		for i, m := range marks {
			if o := out.Graduates[i].Outcome; o != nil && o.Outcome == training.Pass {
				o.Capped, o.CapTie = m.Capped, m.CapTie
			}
		}
	}
	certs, err := queryAll(ctx, tx, scanCertificate, certSelect+` WHERE e.class_id = ? AND t.revoked_at = 0`, id)
	for i := range certs {
		out.Graduates[at[certs[i].Enrolment]].Certificate = &certs[i]
	}
	return out, err
}

// scoresOf is the rules' view of a sheet's trainees; a missing score -1.
func scoresOf(gs []training.Graduate) []training.Scores {
	out := make([]training.Scores, len(gs))
	for i, g := range gs {
		s := training.Scores{Enrolment: g.Enrolment, Hours: g.Hours, Observer: -1, Portrait: -1, Exam: -1}
		for src, p := range map[string]*int{training.Observer: &s.Observer, training.Headteacher: &s.Portrait, training.Exam: &s.Exam} {
			if v, ok := g.Evaluations[src]; ok {
				*p = v.Score
			}
		}
		out[i] = s
	}
	return out
}

// EvaluationSheet is the class's trainees with their evaluations,
// outcomes and certificates.
func (s *TrainingService) EvaluationSheet(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error) {
	var out *training.Sheet
	err := s.db.view(ctx, func(tx *Tx) error {
		ec, err := tx.loadEvalClass(ctx, a, class, false)
		if err != nil {
			return err
		}
		out, err = tx.sheet(ctx, ec)
		return err
	})
	return out, err
}

// SetRules changes the class's rules until its outcomes are confirmed;
// computed outcomes are dropped, to be computed again.
func (s *TrainingService) SetRules(ctx context.Context, a *access.Actor, class int64, r training.Rules) (*training.Sheet, error) {
	r.Normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *training.Sheet
	err := s.db.update(ctx, func(tx *Tx) error {
		ec, err := tx.loadEvalClass(ctx, a, class, true)
		if err != nil {
			return err
		}
		if err := tx.unconfirmed(ctx, class); err != nil {
			return err
		}
		if !slices.Equal(r.Dims, ec.rules.Dims) {
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM training_evaluations v JOIN training_enrolments e ON e.id = v.enrolment_id
				WHERE e.class_id = ? AND v.source = ?`, class, training.Headteacher).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fault.OnField(fault.Conflict, "dims", "training.rules.dims_used", n)
			}
		}
		dims, _ := json.Marshal(r.Dims)
		if _, err := tx.exec(ctx, `UPDATE training_classes SET eval_dims = ?, eval_pass = ?, exam_pass = ?, excellent_min = ?, excellent_cap = ?, excellent_cap_pct = ?, updated_at = ? WHERE id = ?`,
			string(dims), r.EvalPass, r.ExamPass, r.ExcellentMin, r.Cap, r.CapPercent, tx.nowMS(), class); err != nil {
			return err
		}
		if err := tx.dropComputed(ctx, class); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.rules", target: fmt.Sprintf("training_class:%d", class), region: ec.c.Region,
			detail: fmt.Sprintf("画像维度 %s; 评价合格 %d; 结业合格 %d; 优秀 %d; 优秀名额 %d 人/%d%%", strings.Join(r.Dims, "、"), r.EvalPass, r.ExamPass, r.ExcellentMin, r.Cap, r.CapPercent)}); err != nil {
			return err
		}
		ec.rules = r
		out, err = tx.sheet(ctx, ec)
		return err
	})
	return out, err
}

// unconfirmed refuses a change to a class whose outcomes are confirmed.
func (tx *Tx) unconfirmed(ctx context.Context, class int64) error {
	done, err := tx.outcomesConfirmed(ctx, class)
	if err == nil && done {
		err = fault.E(fault.Conflict, "training.outcome.confirmed")
	}
	return err
}

// dropComputed removes the class's computed, unconfirmed outcomes: a
// change to what they were computed from makes them stale.
func (tx *Tx) dropComputed(ctx context.Context, class int64) error {
	_, err := tx.exec(ctx, `DELETE FROM training_outcomes WHERE confirmed_at = 0 AND enrolment_id IN (SELECT id FROM training_enrolments WHERE class_id = ?)`, class)
	return err
}

// SetEscort names the account of the class's 跟班干部; "" for none.
func (s *TrainingService) SetEscort(ctx context.Context, a *access.Actor, class int64, username string) (*training.Sheet, error) {
	username = strings.TrimSpace(username)
	var out *training.Sheet
	err := s.db.update(ctx, func(tx *Tx) error {
		ec, err := tx.loadEvalClass(ctx, a, class, true)
		if err != nil {
			return err
		}
		var uid any
		if username != "" {
			var id int64
			err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.OnField(fault.Invalid, "escort", "cadre.user_unknown", username)
			}
			if err != nil {
				return err
			}
			uid = id
		}
		if _, err := tx.exec(ctx, `UPDATE training_classes SET escort_user_id = ?, updated_at = ? WHERE id = ?`, uid, tx.nowMS(), class); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.escort", target: fmt.Sprintf("training_class:%d", class), region: ec.c.Region,
			detail: fmt.Sprintf("跟班干部账号 %q → %q", ec.escort, username)}); err != nil {
			return err
		}
		if ec, err = tx.loadEvalClass(ctx, a, class, true); err != nil {
			return err
		}
		out, err = tx.sheet(ctx, ec)
		return err
	})
	return out, err
}

// MaxEvaluations bounds one entry of evaluations.
const MaxEvaluations = 3 * training.MaxEnrol

// sourceName is a source as the audit trail names it.
var sourceName = map[string]string{training.Observer: "跟班干部考察", training.Headteacher: "班主任画像", training.Exam: "结业考核"}

// Evaluate enters evaluations of the class's trainees, all or none, each
// replacing the source's earlier score of the trainee and audited with
// it. Computed outcomes are dropped, to be computed again.
func (s *TrainingService) Evaluate(ctx context.Context, a *access.Actor, class int64, in []training.EvaluationInput) (*training.Sheet, error) {
	if len(in) == 0 || len(in) > MaxEvaluations {
		return nil, fault.E(fault.Invalid, "training.eval.count", MaxEvaluations)
	}
	var out *training.Sheet
	err := s.db.update(ctx, func(tx *Tx) error {
		ec, err := tx.loadEvalClass(ctx, a, class, false)
		if err != nil {
			return err
		}
		if err := tx.unconfirmed(ctx, class); err != nil {
			return err
		}
		sh, err := tx.sheet(ctx, ec)
		if err != nil {
			return err
		}
		byID := map[int64]*training.Graduate{}
		for i := range sh.Graduates {
			byID[sh.Graduates[i].Enrolment] = &sh.Graduates[i]
		}
		seen := map[string]bool{}
		for i := range in {
			v := &in[i]
			if !ec.mayEnter(v.Source) {
				if !slices.Contains(training.Sources, v.Source) {
					return fault.OnField(fault.Invalid, "source", "training.eval.source")
				}
				return fault.E(fault.Forbidden, "training.eval.not_yours", sourceName[v.Source])
			}
			g := byID[v.Enrolment]
			if g == nil {
				return fault.OnField(fault.Invalid, "enrolment", "training.eval.enrolment", v.Enrolment)
			}
			if err := v.Validate(ec.rules); err != nil {
				return fault.Wrap(fault.Invalid, err, "training.eval.row", g.Name, sourceName[v.Source], strings.Join(ec.rules.Dims, "、"))
			}
			key := fmt.Sprint(v.Enrolment, v.Source)
			if seen[key] {
				return fault.E(fault.Invalid, "training.eval.twice", g.Name)
			}
			seen[key] = true
			var dims string
			if v.Dims != nil {
				b, _ := json.Marshal(v.Dims)
				dims = string(b)
			}
			before := "无"
			if old, ok := g.Evaluations[v.Source]; ok {
				if old.Score == v.Score && old.Notes == v.Notes && maps.Equal(old.Dims, v.Dims) {
					continue
				}
				before = strconv.Itoa(old.Score)
			}
			if _, err := tx.exec(ctx, `INSERT INTO training_evaluations (enrolment_id, source, score, dims, notes, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (enrolment_id, source) DO UPDATE SET score = excluded.score, dims = excluded.dims, notes = excluded.notes, by_user = excluded.by_user, at = excluded.at`,
				v.Enrolment, v.Source, v.Score, dims, v.Notes, actorUser(a), tx.nowMS()); err != nil {
				return err
			}
			detail := fmt.Sprintf("%s %s: %s → %d", g.Name, sourceName[v.Source], before, v.Score)
			if dims != "" {
				detail += " " + dims
			}
			if v.Notes != "" {
				detail += "; " + v.Notes
			}
			if err := tx.audit(ctx, a, auditEntry{action: "training.evaluate", target: fmt.Sprintf("training_enrolment:%d", v.Enrolment), region: ec.c.Region, detail: detail}); err != nil {
				return err
			}
		}
		if err := tx.dropComputed(ctx, class); err != nil {
			return err
		}
		out, err = tx.sheet(ctx, ec)
		return err
	})
	return out, err
}

// ImportExam checks a sheet of exam scores against the class's trainees —
// each row's 编号 an enrolment of the class whose name matches, a score
// from 0 to 100, once — and, with commit and no row refused, enters them
// all. Refused rows carry their problem and enter nothing.
func (s *TrainingService) ImportExam(ctx context.Context, a *access.Actor, class int64, rows []training.ExamRow, commit bool) ([]training.ExamRow, error) {
	if len(rows) == 0 || len(rows) > training.MaxEnrol {
		return nil, fault.E(fault.Invalid, "training.exam.count", training.MaxEnrol)
	}
	var ins []training.EvaluationInput
	err := s.db.view(ctx, func(tx *Tx) error {
		ec, err := tx.loadEvalClass(ctx, a, class, false)
		if err != nil {
			return err
		}
		if !ec.mayEnter(training.Exam) {
			return fault.E(fault.Forbidden, "training.eval.not_yours", sourceName[training.Exam])
		}
		sh, err := tx.sheet(ctx, ec)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, g := range sh.Graduates {
			names[g.Enrolment] = g.Name
		}
		seen := map[int64]int{}
		for i := range rows {
			r := &rows[i]
			r.Name = strings.TrimSpace(r.Name)
			id, perr := strconv.ParseInt(strings.TrimSpace(r.ID), 10, 64)
			name, ok := names[id]
			switch {
			case perr != nil || !ok:
				r.Err = fault.E(fault.Invalid, "training.exam.unknown", strings.TrimSpace(r.ID))
			case name != r.Name:
				r.Err = fault.E(fault.Invalid, "training.exam.name", r.Name, name)
			case seen[id] != 0:
				r.Err = fault.E(fault.Invalid, "training.exam.twice", name, seen[id])
			case r.Score < 0 || r.Score > 100:
				r.Err = fault.E(fault.Invalid, "training.eval.score")
			default:
				seen[id] = r.Line
				ins = append(ins, training.EvaluationInput{Enrolment: id, Source: training.Exam, Score: r.Score})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ins) < len(rows) || !commit {
		// A row refused: none entered, each refusal beside its row.
		return rows, nil
	}
	_, err = s.Evaluate(ctx, a, class, ins)
	return rows, err
}

// outcomeSheet opens a class's sheet for computing or confirming its
// outcomes: the department's, after the class's last day, while nothing
// is confirmed yet.
func (tx *Tx) outcomeSheet(ctx context.Context, a *access.Actor, class int64) (*evalClass, *training.Sheet, error) {
	ec, err := tx.loadEvalClass(ctx, a, class, true)
	if err != nil {
		return nil, nil, err
	}
	if !ec.c.Ended(tx.now) {
		return nil, nil, fault.E(fault.Invalid, "training.outcome.not_ended", ec.c.End)
	}
	if err := tx.unconfirmed(ctx, class); err != nil {
		return nil, nil, err
	}
	sh, err := tx.sheet(ctx, ec)
	return ec, sh, err
}

// ComputeOutcomes applies the class's rules to its trainees, after its
// last day and before the department confirms: each trainee needs both
// evaluations first.
func (s *TrainingService) ComputeOutcomes(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error) {
	var out *training.Sheet
	err := s.db.update(ctx, func(tx *Tx) error {
		ec, sh, err := tx.outcomeSheet(ctx, a, class)
		if err != nil {
			return err
		}
		if len(sh.Graduates) == 0 {
			return fault.E(fault.Invalid, "training.outcome.none")
		}
		var missing []string
		for _, g := range sh.Graduates {
			_, o := g.Evaluations[training.Observer]
			_, h := g.Evaluations[training.Headteacher]
			if !o || !h {
				missing = append(missing, g.Name)
			}
		}
		if len(missing) > 0 {
			more := ""
			if len(missing) > 10 {
				missing, more = missing[:10], " 等"
			}
			return fault.E(fault.Invalid, "training.outcome.missing", strings.Join(missing, "、")+more)
		}
		if err := tx.dropComputed(ctx, class); err != nil {
			return err
		}
		count := map[string]int{}
		for _, o := range training.Compute(ec.rules, ec.c.HoursRequired, scoresOf(sh.Graduates)) {
			if _, err := tx.exec(ctx, `INSERT INTO training_outcomes (enrolment_id, outcome, reasons, hours, total, computed_at) VALUES (?, ?, ?, ?, ?, ?)`,
				o.Enrolment, o.Outcome, strings.Join(o.Reasons, ","), o.Hours, o.Total, tx.nowMS()); err != nil {
				return err
			}
			count[o.Outcome]++
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.outcome.compute", target: fmt.Sprintf("training_class:%d", class), region: ec.c.Region,
			detail: fmt.Sprintf("优秀 %d, 合格 %d, 重修 %d", count[training.Excellent], count[training.Pass], count[training.Retake])}); err != nil {
			return err
		}
		out, err = tx.sheet(ctx, ec)
		return err
	})
	return out, err
}

// ConfirmOutcomes fixes the class's computed outcomes: the department's
// decision, after which evaluations, rules and outcomes no longer change.
func (s *TrainingService) ConfirmOutcomes(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error) {
	var out *training.Sheet
	err := s.db.update(ctx, func(tx *Tx) error {
		ec, sh, err := tx.outcomeSheet(ctx, a, class)
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, g := range sh.Graduates {
			if g.Outcome == nil {
				return fault.E(fault.Invalid, "training.outcome.not_computed")
			}
			count[g.Outcome.Outcome]++
		}
		if len(sh.Graduates) == 0 {
			return fault.E(fault.Invalid, "training.outcome.none")
		}
		if _, err := tx.exec(ctx, `UPDATE training_outcomes SET confirmed_at = ?, confirmed_by = ? WHERE enrolment_id IN (SELECT id FROM training_enrolments WHERE class_id = ?)`,
			tx.nowMS(), actorUser(a), class); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.outcome.confirm", target: fmt.Sprintf("training_class:%d", class), region: ec.c.Region,
			detail: fmt.Sprintf("确认: 优秀 %d, 合格 %d, 重修 %d", count[training.Excellent], count[training.Pass], count[training.Retake])}); err != nil {
			return err
		}
		out, err = tx.sheet(ctx, ec)
		return err
	})
	return out, err
}

// serialFor is a certificate's printed number: the year, the class, the
// certificate's place in the class, and a check character over the
// digits (ISO 7064 MOD 11-2, as an ID number's) so a mistyped number is
// caught. It names no one: the QR's token opens the verification page.
func serialFor(year string, class int64, seq int) string {
	digits := fmt.Sprintf("%s%04d%03d", year, class%10000, seq)
	return fmt.Sprintf("%s-%04d-%03d-%c", year, class%10000, seq, registry.CheckChar(fmt.Sprintf("%017s", digits)))
}

// certIssuer is who a certificate names as its issuer: the department of
// the class's region.
func certIssuer(regionName string) string { return regionName + "党委组织部" }

// IssueCertificates gives each named trainee of the class (each without a
// certificate in force, for none named) the certificate of their
// confirmed outcome: 优秀证书 for 优秀, 结业证书 for 合格. A 重修 trainee,
// or any before the outcomes are confirmed, is refused and none issued.
func (s *TrainingService) IssueCertificates(ctx context.Context, a *access.Actor, class int64, enrolments []int64) ([]training.Certificate, error) {
	var out []training.Certificate
	err := s.db.update(ctx, func(tx *Tx) error {
		ec, err := tx.loadEvalClass(ctx, a, class, true)
		if err != nil {
			return err
		}
		sh, err := tx.sheet(ctx, ec)
		if err != nil {
			return err
		}
		if !sh.Confirmed {
			return fault.E(fault.Invalid, "training.cert.unconfirmed")
		}
		byID := map[int64]*training.Graduate{}
		for i := range sh.Graduates {
			byID[sh.Graduates[i].Enrolment] = &sh.Graduates[i]
		}
		var gs []*training.Graduate
		if len(enrolments) == 0 {
			for i := range sh.Graduates {
				if g := &sh.Graduates[i]; g.Certificate == nil && g.Outcome != nil && g.Outcome.Outcome != training.Retake {
					gs = append(gs, g)
				}
			}
		}
		for _, id := range enrolments {
			g := byID[id]
			switch {
			case g == nil:
				return fault.E(fault.Invalid, "training.eval.enrolment", id)
			case g.Outcome == nil || g.Outcome.Confirmed.IsZero():
				return fault.E(fault.Invalid, "training.cert.unconfirmed")
			case g.Outcome.Outcome == training.Retake:
				return fault.E(fault.Invalid, "training.cert.retake", g.Name)
			case g.Certificate != nil:
				return fault.E(fault.Conflict, "training.cert.already", g.Name, g.Certificate.Serial)
			case slices.Contains(gs, g):
				return fault.E(fault.Invalid, "training.eval.twice", g.Name)
			}
			gs = append(gs, g)
		}
		var seq int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_certificates t JOIN training_enrolments e ON e.id = t.enrolment_id WHERE e.class_id = ?`, class).Scan(&seq); err != nil {
			return err
		}
		year := ec.c.End[:4]
		for _, g := range gs {
			seq++
			kind := training.CertCompletion
			if g.Outcome.Outcome == training.Excellent {
				kind = training.CertExcellent
			}
			serial := serialFor(year, class, seq)
			id, err := tx.insertID(ctx, `INSERT INTO training_certificates (serial, token, enrolment_id, kind, name, class_name, start_on, end_on, hours, issuer, issued_at, issued_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				serial, newToken(), g.Enrolment, kind, g.Name, ec.c.Name, ec.c.Start, ec.c.End, g.Outcome.Hours, certIssuer(ec.c.RegionName), tx.nowMS(), actorUser(a))
			if err != nil {
				return err
			}
			if err := tx.audit(ctx, a, auditEntry{action: "training.certificate.issue", target: fmt.Sprintf("training_certificate:%d", id), region: ec.c.Region,
				detail: fmt.Sprintf("%s %s %s", serial, g.Name, kind)}); err != nil {
				return err
			}
			c, err := scanCertificate(tx.queryRow(ctx, certSelect+` WHERE t.id = ?`, id))
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// certFor loads a certificate for who reads its class's programme.
func (tx *Tx) certFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*training.Certificate, error) {
	c, err := scanCertificate(tx.queryRow(ctx, certSelect+` WHERE t.id = ?`, id))
	if err := trainingReachable(err, a, c.Region, manage); err != nil {
		return nil, err
	}
	return &c, nil
}

// Certificate returns one certificate.
func (s *TrainingService) Certificate(ctx context.Context, a *access.Actor, id int64) (*training.Certificate, error) {
	var out *training.Certificate
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.certFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// RevokeCertificate revokes a certificate in force, with a reason: its
// verification page says so from then on. The trainee may be issued a
// new one.
func (s *TrainingService) RevokeCertificate(ctx context.Context, a *access.Actor, id int64, reason string) (*training.Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > training.MaxRevokeReason {
		return nil, fault.OnField(fault.Invalid, "reason", "training.cert.reason", training.MaxRevokeReason)
	}
	var out *training.Certificate
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.certFor(ctx, a, id, true)
		if err != nil {
			return err
		}
		if !c.InForce() {
			return fault.E(fault.Conflict, "training.cert.revoked")
		}
		if _, err := tx.exec(ctx, `UPDATE training_certificates SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE id = ?`, tx.nowMS(), actorUser(a), reason, id); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.certificate.revoke", target: fmt.Sprintf("training_certificate:%d", id), region: c.Region,
			detail: fmt.Sprintf("%s %s: %s", c.Serial, c.Name, reason)}); err != nil {
			return err
		}
		out, err = tx.certFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// VerifyCertificate finds the certificate whose QR carries token, in
// force or revoked; anything else is not found.
func (s *TrainingService) VerifyCertificate(ctx context.Context, token string) (*training.Certificate, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 64 {
		return nil, fault.E(fault.NotFound, "training.cert.unknown")
	}
	var out training.Certificate
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = scanCertificate(tx.queryRow(ctx, certSelect+` WHERE t.token = ?`, token))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "training.cert.unknown")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CadreCertificates lists a cadre's certificates, newest first, revoked
// ones too, for their training file: for who reads the programme at the
// cadre's region.
func (s *TrainingService) CadreCertificates(ctx context.Context, a *access.Actor, cadre int64) ([]training.Certificate, error) {
	var out []training.Certificate
	err := s.db.view(ctx, func(tx *Tx) error {
		c, err := tx.cadreFor(ctx, a, cadre, false)
		if err != nil {
			return err
		}
		if !training.CanRead(a, c.Region) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		out, err = queryAll(ctx, tx, scanCertificate, certSelect+` WHERE e.cadre_id = ? ORDER BY t.issued_at DESC, t.id DESC`, cadre)
		return err
	})
	return out, err
}

// traineeOutcome fills a trainee's page's confirmed outcome and
// certificate in force.
func (tx *Tx) traineeOutcome(ctx context.Context, t *training.Trainee) error {
	o, err := scanOutcome(tx.queryRow(ctx, outcomeSelect+` WHERE o.enrolment_id = ? AND o.confirmed_at <> 0`, t.Enrolment))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	t.Outcome = &o
	c, err := scanCertificate(tx.queryRow(ctx, certSelect+` WHERE t.enrolment_id = ? AND t.revoked_at = 0`, t.Enrolment))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	t.Certificate = &c
	return nil
}
