package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"shanzhi/internal/config"
	"shanzhi/internal/sqlstore"
)

// leaseList names the live servers of a database, one a line, for an
// operator to find and stop.
func leaseList(live []sqlstore.Lease) string {
	var b strings.Builder
	for _, l := range live {
		b.WriteString("\n  - ")
		b.WriteString(l.String())
	}
	return b.String()
}

// refuseOpenSQLite refuses an operation that must run alone (rotate-key)
// on a SQLite file another process holds open, as restore does; it runs
// before the operation opens the file itself.
func refuseOpenSQLite(ctx context.Context, cfg config.Config, what string, t func(string, ...any) string) error {
	path, ok := strings.CutPrefix(cfg.DB, "sqlite:")
	if !ok {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil // nothing to hold open; opening reports what is wrong
	}
	busy, err := sqliteInUse(ctx, path)
	if err == nil && busy {
		err = errors.New(t("ops.in_use_file", path, what))
	}
	return err
}

// beginMaintenance sets the operation's marker and refuses while any
// server's lease is live: the servers of a PostgreSQL database run on
// other machines, and the lease rows are all an operation can see of
// them. With the marker set, a server that starts meanwhile refuses to,
// and one whose lease was missed stops serving within a second; the
// caller lifts it with EndMaintenance.
func beginMaintenance(ctx context.Context, db *sqlstore.DB, what string, t func(string, ...any) string) error {
	live, err := db.BeginMaintenance(ctx, what)
	if err == nil && len(live) > 0 {
		err = errors.New(t("ops.in_use_servers", what, leaseList(live)))
	}
	return err
}
