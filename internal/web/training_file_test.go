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
	"shanzhi/internal/org"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// statementForm posts a trainee's 情况说明 from their page, with a file.
func (s *site) statementForm(path string, enrolment int64, text string, file []byte) (int, string) {
	s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("op", "statement")
	mw.WriteField("enrolment", fmt.Sprint(enrolment))
	mw.WriteField("text", text)
	fw, _ := mw.CreateFormFile("file", "说明.pdf")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.srv.URL)
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res.StatusCode, s.body(res)
}

// TestTrainingFilePages follows a 重修 on the pages: the cadre's training
// file, the trainee's 情况说明 from their own page (a file that is no
// PDF or image refused), the department's retake loop accepting it, the
// file it came with, "retake due" on a later class's targeting, and the
// yearly lines and figures with their workbooks; the sibling township
// reads none of it.
func TestTrainingFilePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC) // 09:00 local
		db.Now = func() time.Time { return now }
		s := newSite(t, db)
		const keerqin, sibling = "152221100000", "152221103000"
		uid, err := db.CreateUser(ctx, nil, "zzb-dept", "zzb-dept", "First-Pass-1", []access.Grant{{Role: access.OrgStaff, Region: keerqin}})
		if err != nil {
			t.Fatal(err)
		}
		dept := &access.Actor{UserID: uid, Username: "zzb-dept", Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		var cadres []int64
		for _, name := range []string{"甲书记", "乙委员"} {
			cd, err := db.Cadres().CreateCadre(ctx, dept, org.CadreInput{Region: pingan, Name: name, Post: "村两委", Rank: "village", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			cadres = append(cadres, cd.ID)
		}
		tr := db.Training()
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
		retaker := es[0] // 乙委员 sorts first
		if err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 6, 10, 1, 0, 0, 0, time.UTC)
		storetest.Graduate(t, db, dept, c.ID, map[string]int{"甲书记": 85, "乙委员": 30})
		link := map[string]training.Link{}
		for _, l := range links {
			link[l.Name] = l
		}

		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		s.page(fmt.Sprintf("/org/cadres/%d", cadres[1]), http.StatusOK, "参训档案", "2026 年度", "村两委培训班", "重修", "结业成绩不合格", "未结案")
		mine := "/attend/t/" + link["乙委员"].Token
		s.page(mine, http.StatusOK, "参训档案", "村两委培训班 重修情况说明")
		if code, body := s.statementForm(mine, retaker.ID, "考试当天发烧，申请回炉重修。", []byte("<html><body>不是 PDF</body></html>")); code != http.StatusUnprocessableEntity || !strings.Contains(body, "附件只能是") {
			t.Fatalf("a page as the file: %d\n%s", code, body)
		}
		if code, body := s.statementForm(mine, retaker.ID, "考试当天发烧，申请回炉重修。", []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")); code != http.StatusOK || !strings.Contains(body, "情况说明已提交") {
			t.Fatalf("statement: %d\n%s", code, body)
		}
		s.page("/attend/t/"+link["甲书记"].Token, http.StatusOK, "合格")

		loop := "/training/retakes?region=" + keerqin
		body := s.page(loop, http.StatusOK, "乙委员", "待审核", "结业成绩不合格")
		m := regexp.MustCompile(`name="statement" value="(\d+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no statement to decide:\n%s", body)
		}
		if res := s.get("/training/retakes/file?region=" + keerqin + "&id=" + m[1]); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("statement file: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res := s.post("/training/retakes/decide?region="+keerqin, url.Values{"statement": {m[1]}, "decision": {"return"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("returned without a comment: %d", res.StatusCode)
		}
		if res := s.post("/training/retakes/decide?region="+keerqin, url.Values{"statement": {m[1]}, "decision": {"accept"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept: %d\n%s", res.StatusCode, s.body(res))
		}
		s.page(loop, http.StatusOK, "已通过")

		later, err := tr.CreateClass(ctx, dept, training.ClassInput{Region: keerqin, Name: "村两委回炉班", Start: "2026-07-01", End: "2026-07-01", Capacity: 10, HoursRequired: 2})
		if err != nil {
			t.Fatal(err)
		}
		body = s.page(fmt.Sprintf("/training/classes/%d/targeting?retake_due=1", later.ID), http.StatusOK, "乙委员")
		if strings.Contains(body, "甲书记") {
			t.Errorf("a cadre who passed is due to retake")
		}

		s.page("/training/files?region="+keerqin+"&year=2026", http.StatusOK, "甲书记", "乙委员", "合格", "重修")
		s.page("/training/figures?region="+keerqin+"&year=2026", http.StatusOK, "村两委培训班", "按职级", "村两委")
		for _, p := range []string{"/training/files.xlsx?region=" + keerqin + "&year=2026", "/training/figures.xlsx?region=" + keerqin + "&year=2026"} {
			if res := s.get(p); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
				t.Errorf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Disposition"))
			}
		}
		s.page("/training/figures?region="+keerqin+"&year=26", http.StatusUnprocessableEntity)

		s.user("zzb-sibling", access.Grant{Role: access.OrgStaff, Region: sibling})
		for _, p := range []string{loop, "/training/files?region=" + keerqin, "/training/figures?region=" + keerqin, "/training/retakes/file?region=" + keerqin + "&id=" + m[1]} {
			if res := s.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("the sibling township opens %s: %d", p, res.StatusCode)
			}
		}
		if res := s.get("/training/retakes/file?id=" + m[1]); res.StatusCode != http.StatusNotFound {
			t.Errorf("the sibling township reads the statement in its own scope: %d", res.StatusCode)
		}
	})
}
