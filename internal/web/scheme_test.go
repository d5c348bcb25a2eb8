package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// editorForm is what the draft editor of the scheme page sends for d,
// field by field as the page names them.
func editorForm(d *scheme.Scheme) url.Values {
	f := url.Values{"name": {d.Name}, "base_score": {strconv.Itoa(d.BaseScore)}, "base_period": {string(d.BasePeriod)},
		"carry_over": {string(d.CarryOver)}, "notice_days": {strconv.Itoa(d.NoticeDays)}, "allow_local_items": {"1"}, "allow_override": {"1"},
		"rows": {strconv.Itoa(len(d.Items))}}
	for _, a := range d.Aspects {
		f.Add("aspect_code", a.Code)
		f.Add("aspect_name", a.Name)
	}
	for i, it := range d.Items {
		k := func(s string) string { return fmt.Sprintf("item.%d.%s", i, s) }
		f.Set(k("code"), it.Code)
		f.Set(k("aspect"), it.Aspect)
		f.Set(k("name"), it.Name)
		f.Set(k("description"), it.Description)
		f.Set(k("points"), strconv.Itoa(it.Points))
		f.Set(k("unit"), string(it.Unit))
		if it.Cap > 0 {
			f.Set(k("cap"), strconv.Itoa(it.Cap))
			f.Set(k("cap_period"), string(it.CapPeriod))
		}
		if it.Evidence.Photo {
			f.Set(k("photo"), "1")
		}
		for _, r := range it.Roles {
			f.Add(k("roles"), string(r))
		}
	}
	return f
}

// TestSchemePages is a fresh install tried through the pages: the clerk's
// award form leads to the scheme page, a leader starts from the template,
// has a contradictory cap refused, saves a two-day notice, publishes, and
// another village imports the exported sheet; then the clerk's award goes
// through.
func TestSchemePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "008", VillageCode: pingan},
			registry.ResidentInput{Name: "张桂芳", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		s.page(fmt.Sprintf("/households/%d/award", h.ID), http.StatusNotFound, "分管领导", `href="/regions/`+pingan+`/scheme"`)
		s.page("/regions/"+pingan+"/scheme", http.StatusOK, "当前没有正在生效")

		lead := &access.Actor{Username: "lead", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}}
		s.user("lead", lead.Grants...)
		s.page("/regions/"+keerqin, http.StatusOK, `href="/regions/`+keerqin+`/scheme"`)
		base := "/regions/" + keerqin + "/scheme"
		if res := s.post(base+"/start", url.Values{"source": {"template"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d %s", res.StatusCode, s.body(res))
		}
		s.page(base, http.StatusOK, `name="item.0.code" value="env-01"`, `name="item.39.code"`, "新增")
		d, err := db.Schemes().Draft(ctx, lead, keerqin)
		if err != nil || d == nil {
			t.Fatalf("draft: %v", err)
		}
		bad := editorForm(d)
		bad.Set("item.0.cap", "3") // 庭院整洁 counts per month
		res := s.post(base+"/draft", bad)
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "第 1 项") || !strings.Contains(body, "按月计分") {
			t.Fatalf("contradictory cap: %d", res.StatusCode)
		}
		d.NoticeDays = 2
		d.Items[2].Points = 2
		good := editorForm(d)
		good.Set("item.39.remove", "1")
		if res := s.post(base+"/draft", good); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.StatusCode, s.body(res))
		}
		if d, _ = db.Schemes().Draft(ctx, lead, keerqin); d.NoticeDays != 2 || len(d.Items) != 39 || d.Items[2].Points != 2 {
			t.Fatalf("saved draft: notice %d, %d items", d.NoticeDays, len(d.Items))
		}
		if res := s.post(base+"/publish", url.Values{"effective_from": {scheme.Day(scheme.Today(db.Now()))}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", res.StatusCode, s.body(res))
		}
		s.page(base, http.StatusOK, "v1", "lead", "垃圾分类投放")

		// The sheet travels to a village of another township, whose leader
		// imports it as a draft.
		res = s.get(base + ".xlsx")
		sheetData, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(sheetData) < 1000 {
			t.Fatalf("export: %d, %d bytes", res.StatusCode, len(sheetData))
		}
		far := "152221103212"
		s.user("far", access.Grant{Role: access.Leader, Region: far})
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		mw.WriteField("csrf", s.csrf)
		fw, _ := mw.CreateFormFile("file", "方案.xlsx")
		fw.Write(sheetData)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/regions/"+far+"/scheme/import", &mp)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", s.srv.URL)
		if res, err := s.client.Do(req); err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %v %d", err, res.StatusCode)
		}
		farLead := &access.Actor{Username: "far", Grants: []access.Grant{{Role: access.Leader, Region: far}}}
		imp, err := db.Schemes().Draft(ctx, farLead, far)
		if err != nil || imp == nil || len(imp.Items) != 39 || imp.NoticeDays != 2 || imp.Items[2].Points != 2 || len(imp.Aspects) != 6 {
			t.Fatalf("imported draft: %+v %v", imp, err)
		}

		s.user("clerk2", access.Grant{Role: access.Operator, Region: pingan})
		s.page(fmt.Sprintf("/households/%d/award", h.ID), http.StatusOK, "垃圾分类投放")
		if res := s.post(fmt.Sprintf("/households/%d/award", h.ID), url.Values{"item": {"env-03"}, "key": {"k1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("award: %d %s", res.StatusCode, s.body(res))
		}
	})
}
