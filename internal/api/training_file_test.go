package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTrainingFileAPI reads a cadre's training file, the yearly lines and
// the figures, sends a 重修 trainee's 情况说明 with a PDF by their link and
// has the department accept it from the retake loop; another trainee's
// link reads only their own file, and the sibling township nothing.
func TestTrainingFileAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		base, login := setup(t, db)
		uid, err := db.CreateUser(ctx, nil, "zzb-dept", "zzb-dept", "First-Pass-1", []access.Grant{{Role: access.OrgStaff, Region: keerqin}})
		if err != nil {
			t.Fatal(err)
		}
		dept := &access.Actor{UserID: uid, Username: "zzb-dept", Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		tr := db.Training()
		var cadres []int64
		for _, name := range []string{"甲书记", "乙委员"} {
			cd, err := db.Cadres().CreateCadre(ctx, dept, org.CadreInput{Region: pingan, Name: name, Post: "村两委", Rank: "village", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			cadres = append(cadres, cd.ID)
		}
		c, err := tr.CreateClass(ctx, dept, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-01", Capacity: 10, HoursRequired: 2})
		if err == nil {
			c, err = tr.AddSession(ctx, dept, c.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: "开班", Hours: 2})
		}
		if err == nil {
			_, err = tr.Enrol(ctx, dept, c.ID, cadres)
		}
		var links []training.Link
		if err == nil {
			links, err = tr.IssueLinks(ctx, dept, c.ID)
		}
		var es []training.Enrolment
		if err == nil {
			es, err = tr.Enrolments(ctx, dept, c.ID)
		}
		if err == nil {
			_, err = tr.MarkRoll(ctx, dept, c.Sessions[0].ID, []int64{es[0].ID, es[1].ID})
		}
		if err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 6, 10, 1, 0, 0, 0, time.UTC)
		storetest.Graduate(t, db, dept, c.ID, map[string]int{"甲书记": 85, "乙委员": 30})
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		sibling := login("zzb-sibling", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		link := map[string]string{}
		for _, l := range links {
			link[l.Name] = l.Token
		}

		code, body := zzb.do("GET", fmt.Sprintf("/api/v1/cadres/%d/training-file", cadres[1]), "")
		years, _ := body["years"].([]any)
		if code != 200 || len(years) != 1 {
			t.Fatalf("file: %d %v", code, body)
		}
		y := years[0].(map[string]any)
		if y["year"] != "2026" || y["hours"] != float64(2) || y["retakes_open"] != float64(1) || y["classes"].([]any)[0].(map[string]any)["outcome"] != "retake" {
			t.Errorf("file year: %v", y)
		}
		if code, _ := sibling.do("GET", fmt.Sprintf("/api/v1/cadres/%d/training-file", cadres[1]), ""); code != 404 {
			t.Errorf("the sibling township reads the file: %d", code)
		}

		anon := &client{t: t, base: base}
		if code, body := anon.do("GET", "/api/v1/attend/"+link["甲书记"]+"/file", ""); code != 200 || body["name"] != "甲书记" {
			t.Errorf("own file by link: %d %v", code, body)
		}
		// Nothing rated yet: an empty list, not null; an unknown link
		// reads nothing.
		if code, body := anon.do("GET", "/api/v1/attend/"+link["甲书记"]+"/ratings", ""); code != 200 || fmt.Sprint(body["items"]) != "[]" {
			t.Errorf("ratings by link: %d %v", code, body)
		}
		if code, _ := anon.do("GET", "/api/v1/attend/nope/ratings", ""); code != 404 {
			t.Errorf("ratings of an unknown link: %d", code)
		}
		pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"))
		if code, _ := anon.do("POST", "/api/v1/attend/"+link["甲书记"]+"/statements", `{"text":"说明"}`); code != 422 {
			t.Errorf("a statement without a 重修: %d", code)
		}
		if code, _ := anon.do("POST", "/api/v1/attend/"+link["甲书记"]+"/statements", fmt.Sprintf(`{"enrolment":%d,"text":"说明"}`, es[0].ID)); code != 422 {
			t.Errorf("a statement for another trainee's 重修: %d", code)
		}
		code, body = anon.do("POST", "/api/v1/attend/"+link["乙委员"]+"/statements", `{"text":"考试当天发烧，申请回炉重修。","file":"`+pdf+`"}`)
		if code != 201 || body["status"] != "submitted" || body["file_type"] != "application/pdf" {
			t.Fatalf("statement: %d %v", code, body)
		}
		statement := body["id"].(float64)

		code, body = zzb.do("GET", "/api/v1/training/retakes?region="+keerqin, "")
		if items, _ := body["items"].([]any); code != 200 || len(items) != 1 || items[0].(map[string]any)["name"] != "乙委员" {
			t.Fatalf("retakes: %d %v", code, body)
		}
		if code, _ := sibling.do("GET", "/api/v1/training/retakes?region="+keerqin, ""); code != 404 {
			t.Errorf("the sibling township lists the retakes: %d", code)
		}
		if code, _ := sibling.do("POST", "/api/v1/training/retakes/decide", fmt.Sprintf(`{"statement":%v,"accept":true}`, statement)); code != 404 {
			t.Errorf("the sibling township decides: %d", code)
		}
		if code, body := zzb.do("POST", "/api/v1/training/retakes/decide?region="+keerqin, fmt.Sprintf(`{"statement":%v,"accept":true,"comment":"同意"}`, statement)); code != 200 || body["status"] != "accepted" {
			t.Fatalf("decide: %d %v", code, body)
		}
		if res, raw := zzb.raw("GET", fmt.Sprintf("/api/v1/training/retakes/file?id=%v", statement), "", nil); res.StatusCode != 200 || string(raw[:5]) != "%PDF-" {
			t.Errorf("statement file: %d", res.StatusCode)
		}

		code, body = zzb.do("GET", "/api/v1/training/files?region="+keerqin+"&year=2026", "")
		if items, _ := body["items"].([]any); code != 200 || len(items) != 2 {
			t.Errorf("yearly lines: %d %v", code, body)
		}
		code, body = zzb.do("GET", "/api/v1/training/figures?region="+keerqin+"&year=2026&rank=village", "")
		if total, _ := body["total"].(map[string]any); code != 200 || total["enrolled"] != float64(2) || total["retake"] != float64(1) || total["pass"] != float64(1) {
			t.Errorf("figures: %d %v", code, body)
		}
		for _, p := range []string{"/api/v1/training/files.xlsx?region=" + keerqin + "&year=2026", "/api/v1/training/figures.xlsx?region=" + keerqin + "&year=2026"} {
			if res, raw := zzb.raw("GET", p, "", nil); res.StatusCode != 200 || string(raw[:2]) != "PK" {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
		if code, _ := sibling.do("GET", "/api/v1/training/figures?region="+keerqin, ""); code != 404 {
			t.Errorf("the sibling township reads the figures: %d", code)
		}
	})
}
