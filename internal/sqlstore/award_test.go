package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAwardThroughReview follows an award from the committee member's entry
// through the committee's approval and seven days of public notice to the
// ledger, and checks caps, evidence and objections on the way.
func TestAwardThroughReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		flows := storetest.AwardFlows(t)
		rev := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
		aw := db.Awards(rev)
		committee := &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
		h := ledgerHousehold(t, db, "001", 1)

		// 垃圾分类投放 (env-03): +1 per inspection, needs no evidence, at most 4 a month.
		var ids []int64
		for i := range 4 {
			w, err := aw.Record(ctx, clerk, points.AwardInput{Key: "g" + string(rune('a'+i)), Household: h, Item: "env-03"})
			if err != nil {
				t.Fatal(err)
			}
			if w.Status != points.AwardPending || w.Points != 1 || w.ReviewID == 0 {
				t.Fatalf("award = %+v", w)
			}
			ids = append(ids, w.ReviewID)
		}
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "g5", Household: h, Item: "env-03"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("fifth award in a month of a 4-cap item: %v", err)
		}
		// 庭院整洁 (env-01) needs a photo.
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "p1", Household: h, Item: "env-01"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("award without its photo: %v", err)
		}
		// A reviewer cannot record; the clerk cannot approve.
		if _, err := aw.Record(ctx, committee, points.AwardInput{Key: "r1", Household: h, Item: "env-03"}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a reviewer recorded an award: %v", err)
		}
		if _, err := rev.Decide(ctx, clerk, ids[0], review.Approve, ""); err == nil {
			t.Fatal("the clerk approved their own award")
		}
		for _, id := range ids[:3] {
			if _, err := rev.Decide(ctx, committee, id, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := rev.Decide(ctx, committee, ids[3], review.Reject, "重复登记"); err != nil {
			t.Fatal(err)
		}
		// A villager objects to one award during its notice.
		villager := &access.Actor{UserID: 9, Username: "cunmin", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: h}}}
		obj, err := rev.Object(ctx, villager, pingan, ids[2], "当天没有检查")
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 0 {
			t.Fatalf("points reached the ledger before the notice ended: %d", b)
		}
		now = now.Add(8 * 24 * time.Hour)
		if n, err := rev.FinaliseDue(ctx, now); err != nil || n != 2 {
			t.Fatalf("finalised %d (%v), want 2: the objected one waits", n, err)
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 2 {
			t.Fatalf("balance %d after two approved awards, want 2", b)
		}
		if _, err := rev.ResolveObjection(ctx, committee, obj.ID, true, "核实无检查记录"); err != nil {
			t.Fatal(err)
		}
		if n, _ := rev.FinaliseDue(ctx, now.Add(time.Hour)); n != 0 {
			t.Fatalf("finalised %d again", n)
		}
		list, err := aw.Awards(ctx, clerk, h)
		if err != nil {
			t.Fatal(err)
		}
		st := map[points.AwardStatus]int{}
		for _, w := range list {
			st[w.Status]++
		}
		if st[points.AwardApproved] != 2 || st[points.AwardRejected] != 1 || st[points.AwardCanceled] != 1 {
			t.Fatalf("award statuses %v", st)
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 2 {
			t.Fatalf("balance %d at the end, want 2", b)
		}
		if problems, _ := db.Ledger().Verify(ctx); len(problems) != 0 {
			t.Fatalf("verify: %+v", problems)
		}
		// The cap counts pending and approved awards only: two were
		// rejected or cancelled, so two more fit this month.
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: "g6", Household: h, Item: "env-03", Date: time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatalf("award after a rejection freed the cap: %v", err)
		}
	})
}

// TestRankings checks that approved awards, and only they, reach the
// maintained totals, and that rankings and participation rates read them.
func TestRankings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		flows := storetest.AwardFlows(t)
		rev := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
		committee := &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
		a, b := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		c := ledgerHousehold(t, db, "003", 3) // earns nothing
		record := func(key string, h int64, item string) int64 {
			w, err := db.Awards(rev).Record(ctx, clerk, points.AwardInput{Key: key, Household: h, Item: item, Evidence: "记录", Witness: "网格员", Photo: true})
			if err != nil {
				t.Fatal(err)
			}
			return w.ReviewID
		}
		ids := []int64{record("1", a, "env-03"), record("2", a, "pub-01"), record("3", b, "env-03"), record("4", b, "env-03")}
		for _, id := range ids[:3] {
			if _, err := rev.Decide(ctx, committee, id, review.Approve, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := rev.Decide(ctx, committee, ids[3], review.Reject, "不实"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(8 * 24 * time.Hour)
		if _, err := rev.FinaliseDue(ctx, now); err != nil {
			t.Fatal(err)
		}
		r := db.Rankings()
		hs, err := r.Households(ctx, clerk, pingan, "2026-06", "", 10)
		if err != nil || len(hs) != 2 || hs[0].Household != a || hs[0].Points != 3 || hs[1].Points != 1 {
			t.Fatalf("household ranking %+v, %v", hs, err)
		}
		env, _ := r.Households(ctx, clerk, pingan, "2026", "env", 10)
		if len(env) != 2 || env[0].Points != 1 || env[1].Points != 1 {
			t.Fatalf("environment ranking for the year %+v", env)
		}
		vs, err := r.Villages(ctx, admin, keerqin, "2026-06", "")
		if err != nil || len(vs) < 2 || vs[0].Village != pingan || vs[0].Points != 4 || vs[0].Households != 2 || vs[0].Total != 3 {
			t.Fatalf("village ranking %+v, %v", vs[:min(2, len(vs))], err)
		}
		for _, want := range []struct {
			h      int64
			rank   int
			points int64
		}{{a, 1, 3}, {b, 2, 1}, {c, 3, 0}} {
			st, err := r.Standing(ctx, clerk, want.h, "2026-06")
			if err != nil || st.Rank != want.rank || st.Points != want.points || st.Of != 3 {
				t.Fatalf("standing of household %d: %+v, %v; want rank %d with %d points of 3", want.h, st, err, want.rank, want.points)
			}
		}
		stranger := &access.Actor{Username: "waicun", Grants: []access.Grant{{Role: access.Operator, Region: "152221103212"}}}
		if _, err := r.Standing(ctx, stranger, a, "2026-06"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("another village's clerk read a standing: %v", err)
		}
		// A banner or the league takes the other plan (the top index read
		// in points order); it must rank the same households the same way.
		for _, wide := range []string{"152221000000", "152200000000"} {
			ws, err := r.Households(ctx, admin, wide, "2026-06", "", 10)
			if err != nil || len(ws) != 2 || ws[0].Household != a || ws[0].Points != 3 || ws[1].Household != b || ws[0].Head == "" {
				t.Fatalf("household ranking of %s: %+v, %v", wide, ws, err)
			}
		}
		if _, err := r.Households(ctx, clerk, keerqin, "2026-06", "", 10); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a village clerk ranked the township: %v", err)
		}
	})
}

func TestDeclaration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		flows := storetest.AwardFlows(t)
		aw := db.Awards(db.Review(flows, nil))
		mine, theirs := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		villager := &access.Actor{UserID: 9, Username: "cunmin", Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: mine}}}
		w, err := aw.Record(ctx, villager, points.AwardInput{Key: "d1", Household: mine, Item: "pub-01", Channel: points.Declaration, Evidence: "清理村道积雪", Photo: true})
		if err != nil || w.Status != points.AwardPending || w.Channel != points.Declaration {
			t.Fatalf("declaration: %+v, %v", w, err)
		}
		if _, err := aw.Record(ctx, villager, points.AwardInput{Key: "d2", Household: theirs, Item: "pub-01", Channel: points.Declaration, Evidence: "x", Photo: true}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a declaration for another household: %v", err)
		}
		if _, err := aw.Record(ctx, villager, points.AwardInput{Key: "d3", Household: mine, Item: "env-06", Channel: points.Declaration, Evidence: "x", Photo: true}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a declared deduction: %v", err)
		}
		if _, err := aw.Record(ctx, villager, points.AwardInput{Key: "d4", Household: mine, Item: "pub-01", Evidence: "x", Photo: true}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a villager recording as the committee: %v", err)
		}
	})
}

func TestAwardImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		flows := storetest.AwardFlows(t)
		aw := db.Awards(db.Review(flows, nil))
		ledgerHousehold(t, db, "001", 1)
		ledgerHousehold(t, db, "002", 2)
		sheetCSV := "平安村积分登记表\n户号,事项编码,说明,证明人,照片,日期\n001,env-03,月度检查,,,2026-06-01\n002,env-03,月度检查,,,\n009,env-03,,,,\n001,nope,,,,\n"
		batch, err := aw.StageAwards(ctx, clerk, pingan, "积分.csv", []byte(sheetCSV))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := aw.RunAwards(ctx, clerk, batch, registry.Preview)
		if err != nil || rep.Rows != 4 || rep.Recorded != 2 || rep.Rejected != 2 {
			t.Fatalf("preview %+v, %v", rep, err)
		}
		if list, _ := aw.Awards(ctx, clerk, 1); len(list) != 0 {
			t.Fatalf("the preview wrote %d awards", len(list))
		}
		if _, err := aw.RunAwards(ctx, clerk, batch, registry.All); !fault.Is(err, fault.Invalid) {
			t.Fatalf("all-or-nothing with bad rows: %v", err)
		}
		rep, err = aw.RunAwards(ctx, clerk, batch, registry.SkipBad)
		if err != nil || !rep.Committed || rep.Recorded != 2 {
			t.Fatalf("skip bad rows: %+v, %v", rep, err)
		}
		if _, err := aw.RunAwards(ctx, clerk, batch, registry.SkipBad); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second run: %v", err)
		}
		if _, err := aw.StageAwards(ctx, clerk, pingan, "bad.csv", []byte("姓名,分值\n张三,5\n")); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a sheet without the columns: %v", err)
		}
	})
}
