package printout

import (
	"context"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
)

// Inspection is the inspection sheet a checker carries from door to door:
// one line per active household of the village (or of one group), in
// household-number order as the inspection page lists them, with an empty
// box to tick by hand for the item checked. Back at the office the same
// ticks are typed into the inspection page, which lists the households in
// the same order.
func (d Deps) Inspection(ctx context.Context, a *access.Actor, lang i18n.Lang, village, item, group string) (*document.Document, error) {
	if !a.Can(access.PointsWrite, village) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	p := &printer{Deps: d, lang: lang, a: a}
	res, err := d.Schemes.Resolve(ctx, a, village, scheme.Today(p.Now()))
	if err != nil {
		return nil, err
	}
	what := ""
	for _, it := range res.Items {
		if it.Code == item || item == "" && len(res.Items) == 1 {
			what = fmt.Sprintf("%s（%+d）", it.Name, it.Points)
		}
	}
	if what == "" {
		return nil, fault.OnField(fault.Invalid, "item", "print.inspection.no_item")
	}
	township, name, err := p.places(ctx, village)
	if err != nil {
		return nil, err
	}
	hs, _, err := d.Registry.Households(ctx, a, registry.ListFilter{Region: village, Status: registry.HouseholdActive, ByNumber: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	doc := &document.Document{
		Paper: document.A4,
		Title: document.Plain(p.t("print.inspection.title", name)),
		Fields: []document.Field{
			{Label: document.Plain(p.t("print.township")), Value: township},
			{Label: document.Plain(p.t("print.inspection.item")), Value: what},
			{Label: document.Plain(p.t("print.inspection.group")), Value: group},
			{Label: document.Plain(p.t("print.inspection.day")), Value: "____年__月__日"},
		},
		Columns: []document.Column{
			{Label: document.Plain(p.t("print.col.seq")), Weight: 0.6, Num: true},
			{Label: document.Plain(p.t("field.number")), Weight: 1},
			{Label: document.Plain(p.t("col.head")), Weight: 1.1},
			{Label: document.Plain(p.t("field.address")), Weight: 2.2},
			{Label: document.Plain(p.t("print.inspection.tick")), Weight: 0.8, Box: true},
			{Label: document.Plain(p.t("print.inspection.remark")), Weight: 1.8},
		},
		Empty:      p.t("list.empty"),
		Notes:      []document.Text{document.Plain(p.t("print.inspection.how"))},
		Signatures: []document.Text{document.Plain(p.t("print.inspection.checker")), document.Plain(p.t("print.sign.reviewer"))},
	}
	if group == "" {
		doc.Fields[2].Value = p.t("inspection.all")
	}
	for _, h := range hs {
		if group == "" || registry.GroupOf(h.Address) == group {
			doc.Rows = append(doc.Rows, []string{fmt.Sprint(len(doc.Rows) + 1), h.Number, h.HeadName, h.Address, "", ""})
		}
	}
	return p.page(doc), nil
}
