package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// awardSheetCSV is a sheet that meets every check of an award import:
// caps reached by the sheet's own rows on top of stored awards (monthly
// and yearly, across chunk boundaries), an unknown 户号, bad and future
// dates, an unknown or missing item, a role the clerk lacks, missing
// evidence, and keys an earlier hand entry took with the same and with a
// different award.
const awardSheetCSV = `平安村积分登记表
户号,事项编码,说明,证明人,照片,日期
001,env-03,月度检查,,,
001,env-03,月度检查,,,2026-07-01
001,env-03,月度检查,,,2026-06-30
002,env-03,,,,2026-13-45
002,env-03,,,,2027-01-01
009,env-03,,,,
001,env-03,第五次,,,2026-07-02
003,nope,,,,
003,,说明,,,
002,lead-01,带头示范,网格员,,
002,env-01,,,,
002,env-01,,,有,
003,pub-02,捐款,,,
003,pub-02,,,,
004,env-04,,,是,2026-06-10
004,env-04,,,是,2026-07-10
004,env-04,,,是,2025-04-01
003,env-03,,,,2026-06-20
003,env-03,,,,2026-06-21
003,env-03,,,,2026-06-22
003,env-03,,,,2026-06-23
003,env-03,,,,2026-06-24
001,env-03,,,,
002,env-03,旧键同单,,,2026-06-01
002,env-03,旧键异单,,,2026-06-01`

// TestAwardImportBulkMatchesByRow runs one sheet through the bulk path and
// through recordTx row by row, into two stores set up alike, in every
// mode, and requires the same reports and the same stored awards, review
// items, transitions and audit rows, field by field.
func TestAwardImportBulkMatchesByRow(t *testing.T) {
	for _, rows := range []int{3, 2000} {
		t.Run(fmt.Sprint(rows, "-row statements"), func(t *testing.T) {
			defer sqlstore.SetBulkRows(rows)()
			for _, engine := range storetest.Engines(t) {
				t.Run(engine, func(t *testing.T) { compareAwardImports(t, engine) })
			}
		})
	}
}

// awardImportStore is one of the two stores the comparison fills.
type awardImportStore struct {
	db    *sqlstore.DB
	aw    *sqlstore.AwardService
	batch int64
	run   func(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode) (*points.ImportReport, error)
}

func newAwardImportStore(t *testing.T, engine string, byRow bool) *awardImportStore {
	t.Helper()
	ctx := context.Background()
	db := storetest.MustOpen(t, engine)
	// A scheme whose one extra item only a leader may award.
	lead := scheme.Item{Code: "lead-01", Aspect: "public", Name: "带头示范", Points: 3, Unit: scheme.PerOccurrence, Roles: []access.Role{access.Leader},
		Evidence: scheme.Evidence{Text: true}}
	if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin, Items: []scheme.Item{lead}}); err != nil {
		t.Fatal(err)
	}
	flows := storetest.AwardFlows(t)
	aw := db.Awards(db.Review(flows, nil))
	// The scheme is in force from 1 June; the sheet is run in July.
	now := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	for i, n := range []string{"001", "002", "003", "004"} {
		ledgerHousehold(t, db, n, i+1)
	}
	// Two env-03 awards (4 a month) stored by hand leave 001 room for two
	// more in July.
	for _, key := range []string{"h1", "h2"} {
		if _, err := aw.Record(ctx, clerk, points.AwardInput{Key: key, Household: 1, Item: "env-03"}); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := aw.StageAwards(ctx, clerk, pingan, "积分.csv", []byte(awardSheetCSV))
	if err != nil {
		t.Fatal(err)
	}
	// Lines 26 and 27 find their keys taken by an earlier run: by the very
	// award the line asks for, and by another. (A key typed by a client
	// counts within its caller and household and cannot take an import
	// line's key.)
	for _, taken := range []struct {
		line int
		ev   string
	}{{26, "旧键同单"}, {27, "别的"}} {
		in := points.AwardInput{Key: fmt.Sprintf("import:%d:%d", batch, taken.line), Household: 2, Item: "env-03", Channel: points.Batch, Evidence: taken.ev,
			Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
		if err := aw.RecordServerKey(ctx, clerk, in); err != nil {
			t.Fatal(err)
		}
	}
	s := &awardImportStore{db: db, aw: aw, batch: batch, run: aw.RunAwards}
	if byRow {
		s.run = aw.RunAwardsByRow
	}
	return s
}

// dump is what the comparison holds the two stores to.
func (s *awardImportStore) dump(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, q := range map[string]string{
		"awards":      `SELECT * FROM awards ORDER BY id`,
		"items":       `SELECT * FROM review_items ORDER BY id`,
		"transitions": `SELECT * FROM review_transitions ORDER BY id`,
		"audit":       `SELECT action, target, region_code, detail FROM audit_log ORDER BY id`,
	} {
		rows, err := s.db.DumpForTest(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return out
}

func compareAwardImports(t *testing.T, engine string) {
	ctx := context.Background()
	ref, bulk := newAwardImportStore(t, engine, true), newAwardImportStore(t, engine, false)
	same := func(step string, want, got map[string][]string) {
		t.Helper()
		for _, k := range []string{"awards", "items", "transitions", "audit"} {
			w, g := want[k], got[k]
			if len(w) != len(g) {
				t.Fatalf("%s: %d %s by row, %d in bulk", step, len(w), k, len(g))
			}
			for i := range w {
				if w[i] != g[i] {
					t.Fatalf("%s: %s row %d differs\nby row: %s\nbulk:   %s", step, k, i, w[i], g[i])
				}
			}
		}
	}
	before := bulk.dump(t)
	same("set-up", ref.dump(t), before)
	run := func(mode registry.ImportMode) (*points.ImportReport, *points.ImportReport, error) {
		t.Helper()
		want, werr := ref.run(ctx, clerk, ref.batch, mode)
		got, gerr := bulk.run(ctx, clerk, bulk.batch, mode)
		if fault.CodeOf(werr) != fault.CodeOf(gerr) || (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: by row %v, bulk %v", mode, werr, gerr)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s: reports differ\nby row: %+v\nbulk:   %+v", mode, want, got)
		}
		return want, got, gerr
	}

	rep, _, err := run(registry.Preview)
	if err != nil || rep.Rows != 25 || rep.Recorded == 0 || rep.Rejected == 0 {
		t.Fatalf("preview %+v, %v", rep, err)
	}
	same("preview", before, bulk.dump(t))
	if _, _, err := run(registry.All); !fault.Is(err, fault.Invalid) {
		t.Fatalf("all-or-nothing with bad rows: %v", err)
	}
	same("all-or-nothing", before, bulk.dump(t))
	rep, _, err = run(registry.SkipBad)
	if err != nil || !rep.Committed {
		t.Fatalf("skip bad rows: %+v, %v", rep, err)
	}
	want := ref.dump(t)
	same("skip bad rows", want, bulk.dump(t))
	if len(want["awards"]) != 4+rep.Recorded-1 {
		t.Fatalf("%d awards stored, want the 4 by hand and %d recorded, one of them by hand", len(want["awards"]), rep.Recorded)
	}
	var keys []string
	for _, p := range rep.Problems {
		keys = append(keys, fmt.Sprintf("%d %s %s", p.Line, p.Column, p.Msg.Key))
	}
	wantKeys := []string{
		"6 日期 points.date", "7 日期 points.date", "8 户号 registry.household.unknown_number", "9 事项编码 scheme.award.cap.month",
		"10 事项编码 scheme.item_not_found", "11 事项编码 points.item", "12 事项编码 scheme.award.role", "13 事项编码 error.invalid_fields",
		"16 事项编码 error.invalid_fields", "18 事项编码 scheme.award.cap.year", "19 事项编码 scheme.none", "24 事项编码 scheme.award.cap.month", "25 事项编码 scheme.award.cap.month",
		"27 事项编码 points.key_reused",
	}
	if strings.Join(keys, "\n") != strings.Join(wantKeys, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(wantKeys, "\n"))
	}
	// A second run is refused with the first report; a preview replays it.
	if _, _, err := run(registry.SkipBad); !fault.Is(err, fault.Conflict) {
		t.Fatalf("second run: %v", err)
	}
	if _, _, err := run(registry.Preview); err != nil {
		t.Fatal(err)
	}
	same("re-run", want, bulk.dump(t))
}
