package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"shanzhi/internal/config"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
)

// cmdRestore replaces the configured database with a backup, in an order
// that leaves the old database untouched until the new one has passed
// every check: the file is recognised by its first bytes (wrong engine,
// not a backup), its schema version read (refused when newer than this
// binary), and, for SQLite, a copy beside the target opened with the
// personal-data key, migrated and verified before one rename puts it in
// place. PostgreSQL restores inside one transaction that first drops the
// old tables, so a failure anywhere leaves the old data. A database that
// holds data is only replaced with -force; a replaced SQLite file is kept
// under a dated name.
func cmdRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	t := cliText(getenv)
	args, flags, err := splitBoolFlags("restore", args, stderr, "with-key", "force")
	if err != nil {
		return err
	}
	cfg, rest, err := config.Load("restore", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New(t("backup.restore_usage"))
	}
	src := rest[0]
	kind, err := backupKind(src, t)
	if err != nil {
		return err
	}
	target, err := dialectOf(cfg.DB)
	if err != nil {
		return err
	}
	if kind != target {
		return errors.New(t("backup.wrong_engine", src, string(kind), string(target)))
	}
	if flags["with-key"] {
		if err := installBackupKey(cfg, src+".key", stdout, t); err != nil {
			return err
		}
	} else if cfg.Key == "" {
		if _, err := os.Stat(cfg.KeyFile); err != nil {
			return errors.New(t("backup.no_key", cfg.KeyFile, src+".key"))
		}
	}
	start := time.Now()
	var got sqlstore.Contents
	if kind == sqlstore.SQLite {
		got, err = restoreSQLite(ctx, cfg, src, flags["force"], getenv, stdout, t)
	} else {
		got, err = restorePostgres(ctx, cfg, src, flags["force"], getenv, t)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, t("backup.restored", src, time.Since(start).Round(time.Millisecond).String()))
	fmt.Fprintln(stdout, t("backup.contents", got.Users, got.Households, got.Residents, got.LedgerEntries, got.AuditRows, lastOf(got.Migrations)))
	// The verify an operator would run next, run for them: the restored
	// chains and balances must check out on the target itself. It also
	// migrates a dump from an older version, so the restore's audit
	// record, written whatever verify finds, meets this version's schema.
	var out bytes.Buffer
	verr := cmdVerify(ctx, args, getenv, &out, stderr)
	stdout.Write(out.Bytes())
	if err := recordRestore(ctx, cfg, src, flags, got); err != nil {
		return fmt.Errorf("%s: %w", t("backup.audit_failed"), err)
	}
	if verr != nil {
		return fmt.Errorf("%s: %w", t("backup.verify_failed"), verr)
	}
	return nil
}

// recordRestore writes the restore's audit record into the restored
// database, whose trail then says where its contents came from and where
// the copy's data ends, so anchors taken after the copy are told apart
// from tampering. It is chained under the key, as every audit row is.
func recordRestore(ctx context.Context, cfg config.Config, src string, flags map[string]bool, got sqlstore.Contents) error {
	db, err := openStore(ctx, cfg, false, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.RecordRestore(ctx, cliActor(), src,
		fmt.Sprintf("%d households, %d ledger entries; force: %v, with key: %v", got.Households, got.LedgerEntries, flags["force"], flags["with-key"]))
}

// backupKind reads a file's first bytes and names the engine whose backup
// it is.
func backupKind(path string, t func(string, ...any) string) (sqlstore.Dialect, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", errors.New(t("backup.missing", path))
	} else if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	switch {
	case bytes.HasPrefix(head[:n], sqliteMagic):
		return sqlstore.SQLite, nil
	case bytes.HasPrefix(head[:n], pgDumpMagic):
		return sqlstore.Postgres, nil
	}
	return "", errors.New(t("backup.not_backup", path))
}

// installBackupKey adds the keys of a backup's key file to the configured
// key file, or creates it from them. Adding rather than replacing keeps
// whatever the current database was sealed with readable too, so the key
// can be written before the database changes without a window in which
// neither matches.
func installBackupKey(cfg config.Config, keyPath string, stdout io.Writer, t func(string, ...any) string) error {
	if cfg.Key != "" {
		return errors.New(t("backup.key_from_env"))
	}
	keys, err := secret.LoadKeys(keyPath)
	if err != nil {
		return fmt.Errorf("%s: %w", t("backup.key_unreadable", keyPath), err)
	}
	if _, err := os.Stat(cfg.KeyFile); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(cfg.KeyFile), 0o700); err != nil {
			return err
		}
		if err := copyFileSynced(keyPath, cfg.KeyFile); err != nil {
			return err
		}
		fmt.Fprintln(stdout, t("backup.key_installed", cfg.KeyFile))
		return nil
	}
	have, err := secret.LoadKeys(cfg.KeyFile)
	if err != nil {
		return err
	}
	// AddKey puts each key first; adding the backup's in reverse leaves
	// them in the backup's order, ahead of the keys already there.
	for i := len(keys) - 1; i >= 0; i-- {
		if slices.ContainsFunc(have, keys[i].Equal) {
			continue
		}
		saved, err := secret.AddKey(cfg.KeyFile, keys[i], time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, t("backup.key_added", secret.KeyID(keys[i]), cfg.KeyFile, saved))
	}
	return nil
}

// restoreSQLite checks a copy of the backup beside the target and renames
// it into place.
func restoreSQLite(ctx context.Context, cfg config.Config, src string, force bool, getenv func(string) string, stdout io.Writer, t func(string, ...any) string) (sqlstore.Contents, error) {
	path := strings.TrimPrefix(cfg.DB, "sqlite:")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return sqlstore.Contents{}, err
	}
	old, err := sqliteTarget(ctx, path, force, t)
	if err != nil {
		return sqlstore.Contents{}, err
	}
	tmpName, err := tempBeside(path, "restore")
	if err != nil {
		return sqlstore.Contents{}, err
	}
	defer removeSQLiteFiles(tmpName) // a no-op once renamed
	if err := copyFileSynced(src, tmpName); err != nil {
		return sqlstore.Contents{}, err
	}
	got, err := checkSQLiteFile(ctx, tmpName, t)
	if err != nil {
		return got, err
	}
	// verify on the copy opens it with the key (refusing a key that did
	// not seal it), migrates it to this version and walks every chain:
	// all of it before the target changes.
	var out bytes.Buffer
	vcfg := []string{"-db", "sqlite:" + tmpName, "-key-file", cfg.KeyFile}
	if err := cmdVerify(ctx, vcfg, func(k string) string {
		if k == "SHANZHI_DATA_KEY" {
			return cfg.Key
		}
		return ""
	}, &out, io.Discard); err != nil {
		return got, fmt.Errorf("%s: %w", t("backup.check_failed", src), err)
	}
	// The server may have been started since the first look.
	if _, err := sqliteTarget(ctx, path, force, t); err != nil {
		return got, err
	}
	if old {
		keep := path + ".before-restore-" + time.Now().Format("20060102-150405")
		if err := os.Link(path, keep); err != nil {
			return got, err
		}
		fmt.Fprintln(stdout, t("backup.old_kept", keep))
	}
	// The old file's journals were emptied when sqliteTarget closed it.
	if err := replaceSQLiteFile(tmpName, path); err != nil {
		return got, err
	}
	return got, nil
}

// sqliteTarget looks at the database a restore would replace. It refuses
// one a server has open, found by asking for an exclusive lock, since the
// server would go on writing to the replaced file; and one holding data,
// unless forced. It reports whether a file with data is there.
func sqliteTarget(ctx context.Context, path string, force bool, t func(string, ...any) string) (bool, error) {
	if fi, err := os.Stat(path); errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0 {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if busy, err := sqliteInUse(ctx, path); err != nil || busy {
		if err == nil {
			err = errors.New(t("backup.in_use", path))
		}
		return false, err
	}
	db, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{})
	if err != nil {
		return false, fmt.Errorf("%s: %w", t("backup.open_failed"), err)
	}
	c, err := db.Contents(ctx)
	db.Close()
	if err != nil {
		return false, err
	}
	if !c.Empty() && !force {
		return true, errors.New(t("backup.target_has_data", path, c.Users, c.Households, c.LedgerEntries))
	}
	return !c.Empty(), nil
}

// sqliteInUse reports whether another process (a server) has the SQLite
// file open, by asking for an exclusive lock it would hold up.
func sqliteInUse(ctx context.Context, path string) (bool, error) {
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(200)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return false, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	_, lockErr := raw.ExecContext(ctx, `BEGIN EXCLUSIVE`)
	return lockErr != nil, nil
}

// restorePostgres replays the dump into the target inside one psql
// transaction that first drops the target's tables: the old data stays
// until the whole dump has loaded.
func restorePostgres(ctx context.Context, cfg config.Config, src string, force bool, getenv func(string) string, t func(string, ...any) string) (sqlstore.Contents, error) {
	b, err := readPGBackup(ctx, getenv, src, t)
	if err != nil {
		return sqlstore.Contents{}, err
	}
	if b.indexKey != "" {
		box, _, err := loadKey(cfg, false)
		if err != nil {
			return sqlstore.Contents{}, err
		}
		if !slices.Contains(box.KeyIDs(), b.indexKey) {
			return sqlstore.Contents{}, errors.New(t("backup.wrong_key", src, b.indexKey))
		}
	}
	db, err := sqlstore.Open(ctx, cfg.DB, sqlstore.Options{})
	if err != nil {
		return sqlstore.Contents{}, fmt.Errorf("%s: %w", t("backup.open_failed"), err)
	}
	c, err := db.Contents(ctx)
	if err != nil {
		db.Close()
		return c, err
	}
	schema, tables, err := db.Tables(ctx)
	if err != nil {
		db.Close()
		return c, err
	}
	// The servers of a PostgreSQL database run elsewhere; their leases say
	// whether any is using it now.
	live, err := db.LiveLeases(ctx)
	db.Close()
	if err != nil {
		return c, err
	}
	if len(live) > 0 {
		return c, errors.New(t("backup.in_use_servers", cfg.DB, leaseList(live)))
	}
	if !c.Empty() && !force {
		return c, errors.New(t("backup.target_has_data", cfg.DB, c.Users, c.Households, c.LedgerEntries))
	}
	if schema != b.schema {
		return c, errors.New(t("backup.wrong_schema", src, b.schema, schema))
	}
	conn, env, _, err := libpqConn(cfg.DB)
	if err != nil {
		return c, err
	}
	var prefix strings.Builder
	prefix.WriteString("SET client_min_messages = warning;\n")
	if b.ownSchema {
		fmt.Fprintf(&prefix, "DROP SCHEMA IF EXISTS %s CASCADE;\n", quoteIdent(schema))
	} else {
		for _, tb := range tables {
			fmt.Fprintf(&prefix, "DROP TABLE IF EXISTS %s.%s CASCADE;\n", quoteIdent(schema), quoteIdent(tb))
		}
		// The dump creates the schema's trigger functions again (plain
		// CREATE FUNCTION), so the old ones go too; an extension's are
		// left to it.
		fmt.Fprintf(&prefix, `DO $$ DECLARE f regprocedure; BEGIN FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = '%s'::regnamespace
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP EXECUTE format('DROP FUNCTION IF EXISTS %%s CASCADE', f); END LOOP; END $$;`+"\n",
			strings.ReplaceAll(quoteIdent(schema), "'", "''"))
	}
	if err := pgReplay(ctx, getenv, env, conn, prefix.String(), src); err != nil {
		return c, fmt.Errorf("%s: %w", t("backup.restore_failed"), err)
	}
	db, err = sqlstore.Open(ctx, cfg.DB, sqlstore.Options{})
	if err != nil {
		return c, err
	}
	defer db.Close()
	return db.Contents(ctx)
}

// quoteIdent quotes a PostgreSQL identifier read from the catalogue.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// pgReplay streams pg_restore's SQL into psql inside one transaction
// that opens with prefix, so a large dump never sits in memory. COMMIT is
// sent only once pg_restore has exited cleanly: psql ends a script at end
// of input, and a dump cut short must end without it, rolled back.
func pgReplay(ctx context.Context, getenv func(string) string, env []string, conn, prefix, src string) error {
	var restoreErr, psqlErr bytes.Buffer
	pr := exec.CommandContext(ctx, pgTool(getenv, "SHANZHI_PG_RESTORE", pgRestoreDefault), "--no-owner", "--no-privileges", "--file=-", src)
	pr.Stderr = &restoreErr
	script, err := pr.StdoutPipe()
	if err != nil {
		return err
	}
	ps := exec.CommandContext(ctx, pgTool(getenv, "SHANZHI_PSQL", psqlDefault),
		"--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-", "--dbname="+conn)
	ps.Env = append(os.Environ(), env...)
	commit := &commitAfter{wait: pr.Wait}
	ps.Stdin = io.MultiReader(strings.NewReader("BEGIN;\n"+prefix), script, commit)
	ps.Stderr = &psqlErr
	if err := pr.Start(); err != nil {
		return err
	}
	if err := ps.Start(); err != nil {
		script.Close()
		pr.Wait()
		return err
	}
	psErr := ps.Wait()
	if !commit.waited {
		// psql stopped at an error before reading the whole dump;
		// closing the pipe ends a pg_restore blocked on writing to it.
		script.Close()
		commit.err = pr.Wait()
	}
	// psql's complaint comes first: when it stops, pg_restore dies of
	// the closed pipe, which says nothing.
	if psErr != nil {
		return fmt.Errorf("psql: %w: %s", psErr, strings.TrimSpace(psqlErr.String()))
	}
	if commit.err != nil {
		return fmt.Errorf("pg_restore: %w: %s", commit.err, strings.TrimSpace(restoreErr.String()))
	}
	return nil
}

// commitAfter is the end of the script psql reads: COMMIT if pg_restore,
// whose output has all been read by then, exited cleanly, else an error,
// which closes psql's input without it.
type commitAfter struct {
	wait   func() error
	waited bool
	err    error
	rest   io.Reader
}

func (c *commitAfter) Read(p []byte) (int, error) {
	if !c.waited {
		c.waited = true
		if c.err = c.wait(); c.err != nil {
			return 0, c.err
		}
		c.rest = strings.NewReader("COMMIT;\n")
	}
	if c.rest == nil {
		return 0, c.err
	}
	return c.rest.Read(p)
}
