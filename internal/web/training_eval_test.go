package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/region"
	"shanzhi/internal/sheet"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/training"
)

// TestTrainingEvaluationPages walks a finished class through the pages:
// the 跟班干部's and the 班主任's entry forms, an exam sheet refused whole
// for one wrong row and then entered, the outcomes computed and confirmed,
// the certificates issued; a certificate's page, its A4 view and PDF (the
// same text), its public verification page before and after it is
// revoked, and the trainee's own page showing it.
func TestTrainingEvaluationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 15, 50, 0, 0, time.UTC) } // 23:50 local, the class's last day
		s := newSite(t, db)
		const keerqin = "152221100000"
		zzb := &access.Actor{Grants: []access.Grant{{Role: access.OrgStaff, Region: keerqin}}}
		var cadres []int64
		for _, name := range []string{"甲书记", "乙主任", "丙委员"} {
			cd, err := db.Cadres().CreateCadre(ctx, zzb, org.CadreInput{Region: pingan, Name: name, Post: "村两委", Rank: "village", Appointed: "2020-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			cadres = append(cadres, cd.ID)
		}
		c, err := db.Training().CreateClass(ctx, zzb, training.ClassInput{Region: keerqin, Name: "村两委培训班", Start: "2026-06-01", End: "2026-06-01", Capacity: 10, HoursRequired: 2})
		if err == nil {
			c, err = db.Training().AddSession(ctx, zzb, c.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: "开班", Hours: 2})
		}
		if err == nil {
			_, err = db.Training().Enrol(ctx, zzb, c.ID, cadres)
		}
		var links []training.Link
		if err == nil {
			links, err = db.Training().IssueLinks(ctx, zzb, c.ID)
		}
		var es []training.Enrolment
		if err == nil {
			es, err = db.Training().Enrolments(ctx, zzb, c.ID)
		}
		var present []int64
		for _, e := range es {
			present = append(present, e.ID)
		}
		if err == nil {
			_, err = db.Training().MarkRoll(ctx, zzb, c.Sessions[0].ID, present)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, nil, "genban", "李干事", "First-Pass-1", []access.Grant{{Role: access.Trainer, Region: keerqin}}); err != nil {
			t.Fatal(err)
		}
		s.user("zzb", access.Grant{Role: access.OrgStaff, Region: keerqin})
		base := fmt.Sprintf("/training/classes/%d/evaluation", c.ID)
		s.page(fmt.Sprintf("/training/classes/%d", c.ID), http.StatusOK, base)
		s.page(base, http.StatusOK, "三维评价与结业", "甲书记", "学习态度、纪律、互动研讨、作业", "培训中")
		if res := s.post(base+"/escort", url.Values{"escort": {"genban"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escort: %d %s", res.StatusCode, s.body(res))
		}
		// The department enters everything: the observation with notes, the
		// portrait by dimension.
		s.page(base+"?source=observer", http.StatusOK, "录入跟班干部考察", `name="score-`)
		form := url.Values{"source": {"observer"}}
		portrait := url.Values{"source": {"headteacher"}}
		// 甲书记 excellent, 乙主任 pass, 丙委员 short of the evaluation.
		score := map[string]string{"甲书记": "95", "乙主任": "80", "丙委员": "50"}
		exam := map[string]string{"甲书记": "98", "乙主任": "85", "丙委员": "90"}
		for _, e := range es {
			k := strconv.FormatInt(e.ID, 10)
			form.Set("score-"+k, score[e.Cadre.Name])
			form.Set("notes-"+k, "发言积极")
			for d := 0; d < 4; d++ {
				portrait.Set(fmt.Sprintf("dim-%s-%d", k, d), score[e.Cadre.Name])
			}
		}
		bad := url.Values{"source": {"observer"}, "score-" + strconv.FormatInt(es[0].ID, 10): {"一百"}}
		if res := s.post(base, bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "分数须为 0 到 100 的整数") {
			t.Fatalf("a score in words: %d", res.StatusCode)
		}
		for _, f := range []url.Values{form, portrait} {
			if res := s.post(base, f); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("entry %s: %d %s", f.Get("source"), res.StatusCode, s.body(res))
			}
		}
		// The exam sheet, from the template: one wrong name refuses it all.
		res := s.get(base + "/exam/template.xlsx")
		tmpl, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(tmpl) < 100 {
			t.Fatalf("exam template: %d", res.StatusCode)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Cadre.Name)
		}
		examSheet := func(names []string) []byte {
			var buf bytes.Buffer
			xw, err := sheet.NewWriter(&buf, sheet.Table{Title: "结业考核成绩", Columns: []sheet.Column{{Header: "编号", Kind: sheet.Text}, {Header: "姓名", Kind: sheet.Text}, {Header: "单位", Kind: sheet.Text}, {Header: "成绩", Kind: sheet.Text}}})
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range es {
				xw.Write(strconv.FormatInt(e.ID, 10), names[i], "平安村", exam[e.Cadre.Name])
			}
			if err := xw.Close(); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		if code, body := s.sendFile(base+"/exam", "import", "exam.xlsx", examSheet(append(names[:2:2], "别人"))); code != http.StatusUnprocessableEntity || !strings.Contains(body, "未录入任何成绩") || strings.Contains(body, "已录入") {
			t.Fatalf("a sheet with a wrong name: %d\n%s", code, body)
		}
		s.page(base, http.StatusOK)
		if sh, _ := db.Training().EvaluationSheet(ctx, zzb, c.ID); len(sh.Graduates[2].Evaluations) != 2 {
			t.Fatalf("the refused sheet entered scores: %+v", sh.Graduates[0].Evaluations)
		}
		if code, body := s.sendFile(base+"/exam", "import", "exam.xlsx", examSheet(names)); code != http.StatusOK || !strings.Contains(body, "已录入 3 人的结业成绩") {
			t.Fatalf("exam sheet: %d\n%s", code, body)
		}
		// Outcomes: refused before the class ends, then computed and
		// confirmed.
		if res := s.post(base+"/compute", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "结业前不能评定结果") {
			t.Fatalf("outcomes before the end: %d", res.StatusCode)
		}
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 16, 5, 0, 0, time.UTC) } // the next day
		for _, step := range []string{"compute", "confirm", "certificates"} {
			if res := s.post(base+"/"+step, url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", step, res.StatusCode, s.body(res))
			}
		}
		body := s.page(base, http.StatusOK, "优秀", "合格", "重修", "评价不达标", "已确认")
		m := regexp.MustCompile(`(?s)甲书记</td>.*?/training/certificates/(\d+)">(2026-\d{4}-00\d-[0-9X])<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no certificate on the sheet:\n%s", body)
		}
		cert := "/training/certificates/" + m[1]
		body = s.page(cert, http.StatusOK, m[2], "甲书记", "优秀证书", "科尔沁镇党委组织部")
		v := regexp.MustCompile(`href="(https?://[^"]+)(/v/c/[A-Za-z0-9_-]{43})"`).FindStringSubmatch(body)
		if v == nil {
			t.Fatalf("no verification link:\n%s", body)
		}
		s.page(cert+"/print", http.StatusOK, "优秀证书", "甲书记同志参加村两委培训班", "data:image/png;base64,", m[2])
		res = s.get(cert + "/certificate.pdf")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.HasPrefix(raw, []byte("%PDF-")) {
			t.Fatalf("pdf: %d", res.StatusCode)
		}
		if text := pdfText(t, raw); text != "" && (!strings.Contains(text, "优秀证书") || !strings.Contains(text, m[2]) || !strings.Contains(text, "甲书记")) {
			t.Errorf("the PDF lacks the certificate's text:\n%s", text)
		}
		// The public page, signed out.
		anon := newSite(t, db)
		anon.page(v[2], http.StatusOK, "该证书真实有效", "甲书记", "村两委培训班", m[2])
		anon.page(v[2][:len(v[2])-1]+"x", http.StatusNotFound)
		for _, l := range links {
			if l.Name == "甲书记" {
				anon.page("/attend/t/"+l.Token, http.StatusOK, "优秀", m[2])
			}
		}
		if res := s.post(cert+"/revoke", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a revocation without a reason: %d", res.StatusCode)
		}
		if res := s.post(cert+"/revoke", url.Values{"reason": {"证书信息有误"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		anon.page(v[2], http.StatusOK, "该证书已撤销", "证书信息有误")
		// Once the township writes both scripts, the page and the
		// certificate are Mongolian first.
		lead := &access.Actor{Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}}
		if err := db.Regions().SetScript(ctx, lead, keerqin, region.ScriptBilingual, "", "蒙汉双语"); err != nil {
			t.Fatal(err)
		}
		anon.page(v[2], http.StatusOK, "ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠢ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠪᠠ", "该证书已撤销", "ᠣᠨᠴᠠ ᠰᠠᠶᠢᠨ ᠤ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ", "优秀证书")
		s.page(cert+"/print", http.StatusOK, "ᠣᠨᠴᠠ ᠰᠠᠶᠢᠨ ᠤ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ", "优秀证书")
		s.page(fmt.Sprintf("/org/cadres/%d", cadres[0]), http.StatusOK, m[2], "已撤销")
	})
}
