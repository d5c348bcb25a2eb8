package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"shanzhi/internal/config"
	"shanzhi/internal/i18n"
	"shanzhi/internal/sqlstore"
)

// The PostgreSQL client tools backup and restore shell out to; the
// variables let a machine with several versions pick the one matching
// its server.
const (
	pgDumpDefault    = "/usr/bin/pg_dump"
	pgRestoreDefault = "/usr/bin/pg_restore"
	psqlDefault      = "/usr/bin/psql"
)

// sqliteMagic and pgDumpMagic open every file the two engines' backups
// produce, so restore can tell a backup's engine, and a file that is no
// backup at all, before it touches anything.
var (
	sqliteMagic = []byte("SQLite format 3\x00")
	pgDumpMagic = []byte("PGDMP")
)

// cmdBackup writes a consistent copy of the database, live or not, to one
// file: SQLite's VACUUM INTO or PostgreSQL's pg_dump, both of which read
// one snapshot while the server keeps writing. The file goes to a
// temporary name first and is checked, synced and renamed into place, so
// a backup that exists under its name is whole. The personal-data key
// stays out of it unless -with-key asks for a copy beside it: a backup
// file alone then reveals no ID number to whoever finds the USB stick.
func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	t := cliText(getenv)
	args, flags, err := splitBoolFlags("backup", args, stderr, "with-key", "force")
	if err != nil {
		return err
	}
	cfg, rest, err := config.Load("backup", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return errors.New(t("backup.usage"))
	}
	dialect, err := dialectOf(cfg.DB)
	if err != nil {
		return err
	}
	dest := ""
	if len(rest) == 1 {
		dest = rest[0]
	} else {
		ext := ".db"
		if dialect == sqlstore.Postgres {
			ext = ".pgdump"
		}
		dest = filepath.Join(cfg.DataDir, "backups", "shanzhi-"+time.Now().Format("20060102-150405")+ext)
	}
	if _, err := os.Stat(dest); err == nil && !flags["force"] {
		return errors.New(t("backup.exists", dest))
	}
	if flags["with-key"] && cfg.Key != "" {
		return errors.New(t("backup.key_from_env"))
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return err
	}
	if dialect == sqlstore.SQLite {
		// Open would create a missing file; a backup of nothing is a
		// mistake in the path, not a backup.
		if _, err := os.Stat(strings.TrimPrefix(cfg.DB, "sqlite:")); err != nil {
			return errors.New(t("backup.no_database", strings.TrimPrefix(cfg.DB, "sqlite:")))
		}
	}
	// Opened with the key: the backup's audit record is chained under it,
	// as every audit row is.
	db, err := openStore(ctx, cfg, false, io.Discard)
	if err != nil {
		return fmt.Errorf("%s: %w", t("backup.open_failed"), err)
	}
	defer db.Close()
	live, err := db.Contents(ctx)
	if err != nil {
		return err
	}
	if len(live.Migrations) == 0 {
		return errors.New(t("backup.not_shanzhi_db", cfg.DB))
	}

	tmpName, err := tempBeside(dest, "tmp")
	if err != nil {
		return err
	}
	defer removeSQLiteFiles(tmpName) // a no-op once renamed
	start := time.Now()
	var got sqlstore.Contents
	if dialect == sqlstore.SQLite {
		if err := db.BackupSQLite(ctx, tmpName); err != nil {
			return err
		}
		if got, err = checkSQLiteFile(ctx, tmpName, t); err != nil {
			return err
		}
	} else {
		if err := pgDump(ctx, getenv, cfg.DB, tmpName); err != nil {
			return err
		}
		b, err := readPGBackup(ctx, getenv, tmpName, t)
		if err != nil {
			return err
		}
		// pg_dump's snapshot was taken after this count: it holds at
		// least this much, and verify checks the rest on restore.
		got, got.IndexKey = live, b.indexKey
	}
	if flags["with-key"] {
		// A key file that cannot open the backup is worse than none: it
		// is found only on the day of the restore.
		box, _, err := loadKey(cfg, false)
		if err != nil {
			return err
		}
		if got.IndexKey != "" && !slices.Contains(box.KeyIDs(), got.IndexKey) {
			return errors.New(t("backup.key_mismatch", cfg.KeyFile, got.IndexKey))
		}
	}
	if err := syncAndRename(tmpName, dest); err != nil {
		return err
	}
	// The record lands after the snapshot, so the backup does not hold
	// it; the database it was taken from does.
	if err := db.RecordOperation(ctx, cliActor(), "backup.create", dest, fmt.Sprintf("%d households, %d ledger entries, with key: %v", got.Households, got.LedgerEntries, flags["with-key"])); err != nil {
		return fmt.Errorf("%s: %w", t("backup.audit_failed"), err)
	}
	fmt.Fprintln(stdout, t("backup.done", dest, time.Since(start).Round(time.Millisecond).String()))
	fmt.Fprintln(stdout, t("backup.contents", got.Users, got.Households, got.Residents, got.LedgerEntries, got.AuditRows, lastOf(got.Migrations)))
	if flags["with-key"] {
		keyDest := dest + ".key"
		if err := copyFileSynced(cfg.KeyFile, keyDest); err != nil {
			return fmt.Errorf("%s: %w", t("backup.key_copy_failed"), err)
		}
		fmt.Fprintln(stdout, t("backup.key_copied", keyDest))
	} else {
		fmt.Fprintln(stdout, t("backup.key_reminder", cfg.KeyFile))
	}
	return nil
}

// cliText renders the command-line messages: Chinese, the language of
// every township operator, unless SHANZHI_LANG asks for English. The
// catalogue is embedded, so a load failure is a build defect; the key
// itself is shown rather than nothing.
func cliText(getenv func(string) string) func(key string, args ...any) string {
	cat, err := i18n.Load()
	lang := i18n.Pick(getenv("SHANZHI_LANG"))
	return func(key string, args ...any) string {
		if err != nil {
			return key + fmt.Sprint(args...)
		}
		return cat.Text(lang, i18n.M(key, args...))
	}
}

// boolFlagUsage explains backup's and restore's own flags in their help.
var boolFlagUsage = map[string]string{
	"backup -with-key":  "也把个人信息密钥复制为 FILE.key (also copy the personal-data key to FILE.key)",
	"backup -force":     "覆盖已存在的备份文件 (overwrite an existing backup file)",
	"restore -with-key": "同时恢复备份旁的 FILE.key 密钥 (also install the key from FILE.key beside the backup)",
	"restore -force":    "覆盖已有数据的数据库，原文件另存 (replace a database that holds data; SQLite keeps the old file)",
}

// splitBoolFlags takes the named boolean flags out of args and returns
// their values and the rest for config.Load, which knows only the settings
// every command shares.
func splitBoolFlags(cmd string, args []string, stderr io.Writer, names ...string) ([]string, map[string]bool, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := map[string]*bool{}
	for _, n := range names {
		vals[n] = fs.Bool(n, false, boolFlagUsage[cmd+" -"+n])
	}
	rest, err := splitFlags(fs, args)
	set := map[string]bool{}
	for n, v := range vals {
		set[n] = *v
	}
	return rest, set, err
}

// dialectOf names the engine of a configured database without opening it.
func dialectOf(dsn string) (sqlstore.Dialect, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlstore.SQLite, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return sqlstore.Postgres, nil
	}
	return "", fmt.Errorf("unknown database %q: want sqlite:PATH or a postgres:// URL", dsn)
}

// checkSQLiteFile opens a SQLite file as the store and proves it whole and
// shanzhi's: integrity_check clean, migrations recorded, none newer than
// this binary knows.
func checkSQLiteFile(ctx context.Context, path string, t func(string, ...any) string) (sqlstore.Contents, error) {
	db, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{})
	if err != nil {
		return sqlstore.Contents{}, fmt.Errorf("%s: %w", t("backup.damaged", path), err)
	}
	defer db.Close()
	bad, err := db.IntegrityCheck(ctx)
	if err != nil {
		bad = append(bad, err.Error())
	}
	if len(bad) > 0 {
		return sqlstore.Contents{}, errors.New(t("backup.damaged", path) + ": " + strings.Join(bad, "; "))
	}
	c, err := db.Contents(ctx)
	if err != nil {
		return c, fmt.Errorf("%s: %w", t("backup.damaged", path), err)
	}
	return c, checkBackupMigrations(sqlstore.SQLite, c.Migrations, path, t)
}

// checkBackupMigrations refuses a file without shanzhi's migrations table,
// and one from a newer version, whose schema this binary cannot know.
func checkBackupMigrations(d sqlstore.Dialect, applied []string, path string, t func(string, ...any) string) error {
	if len(applied) == 0 {
		return errors.New(t("backup.not_backup", path))
	}
	if unknown := sqlstore.CheckMigrations(d, applied); len(unknown) > 0 {
		return errors.New(t("backup.too_new", path, strings.Join(unknown, ", ")))
	}
	return nil
}

// replaceSQLiteFile puts the SQLite file tmp in place of the one at path,
// closed by now, whose journals it removes first: left beside the new
// file, a stale -wal would be replayed into it.
func replaceSQLiteFile(tmp, path string) error {
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	return syncAndRename(tmp, path)
}

// tempBeside makes an empty file, mode 0600, in path's directory, for a
// copy that is renamed over path once complete (syncAndRename); the
// caller removes it (removeSQLiteFiles) should it not get that far.
func tempBeside(path, kind string) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"."+kind+"-*")
	if err != nil {
		return "", err
	}
	return tmp.Name(), tmp.Close()
}

// removeSQLiteFiles removes a database file and the journals SQLite may
// have left beside it.
func removeSQLiteFiles(path string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + s)
	}
}

// syncAndRename makes tmp durable, owner-only, and then its name dest, so
// that dest is either absent, the old file, or the whole new one.
func syncAndRename(tmp, dest string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dest))
}

// copyFileSynced copies src to dest through a temporary file, mode 0600.
func copyFileSynced(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return syncAndRename(out.Name(), dest)
}

// syncDir makes a rename in dir survive a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func lastOf(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return s[len(s)-1]
}

// pgTool locates a PostgreSQL client program: $SHANZHI_<NAME> when set,
// else the Debian path, else $PATH.
func pgTool(getenv func(string) string, env, def string) string {
	if p := getenv(env); p != "" {
		return p
	}
	if _, err := os.Stat(def); err == nil {
		return def
	}
	return filepath.Base(def)
}

// libpqConn turns the store's DSN into what libpq's tools accept: the
// password moves to PGPASSWORD so it stays out of the process list, and
// pgx's search_path parameter, which libpq rejects, becomes a server
// option plus the one schema to dump.
func libpqConn(dsn string) (conn string, env []string, schema string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, "", fmt.Errorf("database URL: %w", err)
	}
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if sp := q.Get("search_path"); sp != "" {
		schema = sp
		q.Del("search_path")
		q.Set("options", "-c search_path="+sp)
	}
	u.RawQuery = q.Encode()
	return u.String(), env, schema, nil
}

// runTool runs a client program and returns its standard output, or its
// standard error as the error, which is where pg_dump says what went wrong.
func runTool(ctx context.Context, env []string, stdin io.Reader, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", filepath.Base(name), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// pgDump writes a custom-format dump, which pg_restore can check and
// restore selectively and which is compressed. pg_dump reads one
// repeatable-read snapshot, so the dump is consistent while the server
// writes.
func pgDump(ctx context.Context, getenv func(string) string, dsn, dest string) error {
	conn, env, schema, err := libpqConn(dsn)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--file=" + dest, "--dbname=" + conn}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	_, err = runTool(ctx, env, nil, pgTool(getenv, "SHANZHI_PG_DUMP", pgDumpDefault), args...)
	return err
}

// pgBackup is what restore learns of a dump from its table of contents
// and two of its tables, without restoring anything.
type pgBackup struct {
	schema     string   // where the dump's tables live
	ownSchema  bool     // the dump creates the schema itself
	migrations []string // schema_migrations
	indexKey   string   // the key id the residents' hashes were made with
}

// readPGBackup checks that path is a whole custom-format dump of a
// shanzhi database and reads its schema version and key id.
func readPGBackup(ctx context.Context, getenv func(string) string, path string, t func(string, ...any) string) (pgBackup, error) {
	var b pgBackup
	tool := pgTool(getenv, "SHANZHI_PG_RESTORE", pgRestoreDefault)
	toc, err := runTool(ctx, nil, nil, tool, "--list", path)
	if err != nil {
		return b, fmt.Errorf("%s: %w", t("backup.damaged", path), err)
	}
	// A line of the list reads "123; 1259 16390 TABLE DATA public
	// schema_migrations postgres".
	for _, line := range strings.Split(string(toc), "\n") {
		if strings.HasPrefix(line, ";") {
			continue
		}
		f := strings.Fields(line)
		for i := 0; i+3 < len(f); i++ {
			if f[i] == "TABLE" && f[i+1] == "DATA" && f[i+3] == "schema_migrations" {
				b.schema = f[i+2]
			}
		}
		if len(f) >= 6 && f[3] == "SCHEMA" && f[4] == "-" {
			b.ownSchema = true
		}
	}
	if b.schema == "" {
		return b, errors.New(t("backup.not_backup", path))
	}
	rows, err := pgDumpRows(ctx, tool, path, b.schema, "schema_migrations")
	if err != nil {
		return b, fmt.Errorf("%s: %w", t("backup.damaged", path), err)
	}
	for _, r := range rows {
		b.migrations = append(b.migrations, r[0])
	}
	if err := checkBackupMigrations(sqlstore.Postgres, b.migrations, path, t); err != nil {
		return b, err
	}
	if rows, err = pgDumpRows(ctx, tool, path, b.schema, "settings"); err != nil {
		return b, fmt.Errorf("%s: %w", t("backup.damaged", path), err)
	}
	for _, r := range rows {
		if len(r) > 1 && r[0] == "index_key_id" {
			b.indexKey = r[1]
		}
	}
	return b, nil
}

// pgDumpRows reads one table's rows out of a dump as pg_restore prints
// them, COPY text format: tab-separated fields between the COPY line and
// the "\." that ends it. The two tables read hold no tabs or escapes.
func pgDumpRows(ctx context.Context, tool, path, schema, table string) ([][]string, error) {
	out, err := runTool(ctx, nil, nil, tool, "--data-only", "--schema="+schema, "--table="+table, "--file=-", path)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	in := false
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "COPY "):
			in = true
		case line == `\.`:
			in = false
		case in:
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows, nil
}
