package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/survey"
	"shanzhi/internal/training"
)

type listsView struct {
	Region, RegionName string
	Rows               []training.List
	CanManage          bool
}

// trainingLists lists the versions of a department's 紧缺能力清单.
func (w *Web) trainingLists(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingRead)
	d := &listsView{Region: code, CanManage: a.Can(access.TrainingManage, code)}
	if err == nil {
		if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
			d.Rows, err = w.Training.Lists(r.Context(), a, code)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.lists", "training")
	v.Crumbs = []crumb{{Label: v.T("training.nav"), Href: "/training/classes"}, {Label: v.T("training.page.lists")}}
	v.Data = d
	w.render(rw, http.StatusOK, "training_lists", v)
}

// trainingListNew starts the next version of a department's list.
func (w *Web) trainingListNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/lists?region=" + code
	v := w.newView(r, "training.page.list_new", "training")
	v.Crumbs = []crumb{{Label: v.T("training.page.lists"), Href: back}, {Label: v.T("training.page.list_new")}}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: back, Intro: v.T("training.help.list_new"), Fields: []field{
		{Name: "title", Label: v.T("training.field.title"), Type: "text", Value: r.FormValue("title"), Required: true, MaxLen: training.MaxText},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	l, err := w.Training.CreateList(r.Context(), a, training.ListInput{Region: code, Title: r.FormValue("title")})
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/training/lists/"+strconv.FormatInt(l.ID, 10), "saved")
}

type listView struct {
	L         *training.List
	Ranks     []option
	Surveys   []option // the needs surveys a draft may start from
	CanManage bool
	Error     string
	Problems  []string
}

func (w *Web) trainingList(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showList(rw, r, a, nil)
}

// showList draws a version with the classes covering each item and, on a
// draft, the forms that add items and publish it.
func (w *Web) showList(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var l *training.List
	if err == nil {
		l, err = w.Training.List(r.Context(), a, id)
	}
	d := &listView{L: l}
	if err == nil {
		d.CanManage = l.Draft() && a.Can(access.TrainingManage, l.Region)
		d.Ranks, err = w.rankOptions(r, a, "")
	}
	if err == nil && d.CanManage && a.CanAnywhere(access.SurveyRead) {
		ss, _ := w.Surveys.List(r.Context(), a, survey.Filter{})
		for _, x := range ss {
			if x.Template == survey.TemplateNeeds {
				d.Surveys = append(d.Surveys, option{Value: strconv.FormatInt(x.ID, 10), Label: fmt.Sprintf("%s（%d 份）", x.Title, x.Answers)})
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.list", "training")
	v.Title = l.Title
	v.Crumbs = []crumb{{Label: v.T("training.page.lists"), Href: "/training/lists?region=" + l.Region}, {Label: l.Title}}
	status, msg, problems := refusal(v, actErr, "training.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "training_list", v)
}

// trainingListAct is a change of a draft: an item added or removed, or
// the version published.
func (w *Web) trainingListAct(act string) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			switch act {
			case "item":
				prio, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("priority")))
				_, err = w.Training.AddItem(r.Context(), a, id, training.ItemInput{Rank: r.FormValue("rank"), Sector: r.FormValue("sector"), Competency: r.FormValue("competency"), Priority: prio})
			case "remove":
				_, err = w.Training.RemoveItem(r.Context(), a, id, formID(r, "item"))
			default:
				_, err = w.Training.Publish(r.Context(), a, id)
			}
		}
		w.afterAct(rw, r, err, "/training/lists/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showList(rw, r, a, err) })
	}
}

// itemColumns are the columns of a list's items sheet.
var itemColumns = []string{"职级", "领域", "紧缺能力|能力", "优先级|排序"}

// trainingListImport adds items to a draft from an Excel sheet.
func (w *Web) trainingListImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var l *training.List
	if err == nil {
		l, err = w.Training.List(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.TrainingManage, l.Region) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/lists/" + strconv.FormatInt(id, 10)
	v := w.newView(r, "training.page.list_import", "training")
	v.Crumbs = []crumb{{Label: l.Title, Href: back}, {Label: v.T("training.page.list_import")}}
	d := &sheetImportView{Action: back + "/import", Template: back + "/import/template.xlsx", Back: back, NameLabel: v.T("training.field.competency"), DoneKey: "training.import.done"}
	runSheetImport(w, rw, r, v, d, func(x *training.ItemRow) sheetRow { return sheetRow{x.Line, x.Input.Competency, &x.Err} },
		func(name string, data []byte) ([]training.ItemRow, error) {
			ranks, err := w.Cadres.Ranks(r.Context(), a)
			if err != nil {
				return nil, err
			}
			codes := map[string]string{}
			for _, k := range ranks {
				codes[k.Name] = k.Code
			}
			var rows []training.ItemRow
			err = w.eachSheetRow(name, data, itemColumns, "training.import.no_header", func(line int, cell func(string) string) {
				prio, perr := strconv.Atoi(strings.TrimSpace(cell(itemColumns[3])))
				in := training.ItemInput{Rank: codes[strings.TrimSpace(cell(itemColumns[0]))], Sector: cell(itemColumns[1]), Competency: cell(itemColumns[2]), Priority: prio}
				var fs fault.Fields
				if in.Rank == "" {
					fs.Add("rank", "cadre.rank_invalid")
				}
				if perr != nil {
					fs.Add("priority", "training.priority_invalid")
				}
				rows = append(rows, training.ItemRow{Line: line, Input: in, Err: fs.Err()})
			})
			return rows, err
		},
		func(rows []training.ItemRow, commit bool) ([]training.ItemRow, error) {
			return w.Training.ImportItems(r.Context(), a, id, rows, commit)
		})
}

// trainingListTemplate sends the items sheet to fill in.
func (w *Web) trainingListTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var l *training.List
	if err == nil {
		l, err = w.Training.List(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.TrainingManage, l.Region) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.sheetTemplate(rw, r, itemColumns, []any{"乡科级", "农业农村", "乡村振兴产业规划", "1"}, "紧缺能力清单导入模板", "competency-list-template.xlsx")
}

// needsOf turns a survey's needs ranking into the lines a draft takes.
func needsOf(ranked []survey.RankedItem) []training.Need {
	out := make([]training.Need, len(ranked))
	for i, x := range ranked {
		out[i] = training.Need{Rank: x.Rank, Sector: x.Sector, Competency: x.Competency, Place: x.Place}
	}
	return out
}

// rankCodes maps the ranks' names to their codes.
func rankCodes(ranks []org.Rank) map[string]string {
	out := map[string]string{}
	for _, k := range ranks {
		out[k.Name] = k.Code
	}
	return out
}

// trainingListDraft drafts a list version from a needs survey: the top
// competencies of each stratum of rank and sector join the draft, and the
// page lists each line with what became of it, as an import does.
func (w *Web) trainingListDraft(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var l *training.List
	if err == nil {
		l, err = w.Training.List(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/lists/" + strconv.FormatInt(id, 10)
	v := w.newView(r, "training.page.draft", "training")
	v.Crumbs = []crumb{{Label: l.Title, Href: back}, {Label: v.T("training.page.draft")}}
	d := &sheetImportView{Back: back, NameLabel: v.T("training.field.competency"), DoneKey: "training.import.done"}
	v.Data = d
	var ranked []survey.RankedItem
	var ranks []org.Rank
	top := atoiForm(r, "top")
	if top < 1 || top > training.MaxDraftTop {
		err = fault.OnField(fault.Invalid, "top", "training.draft.top_invalid", training.MaxDraftTop)
	}
	if err == nil {
		if ranked, err = w.Surveys.NeedsRanking(r.Context(), a, formID(r, "survey")); err == nil {
			ranks, err = w.Cadres.Ranks(r.Context(), a)
		}
	}
	var rows []training.ItemRow
	if err == nil {
		rows = training.DraftItems(needsOf(ranked), rankCodes(ranks), top)
		var sound []training.ItemRow
		for _, x := range rows {
			if x.Err == nil {
				sound = append(sound, x)
			}
		}
		var done []training.ItemRow
		if done, err = w.Training.ImportItems(r.Context(), a, id, sound, true); err == nil {
			k := 0
			for i := range rows {
				if rows[i].Err == nil {
					rows[i] = done[k]
					k++
				}
			}
		}
	}
	status := http.StatusOK
	if err != nil {
		status, d.Error, _ = refusal(v, err, "training.field.")
	}
	for _, x := range rows {
		line := talentImportLine{Line: x.Line, Name: x.Input.Competency, OK: x.Err == nil}
		if x.Err != nil {
			_, line.Problem, _ = refusal(v, x.Err, "training.field.")
		} else {
			d.Done++
		}
		d.Rows = append(d.Rows, line)
	}
	w.render(rw, status, "training_draft", v)
}
