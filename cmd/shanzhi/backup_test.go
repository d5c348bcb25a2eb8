package main

// The restore drill: a township's data, a backup taken while a clerk keeps
// posting, a restore into a fresh place, verify; on SQLite and on
// PostgreSQL. Then the refusals an operator meets: a target with data, a
// file that is no backup, the wrong engine, a damaged copy, a missing key.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/password"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// drillPlace is where one database of a drill lives: the flags that point
// a command at it.
type drillPlace struct {
	args []string // -db and -key-file, or -data-dir
	dsn  string
}

// newPlace makes an empty place on engine: a data directory for SQLite, a
// database of its own for PostgreSQL, dropped when the test ends so a
// failed run leaves nothing for the next. Both share keyFile.
func newPlace(t *testing.T, engine, keyFile string) drillPlace {
	t.Helper()
	if engine == "sqlite" {
		dir := t.TempDir()
		dsn := "sqlite:" + filepath.Join(dir, "shanzhi.db")
		return drillPlace{args: []string{"-data-dir", dir, "-key-file", keyFile}, dsn: dsn}
	}
	dsn := storetest.FreshDatabase(t, os.Getenv("SHANZHI_TEST_POSTGRES"))
	return drillPlace{args: []string{"-db", dsn, "-key-file", keyFile}, dsn: dsn}
}

// runCmd runs one shanzhi command in-process and returns what it printed.
func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), err
}

// seedPlace migrates the place, loads the demo township into it and
// returns the open store with an official allowed to post points.
func seedPlace(t *testing.T, p drillPlace) (*sqlstore.DB, *access.Actor) {
	t.Helper()
	ctx := context.Background()
	_, db, err := loadAndOpen(ctx, "drill", p.args, func(string) string { return "" }, io.Discard, io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := seedDemo(ctx, db, io.Discard); err != nil {
		t.Fatal(err)
	}
	grants := []access.Grant{{Role: access.Operator, Region: demoTownship}}
	id, err := db.CreateUser(ctx, nil, "drill", "演练", password.Random(), grants)
	if err != nil {
		t.Fatal(err)
	}
	// As the demo does: a new account's password is one-time, and the API
	// refuses its tokens until it is changed.
	if err := db.SetPassword(ctx, nil, "drill", password.Random(), false); err != nil {
		t.Fatal(err)
	}
	return db, &access.Actor{UserID: id, Username: "drill", Grants: grants}
}

func TestRestoreDrill(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { restoreDrill(t, engine) })
	}
}

func restoreDrill(t *testing.T, engine string) {
	ctx := context.Background()
	keyFile := filepath.Join(t.TempDir(), "shanzhi.key")
	src := newPlace(t, engine, keyFile)
	db, official := seedPlace(t, src)
	households, _, err := db.Registry().Households(ctx, official, registry.ListFilter{Region: demoVillage, Limit: 500})
	if err != nil || len(households) == 0 {
		t.Fatalf("households: %v (%d)", err, len(households))
	}

	// A clerk keeps posting while the backup runs: every posting commits
	// whole or not at all, and the copy must hold a prefix of them.
	var posted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			h := households[i%len(households)]
			if _, err := db.Ledger().Post(ctx, official, points.Posting{Key: fmt.Sprintf("drill-%d", i), Household: h.ID, Kind: points.Base, Points: 1, Item: "演练"}); err != nil {
				writeErr = err
				return
			}
			posted.Add(1)
		}
	}()
	for posted.Load() < 20 {
		time.Sleep(5 * time.Millisecond)
	}
	before, err := db.Contents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "backup")
	start := time.Now()
	out, err := runCmd(t, append([]string{"backup", "-with-key"}, append(src.args, file)...)...)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	after, err := db.Contents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(file + ".key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup key file: %v", err)
	}
	t.Logf("%s: backup of %d ledger entries under load in %v; %d postings during the whole drill", engine, before.LedgerEntries, took, posted.Load())

	// An anchor taken after the backup, and after one more posting, is
	// kept outside the database; the live database matches it.
	if _, err := db.Ledger().Post(ctx, official, points.Posting{Key: "after-backup", Household: households[0].ID, Kind: points.Base, Points: 1, Item: "演练"}); err != nil {
		t.Fatal(err)
	}
	anchor := filepath.Join(t.TempDir(), "anchor.json")
	if out, err := runCmd(t, append([]string{"anchor", "-out", anchor}, src.args...)...); err != nil {
		t.Fatalf("anchor: %v\n%s", err, out)
	}
	if out, err := runCmd(t, append([]string{"verify", "-anchors"}, append(src.args, anchor)...)...); err != nil || !strings.Contains(out, "heads match") {
		t.Fatalf("verify -anchors on the live database: %v\n%s", err, out)
	}

	// Restore into a fresh place with its own, not yet existing, key file.
	dst := newPlace(t, engine, filepath.Join(t.TempDir(), "keys", "shanzhi.key"))
	out, err = runCmd(t, append([]string{"restore", "-with-key"}, append(dst.args, file)...)...)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if !strings.Contains(out, "points ledgers intact") || !strings.Contains(out, "恢复完成") {
		t.Fatalf("restore said:\n%s", out)
	}
	if out, err := runCmd(t, append([]string{"verify"}, dst.args...)...); err != nil {
		t.Fatalf("verify after restore: %v\n%s", err, out)
	}
	// The anchor is newer than the restored copy: reported as such, not
	// as tampering.
	if out, err := runCmd(t, append([]string{"verify", "-anchors"}, append(dst.args, anchor)...)...); err != nil || !strings.Contains(out, "newer than this copy (expected after a restore)") {
		t.Fatalf("verify -anchors after restoring an older copy: %v\n%s", err, out)
	}
	got := contentsOf(t, dst.dsn)
	if got.LedgerEntries < before.LedgerEntries || got.LedgerEntries > after.LedgerEntries {
		t.Fatalf("restored %d ledger entries; %d were committed before the backup began, %d when it ended", got.LedgerEntries, before.LedgerEntries, after.LedgerEntries)
	}
	if got.Users != before.Users || got.Households != before.Households || got.Residents != before.Residents {
		t.Fatalf("restored %+v, had %+v", got, before)
	}

	// Restoring again over the data, now there, needs -force.
	out, err = runCmd(t, append([]string{"restore"}, append(dst.args, file)...)...)
	if err == nil || !strings.Contains(err.Error(), "已有数据") {
		t.Fatalf("restore over data without -force: %v\n%s", err, out)
	}
	if out, err := runCmd(t, append([]string{"restore", "-force"}, append(dst.args, file)...)...); err != nil {
		t.Fatalf("restore -force: %v\n%s", err, out)
	}
	if again := contentsOf(t, dst.dsn); again.LedgerEntries != got.LedgerEntries {
		t.Fatalf("after restore -force: %d ledger entries, want %d", again.LedgerEntries, got.LedgerEntries)
	}
}

// contentsOf counts what a database holds, through a connection of its own.
func contentsOf(t *testing.T, dsn string) sqlstore.Contents {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Contents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRestoreRefuses walks the mistakes an operator can make with a
// SQLite backup and checks each is refused in Chinese with the target
// left as it was.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if out, err := runCmd(t, "migrate", "-data-dir", dir); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	// A user, so the source holds data.
	_, db, err := loadAndOpen(ctx, "t", []string{"-data-dir", dir}, func(string) string { return "" }, io.Discard, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, nil, "clerk", "经办人", password.Random(), nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	file := filepath.Join(t.TempDir(), "b.db")
	if out, err := runCmd(t, "backup", "-data-dir", dir, file); err != nil || !strings.Contains(out, "不含个人信息密钥") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "backup", "-data-dir", dir, file); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Fatalf("backup over an existing file: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "backup", "-with-key", "-data-dir", dir, "-key-file", writeKey(t), file+"2"); err == nil || !strings.Contains(err.Error(), "与这个数据库不符") {
		t.Fatalf("backup -with-key with a key that does not fit: %v\n%s", err, out)
	}
	if _, err := os.Stat(file + "2"); !os.IsNotExist(err) {
		t.Fatalf("a refused backup left a file: %v", err)
	}
	if out, err := runCmd(t, "backup", "-data-dir", filepath.Join(dir, "nowhere")); err == nil || !strings.Contains(err.Error(), "不存在") {
		t.Fatalf("backup of a missing database: %v\n%s", err, out)
	}

	notBackup := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notBackup, []byte("这不是备份"), 0o600)
	damaged := filepath.Join(t.TempDir(), "damaged.db")
	b, _ := os.ReadFile(file)
	os.WriteFile(damaged, b[:len(b)/2], 0o600)
	pgLike := filepath.Join(t.TempDir(), "x.pgdump")
	os.WriteFile(pgLike, []byte("PGDMP\x01\x0e\x00"), 0o600)

	fresh := t.TempDir()
	keyOnly := []string{"-data-dir", fresh, "-key-file", filepath.Join(dir, "shanzhi.key")}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing file", append([]string{"restore"}, append(keyOnly, filepath.Join(fresh, "nope.db"))...), "不存在"},
		{"not a backup", append([]string{"restore"}, append(keyOnly, notBackup)...), "不是善治的备份文件"},
		{"wrong engine", append([]string{"restore"}, append(keyOnly, pgLike)...), "不能互换"},
		{"damaged", append([]string{"restore"}, append(keyOnly, damaged)...), "损坏"},
		{"no key", []string{"restore", "-data-dir", fresh, file}, "缺少个人信息密钥"},
		{"wrong key", []string{"restore", "-data-dir", fresh, "-key-file", writeKey(t), file}, "未通过检查"},
		{"target has data", []string{"restore", "-data-dir", dir, file}, "已有数据"},
		{"no file named", []string{"restore", "-data-dir", dir}, "用法"},
	} {
		out, err := runCmd(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q\n%s", c.name, err, c.want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(fresh, "shanzhi.db")); !os.IsNotExist(err) {
		t.Errorf("a refused restore left a database behind: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(fresh, ".*")); len(left) > 0 {
		t.Errorf("a refused restore left temporary files: %v", left)
	}

	// With -force over a database with data: the old file is kept.
	out, err := runCmd(t, "restore", "-force", "-data-dir", dir, file)
	if err != nil {
		t.Fatalf("restore -force: %v\n%s", err, out)
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "shanzhi.db.before-restore-*")); len(kept) != 1 {
		t.Errorf("the replaced database was not kept: %v\n%s", kept, out)
	}
}

// writeKey writes a fresh key file that sealed nothing.
func writeKey(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "other.key")
	if out, err := runCmd(t, "migrate", "-data-dir", t.TempDir(), "-key-file", p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return p
}

// TestRestoreCutShort makes pg_restore die halfway through the dump, as a
// full disk or a bad sector would, and checks that the half that reached
// PostgreSQL was rolled back: the old data is all there and verifies.
func TestRestoreCutShort(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("PostgreSQL only: SHANZHI_TEST_POSTGRES is not set")
	}
	keyFile := filepath.Join(t.TempDir(), "shanzhi.key")
	p := newPlace(t, "postgres", keyFile)
	db, _ := seedPlace(t, p)
	db.Close()
	file := filepath.Join(t.TempDir(), "b.pgdump")
	if out, err := runCmd(t, append([]string{"backup"}, append(p.args, file)...)...); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	before := contentsOf(t, p.dsn)
	// Reading the list and single tables works; the full script stops,
	// with an error, at a statement boundary just before the first
	// table's data: what psql has by then is valid SQL that would
	// commit empty tables if anything sent COMMIT.
	fake := filepath.Join(t.TempDir(), "pg_restore")
	script := "#!/bin/sh\ncase \"$*\" in *--list*|*--data-only*) exec " + pgRestoreDefault + " \"$@\";; esac\n" +
		pgRestoreDefault + " \"$@\" | sed '/^COPY /,$d'\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "SHANZHI_PG_RESTORE" {
			return fake
		}
		return ""
	}
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"restore", "-force"}, append(p.args, file)...), env, strings.NewReader(""), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "恢复失败") {
		t.Fatalf("restore from a dump cut short: %v\n%s", err, out.String())
	}
	if after := contentsOf(t, p.dsn); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a failed restore changed the database: %+v, was %+v", after, before)
	}
	if out, err := runCmd(t, append([]string{"verify"}, p.args...)...); err != nil {
		t.Fatalf("verify after a failed restore: %v\n%s", err, out)
	}
}
