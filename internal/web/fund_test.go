package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/i18n"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestFundPages runs a drive from the pages: opened with the household's
// consent, a donation entered by one official and refused confirmation by
// them, confirmed by a second, a disbursement beyond the balance refused,
// the rest disbursed, the drive closed, and the public page saying it
// takes no online payment and masking the donor who did not agree to be
// named.
func TestFundPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		if _, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "007", VillageCode: pingan, Address: "二组"},
			registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: idFor("19700101", 11), Relation: registry.Head, Political: "群众"}); err != nil {
			t.Fatal(err)
		}
		s.user("kuaiji", access.Grant{Role: access.Operator, Region: pingan})
		s.page("/funds/new?region="+pingan, http.StatusOK, "慈善法", "合作慈善组织")
		open := url.Values{"region": {pingan}, "number": {"007"}, "title": {"二组大病户互助募捐"}, "reason": {"illness"}, "target": {"50,000"},
			"starts": {"2026-06-01"}, "ends": {"2026-06-30"}, "consent_date": {"2026-05-31"}}
		res := s.post("/funds/new?region="+pingan, clone(open))
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须有受助户的同意记录") {
			t.Fatalf("a drive without consent: %d", res.StatusCode)
		}
		open.Set("consent", "signed")
		s.page("/funds/new?region="+pingan, http.StatusOK, `enctype="multipart/form-data"`, `name="scan"`, "同意书扫描件")
		if res := s.postFiles("/funds/new?region="+pingan, open, "scan", file{"form.gif", []byte("GIF89a not a scan")}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a drive with a bad scan: %d", res.StatusCode)
		}
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		res = s.postFiles("/funds/new?region="+pingan, open, "scan", file{"form.pdf", pdf})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("open: %d %s", res.StatusCode, s.body(res))
		}
		drive := strings.Split(res.Header.Get("Location"), "?")[0]
		link := regexp.MustCompile(`href="(/funds/\d+/scans/\d+)"`).FindStringSubmatch(s.page(drive, http.StatusOK, "查看扫描件 (PDF)"))
		if link == nil {
			t.Fatal("the drive's page has no link to its consent's scan")
		}
		if res := s.get(link[1]); res.StatusCode != http.StatusOK || s.body(res) != string(pdf) || res.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Fatalf("the scan: %d", res.StatusCode)
		}
		if body := newSite(t, db).page("/fund/"+strings.TrimPrefix(drive, "/funds/"), http.StatusOK); strings.Contains(body, "/scans/") {
			t.Error("the public page links the consent's scan")
		}
		if res := s.post(drive+"/donations", url.Values{"key": {"k1"}, "party": {"王秀英"}, "amount": {"１２００"}, "method": {"cash"}, "day": {"2026-06-02"}, "receipt": {"SJ001"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("donation: %d %s", res.StatusCode, s.body(res))
		}
		body := s.page(drive, http.StatusOK, "王秀英", "1200.00", "待复核")
		if strings.Contains(body, `action="`+drive+`/confirm"`) {
			t.Fatal("the page offers the official a confirmation of their own donation")
		}
		donation := regexp.MustCompile(`name="donation" value="(\d+)"`)
		var id string
		s.user("chuna", access.Grant{Role: access.Operator, Region: pingan})
		if m := donation.FindStringSubmatch(s.page(drive, http.StatusOK)); m != nil {
			id = m[1]
		} else {
			t.Fatal("the second official is offered no confirmation")
		}
		if res := s.post(drive+"/confirm", url.Values{"key": {"c1"}, "donation": {id}, "day": {"2026-06-02"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", res.StatusCode, s.body(res))
		}
		res = s.post(drive+"/disbursements", url.Values{"key": {"x1"}, "amount": {"1300"}, "day": {"2026-06-10"}, "evidence": {"回单"}, "party": {"尹志勇签收"}})
		if body := s.body(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "超过善款余额") {
			t.Fatalf("beyond the balance: %d", res.StatusCode)
		}
		if res := s.post(drive+"/disbursements", url.Values{"key": {"x2"}, "amount": {"1200"}, "day": {"2026-06-10"}, "evidence": {"回单"}, "party": {"尹志勇签收"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("disburse: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(drive+"/close", url.Values{"key": {"z1"}, "day": {"2026-06-30"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d %s", res.StatusCode, s.body(res))
		}
		s.page(drive, http.StatusOK, "已结束", "kuaiji / chuna")
		pub := s.page("/fund/"+strings.TrimPrefix(drive, "/funds/"), http.StatusOK, "不收取任何网上支付", "慈善法", "王**", "1200.00", "尹**", "已签收")
		if strings.Contains(pub, "王秀英") || strings.Contains(pub, "尹志勇") {
			t.Fatal("the public page names a donor who did not agree to be named, or the household's head")
		}
		// A 村's drive is posted in Chinese; once the village writes both
		// scripts, its accounts carry the Mongolian first.
		if strings.Contains(pub, `class="mn"`) {
			t.Fatal("a Chinese-only village's drive carries Mongolian")
		}
		admin := &access.Actor{UserID: 1, Username: "admin", Grants: []access.Grant{{Role: access.Leader, Region: "150000000000"}}}
		if err := db.Regions().SetScript(ctx, admin, pingan, region.ScriptBilingual, "", "村民代表会议决定"); err != nil {
			t.Fatal(err)
		}
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		law, _ := cat.Mongol("fund.law")
		closed, _ := cat.Mongol("fund.status.closed")
		s.page("/fund/"+strings.TrimPrefix(drive, "/funds/"), http.StatusOK, law, closed, "慈善法", "王**", "/fonts/mongolian-")
		if res := s.get(drive + "/ledger.xlsx"); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "xlsx") {
			t.Fatalf("export: %d", res.StatusCode)
		}
	})
}
