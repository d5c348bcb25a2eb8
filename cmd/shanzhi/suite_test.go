package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"shanzhi/internal/secret"
)

// TestCryptoSuiteFlag: -crypto-suite picks the suite of the key migrate
// creates and of the key rotate-key adds; without it rotate-key keeps the
// suite of the current key, and the server opens a key file of both.
func TestCryptoSuiteFlag(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "k.key")
	place := newPlace(t, "sqlite", keyFile)
	suites := func() []secret.Suite {
		t.Helper()
		keys, err := secret.LoadKeys(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		var out []secret.Suite
		for _, k := range keys {
			out = append(out, k.Suite)
		}
		return out
	}
	run := func(args ...string) {
		t.Helper()
		if out, err := runCmd(t, append(args, place.args...)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("migrate", "-crypto-suite", "sm")
	if s := suites(); len(s) != 1 || s[0] != secret.SM {
		t.Fatalf("migrate -crypto-suite sm made keys %v", s)
	}
	// A setting the key file does not follow is pointed out, with the way
	// to follow it.
	out, err := runCmd(t, append([]string{"migrate", "-crypto-suite", "aes"}, place.args...)...)
	if first, _ := secret.LoadFile(keyFile); err != nil || !strings.Contains(out, secret.KeyID(first)) || !strings.Contains(out, "rotate-key") {
		t.Fatalf("migrate -crypto-suite aes over an SM key: %v\n%s", err, out)
	}
	if out, _ := runCmd(t, append([]string{"migrate", "-crypto-suite", "sm"}, place.args...)...); strings.Contains(out, "rotate-key") {
		t.Fatalf("a setting the key follows was reported:\n%s", out)
	}
	run("rotate-key")
	if s := suites(); len(s) != 2 || s[0] != secret.SM {
		t.Fatalf("rotate-key without the setting made keys %v, want the current suite kept", s)
	}
	run("rotate-key", "-crypto-suite", "aes")
	if s := suites(); len(s) != 3 || s[0] != secret.AES || s[1] != secret.SM {
		t.Fatalf("rotate-key -crypto-suite aes made keys %v", s)
	}
	_, db, err := loadAndOpen(context.Background(), "t", place.args, e2eEnv, io.Discard, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, _ := secret.LoadKeys(keyFile)
	if db.IndexKeyID() != secret.KeyID(keys[0]) {
		t.Fatalf("indexes with %s, want the new AES key %s", db.IndexKeyID(), secret.KeyID(keys[0]))
	}
	if _, err := runCmd(t, append([]string{"rotate-key", "-crypto-suite", "sm4"}, place.args...)...); err == nil {
		t.Fatal("an unknown suite was accepted")
	}
}
