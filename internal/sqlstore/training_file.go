package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/photo"
	"shanzhi/internal/training"
)

var _ training.Files = (*TrainingService)(nil)

// The evaluation's tables, as the file, the retakes and the figures read
// them: only a confirmed outcome counts, and only a certificate not
// revoked.
const (
	// outcomeJoin joins enrolment e's confirmed outcome as o.
	outcomeJoin = `LEFT JOIN training_outcomes o ON o.enrolment_id = e.id AND o.confirmed_at > 0`
	// certSerial is enrolment e's certificate in force: its serial and kind.
	certSerial = `(SELECT t.serial FROM training_certificates t WHERE t.enrolment_id = e.id AND t.revoked_at = 0 ORDER BY t.id DESC LIMIT 1)`
	certKind   = `(SELECT t.kind FROM training_certificates t WHERE t.enrolment_id = e.id AND t.revoked_at = 0 ORDER BY t.id DESC LIMIT 1)`
	// enrolHours is the hours enrolment e attended.
	enrolHours = `(SELECT COALESCE(sum(s.hours), 0) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id WHERE a.enrolment_id = e.id)`
	// retakeOpen holds for enrolment e of class k with a confirmed 重修
	// that no later class of the cadre has made good with a confirmed
	// 合格 or 优秀.
	retakeOpen = `EXISTS (SELECT 1 FROM training_outcomes o1 WHERE o1.enrolment_id = e.id AND o1.outcome = 'retake' AND o1.confirmed_at > 0)
		AND NOT EXISTS (SELECT 1 FROM training_enrolments e2 JOIN training_classes k2 ON k2.id = e2.class_id
			JOIN training_outcomes o2 ON o2.enrolment_id = e2.id AND o2.confirmed_at > 0 AND o2.outcome IN ('excellent', 'pass')
			WHERE e2.cadre_id = e.cadre_id AND k2.start_on > k.end_on)`
)

// splitReasons reads an outcome's stored reasons.
func splitReasons(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// fileEnrolment is one enrolment of a cadre as the file and the retake
// loop read it.
type fileEnrolment struct {
	training.FileClass
	cadre     int64
	region    string
	confirmed int64
}

const fileEnrolSelect = `SELECT e.id, e.cadre_id, k.id, k.name, k.region_code, k.start_on, k.end_on, k.hours_required, ` + enrolHours + `,
	COALESCE(o.outcome, ''), COALESCE(o.reasons, ''), COALESCE(o.confirmed_at, 0), COALESCE(` + certSerial + `, ''), COALESCE(` + certKind + `, '')
	FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id ` + outcomeJoin

func scanFileEnrolment(s interface{ Scan(...any) error }) (fileEnrolment, error) {
	var x fileEnrolment
	var reasons string
	err := s.Scan(&x.Enrolment, &x.cadre, &x.Class.ID, &x.Class.Name, &x.region, &x.Start, &x.End, &x.HoursRequired, &x.Hours,
		&x.Outcome, &reasons, &x.confirmed, &x.Certificate, &x.CertKind)
	x.Reasons = splitReasons(reasons)
	return x, err
}

const statementSelect = `SELECT id, enrolment_id, text, file_type, file_size, status, comment, submitted_at, decided_at FROM training_statements`

func scanStatement(s interface{ Scan(...any) error }) (training.Statement, error) {
	var x training.Statement
	var at, decided int64
	err := s.Scan(&x.ID, &x.Enrolment, &x.Text, &x.FileType, &x.FileSize, &x.Status, &x.Comment, &at, &decided)
	x.Submitted, x.Decided = time.UnixMilli(at), msTime(decided)
	return x, err
}

// daysBetween counts whole days from one instant to another.
func daysBetween(from, to time.Time) int {
	if to.Before(from) {
		return 0
	}
	return int(to.Sub(from) / (24 * time.Hour))
}

// retakeCases turns the enrolments of some cadres, in the order of their
// classes' start, into the cases of their confirmed 重修: each closed by
// the first later class with a confirmed 合格 or 优秀. statements are by
// enrolment, oldest first.
func retakeCases(ens []fileEnrolment, statements map[int64][]training.Statement, now time.Time) []training.RetakeCase {
	var out []training.RetakeCase
	for _, x := range ens {
		if x.Outcome != training.Retake || x.confirmed == 0 {
			continue
		}
		c := training.RetakeCase{Enrolment: x.Enrolment, Cadre: x.cadre, Class: x.Class, ClassEnd: x.End, Region: x.region, Reasons: x.Reasons,
			Since: time.UnixMilli(x.confirmed), Statements: statements[x.Enrolment]}
		if n := len(c.Statements); n > 0 {
			c.Statement = &c.Statements[n-1]
		}
		end := now
		for _, y := range ens {
			if y.cadre != x.cadre || y.Start <= x.End {
				continue
			}
			c.Later = append(c.Later, y.Class)
			if c.ClosedBy == nil && y.confirmed != 0 && (y.Outcome == training.Excellent || y.Outcome == training.Pass) {
				ref := y.Class
				c.ClosedBy, end = &ref, time.UnixMilli(y.confirmed)
			}
		}
		c.Days = daysBetween(c.Since, end)
		out = append(out, c)
	}
	return out
}

// statementsOf loads the statements of the enrolments a query's first
// column names, by enrolment, oldest first.
func (tx *Tx) statementsOf(ctx context.Context, enrolments string, args ...any) (map[int64][]training.Statement, error) {
	list, err := queryAll(ctx, tx, scanStatement, statementSelect+` WHERE enrolment_id IN (`+enrolments+`) ORDER BY id`, args...)
	out := map[int64][]training.Statement{}
	for _, x := range list {
		out[x.Enrolment] = append(out[x.Enrolment], x)
	}
	return out, err
}

// cadreFile builds a cadre's file: every year they had classes or hours
// in, and this year.
func (tx *Tx) cadreFile(ctx context.Context, c *org.Cadre) (*training.CadreFile, error) {
	ens, err := queryAll(ctx, tx, scanFileEnrolment, fileEnrolSelect+` WHERE e.cadre_id = ? ORDER BY k.start_on, k.id`, c.ID)
	if err != nil {
		return nil, err
	}
	sts, err := tx.statementsOf(ctx, `SELECT id FROM training_enrolments WHERE cadre_id = ?`, c.ID)
	if err != nil {
		return nil, err
	}
	type yh struct {
		year  string
		hours int
	}
	hours, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (yh, error) {
		var x yh
		err := s.Scan(&x.year, &x.hours)
		return x, err
	}, `SELECT substr(s.day, 1, 4), sum(s.hours) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
		JOIN training_enrolments e ON e.id = a.enrolment_id WHERE e.cadre_id = ? GROUP BY substr(s.day, 1, 4)`, c.ID)
	if err != nil {
		return nil, err
	}
	var required int
	if err := tx.queryRow(ctx, `SELECT hours FROM cadre_ranks WHERE code = ?`, c.Rank).Scan(&required); err != nil {
		return nil, err
	}
	years := map[string]*training.FileYear{}
	year := func(y string) *training.FileYear {
		if years[y] == nil {
			years[y] = &training.FileYear{YearHours: training.YearHours{Year: y, Required: required}}
		}
		return years[y]
	}
	year(localtime.Day(tx.now)[:4])
	for _, h := range hours {
		year(h.year).Hours = h.hours
	}
	for i := len(ens) - 1; i >= 0; i-- {
		y := year(ens[i].Start[:4])
		y.Classes = append(y.Classes, ens[i].FileClass)
	}
	for _, rc := range retakeCases(ens, sts, tx.now) {
		rc.Name, rc.Rank = c.Name, c.RankName
		y := year(rc.ClassEnd[:4])
		y.Retakes = append(y.Retakes, rc)
		if rc.Open() {
			y.RetakesOpen++
		}
	}
	out := &training.CadreFile{Cadre: *c}
	for _, y := range years {
		out.Years = append(out.Years, *y)
	}
	slices.SortFunc(out.Years, func(a, b training.FileYear) int { return strings.Compare(b.Year, a.Year) })
	return out, nil
}

// CadreFile is a cadre's training file, to whoever reads the cadre.
func (s *TrainingService) CadreFile(ctx context.Context, a *access.Actor, cadre int64) (*training.CadreFile, error) {
	var out *training.CadreFile
	err := s.db.view(ctx, func(tx *Tx) error {
		c, err := tx.cadreFor(ctx, a, cadre, false)
		if err != nil {
			return err
		}
		out, err = tx.cadreFile(ctx, c)
		return err
	})
	return out, err
}

// TraineeFile is the file of the cadre whose personal link cred is: their
// own, with nothing sealed in it.
func (s *TrainingService) TraineeFile(ctx context.Context, cred string) (*training.CadreFile, error) {
	var out *training.CadreFile
	err := s.db.view(ctx, func(tx *Tx) error {
		e, err := tx.byCredential(ctx, cred)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.queryRow(ctx, `SELECT cadre_id FROM training_enrolments WHERE id = ?`, e.id).Scan(&id); err != nil {
			return err
		}
		c, err := scanCadre(nil)(tx.queryRow(ctx, cadreSelect+` WHERE c.id = ?`, id))
		if err != nil {
			return err
		}
		c.IDMasked, c.PhoneMasked = "", ""
		out, err = tx.cadreFile(ctx, &c)
		return err
	})
	return out, err
}

// validYear reports whether y is a plausible YYYY.
func validYear(y string) bool {
	t, err := time.Parse("2006", y)
	return err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

// MaxFileRows bounds a unit's yearly sheet.
const MaxFileRows = 20000

// FileRows are a year's lines of the cadres in post of a region (or one
// unit of it), by unit and name: hours against their rank's, the classes
// begun in the year with their outcomes and certificates, and the retakes
// still open.
func (s *TrainingService) FileRows(ctx context.Context, a *access.Actor, f training.FileFilter) ([]training.FileRow, error) {
	if !validYear(f.Year) {
		return nil, fault.OnField(fault.Invalid, "year", "training.year_invalid")
	}
	scopes, err := orgScopes(a, access.OrgRead, f.Region)
	if err != nil {
		return nil, err
	}
	var out []training.FileRow
	err = s.db.view(ctx, func(tx *Tx) error {
		where, args := cadreWhere(scopes, org.CadreFilter{Unit: f.Unit}, localtime.Day(tx.now))
		rows, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.FileRow, error) {
			var r training.FileRow
			err := s.Scan(&r.Cadre, &r.Name, &r.Unit, &r.Post, &r.Rank, &r.Required)
			return r, err
		}, `SELECT c.id, c.name, COALESCE(u.name, r.name), c.post, k.name, k.hours FROM cadres c JOIN regions r ON r.code = c.region_code
			JOIN cadre_ranks k ON k.code = c.rank_code LEFT JOIN org_units u ON u.id = c.unit_id
			WHERE `+where+` ORDER BY COALESCE(u.name, r.name), c.name, c.id LIMIT ?`, append(args, MaxFileRows)...)
		if err != nil || len(rows) == 0 {
			return err
		}
		at := map[int64]*training.FileRow{}
		for i := range rows {
			at[rows[i].Cadre] = &rows[i]
		}
		ids := `SELECT c.id FROM cadres c WHERE ` + where
		first, last := f.Year+"-01-01", f.Year+"-12-31"
		type kv struct {
			cadre int64
			n     int
		}
		scanKV := func(s interface{ Scan(...any) error }) (kv, error) {
			var x kv
			err := s.Scan(&x.cadre, &x.n)
			return x, err
		}
		hours, err := queryAll(ctx, tx, scanKV, `SELECT e.cadre_id, sum(s.hours) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
			JOIN training_enrolments e ON e.id = a.enrolment_id WHERE s.day >= ? AND s.day <= ? AND e.cadre_id IN (`+ids+`) GROUP BY e.cadre_id`,
			append([]any{first, last}, args...)...)
		if err != nil {
			return err
		}
		for _, h := range hours {
			if r := at[h.cadre]; r != nil {
				r.Hours = h.n
			}
		}
		open, err := queryAll(ctx, tx, scanKV, `SELECT e.cadre_id, count(*) FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id
			WHERE e.cadre_id IN (`+ids+`) AND `+retakeOpen+` GROUP BY e.cadre_id`, args...)
		if err != nil {
			return err
		}
		for _, h := range open {
			if r := at[h.cadre]; r != nil {
				r.RetakesOpen = h.n
			}
		}
		ens, err := queryAll(ctx, tx, scanFileEnrolment, fileEnrolSelect+` WHERE k.start_on >= ? AND k.start_on <= ? AND e.cadre_id IN (`+ids+`)
			ORDER BY k.start_on, k.id`, append([]any{first, last}, args...)...)
		if err != nil {
			return err
		}
		for _, x := range ens {
			r := at[x.cadre]
			if r == nil {
				continue
			}
			r.Classes = append(r.Classes, x.Class.Name)
			r.Outcomes = append(r.Outcomes, x.Outcome)
			if x.Certificate != "" {
				r.Certificates = append(r.Certificates, x.Certificate)
			}
		}
		out = rows
		return nil
	})
	return out, err
}

// StatementTypes are the types a statement's file may be, sniffed from
// its bytes: a scan as PDF, or a photo of the paper.
var StatementTypes = []string{photo.JPEG, photo.PNG, "application/pdf"}

// checkStatementFile refuses a file by its size and the type its bytes
// show, and strips an image's metadata, before any transaction.
func checkStatementFile(data []byte) (string, []byte, error) {
	if len(data) > training.MaxStatementFile {
		return "", nil, fault.OnField(fault.TooLarge, "file", "training.retake.file_size", training.MaxStatementFile>>20)
	}
	ctype, ok := photo.Sniff(data, StatementTypes...)
	if !ok {
		return "", nil, fault.OnField(fault.Invalid, "file", "training.retake.file_type")
	}
	if ctype != StatementTypes[2] {
		clean, err := photo.Clean(data, ctype)
		if err != nil {
			return "", nil, fault.OnField(fault.Invalid, "file", photo.Problem(err))
		}
		data = clean
	}
	return ctype, data, nil
}

// SubmitStatement records a 重修 trainee's 情况说明, by their personal
// link: refused unless their outcome is a confirmed 重修 still open, or
// while an earlier one waits for the department.
func (s *TrainingService) SubmitStatement(ctx context.Context, cred string, in training.StatementInput) (*training.Statement, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var ctype, sum string
	var data []byte
	if len(in.File) > 0 {
		var err error
		if ctype, data, err = checkStatementFile(in.File); err != nil {
			return nil, err
		}
		h := sha256.Sum256(data)
		sum = hex.EncodeToString(h[:])
	}
	var out *training.Statement
	err := s.db.update(ctx, func(tx *Tx) error {
		e, err := tx.byCredential(ctx, cred)
		if err != nil {
			return err
		}
		target := in.Enrolment
		if target == 0 {
			target = e.id
		}
		var open int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id
			WHERE e.id = ? AND e.cadre_id = (SELECT x.cadre_id FROM training_enrolments x WHERE x.id = ?) AND `+retakeOpen, target, e.id).Scan(&open); err != nil {
			return err
		}
		if open == 0 {
			return fault.E(fault.Invalid, "training.retake.not_retake")
		}
		var fileData any
		if data != nil {
			fileData = data
		}
		id, err := tx.insertID(ctx, `INSERT INTO training_statements (enrolment_id, text, file_type, file_size, file_sha256, file_data, status, submitted_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM training_statements WHERE enrolment_id = ? AND status IN (?, ?)) RETURNING id`,
			target, in.Text, ctype, len(data), sum, fileData, training.StatementSubmitted, tx.nowMS(), target, training.StatementSubmitted, training.StatementAccepted)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.Conflict, "training.retake.waiting")
		}
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, traineeActor(e.class.Region), auditEntry{action: "training.retake.statement", target: fmt.Sprintf("training_statement:%d", id),
			region: e.class.Region, detail: fmt.Sprintf("%s 情况说明 %d 字, 附件 %s %d bytes", e.name, utf8.RuneCountInString(in.Text), ctype, len(data))}); err != nil {
			return err
		}
		x, err := scanStatement(tx.queryRow(ctx, statementSelect+` WHERE id = ?`, id))
		out = &x
		return err
	})
	return out, err
}

// statementFor loads a statement with its trainee's name and the region
// of its class, for who reads the programme there (manage: changes it).
func (tx *Tx) statementFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*training.Statement, string, string, error) {
	var x training.Statement
	var at, decided int64
	var region, name string
	err := tx.queryRow(ctx, `SELECT st.id, st.enrolment_id, st.text, st.file_type, st.file_size, st.status, st.comment, st.submitted_at, st.decided_at, k.region_code, c.name
		FROM training_statements st JOIN training_enrolments e ON e.id = st.enrolment_id JOIN training_classes k ON k.id = e.class_id
		JOIN cadres c ON c.id = e.cadre_id WHERE st.id = ?`, id).Scan(&x.ID, &x.Enrolment, &x.Text, &x.FileType, &x.FileSize, &x.Status, &x.Comment, &at, &decided, &region, &name)
	if err := trainingReachable(err, a, region, manage); err != nil {
		return nil, "", "", err
	}
	x.Submitted, x.Decided = time.UnixMilli(at), msTime(decided)
	return &x, region, name, nil
}

// StatementFile is a statement's file, to who reads the programme at its
// class's region.
func (s *TrainingService) StatementFile(ctx context.Context, a *access.Actor, id int64) (*training.Statement, []byte, error) {
	var out *training.Statement
	var data []byte
	err := s.db.view(ctx, func(tx *Tx) error {
		x, _, _, err := tx.statementFor(ctx, a, id, false)
		if err != nil {
			return err
		}
		if x.FileType == "" {
			return fault.E(fault.NotFound, "error.not_found")
		}
		out = x
		return tx.queryRow(ctx, `SELECT file_data FROM training_statements WHERE id = ?`, id).Scan(&data)
	})
	return out, data, err
}

// DecideStatement accepts a waiting statement, or returns it to the
// trainee with a comment saying what to write again.
func (s *TrainingService) DecideStatement(ctx context.Context, a *access.Actor, id int64, accept bool, comment string) (*training.Statement, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > training.MaxComment || !accept && comment == "" {
		return nil, fault.OnField(fault.Invalid, "comment", "training.retake.comment", training.MaxComment)
	}
	var out *training.Statement
	err := s.db.update(ctx, func(tx *Tx) error {
		x, region, name, err := tx.statementFor(ctx, a, id, true)
		if err != nil {
			return err
		}
		status := training.StatementReturned
		if accept {
			status = training.StatementAccepted
		}
		res, err := tx.exec(ctx, `UPDATE training_statements SET status = ?, comment = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = ?`,
			status, comment, tx.nowMS(), actorUser(a), id, training.StatementSubmitted)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = fault.E(fault.Conflict, "training.retake.decided")
			}
			return err
		}
		x.Status, x.Comment, x.Decided = status, comment, tx.now
		out = x
		return tx.audit(ctx, a, auditEntry{action: "training.retake." + status, target: fmt.Sprintf("training_statement:%d", id), region: region,
			detail: name + " 情况说明: " + comment})
	})
	return out, err
}

// MaxRetakeCases bounds the retake loop's page.
const MaxRetakeCases = 2000

// Retakes lists the retake cases of the classes of a region (the actor's
// scope when ""): the open ones longest open first, or, with closed, the
// closed ones, the latest 重修 first.
func (s *TrainingService) Retakes(ctx context.Context, a *access.Actor, region string, closed bool) ([]training.RetakeCase, error) {
	scopes, err := orgScopes(a, access.TrainingRead, region)
	if err != nil {
		return nil, err
	}
	var out []training.RetakeCase
	err = s.db.view(ctx, func(tx *Tx) error {
		where, args := scopeWhere("k.region_code", scopes)
		cases := `SELECT e.id FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id JOIN training_outcomes o ON o.enrolment_id = e.id
			WHERE o.outcome = 'retake' AND o.confirmed_at > 0 AND ` + where
		ens, err := queryAll(ctx, tx, scanFileEnrolment, fileEnrolSelect+` WHERE e.cadre_id IN (SELECT x.cadre_id FROM training_enrolments x WHERE x.id IN (`+cases+`))
			ORDER BY k.start_on, k.id`, args...)
		if err != nil {
			return err
		}
		sts, err := tx.statementsOf(ctx, cases, args...)
		if err != nil {
			return err
		}
		inScope := map[int64]bool{}
		ids, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (int64, error) {
			var id int64
			return id, s.Scan(&id)
		}, cases, args...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			inScope[id] = true
		}
		type who struct {
			id               int64
			name, unit, rank string
		}
		people, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (who, error) {
			var w who
			return w, s.Scan(&w.id, &w.name, &w.unit, &w.rank)
		}, `SELECT c.id, c.name, COALESCE(u.name, r.name), k.name FROM cadres c JOIN regions r ON r.code = c.region_code
			JOIN cadre_ranks k ON k.code = c.rank_code LEFT JOIN org_units u ON u.id = c.unit_id
			WHERE c.id IN (SELECT x.cadre_id FROM training_enrolments x WHERE x.id IN (`+cases+`))`, args...)
		if err != nil {
			return err
		}
		byID := map[int64]who{}
		for _, p := range people {
			byID[p.id] = p
		}
		for _, c := range retakeCases(ens, sts, tx.now) {
			if !inScope[c.Enrolment] || c.Open() == closed {
				continue
			}
			p := byID[c.Cadre]
			c.Name, c.Unit, c.Rank = p.name, p.unit, p.rank
			out = append(out, c)
		}
		slices.SortStableFunc(out, func(x, y training.RetakeCase) int {
			if closed {
				return y.Since.Compare(x.Since)
			}
			return y.Days - x.Days
		})
		if len(out) > MaxRetakeCases {
			out = out[:MaxRetakeCases]
		}
		return nil
	})
	return out, err
}
