package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/photo"
	"shanzhi/internal/training"
	"shanzhi/internal/trainingsheet"
)

// yearParam is the ?year= asked for, this year when none.
func (w *Web) yearParam(r *http.Request) string {
	if y := strings.TrimSpace(r.URL.Query().Get("year")); y != "" {
		return y
	}
	return localtime.Day(w.Now())[:4]
}

// filePart is what the training file's part draws: on the cadre's page
// for staff, on the trainee's own page without links into the programme.
type filePart struct {
	V     *view
	F     *training.CadreFile
	Staff bool
}

type filesView struct {
	Region, RegionName, Year string
	Unit                     int64
	Units                    []option
	Rows                     []training.FileRow
	Query                    string // the filter, for the workbook's link
}

// trainingFiles lists a year's training file lines of a region's or a
// unit's cadres: hours against the rank's, classes, outcomes,
// certificates and retakes open; the workbook has the same lines.
func (w *Web) trainingFiles(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	unit, _ := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	d := &filesView{Region: code, Year: w.yearParam(r), Unit: unit}
	d.Query = "region=" + code + "&year=" + d.Year + "&unit=" + strconv.FormatInt(unit, 10)
	v := w.newView(r, "training.page.files", "training")
	d.Units = w.unitOptions(r, a, code, v.T("list.all"))
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Rows, err = w.Training.FileRows(r.Context(), a, training.FileFilter{Region: code, Unit: unit, Year: d.Year})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("training.nav"), Href: "/training/classes?region=" + code}, {Label: v.T("training.page.files")}}
	v.Data = d
	w.render(rw, http.StatusOK, "training_files", v)
}

// trainingFilesSheet sends the lines of trainingFiles as a workbook.
func (w *Web) trainingFilesSheet(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	unit, _ := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	year := w.yearParam(r)
	rows, err := w.Training.FileRows(r.Context(), a, training.FileFilter{Region: code, Unit: unit, Year: year})
	var name string
	if err == nil {
		name, err = w.regionTitle(r, a, code)
	}
	var buf bytes.Buffer
	if err == nil {
		err = trainingsheet.WriteFile(&buf, year, name, w.Now(), rows)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, trainingsheet.FileTitle(year)+".xlsx", "training-file-"+year+".xlsx")
	rw.Write(buf.Bytes())
}

type figuresView struct {
	Region, RegionName string
	Ranks              []option
	F                  *training.Figures
	Reasons            []string
	Query              string
}

// figuresFilter reads the figures' filter from the query.
func (w *Web) figuresFilter(r *http.Request, a *access.Actor) (training.FiguresFilter, error) {
	code, err := talentRegion(r, a, access.TrainingRead)
	return training.FiguresFilter{Region: code, Year: w.yearParam(r), Rank: r.URL.Query().Get("rank")}, err
}

// trainingFigures shows a year's figures of the department's classes
// per class, unit and rank.
func (w *Web) trainingFigures(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	f, err := w.figuresFilter(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.figures", "training")
	d := &figuresView{Region: f.Region, Reasons: training.RetakeReasons, Query: "region=" + f.Region + "&year=" + f.Year + "&rank=" + f.Rank}
	if d.Ranks, err = w.rankOptions(r, a, v.T("list.all")); err == nil {
		if d.RegionName, err = w.regionTitle(r, a, f.Region); err == nil {
			d.F, err = w.Training.Figures(r.Context(), a, f)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("training.nav"), Href: "/training/classes?region=" + f.Region}, {Label: v.T("training.page.figures")}}
	v.Data = d
	w.render(rw, http.StatusOK, "training_figures", v)
}

// trainingFiguresSheet sends the figures as a workbook.
func (w *Web) trainingFiguresSheet(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	f, err := w.figuresFilter(r, a)
	var fig *training.Figures
	var name string
	if err == nil {
		if fig, err = w.Training.Figures(r.Context(), a, f); err == nil {
			name, err = w.regionTitle(r, a, f.Region)
		}
	}
	var buf bytes.Buffer
	if err == nil {
		err = trainingsheet.WriteFigures(&buf, name, w.Now(), fig)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, trainingsheet.FiguresTitle(f.Year)+".xlsx", "training-figures-"+f.Year+".xlsx")
	rw.Write(buf.Bytes())
}

type retakesView struct {
	Region, RegionName string
	Closed, CanManage  bool
	Rows               []training.RetakeCase
	Classes            []training.Class // classes not started yet, to enrol in
	Error              string
}

// trainingRetakes is the retake loop: who still has a 重修 open and for
// how long, overdue first, with their 情况说明 to accept or return, and
// the classes to come to summon them to through the 入学关; ?closed=1
// lists the ones made good.
func (w *Web) trainingRetakes(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showRetakes(rw, r, a, nil)
}

func (w *Web) showRetakes(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	code, err := talentRegion(r, a, access.TrainingRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.retakes", "training")
	d := &retakesView{Region: code, Closed: r.URL.Query().Get("closed") == "1", CanManage: a.Can(access.TrainingManage, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		if d.Rows, err = w.Training.Retakes(r.Context(), a, code, d.Closed); err == nil && d.CanManage {
			var all []training.Class
			all, err = w.Training.Classes(r.Context(), a, code)
			today := localtime.Day(w.Now())
			for _, c := range all {
				if c.Start > today {
					d.Classes = append(d.Classes, c)
				}
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	status, msg, _ := refusal(v, actErr, "training.field.")
	d.Error = msg
	v.Crumbs = []crumb{{Label: v.T("training.nav"), Href: "/training/classes?region=" + code}, {Label: v.T("training.page.retakes")}}
	v.Data = d
	w.render(rw, status, "training_retakes", v)
}

// trainingStatementDecide accepts a 情况说明 or returns it with a comment.
func (w *Web) trainingStatementDecide(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.TrainingManage); err != nil {
		w.fail(rw, r, err)
		return
	}
	id := formID(r, "statement")
	var err error = fault.E(fault.Invalid, "training.retake.statement_missing")
	if id > 0 {
		_, err = w.Training.DecideStatement(r.Context(), a, id, r.FormValue("decision") == "accept", r.FormValue("comment"))
	}
	if err == nil {
		seeOther(rw, r, "/training/retakes?region="+r.URL.Query().Get("region"), "saved")
		return
	}
	w.showRetakes(rw, r, a, err)
}

// trainingStatementFile sends a statement's file: a PDF as a download,
// an image inline, neither kept by shared caches.
func (w *Web) trainingStatementFile(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.TrainingRead); err != nil {
		w.fail(rw, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	var x *training.Statement
	var data []byte
	var err error = fault.E(fault.Invalid, "training.retake.statement_missing")
	if id > 0 {
		x, data, err = w.Training.StatementFile(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !strings.HasPrefix(x.FileType, "image/") {
		rw.Header().Set("Content-Disposition", `attachment; filename="statement-`+strconv.FormatInt(x.ID, 10)+`.pdf"`)
	}
	photo.Serve(rw, x.FileType, data, "private, no-store")
}
