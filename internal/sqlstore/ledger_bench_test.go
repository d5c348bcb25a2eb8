package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"shanzhi/internal/points"
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
		})
	}
}
