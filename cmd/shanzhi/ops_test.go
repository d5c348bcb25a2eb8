package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/i18n"
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

// TestBackupRestoreAudited backs a township up and restores it elsewhere:
// the source's audit log records the backup and the restored database's
// the restore, and every action in either log has a name in the
// catalogue, so the audit page shows no raw keys.
func TestBackupRestoreAudited(t *testing.T) {
	key := filepath.Join(t.TempDir(), "k.key")
	src, dst := newPlace(t, "sqlite", key), newPlace(t, "sqlite", key)
	db, _ := seedPlace(t, src)
	db.Close()
	file := filepath.Join(t.TempDir(), "b.db")
	if out, err := runCmd(t, append(append([]string{"backup"}, src.args...), file)...); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if out, err := runCmd(t, append(append([]string{"restore"}, dst.args...), file)...); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		place  drillPlace
		action string
	}{{src, "backup.create"}, {dst, "backup.restore"}} {
		_, db, err := loadAndOpen(context.Background(), "t", c.place.args, e2eEnv, io.Discard, io.Discard, false)
		if err != nil {
			t.Fatal(err)
		}
		entries, _, err := db.Audit().Entries(context.Background(), &access.Actor{Username: "auditor", Grants: []access.Grant{{Role: access.AuditAdmin, Region: province}}}, audit.Filter{Limit: 500})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || e.Action == c.action && e.Target == file && strings.HasPrefix(e.Actor, "system")
			if !cat.Has(i18n.ZH, e.Action) || !cat.Has(i18n.EN, e.Action) {
				t.Errorf("audit action %q has no name in the catalogue", e.Action)
			}
		}
		if !found {
			t.Errorf("no %s record naming %s in the audit log", c.action, file)
		}
	}
}
