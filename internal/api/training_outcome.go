package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/localtime"
	"shanzhi/internal/server"
	"shanzhi/internal/training"
)

// The evaluation endpoints (issue 15 items 6 and 7): a class's evaluation
// sheet, its rules and 跟班干部, evaluations and exam scores, outcomes and
// their confirmation, certificates, their PDF and revocation, a cadre's
// certificates, and the public verification behind a certificate's QR.

func (a *API) evalRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	manage := on(access.TrainingManage, server.OnClass)
	// The sheet is read by the department and by the class's 班主任 and
	// 跟班干部, who hold training.attend; the store checks which class.
	sheet := server.Rule{Perm: access.TrainingRead, Or: access.TrainingAttend, On: server.OnClass}
	rt.HandleFunc("GET /api/v1/training/classes/{id}/evaluation", sheet, a.handle(a.evalSheet))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/evaluations", on(access.TrainingAttend, server.OnClass), a.handle(a.evalEnter))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/exam", on(access.TrainingAttend, server.OnClass), a.handle(a.evalExam))
	rt.HandleFunc("PUT /api/v1/training/classes/{id}/rules", manage, a.handle(a.evalRules))
	rt.HandleFunc("PUT /api/v1/training/classes/{id}/escort", manage, a.handle(a.evalEscort))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/outcomes", manage, a.handle(a.evalCompute))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/outcomes/confirm", manage, a.handle(a.evalConfirm))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/certificates", manage, a.handle(a.certIssue))
	cert := on(access.TrainingRead, server.OnCertificate)
	rt.HandleFunc("GET /api/v1/training/certificates/{id}", cert, a.handle(a.certGet))
	rt.HandleFunc("GET /api/v1/training/certificates/{id}/certificate.pdf", cert, a.pdf(a.certPDF))
	rt.HandleFunc("POST /api/v1/training/certificates/{id}/revoke", on(access.TrainingManage, server.OnCertificate), a.handle(a.certRevoke))
	rt.HandleFunc("GET /api/v1/cadres/{id}/certificates", on(access.TrainingRead, server.OnCadre), a.handle(a.cadreCerts))
	rt.HandleFunc("GET /api/v1/certificates/{token}", server.Rule{On: server.Public}, a.certVerify)
}

func (a *API) evalSheet(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Training.EvaluationSheet(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

// evalEnter enters evaluations, all or none: each {enrolment, source,
// score, dims, notes}.
func (a *API) evalEnter(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Evaluations []training.EvaluationInput `json:"evaluations"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Training.Evaluate(r.Context(), act, id, b.Evaluations)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

// examRowJSON is a row of an exam-score sheet sent as JSON: the trainee's
// enrolment (编号) and name, and the score.
type examRowJSON struct {
	Enrolment int64  `json:"enrolment"`
	Name      string `json:"name"`
	Score     int    `json:"score"`
	Problem   string `json:"problem,omitempty"`
}

// evalExam enters a sheet of exam scores all or none; ?check=1 only
// checks. Refused rows come back with their problems (422).
func (a *API) evalExam(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Rows []examRowJSON `json:"rows"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	rows := make([]training.ExamRow, len(b.Rows))
	for i, x := range b.Rows {
		rows[i] = training.ExamRow{Line: i + 1, Name: x.Name, ID: strconv.FormatInt(x.Enrolment, 10), Score: x.Score}
	}
	out, err := a.Training.ImportExam(r.Context(), act, id, rows, r.URL.Query().Get("check") == "")
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	for i, x := range out {
		if x.Err != nil {
			b.Rows[i].Problem = a.problemText(r, x.Err)
			status = http.StatusUnprocessableEntity
		}
	}
	return status, items[examRowJSON]{Items: b.Rows}, nil
}

func (a *API) evalRules(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[training.Rules](r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Training.SetRules(r.Context(), act, id, b)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

func (a *API) evalEscort(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Username string `json:"username"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Training.SetEscort(r.Context(), act, id, b.Username)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

func (a *API) evalCompute(r *http.Request, act *access.Actor) (int, any, error) {
	return a.classStep(r, act, a.Training.ComputeOutcomes)
}

func (a *API) evalConfirm(r *http.Request, act *access.Actor) (int, any, error) {
	return a.classStep(r, act, a.Training.ConfirmOutcomes)
}

func (a *API) classStep(r *http.Request, act *access.Actor, step func(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error)) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	s, err := step(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

// certIssue issues the certificates of the named enrolments, or of every
// confirmed 优秀 and 合格 trainee without one when none is named.
func (a *API) certIssue(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Enrolments []int64 `json:"enrolments"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	cs, err := a.Training.IssueCertificates(r.Context(), act, id, b.Enrolments)
	if err != nil {
		return 0, nil, err
	}
	out := items[certJSON]{Items: []certJSON{}}
	for _, c := range cs {
		out.Items = append(out.Items, a.toCert(r, c))
	}
	return http.StatusCreated, out, nil
}

// certJSON is a certificate with the address its QR code leads to.
type certJSON struct {
	training.Certificate
	Verify string `json:"verify"`
}

// VerifyPath is the public verification page of a certificate's token.
func VerifyPath(token string) string { return "/v/c/" + url.PathEscape(token) }

func (a *API) toCert(r *http.Request, c training.Certificate) certJSON {
	return certJSON{Certificate: c, Verify: origin(r) + VerifyPath(c.Token)}
}

// origin is the scheme and host the request came to.
func origin(r *http.Request) string {
	if server.IsHTTPS(r) {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func (a *API) certGet(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Training.Certificate(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.toCert(r, *c), nil
}

// certPDF is the certificate's PDF, the same as the page's.
func (a *API) certPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, "", err
	}
	c, err := a.Training.Certificate(r.Context(), act, id)
	if err != nil {
		return nil, "", err
	}
	doc, err := a.printouts().Certificate(r.Context(), lang(r), c, origin(r)+VerifyPath(c.Token))
	return doc, c.Serial, err
}

func (a *API) certRevoke(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Training.RevokeCertificate(r.Context(), act, id, b.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.toCert(r, *c), nil
}

func (a *API) cadreCerts(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	cs, err := a.Training.CadreCertificates(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := items[certJSON]{Items: []certJSON{}}
	for _, c := range cs {
		out.Items = append(out.Items, a.toCert(r, c))
	}
	return http.StatusOK, out, nil
}

// verifyJSON is what the public learns of a certificate: what it bears,
// and whether it was revoked.
type verifyJSON struct {
	Serial  string `json:"serial"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Class   string `json:"class"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Hours   int    `json:"hours"`
	Issuer  string `json:"issuer"`
	Issued  string `json:"issued"`
	Valid   bool   `json:"valid"`
	Revoked string `json:"revoked,omitempty"`
	Reason  string `json:"revoked_reason,omitempty"`
}

// certVerify is the public verification of a certificate's QR token,
// rate-limited per address like the other public look-ups.
func (a *API) certVerify(w http.ResponseWriter, r *http.Request) {
	if err := server.Limited(a.Limits.Card, "cert:"+access.RequestFrom(r.Context()).ClientKey()); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.Training.VerifyCertificate(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := verifyJSON{Serial: c.Serial, Kind: c.Kind, Name: c.Name, Class: c.Class, Start: c.Start, End: c.End, Hours: c.Hours, Issuer: c.Issuer,
		Issued: localtime.Day(c.Issued), Valid: c.InForce()}
	if !c.InForce() {
		out.Revoked, out.Reason = localtime.Day(c.Revoked), c.Reason
	}
	w.Header().Set("Cache-Control", "no-store")
	write(w, http.StatusOK, out)
}
