package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fonts"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// Mongolian strings of the test: ᠪᠠᠲ᠋ᠤ (Batu, typed with a variation
// selector) and ᠪᠠᠶᠠᠨ (Bayan, the village's Mongolian name).
const (
	batuMn  = "\u182A\u1820\u1832\u180B\u1824"
	bayanMn = "\u182A\u1820\u1836\u1820\u1828"
)

// TestBilingualPublicPages walks a village from Chinese-only to bilingual
// and back: its notice, board and household card carry the Mongolian of
// every fixed text and of the head's name, masked as the Chinese is, in
// the font the product serves; bad input on the setting changes nothing.
func TestBilingualPublicPages(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
	if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
		t.Fatal(err)
	}
	h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: "011", VillageCode: pingan},
		registry.ResidentInput{Name: "巴图", NameMongol: batuMn, Ethnicity: "蒙古族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"})
	if err != nil {
		t.Fatal(err)
	}
	rev := approvedAward(t, db, lead, h.ID)
	mn := func(key string) string {
		s, ok := cat.Mongol(key)
		if !ok {
			t.Fatalf("no Mongolian for %s", key)
		}
		return s
	}
	s := newSite(t, db)
	anyone := &site{t: t, db: db, srv: s.srv, client: &http.Client{}}

	// A 村 writes Chinese only until it chooses otherwise.
	body := anyone.page("/notice/"+pingan, http.StatusOK, "巴*", "以下积分事项正在公示")
	if strings.Contains(body, `class="mn"`) || strings.Contains(body, "/fonts/") {
		t.Fatal("a Chinese-only village's notice carries Mongolian")
	}

	s.user("lead", access.Grant{Role: access.Leader, Region: keerqin})
	s.page("/regions/"+pingan+"/manage", http.StatusOK, "对外材料文字", "仅用汉文", `value="mn-zh"`)
	// Text typed with a legacy input method is refused with its reason,
	// and the village stays as it was.
	res := s.post("/regions/"+pingan+"/script", url.Values{"script": {"mn-zh"}, "name_mongol": {"\uE2D1\uE27B"}, "reason": {"村民代表会议决定"}})
	if b := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "旧编码") {
		t.Fatalf("legacy name: %d", res.StatusCode)
	}
	if strings.Contains(anyone.page("/notice/"+pingan, http.StatusOK), `class="mn"`) {
		t.Fatal("a refused setting took effect")
	}
	res = s.post("/regions/"+pingan+"/script", url.Values{"script": {"mn-zh"}, "name_mongol": {bayanMn}, "reason": {"村民代表会议决定"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set script: %d %s", res.StatusCode, s.body(res))
	}
	s.page("/regions/"+pingan+"/manage", http.StatusOK, "设置对外材料文字", "村民代表会议决定", "蒙汉双语")

	// The notice: heading, fixed sentences and the name in both scripts,
	// Mongolian first; the name masked to its first syllable in both.
	body = anyone.page("/notice/"+pingan, http.StatusOK, mn("notice.intro"), "以下积分事项正在公示", mn("notice.object"),
		`<span class="mn" lang="mn-Mong">`+"\u182A\u1820*"+`</span><span class="zh">巴*</span>`, bayanMn+" "+mn("page.notice"))
	if strings.Contains(body, batuMn) || strings.Contains(body, "巴图") {
		t.Fatal("the notice shows a full name")
	}
	if strings.Index(body, mn("notice.intro")) > strings.Index(body, "以下积分事项正在公示") {
		t.Error("the Chinese comes before the Mongolian")
	}
	css := regexp.MustCompile(`href="(/fonts/mongolian-[0-9a-f]+\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("the bilingual notice does not load the Mongolian font")
	}
	// The font is ours, cached for good under a name that changes with it.
	res = anyone.get(css[1])
	sheet := anyone.body(res)
	font := regexp.MustCompile(`url\("(/fonts/mongolian-[0-9a-f]+\.ttf)"\)`).FindStringSubmatch(sheet)
	if res.StatusCode != http.StatusOK || font == nil || !strings.Contains(sheet, `font-family:"Shanzhi Mongolian"`) {
		t.Fatalf("font stylesheet: %d %s", res.StatusCode, sheet)
	}
	res = anyone.get(font[1])
	if got := anyone.body(res); res.StatusCode != http.StatusOK || len(got) != len(fonts.Mongolian()) ||
		res.Header.Get("Content-Type") != "font/ttf" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("font: %d, %d bytes, %q, %q", res.StatusCode, len(got), res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	// A browser that accepts gzip gets the embedded gzip as is; one
	// that does not gets the plain font.
	for enc, want := range map[string][]byte{"gzip, deflate, br": fonts.MongolianGzip, "identity": fonts.Mongolian()} {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+font[1], nil)
		req.Header.Set("Accept-Encoding", enc)
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Equal(got, want) || (enc == "identity") != (res.Header.Get("Content-Encoding") == "") || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("font for %q: %d bytes, Content-Encoding %q, Vary %q", enc, len(got), res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
	}
	anyone.page("/fonts/other.ttf", http.StatusNotFound)

	// The 公示 and the household card print Mongolian-first from the same
	// definition as their PDFs: the village's Mongolian name in the title,
	// the column headers in both scripts, the name masked alike.
	noticeTitle, _ := cat.Mongol("print.notice.title", bayanMn)
	s.page("/regions/"+pingan+"/notice/print", http.StatusOK, "mn-first", noticeTitle, mn("print.col.item"), mn("print.seal"),
		`<span class="mn" lang="mn-Mong">`+"\u182A\u1820*"+`</span>巴*`, "/fonts/mongolian-")
	cardTitle, _ := cat.Mongol("print.card.title", bayanMn)
	hid := fmt.Sprint(h.ID)
	jar, _ := cookiejar.New(nil)
	clerk := &site{t: t, db: db, srv: s.srv, client: &http.Client{Jar: jar, CheckRedirect: s.client.CheckRedirect}}
	clerk.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
	clerk.page("/households/"+hid+"/card/print", http.StatusOK, "mn-first", cardTitle, "巴图")
	for _, pdf := range []string{"/regions/" + pingan + "/notice.pdf", "/households/" + hid + "/card.pdf"} {
		if res := clerk.get(pdf); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s: %d", pdf, res.StatusCode)
		}
	}

	// The board, once the notice is over: the name masked alike.
	if n, err := rev.FinaliseDue(ctx, db.Now().Add(8*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("finalise: %d %v", n, err)
	}
	anyone.page("/board/"+pingan+"?period="+db.Now().Format("2006-01"), http.StatusOK, mn("page.board"), mn("col.head"), "\u182A\u1820*")

	// The household card names its members as recorded, in both scripts.
	token, err := db.Registry().CardToken(ctx, lead, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	anyone.page("/card/"+token, http.StatusOK, mn("page.card"), mn("field.name"), `<span class="mn" lang="mn-Mong">`+batuMn+`</span><span class="zh">巴图</span>`)

	// The register export carries the Mongolian name as typed, selector
	// and all, under the header the import reads.
	res = s.get("/export/residents.xlsx?region=" + pingan)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !sheetHas(t, raw, "蒙古文姓名") || !sheetHas(t, raw, batuMn) {
		t.Fatalf("export: %d, Mongolian name missing", res.StatusCode)
	}

	// A clerk lists the village's residents in Mongolian order.
	s.page("/residents?region="+pingan+"&order=mongol", http.StatusOK, `<option value="mongol" selected>`, "巴图")

	// Back to Chinese only.
	if res := s.post("/regions/"+pingan+"/script", url.Values{"script": {"zh"}, "name_mongol": {bayanMn}, "reason": {"改回"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set Chinese: %d", res.StatusCode)
	}
	if strings.Contains(anyone.page("/card/"+token, http.StatusOK, "巴图"), `class="mn"`) {
		t.Fatal("a Chinese-only card carries Mongolian")
	}
	if strings.Contains(s.page("/regions/"+pingan+"/notice/print", http.StatusOK, "积分公示"), `class="mn"`) {
		t.Fatal("a Chinese-only village's 公示 print carries Mongolian")
	}
}

// TestMongolianDraftsPage lists the unreviewed Mongolian entries for the
// system administrator, and for nobody else.
func TestMongolianDraftsPage(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	intro, _ := cat.Mongol("notice.intro")
	s := newSite(t, db)
	s.user("sys", access.Grant{Role: access.SysAdmin, Region: "150000000000"})
	s.page("/admin/mongolian", http.StatusOK, "notice.intro", "以下积分事项正在公示", intro, "mn-draft.txt", `href="/admin/mongolian" class="on"`)
	s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
	if res := s.get("/admin/mongolian"); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("a clerk opened the drafts: %d", res.StatusCode)
	}
}

// approvedAward records an award for household as official and has the
// village committee approve it, so it stands on the village's notice; the
// review service returned finalises it.
func approvedAward(t testing.TB, db *sqlstore.DB, official *access.Actor, household int64) *sqlstore.ReviewService {
	t.Helper()
	ctx := context.Background()
	flows, _ := review.NewFlows(points.Flow())
	rev := db.Review(flows, map[string]sqlstore.ReviewApplier{points.AwardFlow: db.AwardApplier()})
	w, err := db.Awards(rev).Record(ctx, official, points.AwardInput{Key: fmt.Sprint("approved-", household), Household: household, Item: "env-03"})
	if err != nil {
		t.Fatal(err)
	}
	committee := &access.Actor{UserID: 99, Username: "weiyuan", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
	if _, err := rev.Decide(ctx, committee, w.ReviewID, review.Approve, ""); err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestBilingualKeysArePublic reads the templates for every text printed
// with Bi, literal or built from a value, and checks each is in the
// public subset with Mongolian: a page that printed another would fail
// only when some village wrote bilingual.
func TestBilingualKeysArePublic(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, s := range talent.Tiers {
		keys["talent.tier."+string(s)] = true
	}
	for _, s := range talent.EntityTypes {
		keys["talent.entity."+string(s)] = true
	}
	for _, s := range []review.ObjectionState{review.ObjOpen, review.ObjUpheld, review.ObjDismissed, review.ObjMoot} {
		keys["review.objection_state."+string(s)] = true
	}
	for _, s := range honour.Reasons {
		keys["fund.reason."+string(s)] = true
	}
	for _, s := range []honour.CampaignStatus{honour.CampaignOpen, honour.CampaignClosed} {
		keys["fund.status."+string(s)] = true
	}
	for _, s := range []honour.EntryKind{honour.Donation, honour.Confirmation, honour.Disbursement, honour.Transfer, honour.Closing} {
		keys["fund.kind."+string(s)] = true
	}
	for _, s := range []honour.Method{honour.Cash, honour.BankTransfer} {
		keys["fund.method."+string(s)] = true
	}
	files, err := filepath.Glob("templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`\.Bi "([a-z0-9_.]+)"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	if len(keys) < 40 {
		t.Fatalf("only %d keys found: the scan is broken", len(keys))
	}
	for k := range keys {
		if _, ok := cat.Mongol(k); !ok {
			t.Errorf("%s is printed bilingually but has no public Mongolian entry", k)
		}
	}
}

// BenchmarkBilingualNotice serves a village's public notice with 20
// awards on it to an anonymous phone, Chinese-only and bilingual.
func BenchmarkBilingualNotice(b *testing.B) {
	db := storetest.MustOpen(b, "sqlite")
	ctx := context.Background()
	lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: keerqin}, {Role: access.Operator, Region: keerqin}}}
	if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: keerqin}); err != nil {
		b.Fatal(err)
	}
	for i := range 20 {
		h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: fmt.Sprintf("B%02d", i), VillageCode: pingan},
			registry.ResidentInput{Name: "巴图", NameMongol: batuMn, Ethnicity: "蒙古族", Gender: registry.Male, BirthDate: "1970-02-02", Political: "群众"})
		if err != nil {
			b.Fatal(err)
		}
		approvedAward(b, db, lead, h.ID)
	}
	s := newSite(b, db)
	// The same notice Chinese-only first, the cost the Mongolian adds is
	// the difference.
	for _, sc := range []region.Script{region.ScriptChinese, region.ScriptBilingual} {
		if err := db.Regions().SetScript(ctx, lead, pingan, sc, bayanMn, "基准"); err != nil {
			b.Fatal(err)
		}
		b.Run(string(sc), func(b *testing.B) {
			for b.Loop() {
				res := s.get("/notice/" + pingan)
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatal(res.StatusCode)
				}
			}
		})
	}
}
