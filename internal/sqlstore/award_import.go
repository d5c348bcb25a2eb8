package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
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

// RunAwards previews or runs a staged award sheet in one transaction:
// each row is recorded like an award entered by hand (scheme rules,
// review), keyed by batch and line so a run is never doubled.
// registry.All writes every row or none; registry.SkipBad writes the good
// rows and reports the rest. The rows go through the bulk path
// (award_bulk.go), which stores what recording them one by one would.
func (s *AwardService) RunAwards(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode) (*points.ImportReport, error) {
	return s.runAwards(ctx, a, batch, mode, s.importBulk)
}

// awardImporter carries a sheet's rows into the transaction: the bulk
// path, or recordTx row by row, which the tests hold the bulk path to.
type awardImporter func(ctx context.Context, tx *Tx, a *access.Actor, sh *awardSheet, rows *sheet.Reader) error

func (s *AwardService) runAwards(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode, importer awardImporter) (*points.ImportReport, error) {
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
		if err := importer(ctx, tx, a, &awardSheet{batch: batch, region: region, cols: h.Columns, rep: rep}, r); err != nil {
			return err
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

// awardSheet is what both import paths know of the sheet being run.
type awardSheet struct {
	batch  int64
	region string
	cols   map[string]int
	rep    *points.ImportReport
}

// lineFault is why a line was rejected: the column to point at and the
// message.
type lineFault struct {
	col, key string
	args     []any
}

func unknownNumber(number string) *lineFault {
	return &lineFault{col: "户号", key: "registry.household.unknown_number", args: []any{number}}
}

func (sh *awardSheet) cell(row sheet.Row, col string) string {
	if i, ok := sh.cols[col]; ok && i < len(row.Cells) {
		return strings.TrimSpace(row.Cells[i])
	}
	return ""
}

// reject counts a rejected line and keeps its problem while the report
// has room.
func (sh *awardSheet) reject(line int, f *lineFault) {
	sh.rep.Rejected++
	if len(sh.rep.Problems) < registry.MaxProblems {
		sh.rep.Problems = append(sh.rep.Problems, points.ImportProblem{Line: line, Column: f.col, Msg: i18n.M(f.key, f.args...)})
	}
}

// input reads the award a line of household hid asks for, keyed by batch
// and line, or why it cannot be one: a date that is not a day or lies
// after now, or a missing item.
func (sh *awardSheet) input(row sheet.Row, hid int64, now time.Time) (points.AwardInput, *lineFault) {
	photo := sh.cell(row, "照片")
	in := points.AwardInput{Key: "import:" + strconv.FormatInt(sh.batch, 10) + ":" + strconv.Itoa(row.Line), Household: hid, Item: sh.cell(row, "事项编码"),
		Channel: points.Batch, Evidence: sh.cell(row, "说明"), Witness: sh.cell(row, "证明人"), Photo: strings.Contains("有是√✓yY1", photo) && photo != ""}
	in.Date = scheme.Today(now)
	if d := registry.NormalizeDate(sh.cell(row, "日期")); d != "" {
		day, err := time.Parse("2006-01-02", d)
		if err != nil || day.After(now) {
			return in, &lineFault{col: "日期", key: "points.date"}
		}
		in.Date = day
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return in, &lineFault{col: "事项编码", key: "points.item"}
	}
	return in, nil
}

// rowRejection turns the error of recording a line into its rejection; an
// internal failure is no line's fault and ends the run.
func rowRejection(err error) (*lineFault, error) {
	if err == nil {
		return nil, nil
	}
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code == fault.Internal {
		return nil, err
	}
	return &lineFault{col: "事项编码", key: fe.Msg.Key, args: fe.Msg.Args}, nil
}
