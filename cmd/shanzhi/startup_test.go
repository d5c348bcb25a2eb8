package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestConcurrentFirstStart starts two servers at the same moment on one
// fresh PostgreSQL database, several times over, half of them on a
// database migrate has prepared and half on an empty one: both must come
// up, and the database must hold exactly the three first administrators,
// with one set of one-time passwords written.
func TestConcurrentFirstStart(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("PostgreSQL only: SHANZHI_TEST_POSTGRES is not set")
	}
	key := writeKey(t)
	for i := range 6 {
		dsn := storetest.FreshDatabase(t, os.Getenv("SHANZHI_TEST_POSTGRES"))
		if i%2 == 0 {
			if out, err := runCmd(t, "migrate", "-db", dsn, "-key-file", key); err != nil {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
		}
		dirs := []string{t.TempDir(), t.TempDir()}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		outs := make([]*syncBuffer, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		for j := range 2 {
			outs[j] = &syncBuffer{}
			wg.Go(func() {
				<-start
				errs[j] = run(ctx, []string{"serve", "-db", dsn, "-key-file", key, "-data-dir", dirs[j], "-addr", "127.0.0.1:0"}, e2eEnv, strings.NewReader(""), outs[j], outs[j])
			})
		}
		close(start)
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) && !(strings.Contains(outs[0].String(), "listening") && strings.Contains(outs[1].String(), "listening")) {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		for j := range 2 {
			if errs[j] != nil || !strings.Contains(outs[j].String(), "listening") {
				t.Fatalf("try %d: server %d: %v\n%s", i, j, errs[j], outs[j].String())
			}
		}
		files, _ := filepath.Glob(filepath.Join(dirs[0], "first-admins-*"))
		more, _ := filepath.Glob(filepath.Join(dirs[1], "first-admins-*"))
		if len(files)+len(more) != 1 {
			t.Errorf("try %d: %d one-time password files written, want 1", i, len(files)+len(more))
		}
		db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.CountUsers(context.Background())
		db.Close()
		if err != nil || n != 3 {
			t.Fatalf("try %d: %d users (%v), want the 3 first administrators", i, n, err)
		}
	}
}
