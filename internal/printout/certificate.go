package printout

import (
	"context"
	"fmt"

	"shanzhi/internal/document"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/training"
)

// Certificate is a training certificate — 优秀证书 or 结业证书 — on A4: the
// title, the trainee's name, class, dates and hours, the sentence that
// certifies them, the serial number, the issuing department with its
// seal and date, and a QR code to the public verification page (link),
// which shows the same content or that the certificate was revoked. It is
// Mongolian-first where the issuing region writes its public outputs in
// both scripts.
func (d Deps) Certificate(ctx context.Context, lang i18n.Lang, c *training.Certificate, link string) (*document.Document, error) {
	p := &printer{Deps: d, lang: lang}
	if _, err := p.script(ctx, c.Region); err != nil {
		return nil, err
	}
	kind := "completion"
	if c.Kind == training.CertExcellent {
		kind = "excellent"
	}
	dates := p.t("training.cert.dates", c.Start, c.End)
	field := func(key, value string) document.Field {
		return document.Field{Label: p.bi(key, nil, nil), Value: value}
	}
	args := []any{c.Name, c.Class, dates, c.Hours}
	doc := &document.Document{
		Paper:          document.A4,
		MongolianFirst: p.bilingual,
		Title:          p.bi("training.cert.title."+kind, nil, nil),
		Fields: []document.Field{
			field("honour.field.person", c.Name),
			field("training.cert.field.class", c.Class),
			field("training.cert.field.dates", dates),
			field("training.cert.field.hours", fmt.Sprint(c.Hours)),
			field("training.cert.field.serial", c.Serial),
		},
		Notes:     []document.Text{p.bi("training.cert.body."+kind, args, args)},
		Issuer:    c.Issuer,
		Date:      localtime.In(c.Issued).Format(p.t("print.date_format")),
		Seal:      p.bi("print.seal", nil, nil),
		QR:        link,
		QRCaption: []string{p.t("training.cert.qr"), c.Serial},
	}
	if !c.InForce() {
		doc.Notes = append(doc.Notes, document.Plain(p.t("training.cert.revoked_on", localtime.Day(c.Revoked), c.Reason)))
	}
	return doc, nil
}
