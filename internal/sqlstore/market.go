package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/photo"
	"shanzhi/internal/regioncode"
)

// MarketService implements market.Service.
type MarketService struct{ db *DB }

// Market returns the store's points supermarket.
func (db *DB) Market() *MarketService { return &MarketService{db: db} }

var _ market.Service = (*MarketService)(nil)

// need is what a store method asks of its actor.
type need int

const (
	toView   need = iota // manage the store, or sell at it
	toManage             // keep its goods and stock
	toSell               // redeem at its counter
)

const storeSelect = `SELECT s.id, s.region_code, r.name, s.name, s.address, s.return_days, s.created_at, s.closed_at, s.closed_reason
	FROM stores s JOIN regions r ON r.code = s.region_code`

func scanStore(s interface{ Scan(...any) error }) (market.Store, error) {
	var st market.Store
	var at, closed int64
	err := s.Scan(&st.ID, &st.Region, &st.RegionName, &st.Name, &st.Address, &st.ReturnDays, &at, &closed, &st.ClosedReason)
	st.CreatedAt = time.UnixMilli(at)
	if closed != 0 {
		st.ClosedAt = time.UnixMilli(closed)
	}
	return st, err
}

// storeFor loads a store and checks that a may do what n asks there. A
// store a may neither manage nor sell at does not exist for them; one they
// may see but not act on this way is forbidden.
func (tx *Tx) storeFor(ctx context.Context, a *access.Actor, id int64, n need) (*market.Store, error) {
	st, err := scanStore(tx.queryRow(ctx, storeSelect+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	manage := market.CanManage(a, &st)
	sell := manage && market.CanSell(a, &st, false)
	if !manage && a.Can(access.MarketSell, st.Region) {
		assigned, err := tx.assigned(ctx, a, id)
		if err != nil {
			return nil, err
		}
		sell = market.CanSell(a, &st, assigned)
	}
	switch {
	case !manage && !sell:
		return nil, fault.E(fault.NotFound, "error.not_found")
	case n == toManage && !manage, n == toSell && !sell:
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return &st, nil
}

func (tx *Tx) assigned(ctx context.Context, a *access.Actor, store int64) (bool, error) {
	uid, _ := actorRef(a)
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM store_clerks WHERE store_id = ? AND user_id = ?`, store, uid).Scan(&n)
	return n > 0, err
}

// marketAudit records a market write in the audit trail, in its region.
func (tx *Tx) marketAudit(ctx context.Context, a *access.Actor, action string, st *market.Store, target, detail string) error {
	return tx.audit(ctx, a, marketEntry(action, st, target, detail))
}

// marketEntry is the audit record of a market write, in its store's region.
func marketEntry(action string, st *market.Store, target, detail string) auditEntry {
	return auditEntry{action: action, target: fmt.Sprintf("store:%d %s", st.ID, target), region: st.Region, detail: detail}
}

// CreateStore opens a store at a village or a township a manages.
func (s *MarketService) CreateStore(ctx context.Context, a *access.Actor, in market.StoreInput) (*market.Store, error) {
	if in.ReturnDays == 0 {
		in.ReturnDays = market.DefaultReturnDays
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.Can(access.MarketManage, in.Region) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	var out *market.Store
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.checkVillageOrTown(ctx, in.Region); err != nil {
			return err
		}
		id, err := tx.insertID(ctx, `INSERT INTO stores (region_code, name, address, return_days, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			in.Region, in.Name, in.Address, in.ReturnDays, tx.nowMS())
		out, err = tx.storeSaved(ctx, a, id, err, "market.store.create", in)
		return err
	})
	return out, err
}

// storeSaved finishes a write of a store's row: a name already taken in
// the region is a conflict, and the store as saved is read back and
// audited.
func (tx *Tx) storeSaved(ctx context.Context, a *access.Actor, id int64, err error, action string, in market.StoreInput) (*market.Store, error) {
	if isUniqueViolation(err) {
		return nil, fault.OnField(fault.Conflict, "name", "market.store_taken")
	}
	if err != nil {
		return nil, err
	}
	st, err := tx.storeFor(ctx, a, id, toManage)
	if err != nil {
		return nil, err
	}
	return st, tx.marketAudit(ctx, a, action, st, "", fmt.Sprintf("%s; %s; %d", in.Name, in.Address, in.ReturnDays))
}

// checkVillageOrTown refuses a store at a region that is missing or no
// longer active.
func (tx *Tx) checkVillageOrTown(ctx context.Context, code string) error {
	var status string
	err := tx.queryRow(ctx, `SELECT status FROM regions WHERE code = ?`, code).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && status != "active" {
		return fault.OnField(fault.Invalid, "region", "market.store_region")
	}
	return err
}

// UpdateStore renames a store and changes its address and return window.
func (s *MarketService) UpdateStore(ctx context.Context, a *access.Actor, id int64, in market.StoreInput) (*market.Store, error) {
	var out *market.Store
	err := s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, id, toManage)
		if err != nil {
			return err
		}
		in.Region = st.Region
		if err := in.Validate(); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE stores SET name = ?, address = ?, return_days = ? WHERE id = ?`, in.Name, in.Address, in.ReturnDays, id)
		out, err = tx.storeSaved(ctx, a, id, err, "market.store.update", in)
		return err
	})
	return out, err
}

// CloseStore closes a store a manages: from its commit on, the store
// takes no redemption. A redemption already planned when it closes is
// written, as if the closing came a moment later (redeem).
func (s *MarketService) CloseStore(ctx context.Context, a *access.Actor, id int64, reason string) (*market.Store, error) {
	reason, err := market.ClosingReason(reason)
	if err != nil {
		return nil, err
	}
	return s.setOpen(ctx, a, id, false, reason)
}

// ReopenStore opens a closed store a manages again.
func (s *MarketService) ReopenStore(ctx context.Context, a *access.Actor, id int64) (*market.Store, error) {
	return s.setOpen(ctx, a, id, true, "")
}

// setOpen opens or closes a store, refusing one already so, and audits
// the change with its reason.
func (s *MarketService) setOpen(ctx context.Context, a *access.Actor, id int64, open bool, reason string) (*market.Store, error) {
	var out *market.Store
	err := s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, id, toManage)
		if err != nil {
			return err
		}
		switch {
		case open && st.Open():
			return fault.E(fault.Conflict, "market.store_open_already")
		case !open && !st.Open():
			return fault.E(fault.Conflict, "market.store_closed_already")
		}
		at, action := tx.nowMS(), "market.store.close"
		if open {
			at, action = 0, "market.store.reopen"
		}
		if _, err := tx.exec(ctx, `UPDATE stores SET closed_at = ?, closed_reason = ? WHERE id = ?`, at, reason, id); err != nil {
			return err
		}
		if out, err = tx.storeFor(ctx, a, id, toManage); err != nil {
			return err
		}
		return tx.marketAudit(ctx, a, action, out, "", reason)
	})
	return out, err
}

// Stores lists the stores a manages and those they are a clerk at.
func (s *MarketService) Stores(ctx context.Context, a *access.Actor) ([]market.Store, error) {
	if !a.CanAnywhere(access.MarketManage) && !a.CanAnywhere(access.MarketSell) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	var out []market.Store
	err := s.db.view(ctx, func(tx *Tx) error {
		where, args := scopeWhere("s.region_code", a.Scopes(access.MarketManage))
		uid, _ := actorRef(a)
		rows, err := tx.query(ctx, storeSelect+` WHERE `+where+` OR s.id IN (SELECT store_id FROM store_clerks WHERE user_id = ?) ORDER BY s.region_code, s.name`, append(args, uid)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			st, err := scanStore(rows)
			if err != nil {
				return err
			}
			// A clerk who has since lost the right to sell there no
			// longer sees the store they were assigned to.
			if market.CanManage(a, &st) || market.CanSell(a, &st, true) {
				out = append(out, st)
			}
		}
		return rows.Err()
	})
	return out, err
}

// Store returns one store with its clerks.
func (s *MarketService) Store(ctx context.Context, a *access.Actor, id int64) (*market.Store, error) {
	var out *market.Store
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		if out, err = tx.storeFor(ctx, a, id, toView); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT u.username FROM store_clerks c JOIN users u ON u.id = c.user_id WHERE c.store_id = ? ORDER BY u.username`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			out.Clerks = append(out.Clerks, n)
		}
		return rows.Err()
	})
	return out, err
}

// AssignClerk assigns a user to a store's counter, or takes them off it.
// Only a user who holds the right to sell at the store's region can be
// assigned: the assignment narrows a clerk's role, it never widens it.
func (s *MarketService) AssignClerk(ctx context.Context, a *access.Actor, store int64, username string, remove bool) error {
	username = strings.TrimSpace(username)
	return s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, store, toManage)
		if err != nil {
			return err
		}
		var uid int64
		err = tx.queryRow(ctx, `SELECT id FROM users WHERE username = ? AND disabled = 0`, username).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.Invalid, "username", "market.clerk_unknown", username)
		}
		if err != nil {
			return err
		}
		if remove {
			if _, err := tx.exec(ctx, `DELETE FROM store_clerks WHERE store_id = ? AND user_id = ?`, store, uid); err != nil {
				return err
			}
			return tx.marketAudit(ctx, a, "market.clerk.remove", st, fmt.Sprintf("user:%d", uid), username)
		}
		gs, err := tx.grants(ctx, uid)
		if err != nil {
			return err
		}
		if !(&access.Actor{Grants: gs}).Can(access.MarketSell, st.Region) {
			return fault.OnField(fault.Invalid, "username", "market.clerk_role", username)
		}
		if _, err := tx.exec(ctx, `INSERT INTO store_clerks (store_id, user_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT (store_id, user_id) DO NOTHING`, store, uid, tx.nowMS()); err != nil {
			return err
		}
		return tx.marketAudit(ctx, a, "market.clerk.assign", st, fmt.Sprintf("user:%d", uid), username)
	})
}

const goodsSelect = `SELECT g.id, g.store_id, g.name, g.category, g.unit, g.price, g.stock, g.limit_qty, g.limit_period, g.on_shelf,
	CASE WHEN EXISTS (SELECT 1 FROM goods_photos ph WHERE ph.goods_id = g.id) THEN 1 ELSE 0 END,
	COALESCE((SELECT max(p.at) FROM goods_prices p WHERE p.goods_id = g.id), g.created_at) FROM goods g`

func scanGoods(s interface{ Scan(...any) error }) (market.Goods, error) {
	var g market.Goods
	var shelf, photo int
	var from int64
	err := s.Scan(&g.ID, &g.Store, &g.Name, &g.Category, &g.Unit, &g.Price, &g.Stock, &g.Limit, &g.LimitPer, &shelf, &photo, &from)
	g.OnShelf, g.HasPhoto, g.PriceFrom = shelf == 1, photo == 1, time.UnixMilli(from)
	return g, err
}

// goodsOf loads one item of store, refusing items of other stores as if
// they did not exist.
func (tx *Tx) goodsOf(ctx context.Context, store, id int64) (*market.Goods, error) {
	g, err := scanGoods(tx.queryRow(ctx, goodsSelect+` WHERE g.id = ? AND g.store_id = ?`, id, store))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unknownGoods()
	}
	return &g, err
}

func (tx *Tx) goodsList(ctx context.Context, store int64, shelfOnly bool) ([]market.Goods, error) {
	q := goodsSelect + ` WHERE g.store_id = ?`
	if shelfOnly {
		q += ` AND g.on_shelf = 1`
	}
	rows, err := tx.query(ctx, q+` ORDER BY g.category, g.name`, store)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Goods
	for rows.Next() {
		g, err := scanGoods(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SaveGoods adds an item to a store or edits one. A new price is recorded
// with its date; redemptions already made keep theirs on their lines.
func (s *MarketService) SaveGoods(ctx context.Context, a *access.Actor, in market.GoodsInput) (*market.Goods, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *market.Goods
	err := s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, in.Store, toManage)
		if err != nil {
			return err
		}
		_, actor := actorRef(a)
		priced := true
		if in.ID == 0 {
			in.ID, err = tx.insertID(ctx, `INSERT INTO goods (store_id, name, category, unit, price, stock, limit_qty, limit_period, on_shelf, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING id`, in.Store, in.Name, in.Category, in.Unit, in.Price, in.Limit, string(in.LimitPer), boolInt(in.OnShelf), tx.nowMS(), tx.nowMS())
		} else {
			var old *market.Goods
			if old, err = tx.goodsOf(ctx, in.Store, in.ID); err != nil {
				return err
			}
			priced = old.Price != in.Price
			_, err = tx.exec(ctx, `UPDATE goods SET name = ?, category = ?, unit = ?, price = ?, limit_qty = ?, limit_period = ?, on_shelf = ?, updated_at = ? WHERE id = ?`,
				in.Name, in.Category, in.Unit, in.Price, in.Limit, string(in.LimitPer), boolInt(in.OnShelf), tx.nowMS(), in.ID)
		}
		if isUniqueViolation(err) {
			return fault.OnField(fault.Conflict, "name", "market.goods_taken", in.Name)
		}
		if err != nil {
			return err
		}
		if priced {
			if _, err := tx.exec(ctx, `INSERT INTO goods_prices (goods_id, price, actor_name, at) VALUES (?, ?, ?, ?)`, in.ID, in.Price, actor, tx.nowMS()); err != nil {
				return err
			}
		}
		if out, err = tx.goodsOf(ctx, in.Store, in.ID); err != nil {
			return err
		}
		return tx.marketAudit(ctx, a, "market.goods.save", st, fmt.Sprintf("goods:%d", out.ID),
			fmt.Sprintf("%s %d分/%s 限%d/%s 上架%v", out.Name, out.Price, out.Unit, out.Limit, out.LimitPer, out.OnShelf))
	})
	return out, err
}

// Goods lists a store's goods, on shelf or not.
func (s *MarketService) Goods(ctx context.Context, a *access.Actor, store int64) ([]market.Goods, error) {
	var out []market.Goods
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.storeFor(ctx, a, store, toView); err != nil {
			return err
		}
		var err error
		out, err = tx.goodsList(ctx, store, false)
		return err
	})
	return out, err
}

// Prices lists an item's prices, newest first.
func (s *MarketService) Prices(ctx context.Context, a *access.Actor, store, goods int64) ([]market.Price, error) {
	var out []market.Price
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.storeFor(ctx, a, store, toView); err != nil {
			return err
		}
		if _, err := tx.goodsOf(ctx, store, goods); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT price, at, actor_name FROM goods_prices WHERE goods_id = ? ORDER BY at DESC, id DESC`, goods)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p market.Price
			var at int64
			if err := rows.Scan(&p.Price, &at, &p.Actor); err != nil {
				return err
			}
			p.From = time.UnixMilli(at)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// SetPhoto stores an item's photo in the database, replacing any earlier
// one; an empty photo removes it.
func (s *MarketService) SetPhoto(ctx context.Context, a *access.Actor, store, goods int64, data []byte) error {
	// Only images, however named, so the public photo route never serves
	// markup.
	ctype, image := photo.Sniff(data, photo.JPEG, photo.PNG, photo.WebP, photo.GIF)
	switch {
	case len(data) > market.MaxPhoto:
		return fault.OnField(fault.TooLarge, "photo", "market.photo_size", market.MaxPhoto>>10)
	case len(data) > 0 && !image:
		return fault.OnField(fault.Invalid, "photo", "market.photo_type")
	case len(data) > 0:
		var err error
		if data, err = photo.Clean(data, ctype); err != nil {
			return fault.OnField(fault.Invalid, "photo", photo.Problem(err))
		}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		st, err := tx.storeFor(ctx, a, store, toManage)
		if err != nil {
			return err
		}
		if _, err := tx.goodsOf(ctx, store, goods); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM goods_photos WHERE goods_id = ?`, goods); err != nil {
			return err
		}
		if len(data) > 0 {
			if _, err := tx.exec(ctx, `INSERT INTO goods_photos (goods_id, content_type, data, updated_at) VALUES (?, ?, ?, ?)`, goods, ctype, data, tx.nowMS()); err != nil {
				return err
			}
		}
		return tx.marketAudit(ctx, a, "market.goods.photo", st, fmt.Sprintf("goods:%d", goods), fmt.Sprintf("%s %d bytes", ctype, len(data)))
	})
}

// Photo returns an item's photo and its type.
func (s *MarketService) Photo(ctx context.Context, goods int64) ([]byte, string, error) {
	var data []byte
	var ctype string
	err := s.db.view(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT content_type, data FROM goods_photos WHERE goods_id = ?`, goods).Scan(&ctype, &data)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		return err
	})
	return data, ctype, err
}

// townOf is the township a village belongs to: the stores that can serve
// a household are at its village or at its township.
func townOf(village string) string {
	if regioncode.LevelOf(village) != regioncode.Village {
		return village
	}
	return village[:9] + "000"
}
