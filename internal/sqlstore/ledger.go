package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
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

// entryCols and entryFrom read entries with their ids turned back into
// text (migration 0040); a WHERE clause after them names the entry's own
// columns, or e.* where a lookup table has one of the same name.
const (
	entryCols = `e.id, e.village, e.seq, e.household_id, e.kind, e.delta, e.balance, i.name, e.memo, COALESCE(e.reverses, 0), p.prefix, e.key_num, u.name, e.at, e.hash, e.kv`
	entryFrom = ` FROM ledger_entries e JOIN ledger_items i ON i.id = e.item JOIN ledger_actors u ON u.id = e.actor JOIN ledger_keys p ON p.id = e.key_pre `
)

func scanEntry(s interface{ Scan(...any) error }, extra ...any) (points.Entry, error) {
	var e points.Entry
	var at, kind, keyNum int64
	var prefix string
	err := s.Scan(append([]any{&e.ID, &e.Village, &e.Seq, &e.Household, &kind, &e.Delta, &e.Balance, &e.Item, &e.Memo, &e.Reverses, &prefix, &keyNum, &e.Actor, &at, hexOf{&e.Hash}, &e.KeyVersion}, extra...)...)
	e.Kind, e.Key, e.At = kindNames[kind], joinKey(prefix, keyNum), time.UnixMilli(at)
	return e, err
}

// entryFingerprint is the fingerprint of the posting that wrote e: the
// stored one when the entry could not give it back, else the entry's own.
func entryFingerprint(e points.Entry, stored []byte) string {
	if stored != nil {
		return hex.EncodeToString(stored)
	}
	return derivedPosting(e).Fingerprint()
}

// derivedPosting is the posting an entry gives back: its points are the
// size of its change, except a reversal's, which takes them from what it
// reverses and is taken to have been posted with none.
func derivedPosting(e points.Entry) points.Posting {
	n := e.Delta
	if e.Kind == points.Reversal {
		n = 0
	} else if n < 0 {
		n = -n
	}
	return points.Posting{Key: e.Key, Household: e.Household, Kind: e.Kind, Points: n, Item: e.Item, Memo: e.Memo, Reverses: e.Reverses}
}

// post is one posting inside tx. An empty perm skips the permission check,
// for postings the register makes as part of a change it has already
// authorised (points moving with a split or merge).
func (tx *Tx) post(ctx context.Context, a *access.Actor, perm access.Permission, p points.Posting) (*points.Entry, error) {
	fp := p.Fingerprint()
	prefix, keyNum := splitKey(p.Key)
	var stored []byte
	prev, err := scanEntry(tx.queryRow(ctx, `SELECT `+entryCols+`, e.fp`+entryFrom+`WHERE p.prefix = ? AND e.key_num = ?`, prefix, keyNum), &stored)
	switch {
	case err == nil && entryFingerprint(prev, stored) == fp:
		return &prev, nil
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
		var kind int64
		err := tx.queryRow(ctx, `SELECT household_id, kind, delta, COALESCE(reverses, 0) FROM ledger_entries WHERE id = ?`, p.Reverses).Scan(&hh, &kind, &origDelta, &origReverses)
		if errors.Is(err, sql.ErrNoRows) || err == nil && hh != p.Household {
			return nil, fault.OnField(fault.NotFound, "reverses", "points.entry_not_found")
		}
		if err != nil {
			return nil, err
		}
		if kindNames[kind] == points.Reversal {
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
	// A debit keeps what open corrections will take back; other postings
	// are the system's own and need only stay at or above zero.
	var cond string
	var condArgs []any
	if p.Kind == points.Spend {
		cond, condArgs = heldCond, []any{delta}
	}
	balance, err := tx.addBalance(ctx, p.Household, delta, cond, condArgs...)
	if errors.Is(err, sql.ErrNoRows) {
		// No account yet, or not enough points: open the account and try
		// once more, so the common case, an existing account, costs one
		// statement.
		if _, err := tx.exec(ctx, `INSERT INTO accounts (household_id, village_code, balance, updated_at) VALUES (?, ?, 0, ?) ON CONFLICT (household_id) DO NOTHING`,
			p.Household, village, tx.nowMS()); err != nil {
			return nil, err
		}
		balance, err = tx.addBalance(ctx, p.Household, delta, cond, condArgs...)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tx.whyNoSpend(ctx, p.Household, village, -delta)
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
	err := tx.queryRow(ctx, balanceUpdate(cond), tx.balanceArgs(household, delta, args)...).Scan(&balance)
	return balance, err
}

// balanceUpdate is addBalance's statement with cond.
func balanceUpdate(cond string) string {
	return `UPDATE accounts SET balance = balance + ?, updated_at = ? WHERE household_id = ? AND balance + ? >= 0` + cond + ` RETURNING balance`
}

func (tx *Tx) balanceArgs(household, delta int64, cond []any) []any {
	return append([]any{delta, tx.nowMS(), household, delta}, cond...)
}

// chained is an entry whose balance has been applied, to be chained to its
// village's ledger: a's posting p with its fingerprint fp, changing the
// household's balance by delta to balance.
type chained struct {
	a              *access.Actor
	village        string
	p              points.Posting
	fp             string
	delta, balance int64
}

// appendEntry chains one entry (appendEntries).
func (tx *Tx) appendEntry(ctx context.Context, a *access.Actor, village string, p points.Posting, fp string, delta, balance int64) (*points.Entry, error) {
	es, err := tx.appendEntries(ctx, []chained{{a: a, village: village, p: p, fp: fp, delta: delta, balance: balance}})
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// appendEntries chains entries whose balances have been applied to their
// villages' ledgers, in the order given: each village's head moves once,
// past all of its entries, which its row lock on PostgreSQL keeps linear,
// the entries are written in one statement, and the heads move to their
// last hashes. fp is a posting's fingerprint, kept only when the entry
// cannot give it back. A posting is one entry; a batch of redemptions
// (market_redeem_batch.go) is many.
func (tx *Tx) appendEntries(ctx context.Context, cs []chained) ([]*points.Entry, error) {
	type compact struct {
		vnum, kind, item, actor, keyPre, keyNum int64
		fp                                      any
	}
	es := make([]*points.Entry, len(cs))
	rows := make([]compact, len(cs))
	var villages []int64 // in the order of their first entry
	count := map[int64]int64{}
	for i, c := range cs {
		p := c.p
		e := &points.Entry{Village: c.village, Household: p.Household, Kind: p.Kind, Delta: c.delta, Balance: c.balance, Item: p.Item, Memo: p.Memo,
			Reverses: p.Reverses, Key: p.Key, At: time.UnixMilli(tx.nowMS())}
		uid, actor := actorRef(c.a)
		e.Actor = actor
		es[i] = e
		r := &rows[i]
		var err error
		if r.vnum, err = villageNum(c.village); err != nil {
			return nil, err
		}
		if r.kind, err = kindID(e.Kind); err != nil {
			return nil, err
		}
		if r.item, err = tx.ledgerLookup(ctx, lookupItem, 0, e.Item); err != nil {
			return nil, err
		}
		if r.actor, err = tx.ledgerLookup(ctx, lookupActor, uid, e.Actor); err != nil {
			return nil, err
		}
		var prefix string
		prefix, r.keyNum = splitKey(e.Key)
		if r.keyPre, err = tx.ledgerLookup(ctx, lookupPrefix, 0, prefix); err != nil {
			return nil, err
		}
		if derivedPosting(*e).Fingerprint() != c.fp {
			if r.fp, err = rawHash(c.fp); err != nil {
				return nil, err
			}
		}
		if count[r.vnum] == 0 {
			villages = append(villages, r.vnum)
		}
		count[r.vnum]++
	}
	next := map[int64]int64{}  // a village's next place
	prev := map[int64]string{} // the hash its next entry follows
	for _, v := range villages {
		last, hash, err := tx.advanceLedgerHead(ctx, v, count[v])
		if err != nil {
			return nil, err
		}
		next[v], prev[v] = last-count[v]+1, hash
	}
	kv, key, err := tx.chainKey()
	if err != nil {
		return nil, err
	}
	at := map[[2]int64]*points.Entry{} // an entry by its village and place
	args := make([]any, 0, 16*len(es))
	for i, e := range es {
		r := rows[i]
		e.Seq, e.PrevHash, e.KeyVersion = next[r.vnum], prev[r.vnum], kv
		next[r.vnum]++
		e.Hash = points.Chain(key, e.PrevHash, *e)
		prev[r.vnum] = e.Hash
		hash, err := rawHash(e.Hash)
		if err != nil {
			return nil, err
		}
		var reverses any
		if e.Reverses != 0 {
			reverses = e.Reverses
		}
		args = append(args, r.vnum, e.Seq, e.Household, r.kind, e.Delta, e.Balance, r.item, e.Memo, reverses, r.keyPre, r.keyNum, r.fp, r.actor,
			e.At.UnixMilli(), hash, e.KeyVersion)
		at[[2]int64{r.vnum, e.Seq}] = e
	}
	// RETURNING promises no order of its rows; each names its entry by
	// its place in its chain.
	ids, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (idAt [3]int64, err error) {
		return idAt, s.Scan(&idAt[0], &idAt[1], &idAt[2])
	}, `INSERT INTO ledger_entries (village, seq, household_id, kind, delta, balance, item, memo, reverses, key_pre, key_num, fp, actor, at, hash, kv)
		VALUES `+placeholders(len(es), 16)+` RETURNING id, village, seq`, args...)
	if err != nil {
		return nil, err
	}
	for _, idAt := range ids {
		at[[2]int64{idAt[1], idAt[2]}].ID = idAt[0]
	}
	// Nothing reads a head's hash before the chain's next entry, whose
	// move of the head sends it first; on PostgreSQL it travels with the
	// write's next statement, most often the audit head's move.
	for _, v := range villages {
		hash, err := rawHash(prev[v])
		if err != nil {
			return nil, err
		}
		if err := tx.later(ctx, `UPDATE ledger_heads SET last_hash = ? WHERE village = ?`, hash, v); err != nil {
			return nil, err
		}
	}
	return es, nil
}

// advanceLedgerHead takes the next n places of a village's chain and
// returns the last with the hash the first must follow; the village's
// first entry makes its head, which only the first posting of each
// village pays for.
func (tx *Tx) advanceLedgerHead(ctx context.Context, village, n int64) (last int64, prev string, err error) {
	const next = `UPDATE ledger_heads SET last_seq = last_seq + ? WHERE village = ? RETURNING last_seq, last_hash`
	err = tx.queryRow(ctx, next, n, village).Scan(&last, hexOf{&prev})
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.exec(ctx, `INSERT INTO ledger_heads (village, last_seq, last_hash) VALUES (?, 0, ?) ON CONFLICT (village) DO NOTHING`, village, []byte{}); err != nil {
			return 0, "", err
		}
		err = tx.queryRow(ctx, next, n, village).Scan(&last, hexOf{&prev})
	}
	return last, prev, err
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
	p, delta := asSpend(p)
	// The basket's waiting writes (stock moves, receipt lines) touch no
	// account, household or award, so on PostgreSQL they travel with the
	// debit instead of costing a round trip of their own.
	var balance int64
	err := tx.queryRowAlong(ctx, balanceUpdate(` AND EXISTS (SELECT 1 FROM households h WHERE h.id = accounts.household_id AND h.village_code = ? AND h.status = ?)`+heldCond),
		tx.balanceArgs(p.Household, delta, []any{village, registry.HouseholdActive, delta})...).Scan(&balance)
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

// spendChecked debits what a batch of redemptions spends, each debit
// checked by the caller against the balances it read in this transaction
// (spendState.refusal), d.balance being the household's after it: one
// update of the accounts by the sum each household spends, and the
// entries chained by appendEntries. Their audit records are the
// caller's to write (postAudit), as spend's are.
func (tx *Tx) spendChecked(ctx context.Context, ds []chained) ([]*points.Entry, error) {
	var spent sums
	for _, d := range ds {
		spent.add(d.p.Household, d.delta)
	}
	if err := tx.addBy(ctx, "accounts", "household_id", "balance", spent); err != nil {
		return nil, err
	}
	return tx.appendEntries(ctx, ds)
}

// heldSQL is how many of a household's points its open corrections will
// take back (a correction of a deduction gives points back and holds
// none). The partial index awards_open_corrections answers it.
const heldSQL = `SELECT COALESCE(SUM(-a.points), 0) FROM awards a WHERE a.household_id = %s AND a.corrects_id <> 0 AND a.status = 'pending' AND a.points < 0`

// heldCond is the condition on a debit of the account row, with the
// debit's delta as its one argument: what remains covers the points held.
// A correction is filed only while the balance covers it, and the hold
// keeps it covered until its notice ends, so its reversal always posts.
var heldCond = ` AND accounts.balance + ? >= (` + fmt.Sprintf(heldSQL, "accounts.household_id") + `)`

// asSpend is p as a debit posts it, with the change of the balance.
func asSpend(p points.Posting) (points.Posting, int64) {
	p.Kind = points.Spend
	return p, points.Delta(points.Spend, p.Points)
}

// spendStateSelect reads a household's spendState; a WHERE on h follows.
var spendStateSelect = `SELECT h.id, h.village_code, h.status, CASE WHEN ac.household_id IS NULL THEN 0 ELSE 1 END, COALESCE(ac.balance, 0), (` +
	fmt.Sprintf(heldSQL, "h.id") + `) FROM households h LEFT JOIN accounts ac ON ac.household_id = h.id`

// spendState is what decides a debit of a household: where it is
// registered and how, whether it has an account, its balance and the
// points its open corrections hold.
type spendState struct {
	found           bool
	village, status string
	account         int
	balance, held   int64
}

func scanSpendState(s interface{ Scan(...any) error }) (id int64, st spendState, err error) {
	st.found = true
	return id, st, s.Scan(&id, &st.village, &st.status, &st.account, &st.balance, &st.held)
}

// refusal is why a debit of want points resolved in village cannot be
// made from st, or nil when spend's conditional update would make it. A
// batch of redemptions checks its debits with it in memory; whyNoSpend
// tells with it why the update matched no row.
func (st spendState) refusal(village string, want int64) error {
	switch {
	case !st.found:
		return fault.E(fault.NotFound, "error.not_found")
	case st.village != village:
		return errMoved
	case st.status != string(registry.HouseholdActive):
		return fault.E(fault.Conflict, "registry.household.inactive")
	case st.account == 1 && st.balance-want >= st.held:
		return nil
	case st.held > 0 && st.balance >= want:
		return fault.OnField(fault.Conflict, "points", "points.held", st.balance, st.held, want)
	}
	return fault.OnField(fault.Conflict, "points", "points.insufficient", st.balance, want)
}

// whyNoSpend tells why a debit's conditional update matched no row.
func (tx *Tx) whyNoSpend(ctx context.Context, household int64, village string, want int64) error {
	_, st, err := scanSpendState(tx.queryRow(ctx, spendStateSelect+` WHERE h.id = ?`, household))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		st.found = false
	case err != nil:
		return err
	}
	if err := st.refusal(village, want); err != nil {
		return err
	}
	// The update and this read disagree only if the row changed between
	// them, which the transaction's hold on it rules out.
	return fault.OnField(fault.Conflict, "points", "points.insufficient", st.balance, want)
}

// ledgerReader checks that a may see a household's points (anyone who
// reads the register there, the counter's clerks, and the villager of that
// household) and returns the household's village.
func (tx *Tx) ledgerReader(ctx context.Context, a *access.Actor, household int64) (string, error) {
	var village string
	err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, household).Scan(&village)
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		err = readsLedger(a, household, village, err)
	}
	return village, err
}

// readsLedger is ledgerReader's check of a household registered in
// village, found being the error of looking it up: anyone else is told it
// does not exist.
func readsLedger(a *access.Actor, household int64, village string, found error) error {
	if found != nil || !a.Can(access.RegistryRead, village) && !a.Can(access.PointsSpend, village) &&
		!(a.Household() == household && a.Can(access.OwnHousehold, village)) {
		return fault.E(fault.NotFound, "error.not_found")
	}
	return nil
}

// Balance returns a household's balance; a household with no entries has
// 0. It is the most frequent read there is (a counter's every customer, a
// villager's every visit), so it is one statement, read without a
// transaction: the household's village for the access check and its
// account's balance together.
func (s *LedgerService) Balance(ctx context.Context, a *access.Actor, household int64) (int64, error) {
	var village string
	var b int64
	err := s.db.readRow(ctx, `SELECT h.village_code, COALESCE(ac.balance, 0) FROM households h LEFT JOIN accounts ac ON ac.household_id = h.id WHERE h.id = ?`,
		[]any{household}, &village, &b)
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		err = readsLedger(a, household, village, err)
	}
	if err != nil {
		return 0, err
	}
	return b, nil
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
		var err error
		out, err = tx.entries(ctx, `WHERE e.household_id = ? AND e.seq < ? ORDER BY e.seq DESC LIMIT `+fmt.Sprint(limit), household, before)
		return err
	})
	return out, err
}

// entries reads the ledger entries a WHERE … ORDER BY clause selects.
func (tx *Tx) entries(ctx context.Context, where string, args ...any) ([]points.Entry, error) {
	rows, err := tx.query(ctx, `SELECT `+entryCols+entryFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []points.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
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
		out, err = tx.entries(ctx, `WHERE e.household_id = ? AND e.at >= ? AND e.at < ? ORDER BY e.seq`, household, from.UnixMilli(), to.UnixMilli())
		return err
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
		rows, err := tx.query(ctx, `SELECT `+entryCols+entryFrom+`ORDER BY e.village, e.seq`)
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
			default:
				// The entry before's hash is the input the stored
				// prev_hash used to repeat (migration 0040).
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
		hs, err := tx.query(ctx, `SELECT village, last_seq, last_hash FROM ledger_heads ORDER BY village`)
		if err != nil {
			return err
		}
		for hs.Next() {
			var v, hash string
			var seq int64
			if err := hs.Scan(&v, &seq, hexOf{&hash}); err != nil {
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
