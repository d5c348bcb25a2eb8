package printout

import (
	"fmt"

	"shanzhi/internal/document"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/market"
)

// Receipt is a redemption's receipt for 58 mm or 80 mm thermal paper (as
// long as its content) or A4. A returned receipt says when and why, and
// the balance after the return put the points back.
func (d Deps) Receipt(lang i18n.Lang, r *market.Redemption, paper document.Paper) *document.Document {
	p := &printer{Deps: d, lang: lang}
	at := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04") }
	doc := &document.Document{
		Paper: paper,
		Title: document.Plain(r.StoreName),
		Fields: []document.Field{
			{Label: document.Plain(p.t("market.col_no")), Value: fmt.Sprint(r.ID)},
			{Label: document.Plain(p.t("market.col_date")), Value: at(localtime.In(r.At))},
			{Label: document.Plain(p.t("field.number")), Value: r.VillageName + " " + r.HouseholdNo},
			{Label: document.Plain(p.t("col.head")), Value: r.Head},
		},
		Columns: []document.Column{
			{Label: document.Plain(p.t("market.col_goods")), Weight: 2},
			{Label: document.Plain(p.t("market.col_qty")), Weight: 0.9, Num: true},
			{Label: document.Plain(p.t("market.col_price")), Weight: 1, Num: true},
			{Label: document.Plain(p.t("market.col_amount")), Weight: 0.9, Num: true},
		},
		Totals: []string{p.t("col.total"), "", "", fmt.Sprint(r.Total)},
		Notes: []document.Text{
			document.Plain(p.t("market.balance_after") + "：" + fmt.Sprint(r.Balance)),
			document.Plain(p.t("col.actor") + "：" + r.Actor),
		},
	}
	for _, l := range r.Lines {
		doc.Rows = append(doc.Rows, []string{l.Name, fmt.Sprint(l.Qty, l.Unit), fmt.Sprint(l.Price), fmt.Sprint(l.Amount())})
	}
	if r.Returned {
		doc.Notes = append(doc.Notes, document.Plain(p.t("market.returned_on", at(localtime.In(r.ReturnedAt)))+" "+r.ReturnReason),
			document.Plain(p.t("print.receipt.balance_after_return")+"："+fmt.Sprint(r.ReturnBalance)))
	} else {
		doc.Notes = append(doc.Notes, document.Plain(p.t("market.return_until", at(localtime.In(r.ReturnDeadline)))))
	}
	doc.Notes = append(doc.Notes, document.Plain(p.t("market.receipt_thanks")))
	if !paper.Receipt() {
		p.page(doc)
	}
	return doc
}
