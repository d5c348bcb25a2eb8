package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shanzhi/internal/i18n"
)

// The checks verify runs besides the chains: the engine's own look at its
// files, the keyed hashes against the sealed values they index, and the
// rules between tables that the product relies on and no constraint
// states. Each names what is wrong, so an operator can say which row of
// which table to a person who can mend it.

// maxListed caps the problems a check lists; the count is always whole.
const maxListed = 50

// Findings is one check's result: what was looked at, and what is wrong,
// as catalogue messages the command line renders.
type Findings struct {
	Checked  i18n.Msg   // what the check covered, for the report
	Problems []i18n.Msg // at most maxListed, each naming the row
	Count    int        // every problem found
}

func (f *Findings) add(key string, args ...any) {
	f.Count++
	if len(f.Problems) < maxListed {
		f.Problems = append(f.Problems, i18n.M(key, args...))
	}
}

// EngineCheck runs the engine's own integrity check: SQLite's
// integrity_check, which reads every page and index; on PostgreSQL,
// amcheck's bt_index_check on every B-tree index of the schema when the
// extension is there or can be created, else a full read of every table.
func (db *DB) EngineCheck(ctx context.Context) (Findings, error) {
	var f Findings
	if db.dialect == SQLite {
		f.Checked = i18n.M("verify.engine_sqlite")
		bad, err := db.IntegrityCheck(ctx)
		if err != nil {
			// A file damaged enough fails the check itself.
			bad = append(bad, err.Error())
		}
		for _, b := range bad {
			f.add("verify.engine_problem", b)
		}
		return f, nil
	}
	// Creating the extension needs a role allowed to; without it, reading
	// every row of every table at least makes the heap prove readable.
	if _, err := db.write.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS amcheck`); err == nil {
		rows, err := db.read.QueryContext(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE am.amname = 'btree' AND n.nspname = current_schema() AND c.relpersistence <> 't' ORDER BY c.relname`)
		if err != nil {
			return f, err
		}
		names, err := scanStrings(rows)
		if err != nil {
			return f, err
		}
		for _, n := range names {
			if _, err := db.read.ExecContext(ctx, `SELECT bt_index_check(c.oid, true) FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
				WHERE c.relname = $1 AND ns.nspname = current_schema()`, n); err != nil {
				f.add("verify.engine_index", n, err.Error())
			}
		}
		f.Checked = i18n.M("verify.engine_amcheck", len(names))
		return f, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return f, err
	}
	tables, err := scanStrings(rows)
	if err != nil {
		return f, err
	}
	for _, tb := range tables {
		var n int64
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT * FROM "`+strings.ReplaceAll(tb, `"`, `""`)+`") t`).Scan(&n); err != nil {
			f.add("verify.engine_table", tb, err.Error())
		}
	}
	f.Checked = i18n.M("verify.engine_tables", len(tables))
	return f, nil
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// KeyedHashCheck opens every sealed ID number and phone and recomputes its
// keyed hash under the database's index key: a hash that does not match
// its value finds nobody in a search and lets a duplicate ID number in,
// which is what a rotation under a running server left behind.
func (db *DB) KeyedHashCheck(ctx context.Context) (Findings, error) {
	var f Findings
	type sealed struct {
		table, col, purpose string
		id                  int64
		enc, hash           []byte // hash nil: NULL
	}
	// stored turns a hash in hex into what its table keeps: residents
	// the raw bytes, users the hex.
	check := func(s sealed, stored func(string) []byte) {
		plain, err := db.box.Open(s.purpose, s.enc)
		switch {
		case err != nil:
			f.add("verify.hash_unopenable", s.table, s.id, s.col, err.Error())
		case plain == "" && len(s.hash) > 0:
			f.add("verify.hash_without_value", s.table, s.id, s.col)
		case plain != "" && !bytes.Equal(stored(db.box.Index(s.purpose, plain)), s.hash):
			f.add("verify.hash_mismatch", s.table, s.id, s.col)
		}
	}
	n := 0
	for _, q := range []struct {
		table, query, purposeID, purposePhone string
		stored                                func(string) []byte
	}{
		{"residents", `SELECT id, id_enc, id_hash, phone_enc, phone_hash FROM residents WHERE id > ? ORDER BY id LIMIT 2000`, purposeID, purposePhone, residentHash},
		{"users", `SELECT id, NULL, NULL, phone_enc, phone_hash FROM users WHERE id > ? ORDER BY id LIMIT 2000`, "", purposeLogin, func(h string) []byte { return []byte(h) }},
	} {
		var last int64
		for {
			var batch []sealed
			err := db.view(ctx, func(tx *Tx) error {
				return eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
					var id int64
					var idEnc, idHash, phoneEnc, phoneHash []byte
					if err := r.Scan(&id, &idEnc, &idHash, &phoneEnc, &phoneHash); err != nil {
						return err
					}
					if q.purposeID != "" {
						batch = append(batch, sealed{q.table, "id_hash", q.purposeID, id, idEnc, idHash})
					}
					batch = append(batch, sealed{q.table, "phone_hash", q.purposePhone, id, phoneEnc, phoneHash})
					last = id
					return nil
				}, q.query, last)
			})
			if err != nil {
				return f, err
			}
			if len(batch) == 0 {
				break
			}
			for _, s := range batch {
				if len(s.enc) > 0 || s.hash != nil {
					check(s, q.stored)
					n++
				}
			}
		}
	}
	f.Checked = i18n.M("verify.hash_checked", n, db.box.IndexKeyID())
	return f, nil
}

// CrossTableCheck checks the rules between tables that the product
// relies on: every award has its review item and an audit record (its
// own, or its award sheet's) unless it is older than the kept audit
// trail; every redemption has its lines, the stock moves of those lines,
// and exactly one ledger debit.
func (db *DB) CrossTableCheck(ctx context.Context) (Findings, error) {
	f := Findings{Checked: i18n.M("verify.cross_checked")}
	err := db.view(ctx, func(tx *Tx) error {
		// Awards without their review item.
		err := eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
			var id, item int64
			if err := r.Scan(&id, &item); err != nil {
				return err
			}
			f.add("verify.award_no_review", id, item)
			return nil
		}, `SELECT a.id, a.review_id FROM awards a WHERE NOT EXISTS (SELECT 1 FROM review_items r WHERE r.id = a.review_id AND r.subject_kind = 'award' AND r.subject_id = a.id) ORDER BY a.id`)
		if err != nil {
			return err
		}
		// Awards without an audit record, among those the audit trail
		// still covers: the record of an award is its own row, naming it,
		// or its award sheet's, naming the import batch.
		var oldest sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT min(at) FROM audit_log`).Scan(&oldest); err != nil {
			return err
		}
		awarded, batches := map[int64]bool{}, map[string]bool{}
		err = eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
			var action, target string
			if err := r.Scan(&action, &target); err != nil {
				return err
			}
			if action == "points.award" {
				id, _ := strconv.ParseInt(strings.TrimPrefix(strings.Fields(target)[0], "award:"), 10, 64)
				awarded[id] = true
			} else {
				batches[target] = true
			}
			return nil
		}, `SELECT `+auditName("action")+`, target FROM audit_log WHERE `+auditActionIs+` OR target LIKE 'import:%'`, "points.award")
		if err != nil {
			return err
		}
		err = eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
			var id int64
			var key string
			if err := r.Scan(&id, &key); err != nil {
				return err
			}
			if batch, ok := importBatchOf(key); ok {
				if !batches[batch] {
					f.add("verify.award_no_sheet_audit", id, batch)
				}
			} else if !awarded[id] {
				f.add("verify.award_no_audit", id)
			}
			return nil
		}, `SELECT a.id, a.idem_key`+awardFrom+` WHERE i.created_at >= ? ORDER BY a.id`, oldest.Int64)
		if err != nil {
			return err
		}
		// Redemptions: lines, the sale moves of those lines, one debit.
		for _, c := range []struct{ query, key string }{
			{`SELECT r.id FROM redemptions r WHERE NOT EXISTS (SELECT 1 FROM redemption_lines l WHERE l.redemption_id = r.id) ORDER BY r.id`,
				"verify.redemption_no_lines"},
			// The sale moves are summed in one grouped pass: no index
			// finds a line's moves (migration 0050).
			{`SELECT DISTINCT l.redemption_id FROM redemption_lines l LEFT JOIN (SELECT redemption_id, goods_id, SUM(delta) AS moved FROM stock_moves
				WHERE kind = 'sale' GROUP BY redemption_id, goods_id) m ON m.redemption_id = l.redemption_id AND m.goods_id = l.goods_id
				WHERE l.qty <> -COALESCE(m.moved, 0) ORDER BY l.redemption_id`,
				"verify.redemption_moves"},
			// The ledger's key is unique (prefix and number, migration
			// 0040), so the entry the redemption names is its one debit
			// when it carries the redemption's key: "market:" and the
			// receipt's id, or on receipts written before the debit took
			// that key, "market:" and the counter's key (posting in
			// market_redeem.go).
			{`SELECT r.id FROM redemptions r WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e JOIN ledger_keys p ON p.id = e.key_pre WHERE e.id = r.entry_id
				AND (p.prefix = 'market:' AND e.key_num = r.id
					OR p.prefix || CASE WHEN e.key_num >= 0 THEN CAST(e.key_num AS TEXT) ELSE '' END = 'market:' || r.idem_key)) ORDER BY r.id`,
				"verify.redemption_debit"},
		} {
			err := eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
				var id int64
				if err := r.Scan(&id); err != nil {
					return err
				}
				f.add(c.key, id)
				return nil
			}, c.query)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return f, err
}

// importBatchOf names the audit target of the award sheet an award came
// from, by its idempotency key "import:BATCH:ROW".
func importBatchOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "import:")
	if !ok {
		return "", false
	}
	batch, _, _ := strings.Cut(rest, ":")
	return "import:" + batch, true
}

// eachRow runs fn on every row of a query, for checks that report as
// they go rather than collect.
func eachRow(ctx context.Context, tx *Tx, fn func(interface{ Scan(...any) error }) error, query string, args ...any) error {
	_, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (struct{}, error) { return struct{}{}, fn(s) }, query, args...)
	return err
}
