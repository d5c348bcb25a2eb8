package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestTalentApplyPages checks the applicant's public pages over HTTP: the
// form needs no account but refuses a cross-site post, the private link
// opens only with its token and masks the ID number, and a file that is
// not what its kind allows is refused by its content.
func TestTalentApplyPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db)
		s.user("league", access.Grant{Role: access.Leader, Region: "152200000000"})
		res := s.post("/regions/152200000000/talent/round", url.Values{"name": {"2026年晓景计划"}, "start_year": {"2026"}, "years": {"3"},
			"trajectory": {"40,70,100"}, "opens": {"2026-05-01"}, "closes": {"2026-06-30"}, "c1": {"政治上合格"}, "m1": {"20"}, "c2": {"有实体经营主体"}, "m2": {"20"},
			"c3": {"经营管理规范"}, "m3": {"20"}, "c4": {"有辐射带动能力"}, "m4": {"20"}, "c5": {"发展产业符合地区经济发展要求"}, "m5": {"20"}})
		round := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/talent/rounds/")
		s.page("/talent/rounds/"+round, http.StatusOK, "/apply/"+round)

		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		do := func(method, path, ctype string, body io.Reader, site string) (*http.Response, string) {
			req, _ := http.NewRequest(method, s.srv.URL+path, body)
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if site != "" {
				req.Header.Set("Sec-Fetch-Site", site)
			}
			res, err := anon.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		if res, body := do("GET", "/apply/"+round, "", nil, ""); res.StatusCode != 200 || !strings.Contains(body, "科尔沁右翼前旗") {
			t.Fatalf("the public page: %d", res.StatusCode)
		}
		form := url.Values{"village": {pingan}, "channel": {"returnees"}, "name": {"返乡青年"}, "gender": {"男"}, "id_number": {idFor("19900101", 3)},
			"phone": {"13912345678"}, "entity_name": {"沙果农场"}}
		apply := "/apply/" + round + "?area=152221100000"
		if res, _ := do("POST", apply, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a cross-site post: %d, want 403", res.StatusCode)
		}
		res, _ = do("POST", apply, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), "same-origin")
		link := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(link, "/apply/t/") {
			t.Fatalf("apply: %d to %q", res.StatusCode, link)
		}
		link = strings.Split(link, "?")[0]
		if res, _ := do("GET", link+"x", "", nil, ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a wrong token: %d, want 404", res.StatusCode)
		}
		res, body := do("GET", link, "", nil, "")
		if res.StatusCode != 200 || strings.Contains(body, idFor("19900101", 3)) || strings.Contains(body, "13912345678") || !strings.Contains(body, "139****5678") {
			t.Fatalf("the private page: %d, masked: %v", res.StatusCode, strings.Contains(body, "139****5678"))
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("kind", "photo")
		fw, _ := mw.CreateFormFile("file", "photo.jpg")
		fw.Write([]byte("<html><script>alert(1)</script></html>"))
		mw.Close()
		res, body = do("POST", link+"/attach", mw.FormDataContentType(), &buf, "same-origin")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "照片须为") {
			t.Fatalf("a page posing as a photo: %d", res.StatusCode)
		}
	})
}
