package sqlstore

import (
	"context"

	"shanzhi/internal/access"
)

// RecordOperation writes the audit record of an operation run from the
// command line on the database as a whole (a backup taken, a backup
// restored), through the one audit path every write takes.
func (db *DB) RecordOperation(ctx context.Context, a *access.Actor, action, target, detail string) error {
	return db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, auditEntry{action: action, target: target, detail: detail})
	})
}
