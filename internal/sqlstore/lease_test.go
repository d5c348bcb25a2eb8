package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestServerLease plays a server and an operation on two handles of one
// database, as two machines would be: the operation is refused while the
// server's lease is live; a marker set behind the server's back stops its
// transactions within a second and lifting it resumes them; a server does
// not start under a marker; and a closed server leaves no lease.
func TestServerLease(t *testing.T) {
	storetest.EachUnkeyed(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		op, err := db.Reopen(ctx, storetest.Box(t))
		if err != nil {
			t.Fatal(err)
		}
		defer op.Close()
		lease, err := db.StartLease(ctx, "127.0.0.1:8080")
		if err != nil {
			t.Fatal(err)
		}
		live, err := op.BeginMaintenance(ctx, "rotate-key")
		if err != nil || len(live) != 1 || live[0].Addr != "127.0.0.1:8080" {
			t.Fatalf("maintenance under a running server: %v %v, want it refused naming the server", live, err)
		}
		if _, err := db.CountUsers(ctx); err != nil {
			t.Fatalf("a refused operation left the server paused: %v", err)
		}

		// A marker the lease check missed (set by hand here) stops the
		// server within a second.
		if err := op.EndMaintenance(ctx); err != nil {
			t.Fatal(err)
		}
		if err := op.ExecRaw(ctx, `INSERT INTO settings (name, value) VALUES ('maintenance', 'rotate-key|elsewhere|1|0')`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if _, err := db.CountUsers(ctx); !fault.Is(err, fault.Unavailable) {
			t.Fatalf("a second after the marker the server still answers: %v", err)
		}
		if _, err := db.StartLease(ctx, "127.0.0.1:8081"); !fault.Is(err, fault.Unavailable) {
			t.Fatalf("a server started under a marker: %v", err)
		}
		if err := op.EndMaintenance(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if _, err := db.CountUsers(ctx); err != nil {
			t.Fatalf("a second after the marker was lifted the server is still paused: %v", err)
		}

		lease.Close()
		if live, err := op.BeginMaintenance(ctx, "rotate-key"); err != nil || len(live) != 0 {
			t.Fatalf("maintenance after the server stopped: %v %v", live, err)
		}
		op.EndMaintenance(ctx)
	})
}
