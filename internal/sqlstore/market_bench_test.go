package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkRedeem measures counter redemptions of 3-item baskets from 16
// concurrent clients over 200 households of one village, straight into
// the store: each redemption reads the store, the household, its key and
// the basket on the read pool, then writes in one transaction that takes
// the three items' stock, debits the points through the ledger and writes
// the receipt and its audit rows. It is the store's share of the issue's
// HTTP figure. On SQLite it also reports how many write transactions each
// group commit carried, which the throughput depends on as much as on the
// work of each.
func BenchmarkRedeem(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			s := openShop(b, db, 0)
			// Stock and points enough for any b.N, and no limit in the way.
			for _, g := range []int64{s.soap, s.oil, s.rice} {
				if _, err := db.Market().SaveGoods(ctx, admin, market.GoodsInput{ID: g, Store: s.store.ID, Name: fmt.Sprint("商品", g), Unit: "件", Price: 1, OnShelf: true}); err != nil {
					b.Fatal(err)
				}
				for range 10 {
					if _, err := db.Market().Receive(ctx, admin, market.Inbound{Store: s.store.ID, Goods: g, Qty: market.MaxQty, Source: market.Funds}); err != nil {
						b.Fatal(err)
					}
				}
			}
			hh := households(b, db, "B", 200, points.MaxPoints)
			items := []market.Item{{Goods: s.soap, Qty: 1}, {Goods: s.oil, Qty: 2}, {Goods: s.rice, Qty: 1}}
			var n atomic.Int64
			b.SetParallelism(8) // 2 cores × 8 = 16 clients
			commits, txs := db.GroupStats()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := db.Market().Redeem(ctx, clerk, market.Basket{Key: fmt.Sprint("bench-", i), Store: s.store.ID, Household: hh[i%200], Items: items}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "redemptions/s")
			if c, t := db.GroupStats(); c > commits {
				b.ReportMetric(float64(t-txs)/float64(c-commits), "tx/commit")
			}
		})
	}
}
