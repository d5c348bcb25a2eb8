package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// customer is a household at the counter as a redemption needs it.
type customer struct {
	id                           int64
	village, villageName, status string
	number, head                 string
	balance                      int64
}

// servedHousehold finds a household the store serves, by id or by the
// token on its card, with its balance. Households of other regions do not
// exist for the counter, whatever else the clerk may see.
func (tx *Tx) servedHousehold(ctx context.Context, st *market.Store, id int64, card string) (*customer, error) {
	where, arg := `h.id = ?`, any(id)
	if card != "" {
		where, arg = `h.card_token = ?`, card
	}
	var c customer
	err := tx.queryRow(ctx, `SELECT h.id, h.village_code, v.name, h.status, h.number, COALESCE(hr.name, ''), COALESCE(ac.balance, 0)
		FROM households h JOIN regions v ON v.code = h.village_code LEFT JOIN residents hr ON hr.id = h.head_id
		LEFT JOIN accounts ac ON ac.household_id = h.id WHERE `+where, arg).Scan(&c.id, &c.village, &c.villageName, &c.status, &c.number, &c.head, &c.balance)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !st.Serves(c.village) {
		return nil, fault.OnField(fault.NotFound, "household", "market.household_unknown")
	}
	return &c, err
}

// basketCols are the columns of goods a redemption needs, in the order
// scanBasketGoods reads them.
const basketCols = `id, store_id, name, unit, price, stock, limit_qty, limit_period, on_shelf`

func scanBasketGoods(s interface{ Scan(...any) error }) (market.Goods, error) {
	var g market.Goods
	var shelf int
	err := s.Scan(&g.ID, &g.Store, &g.Name, &g.Unit, &g.Price, &g.Stock, &g.Limit, &g.LimitPer, &shelf)
	g.OnShelf = shelf == 1
	return g, err
}

// inBasketOrder puts goods in the order of the basket's items and lists
// the items none of them is.
func inBasketOrder(goods []market.Goods, items []market.Item) ([]market.Goods, []market.Item) {
	byID := goodsByID(goods)
	out := make([]market.Goods, len(items))
	var missing []market.Item
	for i, it := range items {
		g, ok := byID[it.Goods]
		if !ok {
			missing = append(missing, it)
		}
		out[i] = g
	}
	return out, missing
}

// basketGoods loads the basket's items of one store in one query, in the
// basket's order; an item of another store does not exist.
func (tx *Tx) basketGoods(ctx context.Context, store int64, items []market.Item) ([]market.Goods, error) {
	args := []any{store}
	for _, it := range items {
		args = append(args, it.Goods)
	}
	q := `SELECT ` + basketCols + ` FROM goods WHERE store_id = ? AND id IN ` + placeholders(1, len(items))
	if tx.dialect == Postgres {
		// On PostgreSQL a basket is read inside its write transaction
		// (Redeem), so the read takes the rows' locks, in goods order,
		// as every market write takes them first: the stock's update
		// then needs no locking statement of its own.
		q += ` ORDER BY id FOR UPDATE`
	}
	goods, err := queryAll(ctx, tx, scanBasketGoods, q, args...)
	if err != nil {
		return nil, err
	}
	out, missing := inBasketOrder(goods, items)
	if len(missing) > 0 {
		return nil, unknownGoods()
	}
	return out, nil
}

// unknownGoods answers a basket with an item that is none of its store's.
func unknownGoods() error { return fault.OnField(fault.NotFound, "goods", "market.goods") }

// usedSince is the FROM and WHERE of the units (l.qty) that redemptions
// made since its one argument, a time, and not returned took.
const usedSince = ` FROM redemption_lines l JOIN redemptions r ON r.id = l.redemption_id WHERE r.at >= ? AND r.returned_at = 0`

// used is how many units of an item a household has taken since a time,
// returned redemptions not counted.
func (tx *Tx) used(ctx context.Context, household, goods int64, since time.Time) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT COALESCE(SUM(l.qty), 0)`+usedSince+` AND r.household_id = ? AND l.goods_id = ?`, since.UnixMilli(), household, goods).Scan(&n)
	return n, err
}

// limitLeft is how many units of g the household may still take this
// period, or -1 when g has no limit.
func (tx *Tx) limitLeft(ctx context.Context, household int64, g *market.Goods) (int64, error) {
	if g.Limit == 0 {
		return -1, nil
	}
	n, err := tx.used(ctx, household, g.ID, g.LimitPer.Start(tx.now))
	return leftOf(g, n), err
}

// leftOf is limitLeft of goods of which the household used n units.
func leftOf(g *market.Goods, n int64) int64 {
	if g.Limit == 0 {
		return -1
	}
	return max(g.Limit-n, 0)
}

// Redeem makes one redemption: in one transaction it takes every item's
// stock, debits the household's points through the ledger, and writes the
// receipt. If anything falls short, nothing changes and the error names
// each shortage. A retry with the same key and basket returns the first
// redemption; a request that loses a race for its key is run once more,
// and then finds the winner's.
//
// On SQLite every write waits its turn at the one writer, so all a
// redemption can learn without writing is learned before: the store and
// the actor's right to sell there, the household (by id or card), an
// earlier redemption with the key, and every shortage the basket has. The
// write transaction then only writes, each write conditional on what it
// depends on, so a change in between makes it fail, never go wrong.
func (s *MarketService) Redeem(ctx context.Context, a *access.Actor, b market.Basket) (*market.Redemption, error) {
	b.Normalize()
	var out *market.Redemption
	for attempt := 0; ; attempt++ {
		if s.db.dialect == Postgres {
			// PostgreSQL's writers run side by side, so the plan is made
			// in the write transaction itself: the separate read
			// transaction cost its begin and end, two round trips.
			err := s.db.update(ctx, func(tx *Tx) error {
				p, replay, err := tx.planRedemption(ctx, a, b)
				if err != nil || replay != nil {
					out = replay
					return err
				}
				out, err = tx.redeem(ctx, a, p)
				return err
			})
			if (isUniqueViolation(err) || errors.Is(err, errMoved)) && attempt == 0 {
				continue
			}
			return out, err
		}
		var p *redemptionPlan
		err := s.db.view(ctx, func(tx *Tx) (err error) {
			p, out, err = tx.planRedemption(ctx, a, b)
			return err
		})
		if err != nil || out != nil {
			return out, err
		}
		// Redemptions that reach the writer together are written together
		// (market_redeem_batch.go); alone, this one is written as here.
		c := &redeemCall{ctx: ctx, a: a, p: p}
		err = s.db.updateBatched(ctx, redeemBatcher{}, c, func(tx *Tx) (err error) {
			c.out, err = tx.redeem(ctx, a, p)
			return err
		})
		out = c.out
		if (isUniqueViolation(err) || errors.Is(err, errMoved) || errors.Is(err, errKeyTaken)) && attempt == 0 {
			continue
		}
		return out, err
	}
}

// basketLines prices a basket's items at their goods, in the basket's
// order, and totals them; the error says when the total passes what one
// posting may take, which the callers report after their own checks.
func basketLines(goods []market.Goods, items []market.Item) ([]market.Line, int64, error) {
	lines := make([]market.Line, len(items))
	for i, g := range goods {
		lines[i] = market.Line{Goods: g.ID, Name: g.Name, Unit: g.Unit, Price: g.Price, Qty: items[i].Qty}
	}
	total := market.Total(lines)
	if total > points.MaxPoints {
		return lines, total, fault.OnField(fault.Invalid, "items", "market.total", points.MaxPoints)
	}
	return lines, total, nil
}

// redemptionPlan is what Redeem resolved before its write transaction.
type redemptionPlan struct {
	st    *market.Store
	c     *customer
	key   string
	fp    string
	items []market.Item
}

// planRedemption checks a basket against what is committed: it returns
// the redemption an earlier request with the key made, or the plan for a
// new one, or every reason the basket cannot be had.
func (tx *Tx) planRedemption(ctx context.Context, a *access.Actor, b market.Basket) (*redemptionPlan, *market.Redemption, error) {
	st, err := tx.storeFor(ctx, a, b.Store, toSell)
	if err != nil {
		return nil, nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, nil, err
	}
	c, err := tx.servedHousehold(ctx, st, b.Household, b.Card)
	if err != nil {
		return nil, nil, err
	}
	fp := b.Fingerprint(c.id)
	// The key counts within its caller and store: another clerk's or
	// another store's key is a new key.
	key := scopedKey(a, "s"+strconv.FormatInt(st.ID, 10), b.Key)
	var prevID int64
	var prevFP string
	err = tx.queryRow(ctx, `SELECT id, fingerprint FROM redemptions WHERE idem_key = ?`, key).Scan(&prevID, &prevFP)
	switch {
	case err == nil && prevFP == fp:
		r, err := tx.redemption(ctx, prevID)
		if r != nil {
			r.Replayed = true
		}
		return nil, r, err
	case err == nil:
		return nil, nil, fault.OnField(fault.Conflict, "key", "market.key_reused")
	case !errors.Is(err, sql.ErrNoRows):
		return nil, nil, err
	}
	// A closed store's receipts still answer their keys above.
	if !st.Open() {
		return nil, nil, fault.E(fault.Conflict, "market.store_closed", st.ClosedReason)
	}
	if c.status != string(registry.HouseholdActive) {
		return nil, nil, fault.E(fault.Conflict, "registry.household.inactive")
	}
	goods, err := tx.basketGoods(ctx, st.ID, b.Items)
	if err != nil {
		return nil, nil, err
	}
	// Every shortage is named at once, so the clerk can fix the basket in
	// one go; the conditional writes of the transaction are what actually
	// guard points and stock against other counters.
	_, total, tooMuch := basketLines(goods, b.Items)
	var short fault.Fields
	for i, it := range b.Items {
		g := &goods[i]
		if !addShortage(&short, g, it.Qty) {
			continue
		}
		if left, err := tx.limitLeft(ctx, c.id, g); err != nil {
			return nil, nil, err
		} else if left >= 0 && left < it.Qty {
			short.Add("items", "market.over_limit", g.Name, g.Limit, g.Unit, left, g.Unit)
		}
	}
	if tooMuch != nil {
		return nil, nil, tooMuch
	}
	if c.balance < total {
		short.Add("points", "points.insufficient", c.balance, total)
	}
	if err := shortage(short); err != nil {
		return nil, nil, err
	}
	if !a.Can(access.PointsSpend, c.village) {
		return nil, nil, fault.E(fault.NotFound, "error.not_found")
	}
	return &redemptionPlan{st: st, c: c, key: key, fp: fp, items: b.Items}, nil, nil
}

// redeem writes a planned redemption. What only an administrator's
// separate act changes is taken as planned, as if that act came a moment
// later: the store's name, region and return window, the actor's rights
// and clerk assignment, and which household a card named. What decides
// points and stock is re-checked by the writes: the goods' shelf, price,
// stock and limit, the household's village, status and balance, and the
// key.
func (tx *Tx) redeem(ctx context.Context, a *access.Actor, p *redemptionPlan) (*market.Redemption, error) {
	st, c := p.st, p.c
	// Stock before points. Every market write locks goods rows first, in
	// goods order, and the household's account, the ledger head and the
	// audit head after, so no two counters wait on each other on
	// PostgreSQL; and the audit head, which every write in the product
	// queues on, is taken as late as possible and held only for the last
	// few statements before the commit.
	goods, err := tx.takeStock(ctx, st.ID, p.items)
	if err != nil {
		return nil, err
	}
	// With the items' rows now locked, their limits are counted again
	// against every redemption committed before this one.
	lines, total, err := checkBasket(goods, p.items, func(g *market.Goods) (int64, error) { return tx.limitLeft(ctx, c.id, g) })
	if err != nil {
		return nil, err
	}
	uid, actor := actorRef(a)
	r := p.receipt(lines, total, actor, time.UnixMilli(tx.nowMS()))
	// A concurrent request with the same key fails here, on the receipt's
	// unique key; Redeem's retry then finds the winner.
	if r.ID, err = tx.insertID(ctx, `INSERT INTO redemptions (store_id, household_id, village_code, idem_key, fingerprint, total, balance, entry_id, actor_id, actor_name, at)
		VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?) RETURNING id`, st.ID, c.id, c.village, p.key, p.fp, total, uid, actor, tx.nowMS()); err != nil {
		return nil, err
	}
	moves, args := p.saleRows(a, r.ID, goods, lines)
	if err := tx.insertMoves(ctx, moves...); err != nil {
		return nil, err
	}
	if err := tx.later(ctx, `INSERT INTO redemption_lines (redemption_id, goods_id, name, unit, price, qty) VALUES `+placeholders(len(lines), 6), args...); err != nil {
		return nil, err
	}
	e, spent, err := tx.spend(ctx, a, c.village, p.posting(r))
	if err != nil {
		return nil, err
	}
	r.Entry, r.Balance = e.ID, e.Balance
	if err := tx.later(ctx, `UPDATE redemptions SET entry_id = ?, balance = ? WHERE id = ?`, e.ID, e.Balance, r.ID); err != nil {
		return nil, err
	}
	return r, tx.audit(ctx, a, spent, p.auditEntry(r))
}

// checkBasket is what a redemption checks of the goods it took, as they
// are after the take, in the basket's order: every item within its
// limit, given left (limitLeft's answer), and the total within what one
// posting may take. It returns the basket's lines and total.
func checkBasket(goods []market.Goods, items []market.Item, left func(*market.Goods) (int64, error)) ([]market.Line, int64, error) {
	lines, total, tooMuch := basketLines(goods, items)
	for i := range goods {
		g := &goods[i]
		if l, err := left(g); err != nil {
			return nil, 0, err
		} else if l >= 0 && l < lines[i].Qty {
			return nil, 0, fault.OnField(fault.Conflict, "items", "market.over_limit", g.Name, g.Limit, g.Unit, l, g.Unit)
		}
	}
	if tooMuch != nil {
		return nil, 0, tooMuch
	}
	return lines, total, nil
}

// receipt is the redemption of the plan's basket made at at, before it
// has its id, entry and balance.
func (p *redemptionPlan) receipt(lines []market.Line, total int64, actor string, at time.Time) *market.Redemption {
	st, c := p.st, p.c
	r := &market.Redemption{Store: st.ID, StoreName: st.Name, Household: c.id, HouseholdNo: c.number, Head: c.head, Village: c.village, VillageName: c.villageName,
		Lines: lines, Total: total, Actor: actor, At: at}
	r.ReturnDeadline = r.At.Add(time.Duration(st.ReturnDays) * 24 * time.Hour)
	return r
}

// saleRows are the stock moves of redemption id, whose goods are as
// after the take, and the arguments of its lines' rows.
func (p *redemptionPlan) saleRows(a *access.Actor, id int64, goods []market.Goods, lines []market.Line) ([]move, []any) {
	moves := make([]move, len(goods))
	args := make([]any, 0, 6*len(lines))
	for i, l := range lines {
		moves[i] = move{goods: l.Goods, store: p.st.ID, kind: market.MoveSale, delta: -l.Qty, redemption: id, stock: goods[i].Stock, by: a}
		args = append(args, id, l.Goods, l.Name, l.Unit, l.Price, l.Qty)
	}
	return moves, args
}

// posting is the debit of redemption r. Its key is the receipt's id, as
// a return's is: the receipt's own unique key is what makes a redemption
// happen once, and the counter's key is random (a form's is 24 hex
// digits), so a posting named after it split into a new ledger_keys
// prefix for every redemption and put its entry at a random leaf of the
// ledger's key index (issue 18); the receipt's id is one prefix and the
// index's last leaf.
func (p *redemptionPlan) posting(r *market.Redemption) points.Posting {
	return points.Posting{Key: "market:" + strconv.FormatInt(r.ID, 10), Household: r.Household, Points: r.Total, Item: market.Summary(r.Lines), Memo: fmt.Sprintf("%s #%d", p.st.Name, r.ID)}
}

// auditEntry is the store's audit record of redemption r.
func (p *redemptionPlan) auditEntry(r *market.Redemption) auditEntry {
	return marketEntry("market.redeem", p.st, fmt.Sprintf("redemption:%d household:%d", r.ID, r.Household), fmt.Sprintf("-%d %s", r.Total, market.Summary(r.Lines)))
}

// shortage turns the problems found with a basket into one Conflict:
// the problem itself when there is one, a count and every problem listed
// when there are several.
func shortage(fs fault.Fields) error {
	switch len(fs) {
	case 0:
		return nil
	case 1:
		return &fault.Error{Code: fault.Conflict, Msg: fs[0].Msg, Fields: fs}
	}
	e := fault.E(fault.Conflict, "market.several_short", len(fs))
	e.Fields = fs
	return e
}

const redemptionSelect = `SELECT r.id, r.store_id, s.name, r.household_id, h.number, COALESCE(hr.name, ''), r.village_code, v.name, r.total, r.balance,
	r.entry_id, r.actor_name, r.at, r.returned_at, r.return_reason, s.return_days,
	COALESCE((SELECT e.balance FROM ledger_entries e WHERE e.reverses = r.entry_id), 0)
	FROM redemptions r JOIN stores s ON s.id = r.store_id JOIN households h ON h.id = r.household_id
	LEFT JOIN residents hr ON hr.id = h.head_id JOIN regions v ON v.code = r.village_code`

func scanRedemption(s interface{ Scan(...any) error }) (market.Redemption, error) {
	var r market.Redemption
	var at, ret int64
	var days int
	err := s.Scan(&r.ID, &r.Store, &r.StoreName, &r.Household, &r.HouseholdNo, &r.Head, &r.Village, &r.VillageName, &r.Total, &r.Balance,
		&r.Entry, &r.Actor, &at, &ret, &r.ReturnReason, &days, &r.ReturnBalance)
	r.At, r.Returned = time.UnixMilli(at), ret != 0
	r.ReturnDeadline = r.At.Add(time.Duration(days) * 24 * time.Hour)
	if r.Returned {
		r.ReturnedAt = time.UnixMilli(ret)
	}
	return r, err
}

// redemption loads one redemption with its lines.
func (tx *Tx) redemption(ctx context.Context, id int64) (*market.Redemption, error) {
	r, err := scanRedemption(tx.queryRow(ctx, redemptionSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	r.Lines, err = tx.linesOf(ctx, id)
	return &r, err
}

func (tx *Tx) linesOf(ctx context.Context, id int64) ([]market.Line, error) {
	rows, err := tx.query(ctx, `SELECT goods_id, name, unit, price, qty FROM redemption_lines WHERE redemption_id = ? ORDER BY goods_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Line
	for rows.Next() {
		var l market.Line
		if err := rows.Scan(&l.Goods, &l.Name, &l.Unit, &l.Price, &l.Qty); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// redemptions lists the redemptions a query selects, each with its lines.
func (tx *Tx) redemptions(ctx context.Context, where string, args ...any) ([]market.Redemption, error) {
	rows, err := tx.query(ctx, redemptionSelect+` WHERE `+where+` ORDER BY r.at DESC, r.id DESC LIMIT 1000`, args...)
	if err != nil {
		return nil, err
	}
	var out []market.Redemption
	for rows.Next() {
		r, err := scanRedemption(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Lines, err = tx.linesOf(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Redemption returns a receipt to whoever may see its store.
func (s *MarketService) Redemption(ctx context.Context, a *access.Actor, id int64) (*market.Redemption, error) {
	var out *market.Redemption
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		if out, err = tx.redemption(ctx, id); err != nil {
			return err
		}
		_, err = tx.storeFor(ctx, a, out.Store, toView)
		return err
	})
	return out, err
}

// Return takes a redemption back within the store's return window: the
// goods go back on the shelf and the points back to the household, as a
// ledger reversal of the original debit, once.
func (s *MarketService) Return(ctx context.Context, a *access.Actor, id int64, reason string) (*market.Redemption, error) {
	reason = strings.TrimSpace(reason)
	var out *market.Redemption
	err := s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.redemption(ctx, id)
		if err != nil {
			return err
		}
		st, err := tx.storeFor(ctx, a, r.Store, toSell)
		if err != nil {
			return err
		}
		switch {
		case reason == "" || utf8.RuneCountInString(reason) > 200:
			return fault.OnField(fault.Invalid, "reason", "market.return_reason")
		case r.Returned:
			return fault.E(fault.Conflict, "market.returned")
		case tx.now.After(r.ReturnDeadline):
			return fault.E(fault.Conflict, "market.return_late", st.ReturnDays)
		}
		// Goods, then points: the lock order of every market write.
		for _, l := range r.Lines {
			if _, err := tx.moveStock(ctx, a, move{goods: l.Goods, store: st.ID, kind: market.MoveReturn, delta: l.Qty, redemption: id, reason: reason}); err != nil {
				return err
			}
		}
		e, err := tx.post(ctx, a, access.PointsSpend, points.Posting{Key: fmt.Sprintf("market-return:%d", id), Household: r.Household, Kind: points.Reversal,
			Reverses: r.Entry, Item: "退货", Memo: fmt.Sprintf("%s #%d %s", st.Name, id, reason)})
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE redemptions SET return_entry_id = ?, returned_at = ?, return_reason = ? WHERE id = ? AND returned_at = 0`, e.ID, tx.nowMS(), reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.E(fault.Conflict, "market.returned")
		}
		if err := tx.marketAudit(ctx, a, "market.return", st, fmt.Sprintf("redemption:%d household:%d", id, r.Household), fmt.Sprintf("+%d %s", r.Total, reason)); err != nil {
			return err
		}
		out, err = tx.redemption(ctx, id)
		return err
	})
	return out, err
}

// Redemptions lists a store's redemptions made in [from, to).
func (s *MarketService) Redemptions(ctx context.Context, a *access.Actor, store int64, from, to time.Time) ([]market.Redemption, error) {
	var out []market.Redemption
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.storeFor(ctx, a, store, toView); err != nil {
			return err
		}
		var err error
		out, err = tx.redemptions(ctx, `r.store_id = ? AND r.at >= ? AND r.at < ?`, store, from.UnixMilli(), to.UnixMilli())
		return err
	})
	return out, err
}

// MyRedemptions lists a villager's own household's redemptions.
func (s *MarketService) MyRedemptions(ctx context.Context, a *access.Actor) ([]market.Redemption, error) {
	var out []market.Redemption
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ownVillage(ctx, a); err != nil {
			return err
		}
		var err error
		out, err = tx.redemptions(ctx, `r.household_id = ?`, a.Household())
		return err
	})
	return out, err
}

// ownVillage is the village of a villager's own household.
func (tx *Tx) ownVillage(ctx context.Context, a *access.Actor) (string, error) {
	var village string
	err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, a.Household()).Scan(&village)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !a.Can(access.OwnHousehold, village) {
		return "", fault.E(fault.NotFound, "error.not_found")
	}
	return village, err
}

const customerSelect = `SELECT h.id, h.number, COALESCE(hr.name, ''), h.village_code, v.name, COALESCE(ac.balance, 0)
	FROM households h JOIN regions v ON v.code = h.village_code LEFT JOIN residents hr ON hr.id = h.head_id
	LEFT JOIN accounts ac ON ac.household_id = h.id`

func (tx *Tx) customers(ctx context.Context, where string, args ...any) ([]market.Customer, error) {
	rows, err := tx.query(ctx, customerSelect+` WHERE `+where+` ORDER BY h.village_code, length(h.number), h.number LIMIT 20`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Customer
	for rows.Next() {
		var c market.Customer
		if err := rows.Scan(&c.Household, &c.Number, &c.Head, &c.Village, &c.VillageName, &c.Balance); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindCustomers looks up households for the counter: what a scanner typed
// from a card first, then 户号, name or pinyin initials, among the active
// households the store serves.
func (s *MarketService) FindCustomers(ctx context.Context, a *access.Actor, store int64, query string) ([]market.Customer, error) {
	query = strings.TrimSpace(query)
	var out []market.Customer
	err := s.db.view(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, store, toSell)
		if err != nil || query == "" {
			return err
		}
		lo, hi := regioncode.Range(st.Region)
		scope := `h.village_code >= ? AND h.village_code < ? AND h.status = '在册'`
		if tok := market.CardToken(query); len(tok) >= 16 && !strings.ContainsAny(tok, " \t") {
			if out, err = tx.customers(ctx, scope+` AND h.card_token = ?`, lo, hi, tok); err != nil || len(out) > 0 {
				return err
			}
		}
		// A 户号 typed in full is the household meant, even where the same
		// digits end some member's ID number.
		if out, err = tx.customers(ctx, scope+` AND h.number = ?`, lo, hi, query); err != nil || len(out) > 0 {
			return err
		}
		if cond, cargs := tx.searchWhere(query); cond != "" {
			out, err = tx.customers(ctx, scope+` AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.status = '在册' AND `+cond+`)`,
				append([]any{lo, hi}, cargs...)...)
		}
		return err
	})
	return out, err
}

// Customer is a household at the counter with its balance and what it
// has taken this period of each limited item.
func (s *MarketService) Customer(ctx context.Context, a *access.Actor, store, household int64) (*market.Customer, error) {
	var out *market.Customer
	err := s.db.view(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, store, toSell)
		if err != nil {
			return err
		}
		if _, err := tx.servedHousehold(ctx, st, household, ""); err != nil {
			return err
		}
		cs, err := tx.customers(ctx, `h.id = ?`, household)
		if err != nil || len(cs) == 0 {
			return err
		}
		out = &cs[0]
		out.Used = map[int64]int64{}
		gs, err := tx.goodsList(ctx, store, true)
		if err != nil {
			return err
		}
		for _, g := range gs {
			if g.Limit > 0 {
				if out.Used[g.ID], err = tx.used(ctx, household, g.ID, g.LimitPer.Start(tx.now)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}
