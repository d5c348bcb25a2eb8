package sqlstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkRankings reads the rankings the maintained totals serve: a
// household page of a village, a township, a banner and the league, the
// league's villages, and a household's standing, for the year and for a
// month of one aspect. SHANZHI_BENCH_RANKINGS names a store built by
// `shanzhi gen` (sqlite:/path/shanzhi.db or a PostgreSQL URL), with
// SHANZHI_BENCH_KEY its key file, to read the small or a larger set;
// without it each engine gets a generated set of 2,000 households.
func BenchmarkRankings(b *testing.B) {
	ctx := context.Background()
	type store struct {
		name string
		db   *sqlstore.DB
	}
	var stores []store
	if dsn := os.Getenv("SHANZHI_BENCH_RANKINGS"); dsn != "" {
		key, err := secret.LoadFile(os.Getenv("SHANZHI_BENCH_KEY"))
		if err != nil {
			b.Fatal(err)
		}
		box, err := secret.New(key)
		if err != nil {
			b.Fatal(err)
		}
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Box: box})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		stores = append(stores, store{strings.SplitN(dsn, ":", 2)[0], db})
	} else {
		for _, engine := range storetest.Engines(b) {
			db := storetest.MustOpen(b, engine)
			if _, err := db.Generate(ctx, sqlstore.GenSpec{League: xingan, Households: 2000, Entries: 40000, Seed: 1,
				Today: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}, func(string, int, int) {}); err != nil {
				b.Fatal(err)
			}
			stores = append(stores, store{engine, db})
		}
	}
	for _, s := range stores {
		ids, villages, err := s.db.SampleHouseholds(ctx, xingan, 1)
		if err != nil || len(ids) == 0 {
			b.Fatalf("no household to rank: %v", err)
		}
		v := villages[0]
		r := s.db.Rankings()
		for _, c := range []struct{ name, region, period, aspect string }{
			{"village", v, "2026", ""}, {"township", v[:9] + "000", "2026", ""}, {"banner", v[:6] + "000000", "2026", ""},
			{"league", xingan, "2026", ""}, {"league-month-aspect", xingan, "2026-06", "filial"},
			{"village-month-aspect", v, "2026-06", "filial"},
		} {
			b.Run(s.name+"/households-"+c.name, func(b *testing.B) {
				for range b.N {
					if _, err := r.Households(ctx, admin, c.region, c.period, c.aspect, 50); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(s.name+"/villages-league", func(b *testing.B) {
			for range b.N {
				if _, err := r.VillagesUncached(ctx, xingan, "2026", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.name+"/villages-league-cached", func(b *testing.B) {
			for range b.N {
				if _, err := r.Villages(ctx, admin, xingan, "2026", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.name+"/standing", func(b *testing.B) {
			for range b.N {
				if _, err := r.Standing(ctx, admin, ids[0], "2026"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
