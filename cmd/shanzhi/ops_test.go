package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/sqlstore/storetest"
)

// TestOperationsRefuseRunningServer starts a server and tries what must
// not run under one: rotate-key on both engines, and restore -force into
// the PostgreSQL database the server uses, whose servers run elsewhere
// and are seen only through their leases. Both are refused, naming why,
// and the server goes on answering.
func TestOperationsRefuseRunningServer(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			key := writeKey(t)
			place := newPlace(t, engine, key)
			if out, err := runCmd(t, append([]string{"migrate"}, place.args...)...); err != nil {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
			backup := filepath.Join(t.TempDir(), "b")
			if out, err := runCmd(t, append(append([]string{"backup"}, place.args...), backup)...); err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			args := append([]string{"serve", "-addr", "127.0.0.1:0"}, place.args...)
			if engine == "postgres" {
				args = append(args, "-data-dir", t.TempDir())
			}
			startCommand(t, ctx, args, func(string) bool { return true })

			out, err := runCmd(t, append([]string{"rotate-key"}, place.args...)...)
			if err == nil || !strings.Contains(err.Error(), "正在") || !strings.Contains(err.Error(), "rotate-key") {
				t.Fatalf("rotate-key under a running server: %v\n%s", err, out)
			}
			if engine == "postgres" {
				out, err := runCmd(t, append(append([]string{"restore", "-force"}, place.args...), backup)...)
				if err == nil || !strings.Contains(err.Error(), "正在被服务器使用") || !strings.Contains(err.Error(), "127.0.0.1") {
					t.Fatalf("restore -force under a running server: %v\n%s", err, out)
				}
			}
		})
	}
}

// TestRotateKeyLiftsMarker runs rotate-key with no server up: it rotates,
// and leaves no maintenance marker that would keep a server from starting.
func TestRotateKeyLiftsMarker(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			place := newPlace(t, engine, filepath.Join(t.TempDir(), "k.key"))
			if out, err := runCmd(t, append([]string{"migrate"}, place.args...)...); err != nil {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
			if out, err := runCmd(t, append([]string{"rotate-key"}, place.args...)...); err != nil {
				t.Fatalf("rotate-key: %v\n%s", err, out)
			}
			_, db, err := loadAndOpen(context.Background(), "t", place.args, e2eEnv, io.Discard, io.Discard, false)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			lease, err := db.StartLease(context.Background(), "test")
			if err != nil {
				t.Fatalf("a server cannot start after rotate-key: %v", err)
			}
			lease.Close()
		})
	}
}
