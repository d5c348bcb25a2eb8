package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAwardPrintsMigration builds a database at the schema before
// migration 0049 with awards as the previous version stored them, each
// with its fingerprint as text and its review item: one with evidence, a
// witness and a proxy, one with photos (their sums at the end of its
// fingerprint) and a correction; the first two with their submissions
// logged. After the migration only the photos' sums are kept, an award
// read back has the village, item name, recorder and time its item
// holds, and
// the fingerprints read back from the rows answer retries as before: the
// same request under its key gets its award back, another request under
// it is refused, for an award and a correction alike. The submission
// that said only what its item says is no longer logged, the other is,
// and each item's log still begins with its submission.
func TestAwardPrintsMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := oldAwards(t, engine)
			if err := f.db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			db, h, plain, pictured, correction := f.db, f.household, f.plain, f.pictured, f.correction
			for id, want := range map[int64]string{plain: "", pictured: "aa11,bb22", correction: ""} {
				var sums string
				if err := db.RawRow(ctx, `SELECT photo_sums FROM awards WHERE id = ?`, id).Scan(&sums); err != nil || sums != want {
					t.Fatalf("award %d keeps photo sums %q (%v), want %q", id, sums, err, want)
				}
			}
			var logged int64
			if err := db.RawRow(ctx, `SELECT item_id FROM review_transitions`).Scan(&logged); err != nil || logged != f.items[pictured] {
				t.Fatalf("the submission left logged is item %d's (%v), want only item %d's", logged, err, f.items[pictured])
			}

			flows := storetest.AwardFlows(t)
			rev := db.Review(flows, nil)
			for award, at := range map[int64]int64{plain: 1000, pictured: 1001} {
				it, err := rev.Item(ctx, admin, f.items[award])
				if err != nil || len(it.Transitions) != 1 {
					t.Fatalf("item %d: %+v %v, want its submission alone", f.items[award], it, err)
				}
				if s := it.Transitions[0]; s.Action != review.ActSubmit || s.To != review.Pending || s.ActorID != clerk.UserID || s.Actor != "clerk" || s.At.UnixMilli() != at {
					t.Fatalf("item %d's submission: %+v, want the clerk's at %d", f.items[award], s, at)
				}
			}
			aw := db.Awards(rev)
			in := f.in
			w, err := aw.Record(ctx, clerk, in)
			if err != nil || w.ID != plain {
				t.Fatalf("the same award sent again after the migration: %+v %v, want award %d", w, err, plain)
			}
			if w.Village != pingan || w.ItemName != "垃圾分类投放" || w.Actor != "clerk" || w.Created.UnixMilli() != 1000 {
				t.Fatalf("award read back: %+v, want 平安村's 垃圾分类投放 by clerk at 1000", w)
			}
			other := in
			other.Witness = "村医"
			if _, err := aw.Record(ctx, clerk, other); msgKey(err) != "points.key_reused" {
				t.Fatalf("another award under the key: %v, want points.key_reused", err)
			}
			c := points.Correction{Key: "c1", Household: h, Award: plain, Reason: "记错了户"}
			if w, err := aw.Correct(ctx, clerk, c); err != nil || w.ID != correction {
				t.Fatalf("the same correction sent again: %+v %v, want award %d", w, err, correction)
			}
			c.Reason = "另一个理由"
			if _, err := aw.Correct(ctx, clerk, c); msgKey(err) != "points.key_reused" {
				t.Fatalf("another correction under the key: %v, want points.key_reused", err)
			}
		})
	}
}

// TestAwardPrintsMigrationRefusesDifferences: where an award's review
// item does not say what the award does (here another title), migration
// 0049 stops and leaves the award's own columns in place.
func TestAwardPrintsMigrationRefusesDifferences(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := oldAwards(t, engine)
			rawExec(t, f.db, `UPDATE review_items SET title = '垃圾分类' WHERE id = ?`, f.items[f.pictured])
			if err := f.db.Migrate(ctx); err == nil {
				t.Fatal("migrated awards whose review item differs")
			}
			var name string
			if err := f.db.RawRow(ctx, `SELECT item_name FROM awards WHERE id = ?`, f.pictured).Scan(&name); err != nil || name != "垃圾分类投放" {
				t.Fatalf("after the refused migration the award's item name is %q (%v)", name, err)
			}
		})
	}
}

// awardsBefore0049 is a database at the schema before migration 0049 with
// awards stored as the version before it stored them.
type awardsBefore0049 struct {
	db                          *sqlstore.DB
	household                   int64
	in                          points.AwardInput // what plain was recorded from
	plain, pictured, correction int64
	items                       map[int64]int64 // award → its review item
}

func oldAwards(t *testing.T, engine string) awardsBefore0049 {
	t.Helper()
	ctx := context.Background()
	db, _ := keyedBefore(t, engine, "0049")
	if _, err := db.SeedRegions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
		t.Fatal(err)
	}
	h := ledgerHousehold(t, db, "001", 1)
	day := "2026-06-01"
	in := points.AwardInput{Key: "k1", Household: h, Item: "env-03", Channel: points.Proxy, ProxyFor: "赵二", Evidence: "清扫村道", Witness: "网格员", Date: scheme.ParseDay(day)}
	f := awardsBefore0049{db: db, household: h, in: in, items: map[int64]int64{}}
	// old stores an award with its review item, created at 1000 by the
	// clerk, and the item's submission logged at 1000+logAt unless
	// logAt < 0.
	old := func(key, fp string, photo, corrects int64, reason string, logAt int64) int64 {
		t.Helper()
		var id, item int64
		if err := db.RawRow(ctx, `INSERT INTO awards (household_id, village_code, item_code, item_name, points, channel, proxy_for, evidence, witness, photo,
			scheme_versions, period, award_date, status, idem_key, fingerprint, actor_id, actor_name, created_at, updated_at, corrects_id, reason)
			VALUES (?, ?, ?, '垃圾分类投放', 1, ?, ?, ?, ?, ?, '1', '2026-06', ?, 'pending', ?, ?, ?, 'clerk', 1000, 1000, ?, ?) RETURNING id`,
			h, pingan, in.Item, string(in.Channel), in.ProxyFor, in.Evidence, in.Witness, photo, day, key, fp, clerk.UserID, corrects, reason).Scan(&id); err != nil {
			t.Fatal(err)
		}
		kind := "award"
		if corrects != 0 {
			kind = sqlstore.CorrectionKind
		}
		if err := db.RawRow(ctx, `INSERT INTO review_items (flow, subject_kind, subject_id, region_code, title, step, state, submitter_id, submitter_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, '垃圾分类投放', 0, 'pending', ?, 'clerk', 1000, 1000) RETURNING id`, points.AwardFlow, kind, id, pingan, clerk.UserID).Scan(&item); err != nil {
			t.Fatal(err)
		}
		if logAt >= 0 {
			rawExec(t, db, `INSERT INTO review_transitions (item_id, step, action, from_state, to_state, actor_id, actor_name, reason, at)
				VALUES (?, 0, 'submit', '', 'pending', ?, 'clerk', '', ?)`, item, clerk.UserID, 1000+logAt)
		}
		rawExec(t, db, `UPDATE awards SET review_id = ? WHERE id = ?`, item, id)
		f.items[id] = item
		return id
	}
	print := fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|false", h, in.Item, day, in.Channel, in.ProxyFor, in.Evidence, in.Witness)
	// The first's logged submission says what its item says; the
	// second's was written a millisecond after its item.
	f.plain = old(fmt.Sprintf("%d/h%d/k1", clerk.UserID, h), print, 0, 0, "", 0)
	f.pictured = old(fmt.Sprintf("%d/h%d/k2", clerk.UserID, h), print[:len(print)-len("false")]+"true|photos:aa11,bb22", 1, 0, "", 1)
	f.correction = old("c1", fmt.Sprintf("correct:%d:%d|%s", h, f.plain, "记错了户"), 0, f.plain, "记错了户", -1)
	return f
}
