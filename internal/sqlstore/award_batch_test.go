package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// batchCase is an award of the batch tests on household slot 0 or 1 of
// a run (or -1: a household that does not exist).
type batchCase struct {
	slot    int
	key     string
	item    string
	witness string
}

// batchCases meet every way a batch can answer: a replay of an award
// stored before the batch and of one taken earlier in it, a key reused
// with another body (stored and in the batch), a cap reached inside the
// batch, a missing household, a refused item (no photo), an unknown item,
// and several awards of one household.
var batchCases = []batchCase{
	{0, "pre", "env-03", ""},
	{0, "pre", "env-03", "另一份"},
	{1, "c1", "env-03", ""},
	{1, "c2", "env-03", ""},
	{1, "c3", "env-03", ""},
	{1, "c4", "env-03", ""},
	{1, "c5", "env-03", ""},
	{1, "c1", "env-03", ""},
	{1, "c2", "env-03", "另一份"},
	{-1, "x1", "env-03", ""},
	{0, "p1", "env-01", ""},
	{0, "u1", "zzz-99", ""},
	{0, "n1", "env-03", ""},
	{0, "n2", "cus-03", "张三"},
}

func (c batchCase) input(hs [2]int64) points.AwardInput {
	h := int64(987654321)
	if c.slot >= 0 {
		h = hs[c.slot]
	}
	return points.AwardInput{Key: c.key, Household: h, Item: c.item, Witness: c.witness, Evidence: c.witness}
}

// outcome is what a caller got, with the run's own ids and households
// replaced by the case that made the award and the household's slot.
func outcome(hs [2]int64, made map[int64]int, i int, w *points.AwardRecord, err error) string {
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			return fmt.Sprintf("error %s %s %+v", fe.Code, fe.Msg.Key, fe.Fields)
		}
		return "error " + err.Error()
	}
	first, ok := made[w.ID]
	if !ok {
		first = i
		made[w.ID] = i
	}
	slot := map[int64]int{hs[0]: 0, hs[1]: 1}[w.Household]
	return fmt.Sprintf("award of case %d: slot %d %s %s %s %s %d %s %s %s %s review:%t entry:%d %q %d",
		first, slot, w.Village, w.Item, w.ItemName, w.Aspect, w.Points, w.Channel, w.Status, scheme.Day(w.Date), w.Actor, w.ReviewID != 0, w.EntryID,
		w.Reason, w.Corrects)
}

// TestAwardBatchAnswersAsOneByOne records the same awards one at a time
// and as one batch on two pairs of households: every caller gets the same
// answer, the awards read back the same, with their review items, and the
// audit holds one row per award taken.
func TestAwardBatchAnswersAsOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
		aw := templateAwards(t, db)
		one := [2]int64{ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)}
		together := [2]int64{ledgerHousehold(t, db, "003", 3), ledgerHousehold(t, db, "004", 4)}
		for _, hs := range [][2]int64{one, together} {
			if _, err := aw.Record(ctx, clerk, batchCases[0].input(hs)); err != nil {
				t.Fatal(err)
			}
		}
		auditBefore := audits(t, db, "points.award")

		var want []string
		made := map[int64]int{}
		for i, c := range batchCases {
			w, err := aw.Record(ctx, clerk, c.input(one))
			want = append(want, outcome(one, made, i, w, err))
		}
		auditOne := audits(t, db, "points.award") - auditBefore

		ins := make([]points.AwardInput, len(batchCases))
		for i, c := range batchCases {
			ins[i] = c.input(together)
		}
		recs, errs, err := aw.RecordTogether(ctx, clerk, ins)
		if err != nil {
			t.Fatal(err)
		}
		made = map[int64]int{}
		for i := range batchCases {
			if got := outcome(together, made, i, recs[i], errs[i]); got != want[i] {
				t.Errorf("case %d (%+v):\n together  %s\n one by one %s", i, batchCases[i], got, want[i])
			}
		}
		if got := audits(t, db, "points.award") - auditBefore - auditOne; got != auditOne || got != 6 {
			t.Errorf("audit rows of the batch %d, one by one %d, want 6 each", got, auditOne)
		}
		// What was stored reads back alike: the awards with their review
		// items' state and notice window.
		for slot := range 2 {
			a, err := aw.Awards(ctx, clerk, one[slot])
			if err != nil {
				t.Fatal(err)
			}
			b, err := aw.Awards(ctx, clerk, together[slot])
			if err != nil {
				t.Fatal(err)
			}
			if len(a) != len(b) {
				t.Fatalf("slot %d: %d awards one by one, %d together", slot, len(a), len(b))
			}
			for i := range a {
				sa := fmt.Sprintf("%s %s %s %d %s", a[i].Item, a[i].Status, a[i].ReviewState, a[i].WindowEnd.UnixMilli(), a[i].Outcome)
				sb := fmt.Sprintf("%s %s %s %d %s", b[i].Item, b[i].Status, b[i].ReviewState, b[i].WindowEnd.UnixMilli(), b[i].Outcome)
				if sa != sb || b[i].ReviewState == "" {
					t.Errorf("slot %d award %d: together %s, one by one %s", slot, i, sb, sa)
				}
			}
		}
		if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Problem != "" {
			t.Fatalf("audit verify: %+v, %v", c, err)
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger verify: %+v, %v", problems, err)
		}
	})
}

// templateAwards puts the template scheme in force in the county and
// returns an award service without appliers: the batch tests only record.
func templateAwards(t *testing.T, db *sqlstore.DB) *sqlstore.AwardService {
	t.Helper()
	if _, err := db.Schemes().Create(context.Background(), admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
		t.Fatal(err)
	}
	return db.Awards(db.Review(storetest.AwardFlows(t), nil))
}

// audits counts the audit rows of an action.
func audits(t *testing.T, db *sqlstore.DB, action string) int {
	t.Helper()
	_, n, err := db.Audit().Entries(context.Background(), authAuditor, audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// atOnce runs fn(0) to fn(n-1) on goroutines of their own while the
// writer is held, so that the writes they send queue behind it and one
// group takes them, and returns when all have.
func atOnce(t *testing.T, db *sqlstore.DB, n int, fn func(i int)) {
	t.Helper()
	release := make(chan struct{})
	held := make(chan error, 1)
	go func() { held <- db.HoldWriter(context.Background(), release) }()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	time.Sleep(300 * time.Millisecond)
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
}

// TestAwardBatchThroughTheWriter sends awards from many goroutines while
// the writer is held, so they reach it together, and checks each caller's
// answer, one audit row per award and the chains.
func TestAwardBatchThroughTheWriter(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	aw := templateAwards(t, db)
	hs := [2]int64{ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)}
	other := &access.Actor{UserID: 6, Username: "clerk2", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
	type call struct {
		a  *access.Actor
		in points.AwardInput
	}
	var calls []call
	// Twenty uncapped awards over two households and two actors, a key
	// sent twice with one body, a missing household, a refused item.
	for i := range 20 {
		a := clerk
		if i%2 == 1 {
			a = other
		}
		calls = append(calls, call{a, points.AwardInput{Key: fmt.Sprintf("k%d", i), Household: hs[i%2], Item: "cus-03", Witness: "张三", Evidence: "彩礼未超标准"}})
	}
	calls = append(calls, calls[0],
		call{clerk, points.AwardInput{Key: "gone", Household: 987654321, Item: "cus-03", Witness: "x", Evidence: "x"}},
		call{clerk, points.AwardInput{Key: "nophoto", Household: hs[0], Item: "env-01"}})
	before, _ := db.GroupStats()
	recs := make([]*points.AwardRecord, len(calls))
	errs := make([]error, len(calls))
	atOnce(t, db, len(calls), func(i int) { recs[i], errs[i] = aw.Record(ctx, calls[i].a, calls[i].in) })
	commits, _ := db.GroupStats()
	if commits-before > 3 {
		t.Errorf("%d commits for %d queued awards: they did not reach the writer together", commits-before, len(calls))
	}
	ids := map[int64]bool{}
	for i := range 20 {
		if errs[i] != nil || recs[i].Household != hs[i%2] || recs[i].Status != points.AwardPending || recs[i].ReviewID == 0 {
			t.Fatalf("award %d: %+v, %v", i, recs[i], errs[i])
		}
		if want := calls[i].a.Username; recs[i].Actor != want {
			t.Errorf("award %d by %s, want %s", i, recs[i].Actor, want)
		}
		ids[recs[i].ID] = true
	}
	if len(ids) != 20 {
		t.Errorf("%d distinct awards of 20", len(ids))
	}
	if errs[20] != nil || recs[20].ID != recs[0].ID {
		t.Errorf("a key sent twice: %+v, %v; first %d", recs[20], errs[20], recs[0].ID)
	}
	if !fault.Is(errs[21], fault.NotFound) || !fault.Is(errs[22], fault.Invalid) {
		t.Errorf("missing household: %v; award without its photo: %v", errs[21], errs[22])
	}
	if n := audits(t, db, "points.award"); n != 20 {
		t.Errorf("%d audit rows of awards, want 20", n)
	}
	// Each audit row names its own caller.
	entries, _, err := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "points.award", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]string{}
	for _, e := range entries {
		by[strings.Fields(e.Target)[0]] = e.Actor
	}
	for i := range 20 {
		if got := by[fmt.Sprintf("award:%d", recs[i].ID)]; got != calls[i].a.Username {
			t.Errorf("award %d audited as by %q, want %q", recs[i].ID, got, calls[i].a.Username)
		}
	}
	if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Problem != "" {
		t.Fatalf("audit verify: %+v, %v", c, err)
	}
	for _, h := range hs {
		list, err := aw.Awards(ctx, clerk, h)
		if err != nil || len(list) != 10 {
			t.Fatalf("household %d: %d awards, %v", h, len(list), err)
		}
		for _, w := range list {
			if w.ReviewState == "" {
				t.Errorf("award %d has no review item", w.ID)
			}
		}
	}
}

// TestBatchFallsBackToOneByOne queues writes of a batch whose shared
// statements fail (or panic) after writing: nothing the batch wrote
// stands, each write then runs alone, and each caller gets its own
// outcome, the failing one its own error and the others none.
func TestBatchFallsBackToOneByOne(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprint("panics=", panics), func(t *testing.T) {
			db := storetest.MustOpen(t, "sqlite")
			ctx := context.Background()
			release := make(chan struct{})
			held := make(chan error, 1)
			go func() { held <- db.HoldWriter(ctx, release) }()
			refused := fault.E(fault.Conflict, "error.conflict")
			errs := make([]error, 8)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var fail error
					if i == 3 {
						fail = refused
					}
					errs[i] = db.WriteInFailingBatch(ctx, panics, fmt.Sprintf("job%d", i), fail)
				}()
			}
			time.Sleep(200 * time.Millisecond)
			close(release)
			wg.Wait()
			if err := <-held; err != nil {
				t.Fatal(err)
			}
			for i, err := range errs {
				if (i == 3) != (err == refused) || i != 3 && err != nil {
					t.Errorf("write %d: %v", i, err)
				}
			}
			var jobs, batch int
			if err := db.RawRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name LIKE 'job%'`).Scan(&jobs); err != nil {
				t.Fatal(err)
			}
			if err := db.RawRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = 'batch'`).Scan(&batch); err != nil {
				t.Fatal(err)
			}
			if jobs != 7 || batch != 0 {
				t.Errorf("%d writes stand (want 7: all but the refused one), and %d rows of the failed batch (want 0)", jobs, batch)
			}
		})
	}
}

// TestAwardBatchAcrossVillages records one batch over households of three
// villages, one of which has audit rows already and two none, so that
// auditEach moves three chains in one transaction: each village's rows
// follow its head without a gap, the heads end at their last rows, and
// the trail verifies.
func TestAwardBatchAcrossVillages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
		aw := templateAwards(t, db)
		town := &access.Actor{UserID: 11, Username: "town", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		villages := append(townVillages(t, db, 2), pingan)
		// 平安村 has a chain already.
		first := ledgerHousehold(t, db, "001", 1)
		if _, err := aw.Record(ctx, town, points.AwardInput{Key: "pre", Household: first, Item: "env-03"}); err != nil {
			t.Fatal(err)
		}
		var ins []points.AwardInput
		for i, v := range villages {
			for j := range 3 {
				h := mustHousehold(t, db, v, fmt.Sprintf("1%d%d", i, j), withoutID(person("赵一", 10*i+j+1, "1970-01-01", registry.Male)))
				ins = append(ins, points.AwardInput{Key: fmt.Sprintf("k%d%d", i, j), Household: h.ID, Item: "env-03"})
			}
		}
		// Twice: the second batch moves three heads that all exist, in
		// one statement, and chains on from the first's hashes.
		for round := range 2 {
			for i := range ins {
				ins[i].Key = fmt.Sprintf("%d-%d", round, i)
			}
			_, errs, err := aw.RecordTogether(ctx, town, ins)
			if err != nil {
				t.Fatal(err)
			}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d, award %d: %v", round, i, err)
				}
			}
		}
		for _, v := range villages {
			var n, last, lo, hi int64
			if err := db.RawRow(ctx, `SELECT count(*), min(seq), max(seq), (SELECT last_seq FROM audit_heads WHERE part = ?) FROM audit_log WHERE part = ?`, v, v).
				Scan(&n, &lo, &hi, &last); err != nil {
				t.Fatal(err)
			}
			if n < 6 || hi-lo+1 != n || last != hi {
				t.Errorf("village %s: %d rows, seq %d…%d, head at %d", v, n, lo, hi, last)
			}
		}
		if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Problem != "" {
			t.Fatalf("audit verify: %+v, %v", c, err)
		}
	})
}

// townVillages returns n villages of 平安村's township other than it.
func townVillages(t *testing.T, db *sqlstore.DB, n int) []string {
	t.Helper()
	var out []string
	for skip := range n {
		var v string
		if err := db.RawRow(context.Background(), `SELECT code FROM regions WHERE level = ? AND code > ? AND code < ? AND code <> ? ORDER BY code LIMIT 1 OFFSET ?`,
			int(regioncode.Village), keerqin[:9], keerqin[:9]+":", pingan, skip).Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}
