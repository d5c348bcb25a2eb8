package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
)

// Anchor records every chain's head at one moment. Kept where the
// database cannot reach it (a file the operator keeps elsewhere, the
// level above's copy of its region), it is what catches a rewrite by
// someone who holds the chain key: a rewritten chain no longer has the
// anchored hash at the anchored place, and a shortened one no longer
// reaches it.
type Anchor struct {
	Format string       `json:"format"`
	Taken  time.Time    `json:"taken"`
	Region string       `json:"region,omitempty"` // set when filtered to a region
	Heads  []AnchorHead `json:"heads"`
}

// AnchorHead is one chain's head: an audit partition or a village ledger.
type AnchorHead struct {
	Chain string `json:"chain"` // "audit" or "ledger"
	Part  string `json:"part"`  // the partition or village
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"` // the keyed hash of the row at Seq
}

// AnchorFormat names the anchor file's format.
const AnchorFormat = "shanzhi-anchor/1"

// Anchor reads every chain's head in one snapshot.
func (db *DB) Anchor(ctx context.Context) (Anchor, error) {
	a := Anchor{Format: AnchorFormat}
	err := db.view(ctx, func(tx *Tx) error {
		a.Taken = tx.now
		for _, q := range []struct{ chain, query string }{
			{chainAudit, `SELECT part, last_seq, last_hash FROM audit_heads WHERE last_seq > 0 ORDER BY part`},
			{chainLedger, `SELECT village, last_seq, last_hash FROM ledger_heads WHERE last_seq > 0 ORDER BY village`},
		} {
			rs, err := tx.query(ctx, q.query)
			if err != nil {
				return err
			}
			for rs.Next() {
				h := AnchorHead{Chain: q.chain}
				var hash any = &h.Hash
				if q.chain == chainLedger {
					hash = hexOf{&h.Hash} // raw bytes since migration 0040
				}
				if err := rs.Scan(&h.Part, &h.Seq, hash); err != nil {
					rs.Close()
					return err
				}
				a.Heads = append(a.Heads, h)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return a, err
}

// Within keeps the heads of a region's chains, the part of an anchor the
// level above (a township, a banner) holds for the villages under it.
func (a Anchor) Within(region string) Anchor {
	lo, hi := regioncode.Range(region)
	out := Anchor{Format: a.Format, Taken: a.Taken, Region: region}
	for _, h := range a.Heads {
		if h.Part >= lo && h.Part < hi {
			out.Heads = append(out.Heads, h)
		}
	}
	return out
}

// AnchorFinding is what checking one anchored head found.
type AnchorFinding struct {
	Head AnchorHead
	// Newer is set when the anchor was taken after this copy's data and
	// the chain does not reach the anchored place: expected after a
	// restore of an older backup, not tampering.
	Newer  bool
	Reason string
}

// CheckAnchor compares the database with an anchor and returns what does
// not match it: rewritten (the anchored place holds another hash),
// shortened (the chain no longer reaches the anchored place), or newer
// than this copy. Only a database that records a restore (RecordRestore,
// which the restore command runs) can hold an older copy than an anchor:
// there, for an anchor taken before the restore, an anchored place that
// is missing, or was written at or after the restore, lies beyond the
// copy. Every place the copy does hold must match, since the copy is a
// prefix of the chains the anchor read. Anywhere else a shorter chain is
// rows removed.
func (db *DB) CheckAnchor(ctx context.Context, a Anchor) ([]AnchorFinding, error) {
	var out []AnchorFinding
	err := db.view(ctx, func(tx *Tx) error {
		restoredAt, err := tx.restoredAt(ctx)
		if err != nil {
			return err
		}
		newer := restoredAt > 0 && a.Taken.UnixMilli() < restoredAt
		heads, err := tx.auditHeads(ctx)
		if err != nil {
			return err
		}
		for _, h := range a.Heads {
			if h.Chain == chainAudit && h.Seq <= heads[h.Part].anchorSeq {
				continue // purged under the retention rules since
			}
			hash, at, err := tx.rowAt(ctx, h.Chain, h.Part, h.Seq)
			if err != nil {
				return err
			}
			switch {
			case hash == h.Hash:
				continue
			case newer && (hash == "" || at >= restoredAt):
				out = append(out, AnchorFinding{Head: h, Newer: true, Reason: "newer than this copy (expected after a restore)"})
			case hash == "":
				out = append(out, AnchorFinding{Head: h, Reason: fmt.Sprintf("the chain is shorter than the anchor: row %d was removed", h.Seq)})
			default:
				out = append(out, AnchorFinding{Head: h, Reason: fmt.Sprintf("row %d differs from the anchor: the chain was rewritten before the anchor was taken", h.Seq)})
			}
		}
		return nil
	})
	return out, err
}

// rowAt reads a chain's row at seq: its hash and time, "" when there is
// none.
func (tx *Tx) rowAt(ctx context.Context, chain, part string, seq int64) (hash string, at int64, err error) {
	if chain == chainLedger {
		err = tx.queryRow(ctx, `SELECT hash, at FROM ledger_entries WHERE village = ? AND seq = ?`, villageArg(part), seq).Scan(hexOf{&hash}, &at)
	} else {
		err = tx.queryRow(ctx, `SELECT hash, at FROM audit_log WHERE part = ? AND seq = ?`, part, seq).Scan(hexOf{&hash}, &at) // raw bytes since migration 0046
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return hash, at, err
}

// restoreAction is the audit record a restore leaves: the operations
// trail's record of it, which the anchors also read.
const restoreAction = "backup.restore"

// restoredAt is when the latest restore put this copy in place, or 0 when
// this database records none.
func (tx *Tx) restoredAt(ctx context.Context) (int64, error) {
	var at int64
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(at), 0) FROM audit_log WHERE `+auditActionIs, restoreAction).Scan(&at)
	return at, err
}

// RecordRestore records in the audit trail that a backup was restored
// (from src, with detail), so anchors taken before are told apart from
// tampering, even once new rows follow the restore. The restore command
// runs it, after lifting any maintenance marker the backup carried: no
// operation runs on the restored database. A forged one, by someone who
// also holds the key, shows in the trail as a restore nobody made.
func (db *DB) RecordRestore(ctx context.Context, a *access.Actor, src, detail string) error {
	if err := db.EndMaintenance(ctx); err != nil {
		return err
	}
	return db.RecordOperation(ctx, a, restoreAction, src, detail)
}

// NoticeCode is the short code a village's public notice prints for its
// own ledger and audit heads: the first 80 bits of their keyed hash under
// the chain key, in base32. Photographed or copied off the notice board,
// it lets anyone holding the key later prove the village's chains then
// stood as they stand in the database.
type NoticeCode struct {
	Village       string
	KeyVersion    int
	LedgerSeq     int64
	AuditSeq      int64
	Code          string // 16 base32 characters
	ledger, audit string
}

// String renders the code as printed and as verify -code reads it.
func (c NoticeCode) String() string {
	return fmt.Sprintf("%s/%d/%d/%d/%s", c.Village, c.KeyVersion, c.LedgerSeq, c.AuditSeq, c.Code)
}

// ParseNoticeCode reads what String printed.
func ParseNoticeCode(s string) (NoticeCode, error) {
	f := strings.Split(strings.TrimSpace(s), "/")
	if len(f) != 5 || len(f[4]) != 16 {
		return NoticeCode{}, fmt.Errorf("notice code %q: want VILLAGE/KEY/LEDGER/AUDIT/CODE", s)
	}
	c := NoticeCode{Village: f[0], Code: strings.ToUpper(f[4])}
	var err error
	if c.KeyVersion, err = strconv.Atoi(f[1]); err == nil {
		if c.LedgerSeq, err = strconv.ParseInt(f[2], 10, 64); err == nil {
			c.AuditSeq, err = strconv.ParseInt(f[3], 10, 64)
		}
	}
	if err != nil {
		return NoticeCode{}, fmt.Errorf("notice code %q: %w", s, err)
	}
	return c, nil
}

func noticeMAC(key points.ChainKey, c NoticeCode) string {
	m, _ := hex.DecodeString(chainMAC(key, "notice", c.Village, strconv.Itoa(c.KeyVersion), strconv.FormatInt(c.LedgerSeq, 10), c.ledger,
		strconv.FormatInt(c.AuditSeq, 10), c.audit))
	return base32.StdEncoding.EncodeToString(m[:10])
}

// NoticeCode computes the code of a village's heads as they stand.
func (db *DB) NoticeCode(ctx context.Context, village string) (NoticeCode, error) {
	c := NoticeCode{Village: village}
	err := db.view(ctx, func(tx *Tx) error {
		kv, key, err := tx.chainKey()
		if err != nil {
			return err
		}
		c.KeyVersion = kv
		err = tx.queryRow(ctx, `SELECT last_seq, last_hash FROM ledger_heads WHERE village = ?`, villageArg(village)).Scan(&c.LedgerSeq, hexOf{&c.ledger})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = tx.queryRow(ctx, `SELECT last_seq, last_hash FROM audit_heads WHERE part = ?`, village).Scan(&c.AuditSeq, &c.audit)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c.Code = noticeMAC(key, c)
		return nil
	})
	return c, err
}

// CheckNoticeCode recomputes a printed code from the rows the database
// holds at the places it names; a mismatch means the village's ledger or
// audit chain up to there was rewritten since it was printed.
func (db *DB) CheckNoticeCode(ctx context.Context, c NoticeCode) error {
	return db.view(ctx, func(tx *Tx) error {
		key, err := tx.chainKeyOf(c.KeyVersion)
		if err != nil {
			return err
		}
		want := c
		if c.LedgerSeq > 0 {
			if want.ledger, _, err = tx.rowAt(ctx, chainLedger, c.Village, c.LedgerSeq); err != nil {
				return err
			}
		}
		if c.AuditSeq > 0 {
			if want.audit, _, err = tx.rowAt(ctx, chainAudit, c.Village, c.AuditSeq); err != nil {
				return err
			}
		}
		if noticeMAC(key, want) != c.Code {
			return fmt.Errorf("notice code %s does not match: the ledger of %s up to entry %d or its audit trail up to row %d was rewritten (or the code was copied wrong)",
				c, c.Village, c.LedgerSeq, c.AuditSeq)
		}
		return nil
	})
}

// NoticeCodeText is the code as a village's notice prints it.
func (db *DB) NoticeCodeText(ctx context.Context, village string) (string, error) {
	c, err := db.NoticeCode(ctx, village)
	return c.String(), err
}
