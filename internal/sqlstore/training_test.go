package sqlstore_test

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTrainingListAndClasses drafts the banner's 紧缺能力清单, publishes
// it, starts a second version from it, and sets up a class that addresses
// some items, with its sessions: the list shows which items classes cover.
func TestTrainingListAndClasses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := db.Training()
		authUser(t, db, "banzhuren", access.Grant{Role: access.Trainer, Region: qianqi})
		l, err := s.CreateList(ctx, orgBanner, training.ListInput{Region: qianqi, Title: "科右前旗干部紧缺能力清单"})
		if err != nil || l.Version != 1 || !l.Draft() {
			t.Fatalf("list: %v %+v", err, l)
		}
		for _, in := range []training.ItemInput{{Rank: "county", Sector: "经济", Competency: "招商引资", Priority: 1}, {Rank: "township", Sector: "农业农村", Competency: "乡村振兴产业规划", Priority: 1},
			{Rank: "village", Competency: "基层治理", Priority: 2}} {
			if l, err = s.AddItem(ctx, orgBanner, l.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		for name, c := range map[string]struct {
			in   training.ItemInput
			code fault.Code
		}{
			"unknown rank": {training.ItemInput{Rank: "mayor", Competency: "甲", Priority: 1}, fault.Invalid},
			"twice":        {training.ItemInput{Rank: "village", Competency: "基层治理", Priority: 3}, fault.Conflict},
			"no priority":  {training.ItemInput{Rank: "village", Competency: "乙"}, fault.Invalid},
		} {
			if _, err := s.AddItem(ctx, orgBanner, l.ID, c.in); fault.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		// A role reaches its region and below: the township's department
		// does not see the banner's list.
		if _, err := s.AddItem(ctx, orgTown, l.ID, training.ItemInput{Rank: "village", Competency: "丙", Priority: 1}); !fault.Is(err, fault.NotFound) {
			t.Errorf("a township changes the banner's list: %v", err)
		}
		if _, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: qianqi, Name: "乡村振兴示范培训班", Start: "2026-06-01", End: "2026-06-05", Capacity: 80, List: l.ID, Items: []int64{l.Items[0].ID}}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a class on a draft list: %v", err)
		}
		if l, err = s.Publish(ctx, orgBanner, l.ID); err != nil || l.Draft() {
			t.Fatalf("publish: %v", err)
		}
		if _, err := s.AddItem(ctx, orgBanner, l.ID, training.ItemInput{Rank: "village", Competency: "丁", Priority: 1}); !fault.Is(err, fault.Conflict) {
			t.Errorf("a change to a published list: %v", err)
		}
		teacher, err := s.CreateTeacher(ctx, orgBanner, training.TeacherInput{Region: qianqi, Name: "王教授", Affiliation: "内蒙古农业大学", Subjects: "产业规划"})
		if err != nil {
			t.Fatal(err)
		}
		course, err := s.CreateCourse(ctx, orgBanner, training.CourseInput{Region: qianqi, Title: "乡村产业规划实务", Competency: "乡村振兴产业规划", Mode: training.Onsite, Hours: 4, Teacher: teacher.ID})
		if err != nil || course.TeacherName != "王教授" {
			t.Fatalf("course: %v %+v", err, course)
		}
		in := training.ClassInput{Region: qianqi, Name: "乡村振兴示范培训班", Start: "2026-06-01", End: "2026-06-05", Capacity: 80, HoursRequired: 8,
			Head: "banzhuren", Escort: "组织部李干事", List: l.ID, Items: []int64{l.Items[0].ID, l.Items[1].ID}}
		bad := in
		bad.End = "2026-05-01"
		if _, err := s.CreateClass(ctx, orgBanner, bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("a class ending before it starts: %v", err)
		}
		c, err := s.CreateClass(ctx, orgBanner, in)
		if err != nil || c.Head != "banzhuren" || len(c.ItemNames) != 2 {
			t.Fatalf("class: %v %+v", err, c)
		}
		if _, err := s.AddSession(ctx, orgBanner, c.ID, training.SessionInput{Day: "2026-06-07", Starts: "08:30", Title: "开班", Hours: 2}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a session after the class: %v", err)
		}
		for _, x := range []training.SessionInput{{Day: "2026-06-01", Starts: "08:30", Title: "开班式与专题讲座", Teacher: teacher.ID, Course: course.ID, Place: "党校报告厅", Hours: 4},
			{Day: "2026-06-02", Starts: "14:00", Title: "现场教学", Place: "平安村", Hours: 4}} {
			if c, err = s.AddSession(ctx, orgBanner, c.ID, x); err != nil {
				t.Fatal(err)
			}
		}
		if c.Hours != 8 || len(c.Sessions) != 2 || c.Sessions[0].TeacherName != "王教授" {
			t.Fatalf("sessions: %+v", c)
		}
		if l, err = s.List(ctx, orgBanner, l.ID); err != nil || l.Covered() != 2 || len(l.Items) != 3 {
			t.Fatalf("coverage: %v %d of %d", err, l.Covered(), len(l.Items))
		}
		if ts, err := s.Teachers(ctx, orgBanner, ""); err != nil || ts[0].Sessions != 1 || ts[0].Classes != 1 {
			t.Fatalf("teachers: %v %+v", err, ts)
		}
		next, err := s.CreateList(ctx, orgBanner, training.ListInput{Region: qianqi, Title: "科右前旗干部紧缺能力清单（2027）"})
		if err != nil || next.Version != 2 || len(next.Items) != 3 || next.Covered() != 0 {
			t.Fatalf("second version: %v %+v", err, next)
		}
		if _, err := s.CreateList(ctx, orgBanner, training.ListInput{Region: qianqi, Title: "又一版"}); !fault.Is(err, fault.Conflict) {
			t.Errorf("a second open draft: %v", err)
		}
		if _, err := s.Class(ctx, orgSibling, c.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("a township reads its banner's class: %v", err)
		}
		if _, err := s.Classes(ctx, orgSec, ""); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a village secretary lists classes: %v", err)
		}
		if n := auditCount(t, db, "training.list.publish"); n != 1 {
			t.Errorf("%d publish audit rows", n)
		}
	})
}

// TestTrainingEnrol targets cadres for two classes on overlapping days and
// summons them through the 入学关: a cadre who left, one outside the
// class's region, one twice and one already in the other class refuse the
// whole summons; a sound one enrols all, up to the capacity.
func TestTrainingEnrol(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, cs := db.Training(), db.Cadres()
		mk := func(region, name, rank, sector string) int64 {
			c, err := cs.CreateCadre(ctx, orgBanner, org.CadreInput{Region: region, Name: name, Post: "干事", Rank: rank, Sector: sector, Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		a, b, c := mk(pingan, "甲", "village", "党建"), mk(pingan, "乙", "village", "教育"), mk(keerqin, "丙", "township", "党建")
		far, gone := mk(dsVillage, "丁", "village", "党建"), mk(pingan, "戊", "village", "党建")
		if _, err := cs.Leave(ctx, orgBanner, gone, org.LeaveInput{Date: "2026-01-01", Reason: org.LeaveTransfer}); err != nil {
			t.Fatal(err)
		}
		class := func(name, start, end string, capacity int) *training.Class {
			k, err := s.CreateClass(ctx, orgBanner, training.ClassInput{Region: keerqin, Name: name, Start: start, End: end, Capacity: capacity})
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		one, two := class("村两委培训班", "2026-06-01", "2026-06-05", 2), class("党建培训班", "2026-06-04", "2026-06-08", 10)
		targets, err := s.Targets(ctx, orgBanner, one.ID, training.TargetFilter{Rank: "village"})
		if err != nil || len(targets) != 2 {
			t.Fatalf("targets: %v %d, want 甲 and 乙", err, len(targets))
		}
		for name, ids := range map[string][]int64{"left": {a, gone}, "outside": {a, far}, "twice": {a, a}, "over capacity": {a, b, c}} {
			adm, err := s.Enrol(ctx, orgBanner, one.ID, ids)
			if !fault.Is(err, fault.Invalid) || adm[len(adm)-1].Err == nil || adm[0].Err != nil {
				t.Errorf("%s: %v %+v", name, err, adm)
			}
		}
		if es, _ := s.Enrolments(ctx, orgBanner, one.ID); len(es) != 0 {
			t.Fatalf("a refused summons enrolled %d", len(es))
		}
		if _, err := s.Enrol(ctx, orgBanner, one.ID, []int64{a, b}); err != nil {
			t.Fatal(err)
		}
		adm, err := s.Enrol(ctx, orgBanner, two.ID, []int64{c, a})
		if !fault.Is(err, fault.Invalid) || adm[0].Err != nil || adm[1].Err == nil {
			t.Fatalf("a cadre in a class on overlapping days: %v %+v", err, adm)
		}
		if _, err := s.Enrol(ctx, orgBanner, one.ID, []int64{c}); !fault.Is(err, fault.Invalid) {
			t.Errorf("a third trainee in a class of two: %v", err)
		}
		es, err := s.Enrolments(ctx, orgBanner, one.ID)
		if err != nil || len(es) != 2 || es[0].Cadre.Name == "" {
			t.Fatalf("enrolments: %v %+v", err, es)
		}
		if ts, _ := s.Targets(ctx, orgBanner, one.ID, training.TargetFilter{Rank: "village"}); len(ts) != 0 {
			t.Errorf("the enrolled are still targets: %d", len(ts))
		}
		if _, err := s.Enrol(ctx, orgSibling, one.ID, []int64{far}); !fault.Is(err, fault.NotFound) {
			t.Errorf("the sibling township summons to the class: %v", err)
		}
	})
}
