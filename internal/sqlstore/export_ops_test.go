package sqlstore

import "context"

// ExecRaw runs one statement on the write pool outside the store's
// methods, as a person with a database client would: tests set markers
// behind a server's back and damage data that verify must find.
func (db *DB) ExecRaw(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, rebind(db.dialect, q), args...)
	return err
}
