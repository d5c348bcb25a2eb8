package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadFile reads arbitrary configuration files, which operators edit
// by hand: a file is taken or refused with an error, never a panic.
func FuzzReadFile(f *testing.F) {
	f.Add("# 善治\naddr = 0.0.0.0:8080\ndata-dir = \"/srv/shanzhi\"\n")
	f.Add("max-upload-mb = x\n")
	f.Add("log-json = true\nlockout-failures=3\n")
	f.Add("unknown = 1\n")
	f.Add("=\n\"\n")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "shanzhi.conf")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c := Default()
		if err := c.readFile(p); err == nil {
			_ = c.Validate()
		}
	})
}
