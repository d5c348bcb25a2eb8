package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// wrongKey is the best someone without the key file can chain with.
var wrongKey = secret.NewKey(secret.AES).Raw

func rawExec(t *testing.T, db *sqlstore.DB, q string, args ...any) {
	t.Helper()
	if err := db.RawExec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// forgeAuditRow inserts a row at pingan's audit partition place 3,
// renumbering the rows after it, as someone rewriting the trail would, and
// returns the forged row's id.
func forgeAuditRow(t *testing.T, db *sqlstore.DB) int64 {
	t.Helper()
	rawExec(t, db, `UPDATE audit_log SET seq = seq + 1000 WHERE part = ? AND seq >= 3`, pingan)
	rawExec(t, db, `UPDATE audit_log SET seq = seq - 999 WHERE part = ? AND seq >= 1003`, pingan)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	rawExec(t, db, `INSERT INTO audit_log (part, seq, kv, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, hash)
		VALUES (?, 3, 1, 3, ?, 1, 'admin', ?, ?, 'residents', ?, '全部', 'ok', '', '', ?)`, pingan, at, auditNameID(t, db, ""), auditNameID(t, db, "registry.export"), pingan, []byte{})
	var id int64
	if err := db.RawRow(context.Background(), `SELECT id FROM audit_log WHERE part = ? AND seq = 3`, pingan).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// anchorFindings checks db against a and returns the findings that are
// not "newer than this copy".
func anchorFindings(t *testing.T, db *sqlstore.DB, a sqlstore.Anchor) (tampered, newer []sqlstore.AnchorFinding) {
	t.Helper()
	fs, err := db.CheckAnchor(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Newer {
			newer = append(newer, f)
		} else {
			tampered = append(tampered, f)
		}
	}
	return tampered, newer
}

// TestChainForgedAuditRow is the first rewrite: a row forged into
// the trail, the rest renumbered and every hash after it recomputed.
// Without the chain key verify names the forged row; with it verify
// passes, and the anchor taken before catches the rewrite.
func TestChainForgedAuditRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		for i := 0; i < 6; i++ {
			if err := db.Audit().Denied(ctx, operatorAt(pingan), "registry.read", "household:1"); err != nil {
				t.Fatal(err)
			}
		}
		auditClean(t, db)
		anchor, err := db.Anchor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tampered, newer := anchorFindings(t, db, anchor); len(tampered)+len(newer) != 0 {
			t.Fatalf("a fresh anchor does not match: %+v %+v", tampered, newer)
		}

		id := forgeAuditRow(t, db)
		if err := db.Rechain(ctx, "audit", pingan, 3, wrongKey); err != nil {
			t.Fatal(err)
		}
		_, p, err := db.VerifyAudit(ctx)
		if err != nil || p == nil || p.ID != id || p.Part != pingan || p.Seq != 3 || !strings.Contains(p.Reason, "without the chain key") {
			t.Fatalf("verify after a rewrite without the key: %+v, %v; want row %d named", p, err, id)
		}

		// With the key the chain verifies again: only the anchor held
		// outside the database betrays the rewrite.
		if err := db.Rechain(ctx, "audit", pingan, 1, nil); err != nil {
			t.Fatal(err)
		}
		auditClean(t, db)
		tampered, newer := anchorFindings(t, db, anchor)
		if len(tampered) != 1 || len(newer) != 0 || tampered[0].Head.Part != pingan || !strings.Contains(tampered[0].Reason, "rewritten") {
			t.Fatalf("anchor after a rewrite with the key: %+v %+v", tampered, newer)
		}
	})
}

// TestChainLedgerForgery is the second rewrite: 1,000 points
// added inside a sealed year, with the chain, the running balances, the
// head, the seal and the account all recomputed.
func TestChainLedgerForgery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		h := ledgerHousehold(t, db, "001", 1)
		post(t, db, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 10, Item: "环境卫生"})
		post(t, db, points.Posting{Key: "k2", Household: h, Kind: points.Award, Points: 5, Item: "孝老爱亲"})
		post(t, db, points.Posting{Key: "k3", Household: h, Kind: points.Spend, Points: 3, Item: "肥皂"})
		db.Now = func() time.Time { return time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC) }
		c, err := db.Periods().CloseYear(ctx, clerk, pingan, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %+v %v", problems, err)
		}
		anchor, err := db.Anchor(ctx)
		if err != nil {
			t.Fatal(err)
		}

		// +1000 at place 2, the rest moved up, the seal moved with them.
		rawExec(t, db, `UPDATE ledger_entries SET seq = seq + 1000 WHERE village = ? AND seq >= 2`, pingan)
		rawExec(t, db, `UPDATE ledger_entries SET seq = seq - 999 WHERE village = ? AND seq >= 1002`, pingan)
		rawExec(t, db, `UPDATE ledger_closes SET seq = seq + 1 WHERE village = ?`, pingan)
		rawExec(t, db, `INSERT INTO ledger_items (name) VALUES ('见义勇为')`)
		rawExec(t, db, `INSERT INTO ledger_keys (prefix) VALUES ('forged')`)
		rawExec(t, db, `INSERT INTO ledger_entries (village, seq, household_id, kind, delta, balance, item, memo, key_pre, key_num, actor, at, hash, kv)
			VALUES (?, 2, ?, 1, 1000, 0, (SELECT id FROM ledger_items WHERE name = '见义勇为'), '', (SELECT id FROM ledger_keys WHERE prefix = 'forged'), -1,
			(SELECT MIN(id) FROM ledger_actors), ?, ?, 1)`, pingan, h, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), []byte{1})
		if err := db.Rechain(ctx, "ledger", pingan, 2, wrongKey); err != nil {
			t.Fatal(err)
		}
		if bal, _ := db.Ledger().Balance(ctx, clerk, h); bal != 1012-c.Expired {
			t.Fatalf("the forged balance is %d: the rewrite did not take", bal)
		}
		problems, err := db.Ledger().Verify(ctx)
		if err != nil || len(problems) == 0 || problems[0].Village != pingan {
			t.Fatalf("verify after +1000 without the key: %+v, %v", problems, err)
		}
		first := -1
		for i, p := range problems {
			if p.Seq == 2 && strings.Contains(p.Reason, "without the chain key") {
				first = i
			}
		}
		if first < 0 {
			t.Fatalf("verify does not name the forged entry 2: %+v", problems)
		}

		// With the key the ledger verifies; the anchor does not.
		if err := db.Rechain(ctx, "ledger", pingan, 1, nil); err != nil {
			t.Fatal(err)
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify after a rewrite with the key: %+v %v", problems, err)
		}
		tampered, newer := anchorFindings(t, db, anchor)
		if len(tampered) != 1 || len(newer) != 0 || tampered[0].Head.Chain != "ledger" || !strings.Contains(tampered[0].Reason, "rewritten") {
			t.Fatalf("anchor after a rewrite with the key: %+v %+v", tampered, newer)
		}
	})
}

// TestChainShortenedBeforeAnchor: the newest rows removed with the key,
// heads moved back, fail against an anchor, and are not mistaken for a
// restore.
func TestChainShortenedBeforeAnchor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		h := ledgerHousehold(t, db, "001", 1)
		post(t, db, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 10})
		post(t, db, points.Posting{Key: "k2", Household: h, Kind: points.Award, Points: 5})
		anchor, err := db.Anchor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rawExec(t, db, `DELETE FROM ledger_entries WHERE village = ? AND seq = 2`, pingan)
		if err := db.Rechain(ctx, "ledger", pingan, 1, nil); err != nil {
			t.Fatal(err)
		}
		if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %+v %v", problems, err)
		}
		tampered, newer := anchorFindings(t, db, anchor)
		if len(tampered) != 1 || len(newer) != 0 || !strings.Contains(tampered[0].Reason, "shorter") {
			t.Fatalf("anchor after removing the newest entry: %+v %+v", tampered, newer)
		}
	})
}

// keyedSQLite opens a migrated SQLite store at path under box, with one
// household of pingan that holds one award.
func keyedSQLite(t *testing.T, path string, box *secret.Box) (*sqlstore.DB, int64) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{Box: box})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedRegions(ctx); err != nil {
		t.Fatal(err)
	}
	h := ledgerHousehold(t, db, "001", 1)
	post(t, db, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 10})
	return db, h
}

// TestChainAnchorAfterRestore: anchors taken after a backup, checked on
// the restored copy, even once it has taken new writes, are reported as
// newer than the copy, not as tampering.
func TestChainAnchorAfterRestore(t *testing.T) {
	ctx := context.Background()
	box := storetest.Box(t)
	dir := t.TempDir()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	db, h := keyedSQLite(t, filepath.Join(dir, "live.db"), box)
	db.Now = func() time.Time { return now }
	if err := db.BackupSQLite(ctx, filepath.Join(dir, "copy.db")); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	post(t, db, points.Posting{Key: "k2", Household: h, Kind: points.Award, Points: 5})
	anchor, err := db.Anchor(ctx)
	if err != nil {
		t.Fatal(err)
	}

	restored, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "copy.db"), sqlstore.Options{Box: box})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	restored.Now = func() time.Time { return now.Add(time.Hour) }
	if err := restored.RecordRestore(ctx, nil, "copy.db", "test"); err != nil {
		t.Fatal(err)
	}
	auditClean(t, restored)
	tampered, newer := anchorFindings(t, restored, anchor)
	if len(tampered) != 0 || len(newer) == 0 || !strings.Contains(newer[0].Reason, "expected after a restore") {
		t.Fatalf("anchor on a restored older copy: tampered %+v, newer %+v", tampered, newer)
	}
	// Work goes on after the restore: new rows take the anchored places.
	post(t, restored, points.Posting{Key: "k3", Household: h, Kind: points.Award, Points: 7})
	if tampered, _ := anchorFindings(t, restored, anchor); len(tampered) != 0 {
		t.Fatalf("anchor on a restored copy that took new writes: %+v", tampered)
	}
	// Without the restore's record the same copy is a shortened chain.
	rawExec(t, restored, `DELETE FROM audit_log WHERE action = (SELECT id FROM audit_names WHERE name = 'backup.restore')`)
	if tampered, _ := anchorFindings(t, restored, anchor); len(tampered) == 0 {
		t.Fatal("a copy that records no restore passes an anchor it falls short of")
	}
}

// TestChainVillagesDoNotShareAHead holds one village's audit and ledger
// heads locked in an open transaction on PostgreSQL: an audited posting in
// another village goes through, one in the held village waits.
func TestChainVillagesDoNotShareAHead(t *testing.T) {
	if storetest.Engines(t)[len(storetest.Engines(t))-1] != "postgres" {
		t.Skip("SHANZHI_TEST_POSTGRES is not set")
	}
	db := storetest.MustOpen(t, "postgres")
	ctx := context.Background()
	var other string
	if err := db.RawRow(ctx, `SELECT code FROM regions WHERE parent_code = ? AND code <> ? ORDER BY code LIMIT 1`, keerqin, pingan).Scan(&other); err != nil {
		t.Fatal(err)
	}
	ha := ledgerHousehold(t, db, "001", 1)
	hb := mustHousehold(t, db, other, "001", person("周五", 5, "1970-01-01", registry.Male)).ID
	clerkB := &access.Actor{UserID: 6, Username: "clerk-b", Grants: []access.Grant{{Role: access.Operator, Region: other}}}
	postAs := func(ctx context.Context, a *access.Actor, h int64, key string) error {
		_, err := db.Ledger().Post(ctx, a, points.Posting{Key: key, Household: h, Kind: points.Award, Points: 1})
		return err
	}
	for _, err := range []error{postAs(ctx, clerk, ha, "a0"), postAs(ctx, clerkB, hb, "b0")} {
		if err != nil {
			t.Fatal(err)
		}
	}

	held, rebind, err := db.RawBegin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	for _, q := range []string{`UPDATE audit_heads SET last_seq = last_seq WHERE part = ?`, `UPDATE ledger_heads SET last_seq = last_seq WHERE village = ?`} {
		if _, err := held.ExecContext(ctx, rebind(q), pingan); err != nil {
			t.Fatal(err)
		}
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := postAs(c, clerkB, hb, "b1"); err != nil {
		t.Fatalf("a posting in %s waited on %s's held heads: %v", other, pingan, err)
	}
	c2, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	if err := postAs(c2, clerk, ha, "a1"); err == nil || !errors.Is(c2.Err(), context.DeadlineExceeded) {
		t.Fatalf("a posting in the held village did not wait: %v", err)
	}
}

// TestChainNoticeCode: the code a village's notice prints checks against
// the database, and stops checking once the village's ledger is rewritten
// without the key.
func TestChainNoticeCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		h := ledgerHousehold(t, db, "001", 1)
		post(t, db, points.Posting{Key: "k1", Household: h, Kind: points.Award, Points: 10})
		c, err := db.NoticeCode(ctx, pingan)
		if err != nil || len(c.Code) != 16 || c.LedgerSeq != 1 || c.AuditSeq == 0 {
			t.Fatalf("notice code %+v, %v", c, err)
		}
		parsed, err := sqlstore.ParseNoticeCode(c.String())
		if err != nil {
			t.Fatal(err)
		}
		post(t, db, points.Posting{Key: "k2", Household: h, Kind: points.Award, Points: 5})
		if err := db.CheckNoticeCode(ctx, parsed); err != nil {
			t.Fatalf("a code printed before a later posting: %v", err)
		}
		rawExec(t, db, `UPDATE ledger_entries SET delta = 1010, balance = 1010 WHERE village = ? AND seq = 1`, pingan)
		if err := db.Rechain(ctx, "ledger", pingan, 1, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckNoticeCode(ctx, parsed); err == nil {
			t.Fatal("the printed code still checks after the ledger was rewritten")
		}
	})
}

// TestChainKeyRotation: a rotation adds a chain key version for new rows
// and re-chains nothing; both versions verify while the key file holds
// both keys, and a row of the older version is named once its key is
// gone.
func TestChainKeyRotation(t *testing.T) {
	ctx := context.Background()
	k1, k2 := secret.NewKey(secret.AES), secret.NewKey(secret.AES)
	ring := func(keys ...secret.Key) *secret.Box {
		b, err := secret.NewRing(keys...)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	db, h := keyedSQLite(t, filepath.Join(t.TempDir(), "rot.db"), ring(k1))
	var before string
	if err := db.RawRow(ctx, `SELECT hash FROM ledger_entries WHERE seq = 1`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	db2, err := db.Reopen(ctx, ring(k2, k1))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	rep, err := db2.RotateKey(ctx, nil, sqlstore.RotateOptions{})
	if err != nil || rep.ChainKey != 2 {
		t.Fatalf("rotation: %+v, %v", rep, err)
	}
	post(t, db2, points.Posting{Key: "k2", Household: h, Kind: points.Award, Points: 5})
	var after string
	var kv1, kv2 int
	if err := db2.RawRow(ctx, `SELECT a.hash, a.kv, b.kv FROM ledger_entries a, ledger_entries b WHERE a.seq = 1 AND b.seq = 2`).Scan(&after, &kv1, &kv2); err != nil {
		t.Fatal(err)
	}
	if after != before || kv1 != 1 || kv2 != 2 {
		t.Fatalf("after the rotation: entry 1 %s (was %s) under version %d, entry 2 under %d", after, before, kv1, kv2)
	}
	auditClean(t, db2)
	if problems, err := db2.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("verify across two chain key versions: %+v %v", problems, err)
	}
}

// oldChains writes, into a database migrated up to before 0023, an audit
// trail and a sealed village ledger as the previous version chained them
// (plain SHA-256, one audit chain), with the register's foreign keys
// switched off: only the chains matter here.
func oldChains(t *testing.T, db *sqlstore.DB, engine string) {
	t.Helper()
	ctx := context.Background()
	if engine == "sqlite" {
		// The store's one writer connection; the pragma cannot change
		// inside a transaction.
		rawExec(t, db, `PRAGMA foreign_keys = OFF`)
		defer rawExec(t, db, `PRAGMA foreign_keys = ON`)
	}
	tx, rebind, err := db.RawBegin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if engine == "postgres" {
		exec(`SET LOCAL session_replication_role = replica`)
	}
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	prev := ""
	for i, region := range []string{pingan, "", keerqin, pingan} {
		id, ms := int64(i+1), at.Add(time.Duration(i)*time.Minute).UnixMilli()
		hash := plainHash(prev, strconv.FormatInt(id, 10), strconv.FormatInt(ms, 10), "1", "admin", "registry.read", "household:1", region, "",
			"v2", "operator@"+pingan, "ok", "", "")
		exec(`INSERT INTO audit_log (id, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, prev_hash, hash)
			VALUES (?, 2, ?, 1, 'admin', ?, 'registry.read', 'household:1', ?, '', 'ok', '', '', ?, ?)`, id, ms, "operator@"+pingan, region, prev, hash)
		prev = hash
	}
	exec(`UPDATE audit_head SET last_id = 4, last_hash = ? WHERE id = 1`, prev)
	prev = ""
	balance := int64(0)
	for i, delta := range []int64{10, 5} {
		balance += delta
		e := points.Entry{Village: pingan, Seq: int64(i + 1), Household: 1, Kind: points.Award, Delta: delta, Balance: balance, Item: "环境卫生",
			Key: fmt.Sprintf("old-%d", i), Actor: "clerk", At: at.Add(time.Duration(i) * time.Hour)}
		e.Hash = points.PlainChain(prev, e)
		exec(`INSERT INTO ledger_entries (village_code, seq, household_id, kind, delta, balance, item, memo, idem_key, fingerprint, actor_id, actor_name, at, prev_hash, hash)
			VALUES (?, ?, 1, 'award', ?, ?, ?, '', ?, 'x', 5, 'clerk', ?, ?, ?)`, pingan, e.Seq, e.Delta, e.Balance, e.Item, e.Key, e.At.UnixMilli(), prev, e.Hash)
		prev = e.Hash
	}
	exec(`INSERT INTO ledger_heads (village_code, last_seq, last_hash) VALUES (?, 2, ?)`, pingan, prev)
	exec(`INSERT INTO accounts (household_id, village_code, balance, updated_at) VALUES (1, ?, 15, 0)`, pingan)
	exec(`INSERT INTO ledger_closes (village_code, year, seq, hash, expired, actor_name, closed_at) VALUES (?, 2025, 2, ?, 0, 'clerk', 0)`, pingan, prev)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestChainMigrationKeysOldChains upgrades a database whose chains are
// plain: the first open with the key checks them and re-chains them under
// the chain key, partitioned, and verify passes before (as the old
// chains) and after; an old chain already broken is refused, not keyed.
func TestChainMigrationKeysOldChains(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		for _, broken := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/broken=%v", engine, broken), func(t *testing.T) {
				ctx := context.Background()
				dsn := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
				if engine == "postgres" {
					dsn = storetest.FreshDatabase(t, os.Getenv("SHANZHI_TEST_POSTGRES"))
				}
				db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Box: storetest.Box(t)})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if err := db.MigrateBefore(ctx, "0023"); err != nil {
					t.Fatal(err)
				}
				oldChains(t, db, engine)
				if broken {
					rawExec(t, db, `UPDATE audit_log SET detail = 'edited' WHERE id = 2`)
					if err := db.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "already broken at row 2") {
						t.Fatalf("keying a broken chain: %v", err)
					}
					return
				}
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				if n := auditClean(t, db); n != 5 {
					t.Fatalf("%d audit rows after keying, want the 4 old and the conversion's own", n)
				}
				if problems, err := db.Ledger().Verify(ctx); err != nil || len(problems) != 0 {
					t.Fatalf("ledger after keying: %+v %v", problems, err)
				}
				var unkeyed, parts int
				if err := db.RawRow(ctx, `SELECT (SELECT count(*) FROM audit_log WHERE kv <> 1) + (SELECT count(*) FROM ledger_entries WHERE kv <> 1) + (SELECT count(*) FROM ledger_closes WHERE length(mac) = 0),
					(SELECT count(*) FROM audit_heads)`).Scan(&unkeyed, &parts); err != nil || unkeyed != 0 || parts != 3 {
					t.Fatalf("after keying: %d rows unkeyed, %d audit partitions (want pingan, keerqin, system), %v", unkeyed, parts, err)
				}
				// Keyed now: a plain rewrite of an old row no longer passes.
				rawExec(t, db, `UPDATE audit_log SET detail = 'edited' WHERE id = 4`)
				auditProblem(t, db, 4, "without the chain key")
			})
		}
	}
}

// TestChainUnderSMKey chains a database whose key is an SM key (商用密码):
// its rows verify under HMAC-SM3, and the same rows recomputed with
// HMAC-SHA-256 under the very same chain key do not, so the suite, not
// only the key, decides the chain.
func TestChainUnderSMKey(t *testing.T) {
	ctx := context.Background()
	k := secret.NewKey(secret.SM)
	box, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	db, h := keyedSQLite(t, filepath.Join(t.TempDir(), "sm.db"), box)
	post(t, db, points.Posting{Key: "k2", Household: h, Kind: points.Award, Points: 5})
	auditClean(t, db)
	if ps, err := db.Ledger().Verify(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("ledger under an SM key: %v, %v", ps, err)
	}
	raw, _, err := box.ChainKey(secret.KeyID(k))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Rechain(ctx, "ledger", pingan, 1, raw); err != nil {
		t.Fatal(err)
	}
	if ps, err := db.Ledger().Verify(ctx); err != nil || len(ps) == 0 {
		t.Fatalf("a ledger re-chained with HMAC-SHA-256 under an SM key's chain key verifies: %v, %v", ps, err)
	}
}
