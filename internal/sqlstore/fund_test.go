package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// The fundraising officials of 平安村: one enters, a second confirms.
var (
	fundClerk  = &access.Actor{UserID: 51, Username: "kuaiji", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
	fundSecond = &access.Actor{UserID: 52, Username: "chuna", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
)

func fundCampaign(t *testing.T, db *sqlstore.DB, h int64) *honour.Campaign {
	t.Helper()
	c, err := db.Funds().Open(context.Background(), fundClerk, honour.CampaignInput{Household: h, Title: "为赵一家大病募捐", Reason: honour.Illness,
		Target: 10_000_000, Starts: "2026-06-01", Ends: "2026-06-30", Consent: honour.ConsentSigned, ConsentDate: "2026-05-31"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fundPost(t *testing.T, db *sqlstore.DB, a *access.Actor, p honour.Posting) *honour.Entry {
	t.Helper()
	e, err := db.Funds().Post(context.Background(), a, p)
	if err != nil {
		t.Fatalf("post %+v: %v", p, err)
	}
	return e
}

// TestFundraising is the check: a drive with 40 donations, each
// entered by one official and confirmed by a second, three disbursements,
// and a close at zero; the two-person rule, the balance and the closing
// refuse what they must, keys are idempotent, and verify catches a
// donation edited in SQL.
func TestFundraising(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		fs := db.Funds()
		h := ledgerHousehold(t, db, "001", 1)
		if _, err := fs.Open(ctx, fundClerk, honour.CampaignInput{Household: h, Title: "募捐", Reason: honour.Accident, Target: 100, Starts: "2026-06-01", Ends: "2026-06-30"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a drive without the household's consent: %v", err)
		}
		c := fundCampaign(t, db, h)
		var total int64
		for i := range 40 {
			amount := int64(10_000 + 100*i)
			total += amount
			d := fundPost(t, db, fundClerk, honour.Posting{Key: fmt.Sprint("d", i), Campaign: c.ID, Kind: honour.Donation, Party: fmt.Sprint("村民", i), Named: i%2 == 0,
				Amount: amount, Method: honour.Cash, Day: "2026-06-02", Receipt: fmt.Sprintf("SJ%03d", i)})
			if i == 0 {
				if _, err := fs.Post(ctx, fundClerk, honour.Posting{Key: "c0", Campaign: c.ID, Kind: honour.Confirmation, Ref: d.ID, Day: "2026-06-02"}); !fault.Is(err, fault.Forbidden) {
					t.Fatalf("self-confirmation: %v", err)
				}
				// A replay returns the first entry; the key with another body is a conflict.
				again := fundPost(t, db, fundClerk, honour.Posting{Key: "d0", Campaign: c.ID, Kind: honour.Donation, Party: "村民0", Named: true, Amount: amount, Method: honour.Cash, Day: "2026-06-02", Receipt: "SJ000"})
				if again.ID != d.ID {
					t.Fatalf("replay wrote entry %d, first was %d", again.ID, d.ID)
				}
				if _, err := fs.Post(ctx, fundClerk, honour.Posting{Key: "d0", Campaign: c.ID, Kind: honour.Donation, Amount: 1, Method: honour.Cash, Day: "2026-06-02", Receipt: "X"}); !fault.Is(err, fault.Conflict) {
					t.Fatalf("key reused: %v", err)
				}
			}
			fundPost(t, db, fundSecond, honour.Posting{Key: fmt.Sprint("c", i), Campaign: c.ID, Kind: honour.Confirmation, Ref: d.ID, Day: "2026-06-02"})
		}
		got, err := fs.Campaign(ctx, fundClerk, c.ID)
		if err != nil || got.Raised != total || got.Balance != total || got.Pending != 0 {
			t.Fatalf("after 40 donations: %+v %v", got, err)
		}
		if _, err := fs.Post(ctx, fundClerk, honour.Posting{Key: "x1", Campaign: c.ID, Kind: honour.Disbursement, Amount: total + 1, Day: "2026-06-10", Evidence: "转账回单", Party: "赵一签收"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("disbursement beyond the balance: %v", err)
		}
		if _, err := fs.Post(ctx, fundClerk, honour.Posting{Key: "z1", Campaign: c.ID, Kind: honour.Closing, Day: "2026-06-30"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("closing with money left: %v", err)
		}
		parts := []int64{total / 2, total / 4, total - total/2 - total/4}
		for i, amt := range parts {
			fundPost(t, db, fundClerk, honour.Posting{Key: fmt.Sprint("x", i+2), Campaign: c.ID, Kind: honour.Disbursement, Amount: amt, Day: "2026-06-20", Evidence: fmt.Sprint("回单", i), Party: "赵一签收"})
		}
		closed := fundPost(t, db, fundClerk, honour.Posting{Key: "z2", Campaign: c.ID, Kind: honour.Closing, Day: "2026-06-30"})
		if got, _ = fs.Campaign(ctx, nil, c.ID); got.Status != honour.CampaignClosed || got.Balance != 0 || got.Spent != total || closed.Kind != honour.Closing {
			t.Fatalf("closed: %+v", got)
		}
		if _, err := fs.Post(ctx, fundClerk, honour.Posting{Key: "late", Campaign: c.ID, Kind: honour.Donation, Amount: 100, Method: honour.Cash, Day: "2026-07-01", Receipt: "SJ999"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a donation to a closed drive: %v", err)
		}
		es, err := fs.Entries(ctx, nil, c.ID)
		if err != nil || len(es) != 40+40+3+1 || es[0].ConfirmedBy != "chuna" {
			t.Fatalf("%d entries, %v", len(es), err)
		}
		sibling := &access.Actor{UserID: 99, Username: "other", Grants: []access.Grant{{Role: access.Operator, Region: dsVillage}}}
		if _, err := fs.Entries(ctx, sibling, c.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a sibling village reads the ledger: %v", err)
		}
		if f, err := db.FundCheck(ctx); err != nil || f.Count != 0 {
			t.Fatalf("verify before the edit: %+v %v", f, err)
		}
		if n := auditCount(t, db, "fund.donation"); n != 40 {
			t.Errorf("%d donations audited", n)
		}
		// Someone with the database lowers a donation in SQL.
		if err := db.RawExec(ctx, `UPDATE fund_entries SET amount = amount - 5000 WHERE id = ?`, es[0].ID); err != nil {
			t.Fatal(err)
		}
		f, err := db.FundCheck(ctx)
		if err != nil || f.Count == 0 || f.Problems[0].Key != "verify.fund_hash" {
			t.Fatalf("verify missed an edited donation: %+v %v", f, err)
		}
	})
}

// TestFundCloseWithTransfer closes a drive with money left by recording
// where the rest went, and refuses to close while a donation waits for its
// second official.
func TestFundCloseWithTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		c := fundCampaign(t, db, ledgerHousehold(t, db, "001", 1))
		d := fundPost(t, db, fundClerk, honour.Posting{Key: "d", Campaign: c.ID, Kind: honour.Donation, Amount: 50_000, Method: honour.BankTransfer, Day: "2026-06-02", Receipt: "ZZ1"})
		if _, err := db.Funds().Post(ctx, fundClerk, honour.Posting{Key: "z", Campaign: c.ID, Kind: honour.Closing, Day: "2026-06-30", Party: "县慈善总会"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("closing with a donation unconfirmed: %v", err)
		}
		fundPost(t, db, fundSecond, honour.Posting{Key: "c", Campaign: c.ID, Kind: honour.Confirmation, Ref: d.ID, Day: "2026-06-02"})
		fundPost(t, db, fundClerk, honour.Posting{Key: "x", Campaign: c.ID, Kind: honour.Disbursement, Amount: 30_000, Day: "2026-06-10", Evidence: "回单", Party: "签收"})
		fundPost(t, db, fundClerk, honour.Posting{Key: "z", Campaign: c.ID, Kind: honour.Closing, Day: "2026-06-30", Party: "县慈善总会"})
		got, _ := db.Funds().Campaign(ctx, fundClerk, c.ID)
		if got.Status != honour.CampaignClosed || got.Balance != 0 || got.Moved != 20_000 {
			t.Fatalf("closed with transfer: %+v", got)
		}
		if f, err := db.FundCheck(ctx); err != nil || f.Count != 0 {
			t.Fatalf("verify: %+v %v", f, err)
		}
	})
}
