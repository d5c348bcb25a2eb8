package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTrainingAttendPages issues a class's personal links, opens the
// classroom screen, and checks a trainee in from their own page by the
// screen's code; another token opens nothing, and the roll shows the
// check-in.
func TestTrainingAttendPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 35, 0, 0, time.UTC) } // 08:35 local
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		cd, err := db.Cadres().CreateCadre(ctx, zzb, org.CadreInput{Region: pingan, Name: "甲书记", Post: "村两委", Rank: "village", Appointed: "2020-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		teacher, err := db.Training().CreateTeacher(ctx, zzb, training.TeacherInput{Region: keerqin, Name: "王教授", Affiliation: "市委党校"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.Training().CreateClass(ctx, zzb, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-03", Capacity: 10, HoursRequired: 2})
		if err == nil {
			c, err = db.Training().AddSession(ctx, zzb, c.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: "开班", Teacher: teacher.ID, Hours: 2})
		}
		if err == nil {
			// A second session, not attended and not rated: the trainee's
			// page shows it with neither a check-in time nor a rating.
			_, err = db.Training().AddSession(ctx, zzb, c.ID, training.SessionInput{Day: "2026-06-02", Starts: "08:30", Title: "结业", Teacher: teacher.ID, Hours: 2})
		}
		if err == nil {
			_, err = db.Training().Enrol(ctx, zzb, c.ID, []int64{cd.ID})
		}
		if err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		res := s.post(fmt.Sprintf("/training/classes/%d/links", c.ID), url.Values{})
		body := s.body(res)
		m := regexp.MustCompile(`/attend/t/([A-Za-z0-9_-]{43})`).FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("links: %d\n%s", res.StatusCode, body)
		}
		session := c.Sessions[0].ID
		s.page(fmt.Sprintf("/training/sessions/%d/screen", session), http.StatusOK, "签到码", "data:image/png;base64,")
		// Before any check-in no session shows a check-in time.
		if body := s.body(s.get("/attend/t/" + m[1])); strings.Contains(body, "0001-01-01") {
			t.Fatalf("a session not attended shows a zero check-in time:\n%s", body)
		}
		s.page("/attend/t/"+m[1], http.StatusOK, "村两委培训班", "甲书记")
		s.page("/attend/t/"+m[1][:42]+"x", http.StatusNotFound)
		sc, err := db.Training().ScreenCode(ctx, zzb, session)
		if err != nil {
			t.Fatal(err)
		}
		res = s.post("/attend/t/"+m[1], url.Values{"op": {"checkin"}, "checkin": {sc.Code}})
		if body := s.body(res); res.StatusCode != http.StatusOK || !regexp.MustCompile(`签到成功（08:35）`).MatchString(body) {
			t.Fatalf("check-in: %d\n%s", res.StatusCode, body)
		}
		// Attended, the session's teacher can be rated once from the page;
		// the pool shows the mean.
		s.page("/attend/t/"+m[1], http.StatusOK, "评价授课教师", "开班 · 王教授")
		res = s.post("/attend/t/"+m[1], url.Values{"op": {"rate"}, "session": {fmt.Sprint(session)}, "score": {"4"}})
		if body := s.body(res); res.StatusCode != http.StatusOK || !regexp.MustCompile(`评价已提交[\s\S]*我的评价[\s\S]*王教授：4 分`).MatchString(body) {
			t.Fatalf("rating: %d\n%s", res.StatusCode, body)
		} else if strings.Contains(body, "：0 分") {
			t.Fatalf("a session not rated is listed among the ratings given:\n%s", body)
		}
		s.page("/training/pool?region="+keerqin, http.StatusOK, "4.0 分（1 人次）")
		s.page(fmt.Sprintf("/training/sessions/%d/roll", session), http.StatusOK, "甲书记", "输码")
		s.page(fmt.Sprintf("/training/classes/%d", c.ID), http.StatusOK, "2 / 2")
	})
}

// TestTrainingMine: a 班主任 whose account holds no grant lands on their
// classes after signing in and opens the class from there; a user on no
// class's staff sees none.
func TestTrainingMine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		s.user("nobody")
		s.page("/training/mine", http.StatusOK, "您目前不是任何培训班的班主任或跟班干部")
		s.user("banzhuren")
		c, err := db.Training().CreateClass(ctx, zzb, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-03", Capacity: 10, HoursRequired: 2, Head: "banzhuren"})
		if err != nil {
			t.Fatal(err)
		}
		if res := s.get("/"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/training/mine" {
			t.Fatalf("home: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		s.page("/training/mine", http.StatusOK, "我的班级", "村两委培训班", "三维评价与结业")
		s.page(fmt.Sprintf("/training/classes/%d", c.ID), http.StatusOK, "村两委培训班")
	})
}
