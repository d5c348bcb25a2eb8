package printout

import (
	"context"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/i18n"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// Register is the register (户籍台账) of a region for filing with the
// township: every household with its residents, landscape A4, the column
// headers repeated on every page, and the totals of households and people
// at the end. ID numbers and phones are masked unless full is set, which
// the store allows only to a holder of the full-export permission who
// gives a reason, and records in the audit trail as the full export does.
func (d Deps) Register(ctx context.Context, a *access.Actor, lang i18n.Lang, region string, full bool, reason string) (*document.Document, error) {
	p := &printer{Deps: d, lang: lang, a: a}
	parent, title, err := p.places(ctx, region)
	if err != nil {
		return nil, err
	}
	// A village is named with its township, as ledger titles are.
	if regioncode.LevelOf(region) == regioncode.Village {
		title = parent + title
	}
	doc := &document.Document{
		Paper: document.A4Landscape,
		Title: document.Plain(p.t("print.register.title", title)),
		Columns: []document.Column{
			{Label: document.Plain(p.t("print.col.seq")), Weight: 0.5, Num: true},
			{Label: document.Plain(p.t("field.number")), Weight: 0.9},
			{Label: document.Plain(p.t("field.name")), Weight: 1},
			{Label: document.Plain(p.t("field.relation")), Weight: 0.8},
			{Label: document.Plain(p.t("field.gender")), Weight: 0.45},
			{Label: document.Plain(p.t("field.ethnicity")), Weight: 0.7},
			{Label: document.Plain(p.t("field.birth_date")), Weight: 1},
			{Label: document.Plain(p.t("field.id_number")), Weight: 1.8},
			{Label: document.Plain(p.t("field.phone")), Weight: 1.2},
			{Label: document.Plain(p.t("field.address")), Weight: 2},
		},
		Signatures: []document.Text{document.Plain(p.t("print.sign.handler")), document.Plain(p.t("print.sign.reviewer"))},
	}
	households, people := 0, 0
	last := ""
	err = d.Registry.ExportResidents(ctx, a, registry.ResidentFilter{Region: region, Status: registry.Registered}, full, reason, func(r registry.ResidentRow) error {
		id, phone := r.IDMasked, r.PhoneMasked
		if full {
			id, phone = r.IDNumber, r.Phone
		}
		seq, number, address := "", "", ""
		if key := r.VillageCode + "/" + r.HouseholdNumber; key != last {
			last = key
			households++
			seq, number, address = fmt.Sprint(households), r.HouseholdNumber, r.Address
		}
		people++
		doc.Rows = append(doc.Rows, []string{seq, number, r.Name, r.Relation, string(r.Gender), r.Ethnicity, r.BirthDate, id, phone, address})
		return nil
	})
	if err != nil {
		return nil, err
	}
	doc.Totals = []string{"", p.t("col.total"), p.t("print.register.totals", households, people)}
	return p.page(doc), nil
}
