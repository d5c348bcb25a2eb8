package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestEraseResident follows a lawful erasure request: the former head of a
// household died, his family asks that his data go. His name, ID number
// and phone leave the register, the organisation register, his 晓景计划
// application and the masked names on notices, while the household's balance and both
// keyed chains stay as they were.
func TestEraseResident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return reviewT0 }
		reg := db.Registry()
		old := person("张大山", 1, "1950-03-01", registry.Male)
		old.Phone = "13812341234"
		h := mustHousehold(t, db, pingan, "001", old)
		wife := person("李桂兰", 1, "1952-04-02", registry.Female)
		wife.Relation = "配偶"
		w, err := reg.AddResident(ctx, admin, h.ID, wife, "婚入")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		svc, _ := reviewService(t, db)
		aw, err := db.Awards(svc).Record(ctx, clerk, points.AwardInput{Key: "erase-1", Household: h.ID, Item: "env-03"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: "erase-base", Household: h.ID, Kind: points.Award, Points: 7}); err != nil {
			t.Fatal(err)
		}
		tr := mustOrgTree(t, db.Org())
		if _, err := db.Org().CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Resident: h.HeadID, Name: "张大山", Gender: "男",
			IDNumber: old.IDNumber, Phone: old.Phone, Probation: "1976-07-01", Birth: "1950-03-04", Residence: "平安村一组"}); err != nil {
			t.Fatal(err)
		}
		tw := newTalentWorld(t, db)
		app := tw.application(pingan, "张大山", 1, 10)
		app.IDNumber, app.BirthDate, app.Phone, app.Resident = old.IDNumber, "1950-03-01", old.Phone, h.HeadID
		cand := tw.submitted(t, tlOp, app)
		for _, rid := range []int64{aw.ReviewID, cand.ReviewID} {
			var shown string
			if err := db.RawRow(ctx, `SELECT person FROM review_items WHERE id = ?`, rid).Scan(&shown); err != nil || shown != "张**" {
				t.Fatalf("review item %d shows %q before erasure (%v)", rid, shown, err)
			}
		}
		before, err := db.Ledger().Balance(ctx, admin, h.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Still on the register: refused, as for anyone without the permission.
		if err := reg.EraseResident(ctx, admin, h.HeadID, "家属申请删除"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("erased a registered resident: %v", err)
		}
		if err := reg.ChangeHead(ctx, admin, h.ID, w.ID, "配偶", "户主病故"); err != nil {
			t.Fatal(err)
		}
		if err := reg.SetResidentStatus(ctx, admin, h.HeadID, registry.Deceased, "病故"); err != nil {
			t.Fatal(err)
		}
		leader := &access.Actor{UserID: 40, Username: "leader-pingan", Grants: []access.Grant{{Role: access.Leader, Region: pingan}}}
		for _, a := range []*access.Actor{clerk, orgTown, operatorAt(pingan)} {
			if err := reg.EraseResident(ctx, a, h.HeadID, "家属申请删除"); !fault.Is(err, fault.Forbidden) && !fault.Is(err, fault.NotFound) {
				t.Fatalf("%s erased: %v", a.Username, err)
			}
		}
		if err := reg.EraseResident(ctx, leader, h.HeadID, " "); !fault.Is(err, fault.Invalid) {
			t.Fatalf("erased without a reason: %v", err)
		}
		if err := reg.EraseResident(ctx, leader, h.HeadID, "家属依法申请删除"); err != nil {
			t.Fatal(err)
		}

		var name, mongol, birth, idMasked, phoneMasked string
		var idEnc, phoneEnc []byte
		var idHash, phoneHash *string
		if err := db.RawRow(ctx, `SELECT name, name_mongol, birth_date, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked FROM residents WHERE id = ?`, h.HeadID).
			Scan(&name, &mongol, &birth, &idEnc, &idHash, &idMasked, &phoneEnc, &phoneHash, &phoneMasked); err != nil {
			t.Fatal(err)
		}
		if name != registry.ErasedName || mongol != "" || birth != "" || idEnc != nil || idHash != nil || idMasked != "" || phoneEnc != nil || phoneHash != nil || phoneMasked != "" {
			t.Fatalf("resident row after erasure: %q %q %q %v %v %q %v %v %q", name, mongol, birth, idEnc, idHash, idMasked, phoneEnc, phoneHash, phoneMasked)
		}
		var mName, mIDMasked, mPhoneMasked, mBirth, mResidence string
		var mIDEnc, mPhoneEnc []byte
		var mIDHash *string
		if err := db.RawRow(ctx, `SELECT name, id_enc, id_hash, id_masked, phone_enc, phone_masked, birth_date, residence FROM org_members WHERE resident_id = ?`, h.HeadID).
			Scan(&mName, &mIDEnc, &mIDHash, &mIDMasked, &mPhoneEnc, &mPhoneMasked, &mBirth, &mResidence); err != nil {
			t.Fatal(err)
		}
		if mName != registry.ErasedName || mIDEnc != nil || mIDHash != nil || mIDMasked != "" || mPhoneEnc != nil || mPhoneMasked != "" || mBirth != "" || mResidence != "" {
			t.Fatalf("org member after erasure: %q %v %v %q %v %q %q %q", mName, mIDEnc, mIDHash, mIDMasked, mPhoneEnc, mPhoneMasked, mBirth, mResidence)
		}
		var left int
		if err := db.RawRow(ctx, `SELECT count(*) FROM household_events WHERE resident_name = ?`, "张大山").Scan(&left); err != nil || left != 0 {
			t.Fatalf("household history still names him %d times (%v)", left, err)
		}
		var cName, cBirth, cIDMasked string
		var cIDEnc, cPhoneEnc []byte
		var cIDHash *string
		if err := db.RawRow(ctx, `SELECT name, birth_date, id_enc, id_hash, id_masked, phone_enc FROM talent_candidates WHERE id = ?`, cand.ID).
			Scan(&cName, &cBirth, &cIDEnc, &cIDHash, &cIDMasked, &cPhoneEnc); err != nil {
			t.Fatal(err)
		}
		if cName != registry.ErasedName || cBirth != "" || cIDEnc != nil || cIDHash != nil || cIDMasked != "" || cPhoneEnc != nil {
			t.Fatalf("talent application after erasure: %q %q %v %v %q %v", cName, cBirth, cIDEnc, cIDHash, cIDMasked, cPhoneEnc)
		}
		var talentPerson string
		if err := db.RawRow(ctx, `SELECT person FROM review_items WHERE id = ?`, cand.ReviewID).Scan(&talentPerson); err != nil || talentPerson != "" {
			t.Fatalf("talent review item still shows %q (%v)", talentPerson, err)
		}
		var personOnNotice string
		if err := db.RawRow(ctx, `SELECT person FROM review_items WHERE id = ?`, aw.ReviewID).Scan(&personOnNotice); err != nil || personOnNotice != "" {
			t.Fatalf("review item still shows %q (%v)", personOnNotice, err)
		}
		for _, q := range []string{old.IDNumber, old.Phone, "张大山"} {
			if rows, n, err := reg.Residents(ctx, admin, registry.ResidentFilter{Query: q}); err != nil || n != 0 {
				t.Fatalf("search %q after erasure: %+v, %d, %v", q, rows, n, err)
			}
		}

		if after, err := db.Ledger().Balance(ctx, admin, h.ID); err != nil || after != before {
			t.Fatalf("balance %d → %d (%v)", before, after, err)
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger verify: %+v, %v", problems, err)
		}
		if _, problem, err := db.VerifyAudit(ctx); err != nil || problem != nil {
			t.Fatalf("audit verify: %+v, %v", problem, err)
		}
		es, n, err := db.Audit().Entries(ctx, orgAuditor, audit.Filter{Action: "personal.erase", Limit: 5})
		if err != nil || n != 1 {
			t.Fatalf("erasure audit: %d entries, %v", n, err)
		}
		for _, secret := range []string{"张大山", old.IDNumber, old.Phone, "大山"} {
			if strings.Contains(es[0].Detail, secret) || strings.Contains(es[0].Target, secret) {
				t.Fatalf("the audit entry carries personal data: %+v", es[0])
			}
		}

		if err := reg.EraseResident(ctx, leader, h.HeadID, "再次申请"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second erasure: %v", err)
		}
	})
}
