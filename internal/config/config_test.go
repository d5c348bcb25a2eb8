package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "shanzhi.conf")
	os.WriteFile(file, []byte("# comment\naddr = 127.0.0.1:9000\nmax-upload-mb = 5\ndata-dir = /srv/a\n"), 0o600)
	env := map[string]string{"SHANZHI_CONFIG": file, "SHANZHI_MAX_UPLOAD_MB": "7"}
	c, rest, err := Load("serve", []string{"-addr", "127.0.0.1:9100", "extra"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.MaxUploadMB != 7 || c.DataDir != "/srv/a" || c.DB != "sqlite:/srv/a/shanzhi.db" || len(rest) != 1 {
		t.Fatalf("config = %+v, rest %v", c, rest)
	}
}

func TestInvalid(t *testing.T) {
	env := func(k string) string {
		return map[string]string{"SHANZHI_DB": "mysql://x", "SHANZHI_ADDR": "nohostport", "SHANZHI_TIME_ZONE": "Beijing"}[k]
	}
	_, _, err := Load("serve", nil, env, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "mysql") || !strings.Contains(err.Error(), "nohostport") || !strings.Contains(err.Error(), "Beijing") {
		t.Fatalf("err = %v, want all three problems named", err)
	}
	if c, _, err := Load("serve", []string{"-time-zone", "Asia/Urumqi"}, func(string) string { return "" }, io.Discard); err != nil || c.TimeZone != "Asia/Urumqi" {
		t.Fatalf("-time-zone: %+v, %v", c.TimeZone, err)
	}
	file := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(file, []byte("colour = blue\n"), 0o600)
	if _, _, err := Load("serve", []string{"-config", file}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("an unknown setting in the file was accepted")
	}
}

// TestFailureLimits reads the failure limits from flags and SHANZHI_*
// variables and refuses values that would turn them off or lock an
// office out.
func TestFailureLimits(t *testing.T) {
	env := map[string]string{"SHANZHI_CODE_FAILURES_PER_IP": "40", "SHANZHI_FAILURE_WINDOW_MINUTES": "5"}
	c, _, err := Load("serve", []string{"-login-failures-per-ip", "100"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.CodeFailuresPerIP != 40 || c.FailureWindowMinutes != 5 || c.LoginFailuresPerIP != 100 || c.LoginFailuresPerAccount != 10 {
		t.Fatalf("config = %+v", c)
	}
	if _, _, err := Load("serve", []string{"-code-failures-per-ip", "0"}, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "code-failures-per-ip") {
		t.Fatalf("a zero limit: %v", err)
	}
}
