package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/server"
	"shanzhi/internal/sheet"
	"shanzhi/internal/training"
)

// The evaluation pages (issue 15 items 6 and 7): a class's evaluation
// sheet with the entry forms of the 跟班干部, the 班主任 and the exam, the
// rules and the department's steps (compute, confirm, certificates); the
// exam sheet import; a certificate's page, print view and PDF; and the
// public verification page behind a certificate's QR code.

// evalRow is a trainee's row of the evaluation page, its figures as shown.
type evalRow struct {
	G                   training.Graduate
	Observer, Portrait  string
	Exam, Notes         string
	Outcome, Reasons    string
	Mark                string // why a 优秀 candidate is 合格: the cap or a tie across it
	Score, Dims         []string
	EntryNotes          string
	Certificate         *training.Certificate
	EntryScore, Problem string
}

type evalView struct {
	S        *training.Sheet
	Rows     []evalRow
	Source   string // the entry form shown, "" for none
	Enter    []string
	Escort   string
	Cap      string
	Error    string
	Problems []string
	CanExam  bool
}

// trainingEvaluation is a class's evaluation sheet; ?source= opens the
// entry form of one source, which a POST sends back.
func (w *Web) trainingEvaluation(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showEvaluation(rw, r, a, nil)
}

func (w *Web) showEvaluation(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var s *training.Sheet
	if err == nil {
		s, err = w.Training.EvaluationSheet(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.evaluation", "training")
	v.Title = s.Class.Name + " · " + v.T("training.page.evaluation")
	v.Crumbs = []crumb{{Label: s.Class.Name, Href: "/training/classes/" + strconv.FormatInt(id, 10)}, {Label: v.T("training.page.evaluation")}}
	d := &evalView{S: s, Enter: s.MayEnter, CanExam: slices.Contains(s.MayEnter, training.Exam)}
	if src := r.FormValue("source"); slices.Contains(s.MayEnter, src) && !s.Confirmed {
		d.Source = src
	}
	d.Escort = s.Class.Escort
	r.ParseForm()
	for _, g := range s.Graduates {
		x := evalRow{G: g, Observer: "—", Portrait: "—", Exam: "—", Certificate: g.Certificate}
		if e, ok := g.Evaluations[training.Observer]; ok {
			x.Observer, x.Notes = strconv.Itoa(e.Score), e.Notes
		}
		if e, ok := g.Evaluations[training.Headteacher]; ok {
			x.Portrait = strconv.Itoa(e.Score)
		}
		if e, ok := g.Evaluations[training.Exam]; ok {
			x.Exam = strconv.Itoa(e.Score)
		}
		if o := g.Outcome; o != nil {
			x.Outcome = v.T("training.outcome." + o.Outcome)
			var rs []string
			for _, k := range o.Reasons {
				rs = append(rs, v.T("training.reason."+k))
			}
			x.Reasons = strings.Join(rs, "、")
			switch {
			case o.CapTie:
				x.Mark = v.T("training.outcome.cap_tie")
			case o.Capped:
				x.Mark = v.T("training.outcome.capped")
			}
		}
		if d.Source != "" {
			key := strconv.FormatInt(g.Enrolment, 10)
			cur, has := g.Evaluations[d.Source]
			x.EntryScore, x.EntryNotes = r.FormValue("score-"+key), r.FormValue("notes-"+key)
			if r.Method != http.MethodPost && has {
				x.EntryScore, x.EntryNotes = strconv.Itoa(cur.Score), cur.Notes
			}
			for k, dim := range s.Rules.Dims {
				val := r.FormValue("dim-" + key + "-" + strconv.Itoa(k))
				if r.Method != http.MethodPost && has {
					if n, ok := cur.Dims[dim]; ok {
						val = strconv.Itoa(n)
					}
				}
				x.Dims = append(x.Dims, val)
			}
		}
		d.Rows = append(d.Rows, x)
	}
	if r := s.Rules; r.Cap > 0 || r.CapPercent > 0 {
		var parts []string
		if r.Cap > 0 {
			parts = append(parts, v.T("training.rules.cap_count", r.Cap))
		}
		if r.CapPercent > 0 {
			parts = append(parts, v.T("training.rules.cap_percent", r.CapPercent))
		}
		d.Cap = strings.Join(parts, v.T("training.rules.cap_and"))
	} else {
		d.Cap = v.T("training.rules.no_cap")
	}
	status, msg, problems := refusal(v, actErr, "training.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "training_evaluation", v)
}

// trainingEvaluate takes the entry form of one source: every row whose
// fields are filled in, all or none.
func (w *Web) trainingEvaluate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var s *training.Sheet
	if err == nil {
		s, err = w.Training.EvaluationSheet(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	src := r.FormValue("source")
	var in []training.EvaluationInput
	bad := false
	num := func(s string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, err == nil
	}
	for _, g := range s.Graduates {
		key := strconv.FormatInt(g.Enrolment, 10)
		e := training.EvaluationInput{Enrolment: g.Enrolment, Source: src, Notes: r.FormValue("notes-" + key)}
		filled := false
		if src == training.Headteacher {
			e.Dims = map[string]int{}
			for k, dim := range s.Rules.Dims {
				val := strings.TrimSpace(r.FormValue("dim-" + key + "-" + strconv.Itoa(k)))
				if val == "" {
					continue
				}
				filled = true
				n, ok := num(val)
				bad = bad || !ok
				e.Dims[dim] = n
			}
		} else if val := strings.TrimSpace(r.FormValue("score-" + key)); val != "" {
			filled = true
			n, ok := num(val)
			bad = bad || !ok
			e.Score = n
		}
		if filled {
			in = append(in, e)
		}
	}
	switch {
	case bad:
		err = fault.OnField(fault.Invalid, "score", "training.eval.score")
	case len(in) == 0:
		err = fault.E(fault.Invalid, "training.eval.none")
	default:
		_, err = w.Training.Evaluate(r.Context(), a, id, in)
	}
	back := "/training/classes/" + strconv.FormatInt(id, 10) + "/evaluation"
	w.afterAct(rw, r, err, back, "saved", func(err error) { w.showEvaluation(rw, r, a, err) })
}

// trainingEvalStep is one of the department's steps on the sheet: the
// rules, the 跟班干部's account, computing and confirming the outcomes,
// issuing the certificates.
func (w *Web) trainingEvalStep(step string) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			ctx := r.Context()
			switch step {
			case "rules":
				rules := training.Rules{Dims: strings.FieldsFunc(r.FormValue("dims"), func(c rune) bool { return c == '、' || c == ',' || c == '，' || c == ' ' }),
					EvalPass: atoiForm(r, "eval_pass"), ExamPass: atoiForm(r, "exam_pass"), ExcellentMin: atoiForm(r, "excellent_min"),
					Cap: atoiForm(r, "excellent_cap"), CapPercent: atoiForm(r, "excellent_cap_pct")}
				_, err = w.Training.SetRules(ctx, a, id, rules)
			case "escort":
				_, err = w.Training.SetEscort(ctx, a, id, r.FormValue("escort"))
			case "compute":
				_, err = w.Training.ComputeOutcomes(ctx, a, id)
			case "confirm":
				_, err = w.Training.ConfirmOutcomes(ctx, a, id)
			case "certificates":
				_, err = w.Training.IssueCertificates(ctx, a, id, nil)
			}
		}
		back := "/training/classes/" + strconv.FormatInt(id, 10) + "/evaluation"
		w.afterAct(rw, r, err, back, "saved", func(err error) {
			r.Form.Del("source")
			w.showEvaluation(rw, r, a, err)
		})
	}
}

// examColumns are the exam sheet's: the 编号 the sheet's template gives
// each trainee, their name, and the score.
var examColumns = []string{"编号", "姓名", "单位", "成绩|结业成绩|分数"}

// trainingExamImport enters the exam scores from an Excel sheet, all or
// none, each refused row with its problem in Chinese.
func (w *Web) trainingExamImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var s *training.Sheet
	if err == nil {
		s, err = w.Training.EvaluationSheet(r.Context(), a, id)
	}
	if err == nil && !slices.Contains(s.MayEnter, training.Exam) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/classes/" + strconv.FormatInt(id, 10) + "/evaluation"
	v := w.newView(r, "training.page.exam_import", "training")
	v.Crumbs = []crumb{{Label: s.Class.Name, Href: back}, {Label: v.T("training.page.exam_import")}}
	d := &sheetImportView{Action: back + "/exam", Template: back + "/exam/template.xlsx", Back: back, NameLabel: v.T("org.field.member_name"), DoneKey: "training.exam.done",
		AllOrNothing: true, Intro: "training.exam.intro", RefusedKey: "training.exam.refused"}
	refused := 0
	runSheetImport(w, rw, r, v, d, func(x *training.ExamRow) sheetRow { return sheetRow{x.Line, x.Name, &x.Err} },
		func(name string, data []byte) ([]training.ExamRow, error) {
			var rows []training.ExamRow
			err := w.eachSheetRow(name, data, examColumns, "training.import.no_header", func(line int, cell func(string) string) {
				x := training.ExamRow{Line: line, ID: cell(examColumns[0]), Name: cell(examColumns[1])}
				n, err := strconv.Atoi(strings.TrimSpace(cell(examColumns[3])))
				if err != nil {
					x.Err, refused = fault.E(fault.Invalid, "training.eval.score"), refused+1
				}
				x.Score = n
				rows = append(rows, x)
			})
			return rows, err
		},
		func(rows []training.ExamRow, commit bool) ([]training.ExamRow, error) {
			// All or none: a row refused while reading the sheet stops the
			// others being entered too.
			return w.Training.ImportExam(r.Context(), a, id, rows, commit && refused == 0)
		})
}

// trainingExamTemplate sends the class's exam sheet: every trainee's 编号,
// name and unit, the score to fill in.
func (w *Web) trainingExamTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var s *training.Sheet
	if err == nil {
		s, err = w.Training.EvaluationSheet(r.Context(), a, id)
	}
	if err == nil && !slices.Contains(s.MayEnter, training.Exam) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var rows [][]any
	for _, g := range s.Graduates {
		score := ""
		if e, ok := g.Evaluations[training.Exam]; ok {
			score = strconv.Itoa(e.Score)
		}
		rows = append(rows, []any{strconv.FormatInt(g.Enrolment, 10), g.Name, g.Unit, score})
	}
	title := s.Class.Name + " 结业考核成绩"
	cols := []sheet.Column{{Header: "编号", Kind: sheet.Text, Width: 10}, {Header: "姓名", Kind: sheet.Text, Width: 14}, {Header: "单位", Kind: sheet.Text, Width: 28}, {Header: "成绩", Kind: sheet.Text, Width: 10}}
	w.sendSheet(rw, r, sheet.Table{Title: title, Columns: cols}, title, "exam-scores.xlsx", rows)
}

// certView is a certificate's page for the department.
type certView struct {
	C      *training.Certificate
	Verify string
	Manage bool
	Error  string
}

// trainingCertificate shows a certificate with its verification address
// and, for the department, the form that revokes it.
func (w *Web) trainingCertificate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showCertificate(rw, r, a, nil)
}

func (w *Web) showCertificate(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var c *training.Certificate
	if err == nil {
		c, err = w.Training.Certificate(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.certificate", "training")
	v.Title = v.T("training.cert.title."+c.Kind) + " " + c.Serial
	v.Crumbs = []crumb{{Label: c.Class, Href: "/training/classes/" + strconv.FormatInt(c.ClassID, 10) + "/evaluation"}, {Label: c.Serial}}
	d := &certView{C: c, Verify: origin(r) + verifyPath(c.Token), Manage: a.Can(access.TrainingManage, c.Region)}
	status, msg, _ := refusal(v, actErr, "training.field.")
	d.Error = msg
	v.Data = d
	w.render(rw, status, "training_certificate", v)
}

// verifyPath is the public verification page of a certificate's token.
func verifyPath(token string) string { return "/v/c/" + url.PathEscape(token) }

// trainingCertificatePrint is the certificate on A4 and, at
// certificate.pdf, the same document as a PDF.
func (w *Web) trainingCertificatePrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var c *training.Certificate
	if err == nil {
		c, err = w.Training.Certificate(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.certificate", "training")
	doc, err := w.printouts().Certificate(r.Context(), v.Lang, c, origin(r)+verifyPath(c.Token))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/certificates/" + strconv.FormatInt(id, 10)
	v.Title = v.T("training.cert.title."+c.Kind) + " " + c.Serial
	v.Crumbs = []crumb{{Label: c.Serial, Href: back}, {Label: v.T("print.view")}}
	w.servePrint(rw, r, v, doc, c.Name+" "+c.Serial, printPage{PDF: back + "/certificate.pdf"})
}

// trainingCertificateRevoke revokes a certificate with a reason.
func (w *Web) trainingCertificateRevoke(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.Training.RevokeCertificate(r.Context(), a, id, r.FormValue("reason"))
	}
	w.afterAct(rw, r, err, "/training/certificates/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showCertificate(rw, r, a, err) })
}

// verifyView is the public verification page: what the certificate bears,
// or that it was revoked.
type verifyView struct {
	C       *training.Certificate
	Issued  string
	Revoked string
}

// certificateVerify is the public page a certificate's QR code opens: no
// sign-in, rate-limited per address, the certificate's content (the name
// as printed on it; no ID number or phone) or its revocation.
func (w *Web) certificateVerify(rw http.ResponseWriter, r *http.Request) {
	if err := server.Limited(w.Limits.Card, "cert:"+access.RequestFrom(r.Context()).ClientKey()); err != nil {
		w.fail(rw, r, err)
		return
	}
	c, err := w.Training.VerifyCertificate(r.Context(), r.PathValue("token"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.verify", "")
	// The page speaks as the certificate does: Mongolian first where the
	// issuing department writes both scripts.
	if _, err := w.publicScript(r, v, c.Region); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.biTitle("training.page.verify", nil, nil)
	d := &verifyView{C: c, Issued: localtime.Day(c.Issued)}
	if !c.InForce() {
		d.Revoked = localtime.Day(c.Revoked)
	}
	rw.Header().Set("Cache-Control", "no-store")
	v.Data = d
	w.render(rw, http.StatusOK, "training_verify", v)
}
