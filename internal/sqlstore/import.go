package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/mongol"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/sheet"
)

const purposeImport = "import.file"

// errImportRejected rolls back an all-or-nothing import that found rejected
// rows; the report it leaves behind says why.
var errImportRejected = errors.New("import rejected")

// StageImport checks that an uploaded sheet can be read and has the
// required columns, then keeps it, sealed, until the user confirms. It
// returns the batch id the preview and the confirmation refer to.
func (s *RegistryService) StageImport(ctx context.Context, a *access.Actor, regionCode, fileName string, data []byte) (int64, error) {
	if !regioncode.ValidCode(regionCode) || !a.Can(access.RegistryWrite, regionCode) {
		return 0, fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	if err := checkSheet(fileName, data); err != nil {
		return 0, err
	}
	return s.db.stageBatch(ctx, a, "registry", regionCode, fileName, data)
}

// stageBatch keeps an upload, sealed, until its preview and run. kind
// names the importer, so a batch is only ever run by the one it was
// staged for.
func (db *DB) stageBatch(ctx context.Context, a *access.Actor, kind, regionCode, fileName string, data []byte) (int64, error) {
	sum := sha256.Sum256(data)
	var id int64
	err := db.update(ctx, func(tx *Tx) (err error) {
		id, err = tx.insertID(ctx, `INSERT INTO import_batches (kind, user_id, region_code, file_name, file_sha256, file_size, data_enc, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'staged', ?) RETURNING id`,
			kind, a.UserID, regionCode, fileName, hex.EncodeToString(sum[:]), len(data), tx.box.Seal(purposeImport, string(data)), tx.nowMS())
		if err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: kind + ".import.stage", target: fmt.Sprintf("import:%d", id), region: regionCode, detail: fileName})
	})
	return id, err
}

// openSheet opens an upload and finds its header, turning the reader's
// failures into messages a clerk can act on.
func openSheet(fileName string, data []byte) (*sheet.Reader, sheet.Header, error) {
	r, err := sheet.Open(fileName, bytes.NewReader(data), int64(len(data))+1)
	if err != nil {
		return nil, sheet.Header{}, sheetError(err)
	}
	h, err := r.Header(registry.HeaderWant(), 3)
	if err != nil {
		r.Close()
		return nil, sheet.Header{}, sheetError(err)
	}
	if missing := registry.MissingColumns(h.Columns); len(missing) > 0 {
		r.Close()
		return nil, sheet.Header{}, fault.OnField(fault.Invalid, "file", "import.missing_columns", strings.Join(missing, "、"))
	}
	return r, h, nil
}

// checkSheet is the quick look StageImport takes: the file opens, the
// header is there and at least one row follows. The full parse waits for
// the preview.
func checkSheet(fileName string, data []byte) error {
	r, _, err := openSheet(fileName, data)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.Next(); errors.Is(err, io.EOF) {
		return fault.OnField(fault.Invalid, "file", "import.no_rows")
	} else if err != nil {
		return sheetError(err)
	}
	return nil
}

// parsedRow is one sheet row on its way from the parser to the store.
type parsedRow struct {
	row      registry.ImportRow
	problems []registry.Problem
}

// parseSheet parses the rows of r on its own goroutine and sends them down
// the returned channel, so reading the sheet overlaps writing the rows on
// a two-core PC. The error channel yields the parse's outcome once the row
// channel is closed; cancelling ctx stops the parser early.
func parseSheet(ctx context.Context, r *sheet.Reader, h sheet.Header, now time.Time) (<-chan parsedRow, <-chan error) {
	rows := make(chan parsedRow, 512)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		defer close(rows)
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				errc <- sheetError(err)
				return
			}
			ir, problems := registry.ParseImportRow(row.Line, h.Columns, row.Cells, now)
			select {
			case rows <- parsedRow{ir, problems}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return rows, errc
}

func sheetError(err error) error {
	key := "import.malformed"
	var limit *sheet.LimitError
	if errors.As(err, &limit) {
		// The cap passed, named, with its value, so the official knows
		// what about the file to change.
		msg := i18n.M("import.limit."+limit.What, limit.Max)
		return &fault.Error{Code: fault.Invalid, Msg: msg, Fields: []fault.Field{{Name: "file", Msg: msg}}, Err: err}
	}
	switch {
	case errors.Is(err, sheet.ErrLegacyXLS):
		key = "import.legacy_xls"
	case errors.Is(err, sheet.ErrTooLarge):
		key = "import.too_large"
	case errors.Is(err, sheet.ErrEmpty):
		key = "import.empty"
	case errors.Is(err, sheet.ErrNoHeader):
		key = "import.no_header"
	}
	return &fault.Error{Code: fault.Invalid, Msg: i18n.M(key), Fields: []fault.Field{{Name: "file", Msg: i18n.M(key)}}, Err: err}
}

// RunImport previews or carries out a staged import. A batch runs for real
// once: running it again returns the first report with a Conflict.
func (s *RegistryService) RunImport(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode) (*registry.ImportReport, error) {
	if mode != registry.Preview && mode != registry.All && mode != registry.SkipBad {
		return nil, fault.E(fault.Invalid, "import.mode")
	}
	b, err := s.db.loadBatch(ctx, a, "registry", batch, access.RegistryWrite)
	if err != nil {
		return nil, err
	}
	if b.committed {
		return replayed[registry.ImportReport](b, mode)
	}
	rep := &registry.ImportReport{Batch: batch, Region: b.region, FileName: b.file, Mode: mode}
	run := func(tx *Tx) error {
		tx.quiet = true
		// A rehearsal and a real run each parse afresh: the parse streams
		// into the transaction instead of holding 100,000 rows in memory.
		r, h, err := openSheet(b.file, b.plain)
		if err != nil {
			return err
		}
		defer r.Close()
		*rep = registry.ImportReport{Batch: batch, Region: b.region, FileName: b.file, Sheet: r.Sheet(), Mode: mode}
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rows, errc := parseSheet(pctx, r, h, tx.now)
		im, err := tx.newImporter(ctx, a, b.region, rep)
		if err != nil {
			cancel()
			for range rows {
			}
			return err
		}
		if err := im.run(rows); err != nil {
			cancel()
			for range rows {
			}
			return err
		}
		if err := <-errc; err != nil {
			return err
		}
		if mode == registry.All && rep.Rejected > 0 {
			return errImportRejected
		}
		if mode == registry.Preview {
			return nil
		}
		rep.Committed = true
		return tx.commitBatch(ctx, a, batch, rep, "registry.import", b.region,
			fmt.Sprintf("%s: %d rows, %d new households, %d new residents, %d updated, %d unchanged, %d rejected",
				b.file, rep.Rows, rep.NewHouseholds, rep.NewResidents, rep.Updated, rep.Unchanged, rep.Rejected))
	}
	if err := s.db.runBatch(ctx, mode, run); err != nil {
		if errors.Is(err, errImportRejected) {
			return rep, fault.E(fault.Invalid, "import.rejected", rep.Rejected)
		}
		return rep, err
	}
	return rep, nil
}

// stagedBatch is an upload kept for its importer.
type stagedBatch struct {
	region, file string
	plain        []byte // the file, opened; nil once the batch has run
	report       string // the run's report, once it has run
	committed    bool
}

// loadBatch reads a staged batch of kind for its uploader, who must still
// hold p over its region. A batch belongs to whoever uploaded it: a
// colleague's staged file is not something to confirm unseen, so it is
// not found.
func (db *DB) loadBatch(ctx context.Context, a *access.Actor, kind string, id int64, p access.Permission) (*stagedBatch, error) {
	var b stagedBatch
	var status string
	var user int64
	var sealed []byte
	err := db.view(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT user_id, region_code, file_name, status, report, data_enc FROM import_batches WHERE id = ? AND kind = ?`, id, kind).
			Scan(&user, &b.region, &b.file, &status, &b.report, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if user != a.UserID || !a.Can(p, b.region) {
		return nil, fault.E(fault.NotFound, "error.not_found")
	}
	if b.committed = status == "committed"; b.committed {
		return &b, nil
	}
	plain, err := db.box.Open(purposeImport, sealed)
	if err != nil {
		return nil, err
	}
	b.plain = []byte(plain)
	return &b, nil
}

// replayed answers a request to run a batch that already ran: a preview
// gets the first run's report, a second run a Conflict beside it.
func replayed[T any](b *stagedBatch, mode registry.ImportMode) (*T, error) {
	var rep T
	if err := json.Unmarshal([]byte(b.report), &rep); err != nil {
		return nil, err
	}
	if mode == registry.Preview {
		return &rep, nil
	}
	return &rep, fault.E(fault.Conflict, "import.already")
}

// runBatch runs an importer's transaction as mode asks: rehearsed and
// rolled back for a preview, for real otherwise.
func (db *DB) runBatch(ctx context.Context, mode registry.ImportMode, run func(*Tx) error) error {
	switch mode {
	case registry.Preview:
		return db.rehearse(ctx, run)
	case registry.All, registry.SkipBad:
		return db.update(ctx, run)
	}
	return fault.E(fault.Invalid, "import.mode")
}

// commitBatch records that a batch ran: its report is kept for replays,
// the sealed file is dropped, and the run is audited.
func (tx *Tx) commitBatch(ctx context.Context, a *access.Actor, id int64, rep any, action, region, detail string) error {
	js, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE import_batches SET status = 'committed', report = ?, committed_at = ?, data_enc = ? WHERE id = ?`,
		string(js), tx.nowMS(), []byte{}, id); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: action, target: fmt.Sprintf("import:%d", id), region: region, detail: detail})
}

// importGroup is the rows of one household in a sheet.
type importGroup struct {
	village, number string
	rows            []*registry.ImportRow
}

func (g *importGroup) key() string { return g.village + "/" + g.number }

// importer applies parsed rows inside one transaction. Rows arrive in
// sheet order and are grouped by household as they come: a run of rows
// with one 户号 is applied when the next 户号 begins, so a new household is
// created with its head before its other members. A new household whose
// run has no head row waits until its head turns up later in the sheet,
// or is rejected at the end. Problems are collected for every row; rows
// with problems are never written.
type importer struct {
	tx       *Tx
	ctx      context.Context
	actor    *access.Actor
	rep      *registry.ImportReport
	reason   string
	villages func(string) (string, string)
	bad      map[int]bool
	seenID   map[string]int
	waiting  map[string]*importGroup // new households still without a head
	order    []*importGroup          // waiting groups, oldest first
}

func (tx *Tx) newImporter(ctx context.Context, a *access.Actor, regionCode string, rep *registry.ImportReport) (*importer, error) {
	villages, err := tx.villageResolver(ctx, regionCode)
	if err != nil {
		return nil, err
	}
	return &importer{tx: tx, ctx: ctx, actor: a, rep: rep, reason: "导入 " + rep.FileName, villages: villages,
		bad: map[int]bool{}, seenID: map[string]int{}, waiting: map[string]*importGroup{}}, nil
}

// reject records a problem with row r, naming the row's person as well as
// its line so a clerk finds it in a sheet sorted differently since.
func (im *importer) reject(r *registry.ImportRow, column string, key string, args ...any) {
	im.rep.AddProblem(registry.Problem{Line: r.Line, Person: r.Resident.Name, Column: column, Msg: i18n.M(key, args...)})
	im.bad[r.Line] = true
}

func (im *importer) run(rows <-chan parsedRow) error {
	var cur *importGroup
	for p := range rows {
		row := p.row
		im.rep.Rows++
		for _, pr := range p.problems {
			im.rep.AddProblem(pr)
			im.bad[row.Line] = true
		}
		code, key := im.villages(row.Village)
		if key == "import.village_required" {
			im.reject(&row, "所属村", key)
			continue
		} else if key != "" {
			im.reject(&row, "所属村", key, row.Village)
			continue
		}
		if id := row.Resident.IDNumber; id != "" && !im.bad[row.Line] {
			if first, dup := im.seenID[id]; dup {
				im.reject(&row, "身份证号", "import.dup_id", first)
			} else {
				im.seenID[id] = row.Line
			}
		}
		row.Household.VillageCode = code
		g := &importGroup{village: code, number: row.Household.Number}
		if cur != nil && cur.key() != g.key() {
			if err := im.apply(cur, false); err != nil {
				return err
			}
			cur = nil
		}
		if cur == nil {
			cur = g
		}
		cur.rows = append(cur.rows, &row)
	}
	if cur != nil {
		if err := im.apply(cur, false); err != nil {
			return err
		}
	}
	for _, g := range im.order {
		if im.waiting[g.key()] == g {
			if err := im.tx.importGroup(im, g, true); err != nil {
				return err
			}
		}
	}
	im.rep.Rejected = len(im.bad)
	return nil
}

// apply writes a run of rows, or parks it when it is a new household
// whose head has not appeared yet.
func (im *importer) apply(g *importGroup, final bool) error {
	if w := im.waiting[g.key()]; w != nil {
		w.rows = append(w.rows, g.rows...)
		g = w
	}
	return im.tx.importGroup(im, g, final)
}

// importGroup applies one household's rows. A new household without a
// head row is parked in im.waiting unless final is set, when it is
// rejected.
func (tx *Tx) importGroup(im *importer, g *importGroup, final bool) error {
	ctx, a, bad, rep, reason := im.ctx, im.actor, im.bad, im.rep, im.reason
	reject := im.reject
	rejectAll := func(key string, args ...any) {
		for _, r := range g.rows {
			if !bad[r.Line] {
				reject(r, "户号", key, args...)
			}
		}
	}
	if !a.Can(access.RegistryWrite, g.village) {
		rejectAll("error.forbidden")
		return nil
	}
	var hid, head int64
	var status string
	err := tx.queryRow(ctx, `SELECT id, COALESCE(head_id, 0), status FROM households WHERE village_code = ? AND number = ?`, g.village, g.number).Scan(&hid, &head, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var heads []*registry.ImportRow
		for _, r := range g.rows {
			if r.Resident.Relation == registry.Head {
				heads = append(heads, r)
			}
		}
		switch {
		case len(heads) == 0 && !final:
			if im.waiting[g.key()] == nil {
				im.waiting[g.key()] = g
				im.order = append(im.order, g)
			}
			return nil
		case len(heads) == 0:
			rejectAll("import.no_head", g.number)
			return nil
		case len(heads) > 1:
			rejectAll("import.two_heads", g.number, heads[0].Line, heads[1].Line)
			return nil
		case bad[heads[0].Line]:
			rejectAll("import.head_bad", heads[0].Line)
			return nil
		}
		if _, err := tx.idFree(ctx, heads[0].Resident.IDNumber, 0); err != nil {
			if fe := (*fault.Error)(nil); errors.As(err, &fe) {
				rejectAll("import.head_bad", heads[0].Line)
				reject(heads[0], "身份证号", fe.Msg.Key, fe.Msg.Args...)
				return nil
			}
			return err
		}
		delete(im.waiting, g.key())
		hid, head, err = tx.createHousehold(ctx, a, heads[0].Household, heads[0].Resident, reason)
		if err != nil {
			return err
		}
		rep.NewHouseholds++
		rep.NewResidents++
		for _, r := range g.rows {
			if r != heads[0] && !bad[r.Line] {
				if err := tx.importMember(im, hid, head, g.village, r); err != nil {
					return err
				}
			}
		}
		return nil
	case err != nil:
		return err
	}
	if status != string(registry.HouseholdActive) {
		rejectAll("registry.household.inactive")
		return nil
	}
	for _, r := range g.rows {
		if !bad[r.Line] {
			if err := tx.importMember(im, hid, head, g.village, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// importMember adds, updates or leaves alone one member of an existing
// household. A row matches a resident by ID number or, without one, by
// birth date and name, which is what makes a second import of the same
// file a no-op. The name is the Chinese one or the Mongolian one by its
// key: a ledger that transcribes a Mongol's name into Chinese another way
// (巴特 for 巴图), or types the Mongolian with other selectors, still
// finds the person instead of registering them twice.
func (tx *Tx) importMember(im *importer, hid, head int64, village string, r *registry.ImportRow) error {
	ctx, a, rep, reason, reject := im.ctx, im.actor, im.rep, im.reason, im.reject
	var match int64
	var err error
	if r.Resident.IDNumber != "" {
		err = tx.queryRow(ctx, `SELECT id FROM residents WHERE household_id = ? AND id_hash = ? AND status = '在册'`, hid, residentHash(tx.box.Index(purposeID, r.Resident.IDNumber))).Scan(&match)
	} else {
		err = tx.queryRow(ctx, `SELECT id FROM residents WHERE household_id = ? AND (name = ? OR name_mongol_key = ? AND name_mongol_key <> '') AND birth_date = ? AND status = '在册'
			ORDER BY id LIMIT 1`, hid, r.Resident.Name, mongol.Key(r.Resident.NameMongol), r.Resident.BirthDate).Scan(&match)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if match != 0 {
		if (match == head) != (r.Resident.Relation == registry.Head) {
			reject(r, "与户主关系", "import.head_mismatch")
			return nil
		}
		cur, err := tx.residentFor(ctx, a, match, access.RegistryWrite)
		if err != nil {
			return err
		}
		changed, err := tx.updateResident(ctx, a, cur, r.Resident, reason)
		if err != nil {
			return tx.rowFault(err, r, reject)
		}
		if changed {
			rep.Updated++
		} else {
			rep.Unchanged++
		}
		return nil
	}
	if r.Resident.Relation == registry.Head {
		reject(r, "与户主关系", "registry.relation.head_taken")
		return nil
	}
	if _, err := tx.insertResident(ctx, a, hid, village, r.Resident, reason); err != nil {
		return tx.rowFault(err, r, reject)
	}
	rep.NewResidents++
	return nil
}

// rowFault turns a service fault on a row into a problem on that row;
// anything else aborts the import.
func (tx *Tx) rowFault(err error, r *registry.ImportRow, reject func(*registry.ImportRow, string, string, ...any)) error {
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code == fault.Internal {
		return err
	}
	col := "姓名"
	if len(fe.Fields) > 0 {
		col = registry.ColumnTitle(fe.Fields[0].Name)
	}
	reject(r, col, fe.Msg.Key, fe.Msg.Args...)
	return nil
}

// villageResolver returns a function that maps a sheet's 所属村 cell to a
// village code under regionCode, or names the problem. An empty cell means
// regionCode itself, which must then be a village.
func (tx *Tx) villageResolver(ctx context.Context, regionCode string) (func(string) (string, string), error) {
	lo, hi := regioncode.Range(regionCode)
	rows, err := tx.query(ctx, `SELECT code, name, status FROM regions WHERE level = ? AND code >= ? AND code < ?`, int(regioncode.Village), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string][]string{}
	active := map[string]bool{}
	for rows.Next() {
		var code, name, status string
		if err := rows.Scan(&code, &name, &status); err != nil {
			return nil, err
		}
		if status == string(region.Active) {
			byName[name] = append(byName[name], code)
			active[code] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return func(v string) (string, string) {
		switch {
		case v == "" && regioncode.LevelOf(regionCode) == regioncode.Village:
			return regionCode, ""
		case v == "":
			return "", "import.village_required"
		case active[v]:
			return v, ""
		}
		codes := byName[v]
		switch len(codes) {
		case 1:
			return codes[0], ""
		case 0:
			return "", "import.village_unknown"
		default:
			return "", "import.village_ambiguous"
		}
	}, nil
}
