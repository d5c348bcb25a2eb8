package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// seedTrainingYear gives a register of cadres a city's year of training:
// a class of 80 for every 200 cadres (50 classes over 10,000), two
// 3-hour sessions each attended by all, confirmed outcomes (one in ten
// 重修, one in five 优秀) and a certificate for each passed trainee. The
// rows the benchmark reads are put in by statement, not through the
// services: the enrolment path is the only one timed elsewhere.
func seedTrainingYear(b *testing.B, db *sqlstore.DB, ids []int64) {
	ctx := context.Background()
	s := db.Training()
	for i := 0; (i+1)*80 <= len(ids) && i < len(ids)/200; i++ {
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*3).Format(time.DateOnly)
		c, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: qianqi, Name: fmt.Sprintf("第%d期培训班", i+1), Start: day, End: day, Capacity: 80, HoursRequired: 6})
		if err != nil {
			b.Fatal(err)
		}
		for _, hm := range []string{"08:30", "14:00"} {
			if _, err := s.AddSession(ctx, orgBanner, c.ID, training.SessionInput{Day: day, Starts: hm, Title: "专题", Hours: 3}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Enrol(ctx, orgBanner, c.ID, ids[i*80:(i+1)*80]); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO training_attendance (enrolment_id, session_id, how, late, at) SELECT e.id, x.id, 'hand', 0, 0 FROM training_enrolments e JOIN training_sessions x ON x.class_id = e.class_id`,
		`INSERT INTO training_outcomes (enrolment_id, outcome, reasons, hours, total, computed_at, confirmed_at)
			SELECT e.id, CASE WHEN e.id % 10 = 0 THEN 'retake' WHEN e.id % 5 = 1 THEN 'excellent' ELSE 'pass' END,
			CASE WHEN e.id % 10 = 0 THEN 'exam' ELSE '' END, 6, 800, 1, 1 FROM training_enrolments e`,
		`INSERT INTO training_certificates (serial, token, enrolment_id, kind, name, class_name, start_on, end_on, hours, issuer, issued_at)
			SELECT 'S' || e.id, 'T' || e.id, e.id, 'completion', '', '', '', '', 6, '', 1 FROM training_enrolments e WHERE e.id % 10 <> 0`,
		`INSERT INTO training_statements (enrolment_id, text, status, submitted_at) SELECT e.id, '情况说明', 'accepted', 1 FROM training_enrolments e WHERE e.id % 20 = 0`,
	} {
		if err := db.RawExec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	// Statistics, as autovacuum (PostgreSQL) and a maintained SQLite file
	// have them after a load: without them PostgreSQL scans the whole
	// attendance for each cadre of the filter.
	if err := db.RawExec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTrainingFile measures, over a city's register of 10,000 cadres
// with a year of 50 classes behind it, a cadre's whole training file
// (years, classes, outcomes, certificates, retakes; issue 15: ≤ 20 ms
// p99), the targeting filter with "retake due" and with "hours short"
// over the whole register (≤ 200 ms), and the year's figures.
func BenchmarkTrainingFile(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			db.Now = func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
			ctx := context.Background()
			ids := seedCadres(b, db, benchCadres(b))
			seedTrainingYear(b, db, ids)
			s := db.Training()
			next, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: qianqi, Name: "回炉重修班", Start: "2026-12-01", End: "2026-12-02", Capacity: 1000})
			if err != nil {
				b.Fatal(err)
			}
			enrolled := ids[:len(ids)/200*80]
			b.Run("file", func(b *testing.B) {
				took := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					f, err := s.CadreFile(ctx, orgBanner, enrolled[(i*7919)%len(enrolled)])
					if err != nil || len(f.Years[0].Classes) != 1 {
						b.Fatal(err)
					}
					took = append(took, time.Since(t0))
				}
				reportP99(b, took)
			})
			for name, f := range map[string]training.TargetFilter{"filter-retake-due": {RetakeDue: true}, "filter-hours-short": {HoursShort: true, Rank: "township"}} {
				b.Run(name, func(b *testing.B) {
					took := make([]time.Duration, 0, b.N)
					for i := 0; i < b.N; i++ {
						t0 := time.Now()
						list, err := s.Targets(ctx, orgBanner, next.ID, f)
						if err != nil || len(list) == 0 {
							b.Fatal(err, len(list))
						}
						took = append(took, time.Since(t0))
					}
					reportP99(b, took)
				})
			}
			b.Run("figures", func(b *testing.B) {
				took := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					fig, err := s.Figures(ctx, orgBanner, training.FiguresFilter{Region: qianqi, Year: "2026"})
					if err != nil || fig.Total.Enrolled != len(enrolled) {
						b.Fatal(err)
					}
					took = append(took, time.Since(t0))
				}
				reportP99(b, took)
			})
		})
	}
}
