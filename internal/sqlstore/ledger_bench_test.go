package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"shanzhi/internal/points"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkLedgerPost measures durable award postings from 16 concurrent
// clients over 200 households of one village, straight into the store:
// each posting is its own transaction, committed with synchronous=FULL
// on SQLite. It is the store's share of the HTTP figure.
func BenchmarkLedgerPost(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			hh := households(b, db, "B", 200, 0)
			var n atomic.Int64
			b.SetParallelism(8) // 2 cores × 8 = 16 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: fmt.Sprintf("bench-%d", i), Household: hh[i%200], Kind: points.Award, Points: 2, Item: "庭院整洁"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "postings/s")
			if b.N >= minSizeN {
				b.StopTimer()
				b.ReportMetric(ledgerBytes(b, db, engine), "bytes/entry")
			}
		})
	}
}

// minSizeN is the fewest rows a size per row is reported for: below it
// (the suite's quick mode runs each benchmark once) pages dominate.
const minSizeN = 1000

// ledgerBytes is what an entry takes on disk with its indexes (issue 18
// item 3): SQLite's dbstat pages of ledger_entries and its indexes, or
// PostgreSQL's total relation size, over the entries.
func ledgerBytes(b *testing.B, db *sqlstore.DB, engine string) float64 {
	q := `SELECT (SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'ledger_entries')), (SELECT count(*) FROM ledger_entries)`
	if engine == "postgres" {
		q = `SELECT pg_total_relation_size('ledger_entries'), (SELECT count(*) FROM ledger_entries)`
	}
	var size, n float64
	if err := db.RawRow(context.Background(), q).Scan(&size, &n); err != nil {
		b.Fatal(err)
	}
	return size / max(n, 1)
}

// tablesBytes is what tables take on disk with their indexes, on either
// engine.
func tablesBytes(b *testing.B, db *sqlstore.DB, engine string, tables ...string) float64 {
	var total float64
	for _, t := range tables {
		q := `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)`
		if engine == "postgres" {
			q = `SELECT pg_total_relation_size(CAST($1 AS TEXT))`
		}
		var n float64
		if err := db.RawRow(context.Background(), q, t).Scan(&n); err != nil {
			b.Fatal(err)
		}
		total += n
	}
	return total
}
