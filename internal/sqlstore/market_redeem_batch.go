package sqlstore

import (
	"context"
	"errors"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/market"
)

// Redemptions that reach SQLite's single writer together are written
// with shared statements (issue #18), as awards are (award_batch.go):
// redeem spends some thirteen statements and a savepoint pair on a
// three-item basket. A batch reads the goods of every basket, the units
// the households used of the limited ones, the households' balances and
// the receipts holding the keys, in one query each; checks every
// redemption on its own in the order the writer took them, with redeem's
// rules, each seeing what those before it took; and writes the ones
// taken with one statement a table: the stock and the balances by CASE,
// the receipts, their lines, the stock moves and the ledger entries
// (appendEntries) by multi-row INSERTs, and the audit rows of each
// partition with one move of its head (auditEach).

// redeemCall is one Redeem call waiting in the writer's queue, planned.
type redeemCall struct {
	ctx context.Context
	a   *access.Actor
	p   *redemptionPlan
	out *market.Redemption
}

// redeemBatcher runs Redeem calls together; every market service's
// calls batch together, since it holds nothing.
type redeemBatcher struct{}

func (redeemBatcher) runBatch(tx *Tx, jobs []*groupJob) ([]error, error) {
	calls := make([]*redeemCall, len(jobs))
	for i, j := range jobs {
		calls[i] = j.call.(*redeemCall)
	}
	return tx.redeemBatch(jobs[0].ctx, calls)
}

// errKeyTaken answers a redemption of a batch whose key a receipt stored
// since its plan, or one earlier in the batch, holds: what the receipt's
// unique key answers redeem, on which Redeem runs once more and then
// finds that receipt.
var errKeyTaken = errors.New("sqlstore: the redemption's key is taken")

// usedKey is a household's use of limited goods.
type usedKey struct{ household, goods int64 }

// redeemTaken is a redemption of the batch that passed every check.
type redeemTaken struct {
	call    int
	goods   []market.Goods // after its take
	lines   []market.Line
	total   int64
	balance int64 // after its debit
}

// redeemBatch writes calls in tx and returns each one's outcome, the one
// redeem would give it run alone in the same order; the error of its own
// is an unexpected failure of the shared statements.
func (tx *Tx) redeemBatch(ctx context.Context, calls []*redeemCall) ([]error, error) {
	goods, err := tx.batchGoods(ctx, calls)
	if err != nil {
		return nil, err
	}
	used, err := tx.batchUsed(ctx, calls, goods)
	if err != nil {
		return nil, err
	}
	accounts, err := tx.batchSpendStates(ctx, calls)
	if err != nil {
		return nil, err
	}
	keys, err := tx.batchKeys(ctx, calls)
	if err != nil {
		return nil, err
	}
	outs := make([]error, len(calls))
	var taken []redeemTaken
	for i, c := range calls {
		p := c.p
		after, err := takeFrom(p.st.ID, p.items, goods)
		if err != nil {
			outs[i] = err
			continue
		}
		lines, total, err := checkBasket(after, p.items, func(g *market.Goods) (int64, error) {
			return leftOf(g, used[usedKey{p.c.id, g.ID}]), nil
		})
		if err != nil {
			outs[i] = err
			continue
		}
		if keys[p.key] {
			outs[i] = errKeyTaken
			continue
		}
		acct := accounts[p.c.id]
		if err := acct.refusal(p.c.village, total); err != nil {
			outs[i] = err
			continue
		}
		// Taken: the calls after it see its stock, limits and points gone.
		keys[p.key] = true
		for n, g := range after {
			goods[g.ID] = g
			if g.Limit > 0 {
				used[usedKey{p.c.id, g.ID}] += lines[n].Qty
			}
		}
		acct.balance -= total
		accounts[p.c.id] = acct
		taken = append(taken, redeemTaken{call: i, goods: after, lines: lines, total: total, balance: acct.balance})
	}
	if err := tx.writeRedemptions(ctx, calls, taken); err != nil {
		return nil, err
	}
	return outs, nil
}

// batchGoods reads the goods of every basket of calls by id.
func (tx *Tx) batchGoods(ctx context.Context, calls []*redeemCall) (map[int64]market.Goods, error) {
	var all []int64
	for _, c := range calls {
		for _, it := range c.p.items {
			all = append(all, it.Goods)
		}
	}
	ids := inArgs(all)
	goods, err := queryAll(ctx, tx, scanBasketGoods, `SELECT `+basketCols+` FROM goods WHERE id IN `+placeholders(1, len(ids)), ids...)
	return goodsByID(goods), err
}

// batchUsed reads what the households of calls used of the limited goods
// of their baskets, this period of each: one query for each period.
func (tx *Tx) batchUsed(ctx context.Context, calls []*redeemCall, goods map[int64]market.Goods) (map[usedKey]int64, error) {
	type pairs struct{ households, goods []int64 }
	bySince := map[int64]*pairs{}
	var order []int64
	for _, c := range calls {
		for _, it := range c.p.items {
			g, ok := goods[it.Goods]
			if !ok || g.Limit == 0 {
				continue
			}
			since := g.LimitPer.Start(tx.now).UnixMilli()
			ps := bySince[since]
			if ps == nil {
				ps = &pairs{}
				bySince[since] = ps
				order = append(order, since)
			}
			ps.households, ps.goods = append(ps.households, c.p.c.id), append(ps.goods, g.ID)
		}
	}
	used := map[usedKey]int64{}
	for _, since := range order {
		ps := bySince[since]
		hs, gs := inArgs(ps.households), inArgs(ps.goods)
		args := append(append([]any{since}, hs...), gs...)
		got, err := keyedRows(ctx, tx, func(s interface{ Scan(...any) error }) (k usedKey, n int64, err error) {
			return k, n, s.Scan(&k.household, &k.goods, &n)
		}, `SELECT r.household_id, l.goods_id, SUM(l.qty)`+usedSince+` AND r.household_id IN `+placeholders(1, len(hs))+` AND l.goods_id IN `+
			placeholders(1, len(gs))+` GROUP BY r.household_id, l.goods_id`, args...)
		if err != nil {
			return nil, err
		}
		// A household counts only the goods whose period this is.
		for k, n := range got {
			if g := goods[k.goods]; g.LimitPer.Start(tx.now).UnixMilli() == since {
				used[k] = n
			}
		}
	}
	return used, nil
}

// batchKeys reads which keys of calls receipts stored since their plans
// hold: those of requests that raced them.
func (tx *Tx) batchKeys(ctx context.Context, calls []*redeemCall) (map[string]bool, error) {
	keys := make([]any, len(calls))
	for i, c := range calls {
		keys[i] = c.p.key
	}
	keys = padList(keys)
	return keyedRows(ctx, tx, func(s interface{ Scan(...any) error }) (k string, held bool, err error) {
		return k, true, s.Scan(&k)
	}, `SELECT idem_key FROM redemptions WHERE idem_key IN `+placeholders(1, len(keys)), keys...)
}

// batchSpendStates reads the spendState of every household of calls.
func (tx *Tx) batchSpendStates(ctx context.Context, calls []*redeemCall) (map[int64]spendState, error) {
	households := make([]int64, len(calls))
	for i, c := range calls {
		households[i] = c.p.c.id
	}
	ids := inArgs(households)
	return keyedRows(ctx, tx, scanSpendState, spendStateSelect+` WHERE h.id IN `+placeholders(1, len(ids)), ids...)
}

// writeRedemptions writes the redemptions taken: the stock and balances
// they take, their debits, receipts, lines and stock moves, one statement
// a table, and their audit rows; it sets each call's receipt.
func (tx *Tx) writeRedemptions(ctx context.Context, calls []*redeemCall, taken []redeemTaken) error {
	if len(taken) == 0 {
		return nil
	}
	ids, err := tx.reserveIDs(ctx, "redemptions", len(taken))
	if err != nil {
		return err
	}
	at := time.UnixMilli(tx.nowMS())
	var stock sums
	debits := make([]chained, len(taken))
	var moves []move
	var lines []any
	for n, t := range taken {
		c := calls[t.call]
		p := c.p
		_, actor := actorRef(c.a)
		r := p.receipt(t.lines, t.total, actor, at)
		r.ID = ids[n]
		c.out = r
		for _, l := range t.lines {
			stock.add(l.Goods, -l.Qty)
		}
		post, delta := asSpend(p.posting(r))
		debits[n] = chained{a: c.a, village: p.c.village, p: post, fp: post.Fingerprint(), delta: delta, balance: t.balance}
		ms, ls := p.saleRows(c.a, r.ID, t.goods, t.lines)
		moves, lines = append(moves, ms...), append(lines, ls...)
	}
	// Stock before points, the lock order of every market write.
	if err := tx.addBy(ctx, "goods", "id", "stock", stock); err != nil {
		return err
	}
	entries, err := tx.spendChecked(ctx, debits)
	if err != nil {
		return err
	}
	rows := make([]audited, len(taken))
	receipts := make([]any, 0, 12*len(taken))
	for n, t := range taken {
		c, e := calls[t.call], entries[n]
		r, p := c.out, c.p
		r.Entry, r.Balance = e.ID, e.Balance
		uid, _ := actorRef(c.a)
		receipts = append(receipts, r.ID, p.st.ID, p.c.id, p.c.village, p.key, p.fp, r.Total, r.Balance, r.Entry, uid, r.Actor, tx.nowMS())
		rows[n] = audited{c.ctx, c.a, []auditEntry{postAudit(e), p.auditEntry(r)}}
	}
	if _, err := tx.exec(ctx, `INSERT INTO redemptions (id, store_id, household_id, village_code, idem_key, fingerprint, total, balance, entry_id, actor_id, actor_name, at)
		VALUES `+placeholders(len(taken), 12), receipts...); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO redemption_lines (redemption_id, goods_id, name, unit, price, qty) VALUES `+placeholders(len(lines)/6, 6), lines...); err != nil {
		return err
	}
	if err := tx.insertMoves(ctx, moves...); err != nil {
		return err
	}
	return tx.auditEach(rows)
}

// sums adds amounts up by key, keeping the keys in the order first added.
type sums struct {
	keys []int64
	by   map[int64]int64
}

func (s *sums) add(key, n int64) {
	if s.by == nil {
		s.by = map[int64]int64{}
	}
	if _, ok := s.by[key]; !ok {
		s.keys = append(s.keys, key)
	}
	s.by[key] += n
}

// addBy adds to col of table's rows, chosen by key, the sum each key has
// in s, in one statement.
func (tx *Tx) addBy(ctx context.Context, table, key, col string, s sums) error {
	cases := make([]any, 0, 2*len(s.keys))
	in := make([]any, 0, len(s.keys))
	for _, k := range s.keys {
		cases, in = append(cases, k, s.by[k]), append(in, k)
	}
	args := append(append(cases, tx.nowMS()), in...)
	_, err := tx.exec(ctx, `UPDATE `+table+` SET `+col+` = `+col+` + `+caseOf(key, len(s.keys))+`, updated_at = ? WHERE `+key+` IN `+placeholders(1, len(s.keys)), args...)
	return err
}
