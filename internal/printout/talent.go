package printout

import (
	"context"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/i18n"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/talent"
)

// TalentReview is the 晓景 application's review form as it is filed: the
// applicant and the business, then one row per level (township, banner,
// league) with the level's mean score and decision where it has made one,
// and room for the signature, the seal and the date. What only reviewers
// read (each reviewer's scores and comments, objections) is left off.
func (d Deps) TalentReview(ctx context.Context, a *access.Actor, lang i18n.Lang, id int64) (*document.Document, error) {
	p := &printer{Deps: d, lang: lang, a: a}
	c, err := d.Talent.Candidate(ctx, a, id)
	if err != nil {
		return nil, err
	}
	f := func(key, value string) document.Field {
		return document.Field{Label: document.Plain(p.t(key)), Value: value}
	}
	doc := &document.Document{
		Paper: document.A4,
		Title: document.Plain(p.t("print.talent.title")),
		Fields: []document.Field{
			f("talent.field.name", c.Name), f("talent.field.village", c.VillageName),
			f("talent.field.entity_name", c.EntityName), f("talent.field.industry", c.Industry),
			f("talent.field.households", fmt.Sprint(c.Households)), f("talent.field.income_rise", fmt.Sprint(c.IncomeRise)),
		},
		Notes: []document.Text{document.Plain(p.t("talent.field.summary") + "：" + c.Summary)},
		Columns: []document.Column{
			{Label: document.Plain(p.t("print.talent.level")), Weight: 1},
			{Label: document.Plain(p.t("print.talent.mean")), Weight: 0.8, Num: true},
			{Label: document.Plain(p.t("talent.field.decision")), Weight: 2.2},
			{Label: document.Plain(p.t("print.talent.signature")), Weight: 1.2},
			{Label: document.Plain(p.t("print.seal")), Weight: 1.4},
			{Label: document.Plain(p.t("print.date")), Weight: 1},
		},
	}
	byLevel := map[regioncode.Level]talent.LevelResult{}
	for _, l := range c.Levels {
		byLevel[regioncode.LevelOf(l.Region)] = l
	}
	// Each row is tall enough to sign and stamp in.
	const room = "\n\n\n\n"
	for _, lv := range []struct {
		level regioncode.Level
		key   string
	}{{regioncode.Village, "print.village"}, {regioncode.Township, "print.talent.township"}, {regioncode.Banner, "print.talent.banner"}, {regioncode.League, "print.talent.league"}} {
		row := []string{p.t(lv.key), "", room, "", "", ""}
		if l, ok := byLevel[lv.level]; ok && l.Decision != "" {
			row[1] = l.MeanText()
			row[2] = p.t("review.action."+string(l.Decision)) + room
		}
		doc.Rows = append(doc.Rows, row)
	}
	return p.page(doc), nil
}
