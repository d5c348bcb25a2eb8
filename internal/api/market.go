package api

import (
	"context"
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/market"
)

type storeJSON struct {
	ID           int64      `json:"id"`
	Region       string     `json:"region"`
	RegionName   string     `json:"region_name"`
	Name         string     `json:"name"`
	Address      string     `json:"address"`
	ReturnDays   int        `json:"return_days"`
	Clerks       []string   `json:"clerks"`
	Open         bool       `json:"open"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	ClosedReason string     `json:"closed_reason,omitempty"`
}

func toStore(s *market.Store) storeJSON {
	out := storeJSON{ID: s.ID, Region: s.Region, RegionName: s.RegionName, Name: s.Name, Address: s.Address, ReturnDays: s.ReturnDays,
		Clerks: s.Clerks, Open: s.Open(), ClosedReason: s.ClosedReason}
	if !s.Open() {
		at := s.ClosedAt.UTC()
		out.ClosedAt = &at
	}
	if out.Clerks == nil {
		out.Clerks = []string{}
	}
	return out
}

// stores lists the stores the caller manages or sells at, each with
// whether it is open.
func (a *API) stores(r *http.Request, act *access.Actor) (int, any, error) {
	ss, err := a.Market.Stores(r.Context(), act)
	if err != nil {
		return 0, nil, err
	}
	out := make([]storeJSON, len(ss))
	for i := range ss {
		out[i] = toStore(&ss[i])
	}
	return http.StatusOK, map[string]any{"items": out}, nil
}

// storeCall answers a call on the path's store (reading it, reopening
// it) with the store as it stands after.
func storeCall(call func(ctx context.Context, act *access.Actor, id int64) (*market.Store, error)) func(*http.Request, *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		st, err := call(r.Context(), act, id)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toStore(st), nil
	}
}

// storeClose closes a store for the reason in the body.
func (a *API) storeClose(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	st, err := a.Market.CloseStore(r.Context(), act, id, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toStore(st), nil
}

type goodsJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Unit     string `json:"unit"`
	Price    int64  `json:"price"`
	Stock    int64  `json:"stock"`
	Limit    int64  `json:"limit"`
	LimitPer string `json:"limit_period"`
	OnShelf  bool   `json:"on_shelf"`
}

// storeGoods lists a store's goods, for a till or a load generator to pick
// from.
func (a *API) storeGoods(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	gs, err := a.Market.Goods(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]goodsJSON, len(gs))
	for i, g := range gs {
		out[i] = goodsJSON{ID: g.ID, Name: g.Name, Category: g.Category, Unit: g.Unit, Price: g.Price, Stock: g.Stock, Limit: g.Limit, LimitPer: string(g.LimitPer), OnShelf: g.OnShelf}
	}
	return http.StatusOK, map[string]any{"items": out}, nil
}

type lineJSON struct {
	Goods  int64  `json:"goods"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Price  int64  `json:"price"`
	Qty    int64  `json:"qty"`
	Amount int64  `json:"amount"`
}

type redemptionJSON struct {
	ID        int64      `json:"id"`
	Store     int64      `json:"store"`
	Household int64      `json:"household"`
	Number    string     `json:"household_number"`
	Total     int64      `json:"total"`
	Balance   int64      `json:"balance"`
	Entry     int64      `json:"entry"`
	At        time.Time  `json:"at"`
	Lines     []lineJSON `json:"lines"`
	Returned  bool       `json:"returned"`
	Replayed  bool       `json:"replayed"`
}

func toRedemption(r *market.Redemption) redemptionJSON {
	out := redemptionJSON{ID: r.ID, Store: r.Store, Household: r.Household, Number: r.HouseholdNo, Total: r.Total, Balance: r.Balance, Entry: r.Entry,
		At: r.At.UTC(), Returned: r.Returned, Replayed: r.Replayed, Lines: make([]lineJSON, len(r.Lines))}
	for i, l := range r.Lines {
		out.Lines[i] = lineJSON{Goods: l.Goods, Name: l.Name, Unit: l.Unit, Price: l.Price, Qty: l.Qty, Amount: l.Amount()}
	}
	return out
}

// redeem makes a redemption at a store's counter. The Idempotency-Key
// header makes retries safe: the same key with the same basket answers
// 200 with the first redemption, with another basket 409.
func (a *API) redeem(r *http.Request, act *access.Actor) (int, any, error) {
	var in struct {
		Household int64  `json:"household"`
		Card      string `json:"card"`
		Items     []struct {
			Goods int64 `json:"goods"`
			Qty   int64 `json:"qty"`
		} `json:"items"`
	}
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return 0, nil, err
	}
	b := market.Basket{Key: key, Store: id, Household: in.Household, Card: in.Card}
	for _, it := range in.Items {
		if it.Qty == 0 {
			it.Qty = -1 // a line asking for nothing is a mistake, not a line to drop
		}
		b.Items = append(b.Items, market.Item{Goods: it.Goods, Qty: it.Qty})
	}
	red, err := a.Market.Redeem(r.Context(), act, b)
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusCreated
	if red.Replayed {
		status = http.StatusOK
	}
	return status, toRedemption(red), nil
}

// redemption returns one receipt.
func (a *API) redemption(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	red, err := a.Market.Redemption(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toRedemption(red), nil
}

// redemptionReturn takes a redemption back within its store's window.
func (a *API) redemptionReturn(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	red, err := a.Market.Return(r.Context(), act, id, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toRedemption(red), nil
}
