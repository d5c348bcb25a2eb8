package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
)

// The compact ledger (migration 0040) keeps kinds, items, actors and key
// prefixes as small ids, region codes as integers and hashes as raw bytes.
// This file is the one place that turns them back into what the chain
// hashes and the callers see.

// kindIDs are the fixed ids of ledger_kinds; award, the commonest, is 1,
// which SQLite stores in no bytes at all.
var kindIDs = map[points.Kind]int64{
	points.Award: 1, points.Deduct: 2, points.Base: 3, points.Spend: 4, points.Reversal: 5,
	points.TransferOut: 6, points.TransferIn: 7, points.Expiry: 8,
}

var kindNames = func() map[int64]points.Kind {
	m := map[int64]points.Kind{}
	for k, id := range kindIDs {
		m[id] = k
	}
	return m
}()

// kindID is a kind's id; an unknown kind never reaches the ledger
// (Posting.Validate refuses it).
func kindID(k points.Kind) (int64, error) {
	if id, ok := kindIDs[k]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("ledger kind %q has no id", k)
}

// splitKey stores an idempotency key as a prefix and its trailing decimal
// number: the trailing digits less their leading zeros (an all-zero run
// keeps one), when they fit in 18 digits; -1 when there are none. The
// key is always prefix + joinKey's number, so the split is one to one.
// Migration 0040 splits the keys already written the same way in SQL.
func splitKey(k string) (string, int64) {
	i := len(k)
	for i > 0 && k[i-1] >= '0' && k[i-1] <= '9' {
		i--
	}
	if i == len(k) {
		return k, -1
	}
	for i < len(k)-1 && k[i] == '0' {
		i++
	}
	if len(k)-i > 18 {
		return k, -1
	}
	n, err := strconv.ParseInt(k[i:], 10, 64)
	if err != nil {
		return k, -1
	}
	return k[:i], n
}

// joinKey is the key splitKey split.
func joinKey(prefix string, n int64) string {
	if n < 0 {
		return prefix
	}
	return prefix + strconv.FormatInt(n, 10)
}

// villageNum is a village's region code as the ledger stores it.
func villageNum(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != v {
		return 0, fmt.Errorf("region code %q cannot key a ledger", v)
	}
	return n, nil
}

// villageText is the region code of a village villageNum gave.
func villageText(n int64) string { return strconv.FormatInt(n, 10) }

// villageArg is villageNum for a query's argument: a code that is no
// number matches no ledger row.
func villageArg(v string) int64 {
	n, _ := villageNum(v)
	return n
}

// villageSpan is regioncode.Range for integer village columns: the codes
// under region are the integers in [lo, hi). Every village that keys a
// ledger or a total has a twelve-digit code (villageNum), so the string
// range and the integer one hold the same villages. A region that is no
// code spans nothing.
func villageSpan(region string) (lo, hi int64) {
	p := regioncode.Prefix(region)
	if p == "" || len(p) > 12 {
		return 0, 0
	}
	n, err := strconv.ParseInt(p, 10, 64)
	if err != nil || p[0] < '0' || p[0] > '9' {
		return 0, 0
	}
	scale := int64(1)
	for range 12 - len(p) {
		scale *= 10
	}
	return n * scale, (n + 1) * scale
}

// periodNum is a ranking period as the totals store it (migration 0045):
// a year "2026" is 2026, a month "2026-05" is 202605. periodText turns it
// back; the API, the pages and the honour boards keep the text form.
func periodNum(p string) (int64, error) {
	bad := fmt.Errorf("period %q is neither yyyy nor yyyy-mm", p)
	digits := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && s[0] >= '0' && s[0] <= '9'
	}
	switch len(p) {
	case 4:
		if y, ok := digits(p); ok && y >= 1000 {
			return y, nil
		}
	case 7:
		y, ok1 := digits(p[:4])
		m, ok2 := digits(p[5:])
		if ok1 && ok2 && y >= 1000 && p[4] == '-' && m >= 1 && m <= 12 {
			return y*100 + m, nil
		}
	}
	return 0, bad
}

// periodText is the text form of a stored period.
func periodText(n int64) string {
	if n >= 100000 {
		return fmt.Sprintf("%04d-%02d", n/100, n%100)
	}
	return strconv.FormatInt(n, 10)
}

// periodArg is periodNum for a query's argument: text that is no period
// matches no totals row, as it matched none when periods were text.
func periodArg(p string) int64 {
	n, err := periodNum(p)
	if err != nil {
		return -1
	}
	return n
}

// rawHash is a hex hash as the ledger stores it, 32 raw bytes; the empty
// hash (a chain not yet begun) is the empty value, never NULL.
func rawHash(h string) ([]byte, error) {
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("hash %q: %w", h, err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// hexOf scans a raw hash column into its hex form; NULL scans as "".
type hexOf struct{ s *string }

func (h hexOf) Scan(v any) error {
	switch b := v.(type) {
	case nil:
		*h.s = ""
	case []byte:
		*h.s = hex.EncodeToString(b)
	case string:
		*h.s = hex.EncodeToString([]byte(b))
	default:
		return fmt.Errorf("hash column holds %T", v)
	}
	return nil
}

// The lookup tables the ids point into. Their rows are never changed or
// removed, so an id once committed may be remembered by the process.
const (
	lookupItem   = "ledger_items"
	lookupActor  = "ledger_actors"
	lookupPrefix = "ledger_keys"
	// lookupAspect holds the aspects the ranking totals are kept for
	// (migration 0045); id 0 is the empty aspect, every aspect together.
	lookupAspect = "ranking_aspects"
	// lookupVillage holds the ordinals the ranking totals key villages
	// by (migration 0047), for a village's code as text.
	lookupVillage = "totals_villages"
	// audit_names holds the audit trail's actions and role summaries
	// (migration 0046); it shares the cache, keyed by table.
	lookupAuditName = "audit_names"
)

// ledgerIDCache bounds the cache: items include every distinct basket a
// counter redeemed, which a league can have by the hundred thousand.
const ledgerIDCache = 50_000

// ledgerLookup is a lookup table's id for a text (for actors, a user id
// and the name posted under): from the process's cache when a committed
// transaction saw it, else read, else added.
func (tx *Tx) ledgerLookup(ctx context.Context, table string, uid int64, text string) (int64, error) {
	ck, id, ok := tx.ledgerIDCached(table, uid, text)
	if ok {
		return id, nil
	}
	var sel, ins string
	var args, insArgs []any
	switch table {
	case lookupItem:
		sel, ins, args = `SELECT id FROM ledger_items WHERE name = ?`, `INSERT INTO ledger_items (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id`, []any{text}
	case lookupActor:
		sel, ins, args = `SELECT id FROM ledger_actors WHERE user_id = ? AND name = ?`, `INSERT INTO ledger_actors (user_id, name) VALUES (?, ?) ON CONFLICT (user_id, name) DO NOTHING RETURNING id`, []any{uid, text}
	case lookupPrefix:
		sel, ins, args = `SELECT id FROM ledger_keys WHERE prefix = ?`, `INSERT INTO ledger_keys (prefix) VALUES (?) ON CONFLICT (prefix) DO NOTHING RETURNING id`, []any{text}
	case lookupAspect:
		sel, ins, args = lookupReads[table], `INSERT INTO ranking_aspects (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id`, []any{text}
	case lookupVillage:
		code, err := villageNum(text)
		if err != nil {
			return 0, err
		}
		sel, ins, args = lookupReads[table], `INSERT INTO totals_villages (code) VALUES (?) ON CONFLICT (code) DO NOTHING RETURNING id`, []any{code}
	case lookupAuditName:
		sel, ins, args = `SELECT id FROM audit_names WHERE name = ?`, `INSERT INTO audit_names (name) VALUES (?) ON CONFLICT DO NOTHING RETURNING id`, []any{text}
		if tx.dialect == Postgres {
			// Unique by md5(name) there (migration 0046): a role summary
			// can outgrow a b-tree entry.
			sel, insArgs = `SELECT id FROM audit_names WHERE md5(name) = md5(?) AND name = ?`, args
			args = []any{text, text}
		}
	default:
		return 0, fmt.Errorf("no ledger lookup table %q", table)
	}
	// Items and actors repeat, so they are read first; a key prefix not
	// in the cache is most often a client's own random key, new, so it
	// is inserted first. Either way a row another writer added (on
	// PostgreSQL, concurrently) is found by the read after the insert
	// returned nothing.
	if insArgs == nil {
		insArgs = args
	}
	first, then, firstArgs, thenArgs := sel, ins, args, insArgs
	if table == lookupPrefix {
		first, then, firstArgs, thenArgs = ins, sel, insArgs, args
	}
	err := tx.queryRow(ctx, first, firstArgs...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.queryRow(ctx, then, thenArgs...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) && first == sel {
			err = tx.queryRow(ctx, sel, args...).Scan(&id)
		}
	}
	if err != nil {
		return 0, err
	}
	if tx.ledgerIDs == nil {
		tx.ledgerIDs = map[string]int64{}
	}
	tx.ledgerIDs[ck] = id
	if tx.db != nil && !tx.ledgerIDsKept {
		// At the commit, what the transaction holds then: a rollback to
		// a savepoint empties it (exec).
		tx.ledgerIDsKept = true
		tx.afterCommit(func() {
			for k, v := range tx.ledgerIDs {
				if !tx.db.keepLedgerID(k, v) {
					return
				}
			}
		})
	}
	return id, nil
}

// ledgerIDCached is a lookup id the transaction or, once committed, the
// process has seen, with the cache key it is kept under.
func (tx *Tx) ledgerIDCached(table string, uid int64, text string) (ck string, id int64, ok bool) {
	ck = table + "\x00" + strconv.FormatInt(uid, 10) + "\x00" + text
	if id, ok := tx.ledgerIDs[ck]; ok {
		return ck, id, true
	}
	if tx.db != nil {
		if id, ok := tx.db.ledgerIDs.Load(ck); ok {
			return ck, id.(int64), true
		}
	}
	return ck, 0, false
}

// keepLedgerID remembers a committed lookup id for the process, while
// the cache has room; false once it is full.
func (db *DB) keepLedgerID(ck string, id int64) bool {
	if db.ledgerIDn.Load() >= ledgerIDCache {
		return false
	}
	if _, had := db.ledgerIDs.LoadOrStore(ck, id); !had {
		db.ledgerIDn.Add(1)
	}
	return true
}

// lookupReads are the reads of the lookups a query may name an id of
// without adding one (lookupArg).
var lookupReads = map[string]string{
	lookupAspect:  `SELECT id FROM ranking_aspects WHERE name = ?`,
	lookupVillage: `SELECT id FROM totals_villages WHERE code = ?`,
}

// aspectArg is an aspect's id in the ranking totals (migration 0045) for
// a query's argument: 0 for all aspects together, else lookupArg's.
func (tx *Tx) aspectArg(ctx context.Context, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	return tx.lookupArg(ctx, lookupAspect, name, name)
}

// villageOrd is a village's ordinal in the ranking totals (migration
// 0047) for a query's argument, as lookupArg gives it.
func (tx *Tx) villageOrd(ctx context.Context, code string) (int64, error) {
	return tx.lookupArg(ctx, lookupVillage, code, villageArg(code))
}

// lookupArg is the id of text in a lookup table for a query's argument:
// from the process's cache or read, never added. A text never stored
// (an aspect never awarded, a village never totalled) has no id and gets
// -1, which matches no row, as its name matched none when totals were
// keyed by text. The id goes into the statement as a value, not as a
// subquery: PostgreSQL plans a subquery's result as unknown and then
// sorted a league's totals instead of reading the top index.
func (tx *Tx) lookupArg(ctx context.Context, table, text string, key any) (int64, error) {
	ck, id, ok := tx.ledgerIDCached(table, 0, text)
	if ok {
		return id, nil
	}
	err := tx.queryRow(ctx, lookupReads[table], key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	// A row a read sees is committed, and lookup rows never change.
	if tx.db != nil {
		tx.db.keepLedgerID(ck, id)
	}
	return id, nil
}
