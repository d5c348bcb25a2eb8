package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyCommand runs migrate and verify as an operator would, then
// alters one audit row behind the product's back and expects verify to
// fail naming it.
func TestVerifyCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := func(string) string { return "" }
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"migrate", "-data-dir", dir}, env, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errb.String())
	}
	out.Reset()
	if err := run(ctx, []string{"verify", "-data-dir", dir}, env, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "audit chain intact") || !strings.Contains(out.String(), "points ledgers intact") {
		t.Fatalf("verify said:\n%s", out.String())
	}
	raw, err := sql.Open("sqlite", filepath.Join(dir, "shanzhi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_log SET detail = 'edited' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"verify", "-data-dir", dir}, env, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Fatalf("verify of an altered row: %v", err)
	}
}
