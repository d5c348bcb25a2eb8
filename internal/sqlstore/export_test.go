package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
)

// NaiveSpend is the read-then-write spend the ledger must not be: it reads
// the balance, checks it in Go, then writes the new value. The concurrency
// test runs it to show that the test can tell the difference.
func (s *LedgerService) NaiveSpend(ctx context.Context, a *access.Actor, household, amount int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var bal int64
		err := tx.queryRow(ctx, `SELECT balance FROM accounts WHERE household_id = ?`, household).Scan(&bal)
		if errors.Is(err, sql.ErrNoRows) || err == nil && bal < amount {
			return fault.E(fault.Conflict, "points.insufficient", bal, amount)
		}
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE accounts SET balance = ? WHERE household_id = ?`, bal-amount, household)
		return err
	})
}

// RawExec runs a statement on the store's own pool, outside every
// service: the chain tests play someone with write access to the
// database. Placeholders are written ?.
func (db *DB) RawExec(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, rebind(db.dialect, q), args...)
	return err
}

// RawRow reads one row the same way.
func (db *DB) RawRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.write.QueryRowContext(ctx, rebind(db.dialect, q), args...)
}

// RawBegin opens a transaction on the store's pool, for a test that holds
// a lock while the store writes.
func (db *DB) RawBegin(ctx context.Context) (*sql.Tx, func(string) string, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	return tx, func(q string) string { return rebind(db.dialect, q) }, err
}

// Rechain recomputes one chain from place from on, as someone who
// rewrote its rows there would: every hash after it, the running
// balances, the heads, the year seals and the accounts of a village
// ledger. With key nil it uses the real chain key (an insider who holds
// the key file); with any other key it plays one who does not.
func (db *DB) Rechain(ctx context.Context, chain, part string, from int64, wrong []byte) error {
	return db.run(ctx, db.write, false, func(tx *Tx) error {
		key := points.ChainKey{Key: wrong, Hash: sha256.New}
		if wrong == nil {
			_, key, _ = tx.chainKey()
		}
		if chain == chainAudit {
			return tx.rechainAudit(ctx, part, from, key)
		}
		return tx.rechainLedger(ctx, part, from, key)
	})
}

func (tx *Tx) rechainAudit(ctx context.Context, part string, from int64, key points.ChainKey) error {
	var prev string
	var last int64
	if err := tx.queryRow(ctx, `SELECT anchor_hash FROM audit_heads WHERE part = ?`, part).Scan(&prev); err != nil {
		return err
	}
	rs, err := tx.query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE part = ? ORDER BY seq`, part)
	if err != nil {
		return err
	}
	var all []auditRow
	for rs.Next() {
		r, err := scanAudit(rs)
		if err != nil {
			rs.Close()
			return err
		}
		all = append(all, r)
	}
	rs.Close()
	for _, r := range all {
		if r.Seq < from {
			prev, last = r.Hash, r.Seq
			continue
		}
		r.Hash = r.mac(key, prev)
		if _, err := tx.exec(ctx, `UPDATE audit_log SET hash = ? WHERE id = ?`, mustRaw(r.Hash), r.ID); err != nil {
			return err
		}
		prev, last = r.Hash, r.Seq
	}
	_, err = tx.exec(ctx, `UPDATE audit_heads SET last_seq = ?, last_hash = ? WHERE part = ?`, last, prev, part)
	return err
}

func (tx *Tx) rechainLedger(ctx context.Context, village string, from int64, key points.ChainKey) error {
	rs, err := tx.query(ctx, `SELECT `+entryCols+entryFrom+`WHERE e.village = ? ORDER BY e.seq`, villageArg(village))
	if err != nil {
		return err
	}
	var all []points.Entry
	for rs.Next() {
		e, err := scanEntry(rs)
		if err != nil {
			rs.Close()
			return err
		}
		all = append(all, e)
	}
	rs.Close()
	seals, err := tx.seals(ctx)
	if err != nil {
		return err
	}
	var prev string
	var last int64
	sums := map[int64]int64{}
	for _, e := range all {
		sums[e.Household] += e.Delta
		if e.Seq < from {
			prev, last = e.Hash, e.Seq
			continue
		}
		e.Balance, e.PrevHash = sums[e.Household], prev
		e.Hash = points.Chain(key, prev, e)
		if _, err := tx.exec(ctx, `UPDATE ledger_entries SET balance = ?, hash = ? WHERE id = ?`, e.Balance, mustRaw(e.Hash), e.ID); err != nil {
			return err
		}
		if c, ok := seals[village][e.Seq]; ok {
			if _, err := tx.exec(ctx, `UPDATE ledger_closes SET hash = ?, mac = ? WHERE village = ? AND year = ?`,
				mustRaw(e.Hash), mustRaw(sealMAC(key, c.kv, points.Close{Village: village, Year: c.year, Seq: e.Seq, Hash: e.Hash})), villageArg(village), c.year); err != nil {
				return err
			}
		}
		prev, last = e.Hash, e.Seq
	}
	for hh, b := range sums {
		if _, err := tx.exec(ctx, `UPDATE accounts SET balance = ? WHERE household_id = ?`, b, hh); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, `UPDATE ledger_heads SET last_seq = ?, last_hash = ? WHERE village = ?`, last, mustRaw(prev), villageArg(village))
	return err
}

// mustRaw is a hex hash as the ledger stores it (test data only).
func mustRaw(h string) []byte {
	b, err := rawHash(h)
	if err != nil {
		panic(err)
	}
	return b
}

// RawHash is rawHash, for tests that write ledger rows themselves.
func RawHash(h string) []byte { return mustRaw(h) }

// ResidentHash is residentHash, for tests that look residents up by hash.
func ResidentHash(h string) []byte { return residentHash(h) }

// SplitKey is splitKey, for the migration test.
func SplitKey(k string) (string, int64) { return splitKey(k) }

// MigrateBefore applies the migrations before stop, so a test can build
// a database as an older version left it.
func (db *DB) MigrateBefore(ctx context.Context, stop string) error {
	return db.migrateBefore(ctx, stop)
}

// LaterStep is one step of a write transaction for the test of waiting
// writes: a write that may wait (later), a write sent with them (along),
// or a read of one integer (read), whose value is appended to the result.
type LaterStep struct {
	Kind  string // later, along, read
	Query string
	Args  []any
}

// RunLater runs steps in one write transaction and returns what the
// reads read.
func (db *DB) RunLater(ctx context.Context, steps []LaterStep) ([]int64, error) {
	var out []int64
	err := db.update(ctx, func(tx *Tx) error {
		for _, s := range steps {
			switch s.Kind {
			case "later":
				if err := tx.later(ctx, s.Query, s.Args...); err != nil {
					return err
				}
			case "along":
				if _, err := tx.execAlong(ctx, s.Query, s.Args...); err != nil {
					return err
				}
			case "read":
				var n int64
				if err := tx.queryRow(ctx, s.Query, s.Args...).Scan(&n); err != nil {
					return err
				}
				out = append(out, n)
			}
		}
		return nil
	})
	return out, err
}

// LoadChainKeys loads the chain keys chain_keys names, for a test that
// builds a database at an older schema with keyed chains.
func (db *DB) LoadChainKeys(ctx context.Context) error { return db.loadChainKeys(ctx) }

// SealMAC is a year seal's keyed hash.
func SealMAC(key points.ChainKey, kv int, c points.Close) string { return sealMAC(key, kv, c) }

// AuditRow is a stored audit row, for a test that writes rows as an older
// version stored them.
type AuditRow = auditRow

// MAC is the row's keyed hash after prev, as the chain computes it.
func (r AuditRow) MAC(key points.ChainKey, prev string) string { return r.mac(key, prev) }

// RecordTogether records ins as SQLite's group writer records awards that
// queue together (award_batch.go), in one transaction of the caller's
// engine, whatever their timing: the batch tests compare it with
// one-at-a-time recording on both engines.
func (s *AwardService) RecordTogether(ctx context.Context, a *access.Actor, ins []points.AwardInput) ([]*points.AwardRecord, []error, error) {
	calls := make([]*awardCall, len(ins))
	outs := make([]error, len(ins))
	for i, in := range ins {
		in, err := prepareAward(a, in, s.db.Now())
		outs[i] = err
		calls[i] = &awardCall{ctx: ctx, a: a, in: in, fp: awardPrint(in, "")}
	}
	var valid []*awardCall
	var at []int
	for i, c := range calls {
		if outs[i] == nil {
			valid, at = append(valid, c), append(at, i)
		}
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		errs, err := s.recordBatch(ctx, tx, valid)
		for n, i := range at {
			if err == nil {
				outs[i] = errs[n]
			}
		}
		return err
	})
	recs := make([]*points.AwardRecord, len(ins))
	for i, c := range calls {
		if outs[i] == nil {
			recs[i] = c.out
		}
	}
	return recs, outs, err
}

// RedeemPlanned plans each basket as Redeem does, in a transaction of its
// own, and then writes the planned ones in the order given: together, as
// SQLite's group writer writes redemptions that queue together
// (market_redeem_batch.go), in one transaction of the caller's engine; or
// each alone in its own, as the writer runs them when they cannot be
// batched. The batch tests compare the two on both engines.
func (s *MarketService) RedeemPlanned(ctx context.Context, a *access.Actor, baskets []market.Basket, together bool) ([]*market.Redemption, []error, error) {
	outs := make([]error, len(baskets))
	var calls []*redeemCall
	var at []int
	for i, b := range baskets {
		b.Normalize()
		var p *redemptionPlan
		// In a write transaction: on PostgreSQL the plan locks the
		// basket's goods, as Redeem's does there.
		outs[i] = s.db.update(ctx, func(tx *Tx) (err error) {
			p, _, err = tx.planRedemption(ctx, a, b)
			return err
		})
		if outs[i] == nil {
			calls, at = append(calls, &redeemCall{ctx: ctx, a: a, p: p}), append(at, i)
		}
	}
	var err error
	if together && len(calls) > 0 {
		err = s.db.update(ctx, func(tx *Tx) error {
			errs, err := tx.redeemBatch(ctx, calls)
			for n, i := range at {
				if err == nil {
					outs[i] = errs[n]
				}
			}
			return err
		})
	} else {
		for n, c := range calls {
			outs[at[n]] = s.db.update(ctx, func(tx *Tx) (err error) {
				c.out, err = tx.redeem(ctx, a, c.p)
				return err
			})
		}
	}
	recs := make([]*market.Redemption, len(baskets))
	for n, i := range at {
		if outs[i] == nil {
			recs[i] = calls[n].out
		}
	}
	return recs, outs, err
}

// HoldWriter keeps a write transaction open until release is closed, so
// writes sent meanwhile queue up and reach the writer together.
func (db *DB) HoldWriter(ctx context.Context, release <-chan struct{}) error {
	return db.update(ctx, func(*Tx) error {
		<-release
		return nil
	})
}

// failingBatch is a batch whose shared statements write a row and then
// fail, or panic, as an unexpected error of the real batches would.
type failingBatch struct{ panics bool }

func (b failingBatch) runBatch(tx *Tx, jobs []*groupJob) ([]error, error) {
	if _, err := tx.exec(jobs[0].ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ('batch', 0)`); err != nil {
		return nil, err
	}
	if b.panics {
		panic("the batch broke")
	}
	return nil, errors.New("the batch's shared statements failed")
}

// WriteInFailingBatch queues a write that the writer may batch with the
// others sent the same way, in a batch that always fails: the writer must
// then run each write alone, fn writing its name into schema_migrations
// and failing with fail when it is set.
func (db *DB) WriteInFailingBatch(ctx context.Context, panics bool, name string, fail error) error {
	return db.updateBatched(ctx, failingBatch{panics}, nil, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)`, name); err != nil {
			return err
		}
		return fail
	})
}

// VillagesUncached is Villages read from the database past the process's
// cache, for the benchmark of the read itself.
func (s *RankingService) VillagesUncached(ctx context.Context, region, period, aspect string) ([]points.Ranked, error) {
	return s.villages(ctx, region, period, aspect)
}
