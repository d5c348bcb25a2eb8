package storetest

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"shanzhi/internal/secret"
)

// A template is a store migrated and seeded once per test binary and
// engine, which every MustOpen then copies: running every migration and
// the region seed for each test took seconds per test on PostgreSQL on
// the CI machine, much of some packages' time. The copy is the
// migrations' own result, byte for byte on SQLite and as pg_dump writes it
// on PostgreSQL; the tests of the migrations themselves, and
// MustOpenTwice, still run them.
type template struct {
	once sync.Once
	err  error
	// key is the key the template's chains were keyed with; every copy
	// opens with it, since the chain keys recorded name it, each in a box
	// of its own (a test may rotate its box's keys).
	key secret.Key
	// file is the SQLite database file.
	file []byte
	// script re-creates the PostgreSQL schema, rows included, under the
	// name name.
	script, name string
}

var templates sync.Map // engine → *template

func templateFor(tb testing.TB, engine string) *template {
	tb.Helper()
	v, _ := templates.LoadOrStore(engine, &template{})
	t := v.(*template)
	t.once.Do(func() { t.err = t.build(engine) })
	if t.err != nil {
		tb.Fatalf("building the %s test template: %v", engine, t.err)
	}
	return t
}

// box is a box of the template's key.
func (t *template) box(tb testing.TB) *secret.Box {
	tb.Helper()
	b, err := secret.New(t.key)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// migrated migrates and seeds the store at dsn with the template's key,
// as a test's own store would be.
func (t *template) migrated(dsn string) error {
	box, err := secret.New(t.key)
	if err != nil {
		return err
	}
	db, err := openStore(dsn, box, true)
	if err != nil {
		return err
	}
	return db.Close()
}

func (t *template) build(engine string) error {
	t.key = secret.NewKey(secret.AES)
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "shanzhi-template-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "test.db")
		// Closing the store checkpoints its write-ahead log into the
		// file, so the file alone is the whole database.
		if err := t.migrated("sqlite:" + path); err != nil {
			return err
		}
		t.file, err = os.ReadFile(path)
		return err
	case "postgres":
		base := os.Getenv("SHANZHI_TEST_POSTGRES")
		name, drop, err := createObject(base, "SCHEMA", "template_", "CASCADE")
		if err != nil {
			return err
		}
		defer drop()
		dsn, err := schemaDSN(base, name)
		if err != nil {
			return err
		}
		if err := t.migrated(dsn); err != nil {
			return err
		}
		out, err := exec.Command("pg_dump", "--schema="+name, "--no-owner", "--no-privileges", "--inserts", "--rows-per-insert=500", base).Output()
		if err != nil {
			return fmt.Errorf("pg_dump: %w", err)
		}
		// psql's meta-commands (pg_dump writes \restrict and \unrestrict
		// around the script since 15.14) are psql's, not SQL.
		var script strings.Builder
		for line := range strings.Lines(string(out)) {
			if !strings.HasPrefix(line, `\`) {
				script.WriteString(line)
			}
		}
		t.script, t.name = script.String(), name
		return nil
	}
	return fmt.Errorf("unknown engine %q", engine)
}

// copyFor returns the DSN of a fresh copy of the template, dropped when
// tb ends.
func (t *template) copyFor(tb testing.TB, engine string) string {
	tb.Helper()
	if engine == "sqlite" {
		path := filepath.Join(tb.TempDir(), "test.db")
		if err := os.WriteFile(path, t.file, 0o600); err != nil {
			tb.Fatal(err)
		}
		return "sqlite:" + path
	}
	base := os.Getenv("SHANZHI_TEST_POSTGRES")
	schema := freshObject(tb, base, "SCHEMA", "t_", "CASCADE")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	// The dump creates the schema itself, so the empty one made above
	// (which the test's end still drops) gives way to it. Without
	// arguments pgx sends the script by the simple protocol, all of it in
	// one round trip.
	if _, err := admin.Exec(`DROP SCHEMA ` + schema + `; ` + strings.ReplaceAll(t.script, t.name, schema)); err != nil {
		tb.Fatalf("copying the test template: %v", err)
	}
	dsn, err := schemaDSN(base, schema)
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}
