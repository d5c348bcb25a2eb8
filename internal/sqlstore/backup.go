package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Contents is what a database holds, counted, so that backup and restore
// can tell an operator what a file carries and restore can refuse to
// overwrite a database that has something to lose.
type Contents struct {
	// Migrations lists the applied migrations, oldest first; empty for a
	// database shanzhi never migrated.
	Migrations []string
	Users      int64
	Households int64
	Residents  int64
	// LedgerEntries and AuditRows are what verify walks.
	LedgerEntries int64
	AuditRows     int64
	// IndexKey names the personal-data key the residents' hashes were
	// made with; "" before the first resident.
	IndexKey string
}

// Empty reports whether nothing a person entered lives in the database: a
// freshly migrated one holds only the regions, which every start reseeds.
func (c Contents) Empty() bool {
	return c.Users == 0 && c.Households == 0 && c.Residents == 0 && c.LedgerEntries == 0
}

// Contents counts the database's rows in one snapshot. A database without
// the migrations table is reported empty rather than as an error, since
// restore meets exactly that in a new PostgreSQL database.
func (db *DB) Contents(ctx context.Context) (Contents, error) {
	var c Contents
	err := db.view(ctx, func(tx *Tx) error {
		ok, err := tx.tableExists(ctx, "schema_migrations")
		if err != nil || !ok {
			return err
		}
		if c.Migrations, err = tx.applied(ctx); err != nil {
			return err
		}
		if ok, err := tx.tableExists(ctx, "settings"); err != nil {
			return err
		} else if ok {
			if c.IndexKey, err = tx.setting(ctx, indexKeySetting); err != nil {
				return err
			}
		}
		for _, q := range []struct {
			table string
			n     *int64
		}{{"users", &c.Users}, {"households", &c.Households}, {"residents", &c.Residents},
			{"ledger_entries", &c.LedgerEntries}, {"audit_log", &c.AuditRows}} {
			// A backup from an older version may predate a table; the
			// table names are constants of this file, never input.
			if ok, err := tx.tableExists(ctx, q.table); err != nil {
				return err
			} else if !ok {
				continue
			}
			if err := tx.queryRow(ctx, `SELECT count(*) FROM `+q.table).Scan(q.n); err != nil {
				return fmt.Errorf("count %s: %w", q.table, err)
			}
		}
		return nil
	})
	return c, err
}

// CheckMigrations reports the migrations a database has applied that this
// binary does not know: a backup from a newer version, which this one must
// not open, since it cannot know what those migrations changed.
func CheckMigrations(d Dialect, applied []string) (unknown []string) {
	known := map[string]bool{}
	for _, n := range MigrationNames(d) {
		known[n] = true
	}
	for _, n := range applied {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	return unknown
}

// BackupSQLite writes a consistent copy of a live SQLite database to dest,
// which must not exist. VACUUM INTO reads inside one read transaction, so
// under WAL the server's writers carry on while it runs and the copy holds
// exactly the transactions committed before it began. It runs on a
// connection of its own: the read pool's connections are query_only, which
// SQLite counts VACUUM INTO as breaking, and the writer must stay free.
func (db *DB) BackupSQLite(ctx context.Context, dest string) error {
	if db.dialect != SQLite {
		return fmt.Errorf("backup: %s is not SQLite", db.dialect)
	}
	path := strings.TrimPrefix(db.dsn, "sqlite:")
	c, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("backup: vacuum into: %w", err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity_check and returns its complaints,
// none for a sound file. PostgreSQL checks its own pages and has no
// equivalent a client can run, so it always passes there.
func (db *DB) IntegrityCheck(ctx context.Context) ([]string, error) {
	if db.dialect != SQLite {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if s != "ok" {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// Tables lists the tables of the store's schema (current_schema() on
// PostgreSQL, "main" on SQLite), so a restore can drop exactly what the
// dump it replays will create again.
func (db *DB) Tables(ctx context.Context) (schema string, tables []string, err error) {
	err = db.view(ctx, func(tx *Tx) error {
		q := `SELECT 'main', name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
		if tx.dialect == Postgres {
			q = `SELECT current_schema(), table_name FROM information_schema.tables
			      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
			if err := tx.queryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
				return err
			}
		}
		rows, err := tx.query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&schema, &name); err != nil {
				return err
			}
			tables = append(tables, name)
		}
		return rows.Err()
	})
	return schema, tables, err
}
