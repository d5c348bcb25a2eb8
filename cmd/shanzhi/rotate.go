package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/config"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
)

// cmdRotateKey moves every sealed ID number, phone and staged upload onto
// a new personal-data key, in steps ordered so that a crash anywhere
// leaves a working system: the new key is added first to the key file,
// beside the old ones, before the database depends on it; the database
// then moves in one transaction, recording the key its hashes use; and a
// second run after a crash finishes what the first began instead of
// starting another rotation. Old keys stay in the file, since backups
// taken before today still need them.
func cmdRotateKey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("rotate-key", args, getenv, stderr)
	if err != nil {
		return err
	}
	t := cliText(getenv)
	if cfg.Key != "" {
		return errors.New(t("rotate.env_key"))
	}
	keys, err := secret.LoadKeys(cfg.KeyFile)
	if err != nil {
		return err
	}
	if err := refuseOpenSQLite(ctx, cfg, "rotate-key", t); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false, stdout)
	if err != nil {
		return err
	}
	defer func() { db.Close() }()
	if err := beginMaintenance(ctx, db, "rotate-key", t); err != nil {
		return err
	}
	// Lifted through whichever handle is open at the end: db is reopened
	// with the new key below.
	defer func() { db.EndMaintenance(context.WithoutCancel(ctx)) }()

	if err := db.CanRotateKey(ctx); err != nil {
		return fmt.Errorf("rotate-key: %w", err)
	}
	from, first := db.IndexKeyID(), secret.KeyID(keys[0])
	if from == first {
		k := secret.NewKey(newKeySuite(cfg, keys[0].Suite))
		backup, err := secret.AddKey(cfg.KeyFile, k, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, t("rotate.key_written", secret.KeyID(k), cfg.KeyFile, backup))
	} else {
		fmt.Fprintln(stdout, t("rotate.finishing", cfg.KeyFile, first, from))
	}

	// Go on with the keys as read back from the file, so the database
	// moves only to a key the file is known to hold.
	if keys, err = secret.LoadKeys(cfg.KeyFile); err != nil {
		return err
	}
	box, err := secret.NewRing(keys...)
	if err != nil {
		return err
	}
	next, err := db.Reopen(ctx, box)
	if err != nil {
		return err
	}
	db.Close()
	db = next

	started := time.Now()
	rep, err := db.RotateKey(ctx, cliActor(), sqlstore.RotateOptions{Progress: func(done, total int) error {
		if done%50000 == 0 || done == total {
			fmt.Fprintln(stdout, t("rotate.progress", done, total))
		}
		return nil
	}})
	if err != nil {
		return fmt.Errorf("%w\n%s", err, t("rotate.failed"))
	}
	fmt.Fprintln(stdout, t("rotate.done", rep.From, rep.To, time.Since(started).Round(time.Millisecond).String(), rep.Residents, rep.Values, rep.Imports, rep.Scans, rep.TOTP, rep.ChainKey))
	fmt.Fprintln(stdout, t("rotate.next", cfg.KeyFile, rep.To, strings.Join(box.KeyIDs()[1:], ", ")))
	return nil
}

// cliActor names who rotated in the audit trail: the command line has no
// signed-in user, only the operating-system account that holds the key
// file.
func cliActor() *access.Actor {
	name := "system"
	if u, err := user.Current(); err == nil {
		name = "system:" + u.Username
	}
	return &access.Actor{Username: name}
}
