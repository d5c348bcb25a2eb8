package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/regioncode"
)

// Daily reports a store's redemptions and returns in [from, to) per
// Beijing day, or per month when monthly is set; days without any are
// left out. Returns count on the day they were taken back.
func (s *MarketService) Daily(ctx context.Context, a *access.Actor, store int64, from, to time.Time, monthly bool) ([]market.DayRow, error) {
	key := market.Day
	if monthly {
		key = func(t time.Time) string { return market.Day(t)[:7] }
	}
	rows := map[string]*market.DayRow{}
	households := map[string]map[int64]bool{}
	var order []string
	row := func(k string) *market.DayRow {
		if r, ok := rows[k]; ok {
			return r
		}
		rows[k] = &market.DayRow{Day: k}
		households[k] = map[int64]bool{}
		order = append(order, k)
		return rows[k]
	}
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.storeFor(ctx, a, store, toView); err != nil {
			return err
		}
		rs, err := tx.query(ctx, `SELECT household_id, total, at, returned_at FROM redemptions WHERE store_id = ? AND (at >= ? AND at < ? OR returned_at >= ? AND returned_at < ?) ORDER BY at`,
			store, from.UnixMilli(), to.UnixMilli(), from.UnixMilli(), to.UnixMilli())
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var hh, total, at, ret int64
			if err := rs.Scan(&hh, &total, &at, &ret); err != nil {
				return err
			}
			if at >= from.UnixMilli() && at < to.UnixMilli() {
				k := key(time.UnixMilli(at))
				r := row(k)
				r.Count++
				r.Points += total
				households[k][hh] = true
				r.Households = len(households[k])
			}
			if ret >= from.UnixMilli() && ret < to.UnixMilli() {
				r := row(key(time.UnixMilli(ret)))
				r.Returns++
				r.Returned += total
			}
		}
		return rs.Err()
	})
	slices.Sort(order)
	out := make([]market.DayRow, 0, len(order))
	for _, k := range order {
		out = append(out, *rows[k])
	}
	return out, err
}

// Flow reports each item's goods flow over [from, to) from its stock
// movements: stock before, deliveries, returns, sales, adjustments and
// counts, and stock after. Closing equals opening plus the period's moves
// because stock only ever changes by a recorded move.
func (s *MarketService) Flow(ctx context.Context, a *access.Actor, store int64, from, to time.Time) ([]market.FlowRow, error) {
	var out []market.FlowRow
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.storeFor(ctx, a, store, toView); err != nil {
			return err
		}
		gs, err := tx.goodsList(ctx, store, false)
		if err != nil {
			return err
		}
		idx := map[int64]int{}
		for i, g := range gs {
			idx[g.ID] = i
			out = append(out, market.FlowRow{Goods: g.ID, Name: g.Name, Unit: g.Unit, Price: g.Price})
		}
		rs, err := tx.query(ctx, `SELECT goods_id, kind, SUM(CASE WHEN at < ? THEN delta ELSE 0 END), SUM(CASE WHEN at >= ? THEN delta ELSE 0 END)
			FROM stock_moves WHERE store_id = ? AND at < ? GROUP BY goods_id, kind`, from.UnixMilli(), from.UnixMilli(), store, to.UnixMilli())
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var g, before, during int64
			var kind market.MoveKind
			if err := rs.Scan(&g, &kind, &before, &during); err != nil {
				return err
			}
			i, ok := idx[g]
			if !ok {
				continue
			}
			r := &out[i]
			r.Opening += before
			switch kind {
			case market.MoveIn:
				r.In += during
			case market.MoveReturn:
				r.Returned += during
			case market.MoveSale:
				r.Out -= during
			default:
				r.Adjusted += during
			}
		}
		for i := range out {
			r := &out[i]
			r.Closing = r.Opening + r.In + r.Returned - r.Out + r.Adjusted
		}
		return rs.Err()
	})
	return out, err
}

// Liability sets the points held by the households a store serves against
// the points value of its stock.
func (s *MarketService) Liability(ctx context.Context, a *access.Actor, store int64) (*market.Liability, error) {
	var out market.Liability
	err := s.db.view(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, store, toView)
		if err != nil {
			return err
		}
		lo, hi := regioncode.Range(st.Region)
		if err := tx.queryRow(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN ac.balance > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(ac.balance), 0)
			FROM households h LEFT JOIN accounts ac ON ac.household_id = h.id
			WHERE h.village_code >= ? AND h.village_code < ? AND h.status = '在册'`, lo, hi).Scan(&out.Households, &out.Holders, &out.Outstanding); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN on_shelf = 1 THEN stock * price ELSE 0 END), 0), COALESCE(SUM(stock * price), 0) FROM goods WHERE store_id = ?`,
			store).Scan(&out.StockValue, &out.StockAll)
	})
	return &out, err
}

// Catalogue lists, for a villager, the stores serving their village, the
// goods on their shelves, and the donors who agreed to be thanked.
func (s *MarketService) Catalogue(ctx context.Context, a *access.Actor) ([]market.Catalogue, error) {
	if a.Household() == 0 {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	var out []market.Catalogue
	err := s.db.view(ctx, func(tx *Tx) error {
		village, err := tx.ownVillage(ctx, a)
		if err != nil {
			return err
		}
		out, err = tx.catalogue(ctx, village)
		return err
	})
	return out, err
}

// PublicCatalogue is a village's shelf for anyone, on the notice screen in
// the village hall or a phone without an account: the goods with prices
// and stock, and the donors who agreed to be thanked. A code that is not
// an active village shows nothing.
func (s *MarketService) PublicCatalogue(ctx context.Context, village string) ([]market.Catalogue, error) {
	if regioncode.LevelOf(village) != regioncode.Village {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	var out []market.Catalogue
	err := s.db.view(ctx, func(tx *Tx) error {
		var status string
		err := tx.queryRow(ctx, `SELECT status FROM regions WHERE code = ?`, village).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != "active" {
			return fault.E(fault.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		out, err = tx.catalogue(ctx, village)
		return err
	})
	return out, err
}

// catalogue lists the stores serving a village, at the village or at its
// township, with their shelves and thanks.
func (tx *Tx) catalogue(ctx context.Context, village string) ([]market.Catalogue, error) {
	rows, err := tx.query(ctx, storeSelect+` WHERE s.region_code = ? OR s.region_code = ? ORDER BY s.region_code DESC, s.name`, village, townOf(village))
	if err != nil {
		return nil, err
	}
	var out []market.Catalogue
	for rows.Next() {
		st, err := scanStore(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, market.Catalogue{Store: st})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Goods, err = tx.goodsList(ctx, out[i].Store.ID, true); err != nil {
			return nil, err
		}
		if out[i].Thanks, err = tx.thanks(ctx, out[i].Store.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// thanks lists a store's recent donations whose donors agreed to be named.
func (tx *Tx) thanks(ctx context.Context, store int64) ([]market.Thanks, error) {
	rows, err := tx.query(ctx, `SELECT m.donor, g.name, m.delta, g.unit, m.at FROM stock_moves m JOIN goods g ON g.id = m.goods_id
		WHERE m.store_id = ? AND m.kind = 'in' AND m.thank = 1 ORDER BY m.at DESC LIMIT 20`, store)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Thanks
	for rows.Next() {
		var t market.Thanks
		var at int64
		if err := rows.Scan(&t.Donor, &t.Goods, &t.Qty, &t.Unit, &at); err != nil {
			return nil, err
		}
		t.At = time.UnixMilli(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Verify reconciles the market's books: every item's stock equals the sum
// of its movements, every redemption's total equals its lines and the
// ledger entry that debited it, and every return has its reversal. It
// reports each difference; none means nothing was half-applied.
func (s *MarketService) Verify(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.view(ctx, func(tx *Tx) error {
		checks := []struct{ query, format string }{
			{`SELECT g.id, g.stock, COALESCE(m.moved, 0) FROM goods g LEFT JOIN (SELECT goods_id, SUM(delta) AS moved FROM stock_moves GROUP BY goods_id) m ON m.goods_id = g.id`,
				"goods %d: stock %d, movements sum to %d"},
			{`SELECT r.id, r.total, COALESCE((SELECT SUM(l.price * l.qty) FROM redemption_lines l WHERE l.redemption_id = r.id), 0) FROM redemptions r`, "redemption %d: total %d, lines sum to %d"},
			{`SELECT r.id, -r.total, COALESCE((SELECT e.delta FROM ledger_entries e WHERE e.id = r.entry_id), 0) FROM redemptions r`, "redemption %d: debit %d, ledger entry says %d"},
			{`SELECT r.id, r.total, COALESCE((SELECT e.delta FROM ledger_entries e WHERE e.id = r.return_entry_id), 0) FROM redemptions r WHERE r.returned_at <> 0`, "return of redemption %d: %d, reversal says %d"},
		}
		for _, c := range checks {
			rows, err := tx.query(ctx, c.query)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, want, got int64
				if err := rows.Scan(&id, &want, &got); err != nil {
					rows.Close()
					return err
				}
				if want != got || want < 0 && c.format[0] == 'g' {
					out = append(out, fmt.Sprintf(c.format, id, want, got))
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
