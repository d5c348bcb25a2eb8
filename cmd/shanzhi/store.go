package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shanzhi/internal/config"
	"shanzhi/internal/localtime"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
)

// keyText renders the key messages, which come before any command's own
// language setting is at hand: Chinese with the English beside it.
var keyText = cliText(func(string) string { return "" })

// loadKey returns the personal-data key from the environment or the key
// file. With create set, a missing key file is made, but only while the
// database holds no residents yet: a new key over old data would make
// every sealed ID number unreadable.
func loadKey(cfg config.Config, create bool) (*secret.Box, bool, error) {
	if cfg.Key != "" {
		keys, err := secret.ParseKeys(cfg.Key)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", keyText("cli.key_env_bad"), err)
		}
		b, err := secret.NewRing(keys...)
		return b, false, err
	}
	_, statErr := os.Stat(cfg.KeyFile)
	made := false
	var keys []secret.Key
	var err error
	switch {
	case statErr == nil:
		keys, err = secret.LoadKeys(cfg.KeyFile)
	case create && os.IsNotExist(statErr):
		if err := os.MkdirAll(filepath.Dir(cfg.KeyFile), 0o700); err != nil {
			return nil, false, err
		}
		var k secret.Key
		k, err = secret.CreateFile(cfg.KeyFile, newKeySuite(cfg, secret.AES))
		keys, made = []secret.Key{k}, true
	default:
		return nil, false, errors.New(keyText("cli.key_missing", cfg.KeyFile))
	}
	if err != nil {
		return nil, false, err
	}
	b, err := secret.NewRing(keys...)
	return b, made, err
}

// newKeySuite is the suite of a key about to be made: the crypto-suite
// setting, or else current, the suite of the key it follows. Config has
// already checked the setting.
func newKeySuite(cfg config.Config, current secret.Suite) secret.Suite {
	if s, err := secret.ParseSuite(cfg.CryptoSuite); err == nil {
		return s
	}
	return current
}

// openStore opens, migrates and seeds the database of cfg.
func openStore(ctx context.Context, cfg config.Config, createKey bool, stdout io.Writer) (*sqlstore.DB, error) {
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		// The database is made readable by its owner only before SQLite
		// creates it with the umask's wider mode; its -wal and -shm files
		// take the same mode from it.
		f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		f.Close()
	}
	box, made, err := loadKey(cfg, createKey)
	if err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, cfg.DB, sqlstore.Options{Box: box})
	if err != nil {
		if made {
			// Nothing was sealed with it; Open refuses a key file that
			// lacks the database's index key, as a fresh one does.
			os.Remove(cfg.KeyFile)
		}
		if errors.Is(err, secret.ErrUnknownKey) {
			// The store knows the key it lacks; only we know where the
			// keys it was given came from.
			from := cfg.KeyFile
			if cfg.Key != "" {
				from = "SHANZHI_DATA_KEY / -data-key"
			}
			return nil, fmt.Errorf("%s: %w", keyText("cli.key_mismatch", from), err)
		}
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	loc, err := db.TimeZone(ctx, cfg.TimeZone)
	if err != nil {
		db.Close()
		return nil, err
	}
	localtime.Set(loc)
	if made {
		if n, err := db.CountResidents(ctx); err != nil || n > 0 {
			db.Close()
			os.Remove(cfg.KeyFile)
			return nil, errors.New(keyText("cli.key_lost", cfg.KeyFile))
		}
		fmt.Fprintln(stdout, keyText("cli.key_created", cfg.KeyFile))
	}
	// The commands that may make the first key are those that start a
	// deployment; there a crypto-suite the key file does not follow would
	// otherwise go unnoticed, as it only governs keys not yet made.
	if createKey && cfg.CryptoSuite != "" && string(box.Suite()) != cfg.CryptoSuite {
		fmt.Fprintln(stdout, keyText("cli.key_suite_differs", box.KeyID(), box.Suite(), cfg.CryptoSuite))
	}
	if n, err := db.SeedRegions(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		fmt.Fprintf(stdout, "loaded %d regions of Inner Mongolia\n", n)
	}
	return db, nil
}

// loadAndOpen reads a command's configuration and opens its store, the
// first two steps of every command that touches the database.
func loadAndOpen(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer, createKey bool) (config.Config, *sqlstore.DB, error) {
	cfg, _, err := config.Load(name, args, getenv, stderr)
	if err != nil {
		return cfg, nil, err
	}
	db, err := openStore(ctx, cfg, createKey, stdout)
	return cfg, db, err
}
