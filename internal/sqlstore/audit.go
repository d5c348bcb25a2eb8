package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// auditEntry is one row of the audit trail before it is chained.
type auditEntry struct {
	action, target, region, detail string
	outcome                        string // "ok" when empty; "failed", "denied", "locked"
}

// auditRow is a stored row, as hashed and as shown.
type auditRow struct {
	ID        int64
	V         int
	At        int64
	ActorID   int64
	ActorName string
	Role      string
	Action    string
	Target    string
	Region    string
	Detail    string
	Outcome   string
	Client    string
	RequestID string
	PrevHash  string
	Hash      string
}

// hash chains a row to its predecessor. Fields are joined with a unit
// separator, and the row's id is part of the material, so no field can be
// shifted into another. Version 1 rows predate role, outcome, client and
// request id, and keep their original form.
func (r auditRow) hash(prev string) string {
	f := []string{prev, strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.At, 10), strconv.FormatInt(r.ActorID, 10),
		r.ActorName, r.Action, r.Target, r.Region, r.Detail}
	if r.V >= 2 {
		f = append(f, "v2", r.Role, r.Outcome, r.Client, r.RequestID)
	}
	sum := sha256.Sum256([]byte(strings.Join(f, "\x1f")))
	return hex.EncodeToString(sum[:])
}

// roleSummary names the actor's grants the way the audit trail records
// them: operator@152221100210,leader@152221100000.
func roleSummary(a *access.Actor) string {
	if a == nil {
		return ""
	}
	parts := make([]string, len(a.Grants))
	for i, g := range a.Grants {
		parts[i] = string(g.Role) + "@" + g.Region
	}
	return strings.Join(parts, ",")
}

// audit appends entries to the hash-chained audit trail inside the
// caller's transaction, so a write and its record commit or vanish
// together. Updating the single head row first takes a row lock on
// PostgreSQL, which keeps the chain linear under concurrent writers; a
// write that makes several records appends them with that one update, one
// insert and one move of the head, whatever their number.
func (tx *Tx) audit(ctx context.Context, a *access.Actor, es ...auditEntry) error {
	if len(es) == 0 {
		return nil
	}
	// Taking the next ids locks the head row until the commit, which is
	// what keeps concurrent writers on PostgreSQL in one chain; RETURNING
	// gives the last new id with the hash the first must follow.
	var last int64
	var prev string
	if err := tx.queryRow(ctx, `UPDATE audit_head SET last_id = last_id + ? WHERE id = 1 RETURNING last_id, last_hash`, len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	uid, uname := actorRef(a)
	req := access.RequestFrom(ctx)
	role := roleSummary(a)
	args := make([]any, 0, 15*len(es))
	for i, e := range es {
		r := auditRow{ID: last - int64(len(es)-1-i), V: 2, At: tx.nowMS(), ActorID: uid, ActorName: uname, Role: role, Action: e.action,
			Target: e.target, Region: e.region, Detail: e.detail, Outcome: e.outcome, Client: req.Client, RequestID: req.ID}
		if r.Outcome == "" {
			r.Outcome = "ok"
		}
		r.Hash = r.hash(prev)
		args = append(args, r.ID, r.V, r.At, r.ActorID, r.ActorName, r.Role, r.Action, r.Target, r.Region, r.Detail, r.Outcome, r.Client, r.RequestID, prev, r.Hash)
		prev = r.Hash
	}
	if _, err := tx.exec(ctx, `INSERT INTO audit_log (id, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, prev_hash, hash)
		VALUES `+placeholders(len(es), 15), args...); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE audit_head SET last_hash = ? WHERE id = 1`, prev); err != nil {
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

const auditCols = `id, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, prev_hash, hash`

func scanAudit(s interface{ Scan(...any) error }) (auditRow, error) {
	var r auditRow
	err := s.Scan(&r.ID, &r.V, &r.At, &r.ActorID, &r.ActorName, &r.Role, &r.Action, &r.Target, &r.Region, &r.Detail, &r.Outcome, &r.Client, &r.RequestID, &r.PrevHash, &r.Hash)
	return r, err
}

// AuditProblem is the first break found in the audit chain.
type AuditProblem struct {
	ID     int64
	Reason string
}

// VerifyAudit walks the audit trail in order from the retention anchor and
// reports the first row that was altered, inserted or removed, or nil when
// the chain holds.
func (db *DB) VerifyAudit(ctx context.Context) (rows int64, problem *AuditProblem, err error) {
	err = db.view(ctx, func(tx *Tx) error {
		var lastID, anchorID int64
		var lastHash, anchorHash string
		if err := tx.queryRow(ctx, `SELECT last_id, last_hash, anchor_id, anchor_hash FROM audit_head WHERE id = 1`).Scan(&lastID, &lastHash, &anchorID, &anchorHash); err != nil {
			return err
		}
		rs, err := tx.query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY id`)
		if err != nil {
			return err
		}
		defer rs.Close()
		prev, want := anchorHash, anchorID+1
		for rs.Next() {
			r, err := scanAudit(rs)
			if err != nil {
				return err
			}
			rows++
			switch {
			case r.ID < want:
				problem = &AuditProblem{ID: r.ID, Reason: "a row older than the retention anchor was inserted"}
			case r.ID != want:
				problem = &AuditProblem{ID: want, Reason: fmt.Sprintf("row %d is missing (next row is %d)", want, r.ID)}
			case r.PrevHash != prev:
				problem = &AuditProblem{ID: r.ID, Reason: "prev_hash does not match the row before: a row was removed or inserted"}
			case r.hash(prev) != r.Hash:
				problem = &AuditProblem{ID: r.ID, Reason: "row content does not match its hash: the row was altered"}
			}
			if problem != nil {
				return nil
			}
			prev, want = r.Hash, r.ID+1
		}
		if err := rs.Err(); err != nil {
			return err
		}
		switch {
		case lastID > want-1:
			problem = &AuditProblem{ID: lastID, Reason: "the newest rows were removed: the chain head names a later row"}
		case lastID < want-1:
			problem = &AuditProblem{ID: lastID + 1, Reason: "rows were appended behind the chain head's back"}
		case lastHash != prev:
			problem = &AuditProblem{ID: lastID, Reason: "the newest row was replaced: the chain head holds another hash"}
		}
		return nil
	})
	return rows, problem, err
}

// MinAuditRetention is the shortest retention the law allows: the
// Cybersecurity Law (article 21) asks for network logs of at least six
// months, which assessors read as 184 days.
const MinAuditRetention = 184 * 24 * time.Hour

// PurgeAudit deletes audit rows older than retention, never less than
// MinAuditRetention, and moves the verification anchor to the last deleted
// row, so the rest of the chain still verifies. The purge is itself
// audited.
func (db *DB) PurgeAudit(ctx context.Context, retention time.Duration) (int64, error) {
	if retention < MinAuditRetention {
		return 0, fault.E(fault.Invalid, "audit.retention_short", int(MinAuditRetention.Hours()/24))
	}
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		cutoff := tx.now.Add(-retention).UnixMilli()
		var lastID int64
		var lastHash string
		err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE at < ?`, cutoff).Scan(&lastID)
		if err != nil || lastID == 0 {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT hash FROM audit_log WHERE id = ?`, lastID).Scan(&lastHash); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM audit_log WHERE id <= ?`, lastID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.exec(ctx, `UPDATE audit_head SET anchor_id = ?, anchor_hash = ? WHERE id = 1`, lastID, lastHash); err != nil {
			return err
		}
		return tx.audit(ctx, nil, auditEntry{action: "audit.purge", target: "audit_log", detail: fmt.Sprintf("%d rows up to %d", n, lastID)})
	})
	return n, err
}

// AuditService implements audit.Service.
type AuditService struct{ db *DB }

// Audit returns the store's audit trail reader.
func (db *DB) Audit() *AuditService { return &AuditService{db: db} }

var _ audit.Service = (*AuditService)(nil)

func auditWhere(f audit.Filter) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UnixMilli())
	}
	if f.Actor != "" {
		where, args = append(where, "actor_name = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action LIKE ? ESCAPE '\\'"), append(args, likeEscape(f.Action)+"%")
	}
	if f.Region != "" {
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "region_code >= ? AND region_code < ?"), append(args, lo, hi)
	}
	if f.Outcome != "" {
		where, args = append(where, "outcome = ?"), append(args, f.Outcome)
	}
	return strings.Join(where, " AND "), args
}

func (r auditRow) entry() audit.Entry {
	return audit.Entry{ID: r.ID, At: time.UnixMilli(r.At), ActorID: r.ActorID, Actor: r.ActorName, Role: r.Role, Action: r.Action,
		Target: r.Target, Region: r.Region, Detail: r.Detail, Outcome: r.Outcome, Client: r.Client, RequestID: r.RequestID}
}

func canAudit(a *access.Actor) error {
	if !a.CanAnywhere(access.AuditRead) {
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	return nil
}

// Entries lists entries newest first.
func (s *AuditService) Entries(ctx context.Context, a *access.Actor, f audit.Filter) ([]audit.Entry, int, error) {
	if err := canAudit(a); err != nil {
		return nil, 0, err
	}
	offset, limit := clampPage(f.Offset, f.Limit)
	var out []audit.Entry
	total := 0
	err := s.db.view(ctx, func(tx *Tx) error {
		where, args := auditWhere(f)
		if err := tx.queryRow(ctx, `SELECT count(*) FROM audit_log WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE `+where+fmt.Sprintf(` ORDER BY id DESC LIMIT %d OFFSET %d`, limit, offset), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, r.entry())
		}
		return rows.Err()
	})
	return out, total, err
}

// Export streams the selected entries oldest first, after recording the
// export itself.
func (s *AuditService) Export(ctx context.Context, a *access.Actor, f audit.Filter, fn func(audit.Entry) error) error {
	if err := canAudit(a); err != nil {
		return err
	}
	if err := s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, auditEntry{action: "audit.export", target: "audit_log", detail: fmt.Sprintf("%+v", f)})
	}); err != nil {
		return err
	}
	return s.db.view(ctx, func(tx *Tx) error {
		where, args := auditWhere(f)
		rows, err := tx.query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE `+where+` ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			if err := fn(r.entry()); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Verify checks the whole chain for the audit administrator.
func (s *AuditService) Verify(ctx context.Context, a *access.Actor) (audit.Check, error) {
	if err := canAudit(a); err != nil {
		return audit.Check{}, err
	}
	n, p, err := s.db.VerifyAudit(ctx)
	c := audit.Check{Rows: n}
	if p != nil {
		c.BadID, c.Problem = p.ID, p.Reason
	}
	return c, err
}

// Denied records a refused attempt.
func (s *AuditService) Denied(ctx context.Context, a *access.Actor, action, target string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, auditEntry{action: action, target: target, outcome: "denied"})
	})
}
