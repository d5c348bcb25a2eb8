package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestPrivilegeAndCreditPages defines a township privilege and grants it
// from the household's page onto its statement; the head consents on the
// phone page, the leader's export is refused before it and after the
// revocation and accepted between, and the household sees the export.
func TestPrivilegeAndCreditPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const keerqin = "152221100000"
		s := newSite(t, db)
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
			registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: idFor("19700101", 11), Relation: registry.Head, Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: "base", Household: h.ID, Kind: points.Base, Points: 80}); err != nil {
			t.Fatal(err)
		}
		hh := "/households/" + strconv.FormatInt(h.ID, 10)
		s.user("zhen", access.Grant{Role: access.Operator, Region: keerqin})
		if res := s.post("/privileges/new?region="+keerqin, url.Values{"name": {"免费健康体检"}, "threshold": {"50"}, "valid_days": {"365"}, "limit": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("privilege: %d %s", res.StatusCode, s.body(res))
		}
		s.page("/privileges?region="+pingan, http.StatusOK, "免费健康体检", "50")
		body := s.page(hh+"/privileges", http.StatusOK, "免费健康体检", "符合")
		id := regexp.MustCompile(`name="privilege" value="(\d+)"`).FindStringSubmatch(body)
		if id == nil {
			t.Fatal("no grant button")
		}
		if res := s.post(hh+"/privileges", url.Values{"privilege": {id[1]}, "note": {"旗医院"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("grant: %d %s", res.StatusCode, s.body(res))
		}
		if res := s.post(hh+"/privileges", url.Values{"privilege": {id[1]}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(s.body(res), "达到上限") {
			t.Fatalf("a second grant in the year: %d", res.StatusCode)
		}
		s.page(hh+"/points", http.StatusOK, "已兑现的权益", "免费健康体检", "旗医院")

		s.user("huzhu", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		s.page(hh+"/credit", http.StatusOK, "我授权导出本户积分信用摘要", "尚未授权")
		s.user("zhenzhang", access.Grant{Role: access.Leader, Region: keerqin})
		if res := s.get(hh + "/credit.xlsx"); res.StatusCode != http.StatusConflict || !strings.Contains(s.body(res), "没有有效的积分贷授权") {
			t.Fatalf("export without consent: %d", res.StatusCode)
		}
		s.user("huzhu2", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		if res := s.post(hh+"/credit/consent", url.Values{"method": {"phone"}, "purpose": {"申请道德积分贷"}, "recipient": {"科右前旗农商银行"}, "retention_days": {"365"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("consent: %d %s", res.StatusCode, s.body(res))
		}
		s.user("zhenzhang2", access.Grant{Role: access.Leader, Region: keerqin})
		res := s.get(hh + "/credit.csv")
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "村内名次") || !strings.Contains(body, "科右前旗农商银行") {
			t.Fatalf("export: %d %s", res.StatusCode, body)
		}
		s.user("huzhu3", access.Grant{Role: access.Villager, Region: pingan, Household: h.ID})
		body = s.page(hh+"/credit", http.StatusOK, "zhenzhang2", "csv", "有效")
		consent := regexp.MustCompile(`name="consent" value="(\d+)"`).FindStringSubmatch(body)
		if consent == nil {
			t.Fatal("no revoke button")
		}
		if res := s.post(hh+"/credit/revoke", url.Values{"consent": {consent[1]}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", res.StatusCode, s.body(res))
		}
		s.user("zhenzhang3", access.Grant{Role: access.Leader, Region: keerqin})
		if res := s.get(hh + "/credit.xlsx"); res.StatusCode != http.StatusConflict {
			t.Fatalf("export after revocation: %d", res.StatusCode)
		}
	})
}

// TestCreditConsentScanPage records a paper consent with its scanned
// form on the household's consent page and opens the scan from it; a
// scan that is neither an image nor a PDF records nothing.
func TestCreditConsentScanPage(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	s := newSite(t, db)
	seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: "152221100000"}}}
	h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan, Address: "一组"},
		registry.ResidentInput{Name: "尹志勇", Ethnicity: "汉族", IDNumber: idFor("19700101", 11), Relation: registry.Head, Political: "群众"})
	if err != nil {
		t.Fatal(err)
	}
	hh := "/households/" + strconv.FormatInt(h.ID, 10)
	s.user("cunwei", access.Grant{Role: access.Operator, Region: pingan})
	s.page(hh+"/credit", http.StatusOK, `enctype="multipart/form-data"`, `name="scan"`, "同意书扫描件")
	send := func(scan []byte) *http.Response {
		return s.postFiles(hh+"/credit/consent", url.Values{"method": {"paper"}, "purpose": {"申请道德积分贷"}, "recipient": {"科右前旗农商银行"}, "retention_days": {"365"}, "reference": {"信-001"}},
			"scan", file{"form.pdf", scan})
	}
	if res := send([]byte("not a scan")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad scan: %d", res.StatusCode)
	}
	if body := s.page(hh+"/credit", http.StatusOK); strings.Contains(body, "信-001") {
		t.Fatal("a refused scan recorded its consent")
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	if res := send(pdf); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("paper consent with its scan: %d %s", res.StatusCode, s.body(res))
	}
	body := s.page(hh+"/credit", http.StatusOK, "信-001", "查看扫描件 (PDF)")
	link := regexp.MustCompile(`href="(/households/\d+/credit/scans/\d+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no link to the scan")
	}
	res := s.get(link[1])
	if got := s.body(res); res.StatusCode != http.StatusOK || got != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("the scan: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), got)
	}
}
