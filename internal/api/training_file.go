package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/photo"
	"shanzhi/internal/server"
	"shanzhi/internal/training"
	"shanzhi/internal/trainingsheet"
)

// The yearly side of the programme: a cadre's training file, the unit's
// yearly lines and the figures (with their workbooks), the retake loop
// with the department's decisions on 情况说明, and the trainee's own file
// and statement by their link.

func (a *API) trainingFileRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage := access.TrainingRead, access.TrainingManage
	// A unit's staff read their own cadres' files, as on the unit's page.
	rt.HandleFunc("GET /api/v1/cadres/{id}/training-file", server.Rule{Perm: access.OrgRead, Or: access.UnitCadres, On: server.OnCadre}, a.handle(a.cadreFile))
	rt.HandleFunc("GET /api/v1/training/files", on(access.OrgRead, server.OnQuery), a.handle(a.trainingFiles))
	rt.HandleFunc("GET /api/v1/training/files.xlsx", on(access.OrgRead, server.OnQuery), a.trainingFilesSheet)
	rt.HandleFunc("GET /api/v1/training/figures", on(read, server.OnQuery), a.handle(a.trainingFigures))
	rt.HandleFunc("GET /api/v1/training/figures.xlsx", on(read, server.OnQuery), a.trainingFiguresSheet)
	rt.HandleFunc("GET /api/v1/training/retakes", on(read, server.OnQuery), a.handle(a.trainingRetakes))
	rt.HandleFunc("POST /api/v1/training/retakes/decide", on(manage, server.OnQuery), a.handle(a.trainingStatementDecide))
	rt.HandleFunc("GET /api/v1/training/retakes/file", on(read, server.OnQuery), a.trainingStatementFile)
	rt.HandleFunc("GET /api/v1/attend/{token}/file", server.Rule{On: server.Public}, a.attendFile)
	rt.HandleFunc("POST /api/v1/attend/{token}/statements", server.Rule{On: server.Public}, a.attendStatement)
}

// queryRegion is the ?region= a list is asked for, "" for the actor's
// scope; one outside what p reaches is not found.
func queryRegion(r *http.Request, act *access.Actor, p access.Permission) (string, error) {
	code := r.URL.Query().Get("region")
	switch {
	case !act.CanAnywhere(p):
		return "", fault.E(fault.Forbidden, "error.forbidden")
	case code != "" && !act.Can(p, code):
		return "", fault.E(fault.NotFound, "region.not_found")
	}
	return code, nil
}

// queryYear is the ?year= asked for, this year when none.
func queryYear(r *http.Request) string {
	if y := strings.TrimSpace(r.URL.Query().Get("year")); y != "" {
		return y
	}
	return localtime.Day(time.Now())[:4]
}

func (a *API) cadreFile(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	f, err := a.Training.CadreFile(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"cadre": toCadre(f.Cadre), "years": f.Years}, nil
}

func (a *API) fileFilter(r *http.Request, act *access.Actor) (training.FileFilter, error) {
	code, err := queryRegion(r, act, access.OrgRead)
	unit, _ := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	return training.FileFilter{Region: code, Unit: unit, Year: queryYear(r)}, err
}

func (a *API) trainingFiles(r *http.Request, act *access.Actor) (int, any, error) {
	f, err := a.fileFilter(r, act)
	if err != nil {
		return 0, nil, err
	}
	rows, err := a.Training.FileRows(r.Context(), act, f)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, items[training.FileRow]{Items: append([]training.FileRow{}, rows...)}, nil
}

// sendXLSX answers a workbook.
func sendXLSX(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

func (a *API) trainingFilesSheet(w http.ResponseWriter, r *http.Request) {
	act, err := a.actor(r)
	var f training.FileFilter
	if err == nil {
		f, err = a.fileFilter(r, act)
	}
	var rows []training.FileRow
	if err == nil {
		rows, err = a.Training.FileRows(r.Context(), act, f)
	}
	var buf bytes.Buffer
	if err == nil {
		err = trainingsheet.WriteFile(&buf, f.Year, "", time.Now(), rows)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sendXLSX(w, "training-file-"+f.Year+".xlsx", buf.Bytes())
}

func (a *API) figures(r *http.Request, act *access.Actor) (*training.Figures, error) {
	code, err := queryRegion(r, act, access.TrainingRead)
	if err != nil {
		return nil, err
	}
	return a.Training.Figures(r.Context(), act, training.FiguresFilter{Region: code, Year: queryYear(r), Rank: r.URL.Query().Get("rank")})
}

func (a *API) trainingFigures(r *http.Request, act *access.Actor) (int, any, error) {
	f, err := a.figures(r, act)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, f, nil
}

func (a *API) trainingFiguresSheet(w http.ResponseWriter, r *http.Request) {
	act, err := a.actor(r)
	var f *training.Figures
	if err == nil {
		f, err = a.figures(r, act)
	}
	var buf bytes.Buffer
	if err == nil {
		err = trainingsheet.WriteFigures(&buf, "", time.Now(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sendXLSX(w, "training-figures-"+f.Year+".xlsx", buf.Bytes())
}

func (a *API) trainingRetakes(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := queryRegion(r, act, access.TrainingRead)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.Training.Retakes(r.Context(), act, code, r.URL.Query().Get("closed") == "1")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, items[training.RetakeCase]{Items: append([]training.RetakeCase{}, list...)}, nil
}

// trainingStatementDecide accepts a 情况说明 or returns it with a comment.
func (a *API) trainingStatementDecide(r *http.Request, act *access.Actor) (int, any, error) {
	if _, err := queryRegion(r, act, access.TrainingManage); err != nil {
		return 0, nil, err
	}
	var b struct {
		Statement int64  `json:"statement"`
		Accept    bool   `json:"accept"`
		Comment   string `json:"comment"`
	}
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	if b.Statement <= 0 {
		return 0, nil, fault.OnField(fault.Invalid, "statement", "training.retake.statement_missing")
	}
	x, err := a.Training.DecideStatement(r.Context(), act, b.Statement, b.Accept, b.Comment)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x, nil
}

func (a *API) trainingStatementFile(w http.ResponseWriter, r *http.Request) {
	act, err := a.actor(r)
	if err == nil {
		_, err = queryRegion(r, act, access.TrainingRead)
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	if err == nil && id <= 0 {
		err = fault.OnField(fault.Invalid, "id", "training.retake.statement_missing")
	}
	var x *training.Statement
	var data []byte
	if err == nil {
		x, data, err = a.Training.StatementFile(r.Context(), act, id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !strings.HasPrefix(x.FileType, "image/") {
		w.Header().Set("Content-Disposition", `attachment; filename="statement-`+strconv.FormatInt(x.ID, 10)+`.pdf"`)
	}
	photo.Serve(w, x.FileType, data, "private, no-store")
}

// attendFile is the link's trainee's own training file.
func (a *API) attendFile(w http.ResponseWriter, r *http.Request) {
	f, err := a.Training.TraineeFile(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, map[string]any{"name": f.Cadre.Name, "years": f.Years})
}

// maxStatementBody bounds a statement's body: its file in base64 and the
// text.
const maxStatementBody = training.MaxStatementFile*4/3 + 64<<10

// attendStatement sends the link's trainee's 情况说明, the file (PDF,
// JPEG or PNG) in base64; a refused one counts against the address's
// limit, as a wrong code does.
func (a *API) attendStatement(w http.ResponseWriter, r *http.Request) {
	key := access.RequestFrom(r.Context()).ClientKey()
	var b struct {
		Enrolment int64  `json:"enrolment"`
		Text      string `json:"text"`
		File      []byte `json:"file"`
	}
	err := server.Limited(a.Limits.Code, key)
	if err == nil {
		err = decodeMax(r, &b, maxStatementBody)
	}
	var x *training.Statement
	if err == nil {
		x, err = a.Training.SubmitStatement(r.Context(), r.PathValue("token"), training.StatementInput{Enrolment: b.Enrolment, Text: b.Text, File: b.File})
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.Limits.Code.Refund(key)
	write(w, http.StatusCreated, x)
}
