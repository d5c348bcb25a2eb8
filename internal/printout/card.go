package printout

import (
	"context"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/i18n"
	"shanzhi/internal/registry"
)

// Card is the household card, the size of an ID card: the village, the
// household number and head, its registered members with their relation
// (no birth dates, no ID numbers: the card is carried and shown), and the
// QR code of the card's random token with the token printed under it for
// typing when a scanner fails. linkOf makes the QR's address from the token.
func (d Deps) Card(ctx context.Context, a *access.Actor, lang i18n.Lang, household int64, linkOf func(token string) string) (*document.Document, error) {
	p := &printer{Deps: d, lang: lang, a: a}
	h, ms, err := d.Registry.Household(ctx, a, household)
	if err != nil {
		return nil, err
	}
	token, err := d.Registry.CardToken(ctx, a, household)
	if err != nil {
		return nil, err
	}
	mnName, err := p.script(ctx, h.VillageCode)
	if err != nil {
		return nil, err
	}
	// A card is 85.6 × 54 mm: the members go in one wrapping line, name and
	// relation, rather than a table that would run onto a second card.
	var members []string
	for _, m := range ms {
		if m.Status == registry.Registered {
			members = append(members, m.Name+"（"+m.Relation+"）")
		}
	}
	doc := &document.Document{
		Paper:          document.Card,
		MongolianFirst: p.bilingual,
		Title:          p.bi("print.card.title", []any{h.VillageName}, []any{mnName}),
		// An ID-1 card has room for one vertical Mongolian line only: the
		// title. Labels and members' Mongolian names, stacked above the
		// Chinese, ran it onto three cards; the card's page (opened by
		// its QR code) shows the names in both scripts.
		Fields: []document.Field{
			{Label: document.Plain(p.t("field.number")), Value: h.Number},
			{Label: document.Plain(p.t("col.head")), Value: h.HeadName},
			{Label: document.Plain(p.t("print.card.members")), Value: strings.Join(members, "、")},
		},
		QR:        linkOf(token),
		QRCaption: []string{p.t("card.number") + " " + token},
	}
	return doc, nil
}
