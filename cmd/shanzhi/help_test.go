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
