package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/points"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAuditCompactMigration builds a database at the schema before
// migration 0046, with keyed audit chains written as the previous version
// stored them (hex hash and prev_hash) in three partitions, one of them
// purged up to a retention anchor, and an anchor file taken from it.
// Migrating converts it: every chain verifies, the audit page shows the
// rows as before, the old anchor file still matches, and the chains go
// on from their heads. In the tampered case one row was edited before the
// conversion, and verify still names it after.
func TestAuditCompactMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		for _, tampered := range []bool{false, true} {
			name := engine
			if tampered {
				name += "/tampered"
			}
			t.Run(name, func(t *testing.T) { auditCompactMigration(t, engine, tampered) })
		}
	}
}

func auditCompactMigration(t *testing.T, engine string, tampered bool) {
	ctx := context.Background()
	db, key := keyedBefore(t, engine, "0046")

	// The old trail, row by row, as the previous version chained and
	// stored it. pingan's first two rows were purged: its chain starts
	// from the retention anchor at row 2.
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	type part struct {
		name       string
		first, end int64 // the rows kept: first..end
	}
	parts := []part{{pingan, 3, 6}, {keerqin, 1, 3}, {"system", 1, 2}}
	var want []sqlstore.AuditRow
	id := int64(0)
	for _, p := range parts {
		prev, anchor := "", ""
		for seq := int64(1); seq <= p.end; seq++ {
			region := p.name
			if p.name == "system" {
				region = ""
			}
			id++
			r := sqlstore.AuditRow{ID: id, Part: p.name, Seq: seq, KV: 1, V: 3, At: at.Add(time.Duration(id) * time.Minute).UnixMilli(),
				ActorID: 5, ActorName: "clerk", Role: "operator@" + pingan, Action: "points.award", Target: "award:" + string(rune('0'+id)),
				Region: region, Detail: "环境卫生 +10", Outcome: "ok", Client: "10.0.0.7", RequestID: "req-" + string(rune('a'+id))}
			r.Hash = r.MAC(key, prev)
			if seq < p.first {
				prev, anchor = r.Hash, r.Hash
				continue
			}
			rawExec(t, db, `INSERT INTO audit_log (id, part, seq, kv, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, prev_hash, hash)
				VALUES (?, ?, ?, 1, 3, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Part, r.Seq, r.At, r.ActorID, r.ActorName, r.Role, r.Action, r.Target,
				r.Region, r.Detail, r.Outcome, r.Client, r.RequestID, prev, r.Hash)
			want = append(want, r)
			prev = r.Hash
		}
		rawExec(t, db, `INSERT INTO audit_heads (part, last_seq, last_hash, anchor_seq, anchor_hash) VALUES (?, ?, ?, ?, ?)`, p.name, p.end, prev, p.first-1, anchor)
	}
	if engine == "postgres" {
		rawExec(t, db, `SELECT setval(pg_get_serial_sequence('audit_log', 'id'), ?, false)`, id+1)
	}
	// The anchor file an operator kept, as it was written before.
	a, err := db.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	edited := want[1].ID // pingan's second kept row
	if tampered {
		rawExec(t, db, `UPDATE audit_log SET detail = '环境卫生 +100' WHERE id = ?`, edited)
	}

	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if tampered {
		auditProblem(t, db, edited, "altered")
		return
	}
	if n := auditClean(t, db); n != int64(len(want)) {
		t.Fatalf("%d rows verified, want %d", n, len(want))
	}
	var raw int
	if err := db.RawRow(ctx, `SELECT count(*) FROM audit_log WHERE length(hash) = 32`).Scan(&raw); err != nil || raw != len(want) {
		t.Fatalf("%d raw 32-byte hashes, want %d (%v)", raw, len(want), err)
	}
	// A region that is the row's partition is not stored twice; the
	// system partition's rows keep their empty region.
	var same, empty int
	if err := db.RawRow(ctx, `SELECT count(*) FILTER (WHERE region_code IS NULL), count(*) FILTER (WHERE region_code = '') FROM audit_log`).Scan(&same, &empty); err != nil || same != 7 || empty != 2 {
		t.Fatalf("%d regions read from the partition, %d empty, want 7 and 2 (%v)", same, empty, err)
	}
	var kept sqlstore.Anchor
	if err := json.Unmarshal(file, &kept); err != nil {
		t.Fatal(err)
	}
	if len(kept.Heads) != len(parts) {
		t.Fatalf("the old anchor names %d audit heads, want %d: %+v", len(kept.Heads), len(parts), kept.Heads)
	}
	if f, err := db.CheckAnchor(ctx, kept); err != nil || len(f) != 0 {
		t.Fatalf("the old anchor file after the conversion: %+v %v", f, err)
	}
	// The audit page shows each row as it was written.
	auditor := &access.Actor{UserID: 9, Username: "auditor", Grants: []access.Grant{{Role: access.AuditAdmin, Region: "150000000000"}}}
	got, total, err := db.Audit().Entries(ctx, auditor, audit.Filter{Limit: 100})
	if err != nil || total != len(want) {
		t.Fatalf("the audit page: %d rows, %v", total, err)
	}
	for i, e := range got {
		w := want[len(want)-1-i]
		if e.ID != w.ID || !e.At.Equal(time.UnixMilli(w.At)) || e.ActorID != w.ActorID || e.Actor != w.ActorName || e.Role != w.Role || e.Action != w.Action ||
			e.Target != w.Target || e.Region != w.Region || e.Detail != w.Detail || e.Outcome != w.Outcome || e.Client != w.Client || e.RequestID != w.RequestID {
			t.Fatalf("row %d after the conversion:\n got %+v\nwant %+v", w.ID, e, w)
		}
	}
	if got, n, err := db.Audit().Entries(ctx, auditor, audit.Filter{Region: pingan, Limit: 100}); err != nil || n != 4 || len(got) != 4 || got[0].Region != pingan {
		t.Fatalf("the audit page's search by region: %d rows %+v, %v", n, got, err)
	}
	// The chains go on from their heads: the refused read below chains in
	// the system partition after its second row.
	if err := db.Audit().Denied(ctx, nil, "registry.export", "residents"); err != nil {
		t.Fatal(err)
	}
	// A role summary past what a PostgreSQL b-tree entry holds (a user
	// granted 300 villages) is named like any other.
	wide := &access.Actor{UserID: 7, Username: "wide"}
	for i := 0; i < 300; i++ {
		wide.Grants = append(wide.Grants, access.Grant{Role: access.Operator, Region: fmt.Sprintf("1522211%05d", i)})
	}
	if err := db.Audit().Denied(ctx, wide, "registry.export", "residents"); err != nil {
		t.Fatal(err)
	}
	if n := auditClean(t, db); n != int64(len(want))+2 {
		t.Fatalf("%d rows verified after two new ones, want %d", n, len(want)+2)
	}
	// A row edited after the conversion is caught; so is one removed.
	rawExec(t, db, `UPDATE audit_log SET target = 'award:x' WHERE id = ?`, want[4].ID)
	auditProblem(t, db, want[4].ID, "altered")
	rawExec(t, db, `UPDATE audit_log SET target = ? WHERE id = ?`, want[4].Target, want[4].ID)
	auditClean(t, db)
	rawExec(t, db, `DELETE FROM audit_log WHERE id = ?`, want[1].ID)
	auditProblem(t, db, want[2].ID, "is missing")
}

// auditWritable lets this version's audit writes land in a database built
// before migration 0046, for a test that builds one through the store's
// own services (which audit): the old, still empty trail is made in the
// shape this version writes. auditOld turns the rows back into what the
// old schema held (hex hashes and prev_hash, names and regions as text)
// before the test migrates. The rows are written by this version and
// chained as it chains them, so the converted trail verifies.
func auditWritable(t *testing.T, db *sqlstore.DB, engine string) {
	t.Helper()
	var n int
	if err := db.RawRow(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the old trail holds %d rows (%v): auditWritable replaces an empty one", n, err)
	}
	id, bytes := "INTEGER PRIMARY KEY", "BLOB"
	if engine == "postgres" {
		id, bytes = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	rawExec(t, db, `DROP TABLE audit_log`)
	rawExec(t, db, `CREATE TABLE audit_log (id `+id+`, part TEXT NOT NULL, seq BIGINT NOT NULL, kv INTEGER NOT NULL, v INTEGER NOT NULL,
		at BIGINT NOT NULL, actor_id BIGINT NOT NULL, actor_name TEXT NOT NULL, role INTEGER NOT NULL, action INTEGER NOT NULL, target TEXT NOT NULL,
		region_code TEXT, detail TEXT NOT NULL, outcome TEXT NOT NULL, client TEXT NOT NULL, request_id TEXT NOT NULL, hash `+bytes+` NOT NULL)`)
	rawExec(t, db, `CREATE UNIQUE INDEX audit_log_part_seq ON audit_log(part, seq)`)
	if engine == "postgres" {
		rawExec(t, db, `CREATE TABLE audit_names (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL)`)
		rawExec(t, db, `CREATE UNIQUE INDEX audit_names_name ON audit_names (md5(name))`)
		return
	}
	rawExec(t, db, `CREATE TABLE audit_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`)
}

func auditOld(t *testing.T, db *sqlstore.DB, engine string) {
	t.Helper()
	hexed := "lower(hex(hash))"
	if engine == "postgres" {
		hexed = "encode(hash, 'hex')"
	}
	rawExec(t, db, `CREATE TABLE audit_old AS SELECT id, part, seq, kv, v, at, actor_id, actor_name,
		(SELECT name FROM audit_names WHERE id = role) AS role, (SELECT name FROM audit_names WHERE id = action) AS action, target,
		COALESCE(region_code, part) AS region_code, detail, outcome, client, request_id, '' AS prev_hash, `+hexed+` AS hash FROM audit_log`)
	rawExec(t, db, `DROP TABLE audit_log`)
	rawExec(t, db, `ALTER TABLE audit_old RENAME TO audit_log`)
	rawExec(t, db, `DROP TABLE audit_names`)
}

// auditNameID is the id of an action or role in audit_names, added as
// someone writing the table directly would add it.
func auditNameID(t *testing.T, db *sqlstore.DB, name string) int64 {
	t.Helper()
	rawExec(t, db, `INSERT INTO audit_names (name) VALUES (?) ON CONFLICT DO NOTHING`, name)
	var id int64
	if err := db.RawRow(context.Background(), `SELECT id FROM audit_names WHERE name = ?`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// keyedBefore opens a fresh database on engine at the schema before
// migration stop, its chains keyed under version 1 of a new key file, and
// returns it with the chain key, for a test that writes rows as an older
// version did and then migrates them.
func keyedBefore(t *testing.T, engine, stop string) (*sqlstore.DB, points.ChainKey) {
	return keyedBeforeBy(t, engine, stop, storetest.Box(t))
}

// keyedBeforeBy is keyedBefore with a key file of the test's, for one
// that seals and hashes rows itself.
func keyedBeforeBy(t *testing.T, engine, stop string, box *secret.Box) (*sqlstore.DB, points.ChainKey) {
	t.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
	if engine == "postgres" {
		dsn = storetest.FreshDatabase(t, os.Getenv("SHANZHI_TEST_POSTGRES"))
	}
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Box: box})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateBefore(ctx, stop); err != nil {
		t.Fatal(err)
	}
	rawExec(t, db, `INSERT INTO chain_keys (version, key_id, added_at) VALUES (1, ?, 0)`, box.KeyID())
	if err := db.LoadChainKeys(ctx); err != nil {
		t.Fatal(err)
	}
	k, hf, err := box.ChainKey(box.KeyID())
	if err != nil {
		t.Fatal(err)
	}
	return db, points.ChainKey{Key: k, Hash: hf}
}
