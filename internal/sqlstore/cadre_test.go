package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// cadreID is a valid ID number of the banner for the cadre tests.
func cadreID(seq int) string { return idFor("19800101", seq) }

func TestCadres(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Cadres()
		u, err := db.Org().CreateUnit(ctx, orgTown, org.UnitInput{Region: keerqin, Name: "科尔沁镇人民政府", CreditCode: creditcode.Complete("11152221MB1234567"), Type: org.Government})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateCadre(ctx, orgTown, org.CadreInput{Unit: u.ID, Name: " 王明 ", Gender: "男", IDNumber: cadreID(1), Phone: "13812345678",
			Post: "副镇长", Rank: "township", Sector: "农业农村", Appointed: "2021-06-01"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "王明" || c.Region != keerqin || c.UnitName != u.Name || c.RankName != "乡科级" || c.IDMasked == "" || c.IDMasked == cadreID(1) || c.PhoneMasked == "13812345678" {
			t.Fatalf("cadre %+v", c)
		}
		for name, cc := range map[string]struct {
			in   org.CadreInput
			code fault.Code
		}{
			"unknown rank":     {org.CadreInput{Region: pingan, Name: "甲", Post: "村支书", Rank: "nope", Appointed: "2021-01-01"}, fault.Invalid},
			"future appointed": {org.CadreInput{Region: pingan, Name: "甲", Post: "村支书", Rank: "village", Appointed: "2999-01-01"}, fault.Invalid},
			"no post":          {org.CadreInput{Region: pingan, Name: "甲", Rank: "village", Appointed: "2021-01-01"}, fault.Invalid},
			"same ID number":   {org.CadreInput{Region: pingan, Name: "乙", IDNumber: cadreID(1), Post: "村支书", Rank: "village", Appointed: "2021-01-01"}, fault.Conflict},
			"sibling's region": {org.CadreInput{Region: dsVillage, Name: "丙", Post: "村支书", Rank: "village", Appointed: "2021-01-01"}, fault.Forbidden},
			"unknown account":  {org.CadreInput{Region: pingan, Name: "丁", Post: "村支书", Rank: "village", Appointed: "2021-01-01", Username: "nobody"}, fault.Invalid},
		} {
			if _, err := s.CreateCadre(ctx, orgTown, cc.in); fault.CodeOf(err) != cc.code {
				t.Errorf("%s: %v, want %s", name, err, cc.code)
			}
		}
		if _, err := s.Cadre(ctx, orgSibling, c.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling township reads the cadre: %v", err)
		}
		// The village secretary reads 平安村's cadres, not the township's.
		if _, err := s.UpdateCadre(ctx, orgSec, c.ID, c.CadreInput); !fault.Is(err, fault.NotFound) {
			t.Errorf("secretary changes a township cadre: %v", err)
		}
		in := c.CadreInput
		in.Post, in.IDNumber, in.Phone = "镇长", "", ""
		if got, err := s.UpdateCadre(ctx, orgBanner, c.ID, in); err != nil || got.Post != "镇长" || got.IDMasked != c.IDMasked {
			t.Fatalf("update: %v %+v", err, got)
		}
		if _, err := s.CreateCadre(ctx, orgTown, org.CadreInput{Region: pingan, Name: "李华", Post: "村党支部书记", Rank: "village", Sector: "党建", Appointed: "2021-01-01"}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			f    org.CadreFilter
			want int
		}{{org.CadreFilter{}, 2}, {org.CadreFilter{Rank: "village"}, 1}, {org.CadreFilter{Unit: u.ID}, 1}, {org.CadreFilter{Sector: "党建"}, 1}, {org.CadreFilter{Query: "镇长"}, 1}, {org.CadreFilter{Region: pingan}, 1}} {
			list, total, err := s.Cadres(ctx, orgTown, f.f)
			if err != nil || total != f.want || len(list) != f.want {
				t.Errorf("filter %+v: %d %v, want %d", f.f, total, err, f.want)
			}
		}
		if list, total, err := s.Cadres(ctx, orgSec, org.CadreFilter{}); err != nil || total != 1 || list[0].Name != "李华" {
			t.Errorf("secretary's list: %d %v", total, err)
		}
		if _, _, err := s.Cadres(ctx, orgSibling, org.CadreFilter{Region: pingan}); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling lists 平安村's cadres: %v", err)
		}
		if n := auditCount(t, db, "cadre.create"); n != 2 {
			t.Errorf("%d cadre.create audit rows, want 2", n)
		}
		ranks, err := s.SaveRank(ctx, orgTown, org.Rank{Code: "county", Name: "县处级", Hours: 120, Position: 1})
		if err != nil || ranks[0].Hours != 120 {
			t.Fatalf("save rank: %v %+v", err, ranks)
		}
		if _, err := s.SaveRank(ctx, orgTown, org.Rank{Code: "other", Name: "乡科级", Hours: 10}); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second rank of the same name: %v", err)
		}
	})
}

// TestCadreLeaveEndsGrants records a 换届: the leaving secretary's grants
// and API token end at the start of the leaving day, the successor's
// grant begins then, all in one audited step; a refused leaving changes
// nothing.
func TestCadreLeaveEndsGrants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 10, 4, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		policy := access.DefaultPolicy()
		policy.SkipMFA = true
		auth, users := db.Auth(policy), db.Users(policy)
		oldID := authUser(t, db, "old-sec", access.Grant{Role: access.Secretary, Region: pingan}, access.Grant{Role: access.Operator, Region: dsVillage})
		authUser(t, db, "new-sec")
		authUser(t, db, "no-grants")
		oldActor := &access.Actor{UserID: oldID, Username: "old-sec"}
		token, err := users.CreateToken(ctx, oldActor, "对接", policy.TokenMaxAge)
		if err != nil {
			t.Fatal(err)
		}
		s := db.Cadres()
		mk := func(name, user string) *org.Cadre {
			c, err := s.CreateCadre(ctx, orgTown, org.CadreInput{Region: pingan, Name: name, Post: "村党支部书记", Rank: "village", Appointed: "2021-01-01", Username: user})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		old, succ, bare := mk("老书记", "old-sec"), mk("新书记", "new-sec"), mk("无账号", "")
		if _, err := s.CreateCadre(ctx, orgTown, org.CadreInput{Region: pingan, Name: "重复", Post: "委员", Rank: "village", Appointed: "2021-01-01", Username: "old-sec"}); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second cadre on the same account: %v", err)
		}

		// Refusals change nothing: a successor without an account to hand
		// over to, a date before the appointment, a reason not on the list.
		for name, in := range map[string]org.LeaveInput{
			"successor without account": {Date: "2026-05-12", Reason: org.LeaveTerm, Successor: bare.ID, HandOver: true},
			"before appointed":          {Date: "2020-05-12", Reason: org.LeaveTerm},
			"unknown reason":            {Date: "2026-05-12", Reason: "不想干了"},
			"years ahead":               {Date: "2030-05-12", Reason: org.LeaveTerm},
		} {
			if _, err := s.Leave(ctx, orgTown, old.ID, in); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if _, err := s.Leave(ctx, orgSibling, old.ID, org.LeaveInput{Date: "2026-05-12", Reason: org.LeaveTerm}); !fault.Is(err, fault.NotFound) {
			t.Errorf("sibling township records the leaving: %v", err)
		}
		if c, _ := s.Cadre(ctx, orgTown, old.ID); c.Left != "" || auditCount(t, db, "role.end") != 0 {
			t.Fatalf("a refused leaving left traces: %+v", c)
		}

		res, err := s.Leave(ctx, orgTown, old.ID, org.LeaveInput{Date: "2026-05-12", Reason: org.LeaveTerm, Successor: succ.ID, HandOver: true})
		if err != nil {
			t.Fatal(err)
		}
		// The operator grant at the sibling's village ends too, but is not
		// the township's to hand over.
		if res.EndedGrants != 2 || res.EndedTokens != 1 || res.HandedOver != 1 || res.Kept != 1 || res.Cadre.Left != "2026-05-12" || res.Cadre.SuccessorName != "新书记" {
			t.Fatalf("leaving = %+v, cadre %+v", res, res.Cadre)
		}
		if _, err := s.Leave(ctx, orgTown, old.ID, org.LeaveInput{Date: "2026-05-13", Reason: org.LeaveTerm}); !fault.Is(err, fault.Conflict) {
			t.Errorf("leaving twice: %v", err)
		}
		// Until the day, the leaver acts and the successor does not.
		if sess := authSession(t, auth, token, "token before the day"); grantsString(sess.Actor.Grants) != fmt.Sprintf("secretary@%s/0,operator@%s/0", pingan, dsVillage) {
			t.Fatalf("leaver's grants before the day: %s", grantsString(sess.Actor.Grants))
		}
		if sess := authSession(t, auth, authLogin(t, auth, "new-sec", authPW), "successor before the day"); len(sess.Actor.Grants) != 0 {
			t.Fatalf("successor's grants before the day: %s", grantsString(sess.Actor.Grants))
		}
		// 2026-05-12 00:00 in the deployment's zone has passed.
		now = org.Start("2026-05-12").Add(time.Minute)
		authGone(t, auth, token, "leaver's API token on the day")
		if sess := authSession(t, auth, authLogin(t, auth, "new-sec", authPW), "successor on the day"); grantsString(sess.Actor.Grants) != "secretary@"+pingan+"/0" {
			t.Fatalf("successor's grants on the day: %s", grantsString(sess.Actor.Grants))
		}
		if list, _, _ := s.Cadres(ctx, orgTown, org.CadreFilter{Region: pingan}); len(list) != 2 {
			t.Errorf("%d cadres in post after the leaving, want 2", len(list))
		}
		for action, want := range map[string]int{"cadre.leave": 1, "role.end": 2, "token.end": 1} {
			if n := auditCount(t, db, action); n != want {
				t.Errorf("%d %s audit rows, want %d", n, action, want)
			}
		}
	})
}

func TestCadreImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Cadres()
		row := func(line int, name, id string) org.CadreRow {
			return org.CadreRow{Line: line, Input: org.CadreInput{Region: pingan, Name: name, IDNumber: id, Post: "村委会委员", Rank: "village", Appointed: "2021-01-01"}}
		}
		rows := []org.CadreRow{row(2, "甲", cadreID(3)), row(3, "乙", cadreID(3)), row(4, "", ""), row(5, "丁", "")}
		checked, err := s.ImportCadres(ctx, orgTown, rows, false)
		if err != nil {
			t.Fatal(err)
		}
		if checked[0].Err != nil || !fault.Is(checked[1].Err, fault.Conflict) || !fault.Is(checked[2].Err, fault.Invalid) || checked[3].Err != nil {
			t.Fatalf("checked rows: %v / %v / %v / %v", checked[0].Err, checked[1].Err, checked[2].Err, checked[3].Err)
		}
		if _, total, _ := s.Cadres(ctx, orgTown, org.CadreFilter{}); total != 0 {
			t.Fatalf("a check registered %d cadres", total)
		}
		done, err := s.ImportCadres(ctx, orgTown, rows, true)
		if err != nil || done[0].ID == 0 || done[3].ID == 0 || done[1].ID != 0 {
			t.Fatalf("import: %v %+v", err, done)
		}
		if _, total, _ := s.Cadres(ctx, orgTown, org.CadreFilter{}); total != 2 {
			t.Fatalf("import registered %d cadres, want 2", total)
		}
	})
}
