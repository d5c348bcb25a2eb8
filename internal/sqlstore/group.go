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
	// batch, when set, lets the writer hand this job to batch together
	// with the group's other jobs of the same batcher, and call holds what
	// the batcher needs of it; fn stays the job's way of running alone.
	batch batcher
	call  any
}

// A batcher records the work of several jobs of a group with shared
// statements (an award's reads for all of them at once, one multi-row
// INSERT per table) instead of each job's own nine or ten.
type batcher interface {
	// runBatch does the jobs' work in tx and returns each job's outcome:
	// a job it refuses gets its own error and writes nothing. An error of
	// its own means the shared statements failed; the writer then rolls
	// back everything runBatch wrote and runs each job alone, so no caller
	// gets another's error.
	runBatch(tx *Tx, jobs []*groupJob) ([]error, error)
}

// updateBatched is update for a write that the SQLite group writer may
// run together with others of b's that queued beside it; call is what b
// needs of this one. Alone, or on PostgreSQL, fn runs as update runs it.
func (db *DB) updateBatched(ctx context.Context, b batcher, call any, fn func(*Tx) error) error {
	if db.paused.Load() {
		return ErrMaintenance
	}
	if db.group != nil {
		return db.group.submit(&groupJob{ctx: ctx, fn: fn, done: make(chan error, 1), batch: b, call: call})
	}
	return db.run(ctx, db.write, false, fn)
}

type groupWriter struct {
	db   *DB
	jobs chan *groupJob
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	// commits and txs count what the writer did, for the benchmarks'
	// average group size; batches, batched and fallbacks its batches.
	commits, txs                atomic.Int64
	batches, batched, fallbacks atomic.Int64
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

// BatchStats reports how many batches the SQLite group writer ran with
// shared statements and how many write transactions they carried, and
// how many batches it ran one by one instead, their shared statements
// having failed; zero on PostgreSQL.
func (db *DB) BatchStats() (batches, txs, fallbacks int64) {
	if db.group == nil {
		return 0, 0, 0
	}
	return db.group.batches.Load(), db.group.batched.Load(), db.group.fallbacks.Load()
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
	return g.submit(&groupJob{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// submit queues j and waits for the commit of its group.
func (g *groupWriter) submit(j *groupJob) error {
	select {
	case g.jobs <- j:
	case <-g.stop:
		return errClosed
	case <-j.ctx.Done():
		return j.ctx.Err()
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
	var sqlTx *sql.Tx
	stmts := map[string]*sql.Stmt{}
	begin := func() bool {
		var err error
		if sqlTx, err = db.write.BeginTx(context.Background(), nil); err != nil {
			fail(fmt.Errorf("begin: %w", err))
			return false
		}
		return true
	}
	if !begin() {
		return
	}
	defer func() { sqlTx.Rollback() }()
	defer (&Tx{stmts: stmts}).closeStmts()
	newTx := func() *Tx {
		// Statements ignore the caller's cancellation inside a group:
		// SQLite answers an interrupted write by rolling back the whole
		// transaction, which would take the neighbours' work with it.
		return &Tx{tx: sqlTx, dialect: db.dialect, now: db.Now().UTC(), box: db.box, stmts: stmts, detached: true, db: db, pool: db.write}
	}
	// savepoint runs fn in a savepoint of its own, rolled back when fn
	// fails; false means the transaction itself is gone and the group
	// has been failed.
	savepoint := func(fn func() error) (ok bool, ferr error) {
		if _, err := sqlTx.Exec("SAVEPOINT grp"); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return false, nil
		}
		ferr = fn()
		if ferr != nil {
			if _, err := sqlTx.Exec("ROLLBACK TO grp"); err != nil {
				// The engine already rolled the whole transaction back
				// (a full disk, an I/O error): nothing of the group stands.
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return false, nil
			}
		}
		if _, err := sqlTx.Exec("RELEASE grp"); err != nil {
			fail(fmt.Errorf("release savepoint: %w", err))
			return false, nil
		}
		return true, ferr
	}
	// attempt runs fn as the group's next work. The group's first work
	// needs no savepoint: when it fails the transaction holds nothing
	// else, so it is rolled back and begun again. That spares the
	// savepoint's statements and the copy SQLite keeps of every page the
	// work changes, which were a twelfth of a batch of awards' time.
	fresh := true
	attempt := func(fn func() error) (ok bool, ferr error) {
		if !fresh {
			return savepoint(fn)
		}
		if ferr = fn(); ferr == nil {
			fresh = false
			return true, nil
		}
		(&Tx{stmts: stmts}).closeStmts()
		clear(stmts)
		// An engine that already rolled back (a full disk, an I/O error)
		// refuses the rollback; the next begin tells whether it recovered.
		sqlTx.Rollback()
		return begin(), ferr
	}
	one := func(i int) bool {
		tx := newTx()
		ok, err := attempt(func() error { return runGuarded(tx, batch[i].fn) })
		errs[i] = err
		if ok && err == nil {
			txs[i] = tx
		}
		return ok
	}
	var batched []*Tx // the transactions of batches, whose commit hooks run once
	done := make([]bool, len(batch))
	for i, j := range batch {
		if done[i] {
			continue
		}
		if errs[i] = j.ctx.Err(); errs[i] != nil {
			continue
		}
		// A batch gathers the group's later jobs of the same batcher and
		// runs them at the place of the first. That may move a job ahead
		// of another's in the group, which is no other order than their
		// arrival could have given: none of them has been answered yet,
		// so no caller can have sent one after seeing another's outcome.
		var mates []int
		if j.batch != nil {
			for k := i; k < len(batch); k++ {
				if !done[k] && batch[k].batch == j.batch && batch[k].ctx.Err() == nil {
					mates = append(mates, k)
				}
			}
		}
		if len(mates) < 2 {
			if !one(i) {
				return
			}
			continue
		}
		jobs := make([]*groupJob, len(mates))
		for n, k := range mates {
			jobs[n], done[k] = batch[k], true
		}
		tx := newTx()
		var outs []error
		ok, err := attempt(func() error {
			var err error
			outs, err = runBatchGuarded(tx, jobs)
			return err
		})
		if !ok {
			return
		}
		if err == nil {
			for n, k := range mates {
				errs[k] = outs[n]
			}
			batched = append(batched, tx)
			g.batches.Add(1)
			g.batched.Add(int64(len(mates)))
			continue
		}
		// The shared statements failed and wrote nothing: each job runs
		// alone, as it would have without batching.
		g.fallbacks.Add(1)
		for _, k := range mates {
			if !one(k) {
				return
			}
		}
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for _, tx := range batched {
		tx.runCommitted()
	}
	for i, j := range batch {
		if txs[i] != nil {
			txs[i].runCommitted()
		}
		j.done <- errs[i]
	}
}

// runBatchGuarded is runGuarded for a batch: a panic fails the shared
// statements, and the jobs then run alone.
func runBatchGuarded(tx *Tx, jobs []*groupJob) (outs []error, err error) {
	defer func() {
		if p := recover(); p != nil {
			outs, err = nil, fmt.Errorf("write batch panicked: %v", p)
		}
	}()
	outs, err = jobs[0].batch.runBatch(tx, jobs)
	if err == nil && len(outs) != len(jobs) {
		err = fmt.Errorf("write batch: %d outcomes for %d jobs", len(outs), len(jobs))
	}
	return outs, err
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
