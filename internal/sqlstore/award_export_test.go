package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sheet"
)

// RunAwardsByRow runs a staged award sheet through recordTx row by row,
// the reference the bulk path of RunAwards is held to.
func (s *AwardService) RunAwardsByRow(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode) (*points.ImportReport, error) {
	return s.runAwards(ctx, a, batch, mode, s.importByRow)
}

// RecordServerKey records an award under a key the server made itself,
// as an import row is, stored as given: the fixture for an import line
// whose key an earlier run already took.
func (s *AwardService) RecordServerKey(ctx context.Context, a *access.Actor, in points.AwardInput) error {
	in.Normalize()
	return s.db.update(ctx, func(tx *Tx) error {
		_, err := s.recordTx(ctx, tx, a, in)
		return err
	})
}

// importByRow records the rows one by one through recordTx, as an award
// entered by hand is: the reference the bulk path must match, kept
// beside the tests that hold the two together.
func (s *AwardService) importByRow(ctx context.Context, tx *Tx, a *access.Actor, sh *awardSheet, r *sheet.Reader) error {
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return sheetError(err)
		}
		sh.rep.Rows++
		var hid int64
		err = tx.queryRow(ctx, `SELECT id FROM households WHERE village_code = ? AND number = ? AND status = ?`, sh.region, sh.cell(row, "户号"),
			string(registry.HouseholdActive)).Scan(&hid)
		if errors.Is(err, sql.ErrNoRows) {
			sh.reject(row.Line, unknownNumber(sh.cell(row, "户号")))
			continue
		}
		if err != nil {
			return err
		}
		in, bad := sh.input(row, hid, tx.now)
		if bad == nil {
			_, err = s.recordTx(ctx, tx, a, in)
			if bad, err = rowRejection(err); err != nil {
				return err
			}
		}
		if bad != nil {
			sh.reject(row.Line, bad)
			continue
		}
		sh.rep.Recorded++
	}
}

// SetBulkRows shrinks the bulk path's statements to rows rows and its
// chunks to twice that, so a test sheet of a few dozen lines crosses
// chunk and statement boundaries; the returned func restores the sizes.
func SetBulkRows(rows int) (restore func()) {
	oldRows, oldChunk := bulkRows, awardChunk
	bulkRows, awardChunk = rows, 2*rows
	return func() { bulkRows, awardChunk = oldRows, oldChunk }
}

// DumpForTest runs query and returns its rows as text, one string a row,
// for tests that compare what two stores hold.
func (db *DB) DumpForTest(ctx context.Context, query string) ([]string, error) {
	var out []string
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			var b strings.Builder
			for i, v := range vals {
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, "%s=%v|", cols[i], v)
			}
			out = append(out, b.String())
		}
		return rows.Err()
	})
	return out, err
}
