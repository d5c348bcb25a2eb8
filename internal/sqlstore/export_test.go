package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// NaiveSpend is the read-then-write spend the ledger must not be: it reads
// the balance, checks it in Go, then writes the new value. The concurrency
// test runs it to show that the test can tell the difference.
func (s *LedgerService) NaiveSpend(ctx context.Context, a *access.Actor, household, amount int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var bal int64
		err := tx.queryRow(ctx, `SELECT balance FROM accounts WHERE household_id = ?`, household).Scan(&bal)
		if errors.Is(err, sql.ErrNoRows) || err == nil && bal < amount {
			return fault.E(fault.Conflict, "points.insufficient", bal, amount)
		}
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE accounts SET balance = ? WHERE household_id = ?`, bal-amount, household)
		return err
	})
}
