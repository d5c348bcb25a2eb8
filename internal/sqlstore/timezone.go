package sqlstore

import (
	"context"
	"fmt"
	"time"

	"shanzhi/internal/localtime"
)

// timeZoneSetting names the settings row holding the deployment's IANA
// time zone, kept in the database so that every server sharing it reads
// days and periods alike.
const timeZoneSetting = "time_zone"

// TimeZone returns the database's time zone, recording want (or
// localtime.Default when want is empty) if the database has none yet: the
// first migrate or serve of a fresh database fixes it. A want that differs
// from the recorded zone is refused rather than obeyed, since one server
// on another zone would file awards in other periods than its peers.
func (db *DB) TimeZone(ctx context.Context, want string) (*time.Location, error) {
	name := want
	if name == "" {
		name = localtime.Default
	}
	if _, err := localtime.Load(name); err != nil {
		return nil, err
	}
	var got string
	err := db.update(ctx, func(tx *Tx) (err error) {
		// The first process to record wins; the others adopt its choice.
		if _, err := tx.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, timeZoneSetting, name); err != nil {
			return err
		}
		got, err = tx.setting(ctx, timeZoneSetting)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	if want != "" && got != want {
		return nil, fmt.Errorf("time zone %s was asked for, but this database keeps %s: every server sharing it must use one zone", want, got)
	}
	return localtime.Load(got)
}
