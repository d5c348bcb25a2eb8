package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// scratchStore opens an empty SQLite store in a temporary directory and
// creates table t with columns cols, unless cols is empty. The caller
// closes it.
func scratchStore(t *testing.T, cols string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cols == "" {
		return db
	}
	if err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `CREATE TABLE t (`+cols+`)`)
		return err
	}); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db
}

// TestGroupCommitIsolatesFailures runs many concurrent writers, some of
// which fail after writing or panic, and checks that exactly the writes of
// the successful ones stand, that groups really formed (fewer commits than
// transactions), and that a write
// after Close is refused rather than lost.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	db := scratchStore(t, `id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE`)
	errBoom := errors.New("boom")
	const n = 400
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = db.update(ctx, func(tx *Tx) error {
				if _, err := tx.exec(ctx, `INSERT INTO t (n) VALUES (?)`, i); err != nil {
					return err
				}
				switch i % 5 {
				case 1:
					return errBoom // its row must vanish
				case 2:
					if i%10 == 2 {
						panic("writer bug")
					}
				case 3:
					// A unique violation only fails the statement; the
					// transaction then fails and must not leave its first row.
					if _, err := tx.exec(ctx, `INSERT INTO t (n) VALUES (?)`, -1-i); err != nil {
						return err
					}
					_, err := tx.exec(ctx, `INSERT INTO t (n) VALUES (?)`, -1-i)
					return err
				}
				return nil
			})
		}()
	}
	wg.Wait()
	want := map[int]bool{}
	for i, err := range results {
		switch {
		case i%5 == 1:
			if !errors.Is(err, errBoom) {
				t.Fatalf("job %d: err %v, want boom", i, err)
			}
		case i%10 == 2:
			if err == nil {
				t.Fatalf("job %d panicked but reported success", i)
			}
		case i%5 == 3:
			if err == nil || !isUniqueViolation(err) {
				t.Fatalf("job %d: err %v, want a unique violation", i, err)
			}
		default:
			if err != nil {
				t.Fatalf("job %d: %v", i, err)
			}
			want[i] = true
		}
	}
	got := map[int]bool{}
	if err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT n FROM t`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return err
			}
			got[v] = true
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(len(got)) != fmt.Sprint(len(want)) {
		t.Fatalf("%d rows stand, want %d", len(got), len(want))
	}
	for v := range got {
		if !want[v] {
			t.Fatalf("row %d of a failed transaction stands", v)
		}
	}
	if commits, txs := db.GroupStats(); txs != n+1 || commits >= txs {
		t.Fatalf("%d transactions in %d commits: no group formed", txs, commits)
	}
	db.Close()
	if err := db.update(ctx, func(*Tx) error { return nil }); !errors.Is(err, errClosed) {
		t.Fatalf("update after Close: %v", err)
	}
}

// TestGroupFirstWorkFailing runs one group directly whose first write
// fails after writing: it runs without a savepoint, so the writer rolls
// the whole transaction back and begins again. Its row must vanish, the
// next write then runs first in the new transaction, and a later failing
// write (in a savepoint again) takes only its own row with it.
func TestGroupFirstWorkFailing(t *testing.T) {
	ctx := context.Background()
	db := scratchStore(t, `n TEXT PRIMARY KEY`)
	defer db.Close()
	errBoom := errors.New("boom")
	write := func(n string, fails bool) *groupJob {
		return &groupJob{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
			if _, err := tx.exec(ctx, `INSERT INTO t (n) VALUES (?)`, n); err != nil {
				return err
			}
			if fails {
				return errBoom
			}
			return nil
		}}
	}
	jobs := []*groupJob{write("a", true), write("b", false), write("c", true), write("d", false), write("b", false)}
	// The loop is idle: nothing else writes, so the group runs here.
	db.group.run(jobs)
	for i, want := range []string{"boom", "", "boom", "", "unique"} {
		err := <-jobs[i].done
		switch {
		case want == "" && err != nil, want == "boom" && !errors.Is(err, errBoom), want == "unique" && !isUniqueViolation(err):
			t.Errorf("write %d: %v, want %s", i, err, want)
		}
	}
	var got string
	if err := db.read.QueryRowContext(ctx, `SELECT group_concat(n, ',') FROM (SELECT n FROM t ORDER BY n)`).Scan(&got); err != nil || got != "b,d" {
		t.Fatalf("rows %q, %v; want b,d", got, err)
	}
}

// TestSQLiteConnectionSettings reads back what every SQLite connection is
// opened with: the writer commits durably (synchronous FULL in WAL) and
// copies its log back only past 8,000 pages; readers cannot write.
func TestSQLiteConnectionSettings(t *testing.T) {
	ctx := context.Background()
	db := scratchStore(t, "")
	defer db.Close()
	for _, c := range []struct {
		pool   *sql.DB
		pragma string
		want   string
	}{
		{db.write, "journal_mode", "wal"}, {db.write, "synchronous", "2"}, {db.write, "wal_autocheckpoint", "8000"},
		{db.write, "foreign_keys", "1"}, {db.write, "query_only", "0"}, {db.read, "query_only", "1"}, {db.read, "synchronous", "2"},
	} {
		var got string
		if err := c.pool.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("%s on the %s: %q, %v; want %q", c.pragma, map[bool]string{true: "writer", false: "readers"}[c.pool == db.write], got, err, c.want)
		}
	}
}
