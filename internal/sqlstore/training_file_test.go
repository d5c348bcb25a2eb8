package sqlstore_test

import (
	"context"
	"fmt"
	"shanzhi/internal/org"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// confirmOutcome records enrolment's outcome as confirmed at t, as the
// department's confirmation of the evaluation leaves it.
func confirmOutcome(tb testing.TB, db *sqlstore.DB, enrolment int64, outcome, reasons string, t time.Time) {
	tb.Helper()
	if err := db.RawExec(context.Background(), `INSERT INTO training_outcomes (enrolment_id, outcome, reasons, hours, total, computed_at, confirmed_at)
		VALUES (?, ?, ?, 0, 0, ?, ?)`, enrolment, outcome, reasons, t.UnixMilli(), t.UnixMilli()); err != nil {
		tb.Fatal(err)
	}
}

// TestTrainingFileAndRetakes runs a class of three to its outcomes — one
// 合格 with a certificate, two 重修 — and follows the retakes: the
// trainee's 情况说明 (refused when bad, returned, written again,
// accepted), the "retake due" filter, the enrolment in a later class
// through the 入学关, and its 合格 closing the case; the yearly file, the
// unit's lines and the figures follow each step.
func TestTrainingFileAndRetakes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := at("08:35:00")
		db.Now = func() time.Time { return now }
		s := db.Training()
		deptID := authUser(t, db, "zzb-file", access.Grant{Role: access.OrgStaff, Region: keerqin})
		dept := &access.Actor{UserID: deptID, Username: "zzb-file", Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		c, links := attendClass(t, db, "", 3)
		es, err := s.Enrolments(ctx, dept, c.ID)
		if err != nil || len(es) != 3 {
			t.Fatal(err, len(es))
		}
		if _, err := s.MarkRoll(ctx, dept, c.Sessions[0].ID, []int64{es[0].ID, es[1].ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkRoll(ctx, dept, c.Sessions[1].ID, []int64{es[0].ID}); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
		confirmOutcome(t, db, es[0].ID, training.Pass, "", now)
		confirmOutcome(t, db, es[1].ID, training.Retake, "hours", now)
		confirmOutcome(t, db, es[2].ID, training.Retake, "hours,exam", now)
		if err := db.RawExec(ctx, `INSERT INTO training_certificates (serial, token, enrolment_id, kind, name, class_name, start_on, end_on, hours, issuer, issued_at)
			VALUES ('2026-001-0001', 'tok', ?, 'completion', ?, ?, ?, ?, 4, '组织部', 0)`, es[0].ID, es[0].Cadre.Name, c.Name, c.Start, c.End); err != nil {
			t.Fatal(err)
		}

		f, err := s.CadreFile(ctx, dept, es[0].Cadre.ID)
		if err != nil {
			t.Fatal(err)
		}
		y := f.Year("2026")
		if y.Hours != 4 || y.Required != 48 || len(y.Classes) != 1 || y.Classes[0].Outcome != training.Pass || y.Classes[0].Certificate != "2026-001-0001" || y.RetakesOpen != 0 {
			t.Fatalf("file: %+v", y)
		}
		if _, err := s.CadreFile(ctx, orgSibling, es[0].Cadre.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township reads a cadre's file: %v", err)
		}

		// The trainee's statement, by their link.
		mine, err := s.TraineeFile(ctx, links[1].Token)
		if err != nil {
			t.Fatal(err)
		}
		if y := mine.Year("2026"); y.Hours != 2 || len(y.Retakes) != 1 || !y.Retakes[0].Open() || strings.Join(y.Retakes[0].Reasons, ",") != "hours" || y.RetakesOpen != 1 {
			t.Fatalf("trainee's file: %+v", y)
		}
		for name, c := range map[string]struct {
			cred string
			in   training.StatementInput
			code fault.Code
		}{
			"no text":      {links[1].Token, training.StatementInput{Text: "  "}, fault.Invalid},
			"a page":       {links[1].Token, training.StatementInput{Text: "说明", File: []byte("<html><script>alert(1)</script></html>")}, fault.Invalid},
			"too large":    {links[1].Token, training.StatementInput{Text: "说明", File: make([]byte, training.MaxStatementFile+1)}, fault.TooLarge},
			"passed":       {links[0].Token, training.StatementInput{Text: "说明"}, fault.Invalid},
			"someone else": {links[2].Token, training.StatementInput{Enrolment: es[1].ID, Text: "说明"}, fault.Invalid},
			"no link":      {"nonsense", training.StatementInput{Text: "说明"}, fault.NotFound},
		} {
			if _, err := s.SubmitStatement(ctx, c.cred, c.in); fault.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		st, err := s.SubmitStatement(ctx, links[1].Code, training.StatementInput{Text: "因工作冲突缺课两学时，申请回炉重修。", File: photo.Swatch(1)})
		if err != nil || st.Status != training.StatementSubmitted || st.FileType != photo.PNG {
			t.Fatalf("statement: %v %+v", err, st)
		}
		if _, err := s.SubmitStatement(ctx, links[1].Token, training.StatementInput{Text: "再说一遍"}); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second statement while one waits: %v", err)
		}
		if _, data, err := s.StatementFile(ctx, dept, st.ID); err != nil || len(data) == 0 {
			t.Errorf("statement file: %v", err)
		}
		if _, _, err := s.StatementFile(ctx, orgSibling, st.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township reads a statement: %v", err)
		}
		if _, err := s.DecideStatement(ctx, dept, st.ID, false, ""); !fault.Is(err, fault.Invalid) {
			t.Errorf("returned without a comment: %v", err)
		}
		if _, err := s.DecideStatement(ctx, orgSibling, st.ID, true, ""); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township decides: %v", err)
		}
		if x, err := s.DecideStatement(ctx, dept, st.ID, false, "请写明缺课日期"); err != nil || x.Status != training.StatementReturned {
			t.Fatalf("return: %v %+v", err, x)
		}
		if _, err := s.DecideStatement(ctx, dept, st.ID, true, ""); !fault.Is(err, fault.Conflict) {
			t.Errorf("decided twice: %v", err)
		}
		st, err = s.SubmitStatement(ctx, links[1].Token, training.StatementInput{Text: "6月1日下午因防汛值班缺课两学时，申请回炉重修。"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideStatement(ctx, dept, st.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		open, err := s.Retakes(ctx, dept, keerqin, false)
		if err != nil || len(open) != 2 || open[0].Days != 0 {
			t.Fatalf("open retakes: %v %+v", err, open)
		}
		if _, err := s.Retakes(ctx, orgSibling, keerqin, false); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township lists the retakes: %v", err)
		}

		// A later class: only the trainee whose statement was accepted is
		// due, and the 入学关 enrols them as a retake.
		later, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: "村两委回炉班", Start: "2026-07-01", End: "2026-07-02", Capacity: 10, HoursRequired: 2})
		if err != nil {
			t.Fatal(err)
		}
		if later, err = s.AddSession(ctx, orgBanner, later.ID, training.SessionInput{Day: "2026-07-01", Starts: "09:00", Title: "补课", Hours: 2}); err != nil {
			t.Fatal(err)
		}
		due, err := s.Targets(ctx, dept, later.ID, training.TargetFilter{RetakeDue: true})
		if err != nil || len(due) != 1 || due[0].ID != es[1].Cadre.ID {
			t.Fatalf("retake due: %v %+v", err, due)
		}
		if _, err := s.Enrol(ctx, dept, later.ID, []int64{es[1].Cadre.ID}); err != nil {
			t.Fatal(err)
		}
		les, _ := s.Enrolments(ctx, dept, later.ID)
		if len(les) != 1 || les[0].Source != "retake" {
			t.Fatalf("later enrolment: %+v", les)
		}
		if due, _ := s.Targets(ctx, dept, later.ID, training.TargetFilter{RetakeDue: true}); len(due) != 0 {
			t.Errorf("still due once enrolled: %+v", due)
		}
		now = time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)
		if _, err := s.MarkRoll(ctx, dept, later.Sessions[0].ID, []int64{les[0].ID}); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 7, 5, 9, 0, 0, 0, time.UTC)
		confirmOutcome(t, db, les[0].ID, training.Pass, "", now)
		open, _ = s.Retakes(ctx, dept, keerqin, false)
		closed, err := s.Retakes(ctx, dept, keerqin, true)
		if err != nil || len(open) != 1 || open[0].Cadre != es[2].Cadre.ID || open[0].Days != 24 || len(closed) != 1 || closed[0].ClosedBy == nil ||
			closed[0].ClosedBy.ID != later.ID || closed[0].Days != 24 {
			t.Fatalf("after the later class: %v open %+v closed %+v", err, open, closed)
		}

		rows, err := s.FileRows(ctx, dept, training.FileFilter{Region: keerqin, Year: "2026"})
		if err != nil || len(rows) != 3 {
			t.Fatalf("rows: %v %+v", err, rows)
		}
		byName := map[string]training.FileRow{}
		for _, r := range rows {
			byName[r.Name] = r
		}
		if r := byName[es[1].Cadre.Name]; r.Hours != 4 || len(r.Classes) != 2 || strings.Join(r.Outcomes, ",") != "retake,pass" || r.RetakesOpen != 0 || r.Required != 48 {
			t.Errorf("retaken: %+v", r)
		}
		if r := byName[es[2].Cadre.Name]; r.Hours != 0 || r.RetakesOpen != 1 {
			t.Errorf("still open: %+v", r)
		}
		if r := byName[es[0].Cadre.Name]; len(r.Certificates) != 1 {
			t.Errorf("certified: %+v", r)
		}
		if _, err := s.FileRows(ctx, orgSibling, training.FileFilter{Region: keerqin, Year: "2026"}); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township reads the yearly lines: %v", err)
		}
		if _, err := s.FileRows(ctx, dept, training.FileFilter{Region: keerqin, Year: "26"}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a bad year: %v", err)
		}

		fig, err := s.Figures(ctx, dept, training.FiguresFilter{Region: keerqin, Year: "2026"})
		if err != nil || len(fig.Classes) != 2 || len(fig.Ranks) != 1 {
			t.Fatalf("figures: %v %+v", err, fig)
		}
		first, tot := fig.Classes[0], fig.Total
		if first.Enrolled != 3 || first.Attended != 2 || first.Hours != 6 || first.Pass != 1 || first.Retake != 2 || first.Reasons[training.ReasonHours] != 2 || first.Reasons[training.ReasonExam] != 1 {
			t.Errorf("first class: %+v", first)
		}
		if tot.Enrolled != 4 || tot.Attended != 3 || tot.Hours != 8 || tot.Pass != 2 || tot.Retake != 2 {
			t.Errorf("total: %+v", tot)
		}
		if _, err := s.Figures(ctx, orgSibling, training.FiguresFilter{Region: keerqin, Year: "2026"}); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township reads the figures: %v", err)
		}
	})
}

// TestTrainingFiguresSeed builds the seed's year: a class of 80 county-
// level (县处级) trainees of whom 60 are 优秀 and 14 must retake (学时不够,
// 评价不达标, 结业成绩不合格), beside a township-level class, and checks
// every figure per class, unit, rank and in total against counts taken
// straight from the tables.
func TestTrainingFiguresSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := db.Training()
		uid := authUser(t, db, "zzb-seed", access.Grant{Role: access.OrgStaff, Region: qianqi})
		banner := &access.Actor{UserID: uid, Username: "zzb-seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: qianqi}}}
		mk := func(rank string, n int, name, start string) ([]training.Enrolment, *training.Class) {
			var rows []org.CadreRow
			for i := 0; i < n; i++ {
				region := keerqin
				if i%3 == 0 {
					region = pingan
				}
				rows = append(rows, org.CadreRow{Line: i + 2, Input: org.CadreInput{Region: region, Name: fmt.Sprintf("%s%03d", rank, i), Post: "干部", Rank: rank, Appointed: "2020-01-01"}})
			}
			done, err := db.Cadres().ImportCadres(ctx, orgBanner, rows, true)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range done {
				ids = append(ids, r.ID)
			}
			c, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: qianqi, Name: name, Start: start, End: start, Capacity: n, HoursRequired: 6})
			if err != nil {
				t.Fatal(err)
			}
			for _, hm := range []string{"08:30", "14:00"} {
				if c, err = s.AddSession(ctx, orgBanner, c.ID, training.SessionInput{Day: start, Starts: hm, Title: "专题", Hours: 3}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Enrol(ctx, orgBanner, c.ID, ids); err != nil {
				t.Fatal(err)
			}
			es, err := s.Enrolments(ctx, orgBanner, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return es, c
		}
		county, cc := mk("county", 80, "高层次人才综合素质提升培训班", "2026-05-10")
		town, tc := mk("township", 10, "乡村振兴示范培训班", "2026-06-10")
		// Everyone attends the morning; all but the 学时不够 the afternoon.
		reasons := map[int]string{}
		for i := 0; i < 14; i++ {
			reasons[66+i] = []string{"hours", "evaluation", "exam", "hours,exam", "evaluation,exam"}[i%5]
		}
		mark := func(c *training.Class, es []training.Enrolment, skip func(int) bool) {
			for j, x := range c.Sessions {
				var present []int64
				for i, e := range es {
					if j == 0 || !skip(i) {
						present = append(present, e.ID)
					}
				}
				if _, err := s.MarkRoll(ctx, banner, x.ID, present); err != nil {
					t.Fatal(err)
				}
			}
		}
		mark(cc, county, func(i int) bool { return strings.Contains(reasons[i], "hours") })
		mark(tc, town, func(i int) bool { return i == 9 })
		for i, e := range county {
			switch {
			case i < 60:
				confirmOutcome(t, db, e.ID, training.Excellent, "", now)
			case i < 66:
				confirmOutcome(t, db, e.ID, training.Pass, "", now)
			default:
				confirmOutcome(t, db, e.ID, training.Retake, reasons[i], now)
			}
		}
		for i, e := range town[:9] {
			o := training.Pass
			if i < 2 {
				o = training.Excellent
			}
			confirmOutcome(t, db, e.ID, o, "", now)
		}
		// The tenth township trainee's outcome is computed but not
		// confirmed: it does not count.
		if err := db.RawExec(ctx, `INSERT INTO training_outcomes (enrolment_id, outcome, reasons, hours, total, computed_at) VALUES (?, 'retake', 'hours', 3, 0, 1)`, town[9].ID); err != nil {
			t.Fatal(err)
		}

		count := func(q string, args ...any) int {
			var n int
			if err := db.RawRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		base := ` FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id JOIN cadres c ON c.id = e.cadre_id
			LEFT JOIN training_outcomes o ON o.enrolment_id = e.id AND o.confirmed_at > 0 WHERE k.start_on LIKE '2026-%' AND c.rank_code LIKE ?`
		check := func(what string, got training.Counts, rank string) {
			want := training.Counts{
				Enrolled:  count(`SELECT count(*)`+base, rank),
				Attended:  count(`SELECT count(*)`+base+` AND EXISTS (SELECT 1 FROM training_attendance a WHERE a.enrolment_id = e.id)`, rank),
				Hours:     count(`SELECT COALESCE(sum(s.hours), 0) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id JOIN training_enrolments e ON e.id = a.enrolment_id JOIN training_classes k ON k.id = e.class_id JOIN cadres c ON c.id = e.cadre_id WHERE k.start_on LIKE '2026-%' AND c.rank_code LIKE ?`, rank),
				Excellent: count(`SELECT count(*)`+base+` AND o.outcome = 'excellent'`, rank),
				Pass:      count(`SELECT count(*)`+base+` AND o.outcome = 'pass'`, rank),
				Retake:    count(`SELECT count(*)`+base+` AND o.outcome = 'retake'`, rank),
			}
			if got.Enrolled != want.Enrolled || got.Attended != want.Attended || got.Hours != want.Hours || got.Excellent != want.Excellent || got.Pass != want.Pass || got.Retake != want.Retake {
				t.Errorf("%s: %+v, the tables say %+v", what, got, want)
			}
			for _, r := range training.RetakeReasons {
				if n := count(`SELECT count(*)`+base+` AND o.outcome = 'retake' AND (',' || o.reasons || ',') LIKE ?`, rank, "%,"+r+",%"); got.Reasons[r] != n {
					t.Errorf("%s: %d for %s, the tables say %d", what, got.Reasons[r], r, n)
				}
			}
		}
		all, err := s.Figures(ctx, orgBanner, training.FiguresFilter{Region: qianqi, Year: "2026"})
		if err != nil {
			t.Fatal(err)
		}
		check("total", all.Total, "%")
		cf, err := s.Figures(ctx, orgBanner, training.FiguresFilter{Region: qianqi, Year: "2026", Rank: "county"})
		if err != nil {
			t.Fatal(err)
		}
		check("county", cf.Total, "county")
		if cf.Total.Excellent != 60 || cf.Total.Retake != 14 || len(cf.Classes) != 1 || cf.Classes[0].Label != cc.Name {
			t.Errorf("the seed's county-level figures: %+v", cf)
		}
		for _, r := range all.Ranks {
			check("rank "+r.Label, r, r.Key)
		}
		if len(all.Units) != 2 || all.Units[0].Enrolled+all.Units[1].Enrolled != 90 {
			t.Errorf("units: %+v", all.Units)
		}
		if n, err := s.Figures(ctx, orgBanner, training.FiguresFilter{Region: qianqi, Year: "2025"}); err != nil || n.Total.Enrolled != 0 {
			t.Errorf("another year: %v %+v", err, n)
		}
	})
}
