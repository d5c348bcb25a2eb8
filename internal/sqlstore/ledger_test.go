package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// clerk keeps 平安村's points.
var clerk = &access.Actor{UserID: 5, Username: "clerk", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}

func ledgerHousehold(t *testing.T, db *sqlstore.DB, number string, seq int) int64 {
	t.Helper()
	names := []string{"", "赵一", "钱二", "孙三", "李四"}
	return mustHousehold(t, db, pingan, number, person(names[seq], seq, "1970-01-01", registry.Male)).ID
}

func post(t *testing.T, db *sqlstore.DB, p points.Posting) *points.Entry {
	t.Helper()
	e, err := db.Ledger().Post(context.Background(), clerk, p)
	if err != nil {
		t.Fatalf("post %+v: %v", p, err)
	}
	return e
}

func TestLedgerPostingRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := db.Ledger()
		h := ledgerHousehold(t, db, "001", 1)
		award := post(t, db, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 10, Item: "环境卫生"})
		if award.Balance != 10 || award.Seq != 1 || award.Delta != 10 {
			t.Fatalf("award = %+v", award)
		}
		// The same key and body returns the first entry; another body is refused.
		if again := post(t, db, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 10, Item: "环境卫生"}); again.ID != award.ID {
			t.Fatalf("retry wrote a second entry %d", again.ID)
		}
		if _, err := l.Post(ctx, clerk, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 11}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("reused key with another body: %v", err)
		}
		if _, err := l.Post(ctx, clerk, points.Posting{Key: "k2", Household: h, Kind: points.Spend, Points: 11}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("overdraw: %v", err)
		}
		spend := post(t, db, points.Posting{Key: "k3", Household: h, Kind: points.Spend, Points: 4, Item: "肥皂"})
		if spend.Balance != 6 || spend.Delta != -4 {
			t.Fatalf("spend = %+v", spend)
		}
		// A reversal undoes once; a reversal is not reversed; an
		// award already spent cannot be reversed below zero.
		if _, err := l.Post(ctx, clerk, points.Posting{Key: "k4", Household: h, Kind: points.Reversal, Reverses: award.ID}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("reversal overdrawing the balance: %v", err)
		}
		rev := post(t, db, points.Posting{Key: "k5", Household: h, Kind: points.Reversal, Reverses: spend.ID, Memo: "退货"})
		if rev.Balance != 10 {
			t.Fatalf("reversal = %+v", rev)
		}
		for key, p := range map[string]points.Posting{
			"k6": {Household: h, Kind: points.Reversal, Reverses: spend.ID},
			"k7": {Household: h, Kind: points.Reversal, Reverses: rev.ID},
		} {
			p.Key = key
			if _, err := l.Post(ctx, clerk, p); !fault.Is(err, fault.Conflict) {
				t.Fatalf("%s: %v", key, err)
			}
		}
		for _, p := range []points.Posting{{Key: "", Household: h, Kind: points.Award, Points: 1}, {Key: "x", Household: h, Kind: points.Award, Points: 0},
			{Key: "y", Household: h, Kind: "gift", Points: 1}, {Key: "z", Household: h, Kind: points.Reversal}} {
			if _, err := l.Post(ctx, clerk, p); !fault.Is(err, fault.Invalid) {
				t.Fatalf("invalid posting %+v: %v", p, err)
			}
		}
		// Another village's clerk sees nothing of this household.
		other := &access.Actor{UserID: 6, Grants: []access.Grant{{Role: access.Operator, Region: "152221103212"}}}
		if _, err := l.Post(ctx, other, points.Posting{Key: "k8", Household: h, Kind: points.Award, Points: 1}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("foreign award: %v", err)
		}
		if _, err := l.Balance(ctx, other, h); !fault.Is(err, fault.NotFound) {
			t.Fatalf("foreign balance: %v", err)
		}
		if b, _ := l.Balance(ctx, clerk, h); b != 10 {
			t.Fatalf("balance %d, want 10", b)
		}
		st, err := l.Statement(ctx, clerk, h, 0, 50)
		if err != nil || len(st) != 3 || st[0].Kind != points.Reversal {
			t.Fatalf("statement %+v, %v", st, err)
		}
		if problems, err := l.Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %+v, %v", problems, err)
		}
	})
}

// TestConcurrentSpends runs 200 spends at once against a household whose
// balance covers exactly K of them: K succeed and the balance ends at 0.
// The naive read-then-write spend, run the same way, overspends on
// PostgreSQL; on SQLite the single writer serialises even it, which is why
// the product never relies on that.
func TestConcurrentSpends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const k, n = 37, 200
		h := ledgerHousehold(t, db, "002", 2)
		post(t, db, points.Posting{Key: "fund", Household: h, Kind: points.Award, Points: k * 3})
		ok, refused := race(t, n, func(i int) error {
			_, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: fmt.Sprintf("spend-%d", i), Household: h, Kind: points.Spend, Points: 3})
			return err
		})
		if ok != k || refused != n-k {
			t.Fatalf("%d spends succeeded and %d were refused, want %d and %d", ok, refused, k, n-k)
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 0 {
			t.Fatalf("balance %d, want 0", b)
		}
		if problems, _ := db.Ledger().Verify(ctx); len(problems) != 0 {
			t.Fatalf("verify: %+v", problems)
		}
		if db.Dialect() != sqlstore.Postgres {
			return
		}
		h2 := ledgerHousehold(t, db, "003", 3)
		post(t, db, points.Posting{Key: "fund2", Household: h2, Kind: points.Award, Points: k * 3})
		var naive atomic.Int64
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if db.Ledger().NaiveSpend(ctx, clerk, h2, 3) == nil {
					naive.Add(1)
				}
			}()
		}
		wg.Wait()
		if naive.Load() <= k {
			t.Fatalf("the naive spend succeeded %d times, no more than %d: the test cannot tell it apart", naive.Load(), k)
		}
	})
}

func TestIdempotentUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		h := ledgerHousehold(t, db, "004", 4)
		ids := make(chan int64, 50)
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: "same-key", Household: h, Kind: points.Award, Points: 5})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- e.ID
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[int64]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Fatalf("50 requests with one key wrote %d entries", len(seen))
		}
		if b, _ := db.Ledger().Balance(ctx, clerk, h); b != 5 {
			t.Fatalf("balance %d, want 5", b)
		}
	})
}

// TestPointsFollowHouseholds checks the stated rule: points stay with the
// household; a split gives the new household the share it decides; a
// merge carries the whole balance into the receiving household; nothing
// is lost or counted twice.
func TestPointsFollowHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg, l := db.Registry(), db.Ledger()
		h := ledgerHousehold(t, db, "001", 1)
		son := person("赵小一", 9, "1995-01-01", registry.Male)
		son.Relation = "子"
		r, err := reg.AddResident(ctx, admin, h, son, "出生")
		if err != nil {
			t.Fatal(err)
		}
		other := person("赵二", 8, "1990-01-01", registry.Male)
		other.Relation = "子"
		if _, err := reg.AddResident(ctx, admin, h, other, "出生"); err != nil {
			t.Fatal(err)
		}
		post(t, db, points.Posting{Key: "a", Household: h, Kind: points.Award, Points: 100})
		if _, err := reg.SplitHousehold(ctx, admin, registry.Split{From: h, Members: []int64{r.ID}, NewHead: r.ID, Number: "001-1", Reason: "分家", Points: 500}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a split giving away more points than the household has: %v", err)
		}
		nh, err := reg.SplitHousehold(ctx, admin, registry.Split{From: h, Members: []int64{r.ID}, NewHead: r.ID, Number: "001-1", Reason: "分家", Points: 30})
		if err != nil {
			t.Fatal(err)
		}
		b1, _ := l.Balance(ctx, clerk, h)
		b2, _ := l.Balance(ctx, clerk, nh.ID)
		if b1 != 70 || b2 != 30 {
			t.Fatalf("after the split: %d and %d, want 70 and 30", b1, b2)
		}
		if err := reg.MergeHouseholds(ctx, admin, nh.ID, h, "合户"); err != nil {
			t.Fatal(err)
		}
		b1, _ = l.Balance(ctx, clerk, h)
		b2, _ = l.Balance(ctx, clerk, nh.ID)
		if b1 != 100 || b2 != 0 {
			t.Fatalf("after the merge: %d and %d, want 100 and 0", b1, b2)
		}
		if problems, _ := l.Verify(ctx); len(problems) != 0 {
			t.Fatalf("verify: %+v", problems)
		}
		if _, err := l.Post(ctx, clerk, points.Posting{Key: "t", Household: h, Kind: points.TransferIn, Points: 5}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a transfer posted directly: %v", err)
		}
	})
}

// TestLedgerPeriod: the printed statement's entries are every entry of the
// period (not a page of 50), oldest first, from the balance before it; a
// user of another village is refused as if the household did not exist.
func TestLedgerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		h := ledgerHousehold(t, db, "001", 1)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 4, 0, 0, 0, time.UTC) }
		db.Now = func() time.Time { return day(1) }
		for i := 0; i < 3; i++ {
			post(t, db, points.Posting{Key: fmt.Sprint("a", i), Household: h, Kind: points.Award, Points: 10, Item: "环境卫生"})
		}
		db.Now = func() time.Time { return day(10) }
		for i := 0; i < 60; i++ {
			post(t, db, points.Posting{Key: fmt.Sprint("b", i), Household: h, Kind: points.Award, Points: 1, Item: "义务劳动"})
		}
		db.Now = func() time.Time { return day(20) }
		post(t, db, points.Posting{Key: "c", Household: h, Kind: points.Spend, Points: 5, Item: "肥皂"})
		opening, es, err := db.Ledger().Period(ctx, clerk, h, day(5), day(15))
		if err != nil {
			t.Fatal(err)
		}
		if opening != 30 || len(es) != 60 || es[0].Seq >= es[59].Seq || es[59].Balance != 90 {
			t.Fatalf("opening %d, %d entries, last %+v", opening, len(es), es[len(es)-1])
		}
		opening, es, err = db.Ledger().Period(ctx, clerk, h, day(1), day(31))
		if err != nil || opening != 0 || len(es) != 64 || es[63].Balance != 85 {
			t.Fatalf("whole month: opening %d, %d entries, %v", opening, len(es), err)
		}
		other := &access.Actor{UserID: 9, Username: "other", Grants: []access.Grant{{Role: access.Operator, Region: "152221100211"}}}
		if _, _, err := db.Ledger().Period(ctx, other, h, day(1), day(31)); !fault.Is(err, fault.NotFound) {
			t.Fatalf("another village's clerk: %v", err)
		}
	})
}
