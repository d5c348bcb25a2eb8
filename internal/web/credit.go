package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/photo"
	"shanzhi/internal/sheet"
)

type creditPage struct {
	ID        int64
	Consents  []honour.CreditConsent
	Exports   []honour.CreditExportRecord
	Own       bool // the head on their phone
	CanRecord bool
	CanExport bool
}

// householdCredit shows a household's credit consents and every export
// made under them; the head consents or revokes here on their phone, an
// official records a paper consent, and one who may export does.
func (w *Web) householdCredit(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	d := &creditPage{ID: id}
	if err == nil {
		d.Consents, d.Exports, err = w.Credit.Consents(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Own = a.Household() == id
	d.CanRecord = d.Own || a.CanAnywhere(access.HonourManage)
	d.CanExport = a.CanAnywhere(access.CreditExport)
	v := w.newView(r, "credit.page", "households")
	if d.Own {
		v.Nav = "my"
	}
	v.Data = d
	w.render(rw, http.StatusOK, "credit", v)
}

// creditConsent records a consent: the head's own on the phone, or the
// paper form an official scanned and filed.
func (w *Web) creditConsent(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	days, _ := strconv.Atoi(r.FormValue("retention_days"))
	in := honour.ConsentInput{Purpose: r.FormValue("purpose"), Recipient: r.FormValue("recipient"), RetentionDays: days, Method: honour.ConsentMethod(r.FormValue("method")), Reference: r.FormValue("reference")}
	scans, err := formFilesMax(r, "scan", 1, honour.MaxScanBytes)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(scans) == 1 {
		in.Scan = scans[0]
	}
	if _, err := w.Credit.Consent(r.Context(), a, id, in); err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/households/"+strconv.FormatInt(id, 10)+"/credit", "saved")
}

// creditRevoke revokes a consent; exports stop at once.
func (w *Web) creditRevoke(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		c, _ := strconv.ParseInt(r.FormValue("consent"), 10, 64)
		err = w.Credit.Revoke(r.Context(), a, id, c)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/households/"+strconv.FormatInt(id, 10)+"/credit", "saved")
}

// creditRows is the summary as the bank's file lays it out, one fact a
// row: 项目, 内容, 分值. The CSV and the xlsx carry the same rows.
func (w *Web) creditRows(lang i18n.Lang, s *honour.CreditSummary) [][]any {
	t := func(k string, args ...any) string { return w.Catalog.T(lang, k, args...) }
	rows := [][]any{
		{t("credit.row.household"), s.VillageName + " " + s.Number, nil},
		{t("credit.row.head"), s.Head, nil},
		{t("credit.row.year_points"), s.Year, s.Points},
		{t("credit.row.rank"), t("credit.rank", s.Rank, s.Of), s.Rank},
		{t("credit.row.balance"), "", s.Balance},
	}
	for _, x := range s.Aspects {
		rows = append(rows, []any{t("credit.row.awards"), t("ranking.aspect." + x.Aspect), x.Awards}, []any{t("credit.row.deductions"), t("ranking.aspect." + x.Aspect), x.Deductions})
	}
	for _, d := range s.Deductions {
		rows = append(rows, []any{t("credit.row.recent"), d.Date + " " + d.Item, d.Points})
	}
	rows = append(rows, []any{t("credit.row.recipient"), s.Recipient, nil},
		[]any{t("credit.row.generated"), localtime.In(s.Generated).Format("2006-01-02 15:04"), nil})
	return rows
}

// creditExport sends a consenting household's credit summary as CSV or
// xlsx; the export is recorded before anything is sent.
func (w *Web) creditExport(format string) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		var s *honour.CreditSummary
		if err == nil {
			s, err = w.Credit.Export(r.Context(), a, id, format)
		}
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		lang := langOf(r)
		rows := w.creditRows(lang, s)
		name := s.VillageName + s.Number + "积分信用摘要"
		ascii := fmt.Sprintf("credit-%d.%s", s.Household, format)
		if format == "xlsx" {
			cols := []sheet.Column{{Header: "项目", Width: 16}, {Header: "内容", Width: 30}, {Header: "分值", Kind: sheet.Int}}
			w.sendSheet(rw, r, sheet.Table{Title: "道德积分信用摘要", Unit: s.VillageName, Date: s.Generated, Columns: cols}, name, ascii, rows)
			return
		}
		var buf bytes.Buffer
		buf.WriteString("\ufeff") // Excel opens a UTF-8 CSV as such only with the mark
		cw := csv.NewWriter(&buf)
		cw.Write([]string{"项目", "内容", "分值"})
		for _, row := range rows {
			rec := make([]string, len(row))
			for i, c := range row {
				if c != nil {
					rec[i] = fmt.Sprint(c)
				}
			}
			cw.Write(rec)
		}
		cw.Flush()
		attachment(rw, name+".csv", ascii)
		rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
		rw.Write(buf.Bytes())
	}
}

// creditScan shows a paper consent's scan to whoever may read the
// household's consents; the store audits each view. It is never cached
// by a shared proxy.
func (w *Web) creditScan(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.serveScan(rw, r, a, w.Credit.Scan)
}

// fundScan sends a scan of a drive's consent, as creditScan a credit
// consent's; nominationScan a scan of a nominee's consent.
func (w *Web) fundScan(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.serveScan(rw, r, a, w.Funds.Scan)
}

func (w *Web) nominationScan(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.serveScan(rw, r, a, w.Honours.NominationScan)
}

// serveScan sends the scan the path names of the consent's owner (a
// household, a drive) the path's id names, read by open.
func (w *Web) serveScan(rw http.ResponseWriter, r *http.Request, a *access.Actor, open func(ctx context.Context, a *access.Actor, id, scan int64) (string, []byte, error)) {
	id, err := pathID(r, "id")
	var scan int64
	if err == nil {
		scan, err = pathID(r, "scan")
	}
	var ctype string
	var data []byte
	if err == nil {
		ctype, data, err = open(r.Context(), a, id, scan)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if ctype == "application/pdf" {
		// A PDF is kept as sent: shown in the browser's viewer, sandboxed
		// so nothing in it runs with the product's origin.
		rw.Header().Set("Content-Security-Policy", "sandbox")
	}
	photo.Serve(rw, ctype, data, "private, no-store")
}
