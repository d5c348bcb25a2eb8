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
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
)

// LedgerService implements points.Service.
type LedgerService struct{ db *DB }

// Ledger returns the store's points ledger.
func (db *DB) Ledger() *LedgerService { return &LedgerService{db: db} }

var _ points.Service = (*LedgerService)(nil)

// isUniqueViolation recognises a unique-constraint failure on either
// engine, which on the ledger means a concurrent posting with the same
// key won the race.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}

// Post writes one entry, or returns the entry an earlier request with the
// same key and content wrote. A request that loses a race for its key is
// run once more, and then finds the winner's entry.
func (s *LedgerService) Post(ctx context.Context, a *access.Actor, p points.Posting) (*points.Entry, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Kind == points.TransferOut || p.Kind == points.TransferIn {
		return nil, fault.OnField(fault.Invalid, "kind", "points.kind")
	}
	perm := access.PointsWrite
	if p.Kind == points.Spend {
		perm = access.PointsSpend
	}
	var out *points.Entry
	for attempt := 0; ; attempt++ {
		err := s.db.update(ctx, func(tx *Tx) (err error) {
			out, err = tx.post(ctx, a, perm, p)
			return err
		})
		if isUniqueViolation(err) && attempt == 0 {
			continue
		}
		return out, err
	}
}

const entryCols = `id, village_code, seq, household_id, kind, delta, balance, item, memo, COALESCE(reverses, 0), idem_key, actor_name, at, prev_hash, hash, kv`

func scanEntry(s interface{ Scan(...any) error }) (points.Entry, error) {
	var e points.Entry
	var at int64
	err := s.Scan(&e.ID, &e.Village, &e.Seq, &e.Household, &e.Kind, &e.Delta, &e.Balance, &e.Item, &e.Memo, &e.Reverses, &e.Key, &e.Actor, &at, &e.PrevHash, &e.Hash, &e.KeyVersion)
	e.At = time.UnixMilli(at)
	return e, err
}

// post is one posting inside tx. An empty perm skips the permission check,
// for postings the register makes as part of a change it has already
// authorised (points moving with a split or merge).
func (tx *Tx) post(ctx context.Context, a *access.Actor, perm access.Permission, p points.Posting) (*points.Entry, error) {
	fp := p.Fingerprint()
	var prevID int64
	var prevFP string
	err := tx.queryRow(ctx, `SELECT id, fingerprint FROM ledger_entries WHERE idem_key = ?`, p.Key).Scan(&prevID, &prevFP)
	switch {
	case err == nil && prevFP == fp:
		e, err := scanEntry(tx.queryRow(ctx, `SELECT `+entryCols+` FROM ledger_entries WHERE id = ?`, prevID))
		return &e, err
	case err == nil:
		return nil, fault.OnField(fault.Conflict, "key", "points.key_reused")
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	var village, status string
	err = tx.queryRow(ctx, `SELECT village_code, status FROM households WHERE id = ?`, p.Household).Scan(&village, &status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && perm != "" && !a.Can(perm, village) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	// A merged or closed household takes no new points, nor reversals of
	// old ones: its balance went with it. Only the register's own
	// transfers (perm empty) touch it while it merges.
	if perm != "" && status != string(registry.HouseholdActive) {
		return nil, fault.E(fault.Conflict, "registry.household.inactive")
	}
	delta := points.Delta(p.Kind, p.Points)
	if p.Kind == points.Reversal {
		var hh, origDelta, origReverses int64
		var kind string
		err := tx.queryRow(ctx, `SELECT household_id, kind, delta, COALESCE(reverses, 0) FROM ledger_entries WHERE id = ?`, p.Reverses).Scan(&hh, &kind, &origDelta, &origReverses)
		if errors.Is(err, sql.ErrNoRows) || err == nil && hh != p.Household {
			return nil, fault.OnField(fault.NotFound, "reverses", "points.entry_not_found")
		}
		if err != nil {
			return nil, err
		}
		if points.Kind(kind) == points.Reversal {
			return nil, fault.OnField(fault.Conflict, "reverses", "points.reversal_of_reversal")
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM ledger_entries WHERE reverses = ?`, p.Reverses).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fault.OnField(fault.Conflict, "reverses", "points.reversed")
		}
		delta = -origDelta
	}
	balance, err := tx.addBalance(ctx, p.Household, delta, "")
	if errors.Is(err, sql.ErrNoRows) {
		// No account yet, or not enough points: open the account and try
		// once more, so the common case, an existing account, costs one
		// statement.
		if _, err := tx.exec(ctx, `INSERT INTO accounts (household_id, village_code, balance, updated_at) VALUES (?, ?, 0, ?) ON CONFLICT (household_id) DO NOTHING`,
			p.Household, village, tx.nowMS()); err != nil {
			return nil, err
		}
		balance, err = tx.addBalance(ctx, p.Household, delta, "")
	}
	if errors.Is(err, sql.ErrNoRows) {
		var have int64
		if err := tx.queryRow(ctx, `SELECT balance FROM accounts WHERE household_id = ?`, p.Household).Scan(&have); err != nil {
			return nil, err
		}
		return nil, fault.OnField(fault.Conflict, "points", "points.insufficient", have, -delta)
	}
	if err != nil {
		return nil, err
	}
	e, err := tx.appendEntry(ctx, a, village, p, fp, delta, balance)
	if err != nil {
		return nil, err
	}
	return e, tx.audit(ctx, a, postAudit(e))
}

// addBalance applies delta to a household's balance and returns the new
// balance, or sql.ErrNoRows when there is no account, when the balance
// would go below zero, or when cond (an extra "AND ..." on the account's
// row, with its args) does not hold. The conditional update is what keeps
// a balance from going negative under any interleaving: it either applies
// in full or matches no row.
func (tx *Tx) addBalance(ctx context.Context, household, delta int64, cond string, args ...any) (int64, error) {
	var balance int64
	err := tx.queryRow(ctx, `UPDATE accounts SET balance = balance + ?, updated_at = ? WHERE household_id = ? AND balance + ? >= 0`+cond+` RETURNING balance`,
		append([]any{delta, tx.nowMS(), household, delta}, args...)...).Scan(&balance)
	return balance, err
}

// appendEntry chains an entry whose balance has been applied to its
// village's ledger: it takes the next place from the head, whose row lock
// on PostgreSQL keeps the chain linear, writes the entry and moves the
// head to its hash.
func (tx *Tx) appendEntry(ctx context.Context, a *access.Actor, village string, p points.Posting, fp string, delta, balance int64) (*points.Entry, error) {
	e := points.Entry{Village: village, Household: p.Household, Kind: p.Kind, Delta: delta, Balance: balance, Item: p.Item, Memo: p.Memo,
		Reverses: p.Reverses, Key: p.Key, At: time.UnixMilli(tx.nowMS())}
	uid, actor := actorRef(a)
	e.Actor = actor
	const next = `UPDATE ledger_heads SET last_seq = last_seq + 1 WHERE village_code = ? RETURNING last_seq, last_hash`
	err := tx.queryRow(ctx, next, village).Scan(&e.Seq, &e.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		// The village's first entry: its head is made on demand, which
		// only the first posting of each village pays for.
		if _, err := tx.exec(ctx, `INSERT INTO ledger_heads (village_code, last_seq, last_hash) VALUES (?, 0, '') ON CONFLICT (village_code) DO NOTHING`, village); err != nil {
			return nil, err
		}
		err = tx.queryRow(ctx, next, village).Scan(&e.Seq, &e.PrevHash)
	}
	if err != nil {
		return nil, err
	}
	var key points.ChainKey
	if e.KeyVersion, key, err = tx.chainKey(); err != nil {
		return nil, err
	}
	e.Hash = points.Chain(key, e.PrevHash, e)
	var reverses any
	if p.Reverses != 0 {
		reverses = p.Reverses
	}
	e.ID, err = tx.insertID(ctx, `INSERT INTO ledger_entries (village_code, seq, household_id, kind, delta, balance, item, memo, reverses, idem_key, fingerprint, actor_id, actor_name, at, prev_hash, hash, kv)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		village, e.Seq, e.Household, string(e.Kind), e.Delta, e.Balance, e.Item, e.Memo, reverses, e.Key, fp, uid, e.Actor, e.At.UnixMilli(), e.PrevHash, e.Hash, e.KeyVersion)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE ledger_heads SET last_hash = ? WHERE village_code = ?`, e.Hash, village); err != nil {
		return nil, err
	}
	return &e, nil
}

// postAudit is the audit trail's record of a posting.
func postAudit(e *points.Entry) auditEntry {
	return auditEntry{action: "points.post", target: fmt.Sprintf("household:%d entry:%d", e.Household, e.ID), region: e.Village,
		detail: fmt.Sprintf("%s %+d → %d %s", e.Kind, e.Delta, e.Balance, e.Item)}
}

// errMoved reports that a household left the village a caller resolved it
// in before its transaction began; the caller resolves it again.
var errMoved = errors.New("household moved to another village")

// spend debits points a redemption takes, inside its transaction, without
// post's reads: the caller has resolved the household, its village and the
// actor's right to spend there outside the transaction, and the
// redemption's own key, unique and written first, makes the posting's key
// unique. What can change meanwhile is re-checked by the conditional
// update itself: the balance, and that the household is still registered
// in that village. The audit record is returned, not written, so the
// caller can append it with its own and take the audit head last.
func (tx *Tx) spend(ctx context.Context, a *access.Actor, village string, p points.Posting) (*points.Entry, auditEntry, error) {
	delta := points.Delta(points.Spend, p.Points)
	p.Kind = points.Spend
	balance, err := tx.addBalance(ctx, p.Household, delta,
		` AND EXISTS (SELECT 1 FROM households h WHERE h.id = accounts.household_id AND h.village_code = ? AND h.status = ?)`, village, registry.HouseholdActive)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auditEntry{}, tx.whyNoSpend(ctx, p.Household, village, -delta)
	}
	if err != nil {
		return nil, auditEntry{}, err
	}
	e, err := tx.appendEntry(ctx, a, village, p, p.Fingerprint(), delta, balance)
	if isUniqueViolation(err) {
		// The redemption's key is already unique, so only a posting made
		// by other means can hold this one.
		return nil, auditEntry{}, fault.OnField(fault.Conflict, "key", "points.key_reused")
	}
	if err != nil {
		return nil, auditEntry{}, err
	}
	return e, postAudit(e), nil
}

// whyNoSpend tells why spend's conditional update matched no row.
func (tx *Tx) whyNoSpend(ctx context.Context, household int64, village string, want int64) error {
	var at, status string
	var have int64
	err := tx.queryRow(ctx, `SELECT h.village_code, h.status, COALESCE(ac.balance, 0) FROM households h LEFT JOIN accounts ac ON ac.household_id = h.id WHERE h.id = ?`,
		household).Scan(&at, &status, &have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return err
	case at != village:
		return errMoved
	case status != string(registry.HouseholdActive):
		return fault.E(fault.Conflict, "registry.household.inactive")
	}
	return fault.OnField(fault.Conflict, "points", "points.insufficient", have, want)
}

// ledgerReader checks that a may see a household's points (anyone who
// reads the register there, the counter's clerks, and the villager of that
// household) and returns the household's village.
func (tx *Tx) ledgerReader(ctx context.Context, a *access.Actor, household int64) (string, error) {
	var village string
	err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, household).Scan(&village)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !a.Can(access.RegistryRead, village) && !a.Can(access.PointsSpend, village) &&
		!(a.Household() == household && a.Can(access.OwnHousehold, village)) {
		return "", fault.E(fault.NotFound, "error.not_found")
	}
	return village, err
}

// Balance returns a household's balance; a household with no entries has 0.
func (s *LedgerService) Balance(ctx context.Context, a *access.Actor, household int64) (int64, error) {
	var b int64
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		err := tx.queryRow(ctx, `SELECT balance FROM accounts WHERE household_id = ?`, household).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return b, err
}

// Statement returns a household's entries, newest first.
func (s *LedgerService) Statement(ctx context.Context, a *access.Actor, household, before int64, limit int) ([]points.Entry, error) {
	_, limit = clampPage(0, limit)
	if before <= 0 {
		before = 1 << 62
	}
	var out []points.Entry
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+entryCols+` FROM ledger_entries WHERE household_id = ? AND seq < ? ORDER BY seq DESC LIMIT `+fmt.Sprint(limit), household, before)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Period returns a household's entries of [from, to), oldest first, with
// the balance they start from.
func (s *LedgerService) Period(ctx context.Context, a *access.Actor, household int64, from, to time.Time) (int64, []points.Entry, error) {
	var opening int64
	var out []points.Entry
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		err := tx.queryRow(ctx, `SELECT balance FROM ledger_entries WHERE household_id = ? AND at < ? ORDER BY seq DESC LIMIT 1`, household, from.UnixMilli()).Scan(&opening)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+entryCols+` FROM ledger_entries WHERE household_id = ? AND at >= ? AND at < ? ORDER BY seq`, household, from.UnixMilli(), to.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return opening, out, err
}

// Verify walks every village chain in order, recomputing each hash and
// each running balance, then compares the balances kept in accounts and
// the chain heads; it reports every difference it finds.
func (s *LedgerService) Verify(ctx context.Context) ([]points.Problem, error) {
	var out []points.Problem
	err := s.db.view(ctx, func(tx *Tx) error {
		// A sealed year must still end where its seal says, and the seal
		// itself must carry its keyed hash.
		seals, err := tx.seals(ctx)
		if err != nil {
			return err
		}
		for v, byseq := range seals {
			for _, c := range byseq {
				if key, err := tx.chainKeyOf(c.kv); err != nil {
					out = append(out, points.Problem{Village: v, Seq: c.seq, Reason: fmt.Sprintf("the %d seal: %v", c.year, err)})
				} else if sealMAC(key, c.kv, points.Close{Village: v, Year: c.year, Seq: c.seq, Hash: c.hash}) != c.mac {
					out = append(out, points.Problem{Village: v, Seq: c.seq, Reason: fmt.Sprintf("the %d seal does not match its keyed hash: altered or forged without the chain key", c.year)})
				}
			}
		}
		rows, err := tx.query(ctx, `SELECT `+entryCols+` FROM ledger_entries ORDER BY village_code, seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		type head struct {
			seq  int64
			hash string
		}
		heads := map[string]head{}
		sums := map[int64]int64{}
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			h := heads[e.Village]
			bad := func(reason string) { out = append(out, points.Problem{Village: e.Village, Seq: e.Seq, Reason: reason}) }
			switch {
			case e.Seq != h.seq+1:
				bad(fmt.Sprintf("entry %d follows %d: entries missing or inserted", e.Seq, h.seq))
			case e.PrevHash != h.hash:
				bad("prev_hash does not match the entry before")
			default:
				if key, err := tx.chainKeyOf(e.KeyVersion); err != nil {
					bad(err.Error())
				} else if points.Chain(key, h.hash, e) != e.Hash {
					bad("entry content does not match its keyed hash: altered, or forged without the chain key")
				}
			}
			if s, ok := seals[e.Village][e.Seq]; ok && s.hash != e.Hash {
				bad("the entry differs from the year's seal")
			}
			sums[e.Household] += e.Delta
			if sums[e.Household] != e.Balance {
				bad(fmt.Sprintf("balance after entry is %d, the entries sum to %d", e.Balance, sums[e.Household]))
			}
			heads[e.Village] = head{e.Seq, e.Hash}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		hs, err := tx.query(ctx, `SELECT village_code, last_seq, last_hash FROM ledger_heads ORDER BY village_code`)
		if err != nil {
			return err
		}
		for hs.Next() {
			var v, hash string
			var seq int64
			if err := hs.Scan(&v, &seq, &hash); err != nil {
				hs.Close()
				return err
			}
			if h := heads[v]; h.seq != seq || h.hash != hash {
				out = append(out, points.Problem{Village: v, Seq: seq, Reason: fmt.Sprintf("chain head names entry %d, the chain ends at %d", seq, h.seq)})
			}
		}
		hs.Close()
		as, err := tx.query(ctx, `SELECT household_id, village_code, balance FROM accounts ORDER BY household_id`)
		if err != nil {
			return err
		}
		defer as.Close()
		for as.Next() {
			var hh, bal int64
			var v string
			if err := as.Scan(&hh, &v, &bal); err != nil {
				return err
			}
			if sums[hh] != bal {
				out = append(out, points.Problem{Village: v, Reason: fmt.Sprintf("household %d: balance %d, entries sum to %d", hh, bal, sums[hh])})
			}
		}
		return as.Err()
	})
	return out, err
}

// transferPoints moves n points from one household to another inside the
// register's transaction, as a linked pair of entries keyed by what caused
// them, so points are neither lost nor counted twice.
func (tx *Tx) transferPoints(ctx context.Context, a *access.Actor, from, to, n int64, cause string) error {
	if n <= 0 {
		return nil
	}
	if _, err := tx.post(ctx, a, "", points.Posting{Key: cause + ":out", Household: from, Kind: points.TransferOut, Points: n, Memo: cause}); err != nil {
		return err
	}
	_, err := tx.post(ctx, a, "", points.Posting{Key: cause + ":in", Household: to, Kind: points.TransferIn, Points: n, Memo: cause})
	return err
}

// balanceOf reads a household's balance inside tx; no account is 0.
func (tx *Tx) balanceOf(ctx context.Context, household int64) (int64, error) {
	var b int64
	err := tx.queryRow(ctx, `SELECT balance FROM accounts WHERE household_id = ?`, household).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return b, err
}
