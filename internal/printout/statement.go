package printout

import (
	"context"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
)

// Statement is a household's statement (积分明细账) for [from, to): the
// opening balance, every entry of the period oldest first, the period's
// total and closing balance, and the lines the clerk and the reviewer sign.
func (d Deps) Statement(ctx context.Context, a *access.Actor, lang i18n.Lang, household int64, from, to time.Time) (*document.Document, error) {
	p := &printer{Deps: d, lang: lang, a: a}
	h, _, err := d.Registry.Household(ctx, a, household)
	if err != nil {
		return nil, err
	}
	opening, entries, err := d.Ledger.Period(ctx, a, household, from, to)
	if err != nil {
		return nil, err
	}
	township, village, err := p.places(ctx, h.VillageCode)
	if err != nil {
		return nil, err
	}
	doc := &document.Document{
		Paper: document.A4,
		Title: document.Plain(p.t("print.statement.title")),
		Fields: []document.Field{
			{Label: document.Plain(p.t("print.township")), Value: township},
			{Label: document.Plain(p.t("print.village")), Value: village},
			{Label: document.Plain(p.t("field.number")), Value: h.Number},
			{Label: document.Plain(p.t("col.head")), Value: h.HeadName},
			{Label: document.Plain(p.t("print.period")), Value: localtime.Day(from) + " — " + localtime.Day(to.AddDate(0, 0, -1))},
		},
		Columns: []document.Column{
			{Label: document.Plain(p.t("print.col.seq")), Weight: 0.7, Num: true},
			{Label: document.Plain(p.t("print.col.date")), Weight: 1.5},
			{Label: document.Plain(p.t("points.kind_col")), Weight: 0.9},
			{Label: document.Plain(p.t("points.item_col")), Weight: 3.2},
			{Label: document.Plain(p.t("points.delta")), Weight: 0.8, Num: true},
			{Label: document.Plain(p.t("points.balance")), Weight: 0.9, Num: true},
			{Label: document.Plain(p.t("col.actor")), Weight: 1.1},
		},
		Rows:       [][]string{{"", localtime.Day(from), "", p.t("print.statement.opening"), "", fmt.Sprint(opening), ""}},
		Signatures: []document.Text{document.Plain(p.t("print.sign.handler")), document.Plain(p.t("print.sign.reviewer"))},
	}
	closing, sum := opening, int64(0)
	for _, e := range entries {
		item := e.Item
		if e.Memo != "" {
			item += "（" + e.Memo + "）"
		}
		delta := fmt.Sprint(e.Delta)
		if e.Delta > 0 {
			delta = "+" + delta
		}
		doc.Rows = append(doc.Rows, []string{fmt.Sprint(e.Seq), localtime.Day(e.At), p.t("points.kind." + string(e.Kind)), item, delta, fmt.Sprint(e.Balance), e.Actor})
		closing, sum = e.Balance, sum+e.Delta
	}
	doc.Totals = []string{"", "", "", p.t("print.statement.total", len(entries)), fmt.Sprintf("%+d", sum), fmt.Sprint(closing), ""}
	return p.page(doc), nil
}
