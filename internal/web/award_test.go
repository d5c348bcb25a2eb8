package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

func TestAwardPagesAndNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: "008", VillageCode: pingan},
			registry.ResidentInput{Name: "张桂芳", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		body := s.page(fmt.Sprintf("/households/%d/award", h.ID), http.StatusOK, "垃圾分类投放", "庭院整洁")
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
		for range 2 { // a double submission records one award
			res := s.post(fmt.Sprintf("/households/%d/award", h.ID), url.Values{"item": {"env-03"}, "key": {key}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award: %d %s", res.StatusCode, s.body(res))
			}
		}
		res := s.post(fmt.Sprintf("/households/%d/award", h.ID), url.Values{"item": {"env-01"}, "key": {"other"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "照片") {
			t.Fatalf("award without its photo: %d", res.StatusCode)
		}
		// The township sees the queue masked; the village's own committee
		// sees its villager by name and 户号.
		s.user("zhen", access.Grant{Role: access.Reviewer, Region: keerqin})
		if body := s.page("/reviews", http.StatusOK, "垃圾分类投放", "张**"); strings.Contains(body, "张桂芳") {
			t.Fatal("the township's queue shows the full name")
		}
		s.user("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		body = s.page("/reviews", http.StatusOK, "垃圾分类投放", "张桂芳", "008", "clerk")
		if n := strings.Count(body, `name="decision" value="approve"`); n != 1 {
			t.Fatalf("the queue offers %d decisions, want 1 (one award despite the double submission)", n)
		}
		id := regexp.MustCompile(`action="/reviews/(\d+)"`).FindStringSubmatch(body)[1]
		if res := s.post("/reviews/"+id, url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		// The public notice: masked name, no sign-in, objections welcome.
		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, _ = anon.Get(s.srv.URL + "/notice/" + pingan)
		body = s.body(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "张**") || strings.Contains(body, "张桂芳") {
			t.Fatalf("notice page: %d\n%s", res.StatusCode, body)
		}
		// The village's check code of its ledger and audit heads, 80 bits
		// in 16 base32 characters.
		if !regexp.MustCompile(`校验码：` + pingan + `/\d+/\d+/\d+/[A-Z2-7]{16}`).MatchString(body) {
			t.Fatalf("the notice prints no check code of the village's chains:\n%s", body)
		}
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/notice/"+pingan+"/"+id+"/object", strings.NewReader(url.Values{"reason": {"那天她家没有分类"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.srv.URL)
		res, _ = anon.Do(req)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("objection: %d %s", res.StatusCode, s.body(res))
		}
		res, _ = anon.Get(s.srv.URL + "/notice/" + pingan)
		if body := s.body(res); !strings.Contains(body, "那天她家没有分类") {
			t.Fatal("the objection is not shown on the notice")
		}
	})
}

func TestRankingPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: "009", VillageCode: pingan},
			registry.ResidentInput{Name: "刘桂英", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		rev := approvedAward(t, db, lead, h.ID)
		if n, err := rev.FinaliseDue(ctx, db.Now().Add(8*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("finalise: %d %v", n, err)
		}
		s := newSite(t, db)
		s.user("lead", access.Grant{Role: access.Leader, Region: keerqin})
		s.page("/rankings?region="+keerqin+"&period=2026-06", http.StatusOK, "平安村", "刘桂英", "1/1（100%）")
		if strings.Contains(s.page("/rankings?region="+keerqin+"&period=2026-06", http.StatusOK), "户均积分") {
			t.Error("a township's page ranks regions below it")
		}
		// A banner sees its townships ranked against each other.
		s.user("banner", access.Grant{Role: access.Leader, Region: "152221000000"})
		body := s.page("/rankings?region=152221000000&period=2026-06&order=participation", http.StatusOK, "各苏木乡镇排行", "户均积分", `<option value="participation" selected>`)
		if m := regexp.MustCompile(`<td class="num">1</td><td><a href="/rankings\?region=(\d+)`).FindStringSubmatch(body); m == nil || m[1] != keerqin {
			t.Errorf("the township with the only award is not first: %v", m)
		}
		res, _ := (&http.Client{}).Get(s.srv.URL + "/board/" + pingan + "?period=2026-06")
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "刘**") || strings.Contains(body, "刘桂英") {
			t.Fatalf("board: %d\n%s", res.StatusCode, body)
		}
	})
}

func TestInspectionSheet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i, name := range []string{"周一", "吴二", "郑三"} {
			h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: fmt.Sprintf("10%d", i), VillageCode: pingan},
				registry.ResidentInput{Name: name, Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fmt.Sprint(h.ID))
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		body := s.page("/regions/"+pingan+"/inspection", http.StatusOK, "周一", "吴二", "郑三", "垃圾分类投放")
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
		for range 2 { // the sheet sent twice records each award once
			res := s.post("/regions/"+pingan+"/inspection", url.Values{"key": {key}, "item": {"env-03"}, "household": {ids[0], ids[2]}})
			if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "已登记 2 户") {
				t.Fatalf("inspection: %d\n%s", res.StatusCode, body)
			}
		}
		flows, _ := review.NewFlows(points.Flow())
		rev := db.Review(flows, nil)
		items, err := rev.Items(ctx, lead, review.Filter{Flow: points.AwardFlow})
		if err != nil || len(items) != 2 {
			t.Fatalf("%d award reviews after sending the sheet twice, want 2 (%v)", len(items), err)
		}
		s.user("other", access.Grant{Role: access.Operator, Region: "152221103212"})
		s.page("/regions/"+pingan+"/inspection", http.StatusNotFound)
	})
}

func TestAwardImportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: "001", VillageCode: pingan},
			registry.ResidentInput{Name: "周一", Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"}); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		s.page("/regions/"+pingan+"/awards/import", http.StatusOK, "事项编码")
		upload := func(sheet string) string {
			var mp bytes.Buffer
			mw := multipart.NewWriter(&mp)
			mw.WriteField("csrf", s.csrf)
			fw, _ := mw.CreateFormFile("file", "积分.csv")
			fw.Write([]byte(sheet))
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/regions/"+pingan+"/awards/import", &mp)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Origin", s.srv.URL)
			res, err := s.client.Do(req)
			if err != nil || res.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %v %d", err, res.StatusCode)
			}
			return res.Header.Get("Location")
		}
		// No row importable: nothing to skip to, only a sheet to mend.
		if body := s.page(upload("户号,事项编码\n002,env-03\n003,env-03\n"), http.StatusOK, "没有一行可以登记", "重新上传"); strings.Contains(body, `value="skip"`) {
			t.Error("a sheet without one good row is offered to skip its bad rows")
		}
		loc := upload("户号,事项编码\n001,env-03\n002,env-03\n")
		s.page(loc, http.StatusOK, "本村没有户号为 002 的户", "跳过 1 行有误行")
		if res := s.post(loc, url.Values{"mode": {"skip"}}); res.StatusCode != http.StatusOK || !strings.Contains(s.body(res), "已登记") {
			t.Fatalf("run: %d", res.StatusCode)
		}
	})
}

// TestBulkApprove approves ticked items, then everything the queue showed,
// in one go; an item the member cannot decide is named in the answer while
// the rest are approved.
func TestBulkApprove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
		if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		for i := range 4 {
			h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: fmt.Sprintf("10%d", i), VillageCode: pingan},
				registry.ResidentInput{Name: []string{"李四", "王五", "赵六", "孙七"}[i], Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"})
			if err != nil {
				t.Fatal(err)
			}
			if res := s.post(fmt.Sprintf("/households/%d/award", h.ID), url.Values{"item": {"env-03"}, "key": {fmt.Sprint("k", i)}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award %d: %d %s", i, res.StatusCode, s.body(res))
			}
		}
		s.user("weiyuan", access.Grant{Role: access.Reviewer, Region: pingan})
		body := s.page("/reviews", http.StatusOK, "全部同意（本页 4 项）")
		ids := regexp.MustCompile(`name="id" value="(\d+)" form="bulk"`).FindAllStringSubmatch(body, -1)
		if len(ids) != 4 {
			t.Fatalf("%d items to tick, want 4", len(ids))
		}
		if res := s.post("/reviews/approve", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("nothing ticked: %d", res.StatusCode)
		}
		if res := s.post("/reviews/approve", url.Values{"id": {ids[0][1], ids[1][1]}, "chosen": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve ticked: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/reviews?state=pending", http.StatusOK, "全部同意（本页 2 项）")
		// The whole page, plus an item already decided: that one is named,
		// the others go through.
		res := s.post("/reviews/approve", url.Values{"all": {"1"}, "shown": {ids[2][1], ids[3][1], ids[0][1]}})
		if b := s.body(res); res.StatusCode != http.StatusConflict || !strings.Contains(b, "已同意 2 项；1 项未能同意") || !strings.Contains(b, "#"+ids[0][1]) {
			t.Fatalf("approve all: %d %s", res.StatusCode, b)
		}
		items, err := db.Review(nil, nil).Items(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}, review.Filter{Flow: points.AwardFlow, State: review.InNotice})
		if err != nil || len(items) != 4 {
			t.Fatalf("%d items on notice (%v), want 4", len(items), err)
		}
	})
}
