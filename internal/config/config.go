// Package config gathers the settings of one server process from, in
// rising order of precedence, built-in defaults, a key = value file,
// SHANZHI_* environment variables and command-line flags.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"shanzhi/internal/localtime"
)

// Config is everything a server needs to start.
type Config struct {
	DB      string // sqlite:PATH or postgres://...
	Addr    string // listen address
	DataDir string // where the SQLite file and key file live by default
	KeyFile string // the personal-data key; SHANZHI_DATA_KEY overrides
	Key     string // base64 key from the environment
	// CryptoSuite is the suite of the next key made, the first or one
	// rotate-key adds: "aes" or "sm" (SM4, SM3); empty keeps the current
	// key's suite (aes for a first key). Keys already made keep theirs.
	CryptoSuite string
	MaxUploadMB int // the largest accepted upload
	LogJSON     bool

	TrustedProxies string // comma-separated IPs and CIDRs of reverse proxies
	TLSCert        string // serve HTTPS directly with this certificate...
	TLSKey         string // ...and this key; empty leaves TLS to a proxy

	PasswordMaxAgeDays int // 0: passwords never expire
	LockoutFailures    int
	LockoutMinutes     int
	AuditRetentionDays int

	// TimeZone is the IANA zone a fresh database is given; the database
	// keeps it thereafter (empty: the one it keeps, or Asia/Shanghai).
	TimeZone string
	// AnchorDir is where the server writes an anchor of every chain head
	// each day: a directory the database cannot reach (another disk, a
	// share the level above reads); empty means <data-dir>/anchors.
	AnchorDir string
	// Failed sign-ins and second-factor codes allowed per window, before
	// the client waits; successes do not count.
	LoginFailuresPerIP      int
	LoginFailuresPerAccount int
	CodeFailuresPerIP       int
	FailureWindowMinutes    int
}

// Default returns the settings a township PC runs with untouched.
func Default() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "shanzhi-data", MaxUploadMB: 20,
		PasswordMaxAgeDays: 90, LockoutFailures: 5, LockoutMinutes: 30, AuditRetentionDays: 365,
		LoginFailuresPerIP: 30, LoginFailuresPerAccount: 10, CodeFailuresPerIP: 10, FailureWindowMinutes: 15}
}

// DefaultFor returns the defaults of a command: the demo keeps its data
// apart from a real installation's, in shanzhi-demo.
func DefaultFor(name string) Config {
	c := Default()
	if name == "demo" {
		c.DataDir = "shanzhi-demo"
	}
	return c
}

// flagSet defines every setting, and -config, as flags of name.
func (c *Config) flagSet(name, cfgFile string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	file := fs.String("config", cfgFile, "configuration file of key = value lines")
	for _, f := range c.fields() {
		fs.Var(f.v, f.name, f.usage)
	}
	return fs, file
}

// Usage prints a command's help: its own flags first, when it has any,
// then the settings every command shares, with the defaults that command
// runs with.
func Usage(name string, own *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "用法 Usage: shanzhi %s [flags]\n", name)
	if own != nil {
		n := 0
		own.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(w, "\n%s 的参数 (flags of %s):\n", name, name)
			own.SetOutput(w)
			own.PrintDefaults()
		}
	}
	fmt.Fprintln(w, "\n通用参数，也可用 SHANZHI_* 环境变量或 -config 文件设置 (common settings, also SHANZHI_* variables or a -config file):")
	c := DefaultFor(name)
	fs, _ := c.flagSet(name, "")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// fields maps each setting's file and environment name to its flag and
// value, so the three sources cannot drift apart.
func (c *Config) fields() []field {
	return []field{
		{"db", "database: sqlite:PATH or postgres://user@host/db", strVal{&c.DB}},
		{"addr", "listen address", strVal{&c.Addr}},
		{"data-dir", "data directory for the SQLite file and the key file", strVal{&c.DataDir}},
		{"key-file", "file holding the personal-data encryption key", strVal{&c.KeyFile}},
		{"data-key", "personal-data key, base64 (prefer key-file)", strVal{&c.Key}},
		{"crypto-suite", "suite of the next personal-data key made (first key, rotate-key): aes (AES-256-GCM, HMAC-SHA-256) or sm (SM4, SM3); default: the current key's", strVal{&c.CryptoSuite}},
		{"max-upload-mb", "largest accepted upload in MB", intVal{&c.MaxUploadMB}},
		{"log-json", "log as JSON lines", boolVal{&c.LogJSON}},
		{"trusted-proxies", "reverse proxies whose X-Forwarded-For is believed (IPs, CIDRs)", strVal{&c.TrustedProxies}},
		{"tls-cert", "certificate file to serve HTTPS directly", strVal{&c.TLSCert}},
		{"tls-key", "key file of the certificate", strVal{&c.TLSKey}},
		{"password-max-age-days", "days after which a password must be changed (0: never)", intVal{&c.PasswordMaxAgeDays}},
		{"lockout-failures", "failed sign-ins that lock an account", intVal{&c.LockoutFailures}},
		{"lockout-minutes", "how long a locked account stays locked", intVal{&c.LockoutMinutes}},
		{"audit-retention-days", "days the audit trail is kept (at least 184)", intVal{&c.AuditRetentionDays}},
		{"time-zone", "time zone of a fresh database, e.g. Asia/Shanghai (the default); the database keeps it", strVal{&c.TimeZone}},
		{"anchor-dir", "directory, outside the database, where the server writes a daily anchor of every chain head (default <data-dir>/anchors)", strVal{&c.AnchorDir}},
		{"login-failures-per-ip", "failed sign-ins allowed from one client address per failure window", intVal{&c.LoginFailuresPerIP}},
		{"login-failures-per-account", "failed sign-ins allowed for one account name per failure window", intVal{&c.LoginFailuresPerAccount}},
		{"code-failures-per-ip", "wrong second-factor codes allowed from one client address per failure window", intVal{&c.CodeFailuresPerIP}},
		{"failure-window-minutes", "the window the failure limits count over, in minutes", intVal{&c.FailureWindowMinutes}},
	}
}

type field struct {
	name, usage string
	v           flag.Value
}

// Load reads configuration for a subcommand and returns the remaining
// positional arguments.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	c := DefaultFor(name)
	fs, cfgFile := c.flagSet(name, getenv("SHANZHI_CONFIG"))
	fs.SetOutput(stderr)
	fs.Usage = func() { Usage(name, nil, stderr) }
	// Flags are parsed twice: first to find -config, then, after the file
	// and the environment, again so that flags win.
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	c = DefaultFor(name)
	if *cfgFile != "" {
		if err := c.readFile(*cfgFile); err != nil {
			return c, nil, err
		}
	}
	for _, f := range c.fields() {
		env := "SHANZHI_" + strings.ToUpper(strings.ReplaceAll(f.name, "-", "_"))
		if v := getenv(env); v != "" {
			if err := f.v.Set(v); err != nil {
				return c, nil, fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	fs2 := flag.NewFlagSet(name, flag.ContinueOnError)
	fs2.SetOutput(io.Discard)
	fs2.String("config", "", "")
	for _, f := range c.fields() {
		fs2.Var(f.v, f.name, f.usage)
	}
	if err := fs2.Parse(args); err != nil {
		return c, nil, err
	}
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "shanzhi.db")
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "shanzhi.key")
	}
	if c.AnchorDir == "" {
		c.AnchorDir = filepath.Join(c.DataDir, "anchors")
	}
	return c, fs2.Args(), c.Validate()
}

func (c *Config) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	byName := map[string]flag.Value{}
	for _, fl := range c.fields() {
		byName[fl.name] = fl.v
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		fv, known := byName[k]
		if !ok || !known {
			return fmt.Errorf("config file %s line %d: unknown setting %q", path, n, k)
		}
		if err := fv.Set(v); err != nil {
			return fmt.Errorf("config file %s line %d: %w", path, n, err)
		}
	}
	return sc.Err()
}

// Validate rejects settings the server could not run with, naming each.
func (c Config) Validate() error {
	var errs []error
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, fmt.Errorf("db %q: want sqlite:PATH or postgres://", c.DB))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: %w", c.Addr, err))
	}
	if c.CryptoSuite != "" && c.CryptoSuite != "aes" && c.CryptoSuite != "sm" {
		errs = append(errs, fmt.Errorf("crypto-suite %q: want aes or sm", c.CryptoSuite))
	}
	if c.MaxUploadMB < 1 || c.MaxUploadMB > 512 {
		errs = append(errs, fmt.Errorf("max-upload-mb %d: want 1 to 512", c.MaxUploadMB))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls-cert and tls-key go together"))
	}
	if c.PasswordMaxAgeDays < 0 || c.PasswordMaxAgeDays > 3650 {
		errs = append(errs, fmt.Errorf("password-max-age-days %d: want 0 to 3650", c.PasswordMaxAgeDays))
	}
	if c.LockoutFailures < 3 || c.LockoutFailures > 10 {
		errs = append(errs, fmt.Errorf("lockout-failures %d: want 3 to 10", c.LockoutFailures))
	}
	if c.LockoutMinutes < 1 || c.LockoutMinutes > 1440 {
		errs = append(errs, fmt.Errorf("lockout-minutes %d: want 1 to 1440", c.LockoutMinutes))
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"login-failures-per-ip", c.LoginFailuresPerIP}, {"login-failures-per-account", c.LoginFailuresPerAccount}, {"code-failures-per-ip", c.CodeFailuresPerIP}} {
		if l.n < 3 || l.n > 1000 {
			errs = append(errs, fmt.Errorf("%s %d: want 3 to 1000", l.name, l.n))
		}
	}
	if c.FailureWindowMinutes < 1 || c.FailureWindowMinutes > 1440 {
		errs = append(errs, fmt.Errorf("failure-window-minutes %d: want 1 to 1440", c.FailureWindowMinutes))
	}
	if c.AuditRetentionDays < 184 {
		errs = append(errs, fmt.Errorf("audit-retention-days %d: the law asks for at least 184", c.AuditRetentionDays))
	}
	if c.TimeZone != "" {
		if _, err := localtime.Load(c.TimeZone); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type strVal struct{ p *string }

func (v strVal) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v strVal) Set(s string) error { *v.p = s; return nil }

type intVal struct{ p *int }

func (v intVal) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}
func (v intVal) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v.p = n
	return nil
}

type boolVal struct{ p *bool }

func (v boolVal) String() string   { return strconv.FormatBool(v.p != nil && *v.p) }
func (v boolVal) IsBoolFlag() bool { return true }
func (v boolVal) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*v.p = b
	return nil
}
