package web_test

import (
	"context"
	"net/http"
	"net/url"
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
		if res := s.post(board+"/nominate", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("nomination: %d %s", res.StatusCode, s.body(res))
		}
		s.page(board+"?period=2026", http.StatusOK, "尹志勇", "村妇联", "本人签字同意", "审议公示中")
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
