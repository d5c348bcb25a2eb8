package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"shanzhi/internal/config"
)

const usage = `shanzhi — grassroots governance platform (善治)

Usage:
  shanzhi demo     [flags]   start with a demo dataset in ./shanzhi-demo
  shanzhi serve    [flags]   start the server
  shanzhi migrate  [flags]   create or upgrade the database, then exit
  shanzhi verify   [flags] [-anchors FILE...] [-code VILLAGE/KEY/LEDGER/AUDIT/CODE]
                             check the audit chains and the points ledgers, and
                             against anchors kept outside the database or a code
                             copied off a village's notice
  shanzhi anchor   [flags] [-region CODE] [-out FILE]
                             write an anchor of every chain head (each village's
                             ledger and audit trail) to keep outside the database;
                             -region keeps the part the level above holds
  shanzhi backup   [flags] [-with-key] [FILE]
                             copy the database, live, to one file (备份); the
                             personal-data key is not in it: back the key up
                             once on its own, or -with-key writes FILE.key
  shanzhi restore  [flags] [-force] [-with-key] FILE
                             replace the database with a backup (恢复), checked
                             first, then verified; stop the server first;
                             -force overwrites a database that holds data
  shanzhi gen      [flags] [-size ci|small|medium|league] [-households N] [-entries N] [-seed S]
                             build a synthetic 兴安盟 (871 villages) into an empty
                             database, for benchmarks and drills
  shanzhi load     [flags] [-clients 16] [-duration 10s] [-scenarios a,b]
                             start the server on a loopback port over the
                             database and measure it with concurrent clients
  shanzhi rotate-key [flags] move personal data to a new key (stop the server first)
  shanzhi version            print the version

Common flags (also SHANZHI_* variables or a -config file of key = value lines):
  -db sqlite:PATH | postgres://...   database (default sqlite:<data-dir>/shanzhi.db)
  -addr HOST:PORT                    listen address (default 127.0.0.1:8080)
  -data-dir DIR                      data directory (default shanzhi-data)
  -key-file FILE                     personal-data key (default <data-dir>/shanzhi.key)
`

// run is main without the process: arguments, environment and streams
// come in, an error comes out, so tests run the real command in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	err := runCommand(ctx, args[0], args[1:], getenv, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the help was asked for and printed
	}
	return err
}

// runCommand runs one subcommand.
func runCommand(ctx context.Context, cmd string, rest []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, rest, getenv, stdout, stderr)
	case "anchor":
		return cmdAnchor(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, getenv, stdout, stderr)
	case "load":
		return cmdLoad(ctx, rest, getenv, stdout, stderr)
	case "gen":
		return cmdGen(ctx, rest, getenv, stdout, stderr)
	case "rotate-key":
		return cmdRotateKey(ctx, rest, getenv, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// splitFlags takes the flags fs defines out of args, in any spelling the
// flag package accepts, and parses them, leaving the rest (and everything
// after "--") for config.Load, so a command can add its own flags to the
// common ones.
func splitFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			// The command's own flags and the shared settings, in one
			// help; flag.ErrHelp ends the command without an error.
			config.Usage(fs.Name(), fs, fs.Output())
			return nil, flag.ErrHelp
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if !strings.HasPrefix(a, "-") || f == nil {
			rest = append(rest, a)
			continue
		}
		mine = append(mine, a)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasVal && !(ok && b.IsBoolFlag()) && i+1 < len(args) {
			i++
			mine = append(mine, args[i])
		}
	}
	return rest, fs.Parse(mine)
}
