package printout

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
)

// phoneRE is what an objection phone number may look like on paper: a
// landline with its area code, a mobile, an extension.
var phoneRE = regexp.MustCompile(`^[0-9][0-9 ()+\-]{4,19}$`)

// Notice is a village's 公示 as it is posted on the board: one table of
// the items on notice (序号, 户号, the head as masked on the public page,
// 事项, 分值, 公示期), the issuing committee, the date, a place for the
// seal, and a QR code to the public notice plus a phone number for
// objections once the paper is all a villager has. It reads the public
// notice only, so it shows nothing the public page does not.
//
// The public notice needs no actor, but its print is made by the village's
// officials only (those who read its register or approve its awards): a
// PDF costs the server work that an anonymous caller should not command.
func (d Deps) Notice(ctx context.Context, a *access.Actor, lang i18n.Lang, village, link, phone string) (*document.Document, error) {
	if !a.Can(access.RegistryRead, village) && !a.Can(access.PointsApprove, village) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if regioncode.LevelOf(village) != regioncode.Village {
		return nil, fault.E(fault.Invalid, "print.notice.village_only")
	}
	p := &printer{Deps: d, lang: lang, a: a}
	phone = strings.TrimSpace(phone)
	if phone != "" && !phoneRE.MatchString(phone) {
		return nil, fault.OnField(fault.Invalid, "phone", "print.notice.bad_phone")
	}
	ns, err := d.Review.PublicNotices(ctx, village)
	if err != nil {
		return nil, err
	}
	township, name, err := p.places(ctx, village)
	if err != nil {
		return nil, err
	}
	if phone == "" {
		phone = "________________"
	}
	mnName, err := p.script(ctx, village)
	if err != nil {
		return nil, err
	}
	doc := &document.Document{
		Paper:          document.A4,
		MongolianFirst: p.bilingual,
		Title:          p.bi("print.notice.title", []any{name}, []any{mnName}),
		Fields: []document.Field{
			{Label: p.bi("print.township", nil, nil), Value: township},
			{Label: p.bi("print.village", nil, nil), Value: name},
		},
		Columns: []document.Column{
			{Label: p.bi("print.col.seq", nil, nil), Weight: 0.6, Num: true},
			{Label: p.bi("field.number", nil, nil), Weight: 1},
			{Label: p.bi("col.head", nil, nil), Weight: 1},
			{Label: p.bi("print.col.item", nil, nil), Weight: 3},
			{Label: p.bi("points.delta", nil, nil), Weight: 0.7, Num: true},
			{Label: p.bi("print.col.window", nil, nil), Weight: 1.9},
		},
		Empty:     p.t("notice.none"),
		Notes:     []document.Text{p.bi("print.notice.how_to_object", nil, nil)},
		Issuer:    p.t("print.notice.committee", name),
		Date:      localtime.In(p.Now()).Format(p.t("print.date_format")),
		Seal:      p.bi("print.seal", nil, nil),
		QR:        link,
		QRCaption: []string{p.t("print.notice.qr"), p.t("print.notice.phone", phone)},
	}
	for i, n := range ns {
		item := n.Summary.Title
		if n.SubjectKind == "correction" {
			item = p.t("award.correction") + "：" + item + "（" + n.Summary.Note + "）"
		}
		if n.State == review.Cancelled {
			item += "（" + p.t("print.notice.cancelled") + "）"
		}
		pts := ""
		if n.Summary.Points != 0 {
			pts = fmt.Sprintf("%+d", n.Summary.Points)
		}
		doc.Rows = append(doc.Rows, []string{fmt.Sprint(i + 1), n.Household, n.Summary.Person, item, pts,
			localtime.Day(n.WindowStart) + " — " + localtime.Day(n.WindowEnd)})
		// The head's Mongolian name, masked by the store as on the
		// public notice, stands above the Chinese one.
		doc.RowsMN = append(doc.RowsMN, []string{"", "", n.Summary.PersonMongol})
	}
	return p.page(doc), nil
}
