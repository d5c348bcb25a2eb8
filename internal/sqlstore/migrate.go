package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// migrationNames lists a dialect's migration files in the order they run.
func migrationNames(d Dialect) ([]string, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations/"+string(d))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Migrate applies, in order and each in its own transaction, the embedded
// migrations not yet recorded. Migrations only ever move forward: a change
// is a new numbered file, never an edit of an applied one.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.migrateBefore(ctx, ""); err != nil {
		return err
	}
	// Migration 0023 leaves the chains for the key to re-chain.
	return db.loadChainKeys(ctx)
}

// migrateBefore applies the migrations whose names sort before stop, or
// all of them when stop is empty.
func (db *DB) migrateBefore(ctx context.Context, stop string) error {
	if err := db.makeStartupLock(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Two processes creating the table at once would collide on the
	// catalogue in PostgreSQL even with IF NOT EXISTS; under the start-up
	// lock the second finds it there.
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.startupLock(ctx); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := migrationNames(db.dialect)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range names {
		if stop != "" && name >= stop {
			break
		}
		body, err := migrationFS.ReadFile("migrations/" + string(db.dialect) + "/" + name)
		if err != nil {
			return err
		}
		err = db.update(ctx, func(tx *Tx) error {
			if err := tx.startupLock(ctx); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, tx.nowMS())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

// Applied lists the migrations recorded as applied.
func (db *DB) Applied(ctx context.Context) ([]string, error) {
	var out []string
	err := db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.applied(ctx)
		return err
	})
	return out, err
}

// applied lists the recorded migrations inside tx, oldest first.
func (tx *Tx) applied(ctx context.Context) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MigrationNames lists a dialect's embedded migrations, for the test that
// keeps both dialects numbered alike.
func MigrationNames(d Dialect) []string {
	n, _ := migrationNames(d)
	return n
}
