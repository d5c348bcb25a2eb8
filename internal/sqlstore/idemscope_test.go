package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// clerk2 is a second operator of 平安村, replaying clerk's keys.
var clerk2 = &access.Actor{UserID: 6, Username: "clerk2", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}

// TestIdempotencyKeysScoped replays one caller's idempotency key as
// another caller, and on another household or store: each is a new key,
// neither answered with the first caller's record nor refused as reused.
func TestIdempotencyKeysScoped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := db.Schemes().Create(ctx, admin, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		aw := db.Awards(db.Review(storetest.AwardFlows(t), nil))
		h1, h2 := ledgerHousehold(t, db, "001", 1), ledgerHousehold(t, db, "002", 2)
		in := points.AwardInput{Key: "shared-key", Household: h1, Item: "env-03"}
		first, err := aw.Record(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := aw.Record(ctx, clerk, in); err != nil || again.ID != first.ID {
			t.Fatalf("own retry: %+v, %v", again, err)
		}
		if theirs, err := aw.Record(ctx, clerk2, in); err != nil || theirs.ID == first.ID {
			t.Fatalf("another caller's key with the same body: %+v, %v (first %d)", theirs, err, first.ID)
		}
		other := in
		other.Evidence = "另一份"
		clerk3 := &access.Actor{UserID: 8, Username: "clerk3", Grants: clerk2.Grants}
		if _, err := aw.Record(ctx, clerk3, other); err != nil {
			t.Fatalf("another caller's key with another body revealed it: %v", err)
		}
		other = in
		other.Household = h2
		if w, err := aw.Record(ctx, clerk, other); err != nil || w.ID == first.ID {
			t.Fatalf("own key on another household: %+v, %v", w, err)
		}

		m := db.Market()
		s := openShop(t, db, 100)
		basket := market.Basket{Key: "till-1", Store: s.store.ID, Household: s.household, Items: []market.Item{{Goods: s.soap, Qty: 1}}}
		r, err := m.Redeem(ctx, clerk, basket)
		if err != nil {
			t.Fatal(err)
		}
		if r2, err := m.Redeem(ctx, clerk2, basket); err != nil || r2.ID == r.ID || r2.Replayed {
			t.Fatalf("another clerk's key: %+v, %v", r2, err)
		}
		big := basket
		big.Items = []market.Item{{Goods: s.oil, Qty: 1}}
		if _, err := m.Redeem(ctx, clerk2, big); !fault409(err) {
			t.Fatalf("clerk2 reusing their own key for another basket: %v", err)
		}
		st2, err := m.CreateStore(ctx, admin, market.StoreInput{Region: pingan, Name: "平安村第二超市"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := m.SaveGoods(ctx, admin, market.GoodsInput{Store: st2.ID, Name: "肥皂", Category: "日用品", Unit: "块", Price: 3, OnShelf: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Receive(ctx, admin, market.Inbound{Store: st2.ID, Goods: g.ID, Qty: 10, Source: market.Funds}); err != nil {
			t.Fatal(err)
		}
		there := market.Basket{Key: "till-1", Store: st2.ID, Household: s.household, Items: []market.Item{{Goods: g.ID, Qty: 1}}}
		if r3, err := m.Redeem(ctx, clerk, there); err != nil || r3.ID == r.ID || r3.Replayed {
			t.Fatalf("the same key at another store: %+v, %v", r3, err)
		}
	})
}

func fault409(err error) bool { return fault.Is(err, fault.Conflict) }
