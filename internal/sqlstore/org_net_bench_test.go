package sqlstore_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore/storetest"
)

// benchGridHouseholds is the size of the linkage-net benchmark: the
// issue's 500,000 households in 8,000 grids, unless
// SHANZHI_BENCH_GRID_HOUSEHOLDS says otherwise (the quick mode of the test
// script sets it small; grids scale with it, about 62 households a grid).
func benchGridHouseholds(b *testing.B) (households, grids int) {
	households = 500_000
	if s := os.Getenv("SHANZHI_BENCH_GRID_HOUSEHOLDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			b.Fatalf("SHANZHI_BENCH_GRID_HOUSEHOLDS=%q", s)
		}
		households = n
	}
	return households, max(households*8_000/500_000, 1)
}

// BenchmarkGridNet reads one grid's linkage tree (members, central
// households, linked and unlinked households) as the net page does, for
// grids drawn at random from a league of the configured size, and reports
// the 50th and 99th percentiles of one read.
func BenchmarkGridNet(b *testing.B) {
	households, grids := benchGridHouseholds(b)
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.MustOpen(b, engine)
			ids, err := db.GenGridNets(ctx, "152200000000", households, grids)
			if err != nil {
				b.Fatal(err)
			}
			staff := &access.Actor{Username: "zzb", Grants: []access.Grant{{Role: access.OrgStaff, Region: "152200000000"}}}
			rng := rand.New(rand.NewPCG(1, 2))
			// Warm the caches and check the tree is whole before timing.
			if n, err := db.Org().Net(ctx, staff, ids[0]); err != nil || len(n.Members) == 0 || n.LeaderName == "" {
				b.Fatalf("net: %v %+v", err, n)
			}
			var took []time.Duration
			b.ResetTimer()
			for b.Loop() {
				for range 200 {
					start := time.Now()
					if _, err := db.Org().Net(ctx, staff, ids[rng.IntN(len(ids))]); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
				}
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
