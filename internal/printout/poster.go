package printout

import (
	"context"
	"fmt"

	"shanzhi/internal/document"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/review"
)

// PublicEdition is a board's period as the public sees it: only what is
// published, names masked and a minor's left out; period "" is the
// latest. It returns the board's periods too.
func PublicEdition(ctx context.Context, hs honour.BoardService, id int64, period string) (*honour.Edition, []string, error) {
	b, err := hs.Board(ctx, nil, id)
	if err != nil {
		return nil, nil, err
	}
	periods, err := hs.Periods(ctx, nil, id)
	if err != nil {
		return nil, nil, err
	}
	if period == "" && len(periods) > 0 {
		period = periods[0]
	}
	if period == "" {
		return &honour.Edition{Board: *b}, periods, nil
	}
	e, err := hs.Edition(ctx, nil, id, period)
	if err != nil {
		return nil, nil, err
	}
	if b.Kind == honour.Computed && e.Published.IsZero() {
		e.Honours = nil
	}
	for i := range e.Honours {
		e.Honours[i].Person = review.MaskName(e.Honours[i].Person)
	}
	return e, periods, nil
}

// Poster is an honour board's period as the poster the committee posts on
// the village wall, A4 or A3: the board's name, its region and period, one
// row per honour (place, the name as masked on the public page, the
// citation), the committee, the publication date and a place for the
// seal. It takes the public edition, so it shows nothing the public board
// does not; a bilingual village's poster is Mongolian-first.
func (d Deps) Poster(ctx context.Context, lang i18n.Lang, e *honour.Edition, paper document.Paper) (*document.Document, error) {
	p := &printer{Deps: d, lang: lang}
	if _, err := p.script(ctx, e.Board.Region); err != nil {
		return nil, err
	}
	doc := &document.Document{
		Paper:          paper,
		MongolianFirst: p.bilingual,
		Title:          document.Plain(e.Board.Name),
		Fields: []document.Field{
			{Label: p.bi("field.village", nil, nil), Value: e.Board.RegionName},
			{Label: p.bi("honour.field.period", nil, nil), Value: e.Period},
		},
		Columns: []document.Column{
			{Label: p.bi("ranking.rank", nil, nil), Weight: 0.6, Num: true},
			{Label: p.bi("honour.field.person", nil, nil), Weight: 1.2},
			{Label: p.bi("honour.field.deed", nil, nil), Weight: 4},
		},
		Empty:  p.t("honour.none"),
		Issuer: p.t("honour.poster.issuer", e.Board.RegionName),
		Seal:   p.bi("honour.poster.seal", nil, nil),
	}
	if !e.Published.IsZero() {
		doc.Date = localtime.Day(e.Published)
	}
	for _, h := range e.Honours {
		place, person, citation := "★", h.Person, h.Citation
		if h.Place > 0 {
			place = fmt.Sprint(h.Place)
		}
		if person == "" {
			person = p.t("honour.minor")
		}
		if citation == "" {
			citation = p.t("honour.citation.points", h.Points)
		}
		doc.Rows = append(doc.Rows, []string{place, person, citation})
	}
	return doc, nil
}
