package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTrainingEvaluationAPI evaluates a finished class's trainee through
// the API — the three sources, outcomes refused before the class ends,
// computed, confirmed — issues the certificate, fetches it and its PDF,
// verifies it without signing in, revokes it and lists it in the cadre's
// file; a sibling township's department is refused the class.
func TestTrainingEvaluationAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 15, 50, 0, 0, time.UTC) } // 23:50 local
		base, login := setup(t, db)
		zzb := login("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		sys := &access.Actor{Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		s := db.Training()
		cd, err := db.Cadres().CreateCadre(ctx, sys, org.CadreInput{Region: pingan, Name: "甲书记", Post: "村党支部书记", Rank: "village", Appointed: "2018-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateClass(ctx, sys, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-01", Capacity: 5, HoursRequired: 2})
		if err == nil {
			c, err = s.AddSession(ctx, sys, c.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: "开班", Hours: 2})
		}
		if err == nil {
			_, err = s.Enrol(ctx, sys, c.ID, []int64{cd.ID})
		}
		var es []training.Enrolment
		if err == nil {
			es, err = s.Enrolments(ctx, sys, c.ID)
		}
		if err == nil {
			_, err = s.MarkRoll(ctx, sys, c.Sessions[0].ID, []int64{es[0].ID})
		}
		if err != nil {
			t.Fatal(err)
		}
		e := es[0].ID
		path := fmt.Sprintf("/api/v1/training/classes/%d", c.ID)
		evals := fmt.Sprintf(`{"evaluations":[{"enrolment":%d,"source":"observer","score":96,"notes":"认真"},
			{"enrolment":%d,"source":"headteacher","dims":{"学习态度":95,"纪律":95,"互动研讨":94,"作业":96}}]}`, e, e)
		if code, body := zzb.do("POST", path+"/evaluations", evals); code != 200 || len(body["graduates"].([]any)) != 1 {
			t.Fatalf("evaluations: %d %v", code, body)
		}
		if code, body := zzb.do("POST", path+"/exam", fmt.Sprintf(`{"rows":[{"enrolment":%d,"name":"别人","score":97}]}`, e)); code != 422 || !strings.Contains(fmt.Sprint(body), "不符") {
			t.Fatalf("exam with a wrong name: %d %v", code, body)
		}
		if code, body := zzb.do("POST", path+"/exam", fmt.Sprintf(`{"rows":[{"enrolment":%d,"name":"甲书记","score":97}]}`, e)); code != 200 {
			t.Fatalf("exam: %d %v", code, body)
		}
		if code, body := zzb.do("POST", path+"/outcomes", `{}`); code != 422 || !strings.Contains(fmt.Sprint(body), "结业前不能评定结果") {
			t.Fatalf("outcomes before the end: %d %v", code, body)
		}
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 16, 5, 0, 0, time.UTC) }
		if code, body := zzb.do("POST", path+"/outcomes", `{}`); code != 200 {
			t.Fatalf("outcomes: %d %v", code, body)
		}
		if code, body := zzb.do("POST", path+"/certificates", `{}`); code != 422 {
			t.Fatalf("certificates before confirmation: %d %v", code, body)
		}
		if code, body := zzb.do("POST", path+"/outcomes/confirm", `{}`); code != 200 || body["confirmed"] != true {
			t.Fatalf("confirm: %d %v", code, body)
		}
		code, body := zzb.do("POST", path+"/certificates", `{}`)
		if code != 201 || len(body["items"].([]any)) != 1 {
			t.Fatalf("certificates: %d %v", code, body)
		}
		cert := body["items"].([]any)[0].(map[string]any)
		verify := cert["verify"].(string)
		if cert["kind"] != "excellent" || !strings.Contains(verify, "/v/c/") {
			t.Fatalf("certificate: %v", cert)
		}
		token := verify[strings.LastIndex(verify, "/")+1:]
		id := cert["id"].(float64)
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/training/certificates/%v/certificate.pdf", base, id), nil)
		req.Header.Set("Authorization", "Bearer "+zzb.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(string(raw), "%PDF-") {
			t.Fatalf("pdf: %d", res.StatusCode)
		}
		anon := &client{t: t, base: base}
		if code, body := anon.do("GET", "/api/v1/certificates/"+token, ""); code != 200 || body["valid"] != true || body["name"] != "甲书记" || body["hours"] != float64(2) {
			t.Fatalf("verify: %d %v", code, body)
		}
		// One character changed; a token that already begins with the
		// forger's letter gets another.
		forged := "x" + token[1:]
		if forged == token {
			forged = "y" + token[1:]
		}
		if code, _ := anon.do("GET", "/api/v1/certificates/"+forged, ""); code != 404 {
			t.Fatalf("verify a forged token: %d", code)
		}
		if code, body := zzb.do("POST", fmt.Sprintf("/api/v1/training/certificates/%v/revoke", id), `{"reason":"信息有误"}`); code != 200 || body["revoked_reason"] != "信息有误" {
			t.Fatalf("revoke: %d %v", code, body)
		}
		if code, body := anon.do("GET", "/api/v1/certificates/"+token, ""); code != 200 || body["valid"] != false || body["revoked_reason"] != "信息有误" {
			t.Fatalf("verify revoked: %d %v", code, body)
		}
		if code, body := zzb.do("GET", fmt.Sprintf("/api/v1/cadres/%d/certificates", cd.ID), ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("cadre's certificates: %d %v", code, body)
		}
		sibling := login("zzb2", access.Grant{Role: access.OrgStaff, Region: "152221103000"})
		for _, p := range []string{path + "/evaluation", fmt.Sprintf("/api/v1/training/certificates/%v", id)} {
			if code, body := sibling.do("GET", p, ""); code != 404 || strings.Contains(fmt.Sprint(body), "甲书记") {
				t.Errorf("sibling reads %s: %d", p, code)
			}
		}
	})
}
