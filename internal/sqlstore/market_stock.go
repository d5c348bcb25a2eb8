package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
)

// move is one change of an item's stock, as stock_moves records it.
type move struct {
	goods, store int64
	kind         market.MoveKind
	delta        int64
	source       market.Source
	donor        string
	thank        bool
	reason       string
	redemption   int64
	stock        int64 // after the move
	by           *access.Actor
}

// errShort is returned by moveStock when the stock would go below zero.
var errShort = errors.New("stock short")

// moveStock changes an item's stock by m.delta and records the movement.
// The conditional update is what keeps stock from going negative under any
// interleaving: it applies in full or matches no row, and then errShort
// tells the caller to roll the whole transaction back.
func (tx *Tx) moveStock(ctx context.Context, a *access.Actor, m move) (int64, error) {
	err := tx.queryRow(ctx, `UPDATE goods SET stock = stock + ?, updated_at = ? WHERE id = ? AND store_id = ? AND stock + ? >= 0 RETURNING stock`,
		m.delta, tx.nowMS(), m.goods, m.store, m.delta).Scan(&m.stock)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errShort
	}
	if err != nil {
		return 0, err
	}
	m.by = a
	return m.stock, tx.insertMoves(ctx, m)
}

// insertMoves records movements already applied to stock, in one
// statement however many there are and whoever made them.
func (tx *Tx) insertMoves(ctx context.Context, ms ...move) error {
	args := make([]any, 0, 13*len(ms))
	for _, m := range ms {
		uid, actor := actorRef(m.by)
		args = append(args, m.goods, m.store, string(m.kind), m.delta, m.stock, string(m.source), m.donor, boolInt(m.thank), m.reason,
			m.redemption, uid, actor, tx.nowMS())
	}
	return tx.later(ctx, `INSERT INTO stock_moves (goods_id, store_id, kind, delta, stock, source, donor, thank, reason, redemption_id, actor_id, actor_name, at)
		VALUES `+placeholders(len(ms), 13), args...)
}

// takeStock takes a basket's items, distinct and in goods order, off a
// store's shelf in one conditional update and returns them as they are
// now, in the basket's order: name, unit, price and limit as of this
// moment, stock after the take. The update takes all or none of an item
// and only from goods on the shelf; when it leaves any item out, every
// item left out is named, and the caller must roll back what it did take.
// On PostgreSQL the update would lock rows in whatever order its plan
// visits them; the caller's plan has already locked them in goods order
// (basketGoods), the order every market write takes, so two counters can
// never deadlock. SQLite has one writer and no row locks.
func (tx *Tx) takeStock(ctx context.Context, store int64, items []market.Item) ([]market.Goods, error) {
	n := len(items)
	ids := make([]any, 0, n+1)
	cases := make([]any, 0, 2*n)
	for _, it := range items {
		ids = append(ids, it.Goods)
		cases = append(cases, it.Goods, it.Qty)
	}
	in := placeholders(1, n)
	qty := caseOf("id", n)
	ids = append(ids, store)
	args := append(append(append([]any{}, cases...), tx.nowMS()), ids...)
	taken, err := queryAll(ctx, tx, scanBasketGoods, `UPDATE goods SET stock = stock - `+qty+`, updated_at = ?
		WHERE id IN `+in+` AND store_id = ? AND on_shelf = 1 AND stock >= `+qty+` RETURNING `+basketCols, append(args, cases...)...)
	if err != nil {
		return nil, err
	}
	out, left := inBasketOrder(taken, items)
	if len(left) == 0 {
		return out, nil
	}
	// Only now, on the rare way out, is it worth reading why: the items
	// left out were not touched, so what they hold is what they had.
	goods, err := tx.basketGoods(ctx, store, left)
	if err != nil {
		return nil, err
	}
	_, err = takeFrom(store, left, goodsByID(goods))
	return nil, err
}

// caseOf is a CASE choosing by col among n values, with its arguments
// given as col's value, then the value, for each.
func caseOf(col string, n int) string {
	return `CASE ` + col + strings.Repeat(` WHEN ? THEN CAST(? AS BIGINT)`, n) + ` END`
}

// goodsByID indexes goods by id.
func goodsByID(goods []market.Goods) map[int64]market.Goods {
	out := make(map[int64]market.Goods, len(goods))
	for _, g := range goods {
		out[g.ID] = g
	}
	return out
}

// takeFrom is takeStock's rule applied to goods held in memory: it takes
// all of each item, from goods of the store on the shelf, and returns
// them as they are after the take, in the basket's order; or, when it
// cannot take them all, takeStock's error: the goods unknown when an item
// is none of the store's, else every item it would leave out.
func takeFrom(store int64, items []market.Item, goods map[int64]market.Goods) ([]market.Goods, error) {
	out := make([]market.Goods, len(items))
	var short fault.Fields
	for i, it := range items {
		g, ok := goods[it.Goods]
		if !ok || g.Store != store {
			return nil, unknownGoods()
		}
		if !g.OnShelf || g.Stock < it.Qty {
			addShortage(&short, &g, it.Qty)
			continue
		}
		g.Stock -= it.Qty
		out[i] = g
	}
	if err := shortage(short); err != nil {
		return nil, err
	}
	return out, nil
}

// addShortage names what keeps g from covering want, off the shelf or
// short of stock, and reports whether it is on the shelf.
func addShortage(fs *fault.Fields, g *market.Goods, want int64) bool {
	switch {
	case !g.OnShelf:
		fs.Add("items", "market.off_shelf", g.Name)
		return false
	case g.Stock < want:
		fs.Add("items", "market.short", g.Name, g.Stock, g.Unit, want, g.Unit)
	}
	return true
}

// Receive puts a delivery on the shelf, recording where it came from.
func (s *MarketService) Receive(ctx context.Context, a *access.Actor, in market.Inbound) (*market.Goods, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	m := move{goods: in.Goods, store: in.Store, kind: market.MoveIn, delta: in.Qty, source: in.Source, donor: in.Donor, thank: in.Thank, reason: in.Memo}
	return s.changeStock(ctx, a, m, fmt.Sprintf("+%d %s %s", in.Qty, in.Source, in.Donor))
}

// Adjust corrects an item's stock for a reason; it never takes more than
// is on the shelf.
func (s *MarketService) Adjust(ctx context.Context, a *access.Actor, in market.Adjustment) (*market.Goods, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	reason := string(in.Reason)
	if in.Memo != "" {
		reason += ": " + in.Memo
	}
	m := move{goods: in.Goods, store: in.Store, kind: market.MoveAdjust, delta: in.Delta, reason: reason}
	return s.changeStock(ctx, a, m, fmt.Sprintf("%+d %s", in.Delta, reason))
}

// changeStock is one manual stock movement in its own transaction.
func (s *MarketService) changeStock(ctx context.Context, a *access.Actor, m move, detail string) (*market.Goods, error) {
	var out *market.Goods
	err := s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, m.store, toManage)
		if err != nil {
			return err
		}
		g, err := tx.goodsOf(ctx, m.store, m.goods)
		if err != nil {
			return err
		}
		// The goods row, then the audit head: the lock order every market
		// write keeps.
		if _, err := tx.moveStock(ctx, a, m); errors.Is(err, errShort) {
			return fault.OnField(fault.Conflict, "delta", "market.short", g.Name, g.Stock, g.Unit, -m.delta, g.Unit)
		} else if err != nil {
			return err
		}
		if out, err = tx.goodsOf(ctx, m.store, m.goods); err != nil {
			return err
		}
		return tx.marketAudit(ctx, a, "market.stock."+string(m.kind), st, fmt.Sprintf("goods:%d", g.ID), g.Name+" "+detail)
	})
	return out, err
}

// StockCount records a stock count (盘点) of the counted items and brings
// each one's stock to what was counted, the difference a movement, so the
// books match the shelf and the variance report says by how much they
// did not.
func (s *MarketService) StockCount(ctx context.Context, a *access.Actor, store int64, counted map[int64]int64) (*market.Count, error) {
	if len(counted) == 0 {
		return nil, fault.OnField(fault.Invalid, "counted", "market.count_empty")
	}
	for _, n := range counted {
		if n < 0 || n > market.MaxQty*10 {
			return nil, fault.OnField(fault.Invalid, "counted", "market.counted")
		}
	}
	var out *market.Count
	err := s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, store, toManage)
		if err != nil {
			return err
		}
		_, actor := actorRef(a)
		out = &market.Count{Store: store, Actor: actor, At: time.UnixMilli(tx.nowMS())}
		if out.ID, err = tx.insertID(ctx, `INSERT INTO stock_counts (store_id, actor_name, at) VALUES (?, ?, ?) RETURNING id`, store, actor, tx.nowMS()); err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(counted)) {
			g, err := tx.goodsOf(ctx, store, id)
			if err != nil {
				return err
			}
			l := market.CountLine{Goods: g.ID, Name: g.Name, Unit: g.Unit, Price: g.Price, Expected: g.Stock, Counted: counted[id]}
			if _, err := tx.exec(ctx, `INSERT INTO stock_count_lines (count_id, goods_id, expected, counted) VALUES (?, ?, ?, ?)`, out.ID, g.ID, l.Expected, l.Counted); err != nil {
				return err
			}
			out.Lines = append(out.Lines, l)
		}
		for _, l := range out.Lines {
			// Each movement is relative, so a sale between the read and
			// this update would be kept, not overwritten by the count;
			// the conditional update still refuses to go below zero.
			if d := l.Variance(); d != 0 {
				if _, err := tx.moveStock(ctx, a, move{goods: l.Goods, store: store, kind: market.MoveCount, delta: d, reason: fmt.Sprintf("count:%d", out.ID)}); errors.Is(err, errShort) {
					return fault.OnField(fault.Conflict, "counted", "market.short", l.Name, l.Expected, l.Unit, -d, l.Unit)
				} else if err != nil {
					return err
				}
			}
		}
		return tx.marketAudit(ctx, a, "market.stock.count", st, fmt.Sprintf("count:%d", out.ID), fmt.Sprintf("%d items, loss %d points", len(out.Lines), out.Loss()))
	})
	return out, err
}

// Counts lists a store's stock counts, newest first, with their lines.
func (s *MarketService) Counts(ctx context.Context, a *access.Actor, store int64) ([]market.Count, error) {
	var out []market.Count
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.storeFor(ctx, a, store, toManage); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT c.id, c.actor_name, c.at, l.goods_id, g.name, g.unit, g.price, l.expected, l.counted
			FROM stock_counts c JOIN stock_count_lines l ON l.count_id = c.id JOIN goods g ON g.id = l.goods_id
			WHERE c.store_id = ? ORDER BY c.id DESC, g.name LIMIT 2000`, store)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c market.Count
			var l market.CountLine
			var at int64
			if err := rows.Scan(&c.ID, &c.Actor, &at, &l.Goods, &l.Name, &l.Unit, &l.Price, &l.Expected, &l.Counted); err != nil {
				return err
			}
			if n := len(out); n == 0 || out[n-1].ID != c.ID {
				c.Store, c.At = store, time.UnixMilli(at)
				out = append(out, c)
			}
			out[len(out)-1].Lines = append(out[len(out)-1].Lines, l)
		}
		return rows.Err()
	})
	return out, err
}
