package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/sqlstore/storetest"
)

// TestGenAndLoadQuick is the quick mode of the league benchmark: it builds
// a small synthetic league on each engine, drives every load scenario
// briefly through the real server, and checks that every scenario made
// successful requests and none failed, that the generated ledger and the
// load's awards verify, and that a second gen into the same database is
// refused. The full mode is scripts/bench.sh.
func TestGenAndLoadQuick(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			dsn := "sqlite:" + filepath.Join(dir, "league.db")
			if engine == "postgres" {
				dsn = storetest.FreshDatabase(t, os.Getenv("SHANZHI_TEST_POSTGRES"))
			}
			env := func(string) string { return "" }
			common := []string{"-db", dsn, "-key-file", filepath.Join(dir, "league.key")}
			var out, errs bytes.Buffer
			if err := run(ctx, append([]string{"gen", "-households", "300", "-entries", "6000", "-seed", "7"}, common...), env, nil, &out, &errs); err != nil {
				t.Fatalf("gen: %v\n%s%s", err, out.String(), errs.String())
			}
			m := regexp.MustCompile(`generated 871 villages, 300 households, (\d+) residents .*; (\d+) ledger entries`).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("gen said:\n%s", out.String())
			}
			if !regexp.MustCompile(`organisation register: 200 organisations \(\d+ branches\), \d+ 两新 units, 1000 party members`).MatchString(out.String()) {
				t.Fatalf("gen built no organisation register:\n%s", out.String())
			}
			if entries, _ := strconv.Atoi(m[2]); entries < 5000 || entries > 6000 {
				t.Fatalf("gen wrote %d entries, want about 6000 less the deductions nobody could pay", entries)
			}
			if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
				// The file gen leaves is compact: compacting it again
				// gains nothing; and it is its owner's alone.
				again := filepath.Join(dir, "again.db")
				raw, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				_, err = raw.ExecContext(ctx, `VACUUM INTO ?`, again)
				raw.Close()
				fi, serr := os.Stat(path)
				if err != nil || serr != nil || !strings.Contains(out.String(), "compacted "+path) || fileSize(again) != fi.Size() || fi.Mode().Perm() != 0o600 {
					t.Fatalf("gen left %s of %d bytes, mode %v (%v, %v), compacted again %d bytes:\n%s", path, fileSize(path), fi.Mode(), err, serr, fileSize(again), out.String())
				}
			}
			if err := run(ctx, append([]string{"gen", "-households", "10", "-entries", "10"}, common...), env, nil, &out, &errs); err == nil {
				t.Fatal("a second gen into the same league was accepted")
			}
			out.Reset()
			if err := run(ctx, append([]string{"load", "-clients", "4", "-duration", "300ms"}, common...), env, nil, &out, &errs); err != nil {
				t.Fatalf("load: %v\n%s%s", err, out.String(), errs.String())
			}
			rows := 0
			for _, line := range strings.Split(out.String(), "\n") {
				f := strings.Split(line, "|")
				if len(f) < 8 || !strings.Contains(line, " ms ") {
					continue
				}
				rows++
				ok, _ := strconv.Atoi(strings.TrimSpace(f[4]))
				failed, _ := strconv.Atoi(strings.TrimSpace(f[6]))
				if ok == 0 || failed != 0 {
					t.Errorf("scenario %s: %d ok, %d failed\n%s", strings.TrimSpace(f[1]), ok, failed, out.String())
				}
			}
			if rows != len(loadScenarios) {
				t.Fatalf("load reported %d scenarios, want %d:\n%s", rows, len(loadScenarios), out.String())
			}
			// Paced at 40 a second for half a second, two clients send
			// about 20 requests, and never more than their schedule; the
			// run's execution trace is written beside.
			out.Reset()
			traced := filepath.Join(t.TempDir(), "load.trace")
			if err := run(ctx, append([]string{"load", "-clients", "2", "-rate", "40", "-duration", "500ms", "-scenarios", "balance", "-trace", traced}, common...), env, nil, &out, &errs); err != nil {
				t.Fatalf("paced load: %v\n%s%s", err, out.String(), errs.String())
			}
			if m := regexp.MustCompile(`\| balance \| 2 \| \d+ \| (\d+) \|`).FindStringSubmatch(out.String()); m == nil {
				t.Fatalf("paced load printed no balance row:\n%s", out.String())
			} else if n, _ := strconv.Atoi(m[1]); n < 5 || n > 22 {
				t.Fatalf("paced at 40/s for 0.5 s, the clients sent %d requests:\n%s", n, out.String())
			}
			if b, err := os.ReadFile(traced); err != nil || !bytes.HasPrefix(b, []byte("go 1.")) || len(b) < 1000 {
				t.Fatalf("load -trace wrote %d bytes (%.8q), %v", len(b), b, err)
			}
			out.Reset()
			if err := run(ctx, append([]string{"verify"}, common...), env, nil, &out, &errs); err != nil {
				t.Fatalf("verify after gen and load: %v\n%s", err, out.String())
			}
		})
	}
}
