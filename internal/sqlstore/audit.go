package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
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
	Part      string // the chain the row belongs to; see auditPart
	Seq       int64  // the row's place in its partition's chain
	KV        int    // the chain key version Hash was made with
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
	// Hash is the row's keyed hash in hex; the row stores its 32 bytes
	// (migration 0046). The hash of the row before is not stored: it is
	// the one verify has in hand walking the partition in seq order.
	Hash string
}

// auditFormat is the row format v new rows are written in: keyed and
// partitioned (migration 0023). Rows of formats 1 and 2 were re-chained
// in place when the chains were keyed and keep their v as written.
const auditFormat = 3

// mac chains a row to its predecessor in its partition with the chain
// key. Every column but the display id is covered, its partition, place
// and key version included, so no row can be moved, renumbered or
// re-keyed without the key.
func (r auditRow) mac(key points.ChainKey, prev string) string {
	return chainMAC(key, prev, r.Part, strconv.FormatInt(r.Seq, 10), "k"+strconv.Itoa(r.KV), strconv.Itoa(r.V), strconv.FormatInt(r.At, 10),
		strconv.FormatInt(r.ActorID, 10), r.ActorName, r.Role, r.Action, r.Target, r.Region, r.Detail, r.Outcome, r.Client, r.RequestID)
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

// audit appends entries to a keyed audit chain inside the caller's
// transaction, so a write and its record commit or vanish together. The
// entries of one write go to one partition's chain, that of the first
// region they name (auditPart): a redemption's posting and its store's
// record both chain in the household's village. Moving the partition's
// head takes a row lock on PostgreSQL that keeps that chain linear, and
// only writers of the same partition wait for it; one move of the head,
// one insert and one update of its hash append every entry of the write.
func (tx *Tx) audit(ctx context.Context, a *access.Actor, es ...auditEntry) error {
	return tx.auditEach([]audited{{ctx, a, es}})
}

// audited is one write's audit entries: its request (ctx) and actor
// stand in its rows.
type audited struct {
	ctx context.Context
	a   *access.Actor
	es  []auditEntry
}

// auditEach appends the entries of writes, each write's as audit appends
// them, in the order given; a batch of writes (award_batch.go,
// market_redeem_batch.go) chains them with three statements whatever the
// number of partitions they fall in: one move of every head they take,
// one insert of the rows, one update of the heads' hashes. Three a
// partition were an eighth of a batch of awards' time on the writer.
func (tx *Tx) auditEach(ws []audited) error {
	var parts []string
	byPart := map[string][]audited{}
	for _, w := range ws {
		if len(w.es) == 0 {
			continue
		}
		part := auditPart(auditRegionOf(w.es), w.a)
		if _, ok := byPart[part]; !ok {
			parts = append(parts, part)
		}
		byPart[part] = append(byPart[part], w)
	}
	if len(parts) == 0 {
		return nil
	}
	kv, key, err := tx.chainKey()
	if err != nil {
		return err
	}
	ctx := ws[0].ctx
	// The roles' and actions' ids are read, or added, before the heads
	// move: a name this process has not cached yet then never lengthens
	// the time a partition's head is locked.
	rows := make(map[string][]auditPending, len(parts))
	counts := make([]int64, len(parts))
	var total int
	for i, part := range parts {
		if rows[part], err = tx.pendingAudit(ctx, byPart[part]); err != nil {
			return err
		}
		counts[i] = int64(len(rows[part]))
		total += len(rows[part])
	}
	heads, err := tx.advanceAuditHeads(ctx, parts, counts)
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	args := make([]any, 0, 16*total)
	hashes := make([]any, 0, 2*len(parts))
	for _, part := range parts {
		h, ps := heads[part], rows[part]
		prev := h.lastHash
		for i, p := range ps {
			uid, uname := actorRef(p.w.a)
			req := access.RequestFrom(p.w.ctx)
			e := p.e
			r := auditRow{Part: part, Seq: h.lastSeq - int64(len(ps)-1-i), KV: kv, V: auditFormat, At: tx.nowMS(), ActorID: uid, ActorName: uname, Role: p.role,
				Action: e.action, Target: e.target, Region: e.region, Detail: e.detail, Outcome: e.outcome, Client: req.Client, RequestID: req.ID}
			if r.Outcome == "" {
				r.Outcome = "ok"
			}
			r.Hash = r.mac(key, prev)
			raw, err := rawHash(r.Hash)
			if err != nil {
				return err
			}
			var region any = r.Region
			if r.Region == r.Part {
				region = nil // the partition's own region: read back from part
			}
			args = append(args, r.Part, r.Seq, r.KV, r.V, r.At, r.ActorID, r.ActorName, p.roleID, p.action, r.Target, region, r.Detail, r.Outcome, r.Client, r.RequestID, raw)
			prev = r.Hash
		}
		hashes = append(hashes, part, prev)
	}
	// On PostgreSQL the rows and the heads' new hashes go in one statement
	// (see later): a head is locked from its move to the commit, so the
	// fewer round trips in between, the shorter its partition waits.
	if err := tx.later(ctx, `INSERT INTO audit_log (part, seq, kv, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, hash)
		VALUES `+placeholders(total, 16), args...); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	q, hargs := `UPDATE audit_heads SET last_hash = ? WHERE part = ?`, []any{hashes[1], hashes[0]}
	if len(parts) > 1 {
		in := inArgs(parts)
		q, hargs = `UPDATE audit_heads SET last_hash = CASE part`+strings.Repeat(` WHEN ? THEN ?`, len(parts))+` END WHERE part IN `+placeholders(1, len(in)),
			append(hashes, in...)
	}
	if _, err := tx.execAlong(ctx, q, hargs...); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// auditRegionOf is the region whose partition a write's entries chain in:
// the first they name.
func auditRegionOf(es []auditEntry) string {
	for _, e := range es {
		if e.region != "" {
			return e.region
		}
	}
	return ""
}

// auditPending is an entry to chain with its role's and action's ids.
type auditPending struct {
	w              *audited
	e              auditEntry
	role           string
	roleID, action int64
}

// pendingAudit looks up the ids of the roles and actions of writes ws.
func (tx *Tx) pendingAudit(ctx context.Context, ws []audited) ([]auditPending, error) {
	var rows []auditPending
	for i := range ws {
		w := &ws[i]
		role := roleSummary(w.a)
		roleID, err := tx.ledgerLookup(ctx, lookupAuditName, 0, role)
		if err != nil {
			return nil, fmt.Errorf("audit role: %w", err)
		}
		for _, e := range w.es {
			action, err := tx.ledgerLookup(ctx, lookupAuditName, 0, e.action)
			if err != nil {
				return nil, fmt.Errorf("audit action: %w", err)
			}
			rows = append(rows, auditPending{w, e, role, roleID, action})
		}
	}
	return rows, nil
}

// advanceAuditHeads takes the next counts[i] places of each partition's
// chain, in one statement however many there are, and returns each head
// as moved: the last place taken and the hash the first of them must
// follow. A partition without a head yet is left to advanceAuditHead,
// which makes it.
func (tx *Tx) advanceAuditHeads(ctx context.Context, parts []string, counts []int64) (map[string]auditHead, error) {
	out := make(map[string]auditHead, len(parts))
	if len(parts) > 1 {
		cases := make([]any, 0, 2*len(parts))
		for i, part := range parts {
			cases = append(cases, part, counts[i])
		}
		// The write's waiting rows travel with the move, as in
		// advanceAuditHead.
		in := inArgs(parts)
		q, args := tx.along(`UPDATE audit_heads SET last_seq = last_seq + `+caseOf("part", len(parts))+` WHERE part IN `+placeholders(1, len(in))+
			` RETURNING part, last_seq, last_hash`, append(cases, in...))
		moved, err := keyedRows(ctx, tx, func(s interface{ Scan(...any) error }) (part string, h auditHead, err error) {
			return part, h, s.Scan(&part, &h.lastSeq, &h.lastHash)
		}, q, args...)
		if err != nil {
			return nil, err
		}
		out = moved
	}
	for i, part := range parts {
		if _, ok := out[part]; ok {
			continue
		}
		last, prev, err := tx.advanceAuditHead(ctx, part, int(counts[i]))
		if err != nil {
			return nil, err
		}
		out[part] = auditHead{lastSeq: last, lastHash: prev}
	}
	return out, nil
}

// advanceAuditHead takes the next n places of a partition's chain and
// returns the last with the hash the first must follow; a partition's
// first write makes its head.
func (tx *Tx) advanceAuditHead(ctx context.Context, part string, n int) (last int64, prev string, err error) {
	const next = `UPDATE audit_heads SET last_seq = last_seq + ? WHERE part = ? RETURNING last_seq, last_hash`
	// The write's waiting rows (review log, back references) travel with
	// the move of the head, which touches nothing of theirs.
	err = tx.queryRowAlong(ctx, next, n, part).Scan(&last, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.exec(ctx, `INSERT INTO audit_heads (part, last_seq, last_hash) VALUES (?, 0, '') ON CONFLICT (part) DO NOTHING`, part); err != nil {
			return 0, "", err
		}
		err = tx.queryRow(ctx, next, n, part).Scan(&last, &prev)
	}
	return last, prev, err
}

func actorRef(a *access.Actor) (int64, string) {
	if a == nil {
		return 0, "system"
	}
	return a.UserID, a.Username
}

// auditRegion is a row's region: stored only where it is not the row's
// partition (migration 0046).
const auditRegion = `COALESCE(region_code, part)`

// auditName reads a row's role or action from audit_names (migration
// 0046); every query of auditCols reads FROM audit_log unaliased.
func auditName(col string) string {
	return `(SELECT n.name FROM audit_names n WHERE n.id = audit_log.` + col + `)`
}

// auditActionIs selects the rows of one action.
const auditActionIs = `action = (SELECT n.id FROM audit_names n WHERE n.name = ?)`

var auditCols = `id, part, seq, kv, v, at, actor_id, actor_name, ` + auditName("role") + `, ` + auditName("action") + `, target, ` + auditRegion +
	`, detail, outcome, client, request_id, hash`

func scanAudit(s interface{ Scan(...any) error }) (auditRow, error) {
	var r auditRow
	err := s.Scan(&r.ID, &r.Part, &r.Seq, &r.KV, &r.V, &r.At, &r.ActorID, &r.ActorName, &r.Role, &r.Action, &r.Target, &r.Region, &r.Detail, &r.Outcome, &r.Client, &r.RequestID, hexOf{&r.Hash})
	return r, err
}

// AuditProblem is the first break found in the audit chains: the row
// where it shows (its id, and its place in its partition; id 0 when a
// partition lost every row).
type AuditProblem struct {
	ID     int64
	Part   string
	Seq    int64
	Reason string
}

// auditHead is a partition's stored head.
type auditHead struct {
	lastSeq, anchorSeq   int64
	lastHash, anchorHash string
}

// auditHeads reads every partition's head.
func (tx *Tx) auditHeads(ctx context.Context) (map[string]auditHead, error) {
	rs, err := tx.query(ctx, `SELECT part, last_seq, last_hash, anchor_seq, anchor_hash FROM audit_heads`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[string]auditHead{}
	for rs.Next() {
		var p string
		var h auditHead
		if err := rs.Scan(&p, &h.lastSeq, &h.lastHash, &h.anchorSeq, &h.anchorHash); err != nil {
			return nil, err
		}
		out[p] = h
	}
	return out, rs.Err()
}

// VerifyAudit walks every partition's chain in order from its retention
// anchor and reports the first row that was altered, inserted or removed,
// or forged without the chain key, or nil when every chain holds.
func (db *DB) VerifyAudit(ctx context.Context) (rows int64, problem *AuditProblem, err error) {
	err = db.view(ctx, func(tx *Tx) error {
		heads, err := tx.auditHeads(ctx)
		if err != nil {
			return err
		}
		rs, err := tx.query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY part, seq`)
		if err != nil {
			return err
		}
		defer rs.Close()
		w := auditWalk{heads: heads, seen: map[string]bool{}}
		for rs.Next() && problem == nil {
			r, err := scanAudit(rs)
			if err != nil {
				return err
			}
			rows++
			problem = w.row(tx, r)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		if problem == nil {
			problem = w.end()
		}
		return nil
	})
	return rows, problem, err
}

// auditWalk checks rows in partition and seq order against their heads.
type auditWalk struct {
	heads  map[string]auditHead
	seen   map[string]bool
	part   string
	prev   string
	want   int64
	lastID int64 // the id of the partition's last row read
}

func (w *auditWalk) row(tx *Tx, r auditRow) *AuditProblem {
	if r.Part != w.part {
		if p := w.finish(); p != nil {
			return p
		}
		h, ok := w.heads[r.Part]
		if !ok {
			return &AuditProblem{ID: r.ID, Part: r.Part, Seq: r.Seq, Reason: "the row's partition has no chain head: rows were added behind its back"}
		}
		w.part, w.prev, w.want = r.Part, h.anchorHash, h.anchorSeq+1
		w.seen[r.Part] = true
	}
	bad := func(reason string) *AuditProblem {
		return &AuditProblem{ID: r.ID, Part: r.Part, Seq: r.Seq, Reason: reason}
	}
	switch {
	case r.Seq < w.want:
		return bad("a row older than the retention anchor was inserted")
	case r.Seq != w.want:
		return &AuditProblem{ID: r.ID, Part: r.Part, Seq: r.Seq, Reason: fmt.Sprintf("row %d of %s is missing: this row follows %d", w.want, r.Part, w.want-1)}
	}
	// The row's hash covers the hash of the row before (w.prev), so a
	// row removed and the rest renumbered, or one inserted, shows here.
	key, err := tx.chainKeyOf(r.KV)
	if err != nil {
		return bad(err.Error())
	}
	if r.mac(key, w.prev) != r.Hash {
		return bad("row content does not match its keyed hash: the row was altered or forged without the chain key")
	}
	w.prev, w.want, w.lastID = r.Hash, r.Seq+1, r.ID
	return nil
}

// finish checks that the partition just walked ends where its head says.
func (w *auditWalk) finish() *AuditProblem {
	if w.part == "" {
		return nil
	}
	h, last := w.heads[w.part], w.want-1
	switch {
	case h.lastSeq > last:
		return &AuditProblem{ID: w.lastID, Part: w.part, Seq: last, Reason: fmt.Sprintf("the newest rows were removed: the chain head names row %d, the chain ends here", h.lastSeq)}
	case h.lastSeq < last:
		return &AuditProblem{ID: w.lastID, Part: w.part, Seq: last, Reason: "rows were appended behind the chain head's back"}
	case h.lastHash != w.prev:
		return &AuditProblem{ID: w.lastID, Part: w.part, Seq: last, Reason: "the newest row was replaced: the chain head holds another hash"}
	}
	return nil
}

// end finishes the last partition and checks the partitions no row was
// read for: every row of one was removed unless its head is at its anchor.
func (w *auditWalk) end() *AuditProblem {
	if p := w.finish(); p != nil {
		return p
	}
	for part, h := range w.heads {
		if !w.seen[part] && h.lastSeq > h.anchorSeq {
			return &AuditProblem{Part: part, Seq: h.anchorSeq + 1, Reason: "the newest rows were removed: the chain head names a later row"}
		}
	}
	return nil
}

// MinAuditRetention is the shortest retention the law allows: the
// Cybersecurity Law (article 21) asks for network logs of at least six
// months, which assessors read as 184 days.
const MinAuditRetention = 184 * 24 * time.Hour

// PurgeAudit deletes audit rows older than retention, never less than
// MinAuditRetention, in every partition, and moves each partition's
// verification anchor to its last deleted row, so the rest of its chain
// still verifies. The purge is itself audited.
func (db *DB) PurgeAudit(ctx context.Context, retention time.Duration) (int64, error) {
	if retention < MinAuditRetention {
		return 0, fault.E(fault.Invalid, "audit.retention_short", int(MinAuditRetention.Hours()/24))
	}
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		cutoff := tx.now.Add(-retention).UnixMilli()
		type cut struct {
			part string
			seq  int64
		}
		var cuts []cut
		rs, err := tx.query(ctx, `SELECT part, MAX(seq) FROM audit_log WHERE at < ? GROUP BY part ORDER BY part`, cutoff)
		if err != nil {
			return err
		}
		for rs.Next() {
			var c cut
			if err := rs.Scan(&c.part, &c.seq); err != nil {
				rs.Close()
				return err
			}
			cuts = append(cuts, c)
		}
		rs.Close()
		if err := rs.Err(); err != nil || len(cuts) == 0 {
			return err
		}
		for _, c := range cuts {
			var hash string
			if err := tx.queryRow(ctx, `SELECT hash FROM audit_log WHERE part = ? AND seq = ?`, c.part, c.seq).Scan(hexOf{&hash}); err != nil {
				return err
			}
			res, err := tx.exec(ctx, `DELETE FROM audit_log WHERE part = ? AND seq <= ?`, c.part, c.seq)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
			if _, err := tx.exec(ctx, `UPDATE audit_heads SET anchor_seq = ?, anchor_hash = ? WHERE part = ?`, c.seq, hash, c.part); err != nil {
				return err
			}
		}
		return tx.audit(ctx, nil, auditEntry{action: "audit.purge", target: "audit_log", detail: fmt.Sprintf("%d rows in %d partitions", n, len(cuts))})
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
		where, args = append(where, "action IN (SELECT n.id FROM audit_names n WHERE n.name LIKE ? ESCAPE '\\')"), append(args, likeEscape(f.Action)+"%")
	}
	if f.Region != "" {
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, auditRegion+" >= ? AND "+auditRegion+" < ?"), append(args, lo, hi)
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
		c.BadID, c.Problem = p.ID, p.String()
	}
	return c, err
}

// Denied records a refused attempt.
func (s *AuditService) Denied(ctx context.Context, a *access.Actor, action, target string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, auditEntry{action: action, target: target, outcome: "denied"})
	})
}

// String names where the problem is and what it is.
func (p *AuditProblem) String() string {
	if p.ID != 0 {
		return fmt.Sprintf("row %d (%s #%d): %s", p.ID, p.Part, p.Seq, p.Reason)
	}
	return fmt.Sprintf("%s #%d: %s", p.Part, p.Seq, p.Reason)
}
