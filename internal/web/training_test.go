package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/survey"
	"shanzhi/internal/synth"
	"shanzhi/internal/training"
)

// TestTrainingPages walks the department's pages: a list version with
// items from a sheet and one by hand, published; a teacher and a course;
// a class addressing an item, with a session refused outside its dates
// and one added; the list then shows the item covered.
func TestTrainingPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{UserID: 1, Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		if _, err := db.CreateUser(ctx, nil, "banzhuren", "班主任", "First-Pass-1", []access.Grant{{Role: access.Trainer, Region: keerqin}}); err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		res := s.post("/training/lists/new", url.Values{"title": {"科尔沁镇干部紧缺能力清单"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new list: %d %s", res.StatusCode, s.body(res))
		}
		list := strings.Split(res.Header.Get("Location"), "?")[0]
		csv := "职级,领域,紧缺能力,优先级\n村两委,,基层治理,1\n乡长级,,招商引资,1\n"
		if code, body := s.sendFile(list+"/import", "import", "清单.csv", []byte(csv)); code != http.StatusUnprocessableEntity || !strings.Contains(body, "已加入 1 项能力") || !strings.Contains(body, "请从职级列表中选择职级") {
			t.Fatalf("import: %d\n%s", code, body)
		}
		if res := s.post(list+"/items", url.Values{"rank": {"township"}, "sector": {"农业农村"}, "competency": {"乡村振兴产业规划"}, "priority": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("item: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(list+"/publish", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", res.StatusCode, s.body(res))
		}
		res = s.post(list+"/items", url.Values{"rank": {"village"}, "competency": {"晚到的"}, "priority": {"1"}})
		if body := s.body(res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "已发布，不能再修改") {
			t.Fatalf("a change after publishing: %d", res.StatusCode)
		}
		if res := s.post("/training/teachers/new", url.Values{"name": {"王教授"}, "kind": {"external"}, "affiliation": {"内蒙古农业大学"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("teacher: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post("/training/courses/new", url.Values{"title": {"乡村产业规划实务"}, "competency": {"乡村振兴产业规划"}, "mode": {"onsite"}, "hours": {"4"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("course: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/training/pool", http.StatusOK, "王教授", "外聘", "现场教学")
		ls, err := db.Training().Lists(ctx, zzb, "")
		if err != nil || len(ls) != 1 {
			t.Fatalf("lists: %v", err)
		}
		l, _ := db.Training().List(ctx, zzb, ls[0].ID)
		item := ""
		for _, it := range l.Items {
			if it.Competency == "基层治理" {
				item = fmt.Sprint(it.ID)
			}
		}
		res = s.post("/training/classes/new", url.Values{"name": {"乡村振兴示范培训班"}, "start": {"2026-06-01"}, "end": {"2026-06-05"}, "capacity": {"80"}, "hours_required": {"8"},
			"head": {"banzhuren"}, "escort": {"李干事"}, "items": {item}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("class: %d %s", res.StatusCode, s.body(res))
		}
		class := strings.Split(res.Header.Get("Location"), "?")[0]
		res = s.post(class+"/sessions", url.Values{"day": {"2026-07-01"}, "starts": {"08:30"}, "title": {"开班式"}, "hours": {"2"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "课次日期须在培训时间") {
			t.Fatalf("a session after the class: %d", res.StatusCode)
		}
		if res := s.post(class+"/sessions", url.Values{"day": {"2026-06-01"}, "starts": {"08:30"}, "title": {"开班式"}, "place": {"党校"}, "hours": {"2"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("session: %d %s", res.StatusCode, s.body(res))
		}
		s.page(class, http.StatusOK, "开班式", "党校", "班主任", "村两委 基层治理")
		s.page(list, http.StatusOK, "已有培训班覆盖 1 项", "乡村振兴示范培训班", "尚无培训班覆盖")
		s.page("/training/classes", http.StatusOK, "乡村振兴示范培训班")
	})
}

// TestTrainingDraftFromSurvey drafts a list from a needs survey of 200
// answers: the top three competencies of every stratum of rank and sector
// join the draft, each with its place as priority.
func TestTrainingDraftFromSurvey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{UserID: 1, Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		sv, err := db.Surveys().Create(ctx, zzb, survey.Input{Region: keerqin}, survey.TemplateNeeds)
		if err == nil {
			sv, err = db.Surveys().Publish(ctx, zzb, sv.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		answers := synth.New(7, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).NeedsAnswers(200)
		for i := range answers {
			answers[i].Channel = survey.Phone
		}
		if _, err := db.Surveys().EnterMany(ctx, zzb, sv.ID, answers); err != nil {
			t.Fatal(err)
		}
		ranked, err := db.Surveys().NeedsRanking(ctx, zzb, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, x := range ranked {
			if x.Place <= 3 {
				want++
			}
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		res := s.post("/training/lists/new", url.Values{"title": {"科尔沁镇干部紧缺能力清单"}})
		list := strings.Split(res.Header.Get("Location"), "?")[0]
		s.page(list, http.StatusOK, "从需求调研起草", "干部教育培训需求调研（200 份）")
		res = s.post(list+"/draft", url.Values{"survey": {fmt.Sprint(sv.ID)}, "top": {"3"}})
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf("已加入 %d 项能力", want)) {
			t.Fatalf("draft: %d, want %d items\n%s", res.StatusCode, want, body)
		}
		ls, _ := db.Training().Lists(ctx, zzb, "")
		l, err := db.Training().List(ctx, zzb, ls[0].ID)
		if err != nil || len(l.Items) != want || want == 0 || l.Items[0].Priority != 1 {
			t.Fatalf("draft list: %v %d items, want %d", err, len(l.Items), want)
		}
	})
}

// TestTrainingTargeting summons cadres from the targeting page: a summons
// with a cadre who left is refused whole with the reason beside the name,
// a sound one enrols, and the notices print one page per unit.
func TestTrainingTargeting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{UserID: 1, Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		var ids []string
		for i, name := range []string{"甲书记", "乙主任", "丙委员"} {
			c, err := db.Cadres().CreateCadre(ctx, zzb, org.CadreInput{Region: pingan, Name: name, Post: "村两委", Rank: "village", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				if _, err := db.Cadres().Leave(ctx, zzb, c.ID, org.LeaveInput{Date: "2026-01-01", Reason: org.LeaveTransfer}); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, fmt.Sprint(c.ID))
		}
		c, err := db.Training().CreateClass(ctx, zzb, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-03", Capacity: 10})
		if err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		path := fmt.Sprintf("/training/classes/%d", c.ID)
		s.page(path+"/targeting?rank=village", http.StatusOK, "甲书记", "乙主任")
		res := s.post(path+"/targeting", url.Values{"cadre": ids})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "丙委员 已于 2026-01-01 离任") || !strings.Contains(body, "本次未调训任何人") {
			t.Fatalf("a summons with a leaver: %d\n%s", res.StatusCode, body)
		}
		if res := s.post(path+"/targeting", url.Values{"cadre": ids[:2]}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("summons: %d %s", res.StatusCode, s.body(res))
		}
		s.page(path, http.StatusOK, "学员（2 / 10 人）", "甲书记")
		s.page(path+"/notices", http.StatusOK, "关于参加村两委培训班的调训通知", "请通知以下 2 名同志按时参训", "乙主任")
	})
}
