package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"shanzhi/internal/points"
	"shanzhi/internal/registry"
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
			var hh []int64
			for i := range 200 {
				h, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: fmt.Sprintf("B%03d", i), VillageCode: pingan},
					registry.ResidentInput{Name: "王五", Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-01-01", Political: "群众"})
				if err != nil {
					b.Fatal(err)
				}
				hh = append(hh, h.ID)
			}
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
