package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTeacherRatings rates teachers through the trainees' links: only a
// session the trainee attended and that had a teacher, once each, 1 to 5;
// the pool shows each teacher's mean and count.
func TestTeacherRatings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Training()
		headID := authUser(t, db, "banzhuren", access.Grant{Role: access.Trainer, Region: keerqin})
		head := &access.Actor{UserID: headID, Username: "banzhuren", Grants: []access.Grant{{Role: access.Trainer, Region: keerqin}}}
		teacher, err := s.CreateTeacher(ctx, orgBanner, training.TeacherInput{Region: keerqin, Name: "王教授", Affiliation: "市委党校", Subjects: "基层治理"})
		if err != nil {
			t.Fatal(err)
		}
		c, links := attendClass(t, db, "banzhuren", 3)
		c, err = s.AddSession(ctx, orgBanner, c.ID, training.SessionInput{Day: "2026-06-02", Starts: "08:30", Title: "乡村治理案例", Teacher: teacher.ID, Hours: 2})
		if err != nil {
			t.Fatal(err)
		}
		plain, taught := c.Sessions[0].ID, c.Sessions[2].ID
		if _, err := s.MarkRoll(ctx, head, taught, []int64{links[0].Enrolment, links[1].Enrolment}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkRoll(ctx, head, plain, []int64{links[0].Enrolment}); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			cred string
			r    training.Rating
			code fault.Code
		}{
			"a score of 6":            {links[0].Token, training.Rating{Session: taught, Score: 6}, fault.Invalid},
			"a session of no teacher": {links[0].Token, training.Rating{Session: plain, Score: 4}, fault.Invalid},
			"a session not attended":  {links[2].Token, training.Rating{Session: taught, Score: 1}, fault.Invalid},
			"another class's session": {links[0].Token, training.Rating{Session: 987654, Score: 3}, fault.Invalid},
			"an unknown link":         {"nope", training.Rating{Session: taught, Score: 3}, fault.NotFound},
		} {
			if _, err := s.Rate(ctx, c.cred, c.r); !fault.Is(err, c.code) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if r, err := s.Rate(ctx, links[0].Token, training.Rating{Session: taught, Score: 5, Comment: " 案例生动 "}); err != nil || r.Teacher != teacher.ID || r.Comment != "案例生动" {
			t.Fatalf("rate: %v %+v", err, r)
		}
		if _, err := s.Rate(ctx, links[0].Code, training.Rating{Session: taught, Score: 1}); !fault.Is(err, fault.Conflict) {
			t.Errorf("rated twice: %v", err)
		}
		if _, err := s.Rate(ctx, links[1].Token, training.Rating{Session: taught, Score: 2}); err != nil {
			t.Fatal(err)
		}
		mine, err := s.Trainee(ctx, links[0].Token)
		if err != nil || len(mine.Rated) != 1 || mine.Rated[taught].Score != 5 {
			t.Fatalf("my ratings: %v %+v", err, mine)
		}
		ts, err := s.Teachers(ctx, orgBanner, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.ID == teacher.ID && (x.Rated != 2 || x.Mean != 3.5) {
				t.Errorf("teacher's rating: %d ratings, mean %v", x.Rated, x.Mean)
			}
		}
		if n := auditCount(t, db, "training.rate"); n != 2 {
			t.Errorf("%d rating audit records, want 2", n)
		}
	})
}
