package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/server"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
	"shanzhi/internal/web"
)

const (
	pingan  = "152221100210"
	keerqin = "152221100000"
)

// site is a running server over a real store, with a browser-like client.
type site struct {
	t      testing.TB
	db     *sqlstore.DB
	srv    *httptest.Server
	client *http.Client
	csrf   string
}

// newSite serves the pages with the default policy, less the second
// factor unless mfa is set.
func newSite(t testing.TB, db *sqlstore.DB, mfa ...bool) *site {
	return newSiteWith(t, db, server.Options{}, httptest.NewServer, len(mfa) > 0 && mfa[0])
}

// newSiteWith serves the pages with the middleware's options on a server
// start makes (plain or TLS).
func newSiteWith(t testing.TB, db *sqlstore.DB, opt server.Options, start func(http.Handler) *httptest.Server, mfa bool) *site {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pol := access.DefaultPolicy()
	pol.SkipMFA = !mfa
	auth := db.Auth(pol)
	flows, err := review.NewFlows(points.Flow(), points.AppealReviewFlow(), talent.ReviewFlow(), honour.Flow())
	if err != nil {
		t.Fatal(err)
	}
	rev := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier(), talent.Flow: db.TalentApplier(), honour.NominationFlow: db.HonourApplier()})
	w, err := web.New(web.Deps{Catalog: cat, Regions: db.Regions(), Registry: db.Registry(), Auth: auth, Users: db.Users(pol), Audit: db.Audit(), Ledger: db.Ledger(),
		Awards: db.Awards(rev), Review: rev, Schemes: db.Schemes(), Rankings: db.Rankings(), Periods: db.Periods(), Talent: db.Talent(rev), Org: db.Org(), Cadres: db.Cadres(), Training: db.Training(), Surveys: db.Surveys(), Market: db.Market(), Photos: db.Photos(), Honours: db.Honours(rev), Funds: db.Funds(), Privileges: db.Privileges(), Credit: db.Credit(), NoticeCode: db.NoticeCodeText,
		Log: log, MaxUpload: 1 << 20, Now: db.Now})
	if err != nil {
		t.Fatal(err)
	}
	rt := &server.Router{Mux: http.NewServeMux()}
	w.Routes(rt)
	srv := start(server.Middleware(rt.Mux, auth, log, opt))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar, client.CheckRedirect = jar, func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &site{t: t, db: db, srv: srv, client: client}
}

// user creates an account and signs in with it, changing the one-time
// password as a new user must.
func (s *site) user(name string, grants ...access.Grant) {
	s.t.Helper()
	ctx := context.Background()
	if _, err := s.db.CreateUser(ctx, nil, name, name, "First-Pass-1", grants); err != nil {
		s.t.Fatal(err)
	}
	res := s.post("/login", url.Values{"username": {name}, "password": {"First-Pass-1"}, "next": {"/"}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login: %d", res.StatusCode)
	}
	if loc := s.get("/regions").Header.Get("Location"); loc != "/password" {
		s.t.Fatalf("a user with a one-time password was not sent to change it: %q", loc)
	}
	body := s.body(s.get("/password"))
	s.csrf = csrfOf(s.t, body)
	res = s.post("/password", url.Values{"old": {"First-Pass-1"}, "new": {"Second-Pass-2"}, "again": {"Second-Pass-2"}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("password change: %d %s", res.StatusCode, s.body(res))
	}
	res = s.post("/login", url.Values{"username": {name}, "password": {"Second-Pass-2"}, "next": {"/"}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("second login: %d", res.StatusCode)
	}
	s.csrf = csrfOf(s.t, s.body(s.get("/password")))
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, body string) string {
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token in page")
	}
	return m[1]
}

func (s *site) get(path string) *http.Response {
	s.t.Helper()
	res, err := s.client.Get(s.srv.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// post sends a form the way a browser on this site would: same-origin,
// with the session's CSRF token.
func (s *site) post(path string, form url.Values) *http.Response {
	s.t.Helper()
	if s.csrf != "" && form.Get("csrf") == "" {
		form.Set("csrf", s.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.srv.URL)
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// file is a file a test form sends.
type file struct {
	name string
	data []byte
}

// postFiles posts a form with files in field, the way a form with a file
// input does; the session's CSRF token is added unless the form brings
// its own (or an empty one, to test the check).
func (s *site) postFiles(path string, form url.Values, field string, files ...file) *http.Response {
	s.t.Helper()
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	if _, ok := form["csrf"]; !ok {
		mw.WriteField("csrf", s.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile(field, f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.srv.URL)
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// sendFile posts a file the way the import pages' forms do, with the
// session's CSRF token and a mode button.
func (s *site) sendFile(path, mode, filename string, content []byte) (int, string) {
	s.t.Helper()
	res := s.postFiles(path, url.Values{"mode": {mode}}, "file", file{filename, content})
	return res.StatusCode, s.body(res)
}

func (s *site) body(res *http.Response) string {
	s.t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// page fetches path and checks its status and that each of want appears.
func (s *site) page(path string, status int, want ...string) string {
	s.t.Helper()
	res := s.get(path)
	body := s.body(res)
	if res.StatusCode != status {
		s.t.Fatalf("GET %s = %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			s.t.Errorf("GET %s lacks %q", path, w)
		}
	}
	if strings.Contains(body, "%!") || regexp.MustCompile(`>[a-z]+\.[a-z_]+\.?[a-z_]*<`).MatchString(body) {
		s.t.Errorf("GET %s shows a raw key or a broken format:\n%s", path, body)
	}
	return body
}

func idFor(birth string, seq int) string {
	first := "152221" + birth + fmt.Sprintf("%03d", seq)
	return first + string(registry.CheckChar(first))
}

func TestPagesRender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSite(t, db)
		s.page("/regions", http.StatusSeeOther)
		s.user("admin", access.Grant{Role: access.Leader, Region: "150000000000"}, access.Grant{Role: access.Operator, Region: "150000000000"})
		s.page("/regions/152200000000", http.StatusOK, "兴安盟", "科尔沁右翼前旗", "合计")
		s.page("/regions/"+keerqin, http.StatusOK, "平安村", "152221100210")
		s.page("/regions/"+pingan+"/manage", http.StatusOK, "更名", "合并到其他村", "撤销")
		s.page("/households/new?region="+pingan, http.StatusOK, "户号", "身份证号")

		// Create a household through the form.
		res := s.post("/households?region="+pingan, url.Values{"number": {"001"}, "village": {pingan}, "address": {"一组"},
			"name": {"单田芳"}, "ethnicity": {"汉族"}, "id_number": {strings.ToLower(idFor("19600101", 11))}, "political": {"群众"}, "phone": {"13812341234"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create household: %d %s", res.StatusCode, s.body(res))
		}
		loc := res.Header.Get("Location")
		body := s.page(loc, http.StatusOK, "单田芳", "1522**********", "138****1234", "已新增", "建户")
		if strings.Contains(body, idFor("19600101", 11)) || strings.Contains(body, "13812341234") {
			t.Fatal("the household page shows a full ID number or phone")
		}
		s.page("/households?region="+pingan, http.StatusOK, "单田芳", "共 1 条")
		s.page("/households?q=stf", http.StatusOK, "单田芳")
		s.page("/residents?region="+pingan, http.StatusOK, "单田芳", "1522**********")
		id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/households/")
		for _, p := range []string{"edit", "member", "head", "split", "merge"} {
			s.page("/households/"+id+"/"+p, http.StatusOK, "保存")
		}
		s.page("/import?region="+pingan, http.StatusOK, "上传并预览")
		s.page("/households/999999", http.StatusNotFound, "没有找到")
		s.page("/households/abc", http.StatusNotFound)

		// A bad submission comes back with field messages, not a 500.
		res = s.post("/households?region="+pingan, url.Values{"number": {""}, "village": {pingan}, "name": {""}, "ethnicity": {"火星族"}, "id_number": {"123"}})
		body = s.body(res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写户号") || !strings.Contains(body, "身份证号应为 18 位") || !strings.Contains(body, "民族不在国家标准") {
			t.Fatalf("invalid form: %d\n%s", res.StatusCode, body)
		}
		// A form without the CSRF token is refused.
		res = s.post("/households?region="+pingan, url.Values{"csrf": {"forged"}, "number": {"002"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("forged csrf: %d", res.StatusCode)
		}
		// So is a cross-site POST, whatever its token.
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/households", strings.NewReader("csrf="+s.csrf))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, _ := s.client.Do(req); res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site post: %d", res.StatusCode)
		}
		// An upload over the limit is refused with its own message.
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		mw.WriteField("csrf", s.csrf)
		fw, _ := mw.CreateFormFile("file", "big.csv")
		fw.Write(bytes.Repeat([]byte("户号,姓名\n"), 300_000))
		mw.Close()
		req, _ = http.NewRequest(http.MethodPost, s.srv.URL+"/import?region="+pingan, &mp)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", s.srv.URL)
		res, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := s.body(res); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件太大") {
			t.Fatalf("oversized upload: %d %s", res.StatusCode, body)
		}
		// English on request, Chinese otherwise.
		if loc := s.get("/lang?to=en&back=/households").Header.Get("Location"); loc != "/households" {
			t.Fatalf("language switch redirects to %q", loc)
		}
		s.page("/households", http.StatusOK, "Households", "中文")
		s.get("/lang?to=zh-CN&back=//evil.example")
		s.page("/households", http.StatusOK, "户籍台账")
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if s.get("/login").Header.Get(h) == "" {
				t.Errorf("missing header %s", h)
			}
		}
	})
}

func TestVillageOperatorScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		admin := &access.Actor{UserID: 0, Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: "150000000000"}}}
		other := "152221103212" // 平安村 of 大石寨镇, a namesake elsewhere
		head := registry.ResidentInput{Name: "外村人", Ethnicity: "汉族", IDNumber: idFor("19700101", 21), Political: "群众"}
		h, err := db.Registry().CreateHousehold(ctx, admin, registry.HouseholdInput{Number: "009", VillageCode: other}, head)
		if err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("pingan", access.Grant{Role: access.Operator, Region: pingan})
		s.page("/regions", http.StatusSeeOther)
		s.page("/regions/"+pingan, http.StatusOK, "平安村")
		s.page("/regions/"+keerqin, http.StatusNotFound)
		s.page("/regions/"+other, http.StatusNotFound)
		s.page(fmt.Sprintf("/households/%d", h.ID), http.StatusNotFound)
		s.page(fmt.Sprintf("/households/%d/edit", h.ID), http.StatusNotFound)
		s.page("/households?region="+other, http.StatusNotFound)
		if body := s.page("/households?q=外村人", http.StatusOK); strings.Contains(body, "外村人</td>") {
			t.Fatal("search shows another village's household")
		}
		if res := s.post(fmt.Sprintf("/households/%d/edit", h.ID), url.Values{"number": {"010"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("edit of a foreign household: %d", res.StatusCode)
		}
		s.page("/regions/"+pingan+"/manage", http.StatusForbidden)
		res := s.get("/export/residents.xlsx?region=" + other)
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("export of a foreign village: %d", res.StatusCode)
		}
	})
}
