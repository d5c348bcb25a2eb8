package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sheet"
)

// StageAwards keeps an award sheet for a village until it is previewed
// and run: the sheet must open, name the 户号 and item-code columns and
// hold at least one row.
func (s *AwardService) StageAwards(ctx context.Context, a *access.Actor, village, fileName string, data []byte) (int64, error) {
	if regioncode.LevelOf(village) != regioncode.Village || !a.Can(access.PointsWrite, village) {
		return 0, fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	r, err := sheet.Open(fileName, bytes.NewReader(data), int64(len(data))+1)
	if err != nil {
		return 0, sheetError(err)
	}
	defer r.Close()
	h, err := r.Header(points.AwardImportColumns(), 2)
	if err != nil {
		return 0, sheetError(err)
	}
	if _, ok := h.Columns["户号"]; !ok {
		return 0, fault.OnField(fault.Invalid, "file", "import.missing_columns", "户号")
	}
	if _, ok := h.Columns["事项编码"]; !ok {
		return 0, fault.OnField(fault.Invalid, "file", "import.missing_columns", "事项编码")
	}
	if _, err := r.Next(); errors.Is(err, io.EOF) {
		return 0, fault.OnField(fault.Invalid, "file", "import.no_rows")
	}
	return s.db.stageBatch(ctx, a, "awards", village, fileName, data)
}

// RunAwards previews or runs a staged award sheet, row by row in one
// transaction: each row is recorded like an award entered by hand (scheme
// rules, review), keyed by batch and line so a run is never doubled.
// registry.All writes every row or none; registry.SkipBad writes the good
// rows and reports the rest.
func (s *AwardService) RunAwards(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode) (*points.ImportReport, error) {
	b, err := s.db.loadBatch(ctx, a, "awards", batch, access.PointsWrite)
	if err != nil {
		return nil, err
	}
	if b.committed {
		return replayed[points.ImportReport](b, mode)
	}
	region, file := b.region, b.file
	rep := &points.ImportReport{Batch: batch, Region: region, FileName: file}
	run := func(tx *Tx) error {
		tx.quiet = true
		*rep = points.ImportReport{Batch: batch, Region: region, FileName: file}
		r, err := sheet.Open(file, bytes.NewReader(b.plain), int64(len(b.plain))+1)
		if err != nil {
			return sheetError(err)
		}
		defer r.Close()
		h, err := r.Header(points.AwardImportColumns(), 2)
		if err != nil {
			return sheetError(err)
		}
		cell := func(row sheet.Row, col string) string {
			if i, ok := h.Columns[col]; ok && i < len(row.Cells) {
				return strings.TrimSpace(row.Cells[i])
			}
			return ""
		}
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return sheetError(err)
			}
			rep.Rows++
			reject := func(col, key string, args ...any) {
				rep.Rejected++
				if len(rep.Problems) < registry.MaxProblems {
					rep.Problems = append(rep.Problems, points.ImportProblem{Line: row.Line, Column: col, Msg: i18n.M(key, args...)})
				}
			}
			var hid int64
			err = tx.queryRow(ctx, `SELECT id FROM households WHERE village_code = ? AND number = ? AND status = '在册'`, region, cell(row, "户号")).Scan(&hid)
			if errors.Is(err, sql.ErrNoRows) {
				reject("户号", "registry.household.unknown_number", cell(row, "户号"))
				continue
			}
			if err != nil {
				return err
			}
			in := points.AwardInput{Key: fmt.Sprintf("import:%d:%d", batch, row.Line), Household: hid, Item: cell(row, "事项编码"), Channel: points.Batch,
				Evidence: cell(row, "说明"), Witness: cell(row, "证明人"), Photo: strings.Contains("有是√✓yY1", cell(row, "照片")) && cell(row, "照片") != ""}
			in.Date = scheme.Today(tx.now)
			if d := registry.NormalizeDate(cell(row, "日期")); d != "" {
				day, err := time.Parse("2006-01-02", d)
				if err != nil || day.After(tx.now) {
					reject("日期", "points.date")
					continue
				}
				in.Date = day
			}
			in.Normalize()
			if err := in.Validate(); err != nil {
				reject("事项编码", "points.item")
				continue
			}
			if _, err := s.recordTx(ctx, tx, a, in); err != nil {
				var fe *fault.Error
				if !errors.As(err, &fe) || fe.Code == fault.Internal {
					return err
				}
				reject("事项编码", fe.Msg.Key, fe.Msg.Args...)
				continue
			}
			rep.Recorded++
		}
		if mode == registry.All && rep.Rejected > 0 {
			return errImportRejected
		}
		if mode == registry.Preview {
			return nil
		}
		rep.Committed = true
		return tx.commitBatch(ctx, a, batch, rep, "awards.import", region,
			fmt.Sprintf("%s: %d rows, %d recorded, %d rejected", file, rep.Rows, rep.Recorded, rep.Rejected))
	}
	err = s.db.runBatch(ctx, mode, run)
	if errors.Is(err, errImportRejected) {
		return rep, fault.E(fault.Invalid, "import.rejected", rep.Rejected)
	}
	return rep, err
}
