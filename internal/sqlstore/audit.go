package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"shanzhi/internal/access"
)

// auditEntry is one row of the audit trail before it is chained.
type auditEntry struct {
	action, target, region, detail string
}

// audit appends an entry to the hash-chained audit trail inside the
// caller's transaction, so a write and its record commit or vanish
// together. Updating the single head row first takes a row lock on
// PostgreSQL, which keeps the chain linear under concurrent writers.
func (tx *Tx) audit(ctx context.Context, a *access.Actor, e auditEntry) error {
	var lastID int64
	var prev string
	if _, err := tx.exec(ctx, `UPDATE audit_head SET last_id = last_id WHERE id = 1`); err != nil {
		return fmt.Errorf("audit lock: %w", err)
	}
	if err := tx.queryRow(ctx, `SELECT last_id, last_hash FROM audit_head WHERE id = 1`).Scan(&lastID, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	id := lastID + 1
	uid, uname := actorRef(a)
	h := auditHash(prev, id, tx.nowMS(), uid, uname, e)
	if _, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, actor_id, actor_name, action, target, region_code, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, tx.nowMS(), uid, uname, e.action, e.target, e.region, e.detail, prev, h); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1`, id, h); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

func actorRef(a *access.Actor) (int64, string) {
	if a == nil {
		return 0, "system"
	}
	return a.UserID, a.Username
}

// auditHash chains a row to its predecessor. Fields are separated by a
// unit separator that user text cannot smuggle in unnoticed, because the
// row's id is part of the hashed material too.
func auditHash(prev string, id, at, actorID int64, actorName string, e auditEntry) string {
	s := strings.Join([]string{prev, strconv.FormatInt(id, 10), strconv.FormatInt(at, 10), strconv.FormatInt(actorID, 10),
		actorName, e.action, e.target, e.region, e.detail}, "\x1f")
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// AuditProblem is the first break found in the audit chain.
type AuditProblem struct {
	ID     int64
	Reason string
}

// VerifyAudit walks the audit trail in order and reports the first row
// that was altered, inserted or removed, or nil when the chain holds.
func (db *DB) VerifyAudit(ctx context.Context) (rows int64, problem *AuditProblem, err error) {
	err = db.view(ctx, func(tx *Tx) error {
		rs, err := tx.query(ctx, `SELECT id, at, actor_id, actor_name, action, target, region_code, detail, prev_hash, hash FROM audit_log ORDER BY id`)
		if err != nil {
			return err
		}
		defer rs.Close()
		prev, want := "", int64(1)
		for rs.Next() {
			var id, at, uid int64
			var uname, ph, h string
			var e auditEntry
			if err := rs.Scan(&id, &at, &uid, &uname, &e.action, &e.target, &e.region, &e.detail, &ph, &h); err != nil {
				return err
			}
			rows++
			switch {
			case id != want:
				problem = &AuditProblem{ID: want, Reason: fmt.Sprintf("row %d is missing (next row is %d)", want, id)}
			case ph != prev:
				problem = &AuditProblem{ID: id, Reason: "prev_hash does not match the row before: a row was removed or inserted"}
			case auditHash(prev, id, at, uid, uname, e) != h:
				problem = &AuditProblem{ID: id, Reason: "row content does not match its hash: the row was altered"}
			}
			if problem != nil {
				return nil
			}
			prev, want = h, id+1
		}
		if err := rs.Err(); err != nil {
			return err
		}
		var lastID int64
		var lastHash string
		if err := tx.queryRow(ctx, `SELECT last_id, last_hash FROM audit_head WHERE id = 1`).Scan(&lastID, &lastHash); err != nil {
			return err
		}
		if lastID != want-1 || lastHash != prev {
			problem = &AuditProblem{ID: lastID, Reason: "the newest rows were removed: the chain head names a later row"}
		}
		return nil
	})
	return rows, problem, err
}
