package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/server"
	"shanzhi/internal/sheet"
)

// registerColumns is the layout of the household register export; the
// relation is given in words and as its GB/T 4761 code, which the
// statistics offices' own systems read. The Mongolian name is exported as
// typed, under the header the import reads it from, so a ledger exported
// and imported again keeps it.
func registerColumns() []sheet.Column {
	return []sheet.Column{
		{Header: "户号", Kind: sheet.Text}, {Header: "所属村", Kind: sheet.Text}, {Header: "家庭住址", Kind: sheet.Text, Width: 24},
		{Header: "姓名", Kind: sheet.Text}, {Header: "蒙古文姓名", Kind: sheet.Text, Width: 16}, {Header: "性别", Kind: sheet.Text, Width: 6}, {Header: "民族", Kind: sheet.Text, Width: 9},
		{Header: "出生日期", Kind: sheet.Date}, {Header: "身份证号", Kind: sheet.Text, Width: 21}, {Header: "手机号", Kind: sheet.Text, Width: 14},
		{Header: "与户主关系", Kind: sheet.Text}, {Header: "关系代码", Kind: sheet.Text, Width: 8}, {Header: "政治面貌", Kind: sheet.Text}, {Header: "状态", Kind: sheet.Text, Width: 6},
	}
}

// attachment sets the headers of a file download; the file name is given
// both as plain ASCII and in RFC 5987 form for its Chinese characters.
func attachment(rw http.ResponseWriter, name, ascii string) {
	rw.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	rw.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name)))
	rw.Header().Set("Cache-Control", "no-store")
}

// regionTitle names a region the way ledger titles do: the township and
// village together, 科尔沁镇平安村.
func (w *Web) regionTitle(r *http.Request, a *access.Actor, code string) (string, error) {
	path, err := w.Regions.Path(r.Context(), a, code)
	if err != nil {
		return "", err
	}
	name := path[len(path)-1].Name
	if len(path) >= 2 && regioncode.LevelOf(code) == regioncode.Village {
		name = path[len(path)-2].Name + name
	}
	return name, nil
}

// exportResidents sends the register: masked on GET, in full on a POST
// that carries a reason from a user allowed to export in full.
func (w *Web) exportResidents(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	q := r.URL.Query()
	f := registry.ResidentFilter{Region: q.Get("region"), Query: q.Get("q")}
	full := r.Method == http.MethodPost
	if f.Region == "" {
		if s := a.Scopes(access.RegistryRead); len(s) > 0 {
			f.Region = s[0]
		}
	}
	title, err := w.regionTitle(r, a, f.Region)
	if err == nil && full && !a.Can(access.ExportFull, f.Region) {
		// They read the register here, but may not export it in full.
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	// The limit counts exports the user may make: a refused request is
	// refused for what it is, not answered "too many".
	if err == nil {
		err = server.Limited(w.Limits.Export, fmt.Sprint(a.UserID))
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The workbook is built in memory before anything is sent, so a
	// failure shows an error page instead of a truncated download.
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, sheet.Table{Title: title + "户籍台账", Unit: title, Date: w.Now(), Columns: registerColumns()})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	err = w.Registry.ExportResidents(r.Context(), a, f, full, r.PostFormValue("reason"), func(p registry.ResidentRow) error {
		id, phone := p.IDMasked, p.PhoneMasked
		if full {
			id, phone = p.IDNumber, p.Phone
		}
		return xw.Write(p.HouseholdNumber, p.VillageName, p.Address, p.Name, p.NameMongol, string(p.Gender), p.Ethnicity, p.BirthDate,
			id, phone, p.Relation, registry.RelationCode(p.Relation), p.Political, string(p.Status))
	})
	if err != nil {
		xw.Discard()
		w.fail(rw, r, err)
		return
	}
	if err := xw.Close(); err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, title+"户籍台账.xlsx", "register.xlsx")
	rw.Write(buf.Bytes())
}

func (w *Web) importTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	var cols []sheet.Column
	var example []any
	for _, c := range registry.ImportColumns {
		h := c.Header
		if c.Required {
			h = "*" + h
		}
		cols = append(cols, sheet.Column{Header: h, Kind: sheet.Text})
		example = append(example, c.Example)
	}
	var buf bytes.Buffer
	if err := sheet.Template(&buf, sheet.Table{Title: "户籍台账导入模板", Columns: cols}, [][]any{example}); err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, "户籍台账导入模板.xlsx", "template.xlsx")
	rw.Write(buf.Bytes())
}

func (w *Web) importFormFor(v *view, region, regionName string) *form {
	return &form{Action: "/import?region=" + url.QueryEscape(region), Submit: v.T("import.upload"), Multipart: true, Cancel: "/households?region=" + url.QueryEscape(region),
		Intro: v.T("import.intro", regionName), Template: "/import/template.xlsx", Fields: []field{
			{Name: "file", Label: v.T("import.file"), Type: "file", Required: true, Accept: ".xlsx,.csv,.txt", Help: v.T("import.file_help", w.MaxUpload>>20)},
		}}
}

func (w *Web) importScope(r *http.Request, a *access.Actor) string {
	if reg := r.URL.Query().Get("region"); reg != "" {
		return reg
	}
	if s := a.Scopes(access.RegistryWrite); len(s) > 0 {
		return s[0]
	}
	return ""
}

func (w *Web) importPage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.importWith(rw, r, a, nil)
}

func (w *Web) importWith(rw http.ResponseWriter, r *http.Request, a *access.Actor, err error) {
	region := w.importScope(r, a)
	if !a.Can(access.RegistryWrite, region) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	name, nerr := w.regionTitle(r, a, region)
	if nerr != nil {
		w.fail(rw, r, nerr)
		return
	}
	v := w.newView(r, "page.import", "import")
	v.Crumbs = []crumb{{Label: v.T("page.households"), Href: "/households?region=" + url.QueryEscape(region)}, {Label: v.T("page.import")}}
	f := w.importFormFor(v, region, name)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	w.showForm(rw, v, f)
}

// importUpload stages the sheet. The request body is capped before it is
// read, so an oversized upload is refused without filling memory.
func (w *Web) importUpload(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	name, data, err := w.upload(r)
	if err != nil {
		w.importWith(rw, r, a, err)
		return
	}
	batch, err := w.Registry.StageImport(r.Context(), a, w.importScope(r, a), name, data)
	if err != nil {
		w.importWith(rw, r, a, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/import/%d", batch), http.StatusSeeOther)
}

type importView struct {
	Report     *registry.ImportReport
	Error      string
	Action     string
	RegionName string
	Again      string // the upload form for the same region
	Households string // the register the sheet went into
}

// importRun previews a staged batch on GET and runs it on POST.
func (w *Web) importRun(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rep, err := w.Registry.RunImport(r.Context(), a, id, runMode(r))
	if err != nil && (rep == nil || fault.CodeOf(err) == fault.Internal || fault.CodeOf(err) == fault.NotFound) {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.import_preview", "import")
	q := url.Values{"region": {rep.Region}}.Encode()
	d := &importView{Report: rep, Action: r.URL.Path, Again: "/import?" + q, Households: "/households?" + q}
	if d.RegionName, err = w.regionTitle(r, a, rep.Region); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("page.import"), Href: d.Again}, {Label: v.T("page.import_preview")}}
	status := http.StatusOK
	var fe *fault.Error
	if errors.As(err, &fe) {
		d.Error = v.M(fe.Msg)
		status = fault.HTTPStatus(fe.Code)
	}
	if rep.Committed {
		v.Title = v.T("page.import_done")
	}
	v.Data = d
	w.render(rw, status, "import", v)
}

// upload reads the form's file, refusing a missing or oversized one with
// a message for the file field.
func (w *Web) upload(r *http.Request) (string, []byte, error) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, fault.OnField(fault.Invalid, "file", "import.file_required")
	}
	defer file.Close()
	if hdr.Size > w.MaxUpload {
		return "", nil, fault.OnField(fault.TooLarge, "file", "error.too_large", w.MaxUpload>>20)
	}
	data, err := io.ReadAll(io.LimitReader(file, w.MaxUpload+1))
	return hdr.Filename, data, err
}

// runMode is the import mode a batch page asks for: a preview on GET, the
// chosen run on POST.
func runMode(r *http.Request) registry.ImportMode {
	if r.Method == http.MethodPost {
		return registry.ImportMode(r.FormValue("mode"))
	}
	return registry.Preview
}

// eachSheetRow reads an uploaded sheet whose header (within its first
// three rows) names columns, and calls fn for every row after it with the
// row's line and a cell reader that finds a column by its first name,
// whichever alias the sheet used. noHeader is the message when no header
// is found.
func (w *Web) eachSheetRow(name string, data []byte, columns []string, noHeader string, fn func(line int, cell func(col string) string)) error {
	// Three known columns make a header; a sheet of fewer columns (a grid's
	// list of household numbers) needs them all.
	err := sheet.Each(name, data, w.MaxUpload, columns, min(3, len(columns)), fn)
	switch {
	case errors.Is(err, sheet.ErrNoHeader):
		return fault.OnField(fault.Invalid, "file", noHeader)
	case err != nil:
		return fault.Wrap(fault.Invalid, err, "talent.import.unreadable")
	}
	return nil
}
