package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// benchCadres is how many cadres the cadre benchmarks register: a city's
// 10,000 unless SHANZHI_BENCH_CADRES says otherwise, and no more than
// SHANZHI_BENCH_RESIDENTS (at least 100), which the test script's quick
// mode sets small.
func benchCadres(b *testing.B) int {
	n := 10000
	if s := os.Getenv("SHANZHI_BENCH_CADRES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 100 {
			b.Fatalf("SHANZHI_BENCH_CADRES=%q", s)
		}
	}
	if s := os.Getenv("SHANZHI_BENCH_RESIDENTS"); s != "" {
		n = min(n, max(storetest.BenchSize(b), 100))
	}
	return n
}

// seedCadres registers n cadres over the banner's township and villages,
// through the import path, spread over the four ranks and five sectors.
func seedCadres(b *testing.B, db *sqlstore.DB, n int) []int64 {
	ctx := context.Background()
	ranks := []string{"county", "township", "staff", "village"}
	sectors := []string{"党政", "农业农村", "教育", "卫生健康", "经济"}
	var ids []int64
	for start := 0; start < n; start += org.MaxImportRows {
		var rows []org.CadreRow
		for i := start; i < n && i < start+org.MaxImportRows; i++ {
			region := keerqin
			if i%2 == 1 {
				region = pingan
			}
			rows = append(rows, org.CadreRow{Line: i + 2, Input: org.CadreInput{Region: region, Name: fmt.Sprintf("干部%05d", i), Post: "干事",
				Rank: ranks[i%len(ranks)], Sector: sectors[i%len(sectors)], Appointed: "2020-01-01"}})
		}
		done, err := db.Cadres().ImportCadres(ctx, orgBanner, rows, true)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range done {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// reportP99 reports the 99th percentile of the timed calls.
func reportP99(b *testing.B, took []time.Duration) {
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkCadres measures, over a register of 10,000 cadres, the read of
// one cadre's record (the head of their training file) and the filter by
// rank and sector the targeting page starts from (the first 500 of about
// 500 matches), each with its p99.
func BenchmarkCadres(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			ids := seedCadres(b, db, benchCadres(b))
			b.Run("file", func(b *testing.B) {
				took := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if _, err := db.Cadres().Cadre(ctx, orgBanner, ids[(i*7919)%len(ids)]); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t0))
				}
				reportP99(b, took)
			})
			b.Run("filter", func(b *testing.B) {
				took := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					list, _, err := db.Cadres().Cadres(ctx, orgBanner, org.CadreFilter{Rank: "village", Sector: "教育", Limit: 500})
					if err != nil || len(list) == 0 {
						b.Fatal(err, len(list))
					}
					took = append(took, time.Since(t0))
				}
				reportP99(b, took)
			})
		})
	}
}
