package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shanzhi/internal/points"
	"shanzhi/internal/procmem"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sheet"
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
			flows := storetest.AwardFlows(b)
			aw := db.Awards(db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()}))
			hh := households(b, db, "A", 2000, 0)
			item := uncappedItem()
			var n atomic.Int64
			// A pending award's bytes: the award, its review item and
			// transitions and its audit record, with their indexes.
			pending := []string{"awards", "review_items", "review_transitions", "audit_log"}
			before := tablesBytes(b, db, engine, pending...)
			parts := make([]float64, len(pending))
			for i, t := range pending {
				parts[i] = tablesBytes(b, db, engine, t)
			}
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
			if b.N >= minSizeN {
				b.StopTimer()
				b.ReportMetric((tablesBytes(b, db, engine, pending...)-before)/float64(b.N), "bytes/award")
				for i, t := range pending {
					b.ReportMetric((tablesBytes(b, db, engine, t)-parts[i])/float64(b.N), t+"-B")
				}
			}
		})
	}
}

// BenchmarkAwardImport measures an award sheet of SHANZHI_BENCH_AWARDS
// rows (10,000 unless set; scripts/bench.sh asks for 1,000,000 as CSV and
// 100,000 as .xlsx) for one village of 2,000 households, staged and run
// all-or-nothing: every row is looked up, checked against the scheme and
// its caps, stored and put under review in one transaction. csv and xlsx
// take the bulk path RunAwards uses; csv-byrow records the rows one by one
// through recordTx, the path the bulk one replaced, for comparison. It
// reports awards per second and the peak resident set of the run.
func BenchmarkAwardImport(b *testing.B) {
	rows := 10_000
	if s := os.Getenv("SHANZHI_BENCH_AWARDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("SHANZHI_BENCH_AWARDS=%q", s)
		}
		rows = n
	}
	item := uncappedItem()
	// One level of sub-benchmarks: nested under an engine level, each
	// import ran twice.
	for _, engine := range storetest.Engines(b) {
		for _, format := range []string{"csv", "xlsx", "csv-byrow"} {
			b.Run(engine+"/"+format, func(b *testing.B) {
				ctx := context.Background()
				data := awardSheet(b, format, rows, item)
				db := storetest.MustOpen(b, engine)
				if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
					b.Fatal(err)
				}
				flows := storetest.AwardFlows(b)
				aw := db.Awards(db.Review(flows, nil))
				households(b, db, "I", 2000, 0)
				run := aw.RunAwards
				if format == "csv-byrow" {
					run = aw.RunAwardsByRow
				}
				base := procmem.ResetPeak()
				n := 0
				for b.Loop() {
					batch, err := aw.StageAwards(ctx, clerk, pingan, "积分."+strings.TrimSuffix(format, "-byrow"), data)
					if err != nil {
						b.Fatal(err)
					}
					rep, err := run(ctx, clerk, batch, registry.All)
					if err != nil || rep.Recorded != rows {
						b.Fatalf("import: %+v, %v", rep, err)
					}
					n += rep.Recorded
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "awards/s")
				b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
				if peak := procmem.PeakKB(); peak > 0 && base > 0 {
					b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
				}
			})
		}
	}
}

// awardSheet writes an award sheet of n rows over the 2,000 households
// I000..I1999, all for item, as CSV or .xlsx.
func awardSheet(b *testing.B, format string, n int, item string) []byte {
	b.Helper()
	if format != "xlsx" {
		var buf bytes.Buffer
		buf.WriteString("户号,事项编码,说明,证明人\n")
		for i := range n {
			fmt.Fprintf(&buf, "I%03d,%s,月度检查,网格员\n", i%2000, item)
		}
		return buf.Bytes()
	}
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, sheet.Table{Title: "平安村积分登记表", Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Columns: []sheet.Column{{Header: "户号"}, {Header: "事项编码"}, {Header: "说明"}, {Header: "证明人"}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := w.Write(fmt.Sprintf("I%03d", i%2000), item, "月度检查", "网格员"); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
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
