// Package sqlstore is the one implementation of every service, over SQLite
// (the township PC) and PostgreSQL (a banner or league that centralises).
// DML is written once in the subset both engines run; only DDL differs.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"shanzhi/internal/points"
	"shanzhi/internal/scheme"
	"shanzhi/internal/secret"
)

// Dialect names the engine behind a DB.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open store. SQLite gets a single writer connection, so writers
// queue in Go instead of spinning on SQLITE_BUSY, and a separate read pool
// that WAL lets run beside it; PostgreSQL uses one pool for both.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	dsn     string
	box     *secret.Box
	// group commits SQLite's concurrent writes together; nil on PostgreSQL,
	// whose pool of connections commits in parallel.
	group *groupWriter
	// schemeBodies caches the aspects and items of scheme versions by id:
	// a stored version's content never changes, and loading it was a third
	// of every award's time.
	schemeBodies sync.Map // int64 → schemeBody
	// ledgerIDs caches the ids of the ledger's lookup tables (items,
	// actors, key prefixes) by text; ledgerIDn counts them, to a bound.
	ledgerIDs sync.Map // string → int64
	ledgerIDn atomic.Int64
	// inForce caches the scheme in force per village and day for SQLite's
	// write transactions; see effectiveScheme.
	inForce schemeCache
	// epochInForce caches it for PostgreSQL's, per village, day and
	// scheme epoch (migration 0042); see effectiveScheme.
	epochInForce schemeCache
	// prepared holds SQLite statements prepared on a pool, keyed by pool
	// and query; database/sql keeps one prepared copy per connection, so
	// a transaction re-uses its connection's copy instead of parsing the
	// query again, which was a third of a small read's time.
	prepared sync.Map // poolQuery → *sql.Stmt
	// nPrepared bounds prepared: queries with literal limits or lists vary,
	// and past the bound a transaction prepares its own copy as before.
	nPrepared atomic.Int64
	// chain holds the chain keys from the key file, by the versions the
	// database records; nil until they are loaded, and then writes that
	// must be chained refuse.
	chain atomic.Pointer[chainRing]

	// paused is set by a server's lease while an operation's maintenance
	// marker is set (see lease.go): every transaction is refused until it
	// is lifted, so no personal data is read or written with a key that
	// is being replaced.
	paused atomic.Bool

	// auth caches resolved sessions and API tokens for a second, ranks
	// the rankings of a region's villages (see readCache); watches empty
	// them.
	auth    readCache[authRow]
	ranks   readCache[[]points.Ranked]
	watches []cacheWatch

	// Now is the clock, read once per transaction; tests replace it.
	Now func() time.Time
}

// Options tunes Open.
type Options struct {
	// Box encrypts ID numbers and phones; required for the registry.
	Box *secret.Box
	// ReadConns caps the SQLite read pool; 0 means 4.
	ReadConns int
}

// Open connects to dsn, which is "sqlite:PATH" (or a bare path ending in
// .db) or a postgres:// URL, and checks the connection. It does not migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{dsn: dsn, box: opt.Box, Now: time.Now}
	db.auth = readCache[authRow]{ttl: authCacheTTL, max: authCacheMax}
	db.ranks = readCache[[]points.Ranked]{ttl: rankCacheTTL, max: rankCacheMax}
	db.watches = []cacheWatch{authWatch(&db.auth), rankWatch(&db.ranks)}
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.dialect = Postgres
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p.SetMaxOpenConns(16)
		p.SetMaxIdleConns(16)
		db.write, db.read = p, p
	case strings.HasPrefix(dsn, "sqlite:"):
		db.dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("open sqlite: empty path")
		}
		w, err := sql.Open("sqlite", sqliteDSN(path, false))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		r, err := sql.Open("sqlite", sqliteDSN(path, true))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		n := opt.ReadConns
		if n <= 0 {
			n = 4
		}
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		db.write, db.read = w, r
		db.group = startGroupWriter(db)
	default:
		return nil, fmt.Errorf("unknown database %q: want sqlite:PATH or a postgres:// URL", dsn)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect %s: %w", db.dialect, err)
	}
	if err := db.selectIndexKey(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.loadChainKeys(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sqliteDSN sets the pragmas on every connection the pool opens: WAL so
// readers never block the writer, synchronous=FULL so an acknowledged write
// survives power loss, foreign keys on, a busy timeout, and BEGIN IMMEDIATE
// for writers so a transaction takes the write lock before it reads.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals and sorts stay in memory: on disk they cost a
	// write system call per page, a fifth of a bulk import's time. A 16 MB
	// page cache keeps a township's indexes resident.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16000)")
	if readOnly {
		// Readers take pages through a memory map rather than a read
		// system call each into a page cache whose every eviction went
		// back to the allocator and the kernel: on a 7 GB league those
		// were most of a ranking's time. The writer keeps reading: it
		// grows the file, and every growth would move its map.
		q.Add("_pragma", "mmap_size(68719476736)")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// SQLite copies the write-ahead log back into the file inside the
		// commit that takes it past this many pages, and the one writer
		// waits on that copy and its two fsyncs. At the default of 1,000
		// pages that was every ninth group of redemptions (a group writes
		// about 100); at 8,000 (a 32 MB log) each copy also writes a hot
		// page once where it had written it eight times, and the writer
		// carried 19 % more redemptions and some 20 % more awards (issue
		// 18, BENCHMARKS.md). 16,000 and more were no better: readers
		// then find more of their pages in the log, a read call each.
		q.Add("_pragma", "wal_autocheckpoint(8000)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Dialect reports which engine the store runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close releases both pools.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
		// SQLite's advice for long-lived connections: refresh the planner's
		// statistics where they have gone stale on the way out, sampling a
		// bounded number of rows per index, or a 7 GB league would take
		// minutes to close.
		db.write.Exec(`PRAGMA analysis_limit = 400`)
		db.write.Exec(`PRAGMA optimize`)
	}
	db.prepared.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// maxPrepared is how many distinct queries the pools keep prepared.
const maxPrepared = 4000

type poolQuery struct {
	pool  *sql.DB
	query string
}

// keepPrepared keeps st as the pool's statement for k and returns the one
// kept: another transaction may have prepared the same query meanwhile.
func (db *DB) keepPrepared(k poolQuery, st *sql.Stmt) *sql.Stmt {
	if kept, loaded := db.prepared.LoadOrStore(k, st); loaded {
		st.Close()
		return kept.(*sql.Stmt)
	}
	db.nPrepared.Add(1)
	return st
}

// Tx is a transaction with the clock reading taken at its start and the
// placeholder style of its engine.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	now     time.Time
	box     *secret.Box
	// quiet is set during a bulk import: its one audit entry covers every
	// history event it records, which keeps 100,000-row imports fast.
	quiet bool
	// stmts caches SQLite statements for the life of the transaction:
	// modernc's driver otherwise parses every statement anew, which is a
	// fifth of a bulk import's time. pgx keeps its own statement cache.
	stmts map[string]*sql.Stmt
	// activeVillages remembers villages checkVillage found active, so an
	// import of 30,000 households looks each village up once.
	activeVillages map[string]bool
	// detached statements ignore the caller's cancellation: the
	// transaction is shared with others in a commit group.
	detached bool
	// db and committed let a transaction fill the process's caches with
	// what it read, once its commit has made that data final.
	db        *DB
	committed []func()
	// ledgerIDs are the ledger lookup ids this transaction found or made;
	// its commit hands them to the process's cache (ledgerLookup).
	ledgerIDs     map[string]int64
	ledgerIDsKept bool
	pool          *sql.DB // the pool the transaction came from
	// bodies and resolved remember scheme contents and the scheme in force
	// per village and day for the life of the transaction, so an award
	// sheet of 10,000 rows resolves its village's scheme once.
	bodies   map[int64]schemeBody
	resolved map[string]scheme.Resolved
	// cleared has bit i set once the transaction writes a table of the
	// process's i-th cache watch, whose cache its commit then empties.
	cleared uint8
	// pending holds PostgreSQL writes whose outcome nobody reads (see
	// later); failed is the error sending them met, which the
	// transaction reports in place of the aborted statement's.
	pending []laterWrite
	failed  error
	// schemeEpoch is the scheme epoch an award read with its household
	// when epochKnown; schemeWritten is set once the transaction writes a
	// scheme, whose epoch is then its own until it commits.
	schemeEpoch   int64
	epochKnown    bool
	schemeWritten bool
}

// laterWrite is a write waiting to travel with the transaction's next
// statement.
type laterWrite struct {
	query string
	args  []any
}

// later runs a write whose result the caller does not read: no id, no
// row count, no error it would handle other than by failing. On SQLite
// it runs at once (a statement is a function call there). On PostgreSQL,
// where each statement is a network round trip and the round trips were
// most of a write's time, it waits and travels with the transaction's
// next statement as a data-modifying WITH clause: before any statement
// that might read what it wrote (exec, query, queryRow send the waiting
// writes first), or along with a statement its caller knows to touch
// other rows (the along variants), or before the commit. Only inserts
// and updates of rows no other waiting write touches may wait, since
// the clauses of one statement run on one snapshot.
func (tx *Tx) later(ctx context.Context, query string, args ...any) error {
	if tx.dialect != Postgres {
		_, err := tx.exec(ctx, query, args...)
		return err
	}
	tx.noteWrite(query)
	tx.pending = append(tx.pending, laterWrite{query: query, args: args})
	return nil
}

// along prefixes the waiting writes to query as WITH clauses, in order,
// and empties the queue; query must neither read nor write the rows they
// touch.
func (tx *Tx) along(query string, args []any) (string, []any) {
	if len(tx.pending) == 0 {
		return query, args
	}
	var b strings.Builder
	var all []any
	b.WriteString("WITH ")
	for i, p := range tx.pending {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "later%d AS (%s)", i, p.query)
		all = append(all, p.args...)
	}
	tx.pending = tx.pending[:0]
	if rest, ok := strings.CutPrefix(strings.TrimSpace(query), "WITH "); ok {
		b.WriteString(", ")
		b.WriteString(rest)
	} else {
		b.WriteByte(' ')
		b.WriteString(query)
	}
	return b.String(), append(all, args...)
}

// flush sends the waiting writes as one statement.
func (tx *Tx) flush(ctx context.Context) error {
	if len(tx.pending) == 0 || tx.failed != nil {
		return tx.failed
	}
	last := tx.pending[len(tx.pending)-1]
	tx.pending = tx.pending[:len(tx.pending)-1]
	q, args := tx.along(last.query, last.args)
	if _, err := tx.tx.ExecContext(tx.c(ctx), rebind(tx.dialect, q), args...); err != nil {
		tx.failed = err
		return err
	}
	return nil
}

// execAlong is exec for a statement that touches none of the rows the
// waiting writes do, which therefore travel with it.
func (tx *Tx) execAlong(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q, all := tx.along(query, args)
	return tx.exec(ctx, q, all...)
}

// queryRowAlong is queryRow for a statement that touches none of the rows
// the waiting writes do, which therefore travel with it.
func (tx *Tx) queryRowAlong(ctx context.Context, query string, args ...any) *sql.Row {
	q, all := tx.along(query, args)
	return tx.queryRow(ctx, q, all...)
}

// afterCommit runs fn once the transaction's data is final: at once in a
// read-only transaction, after the commit in a write transaction, never
// if it rolls back, since a rolled-back row's id can be handed out again.
func (tx *Tx) afterCommit(fn func()) { tx.committed = append(tx.committed, fn) }

// noteWrite empties a cache after the commit of a transaction that writes
// a table its reads come from (see readCache).
func (tx *Tx) noteWrite(query string) {
	if tx.db == nil {
		return
	}
	q, ok := asWrite(query)
	if !ok {
		return
	}
	for i := range tx.db.watches {
		w := &tx.db.watches[i]
		if tx.cleared&(1<<i) == 0 && w.touches(q) {
			tx.cleared |= 1 << i
			tx.afterCommit(w.clear)
		}
	}
}

func (tx *Tx) runCommitted() {
	for _, fn := range tx.committed {
		fn()
	}
}

// c is the context a statement runs under.
func (tx *Tx) c(ctx context.Context) context.Context {
	if tx.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// update runs fn in a write transaction and commits it when fn returns nil.
func (db *DB) update(ctx context.Context, fn func(*Tx) error) error {
	if db.paused.Load() {
		return ErrMaintenance
	}
	if db.group != nil {
		return db.group.do(ctx, fn)
	}
	return db.run(ctx, db.write, false, fn)
}

// rehearse runs fn in a write transaction and always rolls it back, so a
// preview meets exactly the checks a real run would, and writes nothing.
func (db *DB) rehearse(ctx context.Context, fn func(*Tx) error) error {
	err := db.update(ctx, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRehearsal
	})
	if errors.Is(err, errRehearsal) {
		return nil
	}
	return err
}

// errRehearsal aborts a rehearsal's transaction; rehearse's callers never
// see it.
var errRehearsal = errors.New("rehearsal: roll back")

// view runs fn in a read-only transaction, so multi-query pages see one
// consistent snapshot.
func (db *DB) view(ctx context.Context, fn func(*Tx) error) error {
	if db.paused.Load() {
		return ErrMaintenance
	}
	return db.run(ctx, db.read, true, fn)
}

// readRow runs one read that is a single statement, outside any
// transaction: one statement sees one snapshot by itself, so the
// transaction's begin and end would only add work — on PostgreSQL two
// of the read's three round trips. SQLite's statement is prepared once on
// the read pool, as the transactions' statements are.
func (db *DB) readRow(ctx context.Context, query string, args []any, dest ...any) error {
	if db.paused.Load() {
		return ErrMaintenance
	}
	if db.dialect != SQLite {
		return db.read.QueryRowContext(ctx, rebind(db.dialect, query), args...).Scan(dest...)
	}
	k := poolQuery{db.read, query}
	ps, ok := db.prepared.Load(k)
	if !ok {
		if db.nPrepared.Load() >= maxPrepared {
			return db.read.QueryRowContext(ctx, query, args...).Scan(dest...)
		}
		st, err := db.read.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		ps = db.keepPrepared(k, st)
	}
	return ps.(*sql.Stmt).QueryRowContext(ctx, args...).Scan(dest...)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && db.dialect == Postgres}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	tx := &Tx{tx: sqlTx, dialect: db.dialect, now: db.Now().UTC(), box: db.box, db: db, pool: pool}
	defer tx.closeStmts()
	if err := fn(tx); err != nil {
		if tx.failed != nil {
			return tx.failed
		}
		return err
	}
	if readOnly {
		tx.runCommitted()
		return sqlTx.Rollback()
	}
	if err := tx.flush(ctx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	tx.runCommitted()
	return nil
}

// nowMS is the transaction's clock reading in Unix milliseconds, the unit
// every timestamp column uses on both engines.
func (tx *Tx) nowMS() int64 { return tx.now.UnixMilli() }

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx.noteWrite(query)
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	if tx.ledgerIDs != nil && strings.HasPrefix(query, "ROLLBACK TO") {
		// Lookup rows added since the savepoint are gone with it.
		tx.ledgerIDs = nil
	}
	ctx = tx.c(ctx)
	if st := tx.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, rebind(tx.dialect, query), args...)
}

// exactlyOne runs a conditional write that must change exactly one row and
// answers fail when it changed none: the row was missing, or another
// writer moved it out of the state the condition names.
func (tx *Tx) exactlyOne(ctx context.Context, fail error, query string, args ...any) error {
	res, err := tx.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fail
	}
	return nil
}

// queryAll runs a query and scans every row it returns with scan, closing
// the rows before the caller writes on the same transaction (which pgx
// refuses while a result is open).
func queryAll[T any](ctx context.Context, tx *Tx, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx.noteWrite(query)
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	ctx = tx.c(ctx)
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, rebind(tx.dialect, query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	tx.noteWrite(query)
	// A failed flush aborted the transaction, so the query fails too;
	// run reports the flush's error.
	tx.flush(ctx)
	ctx = tx.c(ctx)
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, rebind(tx.dialect, query), args...)
}

// stmt returns the cached prepared statement for query on SQLite, or nil
// where the plain call is as good (PostgreSQL) or preparing failed (the
// plain call then reports the error).
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if tx.dialect != SQLite {
		return nil
	}
	if st, ok := tx.stmts[query]; ok {
		return st
	}
	var st *sql.Stmt
	k := poolQuery{tx.pool, query}
	ps, ok := tx.db.prepared.Load(k)
	switch {
	case ok || tx.db.nPrepared.Load() >= maxPrepared:
	case tx.pool == tx.db.write:
		// The single writer connection is never free during a
		// transaction; the group writer prepares the query on the pool
		// once this transaction's group has committed.
		if g := tx.db.group; g != nil {
			g.want(query)
		}
	default:
		// Preparing on the pool takes a free connection of its own; when
		// every connection is in a transaction, one of them possibly this
		// caller's, waiting could deadlock, so it gives up at once and
		// the statement is prepared on the transaction instead.
		pctx, cancel := context.WithTimeout(ctx, time.Millisecond)
		p, err := tx.pool.PrepareContext(pctx, query)
		cancel()
		if err == nil {
			ps, ok = tx.db.keepPrepared(k, p), true
		}
	}
	if ok {
		st = tx.tx.StmtContext(ctx, ps.(*sql.Stmt))
	} else {
		var err error
		if st, err = tx.tx.PrepareContext(ctx, query); err != nil {
			return nil
		}
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = st
	return st
}

func (tx *Tx) closeStmts() {
	for _, st := range tx.stmts {
		st.Close()
	}
}

// insertID runs an INSERT ... RETURNING id and returns the id.
func (tx *Tx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, query, args...).Scan(&id)
	return id, err
}

// rebind turns the ? placeholders of the shared SQL into $1, $2 ... for
// PostgreSQL, leaving question marks inside string literals alone.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, inStr := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ids runs a query selecting one integer column and returns the values.
func (tx *Tx) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	return column[int64](ctx, tx, query, args...)
}

// column runs a query selecting one column and returns the values.
func column[T any](ctx context.Context, tx *Tx, query string, args ...any) ([]T, error) {
	return queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (T, error) {
		var v T
		return v, s.Scan(&v)
	}, query, args...)
}
