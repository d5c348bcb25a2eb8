package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestUnitNominations runs 单位推荐 end to end: the department gives two
// units places in a class; a unit's staff, granted for their unit, see
// only its cadres, nominate them through the 入学关 within the quota
// (over it refused in Chinese naming the quota, nothing written), two
// nominations racing for the last place leave exactly one in; the
// department withdraws one; the class's 班主任 and 跟班干部 see the class
// and its roll without any region grant, another class refused.
func TestUnitNominations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, cs, os := db.Training(), db.Cadres(), db.Org()
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		unit := func(name, region, code string) int64 {
			u, err := os.CreateUnit(ctx, orgBanner, org.UnitInput{Region: region, Name: name, CreditCode: creditcode.Complete(code), Type: org.Institution})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		u1, u2, far := unit("平安村卫生室", pingan, "12152221MA0N00001"), unit("科尔沁镇学校", keerqin, "12152221MA0N00002"), unit("外镇学校", dsVillage, "12152221MA0N00003")
		cadre := func(u int64, name string) int64 {
			c, err := cs.CreateCadre(ctx, orgBanner, org.CadreInput{Unit: u, Name: name, Post: "干事", Rank: "staff", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		c1, c2, c3, d1 := cadre(u1, "卫甲"), cadre(u1, "卫乙"), cadre(u1, "卫丙"), cadre(u2, "校甲")
		gone := cadre(u1, "卫丁")
		if _, err := cs.Leave(ctx, orgBanner, gone, org.LeaveInput{Date: "2026-01-01", Reason: org.LeaveTransfer}); err != nil {
			t.Fatal(err)
		}
		head, err := db.CreateUser(ctx, nil, "banzhuren", "班主任", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		escort, err := db.CreateUser(ctx, nil, "genban", "跟班干部", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: "卫生教育培训班", Start: "2026-06-01", End: "2026-06-05", Capacity: 4,
			Head: "banzhuren", Escort: "王跟班", EscortUser: "genban"})
		if err != nil {
			t.Fatal(err)
		}
		if k, err = s.AddSession(ctx, orgBanner, k.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: "开班", Hours: 2}); err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: "另一班", Start: "2026-07-01", End: "2026-07-05", Capacity: 4})
		if err != nil {
			t.Fatal(err)
		}
		// Quotas: bad settings refused whole.
		for name, in := range map[string][]training.QuotaInput{
			"twice":         {{Unit: u1, Quota: 1}, {Unit: u1, Quota: 2}},
			"negative":      {{Unit: u1, Quota: -1}},
			"outside":       {{Unit: far, Quota: 1}},
			"over capacity": {{Unit: u1, Quota: 3}, {Unit: u2, Quota: 2}},
		} {
			if _, err := s.SetQuotas(ctx, orgBanner, k.ID, in); !fault.Is(err, fault.Invalid) {
				t.Errorf("quotas %s: %v", name, err)
			}
		}
		qs, err := s.SetQuotas(ctx, orgBanner, k.ID, []training.QuotaInput{{Unit: u1, Quota: 2}, {Unit: u2, Quota: 1}})
		if err != nil || len(qs) != 2 {
			t.Fatalf("quotas: %v %+v", err, qs)
		}
		// The unit's staff, granted through the security administrator.
		users := db.Users(access.DefaultPolicy())
		uid, err := db.CreateUser(ctx, nil, "weisheng-renshi", "卫生室人事", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := users.Grant(ctx, authSec, uid, access.Grant{Role: access.UnitStaff, Region: pingan}); !fault.Is(err, fault.Invalid) {
			t.Errorf("unit staff without a unit: %v", err)
		}
		if err := users.Grant(ctx, authSec, uid, access.Grant{Role: access.UnitStaff, Unit: u1}); err != nil {
			t.Fatal(err)
		}
		u, _ := users.User(ctx, authSec, uid)
		staff := &access.Actor{UserID: uid, Username: "weisheng-renshi", Grants: u.Grants}
		if list, err := s.UnitCadres(ctx, staff, u1); err != nil || len(list) != 3 {
			t.Fatalf("own cadres: %v %d", err, len(list))
		}
		if _, err := cs.Cadre(ctx, staff, c1); err != nil {
			t.Errorf("own cadre's file: %v", err)
		}
		if _, err := s.CadreHours(ctx, staff, c1); err != nil {
			t.Errorf("own cadre's hours: %v", err)
		}
		for what, err := range map[string]error{
			"other unit's cadres": second(s.UnitCadres(ctx, staff, u2)),
			"other unit's cadre":  second(cs.Cadre(ctx, staff, d1)),
			"other unit's quotas": second(s.UnitQuotas(ctx, staff, u2)),
			"the class page":      second(s.Class(ctx, staff, k.ID)),
			"nominate for u2":     second(s.Nominate(ctx, staff, k.ID, u2, []int64{d1})),
		} {
			if !fault.Is(err, fault.NotFound) {
				t.Errorf("%s: %v", what, err)
			}
		}
		if _, _, err := cs.Cadres(ctx, staff, org.CadreFilter{}); err == nil {
			t.Error("a unit's staff list the region's cadres")
		}
		// The 入学关 and the quota.
		for name, ids := range map[string][]int64{"another unit's cadre": {c1, d1}, "left": {gone}, "over quota": {c1, c2, c3}} {
			adm, err := s.Nominate(ctx, staff, k.ID, u1, ids)
			if !fault.Is(err, fault.Invalid) || adm[len(adm)-1].Err == nil {
				t.Errorf("%s: %v %+v", name, err, adm)
			}
			if name == "over quota" {
				var fe *fault.Error
				if !errors.As(adm[2].Err, &fe) {
					t.Fatalf("over quota: %v", adm[2].Err)
				}
				if msg := cat.Text(i18n.Lang("zh-CN"), fe.Msg); !strings.Contains(msg, "名额 2 人") || !strings.Contains(msg, "平安村卫生室") {
					t.Errorf("over quota says %q", msg)
				}
			}
		}
		if es, _ := s.Enrolments(ctx, orgBanner, k.ID); len(es) != 0 {
			t.Fatalf("a refused nomination enrolled %d", len(es))
		}
		if _, err := s.Nominate(ctx, staff, k.ID, u1, []int64{c1}); err != nil {
			t.Fatal(err)
		}
		// Two nominations race for the unit's last place.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []int64{c2, c3} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Nominate(ctx, staff, k.ID, u1, []int64{c})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) || !fault.Is(errs[0], fault.Invalid) && !fault.Is(errs[1], fault.Invalid) {
			t.Fatalf("race for the last place: %v / %v", errs[0], errs[1])
		}
		qs, _ = s.Quotas(ctx, orgBanner, k.ID)
		for _, q := range qs {
			if q.Unit == u1 && q.Nominated != 2 {
				t.Errorf("u1 nominated %d of 2", q.Nominated)
			}
		}
		if _, err := s.SetQuotas(ctx, orgBanner, k.ID, []training.QuotaInput{{Unit: u1, Quota: 1}}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a quota below the nominated: %v", err)
		}
		c, es, err := s.UnitEnrolments(ctx, staff, k.ID, u1)
		if err != nil || c.ID != k.ID || len(es) != 2 {
			t.Fatalf("the unit's notice: %v %d", err, len(es))
		}
		// The department withdraws one; the place is free again.
		all, _ := s.Enrolments(ctx, orgBanner, k.ID)
		if err := s.Withdraw(ctx, staff, k.ID, all[0].ID); err == nil {
			t.Error("a unit's staff withdrew a nomination")
		}
		if err := s.Withdraw(ctx, orgBanner, k.ID, all[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Withdraw(ctx, orgBanner, k.ID, all[0].ID); !fault.Is(err, fault.Invalid) {
			t.Errorf("withdrawn twice: %v", err)
		}
		if _, err := s.Nominate(ctx, staff, k.ID, u1, []int64{all[0].Cadre.ID}); err != nil {
			t.Errorf("the freed place: %v", err)
		}
		for _, action := range []string{"training.quota", "training.nominate", "training.withdraw"} {
			if auditCount(t, db, action) == 0 {
				t.Errorf("%s is not audited", action)
			}
		}
		// The class's staff see it, and only it.
		for name, id := range map[string]int64{"班主任": head, "跟班干部": escort} {
			a := &access.Actor{UserID: id, Username: name}
			if _, err := s.Class(ctx, a, k.ID); err != nil {
				t.Errorf("%s reads the class: %v", name, err)
			}
			if _, err := s.Enrolments(ctx, a, k.ID); err != nil {
				t.Errorf("%s reads the trainees: %v", name, err)
			}
			if _, err := s.Roll(ctx, a, k.Sessions[0].ID); err != nil {
				t.Errorf("%s reads the roll: %v", name, err)
			}
			if _, err := s.Class(ctx, a, other.ID); !fault.Is(err, fault.NotFound) {
				t.Errorf("%s reads another class: %v", name, err)
			}
			if _, err := s.SetQuotas(ctx, a, k.ID, []training.QuotaInput{{Unit: u2, Quota: 1}}); err == nil {
				t.Errorf("%s sets quotas", name)
			}
			if st, _ := s.ClassStaff(ctx, a, k.ID); st == training.NotStaff {
				t.Errorf("%s is not staff", name)
			}
		}
	})
}
