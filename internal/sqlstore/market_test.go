package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/market"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// shop is a store of 平安村 with a few goods on its shelf, and a
// household of the village with points to spend.
type shop struct {
	store           *market.Store
	soap, oil, rice int64
	household       int64
}

// openShop opens 平安村's store and stocks soap (3 points, 100 pieces),
// oil (20 points, 10 bottles) and rice (15 points, 50 bags, 2 a month);
// household 001 gets fund points.
func openShop(t testing.TB, db *sqlstore.DB, fund int64) shop {
	t.Helper()
	ctx := context.Background()
	m := db.Market()
	st, err := m.CreateStore(ctx, admin, market.StoreInput{Region: pingan, Name: "平安村积分超市"})
	if err != nil {
		t.Fatal(err)
	}
	s := shop{store: st, household: households(t, db, "H", 1, fund)[0]}
	s.soap, s.oil, s.rice = shelve(t, db, st.ID, 10)
	return s
}

// shelve stocks a store with soap (3 points, 100 pieces), oil (20 points,
// as many bottles as oil says) and rice (15 points, 50 bags, 2 a month).
func shelve(t testing.TB, db *sqlstore.DB, store, oil int64) (soapID, oilID, riceID int64) {
	t.Helper()
	ctx := context.Background()
	m := db.Market()
	for _, g := range []struct {
		out          *int64
		name, unit   string
		price, stock int64
		limit        int64
		per          market.Period
	}{{&soapID, "肥皂", "块", 3, 100, 0, market.None}, {&oilID, "食用油", "瓶", 20, oil, 0, market.None}, {&riceID, "大米", "袋", 15, 50, 2, market.Month}} {
		item, err := m.SaveGoods(ctx, admin, market.GoodsInput{Store: store, Name: g.name, Category: "日用品", Unit: g.unit, Price: g.price, Limit: g.limit, LimitPer: g.per, OnShelf: true})
		if err != nil {
			t.Fatal(err)
		}
		*g.out = item.ID
		if _, err := m.Receive(ctx, admin, market.Inbound{Store: store, Goods: item.ID, Qty: g.stock, Source: market.Funds}); err != nil {
			t.Fatal(err)
		}
	}
	return soapID, oilID, riceID
}

func stockOf(t testing.TB, db *sqlstore.DB, store, goods int64) int64 {
	t.Helper()
	gs, err := db.Market().Goods(context.Background(), admin, store)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if g.ID == goods {
			return g.Stock
		}
	}
	t.Fatalf("no goods %d", goods)
	return 0
}

func balanceOf(t testing.TB, db *sqlstore.DB, h int64) int64 {
	t.Helper()
	b, err := db.Ledger().Balance(context.Background(), admin, h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// msgOf renders an error's message the way a Chinese page would.
func msgOf(t *testing.T, err error) string {
	t.Helper()
	cat, cerr := i18n.Load()
	if cerr != nil {
		t.Fatal(cerr)
	}
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return err.Error()
	}
	parts := []string{cat.Text(i18n.ZH, fe.Msg)}
	for _, f := range fe.Fields {
		parts = append(parts, cat.Text(i18n.ZH, f.Msg))
	}
	return strings.Join(parts, " | ")
}

func TestMarketRedeem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := db.Market()
		s := openShop(t, db, 100)
		h := s.household

		basket := market.Basket{Key: "b1", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: 2}, {Goods: s.oil, Qty: 1}, {Goods: s.soap, Qty: 1}}}
		r, err := m.Redeem(ctx, clerk, basket)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 29 || r.Balance != 71 || len(r.Lines) != 2 || r.Lines[0].Qty+r.Lines[1].Qty != 4 || r.Replayed {
			t.Fatalf("redemption %+v", r)
		}
		// A double click, a back-button resubmit, a retry: one redemption.
		again, err := m.Redeem(ctx, clerk, basket)
		if err != nil || again.ID != r.ID || !again.Replayed {
			t.Fatalf("retry: %+v, %v", again, err)
		}
		other := basket
		other.Items = []market.Item{{Goods: s.soap, Qty: 1}}
		if _, err := m.Redeem(ctx, clerk, other); !fault.Is(err, fault.Conflict) {
			t.Fatalf("reused key with another basket: %v", err)
		}
		if balanceOf(t, db, h) != 71 || stockOf(t, db, s.store.ID, s.soap) != 97 || stockOf(t, db, s.store.ID, s.oil) != 9 {
			t.Fatal("the retry changed balance or stock")
		}

		// Short of oil and of points at once: nothing changes, and the
		// clerk reads both.
		_, err = m.Redeem(ctx, clerk, market.Basket{Key: "b2", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: 1}, {Goods: s.oil, Qty: 12}}})
		if !fault.Is(err, fault.Conflict) {
			t.Fatalf("short basket: %v", err)
		}
		if msg := msgOf(t, err); !strings.Contains(msg, "食用油") || !strings.Contains(msg, "现有 9 瓶") || !strings.Contains(msg, "积分余额不足") {
			t.Fatalf("the clerk is not told what is short: %s", msg)
		}
		if balanceOf(t, db, h) != 71 || stockOf(t, db, s.store.ID, s.soap) != 97 {
			t.Fatal("a refused basket changed something")
		}

		// A limit of 2 bags a month.
		if _, err := m.Redeem(ctx, clerk, market.Basket{Key: "b3", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.rice, Qty: 2}}}); err != nil {
			t.Fatal(err)
		}
		_, err = m.Redeem(ctx, clerk, market.Basket{Key: "b4", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.rice, Qty: 1}}})
		if !fault.Is(err, fault.Conflict) || !strings.Contains(msgOf(t, err), "大米") {
			t.Fatalf("over the limit: %v", err)
		}
		c, err := m.Customer(ctx, clerk, s.store.ID, h)
		if err != nil || c.Balance != 41 || c.Used[s.rice] != 2 {
			t.Fatalf("customer %+v, %v", c, err)
		}

		// A new price applies from now on; the receipt keeps the old.
		if _, err := m.SaveGoods(ctx, admin, market.GoodsInput{ID: s.soap, Store: s.store.ID, Name: "肥皂", Unit: "块", Price: 4, OnShelf: true}); err != nil {
			t.Fatal(err)
		}
		if prices, _ := m.Prices(ctx, admin, s.store.ID, s.soap); len(prices) != 2 || prices[0].Price != 4 {
			t.Fatalf("price history %+v", prices)
		}
		if old, _ := m.Redemption(ctx, clerk, r.ID); old.Lines[1].Price != 3 && old.Lines[0].Price != 3 {
			t.Fatalf("the receipt's price changed: %+v", old.Lines)
		}

		// Off the shelf, nobody can take it.
		if _, err := m.SaveGoods(ctx, admin, market.GoodsInput{ID: s.oil, Store: s.store.ID, Name: "食用油", Unit: "瓶", Price: 20}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Redeem(ctx, clerk, market.Basket{Key: "b5", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.oil, Qty: 1}}}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("off the shelf: %v", err)
		}

		// A return gives the points and the goods back, once.
		back, err := m.Return(ctx, clerk, r.ID, "质量问题")
		if err != nil || !back.Returned {
			t.Fatalf("return: %+v, %v", back, err)
		}
		if balanceOf(t, db, h) != 70 || stockOf(t, db, s.store.ID, s.soap) != 100 || stockOf(t, db, s.store.ID, s.oil) != 10 {
			t.Fatalf("after the return: balance %d", balanceOf(t, db, h))
		}
		// The returned receipt carries the balance after the return.
		if got, _ := m.Redemption(ctx, clerk, r.ID); got.ReturnBalance != 70 || got.Balance == 70 {
			t.Fatalf("returned receipt: balance %d, after the return %d", got.Balance, got.ReturnBalance)
		}
		if _, err := m.Return(ctx, clerk, r.ID, "再退"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second return: %v", err)
		}
		if _, err := m.Return(ctx, clerk, r.ID, ""); !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
			t.Fatalf("return without a reason: %v", err)
		}
		// Past the window, no return.
		late, err := m.Redeem(ctx, clerk, market.Basket{Key: "b6", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		now := db.Now
		db.Now = func() time.Time { return now().Add(8 * 24 * time.Hour) }
		if _, err := m.Return(ctx, clerk, late.ID, "晚了"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("late return: %v", err)
		}
		db.Now = now

		// Bad baskets are refused as invalid.
		for _, b := range []market.Basket{{Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: 1}}},
			{Key: "x", Store: s.store.ID, Household: h}, {Key: "y", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: -1}}},
			{Key: "z", Store: s.store.ID, Items: []market.Item{{Goods: s.soap, Qty: 1}}}} {
			if _, err := m.Redeem(ctx, clerk, b); !fault.Is(err, fault.Invalid) {
				t.Fatalf("invalid basket %+v: %v", b, err)
			}
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %+v, %v", problems, err)
		}
		checkStockMoves(t, db)
	})
}

// checkStockMoves asserts that every item's stock equals the sum of its
// movements and is never negative.
func checkStockMoves(t testing.TB, db *sqlstore.DB) {
	t.Helper()
	bad, err := db.Market().Verify(context.Background())
	if err != nil || len(bad) != 0 {
		t.Fatalf("stock against moves: %v, %v", bad, err)
	}
}

// TestMarketVerifyFindsDifferences damages the books behind the store's
// back: the check, which sums all moves in one grouped pass, names the
// goods whose stock no longer matches and only those.
func TestMarketVerifyFindsDifferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := openShop(t, db, 100)
		if _, err := db.Market().Redeem(ctx, admin, market.Basket{Key: "v1", Store: s.store.ID, Household: s.household,
			Items: []market.Item{{Goods: s.soap, Qty: 2}, {Goods: s.rice, Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
		checkStockMoves(t, db)
		if err := db.RawExec(ctx, `UPDATE goods SET stock = stock + 1 WHERE id = ?`, s.oil); err != nil {
			t.Fatal(err)
		}
		bad, err := db.Market().Verify(ctx)
		want := fmt.Sprintf("goods %d: stock 11, movements sum to 10", s.oil)
		if err != nil || len(bad) != 1 || bad[0] != want {
			t.Fatalf("verify after the stock moved alone: %q, %v; want %q", bad, err, want)
		}
	})
}

func TestMarketClerks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := db.Market()
		s := openShop(t, db, 100)
		h := s.household
		g := []access.Grant{{Role: access.Clerk, Region: pingan}}
		uid, err := db.CreateUser(ctx, nil, "shop-clerk", "售货员", "Clerk-Pass-1", g)
		if err != nil {
			t.Fatal(err)
		}
		c := &access.Actor{UserID: uid, Username: "shop-clerk", Grants: g}
		b := market.Basket{Key: "c1", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: 1}}}
		if _, err := m.Redeem(ctx, c, b); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a clerk not assigned to the store sold: %v", err)
		}
		if _, err := m.SaveGoods(ctx, c, market.GoodsInput{Store: s.store.ID, Name: "x", Unit: "个", Price: 1}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a clerk kept goods: %v", err)
		}
		if err := m.AssignClerk(ctx, admin, s.store.ID, "shop-clerk", false); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Redeem(ctx, c, b); err != nil {
			t.Fatal(err)
		}
		if _, err := m.SaveGoods(ctx, c, market.GoodsInput{Store: s.store.ID, Name: "x", Unit: "个", Price: 1}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("an assigned clerk kept goods: %v", err)
		}
		if list, err := m.Stores(ctx, c); err != nil || len(list) != 1 {
			t.Fatalf("the clerk's stores: %+v, %v", list, err)
		}
		// Someone with no right to sell there cannot be assigned.
		if _, err := db.CreateUser(ctx, nil, "reader", "读者", "Other-Pass-9", []access.Grant{{Role: access.Reviewer, Region: pingan}}); err != nil {
			t.Fatal(err)
		}
		if err := m.AssignClerk(ctx, admin, s.store.ID, "reader", false); !fault.Is(err, fault.Invalid) {
			t.Fatalf("assigned a reviewer: %v", err)
		}
		// A household of another township does not exist at this counter.
		far := mustHousehold(t, db, "152221103212", "F-1", person("外村", 7, "1970-01-01", "男"))
		if _, err := m.Redeem(ctx, admin, market.Basket{Key: "c2", Store: s.store.ID, Household: far.ID, Items: []market.Item{{Goods: s.soap, Qty: 1}}}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a foreign household: %v", err)
		}
		if found, err := m.FindCustomers(ctx, c, s.store.ID, "外村"); err != nil || len(found) != 0 {
			t.Fatalf("search found foreign households: %+v, %v", found, err)
		}
		if found, err := m.FindCustomers(ctx, c, s.store.ID, "H000"); err != nil || len(found) != 1 || found[0].Balance != 97 {
			t.Fatalf("search by 户号: %+v, %v", found, err)
		}
		tok, err := db.Registry().CardToken(ctx, admin, h)
		if err != nil {
			t.Fatal(err)
		}
		if found, err := m.FindCustomers(ctx, c, s.store.ID, "http://x/card/"+tok); err != nil || len(found) != 1 || found[0].Household != h {
			t.Fatalf("scanned card: %+v, %v", found, err)
		}
		if _, err := m.Redeem(ctx, c, market.Basket{Key: "c3", Store: s.store.ID, Card: tok, Items: []market.Item{{Goods: s.soap, Qty: 1}}}); err != nil {
			t.Fatalf("redeem by card: %v", err)
		}
		if err := m.AssignClerk(ctx, admin, s.store.ID, "shop-clerk", true); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Redeem(ctx, c, market.Basket{Key: "c4", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.soap, Qty: 1}}}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("an unassigned clerk sold: %v", err)
		}
	})
}

func TestMarketStockAndReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := db.Market()
		s := openShop(t, db, 500)
		h := s.household
		if _, err := m.Receive(ctx, admin, market.Inbound{Store: s.store.ID, Goods: s.oil, Qty: 5, Source: market.Enterprise, Donor: "兴安粮油公司", Thank: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Receive(ctx, admin, market.Inbound{Store: s.store.ID, Goods: s.oil, Qty: 5, Source: market.Person}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a donation without its donor: %v", err)
		}
		if _, err := m.Adjust(ctx, admin, market.Adjustment{Store: s.store.ID, Goods: s.oil, Delta: -100, Reason: market.Damaged}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("an adjustment below zero: %v", err)
		}
		if _, err := m.Adjust(ctx, admin, market.Adjustment{Store: s.store.ID, Goods: s.oil, Delta: -1, Reason: market.Damaged, Memo: "摔碎"}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Redeem(ctx, clerk, market.Basket{Key: "r1", Store: s.store.ID, Household: h, Items: []market.Item{{Goods: s.oil, Qty: 2}, {Goods: s.soap, Qty: 5}}}); err != nil {
			t.Fatal(err)
		}
		cnt, err := m.StockCount(ctx, admin, s.store.ID, map[int64]int64{s.oil: 11, s.soap: 95})
		if err != nil {
			t.Fatal(err)
		}
		if len(cnt.Lines) != 2 || cnt.Loss() != 20 {
			t.Fatalf("count %+v loss %d", cnt, cnt.Loss())
		}
		if stockOf(t, db, s.store.ID, s.oil) != 11 {
			t.Fatal("the count did not set the stock")
		}
		day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		flow, err := m.Flow(ctx, admin, s.store.ID, day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range flow {
			if f.Goods == s.oil && (f.Opening != 0 || f.In != 15 || f.Out != 2 || f.Adjusted != -2 || f.Closing != 11) {
				t.Fatalf("oil flow %+v", f)
			}
		}
		daily, err := m.Daily(ctx, admin, s.store.ID, day, day.AddDate(0, 1, 0), false)
		if err != nil || len(daily) != 1 || daily[0].Count != 1 || daily[0].Points != 55 {
			t.Fatalf("daily %+v, %v", daily, err)
		}
		liab, err := m.Liability(ctx, admin, s.store.ID)
		if err != nil || liab.Outstanding != 445 || liab.Households != 1 || liab.StockValue != 95*3+11*20+50*15 {
			t.Fatalf("liability %+v, %v", liab, err)
		}
		if counts, err := m.Counts(ctx, admin, s.store.ID); err != nil || len(counts) != 1 || len(counts[0].Lines) != 2 {
			t.Fatalf("counts %+v, %v", counts, err)
		}
		// Photos: images only, by content, readable and not too large.
		png := photo.Swatch(1)
		if err := m.SetPhoto(ctx, admin, s.store.ID, s.oil, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a PNG signature and nothing readable: %v", err)
		}
		if err := m.SetPhoto(ctx, admin, s.store.ID, s.oil, png); err != nil {
			t.Fatal(err)
		}
		if data, ctype, err := m.Photo(ctx, s.oil); err != nil || ctype != "image/png" || len(data) == 0 {
			t.Fatalf("photo %s %d, %v", ctype, len(data), err)
		}
		if err := m.SetPhoto(ctx, admin, s.store.ID, s.oil, []byte("<html><script>x</script>")); !fault.Is(err, fault.Invalid) {
			t.Fatalf("markup as a photo: %v", err)
		}
		if err := m.SetPhoto(ctx, admin, s.store.ID, s.oil, append(png, make([]byte, market.MaxPhoto)...)); !fault.Is(err, fault.TooLarge) {
			t.Fatalf("an oversized photo: %v", err)
		}
		shopClerk := &access.Actor{UserID: 99, Username: "shop", Grants: []access.Grant{{Role: access.Clerk, Region: pingan}}}
		if err := m.SetPhoto(ctx, shopClerk, s.store.ID, s.oil, png); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a clerk of no store set a photo: %v", err)
		}
		checkStockMoves(t, db)
	})
}

// TestConcurrentRedemptions runs 200 redemptions at once against one
// household that can afford K of them and one item with stock S (and, in
// one case, a limit per household): exactly as many succeed as the
// scarcest of the three allows, and neither balance nor stock goes below
// zero, on both engines.
func TestConcurrentRedemptions(t *testing.T) {
	for _, c := range []struct {
		name               string
		afford, stock, lim int64
		want               int64
	}{{"points run out", 37, 100, 0, 37}, {"stock runs out", 150, 23, 0, 23}, {"limit reached", 150, 100, 9, 9}} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				m := db.Market()
				st, err := m.CreateStore(ctx, admin, market.StoreInput{Region: pingan, Name: "平安村积分超市"})
				if err != nil {
					t.Fatal(err)
				}
				in := market.GoodsInput{Store: st.ID, Name: "肥皂", Unit: "块", Price: 3, OnShelf: true}
				if c.lim > 0 {
					in.Limit, in.LimitPer = c.lim, market.Month
				}
				g, err := m.SaveGoods(ctx, admin, in)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := m.Receive(ctx, admin, market.Inbound{Store: st.ID, Goods: g.ID, Qty: c.stock, Source: market.Funds}); err != nil {
					t.Fatal(err)
				}
				h := ledgerHousehold(t, db, "002", 2)
				post(t, db, points.Posting{Key: "fund", Household: h, Kind: points.Award, Points: c.afford * 3})
				const n = 200
				ok, refused := race(t, n, func(i int) error {
					_, err := m.Redeem(ctx, clerk, market.Basket{Key: fmt.Sprintf("race-%d", i), Store: st.ID, Household: h, Items: []market.Item{{Goods: g.ID, Qty: 1}}})
					return err
				})
				if ok != c.want || refused != n-c.want {
					t.Fatalf("%d redemptions succeeded and %d were refused, want %d and %d", ok, refused, c.want, n-c.want)
				}
				if b := balanceOf(t, db, h); b != (c.afford-c.want)*3 {
					t.Fatalf("balance %d, want %d", b, (c.afford-c.want)*3)
				}
				if s := stockOf(t, db, st.ID, g.ID); s != c.stock-c.want {
					t.Fatalf("stock %d, want %d", s, c.stock-c.want)
				}
				if problems, _ := db.Ledger().Verify(ctx); len(problems) != 0 {
					t.Fatalf("verify: %+v", problems)
				}
				checkStockMoves(t, db)
			})
		})
	}
}

// race runs fn n times at once and counts the calls that succeeded and
// those refused with a conflict; any other error fails the test.
func race(t *testing.T, n int, fn func(i int) error) (ok, refused int64) {
	var okN, refusedN atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch err := fn(i); {
			case err == nil:
				okN.Add(1)
			case fault.Is(err, fault.Conflict):
				refusedN.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	return okN.Load(), refusedN.Load()
}

// households registers n households of 平安村, numbered prefix000 on,
// each with fund points if fund is positive.
func households(tb testing.TB, db *sqlstore.DB, prefix string, n int, fund int64) []int64 {
	tb.Helper()
	ctx := context.Background()
	var out []int64
	for i := range n {
		h, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: fmt.Sprintf("%s%03d", prefix, i), VillageCode: pingan},
			registry.ResidentInput{Name: "王五", Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-01-01", Political: "群众"})
		if err != nil {
			tb.Fatal(err)
		}
		if fund > 0 {
			if _, err := db.Ledger().Post(ctx, clerk, points.Posting{Key: fmt.Sprintf("fund-%s%d", prefix, i), Household: h.ID, Kind: points.Award, Points: fund}); err != nil {
				tb.Fatal(err)
			}
		}
		out = append(out, h.ID)
	}
	return out
}

// TestStoreClosing closes a store and opens it again: closed, it refuses
// redemptions in Chinese and with its reason, still answers the key of a
// receipt it wrote before, and still takes stock; only its managers may
// close or reopen it, each once, with a reason to close, and both are
// audited.
func TestStoreClosing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := db.Market()
		s := openShop(t, db, 100)
		basket := func(key string) market.Basket {
			return market.Basket{Key: key, Store: s.store.ID, Household: s.household, Items: []market.Item{{Goods: s.soap, Qty: 1}}}
		}
		before, err := m.Redeem(ctx, clerk, basket("before"))
		if err != nil {
			t.Fatal(err)
		}
		for _, reason := range []string{"", "  ", strings.Repeat("停", 101)} {
			if _, err := m.CloseStore(ctx, admin, s.store.ID, reason); !fault.Is(err, fault.Invalid) || !strings.Contains(msgOf(t, err), "停业原因") {
				t.Errorf("closing for %q: %v", reason, err)
			}
		}
		shopClerk := &access.Actor{UserID: 99, Username: "shop", Grants: []access.Grant{{Role: access.Clerk, Region: pingan}}}
		sibling := &access.Actor{UserID: 98, Username: "far", Grants: []access.Grant{{Role: access.Operator, Region: dsVillage}}}
		if _, err := m.CloseStore(ctx, shopClerk, s.store.ID, "盘点"); err == nil {
			t.Error("a clerk of no store closed it")
		}
		if _, err := m.CloseStore(ctx, sibling, s.store.ID, "盘点"); !fault.Is(err, fault.NotFound) {
			t.Errorf("another township's operator closing: %v", err)
		}
		st, err := m.CloseStore(ctx, admin, s.store.ID, " 春节歇业 ")
		if err != nil || st.Open() || st.ClosedReason != "春节歇业" || st.ClosedAt.IsZero() {
			t.Fatalf("closed: %+v, %v", st, err)
		}
		if _, err := m.CloseStore(ctx, admin, s.store.ID, "又一次"); !fault.Is(err, fault.Conflict) {
			t.Errorf("closing a closed store: %v", err)
		}
		_, err = m.Redeem(ctx, clerk, basket("during"))
		if !fault.Is(err, fault.Conflict) || !strings.Contains(msgOf(t, err), "本超市已停业（春节歇业）") {
			t.Fatalf("a redemption at a closed store: %v", err)
		}
		if again, err := m.Redeem(ctx, clerk, basket("before")); err != nil || again.ID != before.ID || !again.Replayed {
			t.Fatalf("the key of a receipt from before: %+v, %v", again, err)
		}
		if _, err := m.Receive(ctx, admin, market.Inbound{Store: s.store.ID, Goods: s.soap, Qty: 5, Source: market.Funds}); err != nil {
			t.Fatalf("stock in while closed: %v", err)
		}
		if got, err := m.Store(ctx, clerk, s.store.ID); err != nil || got.Open() {
			t.Fatalf("the store read back: %+v, %v", got, err)
		}
		if _, err := m.ReopenStore(ctx, sibling, s.store.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("another township's operator reopening: %v", err)
		}
		if st, err = m.ReopenStore(ctx, admin, s.store.ID); err != nil || !st.Open() || st.ClosedReason != "" {
			t.Fatalf("reopened: %+v, %v", st, err)
		}
		if _, err := m.ReopenStore(ctx, admin, s.store.ID); !fault.Is(err, fault.Conflict) {
			t.Errorf("reopening an open store: %v", err)
		}
		if _, err := m.Redeem(ctx, clerk, basket("after")); err != nil {
			t.Fatalf("a redemption after reopening: %v", err)
		}
		for _, action := range []string{"market.store.close", "market.store.reopen"} {
			if n := audits(t, db, action); n != 1 {
				t.Errorf("%d %s audit rows, want 1", n, action)
			}
		}
	})
}
