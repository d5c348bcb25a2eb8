package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/honour"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkFundPost measures a donation and its confirmation by the second
// official, two chained entries in two transactions, on one drive: the
// drive's row is the point all its writers meet.
func BenchmarkFundPost(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			hh := households(b, db, "F", 1, 0)
			c, err := db.Funds().Open(ctx, fundClerk, honour.CampaignInput{Household: hh[0], Title: "基准募捐", Reason: honour.Other, Target: honour.MaxAmount,
				Starts: "2026-06-01", Ends: "2026-06-30", Consent: honour.ConsentSigned, ConsentDate: "2026-06-01"})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				d, err := db.Funds().Post(ctx, fundClerk, honour.Posting{Key: fmt.Sprint("bd", i), Campaign: c.ID, Kind: honour.Donation, Amount: 100, Method: honour.Cash, Day: "2026-06-02", Receipt: fmt.Sprint(i)})
				if err == nil {
					_, err = db.Funds().Post(ctx, fundSecond, honour.Posting{Key: fmt.Sprint("bc", i), Campaign: c.ID, Kind: honour.Confirmation, Ref: d.ID, Day: "2026-06-02"})
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkBoardEdition measures a computed quarterly board of a village
// of 200 households with totals in each of the quarter's months: the
// standings a board page and a publication read.
func BenchmarkBoardEdition(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			hh := households(b, db, "E", 200, 0)
			// The totals in their stored form (migrations 0045 and 0047):
			// months as yyyymm, the aspect and the village by their ids.
			if err := db.RawExec(ctx, `INSERT INTO ranking_aspects (name) VALUES ('filial') ON CONFLICT (name) DO NOTHING`); err != nil {
				b.Fatal(err)
			}
			if err := db.RawExec(ctx, `INSERT INTO totals_villages (code) VALUES (CAST(? AS BIGINT)) ON CONFLICT (code) DO NOTHING`, pingan); err != nil {
				b.Fatal(err)
			}
			for i, h := range hh {
				for _, m := range []int{202604, 202605, 202606} {
					if err := db.RawExec(ctx, `INSERT INTO points_totals (period, aspect, household_id, village, points, awards)
						VALUES (?, (SELECT id FROM ranking_aspects WHERE name = 'filial'), ?, (SELECT id FROM totals_villages WHERE code = CAST(? AS BIGINT)), ?, 1)`, m, h, pingan, i%37); err != nil {
						b.Fatal(err)
					}
				}
			}
			bd, err := db.Honours(nil).CreateBoard(ctx, clerk, honour.BoardInput{Region: pingan, Name: "孝星榜", Kind: honour.Computed, Period: honour.Quarter, Aspect: "filial", MinPoints: 3, Size: 10})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				e, err := db.Honours(nil).Edition(ctx, clerk, bd.ID, "2026-Q2")
				if err != nil || len(e.Honours) < 10 {
					b.Fatalf("%v %d", err, len(e.Honours))
				}
			}
		})
	}
}
