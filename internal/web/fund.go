package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sheet"
)

type fundsPage struct {
	Region, RegionName string
	Campaigns          []honour.Campaign
	CanManage          bool
}

// funds lists the drives under a region.
func (w *Web) funds(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &fundsPage{Region: code, CanManage: a.Can(access.HonourManage, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Campaigns, err = w.Funds.Campaigns(r.Context(), a, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "fund.page.campaigns", "funds")
	v.Data = d
	w.render(rw, http.StatusOK, "fund_list", v)
}

// parseYuan reads an amount typed in yuan ("1200", "1,200.50", "１２００")
// into 分; a malformed one is -1, which validation refuses.
func parseYuan(s string) int64 {
	s = strings.ReplaceAll(registry.Fold(s), ",", "")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > honour.MaxAmount/100 {
		return -1
	}
	return int64(math.Round(f * 100))
}

// fundNew opens a drive for a household of the official's village.
func (w *Web) fundNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.HonourManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "fund.page.new", "funds")
	v.Crumbs = []crumb{{Label: v.T("fund.page.campaigns"), Href: "/funds?region=" + code}, {Label: v.T("fund.page.new")}}
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	var reasons, consents []option
	for _, x := range honour.Reasons {
		reasons = append(reasons, option{Value: string(x), Label: v.T("fund.reason." + string(x))})
	}
	consents = append(consents, option{Value: "", Label: v.T("honour.consent.none")})
	for _, c := range []honour.Consent{honour.ConsentSigned, honour.ConsentPhone, honour.ConsentVerbal} {
		consents = append(consents, option{Value: string(c), Label: v.T("honour.consent." + string(c))})
	}
	today := localtime.In(w.Now())
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: "/funds?region=" + code, Intro: v.T("fund.law"), Fields: []field{
		{Name: "region", Label: v.T("field.village"), Type: "select", Value: val("region", code), Options: w.orgRegionOptions(r, a, code), Required: true},
		{Name: "number", Label: v.T("fund.field.household"), Type: "text", Value: val("number", ""), Required: true, Help: v.T("honour.help.household")},
		{Name: "title", Label: v.T("fund.field.title"), Type: "text", Value: val("title", ""), Required: true, MaxLen: honour.MaxName},
		{Name: "reason", Label: v.T("fund.field.reason"), Type: "select", Value: val("reason", string(honour.Illness)), Options: reasons, Required: true},
		{Name: "partner", Label: v.T("fund.field.partner"), Type: "text", Value: val("partner", ""), Help: v.T("fund.help.partner")},
		{Name: "target", Label: v.T("fund.field.target"), Type: "text", InputMode: "decimal", Value: val("target", ""), Required: true},
		{Name: "starts", Label: v.T("fund.field.starts"), Type: "date", Value: val("starts", today.Format("2006-01-02")), Required: true},
		{Name: "ends", Label: v.T("fund.field.ends"), Type: "date", Value: val("ends", today.AddDate(0, 1, 0).Format("2006-01-02")), Required: true},
		{Name: "consent", Label: v.T("fund.field.consent"), Type: "select", Value: val("consent", ""), Options: consents, Required: true},
		{Name: "consent_date", Label: v.T("honour.field.consent_date"), Type: "date", Value: val("consent_date", today.Format("2006-01-02")), Required: true},
		{Name: "scan", Label: v.T("credit.field.scan"), Type: "file", Accept: "image/jpeg,image/png,application/pdf,.pdf", Help: v.T("fund.help.scan", honour.MaxScanBytes>>20)},
	}, Multipart: true}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	hs, _, err := w.Registry.Households(r.Context(), a, registry.ListFilter{Region: r.FormValue("region"), Query: strings.TrimSpace(r.FormValue("number")), Limit: 2})
	var hh int64
	for _, h := range hs {
		if h.Number == strings.TrimSpace(r.FormValue("number")) {
			hh = h.ID
		}
	}
	if err != nil || hh == 0 {
		w.formOrFail(rw, r, v, f, fault.OnField(fault.Invalid, "number", "fund.campaign.household"))
		return
	}
	in := honour.CampaignInput{Household: hh, Title: r.FormValue("title"), Reason: honour.Reason(r.FormValue("reason")),
		Partner: r.FormValue("partner"), Target: parseYuan(r.FormValue("target")), Starts: r.FormValue("starts"), Ends: r.FormValue("ends"),
		Consent: honour.Consent(r.FormValue("consent")), ConsentDate: r.FormValue("consent_date")}
	scans, err := formFilesMax(r, "scan", 1, honour.MaxScanBytes)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	if len(scans) == 1 {
		in.Scan = scans[0]
	}
	c, err := w.Funds.Open(r.Context(), a, in)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/funds/"+strconv.FormatInt(c.ID, 10), "saved")
}

type fundPage struct {
	C         *honour.Campaign
	Entries   []honour.Entry
	Public    bool
	CanManage bool
	Me        int64 // the signed-in official, whose own donations they cannot confirm
	Key       string
	Today     string
	Error     string
}

// fundShow is a drive's ledger for its officials, with the forms that
// add to it.
func (w *Web) fundShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.fundPage(rw, r, a, "")
}

func (w *Web) fundPage(rw http.ResponseWriter, r *http.Request, a *access.Actor, problem string) {
	id, err := pathID(r, "id")
	d := &fundPage{Key: newKey(), Today: localtime.In(w.Now()).Format("2006-01-02"), Error: problem}
	if err == nil {
		if d.C, err = w.Funds.Campaign(r.Context(), a, id); err == nil {
			d.Entries, err = w.Funds.Entries(r.Context(), a, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.CanManage, d.Me = a.Can(access.HonourManage, d.C.Village), a.UserID
	v := w.newView(r, "fund.page.campaign", "funds")
	v.Title = d.C.Title
	v.Crumbs = []crumb{{Label: v.T("fund.page.campaigns"), Href: "/funds?region=" + d.C.Village}, {Label: d.C.Title}}
	v.Data = d
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	}
	w.render(rw, status, "fund", v)
}

// fundPost appends a donation, a confirmation, a disbursement or the
// closing from the drive's page; a refusal shows on the page.
func (w *Web) fundPost(kind honour.EntryKind) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		ref, _ := strconv.ParseInt(r.FormValue("donation"), 10, 64)
		p := honour.Posting{Key: r.FormValue("key"), Campaign: id, Kind: kind, Ref: ref, Party: r.FormValue("party"), Named: r.FormValue("named") == "1",
			Method: honour.Method(r.FormValue("method")), Day: r.FormValue("day"), Receipt: r.FormValue("receipt"), Evidence: r.FormValue("evidence")}
		if kind == honour.Donation || kind == honour.Disbursement {
			p.Amount = parseYuan(r.FormValue("amount"))
		}
		if _, err := w.Funds.Post(r.Context(), a, p); err != nil {
			// A refusal the official can act on shows on the drive's page,
			// with each field's message.
			var fe *fault.Error
			code := fault.CodeOf(err)
			if errors.As(err, &fe) && (code == fault.Invalid || code == fault.Conflict || fe.Msg.Key == "fund.confirm.self") {
				v := w.newView(r, "", "")
				msgs := []string{v.M(fe.Msg)}
				for _, f := range fe.Fields {
					msgs = append(msgs, v.M(f.Msg))
				}
				w.fundPage(rw, r, a, strings.Join(msgs, "；"))
				return
			}
			w.fail(rw, r, err)
			return
		}
		seeOther(rw, r, "/funds/"+strconv.FormatInt(id, 10), "saved")
	}
}

// fundPublic is a drive's public transparency page: every donation (the
// donor masked unless they agreed to be named) and every disbursement.
func (w *Web) fundPublic(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	d := &fundPage{Public: true}
	if err == nil {
		if d.C, err = w.Funds.Campaign(r.Context(), nil, id); err == nil {
			d.Entries, err = w.Funds.Entries(r.Context(), nil, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.C.Head = review.MaskName(d.C.Head)
	for i := range d.Entries {
		if e := &d.Entries[i]; e.Kind == honour.Donation && !e.Named {
			e.Party = review.MaskName(e.Party)
		}
	}
	v := w.newView(r, "fund.page.public", "")
	// A bilingual village posts its drive's accounts in both scripts.
	if _, err := w.publicScript(r, v, d.C.Village); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = d.C.Title
	v.Data = d
	w.render(rw, http.StatusOK, "fund", v)
}

// fundExport sends a drive's ledger as the 善款收支明细表 the committee
// posts and files.
func (w *Web) fundExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var c *honour.Campaign
	var es []honour.Entry
	if err == nil {
		if c, err = w.Funds.Campaign(r.Context(), a, id); err == nil {
			es, err = w.Funds.Entries(r.Context(), a, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	zh := langOf(r)
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "日期", Width: 12}, {Header: "类别"}, {Header: "捐款人/去向", Width: 16}, {Header: "金额（元）", Kind: sheet.Money},
		{Header: "方式"}, {Header: "收据编号", Width: 14}, {Header: "凭证/签收", Width: 24}, {Header: "登记人"}, {Header: "复核人"}}
	var rows [][]any
	for _, e := range es {
		if e.Kind == honour.Confirmation {
			continue
		}
		method := ""
		if e.Method != "" {
			method = w.Catalog.T(zh, "fund.method."+string(e.Method))
		}
		rows = append(rows, []any{len(rows) + 1, e.Day, w.Catalog.T(zh, "fund.kind."+string(e.Kind)), e.Party, float64(e.Amount) / 100, method, e.Receipt, e.Evidence, e.Actor, e.ConfirmedBy})
	}
	w.sendSheet(rw, r, sheet.Table{Title: "善款收支明细表", Unit: c.VillageName + " " + c.Title, Date: w.Now(), Columns: cols}, c.Title+"善款收支明细表", "fund-ledger.xlsx", rows)
}
