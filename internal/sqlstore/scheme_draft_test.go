package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestSchemeDrafts walks a scheme from a draft to its versions the way a
// leader does on the scheme page: template, a refused edit that changes
// nothing, a short notice that the award flow then keeps, a copy taken by
// another village, and a version refused for dropping an item in review.
func TestSchemeDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ss := db.Schemes()
		lead := &access.Actor{UserID: 3, Username: "lead", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}}

		if _, err := ss.StartDraft(ctx, clerk, pingan, scheme.FromTemplate, ""); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("an operator started a scheme: %v", err)
		}
		if _, err := ss.PublishDraft(ctx, lead, keerqin, time.Time{}); msgKey(err) != "scheme.draft.none" {
			t.Fatalf("publish without a draft: %v", err)
		}
		d, err := ss.StartDraft(ctx, lead, keerqin, scheme.FromTemplate, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Aspects) != 6 || len(d.Items) != 40 || d.NoticeDays != scheme.DefaultNoticeDays {
			t.Fatalf("template draft: %d aspects, %d items, notice %d", len(d.Aspects), len(d.Items), d.NoticeDays)
		}

		// 庭院整洁 is counted per month: ten a month contradicts that.
		bad := *d
		bad.Items = append([]scheme.Item(nil), d.Items...)
		bad.Items[0].Cap, bad.Items[0].Points = 10, 9
		if _, err := ss.SaveDraft(ctx, lead, bad); msgKey(err) != "scheme.item.cap_unit" && !fault.Is(err, fault.Invalid) {
			t.Fatalf("contradictory cap: %v", err)
		}
		if got, _ := ss.Draft(ctx, lead, keerqin); got.Items[0].Points != 2 {
			t.Fatalf("a refused draft changed the stored one: %+v", got.Items[0])
		}

		// A two-day notice; 乱倒垃圾污水 (env-07) dropped.
		d.NoticeDays = 2
		d.Items = append(d.Items[:6:6], d.Items[7:]...)
		if _, err := ss.SaveDraft(ctx, lead, *d); err != nil {
			t.Fatal(err)
		}
		v1, err := ss.PublishDraft(ctx, lead, keerqin, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.NoticeDays != 2 || len(v1.Items) != 39 || v1.Actor != "lead" {
			t.Fatalf("published = v%d notice %d, %d items by %q", v1.Version, v1.NoticeDays, len(v1.Items), v1.Actor)
		}
		if d, err := ss.Draft(ctx, lead, keerqin); d != nil || err != nil {
			t.Fatalf("the draft outlived its publication: %v", err)
		}

		// Another village's leader, who cannot read the township's
		// registers, copies its rules as the village's own.
		villageLead := &access.Actor{UserID: 4, Username: "yz", Grants: []access.Grant{{Role: access.Leader, Region: yuanzheng}}}
		other, err := ss.StartDraft(ctx, villageLead, yuanzheng, scheme.CopyVillage, keerqin)
		if err != nil {
			t.Fatal(err)
		}
		if len(other.Items) != 39 || other.NoticeDays != 2 || other.Inherits {
			t.Fatalf("copied draft: %d items, notice %d, inherits %v", len(other.Items), other.NoticeDays, other.Inherits)
		}
		if _, err := ss.StartDraft(ctx, villageLead, yuanzheng, scheme.CopyVillage, "152221999999"); !fault.Is(err, fault.Invalid) {
			t.Fatalf("copy from a region that does not exist: %v", err)
		}

		// An award in pingan takes the scheme's notice length with it.
		rev := db.Review(storetest.AwardFlows(t), map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
		committee := &access.Actor{UserID: 7, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
		h := ledgerHousehold(t, db, "001", 1)
		w, err := db.Awards(rev).Record(ctx, clerk, points.AwardInput{Key: "k1", Household: h, Item: "env-03"})
		if err != nil {
			t.Fatal(err)
		}
		it, err := rev.Decide(ctx, committee, w.ReviewID, review.Approve, "")
		if err != nil {
			t.Fatal(err)
		}
		if it.State != review.InNotice || it.WindowEnd.Sub(it.WindowStart) != 48*time.Hour {
			t.Fatalf("notice = %s %s–%s, want two days", it.State, it.WindowStart, it.WindowEnd)
		}

		// A next version dropping 垃圾分类投放 while that award is on
		// notice is refused and leaves the draft and versions as they were.
		next, err := ss.StartDraft(ctx, lead, keerqin, "", "")
		if err != nil {
			t.Fatal(err)
		}
		var kept []scheme.Item
		for _, x := range next.Items {
			if x.Code != "env-03" {
				kept = append(kept, x)
			}
		}
		next.Items = kept
		if _, err := ss.SaveDraft(ctx, lead, *next); err != nil {
			t.Fatal(err)
		}
		diff := scheme.Diff(v1.Items, next.Items)
		if last := diff[len(diff)-1]; last.Change != scheme.Removed || last.Code != "env-03" {
			t.Fatalf("diff ends with %+v", last)
		}
		if _, err := ss.PublishDraft(ctx, lead, keerqin, schemeDay("2026-06-02")); msgKey(err) != "scheme.item_in_review" {
			t.Fatalf("removed an item in review: %v", err)
		}
		if vs, _ := ss.Versions(ctx, lead, keerqin); len(vs) != 1 {
			t.Fatalf("%d versions after a refused publication", len(vs))
		}
		now = now.Add(3 * 24 * time.Hour)
		if n, err := rev.FinaliseDue(ctx, now); err != nil || n != 1 {
			t.Fatalf("finalised %d (%v) after two days' notice", n, err)
		}
		v2, err := ss.PublishDraft(ctx, lead, keerqin, schemeDay("2026-06-05"))
		if err != nil {
			t.Fatal(err)
		}
		if vs, _ := ss.Versions(ctx, lead, keerqin); len(vs) != 2 || vs[0].ID != v2.ID || scheme.Day(vs[1].EffectiveTo) != "2026-06-05" {
			t.Fatalf("versions after the second publication: %+v", vs)
		}
	})
}
