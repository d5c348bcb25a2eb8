package web

import (
	"bytes"
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/localtime"
	"shanzhi/internal/sheet"
)

// auditFilter reads the filter form; dates are Beijing calendar days.
func auditFilter(r *http.Request) audit.Filter {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), Outcome: q.Get("outcome"), Region: q.Get("region")}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("from"), localtime.Zone()); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("to"), localtime.Zone()); err == nil {
		f.To = t.AddDate(0, 0, 1)
	}
	return f
}

type auditPage struct {
	Entries   []audit.Entry
	Pager     pager
	Check     audit.Check
	Q         map[string]string
	ExportURL string
	Outcomes  []string
}

func (w *Web) auditLog(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	f := auditFilter(r)
	f.Limit = 1
	v := w.newView(r, "page.audit", "audit")
	_, total, err := w.Audit.Entries(r.Context(), a, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := &auditPage{Outcomes: []string{"ok", "failed", "denied", "locked"}, Q: map[string]string{}}
	for _, k := range []string{"from", "to", "actor", "action", "outcome", "region"} {
		p.Q[k] = r.URL.Query().Get(k)
	}
	p.Pager, f.Offset = newPager(v, r, total)
	f.Limit = pageSize
	if p.Entries, _, err = w.Audit.Entries(r.Context(), a, f); err != nil {
		w.fail(rw, r, err)
		return
	}
	if p.Check, err = w.Audit.Verify(r.Context(), a); err != nil {
		w.fail(rw, r, err)
		return
	}
	p.ExportURL = "/audit.xlsx?" + r.URL.RawQuery
	v.Data = p
	w.render(rw, http.StatusOK, "audit", v)
}

func (w *Web) auditExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.audit", "audit")
	cols := []sheet.Column{{Header: "编号", Kind: sheet.Int}, {Header: "时间", Width: 18}, {Header: "用户"}, {Header: "角色", Width: 30},
		{Header: "事项", Width: 16}, {Header: "对象", Width: 20}, {Header: "区划", Width: 14}, {Header: "内容", Width: 30},
		{Header: "结果"}, {Header: "客户端地址", Width: 16}, {Header: "请求编号", Width: 18}}
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, sheet.Table{Title: v.T("page.audit"), Date: w.Now(), Columns: cols})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	err = w.Audit.Export(r.Context(), a, auditFilter(r), func(e audit.Entry) error {
		return xw.Write(e.ID, e.At.In(localtime.Zone()).Format("2006-01-02 15:04:05"), e.Actor, e.Role, v.T(e.Action), e.Target, e.Region, e.Detail, e.Outcome, e.Client, e.RequestID)
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
	attachment(rw, "安全审计日志.xlsx", "audit-log.xlsx")
	rw.Write(buf.Bytes())
}
