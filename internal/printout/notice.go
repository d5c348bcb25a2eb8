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
	doc := &document.Document{
		Paper: document.A4,
		Title: document.Plain(p.t("print.notice.title", name)),
		Fields: []document.Field{
			{Label: document.Plain(p.t("print.township")), Value: township},
			{Label: document.Plain(p.t("print.village")), Value: name},
		},
		Columns: []document.Column{
			{Label: document.Plain(p.t("print.col.seq")), Weight: 0.6, Num: true},
			{Label: document.Plain(p.t("field.number")), Weight: 1},
			{Label: document.Plain(p.t("col.head")), Weight: 1},
			{Label: document.Plain(p.t("print.col.item")), Weight: 3},
			{Label: document.Plain(p.t("points.delta")), Weight: 0.7, Num: true},
			{Label: document.Plain(p.t("print.col.window")), Weight: 1.9},
		},
		Empty:     p.t("notice.none"),
		Notes:     []document.Text{document.Plain(p.t("print.notice.how_to_object"))},
		Issuer:    p.t("print.notice.committee", name),
		Date:      localtime.In(p.Now()).Format(p.t("print.date_format")),
		Seal:      document.Plain(p.t("print.seal")),
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
	}
	return p.page(doc), nil
}
