package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// attendClass sets up a class of the township's department kept by the
// 班主任 head, with two sessions on 1 June 2026 (08:30 and 14:00, 2 hours
// each), and n trainees with their personal links.
func attendClass(tb testing.TB, db *sqlstore.DB, head string, n int) (*training.Class, []training.Link) {
	tb.Helper()
	ctx := context.Background()
	s := db.Training()
	rows := make([]org.CadreRow, n)
	for i := range rows {
		rows[i] = org.CadreRow{Line: i + 2, Input: org.CadreInput{Region: pingan, Name: fmt.Sprintf("学员%03d", i), Post: "委员", Rank: "village", Appointed: "2020-01-01"}}
	}
	done, err := db.Cadres().ImportCadres(ctx, orgBanner, rows, true)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []int64
	for _, r := range done {
		if r.Err != nil {
			tb.Fatal(r.Err)
		}
		ids = append(ids, r.ID)
	}
	c, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-02", Capacity: n, HoursRequired: 4, Head: head})
	if err != nil {
		tb.Fatal(err)
	}
	for _, x := range []training.SessionInput{{Day: "2026-06-01", Starts: "08:30", Title: "开班", Hours: 2}, {Day: "2026-06-01", Starts: "14:00", Title: "基层治理", Hours: 2}} {
		if c, err = s.AddSession(ctx, orgBanner, c.ID, x); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := s.Enrol(ctx, orgBanner, c.ID, ids); err != nil {
		tb.Fatal(err)
	}
	links, err := s.IssueLinks(ctx, orgBanner, c.ID)
	if err != nil || len(links) != n {
		tb.Fatalf("links: %v %d", err, len(links))
	}
	return c, links
}

// at is 1 June 2026 at the local time hm.
func at(hm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05 -0700", "2026-06-01 "+hm+" +0800")
	if err != nil {
		panic(err)
	}
	return t
}

// TestTrainingAttendance checks trainees in through the classroom screen's
// rotating code: accepted in its window and the next, refused later and
// for another class, once per session however often retried, late after
// the grace; then leaves, the 班主任's roll by hand and the hours.
func TestTrainingAttendance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := at("08:35:00")
		db.Now = func() time.Time { return now }
		s := db.Training()
		headID := authUser(t, db, "banzhuren", access.Grant{Role: access.Trainer, Region: keerqin})
		head := &access.Actor{UserID: headID, Username: "banzhuren", Grants: []access.Grant{{Role: access.Trainer, Region: keerqin}}}
		otherID := authUser(t, db, "jiaoshi", access.Grant{Role: access.Trainer, Region: keerqin})
		other := &access.Actor{UserID: otherID, Username: "jiaoshi", Grants: []access.Grant{{Role: access.Trainer, Region: keerqin}}}
		c, links := attendClass(t, db, "banzhuren", 3)
		a, b, d := links[0], links[1], links[2]
		s1, s2 := c.Sessions[0].ID, c.Sessions[1].ID
		if again, err := s.IssueLinks(ctx, orgBanner, c.ID); err != nil || len(again) != 0 {
			t.Fatalf("links issued twice: %v %d", err, len(again))
		}
		if tr, err := s.Trainee(ctx, strings.ToLower(a.Code)); err != nil || tr.Enrolment != a.Enrolment || len(tr.Class.Sessions) != 2 {
			t.Fatalf("the short code: %v %+v", err, tr)
		}
		for _, cred := range []string{"", "x", a.Token[:20]} {
			if _, err := s.Trainee(ctx, cred); !fault.Is(err, fault.NotFound) {
				t.Errorf("credential %q: %v", cred, err)
			}
		}
		for name, who := range map[string]*access.Actor{"a trainer not the class's 班主任": other, "the sibling township": orgSibling} {
			if _, err := s.ScreenCode(ctx, who, s1); err == nil {
				t.Errorf("%s opens the screen", name)
			}
			if _, err := s.MarkRoll(ctx, who, s1, nil); err == nil {
				t.Errorf("%s keeps the roll", name)
			}
		}
		sc, err := s.ScreenCode(ctx, head, s1)
		if err != nil || len(sc.Code) != 6 || !sc.Until.After(now) {
			t.Fatalf("screen: %v %+v", err, sc)
		}
		first, err := s.CheckIn(ctx, a.Token, sc.Code, training.ByQR)
		if err != nil || first.Late || first.Session != s1 || first.How != training.ByQR {
			t.Fatalf("check-in: %v %+v", err, first)
		}
		now = now.Add(training.CheckinWindow + time.Second)
		if again, err := s.CheckIn(ctx, a.Token, sc.Code, training.ByCode); err != nil || !again.At.Equal(first.At) || again.How != training.ByQR {
			t.Errorf("a retry: %v %+v, want the first %+v", err, again, first)
		}
		if _, err := s.CheckIn(ctx, b.Code, sc.Code, training.ByCode); err != nil {
			t.Errorf("the previous window's code: %v", err)
		}
		now = at("08:41:00")
		if _, err := s.CheckIn(ctx, d.Token, sc.Code, training.ByQR); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "training.checkin.expired") {
			t.Errorf("an expired code: %v", err)
		}
		if _, err := s.CheckIn(ctx, d.Token, "12a456", training.ByQR); !fault.Is(err, fault.Invalid) {
			t.Errorf("a malformed code: %v", err)
		}
		sc, _ = s.ScreenCode(ctx, orgBanner, s1)
		late, err := s.CheckIn(ctx, d.Token, sc.Code, training.ByCode)
		if err != nil || !late.Late {
			t.Errorf("a check-in after the grace: %v %+v", err, late)
		}
		// Another class's screen: the trainee is not enrolled there.
		cd, err := db.Cadres().CreateCadre(ctx, orgBanner, org.CadreInput{Region: pingan, Name: "外班学员", Post: "委员", Rank: "village", Appointed: "2020-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		two, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: "党建培训班", Start: "2026-06-01", End: "2026-06-01", Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		if two, err = s.AddSession(ctx, orgBanner, two.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:00", Title: "党课", Hours: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enrol(ctx, orgBanner, two.ID, []int64{cd.ID}); err != nil {
			t.Fatal(err)
		}
		sc2, _ := s.ScreenCode(ctx, orgBanner, two.Sessions[0].ID)
		if _, err := s.CheckIn(ctx, a.Token, sc2.Code, training.ByQR); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "training.checkin.not_enrolled") {
			t.Errorf("another class's code: %v", err)
		}

		// Leave for the afternoon, decided by the 班主任; none for the past.
		if _, err := s.RequestLeave(ctx, b.Token, s2, " "); !fault.Is(err, fault.Invalid) {
			t.Errorf("a leave without a reason: %v", err)
		}
		lv, err := s.RequestLeave(ctx, b.Token, s2, "村里防汛值班")
		if err != nil || lv.Status != training.LeavePending {
			t.Fatalf("leave: %v %+v", err, lv)
		}
		if _, err := s.RequestLeave(ctx, b.Token, s2, "再请一次"); !fault.Is(err, fault.Invalid) {
			t.Errorf("a second leave for the session: %v", err)
		}
		if _, err := s.DecideLeave(ctx, other, s2, lv.ID, true); err == nil {
			t.Error("a trainer not the class's 班主任 decides a leave")
		}
		if lv, err = s.DecideLeave(ctx, head, s2, lv.ID, true); err != nil || lv.Status != training.LeaveApproved {
			t.Fatalf("approve: %v %+v", err, lv)
		}
		if _, err := s.DecideLeave(ctx, head, s2, lv.ID, false); !fault.Is(err, fault.Conflict) {
			t.Errorf("a decided leave decided again: %v", err)
		}

		// The roll by hand: an unknown trainee changes nothing.
		if _, err := s.MarkRoll(ctx, head, s2, []int64{a.Enrolment, 987654}); !fault.Is(err, fault.Invalid) {
			t.Errorf("an unknown trainee on the roll: %v", err)
		}
		roll, err := s.MarkRoll(ctx, head, s2, []int64{a.Enrolment})
		if err != nil || len(roll.Marks) != 3 {
			t.Fatalf("roll: %v %+v", err, roll)
		}
		for _, m := range roll.Marks {
			want := m.Enrolment == a.Enrolment
			if (m.Present != nil) != want || want && m.Present.How != training.ByHand {
				t.Errorf("roll: %s %+v", m.Name, m.Present)
			}
			if (m.Leave == training.LeaveApproved) != (m.Enrolment == b.Enrolment) {
				t.Errorf("roll leave: %s %q", m.Name, m.Leave)
			}
		}
		// The morning's roll corrected by hand: d was not there after all.
		if _, err := s.MarkRoll(ctx, head, s1, []int64{a.Enrolment, b.Enrolment}); err != nil {
			t.Fatal(err)
		}
		es, err := s.Enrolments(ctx, orgBanner, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		hours := map[int64]int{}
		for _, e := range es {
			hours[e.ID] = e.Hours
			if !e.Link {
				t.Errorf("%s has no link", e.Cadre.Name)
			}
		}
		if hours[a.Enrolment] != 4 || hours[b.Enrolment] != 2 || hours[d.Enrolment] != 0 {
			t.Errorf("hours: %v", hours)
		}
		// The year's hours against the rank's 3: a is through, b and d
		// are short, and the targeting filter picks them for a next class.
		if _, err := db.Cadres().SaveRank(ctx, orgBanner, org.Rank{Code: "village", Name: "村两委", Hours: 3, Position: 4}); err != nil {
			t.Fatal(err)
		}
		var cadreOf = map[int64]int64{}
		for _, e := range es {
			cadreOf[e.ID] = e.Cadre.ID
		}
		if y, err := s.CadreHours(ctx, orgBanner, cadreOf[a.Enrolment]); err != nil || y.Hours != 4 || y.Required != 3 || y.Short() || y.Year != "2026" {
			t.Errorf("a's year: %v %+v", err, y)
		}
		if y, err := s.CadreHours(ctx, orgBanner, cadreOf[b.Enrolment]); err != nil || y.Hours != 2 || !y.Short() {
			t.Errorf("b's year: %v %+v", err, y)
		}
		if _, err := s.CadreHours(ctx, orgSibling, cadreOf[b.Enrolment]); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township reads b's hours: %v", err)
		}
		next, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: "补学班", Start: "2026-09-01", End: "2026-09-02", Capacity: 10})
		if err != nil {
			t.Fatal(err)
		}
		short, err := s.Targets(ctx, orgBanner, next.ID, training.TargetFilter{Rank: "village", HoursShort: true})
		names := map[string]bool{}
		for _, x := range short {
			names[x.Name] = true
		}
		if err != nil || names["学员000"] || !names["学员001"] || !names["学员002"] {
			t.Errorf("hours short: %v %v", err, names)
		}
		tr, err := s.Trainee(ctx, b.Token)
		if err != nil || tr.Hours != 2 || tr.Leaves[s2].Status != training.LeaveApproved || tr.Present[s1].How != training.ByCode {
			t.Errorf("the trainee's page: %v %+v", err, tr)
		}
	})
}

// checkInAll checks every link in at the session showing code, each twice
// at once (a retry on a flaky classroom network), all concurrently, and
// fails unless every trainee is recorded once.
func checkInAll(tb testing.TB, db *sqlstore.DB, session int64, code string, links []training.Link) {
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([][2]*training.Attendance, len(links))
	errs := make(chan error, 2*len(links))
	for i, l := range links {
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x, err := db.Training().CheckIn(ctx, l.Token, code, training.ByQR)
				if err != nil {
					errs <- fmt.Errorf("%s: %w", l.Name, err)
					return
				}
				got[i][k] = x
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	for i, g := range got {
		if g[0].Session != session || !g[0].At.Equal(g[1].At) || g[0].Enrolment != links[i].Enrolment {
			tb.Fatalf("%s: %+v %+v", links[i].Name, g[0], g[1])
		}
	}
}

// TestTrainingCheckinConcurrent has 300 trainees check in within the same
// window, each request sent twice: all recorded, none twice.
func TestTrainingCheckinConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return at("08:31:00") }
		c, links := attendClass(t, db, "", 300)
		sc, err := db.Training().ScreenCode(ctx, orgBanner, c.Sessions[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		checkInAll(t, db, c.Sessions[0].ID, sc.Code, links)
		roll, err := db.Training().Roll(ctx, orgBanner, c.Sessions[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		present := 0
		for _, m := range roll.Marks {
			if m.Present != nil {
				present++
			}
		}
		if present != 300 || len(roll.Marks) != 300 {
			t.Fatalf("%d of %d present", present, len(roll.Marks))
		}
	})
}

// BenchmarkTrainingCheckin measures 300 trainees checking in at once, each
// request sent twice, into a new session each iteration: one op is the
// whole classroom.
func BenchmarkTrainingCheckin(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.MustOpen(b, engine)
			ctx := context.Background()
			db.Now = func() time.Time { return at("08:31:00") }
			c, links := attendClass(b, db, "", 300)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				k, err := db.Training().AddSession(ctx, orgBanner, c.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: fmt.Sprintf("第%d节", i+3), Hours: 1})
				if err != nil {
					b.Fatal(err)
				}
				var session int64
				for _, x := range k.Sessions {
					session = max(session, x.ID)
				}
				sc, err := db.Training().ScreenCode(ctx, orgBanner, session)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				checkInAll(b, db, session, sc.Code, links)
			}
		})
	}
}
