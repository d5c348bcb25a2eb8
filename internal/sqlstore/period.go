package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/scheme"
)

// PeriodService implements points.PeriodService.
type PeriodService struct{ db *DB }

// Periods returns the ledger's calendar service.
func (db *DB) Periods() *PeriodService { return &PeriodService{db: db} }

var _ points.PeriodService = (*PeriodService)(nil)

// ApplyBase credits the base score of the scheme in force on day to every
// registered household of village, keyed by village, period and household
// so that a second run of the same period posts nothing.
func (s *PeriodService) ApplyBase(ctx context.Context, a *access.Actor, village string, day time.Time) (int, error) {
	if !a.Can(access.PointsWrite, village) {
		return 0, fault.E(fault.NotFound, "region.not_found")
	}
	if regioncode.LevelOf(village) != regioncode.Village {
		return 0, fault.E(fault.Invalid, "points.village_only")
	}
	day = scheme.Today(day)
	n := 0
	err := s.db.update(ctx, func(tx *Tx) error {
		chain, err := tx.schemeChain(ctx, village, day)
		if err != nil {
			return err
		}
		r, err := scheme.Effective(chain, village, day)
		if err != nil {
			return err
		}
		if r.BaseScore <= 0 {
			return nil
		}
		period := period(r.BasePeriod, day)
		ids, err := tx.ids(ctx, `SELECT id FROM households WHERE village_code = ? AND status = '在册' ORDER BY id`, village)
		if err != nil {
			return err
		}
		for _, id := range ids {
			key := fmt.Sprintf("base:%s:%s:%d", village, period, id)
			prefix, num := splitKey(key)
			var exists int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM ledger_entries e JOIN ledger_keys p ON p.id = e.key_pre WHERE p.prefix = ? AND e.key_num = ?`, prefix, num).Scan(&exists); err != nil {
				return err
			}
			if exists > 0 {
				continue
			}
			if _, err := tx.post(ctx, a, access.PointsWrite, points.Posting{Key: key, Household: id, Kind: points.Base, Points: int64(r.BaseScore), Item: "基础分 " + period}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// CloseYear seals a village's year: where the scheme in force on the
// year's last day says points expire, every balance is taken by an expiry
// entry dated the close; then the chain head is recorded, so any later
// edit of the year's entries shows against the seal. A year closes once.
func (s *PeriodService) CloseYear(ctx context.Context, a *access.Actor, village string, year int) (*points.Close, error) {
	if !a.Can(access.PointsWrite, village) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	if regioncode.LevelOf(village) != regioncode.Village {
		return nil, fault.E(fault.Invalid, "points.village_only")
	}
	last := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	var out points.Close
	err := s.db.update(ctx, func(tx *Tx) error {
		if scheme.Today(tx.now).Before(last) {
			return fault.E(fault.Invalid, "points.close_early", year)
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM ledger_closes WHERE village = ? AND year = ?`, villageArg(village), year).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.E(fault.Conflict, "points.closed", year)
		}
		out = points.Close{Village: village, Year: year}
		chain, err := tx.schemeChain(ctx, village, last)
		if err != nil {
			return err
		}
		r, err := scheme.Effective(chain, village, last)
		if err != nil && !fault.Is(err, fault.NotFound) {
			return err
		}
		if err == nil && r.CarryOver == scheme.Expire {
			rows, err := tx.query(ctx, `SELECT household_id, balance FROM accounts WHERE village_code = ? AND balance > 0 ORDER BY household_id`, village)
			if err != nil {
				return err
			}
			type acct struct{ id, bal int64 }
			var accts []acct
			for rows.Next() {
				var x acct
				if err := rows.Scan(&x.id, &x.bal); err != nil {
					rows.Close()
					return err
				}
				accts = append(accts, x)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, x := range accts {
				if _, err := tx.post(ctx, a, "", points.Posting{Key: fmt.Sprintf("expiry:%s:%d:%d", village, year, x.id), Household: x.id, Kind: points.Expiry, Points: x.bal, Item: fmt.Sprintf("%d 年终清零", year)}); err != nil {
					return err
				}
				out.Expired += x.bal
			}
		}
		err = tx.queryRow(ctx, `SELECT last_seq, last_hash FROM ledger_heads WHERE village = ?`, villageArg(village)).Scan(&out.Seq, hexOf{&out.Hash})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		kv, key, err := tx.chainKey()
		if err != nil {
			return err
		}
		_, uname := actorRef(a)
		if err := tx.sealYear(ctx, kv, key, out, uname); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "points.close", target: fmt.Sprintf("ledger:%s:%d", village, year), region: village,
			detail: fmt.Sprintf("seq %d hash %s expired %d", out.Seq, out.Hash, out.Expired)})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
