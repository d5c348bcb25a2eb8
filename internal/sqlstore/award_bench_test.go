package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"shanzhi/internal/points"
	"shanzhi/internal/registry"
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
			item := uncappedItem()
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

// BenchmarkAwardImport measures an Excel/CSV award sheet of 10,000 rows
// (SHANZHI_BENCH_AWARDS) for one village of 2,000 households, confirmed
// all-or-nothing: every row is looked up, checked against the scheme and
// caps, stored and put under review in one transaction.
func BenchmarkAwardImport(b *testing.B) {
	rows := 10_000
	if n, err := strconv.Atoi(os.Getenv("SHANZHI_BENCH_AWARDS")); err == nil && n > 0 {
		rows = n
	}
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
			aw := db.Awards(db.Review(flows, nil))
			households(b, db, "I", 2000, 0)
			item := uncappedItem()
			var sheet strings.Builder
			sheet.WriteString("户号,事项编码,说明,证明人\n")
			for i := range rows {
				fmt.Fprintf(&sheet, "I%03d,%s,月度检查,网格员\n", i%2000, item)
			}
			b.ResetTimer()
			for range b.N {
				batch, err := aw.StageAwards(ctx, clerk, pingan, "积分.csv", []byte(sheet.String()))
				if err != nil {
					b.Fatal(err)
				}
				rep, err := aw.RunAwards(ctx, clerk, batch, registry.All)
				if err != nil || rep.Recorded != rows {
					b.Fatalf("import: %+v, %v", rep, err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "awards/s")
		})
	}
}

// uncappedItem is a template item a clerk may award any number of times
// without a photo.
func uncappedItem() string {
	for _, it := range scheme.DefaultTemplate().Items {
		if it.Points > 0 && !it.Evidence.Photo && it.Cap == 0 {
			return it.Code
		}
	}
	panic("the template has no uncapped item without a photo")
}
