package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// auditSQLite opens a migrated SQLite store whose file the test can reach,
// with the clock at storetest's fixed start, and a second, raw connection
// to the same file that plays someone editing the database behind the
// application's back.
func auditSQLite(t *testing.T, seed bool) (db *sqlstore.DB, raw *sql.DB, path string) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "audit.db")
	db, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{Box: storetest.Box(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if seed {
		if _, err := db.SeedRegions(ctx); err != nil {
			t.Fatal(err)
		}
	}
	raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw, path
}

// auditRows writes n cheap audit entries and returns the ids of every row
// in the trail.
func auditRows(t *testing.T, db *sqlstore.DB, raw *sql.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := db.Audit().Denied(ctx, operatorAt(pingan), "registry.read", fmt.Sprintf("household:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := raw.Query(`SELECT id FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) < n {
		t.Fatalf("%d audit rows, want at least %d", len(ids), n)
	}
	return ids
}

// rawAuditName adds an action or role name to audit_names, as someone
// writing the table directly would, and returns the SQL that reads its id.
func rawAuditName(t *testing.T, raw *sql.DB, name string) string {
	t.Helper()
	if _, err := raw.Exec(`INSERT INTO audit_names (name) VALUES ('` + name + `') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	return `(SELECT id FROM audit_names WHERE name = '` + name + `')`
}

func auditExec(t *testing.T, raw *sql.DB, q string, args ...any) {
	t.Helper()
	res, err := raw.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows, want 1", q, n)
	}
}

// auditProblem verifies the chain and fails unless it reports a problem
// at id (any id when id is 0) whose reason contains reason.
func auditProblem(t *testing.T, db *sqlstore.DB, id int64, reason string) {
	t.Helper()
	_, p, err := db.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p == nil || id != 0 && p.ID != id || !strings.Contains(p.Reason, reason) {
		t.Fatalf("problem = %+v, want one at row %d containing %q", p, id, reason)
	}
}

func auditClean(t *testing.T, db *sqlstore.DB) int64 {
	t.Helper()
	n, p, err := db.VerifyAudit(context.Background())
	if err != nil || p != nil {
		t.Fatalf("audit chain: %d rows, problem %+v, %v", n, p, err)
	}
	return n
}

// auditForge appends a row to pingan's audit partition, chained to its
// newest row, as someone with write access but without the chain key
// would: with rehash its hash is the best such a person can compute (the
// plain SHA-256 of its fields, as before the chains were keyed) and the
// partition's head is moved to it, so only the key can betray it.
func auditForge(t *testing.T, raw *sql.DB, rehash bool) int64 {
	t.Helper()
	var seq int64
	var prevRaw []byte
	if err := raw.QueryRow(`SELECT seq, hash FROM audit_log WHERE part = ? ORDER BY seq DESC LIMIT 1`, pingan).Scan(&seq, &prevRaw); err != nil {
		t.Fatal(err)
	}
	prev := hex.EncodeToString(prevRaw)
	seq++
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	hash := strings.Repeat("0", 64)
	if rehash {
		hash = plainHash(prev, pingan, strconv.FormatInt(seq, 10), "k1", "3", strconv.FormatInt(at, 10), "1", "admin", "", "registry.export", "residents", pingan, "全部", "ok", "", "")
	}
	auditExec(t, raw, `INSERT INTO audit_log (part, seq, kv, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, hash)
		VALUES (?, ?, 1, 3, ?, 1, 'admin', `+rawAuditName(t, raw, "")+`, `+rawAuditName(t, raw, "registry.export")+`, 'residents', ?, '全部', 'ok', '', '', ?)`,
		pingan, seq, at, pingan, sqlstore.RawHash(hash))
	if rehash {
		auditExec(t, raw, `UPDATE audit_heads SET last_seq = ?, last_hash = ? WHERE part = ?`, seq, hash, pingan)
	}
	var id int64
	if err := raw.QueryRow(`SELECT id FROM audit_log WHERE part = ? AND seq = ?`, pingan, seq).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// plainHash is the SHA-256 of fields joined as the chains join them: what
// someone without the chain key can compute.
func plainHash(fields ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(sum[:])
}

func TestAuditChainAndPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := authClockOn(db)
		policy := access.DefaultPolicy()
		users, auth := db.Users(policy), db.Auth(policy)
		id, _, err := users.CreateUser(ctx, authSys, access.NewUser{Username: "shenji"})
		if err != nil {
			t.Fatal(err)
		}
		if err := users.Grant(ctx, authSec, id, access.Grant{Role: access.Reviewer, Region: pingan}); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Login(ctx, "shenji", "Wrong#Pass1"); !fault.Is(err, fault.Unauthorized) {
			t.Fatal(err)
		}
		mustHousehold(t, db, pingan, "001", person("巴特尔", 1, "1980-05-06", registry.Male))
		if err := db.Audit().Denied(ctx, operatorAt(pingan), "registry.read", "household:999"); err != nil {
			t.Fatal(err)
		}
		old := auditClean(t, db)
		_, total, err := db.Audit().Entries(ctx, authAuditor, audit.Filter{})
		if err != nil || int64(total) != old || old < 6 {
			t.Fatalf("the audit administrator reads %d entries (%v), the chain has %d", total, err, old)
		}
		if c, err := db.Audit().Verify(ctx, authAuditor); err != nil || c.Rows != old || c.BadID != 0 || c.Problem != "" {
			t.Fatalf("Verify = %+v, %v", c, err)
		}
		for _, a := range []*access.Actor{authSys, authSec, operatorAt(pingan), admin, nil} {
			if _, _, err := db.Audit().Entries(ctx, a, audit.Filter{}); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%v reads the audit trail: %v", a, err)
			}
			if _, err := db.Audit().Verify(ctx, a); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%v verifies the audit trail: %v", a, err)
			}
		}
		_, es := authActions(t, db, audit.Filter{Action: "registry.read"})
		if len(es) != 1 || es[0].Outcome != "denied" || es[0].Role != "operator@"+pingan || es[0].Target != "household:999" {
			t.Fatalf("denied entry = %+v", es)
		}

		// Retention is six months at least.
		for _, r := range []time.Duration{0, 183 * 24 * time.Hour, sqlstore.MinAuditRetention - time.Millisecond} {
			if _, err := db.PurgeAudit(ctx, r); !fault.Is(err, fault.Invalid) {
				t.Fatalf("purge with retention %v: %v", r, err)
			}
		}
		if n, err := db.PurgeAudit(ctx, sqlstore.MinAuditRetention); err != nil || n != 0 {
			t.Fatalf("purge of a new trail deleted %d rows (%v)", n, err)
		}
		if n := auditClean(t, db); n != old {
			t.Fatalf("a purge that deleted nothing left %d rows, want %d", n, old)
		}

		// 200 days on, the rows of the first day go; what is left, and what
		// comes after, still verifies from the anchor.
		clock.advance(200 * 24 * time.Hour)
		if err := db.Audit().Denied(ctx, operatorAt(pingan), "registry.read", "household:1000"); err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeAudit(ctx, sqlstore.MinAuditRetention)
		if err != nil || n != old {
			t.Fatalf("purge deleted %d rows (%v), want %d", n, err, old)
		}
		if rows := auditClean(t, db); rows != 2 {
			t.Fatalf("%d rows after the purge, want the new entry and the purge's own", rows)
		}
		counts, es := authActions(t, db, audit.Filter{})
		if len(es) != 2 || counts["audit.purge"] != 1 || counts["registry.read"] != 1 {
			t.Fatalf("after the purge: %v", counts)
		}
		for _, e := range es {
			if e.At.Before(clock.now.Add(-sqlstore.MinAuditRetention)) {
				t.Errorf("entry %d of %v survived the purge", e.ID, e.At)
			}
			if e.ID <= old {
				t.Errorf("entry %d reuses an id of a purged row", e.ID)
			}
		}
		if _, err := users.ResetPassword(ctx, authSys, id); err != nil {
			t.Fatal(err)
		}
		if rows := auditClean(t, db); rows != 3 {
			t.Fatalf("%d rows after a new entry, want 3", rows)
		}
		if n, err := db.PurgeAudit(ctx, sqlstore.MinAuditRetention); err != nil || n != 0 {
			t.Fatalf("a second purge deleted %d rows (%v)", n, err)
		}
		auditClean(t, db)
	})
}

func TestAuditTamper(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64)
	}{
		{"altered detail", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			auditExec(t, raw, `UPDATE audit_log SET detail = 'nothing happened' WHERE id = ?`, ids[2])
			auditProblem(t, db, ids[2], "altered")
			c, err := db.Audit().Verify(context.Background(), authAuditor)
			if err != nil || c.BadID != ids[2] || !strings.Contains(c.Problem, "altered") {
				t.Fatalf("Verify = %+v, %v", c, err)
			}
		}},
		{"altered outcome", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			auditExec(t, raw, `UPDATE audit_log SET outcome = 'ok' WHERE id = ?`, ids[3])
			auditProblem(t, db, ids[3], "altered")
		}},
		{"altered actor", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			auditExec(t, raw, `UPDATE audit_log SET actor_name = 'someone', role = action WHERE id = ?`, ids[1])
			auditProblem(t, db, ids[1], "altered")
		}},
		{"middle row deleted", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			auditExec(t, raw, `DELETE FROM audit_log WHERE id = ?`, ids[2])
			auditProblem(t, db, 0, "is missing")
		}},
		{"newest row deleted", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			auditExec(t, raw, `DELETE FROM audit_log WHERE id = ?`, ids[len(ids)-1])
			auditProblem(t, db, 0, "newest rows were removed")
		}},
		{"forged row", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			id := auditForge(t, raw, false)
			auditProblem(t, db, id, "altered")
		}},
		{"forged row with a plain hash", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			id := auditForge(t, raw, true)
			auditProblem(t, db, id, "forged without the chain key")
		}},
		{"row inserted before the anchor", func(t *testing.T, db *sqlstore.DB, raw *sql.DB, ids []int64) {
			start := db.Now()
			db.Now = func() time.Time { return start.Add(200 * 24 * time.Hour) }
			auditRows(t, db, raw, 1)
			if n, err := db.PurgeAudit(context.Background(), sqlstore.MinAuditRetention); err != nil || n != int64(len(ids)) {
				t.Fatalf("purge: %d rows, %v", n, err)
			}
			auditClean(t, db)
			auditExec(t, raw, `INSERT INTO audit_log (id, part, seq, kv, v, at, actor_id, actor_name, role, action, target, region_code, detail, outcome, client, request_id, hash)
				VALUES (?, ?, 1, 1, 3, ?, 1, 'admin', `+rawAuditName(t, raw, "")+`, `+rawAuditName(t, raw, "registry.export")+`, 'residents', '', '', 'ok', '', '', ?)`,
				ids[0], pingan, start.UnixMilli(), []byte{})
			auditProblem(t, db, ids[0], "older than the retention anchor")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, raw, _ := auditSQLite(t, false)
			ids := auditRows(t, db, raw, 6)
			auditClean(t, db)
			c.tamper(t, db, raw, ids)
		})
	}
}

// TestPersonalDataAtRest reads the SQLite file and its write-ahead log as
// someone who copied them would: no ID number, phone, session cookie, API
// token or authenticator secret is there in clear.
func TestPersonalDataAtRest(t *testing.T) {
	ctx := context.Background()
	db, _, path := auditSQLite(t, true)
	reg := db.Registry()
	head := person("阿拉坦仓", 1, "1968-02-03", registry.Male)
	head.Phone = "13947112233"
	h := mustHousehold(t, db, pingan, "001", head)
	wife := person("萨仁高娃", 2, "1970-09-10", registry.Female)
	wife.Relation = "配偶"
	wife.Phone = "15904823344"
	if _, err := reg.AddResident(ctx, admin, h.ID, wife, "婚入"); err != nil {
		t.Fatal(err)
	}
	if _, total, err := reg.Households(ctx, admin, registry.ListFilter{Query: wife.IDNumber}); err != nil || total != 1 {
		t.Fatalf("search by the full ID number: %d, %v", total, err)
	}
	// A party member who is not a resident keeps their own sealed values.
	partyMember := person("巴特尔", 5, "1980-01-01", registry.Male)
	const memberPhone = "13604827788"
	tr := mustOrgTree(t, db.Org())
	if _, err := db.Org().CreateMember(ctx, orgTown, org.MemberInput{Branch: tr.branch.ID, Name: "巴特尔", IDNumber: partyMember.IDNumber, Phone: memberPhone, Probation: "2005-07-01"}); err != nil {
		t.Fatal(err)
	}

	policy := access.DefaultPolicy()
	users, auth := db.Users(policy), db.Auth(policy)
	const userPhone = "13804825566"
	uid, pw, err := users.CreateUser(ctx, authSys, access.NewUser{Username: "tongxun", Phone: userPhone})
	if err != nil {
		t.Fatal(err)
	}
	tok := authLogin(t, auth, userPhone, pw)
	totpSecret, err := auth.EnrolSecondFactor(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	apiToken, err := users.CreateToken(ctx, &access.Actor{UserID: uid, Username: "tongxun"}, "对接", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	// holds reads the file and its log afresh and reports whether either
	// contains s.
	holds := func(s string) bool {
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(s)) {
				return true
			}
		}
		return false
	}
	// Names are not sealed: finding them shows the scan reads the data.
	for _, s := range []string{"阿拉坦仓", "萨仁高娃", "巴特尔", "tongxun"} {
		if !holds(s) {
			t.Fatalf("%q not found: the scan does not read the stored rows", s)
		}
	}
	for what, s := range map[string]string{
		"head's ID number": head.IDNumber, "wife's ID number": wife.IDNumber, "head's phone": head.Phone, "wife's phone": wife.Phone,
		"party member's ID number": partyMember.IDNumber, "party member's phone": memberPhone, "user's phone": userPhone, "session token": tok, "API token": apiToken, "TOTP secret": totpSecret,
	} {
		if holds(s) {
			t.Errorf("the database holds the %s in clear", what)
		}
	}

	// A failed sign-in by mobile number records the number masked, as
	// every page shows it, never in clear.
	if _, err := auth.Login(ctx, userPhone, "Wrong#Pass1"); !fault.Is(err, fault.Unauthorized) {
		t.Fatal(err)
	}
	if _, err := auth.Login(ctx, "13904829999", "Wrong#Pass1"); !fault.Is(err, fault.Unauthorized) {
		t.Fatal(err)
	}
	_, es := authActions(t, db, audit.Filter{Action: "auth.login_failed"})
	var details []string
	for _, e := range es {
		details = append(details, e.Detail)
	}
	// Masked, with the keyed hash of the number beside it.
	if len(details) != 2 || !regexp.MustCompile(`^139\*{4}9999 #[0-9a-f]{16}$`).MatchString(details[0]) || !regexp.MustCompile(`^138\*{4}5566 #[0-9a-f]{16}$`).MatchString(details[1]) {
		t.Errorf("failed sign-ins by mobile number recorded as %q", details)
	}
	if holds(userPhone) || holds("13904829999") {
		t.Error("a failed sign-in left a mobile number in clear in the database")
	}
}
