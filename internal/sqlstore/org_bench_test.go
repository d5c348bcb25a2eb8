package sqlstore_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/procmem"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// orgLeague is the league's organisation department.
var orgLeague = &access.Actor{UserID: 310, Username: "zzb-xingan", Grants: []access.Grant{{Role: access.OrgStaff, Region: xingan}}}

// benchOrgStore is a store with the league register: members the
// size of storetest.BenchSize (100,000, small in quick mode) and one
// organisation for five of them (20,000), with the branches' ids.
func benchOrgStore(b *testing.B, engine string) (*sqlstore.DB, []int64) {
	b.Helper()
	n := storetest.BenchSize(b)
	db := storetest.MustOpen(b, engine)
	ctx := context.Background()
	rep, err := db.GenerateOrgs(ctx, sqlstore.GenOrgSpec{League: xingan, Orgs: n / 5, Members: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	return db, rep.BranchIDs
}

// BenchmarkOrgRoster reads branches' rosters (党员花名册) in a league's
// register, as their pages do, and reports the 99th percentile.
func BenchmarkOrgRoster(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db, branches := benchOrgStore(b, engine)
			ctx := context.Background()
			var took []time.Duration
			i := 0
			for b.Loop() {
				for k := 0; k < 200; k++ {
					start := time.Now()
					if _, err := db.Org().Members(ctx, orgLeague, branches[(i*7919)%len(branches)]); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
					i++
				}
			}
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// BenchmarkOrgCoverage computes 两个覆盖 for the whole league.
func BenchmarkOrgCoverage(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db, _ := benchOrgStore(b, engine)
			ctx := context.Background()
			var cov *org.Coverage
			cpu0 := procmem.CPU()
			for b.Loop() {
				var err error
				if cov, err = db.Org().Coverage(ctx, orgLeague, xingan); err != nil {
					b.Fatal(err)
				}
			}
			// The CPU it took, which the load of a shared machine does not
			// stretch (the store's own goroutines included).
			b.ReportMetric(float64((procmem.CPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/league")
			if cov.Total.Units == 0 || cov.Total.Members == 0 {
				b.Fatalf("coverage of nothing: %+v", cov.Total)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/league")
		})
	}
}
