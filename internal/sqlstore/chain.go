package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
)

// chainRing is the chain keys this process holds, by version, and the
// version new rows are chained with: the newest that chain_keys records.
// The keys themselves come from the key file (secret.Box.ChainKey);
// chain_keys only names which master key each version derives from.
type chainRing struct {
	cur  int
	keys map[int]points.ChainKey
}

// errNoChainKey refuses a chained write by a process opened without the
// key file, or before the database's chains were keyed.
var errNoChainKey = errors.New("the audit trail and the ledgers are chained with a key from the key file, which this store was opened without")

// chainKey is the version and key new rows are chained with.
func (tx *Tx) chainKey() (int, points.ChainKey, error) {
	r := tx.db.chain.Load()
	if r == nil || r.cur == 0 {
		return 0, points.ChainKey{}, errNoChainKey
	}
	return r.cur, r.keys[r.cur], nil
}

// chainKeyOf is the key of version v, or an error naming what is missing.
func (tx *Tx) chainKeyOf(v int) (points.ChainKey, error) {
	r := tx.db.chain.Load()
	if r != nil {
		if k, ok := r.keys[v]; ok {
			return k, nil
		}
	}
	if v == 0 {
		return points.ChainKey{}, errors.New("the row was never keyed")
	}
	return points.ChainKey{}, fmt.Errorf("the row is chained under chain key version %d, which the key file does not hold", v)
}

// chainMAC is the keyed hash of fields, joined by a unit separator so no
// field can be shifted into another.
func chainMAC(key points.ChainKey, fields ...string) string {
	m := hmac.New(key.Hash, key.Key)
	m.Write([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(m.Sum(nil))
}

// loadChainKeys reads which chain key versions the database uses and
// derives them from the key file. A database migrated to keyed chains but
// never opened with the key yet is converted first (keyChains). Without
// the box, or before the migration, nothing is loaded and chained writes
// refuse.
func (db *DB) loadChainKeys(ctx context.Context) error {
	if db.box == nil {
		return nil
	}
	var versions map[int]string
	err := db.view(ctx, func(tx *Tx) error {
		ok, err := tx.tableExists(ctx, "chain_keys")
		if err != nil || !ok {
			return err
		}
		versions, err = tx.chainVersions(ctx)
		return err
	})
	if err != nil || versions == nil {
		return err
	}
	if len(versions) == 0 {
		if err := db.keyChains(ctx); err != nil {
			return fmt.Errorf("keying the chains: %w", err)
		}
		return db.loadChainKeys(ctx)
	}
	r := &chainRing{keys: map[int]points.ChainKey{}}
	for v, id := range versions {
		// A version whose key was dropped from the key file stays
		// unknown: its rows fail verify with a message naming it.
		if k, err := db.chainKeyFor(id); err == nil {
			r.keys[v] = k
		}
		r.cur = max(r.cur, v)
	}
	if r.keys[r.cur].Key != nil {
		db.chain.Store(r)
		return nil
	}
	// The key file lacks the key new rows were chained with (a key file
	// replaced rather than rotated): new rows go on under a new version
	// from its first key, and the change is recorded. Nothing is
	// re-chained, so verify goes on naming the rows it cannot check.
	return db.update(ctx, func(tx *Tx) error {
		lost := r.cur
		kv, err := tx.addChainKey(ctx, db.box.KeyID())
		if err != nil {
			return err
		}
		if r.keys[kv], err = db.chainKeyFor(db.box.KeyID()); err != nil {
			return err
		}
		r.cur = kv
		db.chain.Store(r)
		return tx.audit(ctx, nil, auditEntry{action: "chain.key_missing", target: "key:" + db.box.KeyID(),
			detail: fmt.Sprintf("the key file lacks chain key version %d (key %s): new rows are chained under version %d", lost, versions[lost], kv)})
	})
}

// chainVersions maps every recorded chain key version to its master key.
func (tx *Tx) chainVersions(ctx context.Context) (map[int]string, error) {
	rows, err := tx.query(ctx, `SELECT version, key_id FROM chain_keys`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var id string
		if err := rows.Scan(&v, &id); err != nil {
			return nil, err
		}
		out[v] = id
	}
	return out, rows.Err()
}

// addChainKey makes the key file's first master key the chain key of new
// rows, as a new version, unless it already is; rows already written keep
// the version they were chained with, so history is never re-chained.
func (tx *Tx) addChainKey(ctx context.Context, keyID string) (int, error) {
	versions, err := tx.chainVersions(ctx)
	if err != nil {
		return 0, err
	}
	cur := 0
	for v := range versions {
		cur = max(cur, v)
	}
	if cur > 0 && versions[cur] == keyID {
		return cur, nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO chain_keys (version, key_id, added_at) VALUES (?, ?, ?)`, cur+1, keyID, tx.nowMS()); err != nil {
		return 0, err
	}
	return cur + 1, nil
}

// chainBatch is how many rows the conversion reads at a time: PostgreSQL
// cannot update while a result is still being read on one connection.
const chainBatch = 1000

// keyChains converts a database whose chains are still plain SHA-256
// (kv = 0, as migration 0023 leaves them) in one transaction: it checks
// every old chain as the previous version's verify did, and refuses to
// key over a break, then re-chains every audit partition and village
// ledger under chain key version 1 and re-seals the closed years. The
// first process to insert version 1 does it; another one opening at the
// same time waits for that commit and finds the work done.
func (db *DB) keyChains(ctx context.Context) error {
	keyID := db.box.KeyID()
	key, err := db.chainKeyFor(keyID)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		// Any conflict, on the version or on the key: both starting
		// processes insert the same row.
		res, err := tx.exec(ctx, `INSERT INTO chain_keys (version, key_id, added_at) VALUES (1, ?, ?) ON CONFLICT DO NOTHING`, keyID, tx.nowMS())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		audits, err := tx.keyAuditChain(ctx, key)
		if err != nil {
			return err
		}
		entries, err := tx.keyLedgers(ctx, key)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM settings WHERE name = 'audit_plain_head'`); err != nil {
			return err
		}
		db.chain.Store(&chainRing{cur: 1, keys: map[int]points.ChainKey{1: key}})
		if audits+entries == 0 {
			return nil // a new database: nothing was converted
		}
		return tx.audit(ctx, nil, auditEntry{action: "chain.keyed", target: "key:" + keyID,
			detail: fmt.Sprintf("%d audit rows and %d ledger entries re-chained under chain key version 1", audits, entries)})
	})
}

// plainAuditHash is the unkeyed hash of an audit row in the single chain
// before migration 0023: version 1 rows predate role, outcome, client and
// request id.
func plainAuditHash(r auditRow, prev string) string {
	f := []string{prev, strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.At, 10), strconv.FormatInt(r.ActorID, 10),
		r.ActorName, r.Action, r.Target, r.Region, r.Detail}
	if r.V >= 2 {
		f = append(f, "v2", r.Role, r.Outcome, r.Client, r.RequestID)
	}
	sum := sha256.Sum256([]byte(strings.Join(f, "\x1f")))
	return hex.EncodeToString(sum[:])
}

// keyAuditChain checks the old single audit chain in id order from its
// retention anchor, and re-chains each row in its partition under key.
func (tx *Tx) keyAuditChain(ctx context.Context, key points.ChainKey) (int, error) {
	old, err := tx.setting(ctx, "audit_plain_head")
	if err != nil {
		return 0, err
	}
	f := strings.Split(old, " ")
	if len(f) != 4 {
		return 0, fmt.Errorf("old audit head %q: want 4 fields", old)
	}
	lastID, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, err
	}
	anchorID, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return 0, err
	}
	lastHash, anchorHash := f[1], f[3]
	prevOld, want := anchorHash, anchorID+1
	heads := map[string]string{}
	n := 0
	for {
		rs, err := tx.query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE id >= ? ORDER BY id LIMIT `+strconv.Itoa(chainBatch), want)
		if err != nil {
			return 0, err
		}
		var batch []auditRow
		for rs.Next() {
			r, err := scanAudit(rs)
			if err != nil {
				rs.Close()
				return 0, err
			}
			batch = append(batch, r)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			// The plain hash covers the one before, so a row removed,
			// inserted or edited fails here (prev_hash is no longer
			// stored since migration 0046).
			if r.ID != want || plainAuditHash(r, prevOld) != r.Hash {
				return 0, fmt.Errorf("the audit chain was already broken at row %d before it was keyed; restore a backup that verifies with the previous version", r.ID)
			}
			prevOld, want = r.Hash, r.ID+1
			r.KV = 1
			r.Hash = r.mac(key, heads[r.Part])
			heads[r.Part] = r.Hash
			raw, err := rawHash(r.Hash)
			if err != nil {
				return 0, err
			}
			if _, err := tx.exec(ctx, `UPDATE audit_log SET kv = 1, hash = ? WHERE id = ?`, raw, r.ID); err != nil {
				return 0, err
			}
			n++
		}
	}
	if want-1 != lastID || prevOld != lastHash {
		return 0, fmt.Errorf("the audit chain was already broken before it was keyed: its head names row %d, the chain ends at %d", lastID, want-1)
	}
	for part, h := range heads {
		if _, err := tx.exec(ctx, `UPDATE audit_heads SET last_hash = ? WHERE part = ?`, h, part); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// keyLedgers checks every village's plain ledger chain and its year seals
// and re-chains it under key, moving the heads and the seals with it.
func (tx *Tx) keyLedgers(ctx context.Context, key points.ChainKey) (int, error) {
	seals, err := tx.seals(ctx)
	if err != nil {
		return 0, err
	}
	type head struct {
		seq           int64
		oldHash, hash string
	}
	heads := map[string]head{}
	n := 0
	village, seq := "", int64(0)
	for {
		rs, err := tx.query(ctx, `SELECT `+entryCols+entryFrom+`WHERE e.village > ? OR e.village = ? AND e.seq > ? ORDER BY e.village, e.seq LIMIT `+strconv.Itoa(chainBatch),
			villageArg(village), villageArg(village), seq)
		if err != nil {
			return 0, err
		}
		var batch []points.Entry
		for rs.Next() {
			e, err := scanEntry(rs)
			if err != nil {
				rs.Close()
				return 0, err
			}
			batch = append(batch, e)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			break
		}
		for _, e := range batch {
			h := heads[e.Village]
			if e.Seq != h.seq+1 || points.PlainChain(h.oldHash, e) != e.Hash {
				return 0, fmt.Errorf("the points ledger of %s was already broken at entry %d before it was keyed; restore a backup that verifies with the previous version", e.Village, e.Seq)
			}
			if s, ok := seals[e.Village][e.Seq]; ok && s.hash != e.Hash {
				return 0, fmt.Errorf("the points ledger of %s differs from its %d seal at entry %d before it was keyed", e.Village, s.year, e.Seq)
			}
			oldHash := e.Hash
			e.KeyVersion, e.PrevHash = 1, h.hash
			e.Hash = points.Chain(key, e.PrevHash, e)
			raw, err := rawHash(e.Hash)
			if err != nil {
				return 0, err
			}
			if _, err := tx.exec(ctx, `UPDATE ledger_entries SET kv = 1, hash = ? WHERE id = ?`, raw, e.ID); err != nil {
				return 0, err
			}
			if s, ok := seals[e.Village][e.Seq]; ok {
				if err := tx.sealYear(ctx, 1, key, points.Close{Village: e.Village, Year: s.year, Seq: e.Seq, Hash: e.Hash}, ""); err != nil {
					return 0, err
				}
			}
			heads[e.Village] = head{e.Seq, oldHash, e.Hash}
			village, seq = e.Village, e.Seq
			n++
		}
	}
	for v, h := range heads {
		raw, err := rawHash(h.hash)
		if err != nil {
			return 0, err
		}
		old, err := rawHash(h.oldHash)
		if err != nil {
			return 0, err
		}
		res, err := tx.exec(ctx, `UPDATE ledger_heads SET last_hash = ? WHERE village = ? AND last_seq = ? AND last_hash = ?`, raw, villageArg(v), h.seq, old)
		if err != nil {
			return 0, err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return 0, fmt.Errorf("the points ledger of %s was already broken before it was keyed: its head does not name entry %d", v, h.seq)
		}
	}
	return n, nil
}

// yearSeal is a stored year seal as verify and the conversion read it.
type yearSeal struct {
	village   string
	year      int
	seq       int64
	hash, mac string
	kv        int
}

// seals reads every year seal, by village and sealed entry.
func (tx *Tx) seals(ctx context.Context) (map[string]map[int64]yearSeal, error) {
	cs, err := tx.query(ctx, `SELECT village, year, seq, hash, kv, mac FROM ledger_closes`)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	out := map[string]map[int64]yearSeal{}
	for cs.Next() {
		var s yearSeal
		if err := cs.Scan(&s.village, &s.year, &s.seq, hexOf{&s.hash}, &s.kv, hexOf{&s.mac}); err != nil {
			return nil, err
		}
		if out[s.village] == nil {
			out[s.village] = map[int64]yearSeal{}
		}
		out[s.village][s.seq] = s
	}
	return out, cs.Err()
}

// sealMAC is the keyed hash of a year seal: a seal rewritten to match an
// altered ledger, or moved to another entry, no longer verifies.
func sealMAC(key points.ChainKey, kv int, c points.Close) string {
	return chainMAC(key, "seal", c.Village, strconv.Itoa(c.Year), strconv.FormatInt(c.Seq, 10), c.Hash, "k"+strconv.Itoa(kv))
}

// sealYear records a year's seal, or with actor empty re-seals an existing
// one in place (the conversion).
func (tx *Tx) sealYear(ctx context.Context, kv int, key points.ChainKey, c points.Close, actor string) error {
	mac, err := rawHash(sealMAC(key, kv, c))
	if err != nil {
		return err
	}
	hash, err := rawHash(c.Hash)
	if err != nil {
		return err
	}
	vnum, err := villageNum(c.Village)
	if err != nil {
		return err
	}
	if actor == "" {
		_, err := tx.exec(ctx, `UPDATE ledger_closes SET hash = ?, kv = ?, mac = ? WHERE village = ? AND year = ?`, hash, kv, mac, vnum, c.Year)
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO ledger_closes (village, year, seq, hash, expired, actor_name, closed_at, kv, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		vnum, c.Year, c.Seq, hash, c.Expired, actor, tx.nowMS(), kv, mac)
	return err
}

// auditPart is the audit partition of an entry: the region it concerns;
// for an entry about no region (a sign-in, a setting), the home region of
// whoever acted, so sign-ins across a league do not share a head either;
// and "system" for what no region owns (the command line, a failed
// sign-in under an unknown name).
func auditPart(region string, a *access.Actor) string {
	switch {
	case region != "":
		return region
	case a != nil && len(a.Grants) > 0:
		return a.Grants[0].Region
	}
	return systemPart
}

// systemPart is the audit partition of writes no region owns.
const systemPart = "system"

// The two kinds of chain an anchor names.
const (
	chainAudit  = "audit"
	chainLedger = "ledger"
)

// chainKeyFor is the chain key of the master key named id, with its hash.
func (db *DB) chainKeyFor(id string) (points.ChainKey, error) {
	k, h, err := db.box.ChainKey(id)
	return points.ChainKey{Key: k, Hash: h}, err
}
