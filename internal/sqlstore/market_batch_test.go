package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// redeemScene is a store of 平安村 with soap (3 points, 100 pieces), the
// last two bottles of oil (20 points) and rice (15 points, 50 bags, 2 a
// month), and three households of the village: slot 0 with 40 points,
// slots 1 and 2 with 100.
type redeemScene struct {
	store           int64
	soap, oil, rice int64
	hs              [3]int64
}

func newRedeemScene(t *testing.T, db *sqlstore.DB, name string) redeemScene {
	t.Helper()
	ctx := context.Background()
	m := db.Market()
	st, err := m.CreateStore(ctx, admin, market.StoreInput{Region: pingan, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	s := redeemScene{store: st.ID}
	s.soap, s.oil, s.rice = shelve(t, db, st.ID, 2)
	s.hs[0] = households(t, db, name+"a", 1, 40)[0]
	copy(s.hs[1:], households(t, db, name+"b", 2, 100))
	return s
}

// redeemCase is a basket of the batch tests: a household's slot (-1: one
// that does not exist, -2: a card nobody holds, -3: a store the clerk
// cannot sell at) and what it takes of soap, oil and rice.
type redeemCase struct {
	slot            int
	soap, oil, rice int64
}

// redeemCases meet every way a redemption of a batch can answer: a
// household that can no longer afford its second basket, two baskets
// taking the last bottles of oil and a third finding none, a limit
// reached inside the batch, an unknown household, card and store, and
// baskets taken after others spent some of the same points and stock.
var redeemCases = []redeemCase{
	{0, 0, 1, 0},
	{0, 1, 1, 0},
	{1, 0, 1, 0},
	{2, 0, 1, 0},
	{1, 0, 0, 2},
	{1, 0, 0, 1},
	{2, 2, 0, 1},
	{-1, 1, 0, 0},
	{-2, 1, 0, 0},
	{-3, 1, 0, 0},
	{2, 3, 0, 0},
	{0, 6, 0, 0},
	{0, 1, 0, 0},
	{2, 0, 0, 1},
}

func (c redeemCase) basket(s redeemScene, i int) market.Basket {
	b := market.Basket{Key: fmt.Sprint("case-", i), Store: s.store}
	switch c.slot {
	case -1:
		b.Household = 987654321
	case -2:
		b.Card = "no-such-card-0123456789"
	case -3:
		b.Store, b.Household = 987654321, s.hs[0]
	default:
		b.Household = s.hs[c.slot]
	}
	for _, it := range []market.Item{{Goods: s.soap, Qty: c.soap}, {Goods: s.oil, Qty: c.oil}, {Goods: s.rice, Qty: c.rice}} {
		if it.Qty > 0 {
			b.Items = append(b.Items, it)
		}
	}
	return b
}

// redeemOutcome is what a caller got, without the run's own ids.
func redeemOutcome(s redeemScene, r *market.Redemption, err error) string {
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			return fmt.Sprintf("error %s %s %+v", fe.Code, fe.Msg.Key, fe.Fields)
		}
		return "error " + err.Error()
	}
	slot := -1
	for i, h := range s.hs {
		if h == r.Household {
			slot = i
		}
	}
	var lines []string
	for _, l := range r.Lines {
		lines = append(lines, fmt.Sprintf("%s×%d@%d", l.Name, l.Qty, l.Price))
	}
	return fmt.Sprintf("slot %d %s %s total %d balance %d entry:%t %s %s return by %s replayed:%t", slot, r.Head, r.Village, r.Total, r.Balance, r.Entry != 0,
		strings.Join(lines, ","), r.Actor, r.ReturnDeadline.Sub(r.At), r.Replayed)
}

// TestRedeemBatchAnswersAsOneByOne writes the same planned baskets one at
// a time and as one batch in two alike stores: every caller gets the same
// answer, the balances and the stock end alike, the receipts read back
// alike, and the ledger, the stock moves and the audit trail verify.
func TestRedeemBatchAnswersAsOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := db.Market()
		one, together := newRedeemScene(t, db, "一号店"), newRedeemScene(t, db, "二号店")
		run := func(s redeemScene, batch bool) ([]string, []*market.Redemption) {
			bs := make([]market.Basket, len(redeemCases))
			for i, c := range redeemCases {
				bs[i] = c.basket(s, i)
			}
			recs, errs, err := m.RedeemPlanned(ctx, clerk, bs, batch)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(bs))
			for i := range bs {
				out[i] = redeemOutcome(s, recs[i], errs[i])
			}
			return out, recs
		}
		redeemsBefore := audits(t, db, "market.redeem")
		want, wantRecs := run(one, false)
		auditOne := audits(t, db, "market.redeem") - redeemsBefore
		got, gotRecs := run(together, true)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("case %d (%+v):\n together   %s\n one by one %s", i, redeemCases[i], got[i], want[i])
			}
		}
		var taken int
		for _, w := range want {
			if !strings.HasPrefix(w, "error") {
				taken++
			}
		}
		if taken != 7 {
			t.Errorf("%d baskets taken one by one, want 7: %q", taken, want)
		}
		if n := audits(t, db, "market.redeem") - redeemsBefore - auditOne; n != auditOne || n != taken {
			t.Errorf("audit rows of the batch %d, one by one %d, want %d each", n, auditOne, taken)
		}
		for slot := range 3 {
			if a, b := balanceOf(t, db, one.hs[slot]), balanceOf(t, db, together.hs[slot]); a != b {
				t.Errorf("slot %d: balance %d together, %d one by one", slot, b, a)
			}
		}
		for _, g := range [][2]int64{{one.soap, together.soap}, {one.oil, together.oil}, {one.rice, together.rice}} {
			if a, b := stockOf(t, db, one.store, g[0]), stockOf(t, db, together.store, g[1]); a != b {
				t.Errorf("goods %d: stock %d together, %d one by one", g[1], b, a)
			}
		}
		// The receipts as stored read back as their callers got them.
		for i, r := range gotRecs {
			if r == nil {
				continue
			}
			back, err := m.Redemption(ctx, clerk, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := redeemOutcome(together, back, nil), redeemOutcome(one, wantRecs[i], nil); a != b || back.Entry != r.Entry || !back.At.Equal(r.At) {
				t.Errorf("case %d reads back as %s (entry %d), the caller got %s (entry %d)", i, a, back.Entry, b, r.Entry)
			}
		}
		// A debit is keyed by its receipt, on both paths: the counter's
		// own keys add no prefix to the ledger's keys.
		var prefixes int
		if err := db.RawRow(ctx, `SELECT COUNT(*) FROM ledger_keys WHERE prefix LIKE 'market:%'`).Scan(&prefixes); err != nil {
			t.Fatal(err)
		}
		if prefixes != 1 {
			t.Errorf("%d ledger key prefixes of the market, want 1", prefixes)
		}
		for _, r := range append(wantRecs, gotRecs...) {
			if r == nil {
				continue
			}
			var key string
			if err := db.RawRow(ctx, `SELECT k.prefix || e.key_num FROM ledger_entries e JOIN ledger_keys k ON k.id = e.key_pre WHERE e.id = ?`, r.Entry).Scan(&key); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprint("market:", r.ID); key != want {
				t.Errorf("redemption %d's debit has key %q, want %q", r.ID, key, want)
			}
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger verify: %+v, %v", problems, err)
		}
		checkStockMoves(t, db)
		if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Problem != "" {
			t.Fatalf("audit verify: %+v, %v", c, err)
		}
	})
}

// TestRedeemBatchThroughTheWriter sends redemptions from many goroutines
// while the writer is held, so they reach it together: more baskets of
// oil than there are bottles, over households of which some run out of
// points, and a basket of soap sent twice. Exactly as many are taken as
// stock and points allow, the one sent twice makes one redemption, and
// the ledger, the stock moves and the audit trail verify.
func TestRedeemBatchThroughTheWriter(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	m := db.Market()
	s := newRedeemScene(t, db, "平安村积分超市")
	if _, err := m.Receive(ctx, admin, market.Inbound{Store: s.store, Goods: s.oil, Qty: 8, Source: market.Funds}); err != nil {
		t.Fatal(err)
	}
	hs := append(s.hs[:], households(t, db, "W", 5, 40)...) // 40 points: two bottles each
	var baskets []market.Basket
	for i := range 24 {
		baskets = append(baskets, market.Basket{Key: fmt.Sprint("w-", i), Store: s.store, Household: hs[i%len(hs)], Items: []market.Item{{Goods: s.oil, Qty: 1}}})
	}
	twice := market.Basket{Key: "twice", Store: s.store, Household: households(t, db, "D", 1, 10)[0], Items: []market.Item{{Goods: s.soap, Qty: 2}}}
	baskets = append(baskets, twice, twice)
	commits0, txs0 := db.GroupStats()
	recs := make([]*market.Redemption, len(baskets))
	errs := make([]error, len(baskets))
	atOnce(t, db, len(baskets), func(i int) { recs[i], errs[i] = m.Redeem(ctx, clerk, baskets[i]) })
	commits, txs := db.GroupStats()
	if commits-commits0 > 4 || txs-txs0 < 2*(commits-commits0) {
		t.Errorf("%d write transactions in %d commits: the redemptions did not reach the writer together", txs-txs0, commits-commits0)
	}
	if batches, batched, fallbacks := db.BatchStats(); batches == 0 || batched < 2*batches || fallbacks != 0 {
		t.Errorf("%d redemptions in %d batches, %d batches run one by one: the writer did not batch them", batched, batches, fallbacks)
	}
	ids := map[int64]bool{}
	var refused int
	for i, err := range errs[:24] {
		switch {
		case err == nil:
			ids[recs[i].ID] = true
		case fault.Is(err, fault.Conflict):
			refused++
		default:
			t.Errorf("basket %d: %v", i, err)
		}
	}
	// Ten bottles; slot 0 affords two, the two others five each, the
	// five W households two each: the stock runs out first.
	if len(ids) != 10 || refused != 14 {
		t.Errorf("%d redemptions and %d refusals, want 10 and 14", len(ids), refused)
	}
	if stockOf(t, db, s.store, s.oil) != 0 {
		t.Errorf("oil left: %d", stockOf(t, db, s.store, s.oil))
	}
	if errs[24] != nil || errs[25] != nil || recs[24].ID != recs[25].ID || recs[24].Replayed == recs[25].Replayed {
		t.Errorf("a basket sent twice: %+v, %v; %+v, %v", recs[24], errs[24], recs[25], errs[25])
	}
	if n := audits(t, db, "market.redeem"); n != 11 {
		t.Errorf("%d audit rows of redemptions, want 11", n)
	}
	var spent int64
	for _, h := range hs {
		spent += map[bool]int64{true: 40, false: 100}[h == s.hs[0] || h > s.hs[2]] - balanceOf(t, db, h)
	}
	if spent != 200 {
		t.Errorf("%d points spent on 10 bottles of 20", spent)
	}
	if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("ledger verify: %+v, %v", problems, err)
	}
	checkStockMoves(t, db)
	if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Problem != "" {
		t.Fatalf("audit verify: %+v, %v", c, err)
	}
}

// TestRedeemBatchAcrossVillages writes a batch of redemptions at the
// stores of three villages, twice: each batch chains three villages'
// ledger entries and moves their audit heads, which all exist by the
// second, in one statement (auditEach). Every balance is what the baskets
// took, and the ledger's chains and the audit trail verify.
func TestRedeemBatchAcrossVillages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		town := &access.Actor{UserID: 11, Username: "town", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		m := db.Market()
		var baskets []market.Basket
		for i, v := range append(townVillages(t, db, 2), pingan) {
			st, err := m.CreateStore(ctx, admin, market.StoreInput{Region: v, Name: fmt.Sprint("村店", i)})
			if err != nil {
				t.Fatal(err)
			}
			soap, _, _ := shelve(t, db, st.ID, 2)
			for j := range 2 {
				h, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: fmt.Sprintf("x%d%d", i, j), VillageCode: v},
					registry.ResidentInput{Name: "王五", Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-01-01", Political: "群众"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Ledger().Post(ctx, town, points.Posting{Key: fmt.Sprintf("fund-x%d%d", i, j), Household: h.ID, Kind: points.Award, Points: 50}); err != nil {
					t.Fatal(err)
				}
				baskets = append(baskets, market.Basket{Store: st.ID, Household: h.ID, Items: []market.Item{{Goods: soap, Qty: 1 + int64(j)}}})
			}
		}
		for round := range 2 {
			for i := range baskets {
				baskets[i].Key = fmt.Sprintf("r%d-%d", round, i)
			}
			_, errs, err := m.RedeemPlanned(ctx, town, baskets, true)
			if err != nil {
				t.Fatal(err)
			}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d, basket %d: %v", round, i, err)
				}
			}
		}
		for i, b := range baskets {
			// Soap is 3 points; each household took its basket twice.
			if bal, err := db.Ledger().Balance(ctx, admin, b.Household); err != nil || bal != 50-2*3*(1+int64(i%2)) {
				t.Errorf("basket %d's household: balance %d, %v", i, bal, err)
			}
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger verify: %+v, %v", problems, err)
		}
		if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Problem != "" {
			t.Fatalf("audit verify: %+v, %v", c, err)
		}
	})
}

// TestCrossTableCheckFindsTheDebit: verify's cross-table check takes a
// receipt's debit keyed by the receipt's id, as debits are written, and
// one keyed by the counter's key, as they were before; a receipt that
// names another redemption's debit is reported, and nothing else is.
func TestCrossTableCheckFindsTheDebit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newRedeemScene(t, db, "核对店")
		var recs []*market.Redemption
		for i := range 3 {
			r, err := db.Market().Redeem(ctx, clerk, market.Basket{Key: fmt.Sprint("check-", i), Store: s.store, Household: s.hs[i], Items: []market.Item{{Goods: s.soap, Qty: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		problems := func() []string {
			f, err := db.CrossTableCheck(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range f.Problems {
				out = append(out, fmt.Sprint(p.Key, p.Args))
			}
			return out
		}
		if got := problems(); len(got) != 0 {
			t.Fatalf("a sound market: %q", got)
		}
		// The second receipt's debit as an older release posted it.
		var idem string
		if err := db.RawRow(ctx, `SELECT idem_key FROM redemptions WHERE id = ?`, recs[1].ID).Scan(&idem); err != nil {
			t.Fatal(err)
		}
		old, err := db.Ledger().Post(ctx, admin, points.Posting{Key: "market:" + idem, Household: s.hs[1], Kind: points.Award, Points: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RawExec(ctx, `UPDATE redemptions SET entry_id = ? WHERE id = ?`, old.ID, recs[1].ID); err != nil {
			t.Fatal(err)
		}
		if got := problems(); len(got) != 0 {
			t.Fatalf("a debit keyed by the counter's key: %q", got)
		}
		if err := db.RawExec(ctx, `UPDATE redemptions SET entry_id = ? WHERE id = ?`, recs[0].Entry, recs[2].ID); err != nil {
			t.Fatal(err)
		}
		if got, want := problems(), []string{fmt.Sprint("verify.redemption_debit", []any{recs[2].ID})}; strings.Join(got, ";") != strings.Join(want, ";") {
			t.Fatalf("a receipt naming another's debit: %q, want %q", got, want)
		}
	})
}
