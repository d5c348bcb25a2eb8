package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"shanzhi/internal/fault"
)

// Operations that must not run under a server (rotate-key, restore) and
// the servers themselves meet in two places in the database, which is the
// only thing the servers of a PostgreSQL database on several machines
// share: each server keeps a lease row fresh, and the operation puts a
// maintenance marker in settings that every server checks at start and
// polls while it runs. Each side writes its row and commits before it
// reads the other's, so of a server starting and an operation starting at
// the same moment at least one sees the other.

// maintenanceSetting names the settings row an operation sets while it
// runs: "what|host|pid|since-ms".
const maintenanceSetting = "maintenance"

// LeaseStale is how long a lease may go without a refresh before it is
// taken for a server that died without removing it.
const LeaseStale = 15 * time.Second

// leaseRefresh is how often a server refreshes its lease, and pollEvery
// how often it looks for a maintenance marker: well inside one second, so
// a marker stops personal data within a second of being set.
const (
	leaseRefresh = 3 * time.Second
	pollEvery    = 400 * time.Millisecond
)

// Lease is one running server as its row describes it.
type Lease struct {
	ID, Host, Addr string
	PID            int64
	Started, Seen  time.Time
}

func (l Lease) String() string {
	return fmt.Sprintf("%s pid %d (%s), seen %s", l.Host, l.PID, l.Addr, l.Seen.Format(time.DateTime))
}

// Maintenance is an operation's marker.
type Maintenance struct {
	What, Host string
	PID        int64
	Since      time.Time
}

func parseMaintenance(v string) *Maintenance {
	if v == "" {
		return nil
	}
	parts := strings.SplitN(v, "|", 4)
	for len(parts) < 4 {
		parts = append(parts, "0")
	}
	var m Maintenance
	m.What, m.Host = parts[0], parts[1]
	fmt.Sscan(parts[2], &m.PID)
	var ms int64
	fmt.Sscan(parts[3], &ms)
	m.Since = time.UnixMilli(ms)
	return &m
}

// ErrMaintenance is what a server answers while an operation's marker is
// set: every transaction is refused with this message until it is lifted.
var ErrMaintenance = fault.E(fault.Unavailable, "ops.maintenance")

// ServerLease is a running server's hold on its lease; Close removes it.
type ServerLease struct {
	db     *DB
	id     string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartLease records this process as a server of the database and keeps
// the lease fresh until Close. It refuses to start while an operation's
// marker is set. While it runs, a marker set later stops every transaction
// of db within pollEvery, and lifting it resumes them.
func (db *DB) StartLease(ctx context.Context, addr string) (*ServerLease, error) {
	host, _ := os.Hostname()
	pid := int64(os.Getpid())
	id := fmt.Sprintf("%s/%d/%d", host, pid, time.Now().UnixNano())
	now := time.Now().UnixMilli()
	if _, err := db.write.ExecContext(ctx, rebind(db.dialect, `INSERT INTO server_leases (id, host, pid, addr, started_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)`),
		id, host, pid, addr, now, now); err != nil {
		return nil, fmt.Errorf("server lease: %w", err)
	}
	l := &ServerLease{db: db, id: id, done: make(chan struct{})}
	m, err := db.maintenance(ctx)
	if err == nil && m != nil {
		err = fault.E(fault.Unavailable, "ops.maintenance_at_start", m.What, m.Host, m.PID, m.Since.Format(time.DateTime))
	}
	if err != nil {
		l.remove()
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.cancel = cancel
	go l.keep(lctx)
	return l, nil
}

// keep polls for a marker and refreshes the lease until ctx ends. A failed
// poll leaves the flag as it was: a database that cannot be read answers
// errors of its own.
func (l *ServerLease) keep(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if m, err := l.db.maintenance(ctx); err == nil {
			l.db.paused.Store(m != nil)
		}
		if time.Since(last) >= leaseRefresh {
			last = time.Now()
			l.db.write.ExecContext(ctx, rebind(l.db.dialect, `UPDATE server_leases SET seen_at = ? WHERE id = ?`), last.UnixMilli(), l.id)
		}
	}
}

func (l *ServerLease) remove() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.db.write.ExecContext(ctx, rebind(l.db.dialect, `DELETE FROM server_leases WHERE id = ?`), l.id)
}

// Close stops the refreshing and removes the lease.
func (l *ServerLease) Close() {
	l.cancel()
	<-l.done
	l.remove()
}

// maintenance reads the marker outside any transaction the flag guards.
func (db *DB) maintenance(ctx context.Context) (*Maintenance, error) {
	var v string
	err := db.read.QueryRowContext(ctx, rebind(db.dialect, `SELECT value FROM settings WHERE name = ?`), maintenanceSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return parseMaintenance(v), err
}

// LiveLeases lists the servers whose lease was refreshed within
// LeaseStale.
func (db *DB) LiveLeases(ctx context.Context) ([]Lease, error) {
	// A database no server of this version has opened has no lease table
	// yet, and no lease.
	var has bool
	if err := db.view(ctx, func(tx *Tx) (err error) {
		has, err = tx.tableExists(ctx, "server_leases")
		return err
	}); err != nil || !has {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, rebind(db.dialect, `SELECT id, host, pid, addr, started_at, seen_at FROM server_leases WHERE seen_at >= ? ORDER BY started_at`),
		time.Now().Add(-LeaseStale).UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var l Lease
		var started, seen int64
		if err := rows.Scan(&l.ID, &l.Host, &l.PID, &l.Addr, &started, &seen); err != nil {
			return nil, err
		}
		l.Started, l.Seen = time.UnixMilli(started), time.UnixMilli(seen)
		out = append(out, l)
	}
	return out, rows.Err()
}

// BeginMaintenance sets the marker for what (rotate-key) and then looks
// for live servers: with any, it lifts the marker again and returns them,
// and the caller must not go on. A marker left by an operation that was
// interrupted is taken over, so running the operation again finishes it.
func (db *DB) BeginMaintenance(ctx context.Context, what string) ([]Lease, error) {
	host, _ := os.Hostname()
	v := fmt.Sprintf("%s|%s|%d|%d", what, host, os.Getpid(), time.Now().UnixMilli())
	if _, err := db.write.ExecContext(ctx, rebind(db.dialect, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`),
		maintenanceSetting, v); err != nil {
		return nil, fmt.Errorf("maintenance marker: %w", err)
	}
	live, err := db.LiveLeases(ctx)
	if err != nil || len(live) > 0 {
		if e := db.EndMaintenance(ctx); err == nil {
			err = e
		}
		return live, err
	}
	return nil, nil
}

// EndMaintenance lifts the marker; the servers resume within pollEvery.
func (db *DB) EndMaintenance(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, rebind(db.dialect, `DELETE FROM settings WHERE name = ?`), maintenanceSetting)
	return err
}

// startupLock serialises the start-up writes of servers started together
// on a fresh PostgreSQL database (migrations, the region seed, the first
// administrators): each takes the one row of startup_lock until tx ends,
// so the second finds the first's work done. It is a row lock rather than
// an advisory lock, which the distributed PostgreSQL-compatible engines
// the design keeps to do not offer. Migrate makes the table first
// (makeStartupLock), and every start-up write runs after Migrate. SQLite
// needs none of this: its writers take the database's write lock when
// they begin.
func (tx *Tx) startupLock(ctx context.Context) error {
	if tx.dialect != Postgres {
		return nil
	}
	// A second session's insert waits on the first's uncommitted row and
	// then does nothing; the FOR UPDATE then waits for the first to end.
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO startup_lock (id) VALUES (1) ON CONFLICT (id) DO NOTHING`); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, `SELECT id FROM startup_lock WHERE id = 1 FOR UPDATE`)
	return err
}

// makeStartupLock makes startup_lock's table, once per Migrate, before any
// migration runs and outside any transaction. Two sessions creating it at
// once can collide in PostgreSQL's catalogue even with IF NOT EXISTS (a
// unique violation on pg_type, or 42P07 "already exists"), so a collision
// is tried again.
func (db *DB) makeStartupLock(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	var err error
	for range 3 {
		_, err = db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS startup_lock (id INTEGER PRIMARY KEY)`)
		if err == nil || !isUniqueViolation(err) && !strings.Contains(err.Error(), "SQLSTATE 42P07") {
			break
		}
	}
	return err
}
