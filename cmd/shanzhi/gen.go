package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"shanzhi/internal/config"
	"shanzhi/internal/procmem"
	"shanzhi/internal/sqlstore"
)

// xingan is 兴安盟, the league the synthetic data is built over.
const xingan = "152200000000"

// genSizes are the named sizes of the generator: a CI set that builds in
// seconds, and the league of the issue (500,000 households, 10,000,000
// entries).
var genSizes = map[string][2]int{
	"ci":     {2_000, 40_000},
	"small":  {20_000, 400_000},
	"medium": {100_000, 2_000_000},
	"league": {500_000, 10_000_000},
}

// genOrgSizes are the organisation registers of the sizes: organisations
// and party members, the league's as the issue sizes it.
var genOrgSizes = map[string][2]int{
	"ci":     {200, 1_000},
	"small":  {2_000, 10_000},
	"medium": {10_000, 50_000},
	"league": {20_000, 100_000},
}

// cpuProfile starts a CPU profile into path, if one is asked for.
func cpuProfile(path string) (stop func(), err error) {
	return recordTo(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// recordTo starts a recording into path with start, if one is asked for;
// stop ends it with end and closes the file.
func recordTo(path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { end(); f.Close() }, nil
}

// cmdGen builds a synthetic league into an empty database.
func cmdGen(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "ci", "ci, small, medium or league")
	households := fs.Int("households", 0, "households (overrides -size)")
	entries := fs.Int("entries", 0, "ledger entries over the year (overrides -size)")
	redemptions := fs.Int("redemptions", -1, "counter redemptions (default: one for every 100 entries)")
	orgs := fs.Int("orgs", -1, "party organisations (default by -size)")
	members := fs.Int("members", -1, "party members (default by -size)")
	seed := fs.Int64("seed", 1, "seed: the same seed builds the same league")
	today := fs.String("today", "", "reference date yyyy-mm-dd (default: today)")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	rest, err := splitFlags(fs, args)
	if err != nil {
		return err
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	n, ok := genSizes[*size]
	if !ok {
		return errors.New(cliText(getenv)("cli.gen_size", *size))
	}
	if *households > 0 {
		n[0] = *households
	}
	if *entries > 0 {
		n[1] = *entries
	}
	if *redemptions < 0 {
		*redemptions = n[1] / 100
	}
	if *orgs < 0 {
		*orgs = genOrgSizes[*size][0]
	}
	if *members < 0 {
		*members = genOrgSizes[*size][1]
	}
	day := time.Now()
	if *today != "" {
		if day, err = time.Parse(time.DateOnly, *today); err != nil {
			return errors.New(cliText(getenv)("cli.gen_today", *today))
		}
	}
	cfg, _, err := config.Load("gen", rest, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, true, stdout)
	if err != nil {
		return err
	}
	closeDB := sync.OnceValue(db.Close)
	defer closeDB()
	start := time.Now()
	last := time.Now()
	rep, err := db.Generate(ctx, sqlstore.GenSpec{League: xingan, Households: n[0], Entries: n[1], Redemptions: *redemptions, Seed: *seed, Today: day, MongolShare: 0.4},
		func(stage string, done, total int) {
			if time.Since(last) > 5*time.Second || done == total {
				last = time.Now()
				fmt.Fprintf(stdout, "%s: %d / %d (%s)\n", stage, done, total, time.Since(start).Round(time.Second))
			}
		})
	if err != nil {
		return err
	}
	orgRep, err := db.GenerateOrgs(ctx, sqlstore.GenOrgSpec{League: xingan, Orgs: *orgs, Members: *members, Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "organisation register: %d organisations (%d branches), %d 两新 units, %d party members in %s\n",
		orgRep.Orgs, orgRep.Branches, orgRep.Units, orgRep.Members, orgRep.Took.Round(time.Millisecond))
	took := time.Since(start)
	fmt.Fprintf(stdout, "generated %d villages, %d households, %d residents in %s (%.0f households/s); %d ledger entries in %s (%.0f entries/s); "+
		"%d stores, %d redemptions (%d unaffordable) in %s (%.0f/s); total %s, peak RSS %d MB\n",
		rep.Villages, rep.Households, rep.Residents, rep.HouseholdsTook.Round(time.Millisecond), float64(rep.Households)/rep.HouseholdsTook.Seconds(),
		rep.Entries, rep.LedgerTook.Round(time.Millisecond), float64(rep.Entries)/rep.LedgerTook.Seconds(),
		rep.Stores, rep.Redemptions, rep.Refused, rep.MarketTook.Round(time.Millisecond), float64(rep.Redemptions+rep.Refused)/max(rep.MarketTook.Seconds(), 1e-9),
		took.Round(time.Millisecond), procmem.PeakKB()>>10)
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
		before := fileSize(path)
		if err := compactSQLite(ctx, db, closeDB, path); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "compacted %s: %d → %d bytes\n", path, before, fileSize(path))
	}
	return nil
}

// compactSQLite rewrites gen's SQLite file at path with its pages full,
// as a backup and its restore would, then closes db with closeDB: a bulk
// load inserts in no key's order and leaves its b-trees' pages part
// filled (the league set: 3.05 GB as written, 2.90 GB compacted). A
// server's file fills the same way as it grows; a backup restored is
// compact again.
func compactSQLite(ctx context.Context, db *sqlstore.DB, closeDB func() error, path string) error {
	tmpName, err := tempBeside(path, "compact")
	if err != nil {
		return err
	}
	defer removeSQLiteFiles(tmpName) // a no-op once renamed
	if err := db.BackupSQLite(ctx, tmpName); err != nil {
		return err
	}
	if err := closeDB(); err != nil {
		return err
	}
	// Closed, the old file's journals are empty.
	return replaceSQLiteFile(tmpName, path)
}

// fileSize is the size of the file at path, 0 when it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
