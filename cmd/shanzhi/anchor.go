package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"shanzhi/internal/sqlstore"
)

// cmdAnchor writes an anchor of every chain head (each audit partition
// and each village ledger: place, keyed hash, time) for the operator to
// keep where the database cannot reach it; -region keeps the chains of
// one region, the part the level above holds. Without -out it prints the
// anchor, to be piped wherever it is kept.
func cmdAnchor(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("anchor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	region := fs.String("region", "", "keep only the chains of this region (the export the level above holds)")
	out := fs.String("out", "", "write the anchor to this file instead of printing it")
	args, err := splitFlags(fs, args)
	if err != nil {
		return err
	}
	_, db, err := loadAndOpen(ctx, "anchor", args, getenv, stdout, stderr, false)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.Anchor(ctx)
	if err != nil {
		return err
	}
	if *region != "" {
		a = a.Within(*region)
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *out == "" {
		_, err := stdout.Write(b)
		return err
	}
	if err := writeFileAtomic(*out, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "anchor of %d chain heads written to %s; keep it where the database's users cannot reach it\n", len(a.Heads), *out)
	return nil
}

// writeFileAtomic writes b to path through a synced temporary file and a
// rename, so an anchor that exists under its name is whole.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return syncAndRename(tmp.Name(), path)
}

// writeAnchor writes the whole database's anchor into dir under a name
// dated by its time, and returns the name.
func writeAnchor(ctx context.Context, db *sqlstore.DB, dir string) (string, error) {
	a, err := db.Anchor(ctx)
	if err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := filepath.Join(dir, "shanzhi-anchor-"+a.Taken.UTC().Format("20060102T150405Z")+".json")
	return name, writeFileAtomic(name, append(b, '\n'))
}

// anchorDaily writes an anchor when the server starts and every day
// after. Several servers on one database each write theirs: an anchor is
// a reading, and more of them only narrow the window a rewrite has.
func anchorDaily(ctx context.Context, db *sqlstore.DB, dir string, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if name, err := writeAnchor(ctx, db, dir); err != nil && ctx.Err() == nil {
			log.Error("chain anchor", "dir", dir, "err", err)
		} else if err == nil {
			log.Info("chain anchor", "file", name)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// verifyFlags are verify's own flags: anchor files to check the database
// against, and notice codes.
type verifyFlags struct {
	anchors bool
	code    string
}

func parseVerifyFlags(args []string, stderr io.Writer) ([]string, verifyFlags, error) {
	var v verifyFlags
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&v.anchors, "anchors", false, "check the database against the anchor files named after the flags")
	fs.StringVar(&v.code, "code", "", "check a code printed on a village's notice (VILLAGE/KEY/LEDGER/AUDIT/CODE)")
	args, err := splitFlags(fs, args)
	return args, v, err
}

// verifyAnchors checks the database against each anchor file: a chain
// rewritten or shortened before an anchor fails; an anchor newer than a
// restored copy is reported as such.
func verifyAnchors(ctx context.Context, db *sqlstore.DB, files []string, stdout io.Writer) error {
	if len(files) == 0 {
		return errors.New("verify -anchors: name at least one anchor file")
	}
	bad := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var a sqlstore.Anchor
		if err := json.Unmarshal(b, &a); err != nil || a.Format != sqlstore.AnchorFormat {
			return fmt.Errorf("%s is not a shanzhi anchor file (%v)", f, err)
		}
		findings, err := db.CheckAnchor(ctx, a)
		if err != nil {
			return err
		}
		newer := 0
		for _, x := range findings {
			fmt.Fprintf(stdout, "anchor %s, %s chain %s at %d: %s\n", f, x.Head.Chain, x.Head.Part, x.Head.Seq, x.Reason)
			if x.Newer {
				newer++
			} else {
				bad++
			}
		}
		switch {
		case len(findings) == 0:
			fmt.Fprintf(stdout, "anchor %s of %s: all %d chain heads match\n", f, a.Taken.UTC().Format(time.RFC3339), len(a.Heads))
		case newer == len(findings):
			fmt.Fprintf(stdout, "anchor %s of %s is newer than this copy (expected after a restore): %d of %d chain heads lie beyond it\n",
				f, a.Taken.UTC().Format(time.RFC3339), newer, len(a.Heads))
		}
	}
	if bad > 0 {
		return fmt.Errorf("anchors: %d chain heads do not match: rewritten or shortened since they were anchored", bad)
	}
	return nil
}

// verifyCode checks a code copied off a village's notice.
func verifyCode(ctx context.Context, db *sqlstore.DB, code string, stdout io.Writer) error {
	c, err := sqlstore.ParseNoticeCode(code)
	if err != nil {
		return err
	}
	if err := db.CheckNoticeCode(ctx, c); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "notice code %s matches: the ledger of %s up to entry %d and its audit trail up to row %d are as printed\n", c, c.Village, c.LedgerSeq, c.AuditSeq)
	return nil
}
