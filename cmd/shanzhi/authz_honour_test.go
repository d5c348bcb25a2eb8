package main

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/sqlstore"
)

// azHonours are the honours module's objects of the authorisation test: a
// nominated board and a fundraising drive in the own village and in the
// sibling's, the sibling's named with its marker so a refused response
// that leaks it is caught; photo1 is a deed photo of a nomination on the
// own village's board, which the photo route reaches through its board.
// scan1 is the scan of a paper credit consent of the own village's
// household, fundScan1 the scan of the own village's drive's consent,
// nominationScan1 of its nominee's.
type azHonours struct{ board1, board2, fund1, fund2, photo1, scan1, fundScan1, nominationScan1 int64 }

func azHonour(t *testing.T, db *sqlstore.DB, w azWorld) azHonours {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{UserID: 9300, Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: province}}}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	hs := db.Honours(rev)
	var out azHonours
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		village, name string
		household     int64
		board, fund   *int64
	}{{azV, "本村好人榜", w.h1, &out.board1, &out.fund1}, {azV2, "外村成员榜", w.h2, &out.board2, &out.fund2}} {
		b, err := hs.CreateBoard(ctx, sys, honour.BoardInput{Region: c.village, Name: c.name, Kind: honour.Nominated, Period: honour.Year, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		f, err := db.Funds().Open(ctx, sys, honour.CampaignInput{Household: c.household, Title: c.name + "募捐", Reason: honour.Illness, Target: 100_000,
			Starts: "2026-06-01", Ends: "2026-06-30", Consent: honour.ConsentSigned, ConsentDate: "2026-05-31", Scan: img.Bytes()})
		if err != nil {
			t.Fatal(err)
		}
		if out.fundScan1 == 0 {
			out.fundScan1 = f.Scans[0].ID
		}
		if _, err := db.Funds().Post(ctx, sys, honour.Posting{Key: c.name, Campaign: f.ID, Kind: honour.Donation, Party: c.name + "捐款人", Amount: 100, Method: honour.Cash, Day: "2026-06-01", Receipt: "1"}); err != nil {
			t.Fatal(err)
		}
		*c.board, *c.fund = b.ID, f.ID
	}
	n, err := hs.Nominate(ctx, sys, honour.NominationInput{Board: out.board1, Period: "2026", Household: w.h1, Deed: "照顾孤寡老人", Citation: "助人为乐",
		NominatorKind: honour.ByStaff, Nominator: "村委会", Consent: honour.ConsentSigned, ConsentDate: "2026-05-31", Photos: [][]byte{img.Bytes()}, Scan: img.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	out.photo1 = n.PhotoIDs[0]
	ns, err := hs.Nominations(ctx, sys, out.board1, "2026")
	if err != nil || len(ns) != 1 || len(ns[0].Scans) != 1 {
		t.Fatalf("the nomination's scan: %+v %v", ns, err)
	}
	out.nominationScan1 = ns[0].Scans[0].ID
	c, err := db.Credit().Consent(ctx, sys, w.h1, honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "农村信用合作联社", RetentionDays: 365,
		Method: honour.OnPaper, Reference: "信-1", Scan: img.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	out.scan1 = c.Scans[0].ID
	return out
}
