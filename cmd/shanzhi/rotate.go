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
	if cfg.Key != "" {
		return errors.New("rotate-key writes the new key into the key file, but this key comes from SHANZHI_DATA_KEY (or -data-key), " +
			"which a command cannot rewrite: put the variable's value in a key file (one key per line, chmod 600), unset the variable, " +
			"and run 'shanzhi rotate-key -key-file FILE'")
	}
	keys, err := secret.LoadKeys(cfg.KeyFile)
	if err != nil {
		return err
	}
	t := cliText(getenv)
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
		k := secret.NewKey()
		backup, err := secret.AddKey(cfg.KeyFile, k, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote new key %s first in %s, keeping the older keys after it; the previous file is saved as %s\n",
			secret.KeyID(k), cfg.KeyFile, backup)
	} else {
		fmt.Fprintf(stdout, "%s already starts with key %s but the database is still on key %s: finishing that rotation\n", cfg.KeyFile, first, from)
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
			fmt.Fprintf(stdout, "  re-sealed %d of %d residents\n", done, total)
		}
		return nil
	}})
	if err != nil {
		return fmt.Errorf("%w\nthe rotation is one transaction, so the database holds all of it or none of it, and the key file "+
			"holds every key either way: the server runs as before; run 'shanzhi rotate-key' again to finish", err)
	}
	fmt.Fprintf(stdout, "rotated from key %s to key %s in %s: %d residents (%d ID numbers and phones), %d staged uploads and %d second-factor secrets re-sealed, hashes recomputed; "+
		"new audit and ledger rows are chained under chain key version %d, older rows keep theirs\n",
		rep.From, rep.To, time.Since(started).Round(time.Millisecond), rep.Residents, rep.Values, rep.Imports, rep.TOTP, rep.ChainKey)
	fmt.Fprintf(stdout, `
Next:
  - Back up %[1]s now: without key %[2]s no ID number can be read.
  - Copy %[1]s to every other server of this database, then start the servers again.
  - %[1]s still holds the older key(s) %[3]s: backups of the database taken
    before today need them. Delete those lines (and the %[1]s.*.bak copies)
    only once every backup older than today has expired.
`, cfg.KeyFile, rep.To, strings.Join(box.KeyIDs()[1:], ", "))
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
