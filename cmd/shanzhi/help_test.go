package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSubcommandHelp asks every command for -h: it lists the command's own
// flags beside the shared ones, with the defaults that command uses, and
// ends without an error (no "flag: help requested").
func TestSubcommandHelp(t *testing.T) {
	for _, c := range []struct {
		cmd  string
		want []string
	}{
		{"backup", []string{"-with-key", "-force", "-data-dir"}},
		{"restore", []string{"-with-key", "-force", "-db"}},
		{"gen", []string{"-size", "-households", "-seed", "-data-dir"}},
		{"load", []string{"-clients", "-duration", "-addr"}},
		{"demo", []string{"(default shanzhi-demo)"}},
		{"serve", []string{"-trusted-proxies", "-login-failures-per-ip", "(default shanzhi-data)"}},
		{"rotate-key", []string{"-key-file"}},
		{"verify", []string{"-db"}},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{c.cmd, "-h"}, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
		help := out.String() + errb.String()
		if err != nil {
			t.Errorf("%s -h: %v", c.cmd, err)
		}
		for _, w := range c.want {
			if !strings.Contains(help, w) {
				t.Errorf("%s -h does not mention %s:\n%s", c.cmd, w, help)
			}
		}
		if strings.Contains(help, "help requested") {
			t.Errorf("%s -h ends with flag's complaint:\n%s", c.cmd, help)
		}
	}
}

// TestKeyMismatchNamesFile opens a database with a key file that did not
// seal it: the error, Chinese first, names the file that was read.
func TestKeyMismatchNamesFile(t *testing.T) {
	dir := t.TempDir()
	if out, err := runCmd(t, "migrate", "-data-dir", dir); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	// The next open records the key the database is indexed with.
	if out, err := runCmd(t, "verify", "-data-dir", dir); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	other := writeKey(t)
	_, err := runCmd(t, "verify", "-data-dir", dir, "-key-file", other)
	if err == nil || !strings.Contains(err.Error(), other) || !strings.HasPrefix(err.Error(), "密钥") {
		t.Fatalf("verify with another key file: %v", err)
	}
}
