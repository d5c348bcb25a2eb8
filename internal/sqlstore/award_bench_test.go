package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkAwardRecord measures recorded awards from 16 concurrent
// clients over 2,000 households of one village, straight into the store:
// each award is checked against the scheme in force, stored, put under
// review and audited in its own transaction. It is the store's share of
// the load command's awards scenario, which adds HTTP and sign-in.
func BenchmarkAwardRecord(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
				b.Fatal(err)
			}
			flows, err := review.NewFlows(points.Flow())
			if err != nil {
				b.Fatal(err)
			}
			aw := db.Awards(db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()}))
			hh := households(b, db, "A", 2000, 0)
			var item string
			for _, it := range scheme.DefaultTemplate().Items {
				if it.Points > 0 && !it.Evidence.Photo && it.Cap == 0 {
					item = it.Code
					break
				}
			}
			var n atomic.Int64
			b.SetParallelism(8) // 2 cores × 8 = 16 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					in := points.AwardInput{Key: fmt.Sprintf("bench-%d", i), Household: hh[i%int64(len(hh))], Item: item, Evidence: "清扫村道", Witness: "网格员"}
					if _, err := aw.Record(ctx, clerk, in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
			if commits, txs := db.GroupStats(); commits > 0 {
				b.ReportMetric(float64(txs)/float64(commits), "tx/commit")
			}
		})
	}
}
