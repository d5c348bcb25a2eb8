package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// On SQLite every commit costs an fsync of the WAL, and with one writer
// connection the writes of concurrent requests queue behind each other's
// fsyncs: about 700 commits a second on this class of disk whatever the
// CPU does. The group writer takes every write transaction that queued up
// while the previous commit was syncing and runs them as savepoints of one
// transaction with one commit, so the fsync is shared. Each caller still
// gets its own outcome: a failing transaction rolls back to its savepoint
// and the others proceed; a failing commit fails every transaction of the
// group, none of which has been acknowledged yet. Callers return only after
// the commit, so an acknowledged write is as durable as before.

// maxGroup bounds a group so one commit never holds a burst of work hostage
// for long; 64 transactions of a few hundred microseconds each keep the
// latency of the first one in a group well under the fsync it saves.
const maxGroup = 64

type groupJob struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

type groupWriter struct {
	db   *DB
	jobs chan *groupJob
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	// commits and txs count what the writer did, for the benchmarks'
	// average group size.
	commits, txs atomic.Int64
	// wanted are queries transactions prepared for themselves; the writer
	// prepares them on the pool between groups, when its one connection
	// is free, and later transactions reuse that connection's copy.
	wantMu sync.Mutex
	wanted map[string]bool
}

func (g *groupWriter) want(query string) {
	g.wantMu.Lock()
	defer g.wantMu.Unlock()
	if g.wanted == nil {
		g.wanted = map[string]bool{}
	}
	g.wanted[query] = true
}

// prepareWanted prepares the queries the last group asked for. It runs
// between groups on the writer goroutine, so the pool's one connection is
// free; a failure only means the next transaction prepares its own copy.
func (g *groupWriter) prepareWanted() {
	g.wantMu.Lock()
	qs := g.wanted
	g.wanted = nil
	g.wantMu.Unlock()
	db := g.db
	for q := range qs {
		if db.nPrepared.Load() >= maxPrepared {
			return
		}
		k := poolQuery{db.write, q}
		if _, ok := db.prepared.Load(k); ok {
			continue
		}
		if st, err := db.write.PrepareContext(context.Background(), q); err == nil {
			db.keepPrepared(k, st)
		}
	}
}

// GroupStats reports how many commits the SQLite group writer made and
// how many write transactions they carried; zero on PostgreSQL.
func (db *DB) GroupStats() (commits, txs int64) {
	if db.group == nil {
		return 0, 0
	}
	return db.group.commits.Load(), db.group.txs.Load()
}

func startGroupWriter(db *DB) *groupWriter {
	g := &groupWriter{db: db, jobs: make(chan *groupJob), stop: make(chan struct{})}
	g.wg.Add(1)
	go g.loop()
	return g
}

// errClosed answers writes that arrive after Close.
var errClosed = errors.New("sqlstore: database is closed")

// do queues fn and waits for the commit of its group.
func (g *groupWriter) do(ctx context.Context, fn func(*Tx) error) error {
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case g.jobs <- j:
	case <-g.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the job runs to its end: its outcome is only known after
	// the group commits, and reporting a cancellation before that would
	// tell the caller a write failed that may yet land.
	return <-j.done
}

func (g *groupWriter) close() {
	g.once.Do(func() { close(g.stop) })
	g.wg.Wait()
}

func (g *groupWriter) loop() {
	defer g.wg.Done()
	for {
		var first *groupJob
		select {
		case first = <-g.jobs:
		case <-g.stop:
			return
		}
		batch := []*groupJob{first}
	drain:
		for len(batch) < maxGroup {
			select {
			case j := <-g.jobs:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		g.run(batch)
		g.commits.Add(1)
		g.txs.Add(int64(len(batch)))
		g.prepareWanted()
	}
}

// run commits one group. A lone transaction runs plainly, without the
// savepoint's two extra statements.
func (g *groupWriter) run(batch []*groupJob) {
	db := g.db
	defer db.inForce.settle()
	if len(batch) == 1 {
		j := batch[0]
		if err := j.ctx.Err(); err != nil {
			j.done <- err
			return
		}
		j.done <- db.run(j.ctx, db.write, false, func(tx *Tx) error { return runGuarded(tx, j.fn) })
		return
	}
	errs := make([]error, len(batch))
	txs := make([]*Tx, len(batch))
	fail := func(err error) {
		for i, j := range batch {
			if errs[i] == nil {
				errs[i] = err
			}
			j.done <- errs[i]
		}
	}
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	defer sqlTx.Rollback()
	stmts := map[string]*sql.Stmt{}
	defer (&Tx{stmts: stmts}).closeStmts()
	for i, j := range batch {
		if errs[i] = j.ctx.Err(); errs[i] != nil {
			continue
		}
		if _, err := sqlTx.Exec("SAVEPOINT grp"); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		// Statements ignore the caller's cancellation inside a group:
		// SQLite answers an interrupted write by rolling back the whole
		// transaction, which would take the neighbours' work with it.
		tx := &Tx{tx: sqlTx, dialect: db.dialect, now: db.Now().UTC(), box: db.box, stmts: stmts, detached: true, db: db, pool: db.write}
		errs[i] = runGuarded(tx, j.fn)
		if errs[i] == nil {
			txs[i] = tx
		}
		if errs[i] != nil {
			if _, err := sqlTx.Exec("ROLLBACK TO grp"); err != nil {
				// The engine already rolled the whole transaction back
				// (a full disk, an I/O error): nothing of the group stands.
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := sqlTx.Exec("RELEASE grp"); err != nil {
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, j := range batch {
		if txs[i] != nil {
			txs[i].runCommitted()
		}
		j.done <- errs[i]
	}
}

// runGuarded turns a panic in one transaction of a group into its error, so
// it cannot take the writer goroutine, and every waiting caller, with it.
func runGuarded(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write transaction panicked: %v", p)
		}
	}()
	return fn(tx)
}
