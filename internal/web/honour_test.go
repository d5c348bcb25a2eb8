package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestHonourPages defines a computed and a nominated board from the pages,
// refuses a nomination without the nominee's consent, takes one with it
// through the committee and the notice onto the public page, the poster
// and the household's record.
func TestHonourPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		const keerqin = "152221100000"
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
			registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: idFor("19700101", 11), Relation: registry.Head, Political: "中共党员"})
		if err != nil {
			t.Fatal(err)
		}
		s.user("cunwei", access.Grant{Role: access.Operator, Region: pingan})
		s.page("/honours/new?region="+pingan, http.StatusOK, "最美小河沿人", "孝老爱亲")
		res := s.post("/honours/new?region="+pingan, url.Values{"region": {pingan}, "name": {"孝星榜"}, "kind": {"computed"}, "period": {"quarter"}, "aspect": {"filial"}, "min_points": {"3"}, "size": {"10"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("computed board: %d %s", res.StatusCode, s.body(res))
		}
		computed := strings.Split(res.Header.Get("Location"), "?")[0]
		s.page(computed+"?period=2026-Q2", http.StatusOK, "孝星榜", "未发布", "本期暂无上榜", "前 10 名")
		res = s.post("/honours/new?region="+pingan, url.Values{"region": {pingan}, "name": {"最美平安人"}, "kind": {"nominated"}, "period": {"year"}, "min_points": {"0"}, "size": {"10"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("nominated board: %d %s", res.StatusCode, s.body(res))
		}
		board := strings.Split(res.Header.Get("Location"), "?")[0]
		s.page("/honours?region="+pingan, http.StatusOK, "孝星榜", "最美平安人", "提名榜")
		form := url.Values{"period": {"2026"}, "household": {"001"}, "deed": {"照顾瘫痪婆婆十年"}, "citation": {"孝老爱亲十年如一日"}, "consent_date": {"2026-05-30"},
			"nominator_kind": {"organisation"}, "nominator": {"村妇联"}}
		res = s.post(board+"/nominate", clone(form))
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须有被提名人本人同意") {
			t.Fatalf("nomination without consent: %d", res.StatusCode)
		}
		form.Set("consent", "signed")
		s.page(board+"/nominate", http.StatusOK, `name="scan"`, "同意书扫描件")
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		if res := s.postFiles(board+"/nominate", form, "scan", file{"consent.pdf", pdf}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("nomination: %d %s", res.StatusCode, s.body(res))
		}
		body := s.page(board+"?period=2026", http.StatusOK, "尹志勇", "村妇联", "本人签字同意", "审议公示中", "查看扫描件 (PDF)")
		link := regexp.MustCompile(`href="(/honours/boards/\d+/scans/\d+)"`).FindStringSubmatch(body)
		if link == nil {
			t.Fatal("the board page has no link to the nominee's consent scan")
		}
		if res := s.get(link[1]); res.StatusCode != http.StatusOK || s.body(res) != string(pdf) || res.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Fatalf("the nominee's consent scan: %d", res.StatusCode)
		}
		flows, _ := review.NewFlows(honour.Flow())
		rev := db.Review(flows, map[string]sqlstore.ReviewApplier{honour.NominationFlow: db.HonourApplier()})
		items, err := rev.Items(ctx, &access.Actor{Grants: []access.Grant{{Role: access.Reviewer, Region: keerqin}}}, review.Filter{Flow: honour.NominationFlow})
		if err != nil || len(items) != 1 {
			t.Fatalf("items %v %v", items, err)
		}
		if _, err := rev.Decide(ctx, &access.Actor{UserID: 77, Username: "zhuren", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}, items[0].ID, review.Approve, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := rev.FinaliseDue(ctx, db.Now().Add(6*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		id := strings.TrimPrefix(board, "/honours/boards/")
		pub := s.page("/honour/board/"+id, http.StatusOK, "最美平安人", "尹**", "孝老爱亲十年如一日", "2026")
		if strings.Contains(pub, "尹志勇") {
			t.Fatal("the public board names the nominee in full")
		}
		poster := s.page("/honour/board/"+id+"/poster?period=2026&paper=a3", http.StatusOK, "paper-a3", "尹**", "村民委员会", "孝老爱亲十年如一日", "/poster.pdf?period=2026")
		if strings.Contains(pub+poster, `class="mn"`) {
			t.Fatal("a 村's board or poster carries Mongolian")
		}
		if res := s.get("/honour/board/" + id + "/poster.pdf?period=2026"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("poster.pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		s.page("/honour/"+pingan, http.StatusOK, "最美平安人", "孝星榜")
		s.page("/households/"+strconv.FormatInt(h.ID, 10), http.StatusOK, "荣誉", "最美平安人", "孝老爱亲十年如一日")
	})
}

// TestHonourBoardBilingual checks that a 嘎查's public board and poster
// carry the Mongolian texts first, by the gacha's default, while the
// boards of a 村 stay Chinese-only (TestHonourPages).
func TestHonourBoardBilingual(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	admin := &access.Actor{UserID: 1, Username: "admin", Grants: []access.Grant{{Role: access.Leader, Region: "150000000000"}, {Role: access.Operator, Region: "150000000000"}}}
	gacha, err := db.Regions().AddVillage(ctx, admin, "152221100000", "巴彦嘎查", "新设嘎查")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, db)
	s.user("gacha", access.Grant{Role: access.Operator, Region: gacha.Code})
	res := s.post("/honours/new?region="+gacha.Code, url.Values{"region": {gacha.Code}, "name": {"孝星榜"}, "kind": {"computed"}, "period": {"quarter"}, "aspect": {"filial"}, "min_points": {"3"}, "size": {"10"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("board: %d %s", res.StatusCode, s.body(res))
	}
	id := strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/honours/boards/")
	mn := func(key string) string {
		m, ok := cat.Mongol(key)
		if !ok {
			t.Fatalf("no Mongolian for %s", key)
		}
		return m
	}
	anyone := &site{t: t, db: db, srv: s.srv, client: &http.Client{}}
	anyone.page("/honour/board/"+id, http.StatusOK, `class="mn"`, mn("ranking.rank"), mn("honour.field.person"), "名次", "/fonts/mongolian-")
	// The village's list of boards follows its setting too (issue 17);
	// 平安村, a 村, lists its boards in Chinese alone.
	anyone.page("/honour/"+gacha.Code, http.StatusOK, `class="mn"`, mn("honour.page.public"), mn("honour.field.kind"), mn("honour.kind.computed"),
		mn("honour.period.quarter"), mn("ranking.aspect.filial"), "孝星榜", "/fonts/mongolian-")
	if body := anyone.page("/honour/"+pingan, http.StatusOK, "公开榜单"); strings.Contains(body, `class="mn"`) {
		t.Fatal("a Chinese-only village's list of boards carries Mongolian")
	}
	anyone.page("/honour/board/"+id+"/poster?period=2026-Q2", http.StatusOK, "mn-first", mn("honour.field.deed"), mn("honour.poster.seal"), "事迹", "/fonts/mongolian-")
	if res := anyone.get("/honour/board/" + id + "/poster.pdf?period=2026-Q2"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("poster.pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestPublicNominationPage is the account-free nomination from a board's
// QR link (issue 16): the page needs no account, a post sent at once is
// refused, a good one lands in the committee's queue marked public with
// the phone masked, a filled honeypot and a computed board are refused,
// and the address's limit bites.
func TestPublicNominationPage(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	s := newSite(t, db)
	seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: "152221100000"}, {Role: access.Leader, Region: "152221100000"}}}
	if _, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
		registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: idFor("19700101", 11), Relation: registry.Head, Political: "群众"}); err != nil {
		t.Fatal(err)
	}
	hs := db.Honours(nil)
	nominated, err := hs.CreateBoard(ctx, seed, honour.BoardInput{Region: pingan, Name: "最美平安人", Kind: honour.Nominated, Period: honour.Year, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	computed, err := hs.CreateBoard(ctx, seed, honour.BoardInput{Region: pingan, Name: "孝星榜", Kind: honour.Computed, Period: honour.Year, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	anyone := &site{t: t, db: db, srv: s.srv, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	page := fmt.Sprintf("/honour/board/%d/nominate", nominated.ID)
	anyone.page(fmt.Sprintf("/honour/board/%d", nominated.ID), http.StatusOK, page, "我要提名")
	body := anyone.page(page, http.StatusOK, "不需要注册账号", `name="website"`, "被提名人的户号")
	token := regexp.MustCompile(`name="token" value="([0-9a-f.]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("the form carries no delay token")
	}
	form := url.Values{"token": {token[1]}, "nominator": {"王大妈"}, "phone": {"13800471234"}, "nominee": {"尹志勇"}, "household": {"001"},
		"deed": {"十年如一日照顾瘫痪的婆婆"}, "consent": {"1"}}
	post := func(path string, f url.Values) *http.Response {
		res, err := anyone.client.PostForm(s.srv.URL+path, f)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := post(page, form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(anyone.body(res), "提交太快了") {
		t.Fatalf("posted at once: %d", res.StatusCode)
	}
	now = now.Add(20 * time.Second)
	trap := clone(form)
	trap.Set("website", "http://spam.example")
	if res := post(page, trap); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("honeypot: %d", res.StatusCode)
	}
	if res := post(page, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("public nomination: %d %s", res.StatusCode, anyone.body(res))
	}
	s.user("cunwei", access.Grant{Role: access.Operator, Region: pingan})
	s.page(fmt.Sprintf("/honours/boards/%d?period=2026", nominated.ID), http.StatusOK, "尹志勇", "王大妈", "公众提名（手机页面）", "138****1234", "审议公示中")
	if body := s.page(fmt.Sprintf("/honours/boards/%d?period=2026", nominated.ID), http.StatusOK); strings.Contains(body, "13800471234") {
		t.Fatal("the committee's page shows the nominator's whole phone")
	}
	if res := post(fmt.Sprintf("/honour/board/%d/nominate", computed.ID), form); res.StatusCode != http.StatusConflict {
		t.Fatalf("a computed board: %d", res.StatusCode)
	}
	// The address's budget: the posts above and these count, refused or not.
	var last int
	for i := 0; i < 10; i++ {
		f := clone(form)
		f.Set("phone", fmt.Sprintf("1390047%04d", i))
		f.Set("household", "999")
		last = post(page, f).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("the address's limit did not bite: %d", last)
	}
}
