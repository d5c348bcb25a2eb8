package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/points"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// The township's leader, who may export for the bank.
var creditLeader = &access.Actor{UserID: 61, Username: "zhenzhang", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}}

// TestCreditExport is the check: an export refused without the
// head's consent, accepted with it (standing, the year's aspects, the
// deductions of the last twelve months) and recorded for the household to
// see, and refused after the consent is revoked; only the household's own
// villager or an official records a consent.
func TestCreditExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newHonourWorld(t, db)
		cs := db.Credit()
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		w.award(t, a, "fil-03", "fil-06") // +2, -10
		w.award(t, b, "fil-03", "fil-03") // +4
		w.finish(t)
		if _, err := cs.Export(ctx, creditLeader, a, "csv"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("export without consent: %v", err)
		}
		head := &access.Actor{UserID: 70, Username: "huzhu", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: a}}}
		neighbour := &access.Actor{UserID: 71, Username: "linju", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: b}}}
		in := honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "科右前旗农村信用合作联社", RetentionDays: 365}
		forged := in
		forged.Method = honour.OnPhone
		if _, err := cs.Consent(ctx, neighbour, a, forged); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a neighbour consents for the household: %v", err)
		}
		paper := in
		paper.Method = honour.OnPaper
		if _, err := cs.Consent(ctx, clerk, a, paper); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a paper consent without its filing reference: %v", err)
		}
		c, err := cs.Consent(ctx, head, a, in)
		if err != nil || c.Method != honour.OnPhone {
			t.Fatalf("consent: %+v %v", c, err)
		}
		if _, err := cs.Export(ctx, clerk, a, "csv"); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("an operator exports: %v", err)
		}
		sum, err := cs.Export(ctx, creditLeader, a, "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if sum.Points >= 4 || sum.Rank != 2 || sum.Of != 2 || len(sum.Aspects) != 1 || sum.Aspects[0].Awards != 2 || sum.Aspects[0].Deductions != -10 ||
			len(sum.Deductions) != 1 || sum.Deductions[0].Points != -10 || sum.Recipient != in.Recipient {
			t.Fatalf("summary %+v", sum)
		}
		_, exports, err := cs.Consents(ctx, head, a)
		if err != nil || len(exports) != 1 || exports[0].Format != "xlsx" {
			t.Fatalf("the household's view of its exports: %+v %v", exports, err)
		}
		if err := cs.Revoke(ctx, head, a, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := cs.Revoke(ctx, head, a, c.ID); !fault.Is(err, fault.Conflict) {
			t.Fatalf("revoked twice: %v", err)
		}
		if _, err := cs.Export(ctx, creditLeader, a, "csv"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("export after revocation: %v", err)
		}
		paper.Reference = "XD-2026-001"
		if _, err := cs.Consent(ctx, clerk, a, paper); err != nil {
			t.Fatalf("the clerk's paper consent: %v", err)
		}
		if _, err := cs.Export(ctx, creditLeader, a, "csv"); err != nil {
			t.Fatalf("export under the paper consent: %v", err)
		}
		if n := auditCount(t, db, "credit.export"); n != 2 {
			t.Errorf("%d exports audited", n)
		}
	})
}

// TestPrivileges grants a household a privilege its balance opens, and
// refuses one under the threshold and one over the year's limit.
func TestPrivileges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		ps := db.Privileges()
		town := &access.Actor{UserID: 62, Username: "zhen", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		if _, err := ps.CreatePrivilege(ctx, town, honour.PrivilegeInput{Township: pingan, Name: "免费体检", Threshold: 50, ValidDays: 365, Limit: 1}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a village's catalogue: %v", err)
		}
		if _, err := ps.CreatePrivilege(ctx, clerk, honour.PrivilegeInput{Township: keerqin, Name: "免费体检", Threshold: 50, ValidDays: 365, Limit: 1}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a village clerk defines the township's catalogue: %v", err)
		}
		check, err := ps.CreatePrivilege(ctx, town, honour.PrivilegeInput{Township: keerqin, Name: "免费体检", Threshold: 50, ValidDays: 365, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ps.CreatePrivilege(ctx, town, honour.PrivilegeInput{Township: keerqin, Name: "免费体检", Threshold: 10, ValidDays: 30, Limit: 1}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a second privilege of the name: %v", err)
		}
		h := ledgerHousehold(t, db, "001", 1)
		if _, err := ps.Grant(ctx, clerk, h, check.ID, ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a grant under the threshold: %v", err)
		}
		if _, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: "base", Household: h, Kind: points.Base, Points: 60}); err != nil {
			t.Fatal(err)
		}
		offers, err := ps.Offers(ctx, clerk, h)
		if err != nil || len(offers) != 1 || !offers[0].Qualifies {
			t.Fatalf("offers %+v %v", offers, err)
		}
		g, err := ps.Grant(ctx, clerk, h, check.ID, "旗医院")
		if err != nil || g.Expires != "2027-05-31" {
			t.Fatalf("grant %+v %v", g, err)
		}
		if _, err := ps.Grant(ctx, clerk, h, check.ID, ""); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a second grant in the year: %v", err)
		}
		villager := &access.Actor{UserID: 9, Username: "cunmin", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h}}}
		if gs, err := ps.Grants(ctx, villager, h); err != nil || len(gs) != 1 {
			t.Fatalf("the villager's grants %+v %v", gs, err)
		}
	})
}
