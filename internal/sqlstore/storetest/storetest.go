// Package storetest opens real, migrated stores for tests: a fresh SQLite
// file, and a fresh PostgreSQL schema that is dropped afterwards, so one
// suite runs over both engines and no run leaves anything behind.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
)

// BenchSize is the size of the benchmarks that build a league: 100,000
// (residents, party members), the acceptance figure, unless
// SHANZHI_BENCH_RESIDENTS says otherwise. The quick mode of the test
// script sets it small.
func BenchSize(b *testing.B) int {
	if s := os.Getenv("SHANZHI_BENCH_RESIDENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("SHANZHI_BENCH_RESIDENTS=%q", s)
		}
		return n
	}
	return 100_000
}

// Engines lists the engines a suite runs on. PostgreSQL is reached through
// SHANZHI_TEST_POSTGRES; when CI is set its absence fails the run instead of
// quietly skipping half the suite.
func Engines(tb testing.TB) []string {
	out := []string{"sqlite"}
	if os.Getenv("SHANZHI_TEST_POSTGRES") != "" {
		out = append(out, "postgres")
	} else if os.Getenv("CI") != "" {
		tb.Fatal("CI is set but SHANZHI_TEST_POSTGRES is not: the PostgreSQL suite must run in CI")
	}
	return out
}

// Each runs fn once per engine as a subtest with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	each(t, fn, MustOpen)
}

// EachUnkeyed is Each over MustOpenUnkeyed.
func EachUnkeyed(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	each(t, fn, MustOpenUnkeyed)
}

func each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB), opener func(testing.TB, string) *sqlstore.DB) {
	for _, e := range Engines(t) {
		t.Run(e, func(t *testing.T) {
			fn(t, opener(t, e))
		})
	}
}

// Box returns a sealing box with a random key.
func Box(tb testing.TB) *secret.Box {
	b, err := secret.New(secret.NewKey(secret.AES))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustOpen opens a migrated store on engine with the regions seeded, a
// copy of the engine's template; the clock is fixed at 2026-06-01 08:00
// Beijing time so dates in tests are stable.
func MustOpen(tb testing.TB, engine string) *sqlstore.DB {
	tb.Helper()
	t := templateFor(tb, engine)
	return open(tb, t.copyFor(tb, engine), t.box(tb), true)
}

// MustOpenUnkeyed is MustOpen for the tests of what the first key a
// database is opened with decides (key rotation, reopening with another
// key): the store is migrated in place, as a new install's is, and not yet
// opened with a key since, where a copy of the template has been (and has
// recorded the template's key).
func MustOpenUnkeyed(tb testing.TB, engine string) *sqlstore.DB {
	tb.Helper()
	return open(tb, dsnFor(tb, engine), Box(tb), true)
}

// MustOpenTwice opens two stores on one fresh database with one key, as
// two servers sharing it do; the first migrates and seeds it.
func MustOpenTwice(tb testing.TB, engine string) (*sqlstore.DB, *sqlstore.DB) {
	tb.Helper()
	dsn, box := dsnFor(tb, engine), Box(tb)
	first := open(tb, dsn, box, true)
	return first, open(tb, dsn, box, false)
}

func dsnFor(tb testing.TB, engine string) string {
	switch engine {
	case "sqlite":
		return "sqlite:" + filepath.Join(tb.TempDir(), "test.db")
	case "postgres":
		return freshSchema(tb, os.Getenv("SHANZHI_TEST_POSTGRES"))
	}
	tb.Fatalf("unknown engine %q", engine)
	return ""
}

func open(tb testing.TB, dsn string, box *secret.Box, setUp bool) *sqlstore.DB {
	tb.Helper()
	db, err := openStore(dsn, box, setUp)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// openStore opens the store at dsn with box on the tests' fixed clock,
// migrated and seeded when setUp: for a test's store and for the
// template its copies come from alike.
func openStore(dsn string, box *secret.Box, setUp bool) (*sqlstore.DB, error) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Box: box})
	if err != nil {
		return nil, err
	}
	db.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	if setUp {
		if err = db.Migrate(ctx); err == nil {
			_, err = db.SeedRegions(ctx)
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// freshSchema creates a schema with a random name and returns a DSN whose
// search_path points at it; the schema is dropped when the test ends.
func freshSchema(tb testing.TB, base string) string {
	tb.Helper()
	dsn, err := schemaDSN(base, freshObject(tb, base, "SCHEMA", "t_", "CASCADE"))
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}

// schemaDSN is base with its search_path set to schema.
func schemaDSN(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// FreshDatabase creates a database with a random name on base's server and
// returns its URL; it is dropped, connections and all, when the test ends.
// pg_dump and pg_restore work on whole databases, so the backup drills
// take one of these rather than a schema.
func FreshDatabase(tb testing.TB, base string) string {
	tb.Helper()
	name := freshObject(tb, base, "DATABASE", "drill_", "WITH (FORCE)")
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// freshObject creates a schema or database with a random name through
// base and drops it when the test ends, so a failed run leaves nothing
// that breaks the next.
func freshObject(tb testing.TB, base, kind, prefix, dropOptions string) string {
	tb.Helper()
	name, drop, err := createObject(base, kind, prefix, dropOptions)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("drop test %s: %v", kind, err)
		}
	})
	return name
}

// createObject creates a schema or database with a random name through
// base; drop removes it.
func createObject(base, kind, prefix, dropOptions string) (name string, drop func() error, err error) {
	b := make([]byte, 6)
	rand.Read(b)
	name = prefix + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(`CREATE ` + kind + ` ` + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create test %s: %w", kind, err)
	}
	return name, func() error {
		defer admin.Close()
		_, err := admin.Exec(`DROP ` + kind + ` IF EXISTS ` + name + ` ` + dropOptions)
		return err
	}, nil
}
