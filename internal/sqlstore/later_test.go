package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestLaterWrites checks the writes that wait on PostgreSQL to travel
// with the next statement (and run at once on SQLite): a read in the same
// transaction sees them, a statement sent along carries them, the commit
// sends what is left, and one that fails fails the transaction with its
// own error and leaves nothing of it written.
func TestLaterWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const ins = `INSERT INTO village_households (village_code, active) VALUES (?, ?)`
		const sum = `SELECT COALESCE(SUM(active), 0) FROM village_households WHERE village_code LIKE 'later%'`
		got, err := db.RunLater(ctx, []sqlstore.LaterStep{
			{Kind: "later", Query: ins, Args: []any{"later1", 5}},
			{Kind: "later", Query: ins, Args: []any{"later2", 6}},
			{Kind: "read", Query: sum},
			{Kind: "later", Query: ins, Args: []any{"later3", 7}},
			{Kind: "along", Query: `UPDATE village_households SET active = active + 100 WHERE village_code = ?`, Args: []any{"later1"}},
			{Kind: "later", Query: ins, Args: []any{"later4", 8}},
		})
		if err != nil || len(got) != 1 || got[0] != 11 {
			t.Fatalf("reads in the transaction: %v, %v; want [11]", got, err)
		}
		var total int64
		if err := db.RawRow(ctx, sum).Scan(&total); err != nil || total != 126 {
			t.Fatalf("committed sum %d, %v; want 126 (5+100, 6, 7 sent along, 8 sent at the commit)", total, err)
		}
		// A waiting write that fails (a second row with the same key)
		// fails the transaction, whether the commit or a read sends it.
		for _, last := range []sqlstore.LaterStep{{Kind: "read", Query: sum}, {}} {
			_, err = db.RunLater(ctx, []sqlstore.LaterStep{
				{Kind: "later", Query: ins, Args: []any{"later5", 9}},
				{Kind: "later", Query: ins, Args: []any{"later1", 1}},
				last,
			})
			if err == nil {
				t.Fatal("a failing waiting write committed")
			}
			if err := db.RawRow(ctx, sum).Scan(&total); err != nil || total != 126 {
				t.Fatalf("after a failed transaction the sum is %d, %v; want 126", total, err)
			}
		}
	})
}
