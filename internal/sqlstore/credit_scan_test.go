package sqlstore_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestCreditConsentScan stores the scan of a paper consent (issue 16):
// a bad or oversized scan refuses the consent and leaves nothing; a JPEG
// is kept without its EXIF, a PDF as sent; the household's officials and
// its own villager read it, each view audited, while the counter's clerk,
// a neighbour and a sibling township cannot.
func TestCreditConsentScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		newHonourWorld(t, db)
		cs := db.Credit()
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		in := honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "科右前旗农村信用合作联社", RetentionDays: 365, Method: honour.OnPaper, Reference: "2026-信-007"}
		for name, bad := range map[string][]byte{
			"not an image":  []byte("GIF89a just a gif"),
			"truncated PDF": []byte("%PDF-1.4\n1 0 obj\n"),
			"too large":     append([]byte("%PDF-1.4\n"), make([]byte, honour.MaxScanBytes)...),
		} {
			scanned := in
			scanned.Scan = bad
			if _, err := cs.Consent(ctx, clerk, a, scanned); !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.TooLarge) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if list, _, _ := cs.Consents(ctx, clerk, a); len(list) != 0 {
			t.Fatalf("a refused scan left a consent: %+v", list)
		}
		var jpg bytes.Buffer
		if err := jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 40, 60)), nil); err != nil {
			t.Fatal(err)
		}
		exif := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10}, append([]byte("Exif\x00\x00GPS-31.2N"), jpg.Bytes()[2:]...)...)
		scanned := in
		scanned.Scan = exif
		c, err := cs.Consent(ctx, clerk, a, scanned)
		if err != nil {
			t.Fatal(err)
		}
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		scanned.Scan, scanned.Reference = pdf, "2026-信-008"
		c2, err := cs.Consent(ctx, clerk, a, scanned)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Scans) != 1 || c.Scans[0].ContentType != "image/jpeg" || len(c2.Scans) != 1 || c2.Scans[0].ContentType != "application/pdf" {
			t.Fatalf("scans: %+v %+v", c.Scans, c2.Scans)
		}
		// At rest the scan is sealed under the personal-data key: the
		// stored bytes are not the PDF, and size and sum are the PDF's.
		var stored []byte
		var sealed, size int
		if err := db.RawRow(ctx, `SELECT data, sealed, size FROM consent_scans WHERE id = ?`, c2.Scans[0].ID).Scan(&stored, &sealed, &size); err != nil ||
			sealed != 1 || size != len(pdf) || bytes.Contains(stored, []byte("%PDF")) {
			t.Fatalf("the PDF at rest: sealed %d, size %d, %d bytes (%v)", sealed, size, len(stored), err)
		}
		phone := in
		phone.Method, phone.Scan = honour.OnPhone, pdf
		head := &access.Actor{UserID: 70, Username: "huzhu", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: a}}}
		if _, err := cs.Consent(ctx, head, a, phone); !fault.Is(err, fault.Invalid) {
			t.Errorf("a phone consent with a scan: %v", err)
		}
		ctype, data, err := cs.Scan(ctx, clerk, a, c.Scans[0].ID)
		if err != nil || ctype != "image/jpeg" || bytes.Contains(data, []byte("GPS")) {
			t.Fatalf("the clerk's view: %s %d bytes %v", ctype, len(data), err)
		}
		if _, data, err := cs.Scan(ctx, head, a, c2.Scans[0].ID); err != nil || !bytes.Equal(data, pdf) {
			t.Fatalf("the head's view: %v", err)
		}
		neighbour := &access.Actor{UserID: 71, Username: "linju", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: b}}}
		cashier := &access.Actor{UserID: 72, Username: "shouyin", Grants: []access.Grant{{Role: access.Clerk, Region: pingan}}}
		sibling := &access.Actor{UserID: 73, Username: "waizhen", Grants: []access.Grant{{Role: access.Operator, Region: "152221103000"}}}
		for name, who := range map[string]*access.Actor{"neighbour": neighbour, "cashier": cashier, "sibling": sibling} {
			if _, _, err := cs.Scan(ctx, who, a, c.Scans[0].ID); err == nil {
				t.Errorf("the %s reads the scan", name)
			}
		}
		if _, _, err := cs.Scan(ctx, clerk, b, c.Scans[0].ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the scan through another household: %v", err)
		}
		_, n, err := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "credit.scan.view"})
		if err != nil || n != 2 {
			t.Fatalf("audited views: %d %v", n, err)
		}
	})
}

// TestFundConsentScan stores the scan of a household's signed consent to
// a drive as a credit consent's is: a bad scan opens no drive; a good one
// is listed on the drive for the register's readers only, never on the
// public page, and each view is audited.
func TestFundConsentScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		newHonourWorld(t, db)
		fs := db.Funds()
		h := ledgerHousehold(t, db, "001", 1)
		in := honour.CampaignInput{Household: h, Title: "为赵一家大病募捐", Reason: honour.Illness, Target: 1_000_000, Starts: "2026-06-01", Ends: "2026-06-30",
			Consent: honour.ConsentSigned, ConsentDate: "2026-05-31", Scan: []byte("GIF89a just a gif")}
		if _, err := fs.Open(ctx, fundClerk, in); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a drive with a bad scan: %v", err)
		}
		if list, err := fs.Campaigns(ctx, fundClerk, pingan); err != nil || len(list) != 0 {
			t.Fatalf("a refused scan left a drive: %+v %v", list, err)
		}
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		in.Scan = pdf
		c, err := fs.Open(ctx, fundClerk, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Scans) != 1 || c.Scans[0].ContentType != "application/pdf" || c.Scans[0].Size != len(pdf) {
			t.Fatalf("scans: %+v", c.Scans)
		}
		if public, err := fs.Campaign(ctx, nil, c.ID); err != nil || len(public.Scans) != 0 {
			t.Fatalf("the public page's drive: %+v %v", public.Scans, err)
		}
		ctype, data, err := fs.Scan(ctx, fundSecond, c.ID, c.Scans[0].ID)
		if err != nil || ctype != "application/pdf" || !bytes.Equal(data, pdf) {
			t.Fatalf("the second official's view: %s %v", ctype, err)
		}
		head := &access.Actor{UserID: 70, Username: "huzhu", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h}}}
		sibling := &access.Actor{UserID: 73, Username: "waizhen", Grants: []access.Grant{{Role: access.Operator, Region: "152221103000"}}}
		for name, who := range map[string]*access.Actor{"household's villager": head, "sibling": sibling} {
			if _, _, err := fs.Scan(ctx, who, c.ID, c.Scans[0].ID); !fault.Is(err, fault.NotFound) {
				t.Errorf("the %s reads the scan: %v", name, err)
			}
		}
		// A credit consent's scan is not a drive's.
		credit, err := db.Credit().Consent(ctx, clerk, h, honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "信用社", RetentionDays: 365, Method: honour.OnPaper, Reference: "信-1", Scan: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := fs.Scan(ctx, fundClerk, c.ID, credit.Scans[0].ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("a credit scan through the drive: %v", err)
		}
		_, n, err := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "fund.scan.view"})
		if err != nil || n != 1 {
			t.Fatalf("audited views: %d %v", n, err)
		}
	})
}

// TestNominationConsentScan stores the scan of a nominee's signed consent
// with the nomination: a bad scan refuses the nomination; a good one is
// listed for the register's readers and opened by them through its own
// board only, each view audited.
func TestNominationConsentScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		h := ledgerHousehold(t, db, "001", 1)
		var boards []int64
		for _, name := range []string{"好人榜", "孝星榜"} {
			bd, err := w.hs.CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: name, Kind: honour.Nominated, Period: honour.Year, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			boards = append(boards, bd.ID)
		}
		in := honour.NominationInput{Board: boards[0], Period: "2026", Household: h, Deed: "冬夜救起落水儿童", Citation: "见义勇为",
			NominatorKind: honour.ByStaff, Nominator: "村委会", Consent: honour.ConsentSigned, ConsentDate: "2026-05-30", Scan: []byte("%PDF-1.4 truncated")}
		if _, err := w.hs.Nominate(ctx, clerk, in); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a nomination with a truncated scan: %v", err)
		}
		if list, _ := w.hs.Nominations(ctx, clerk, boards[0], "2026"); len(list) != 0 {
			t.Fatalf("a refused scan left a nomination: %+v", list)
		}
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		in.Scan = pdf
		if _, err := w.hs.Nominate(ctx, clerk, in); err != nil {
			t.Fatal(err)
		}
		list, err := w.hs.Nominations(ctx, clerk, boards[0], "2026")
		if err != nil || len(list) != 1 || len(list[0].Scans) != 1 {
			t.Fatalf("the nomination's scans: %+v %v", list, err)
		}
		scan := list[0].Scans[0].ID
		if ctype, data, err := w.hs.NominationScan(ctx, clerk, boards[0], scan); err != nil || ctype != "application/pdf" || !bytes.Equal(data, pdf) {
			t.Fatalf("the official's view: %s %v", ctype, err)
		}
		if _, _, err := w.hs.NominationScan(ctx, clerk, boards[1], scan); !fault.Is(err, fault.NotFound) {
			t.Errorf("the scan through another board: %v", err)
		}
		sibling := &access.Actor{UserID: 73, Username: "waizhen", Grants: []access.Grant{{Role: access.Operator, Region: "152221103000"}}}
		head := &access.Actor{UserID: 70, Username: "huzhu", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h}}}
		for name, who := range map[string]*access.Actor{"sibling": sibling, "household's villager": head} {
			if _, _, err := w.hs.NominationScan(ctx, who, boards[0], scan); !fault.Is(err, fault.NotFound) {
				t.Errorf("the %s reads the scan: %v", name, err)
			}
		}
		_, n, err := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "honour.scan.view"})
		if err != nil || n != 1 {
			t.Fatalf("audited views: %d %v", n, err)
		}
	})
}
