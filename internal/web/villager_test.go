package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sheet"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// signInAs gives s a fresh browser signed in as login, which must already
// have changed its one-time password to "Second-Pass-2".
func (s *site) signInAs(login string) {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	s.client.Jar = jar
	res := s.post("/login", url.Values{"username": {login}, "password": {"Second-Pass-2"}, "next": {"/"}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login %s: %d", login, res.StatusCode)
	}
	s.csrf = csrfOf(s.t, s.body(s.get("/password")))
}

func TestVillagerRevealCardAndFullExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		headID := idFor("19650312", 11)
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
			registry.ResidentInput{Name: "王建国", Ethnicity: "汉族", IDNumber: headID, Phone: "13800001111", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})

		// The village clerk opens a villager account for the household.
		res := s.post(fmt.Sprintf("/households/%d/villager", h.ID), url.Values{"phone": {"139 0000 2222"}})
		body := s.body(res)
		m := regexp.MustCompile(`一次性密码[^：]*：(\S+?)<`).FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("villager account: %d\n%s", res.StatusCode, body)
		}
		jar, _ := cookiejar.New(nil)
		s.client.Jar = jar
		s.csrf = ""
		if res := s.post("/login", url.Values{"username": {"13900002222"}, "password": {m[1]}, "next": {"/"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("villager login by mobile: %d", res.StatusCode)
		}
		s.csrf = csrfOf(t, s.body(s.get("/password")))
		s.post("/password", url.Values{"old": {m[1]}, "new": {"Second-Pass-2"}, "again": {"Second-Pass-2"}})
		s.signInAs("13900002222")
		s.page("/", http.StatusSeeOther)
		body = s.page("/my", http.StatusOK, "王建国", "1522**********")
		if strings.Contains(body, headID) || strings.Contains(body, "13800001111") {
			t.Fatal("the villager's page shows a full ID number or phone")
		}
		s.page(fmt.Sprintf("/households/%d", h.ID), http.StatusNotFound)
		s.page("/households", http.StatusForbidden)

		// Reveal: the clerk gives a reason and sees the full values; the
		// audit trail has it.
		s.signInAs("clerk")
		s.page(fmt.Sprintf("/residents/%d/reveal", h.HeadID), http.StatusOK, "原因")
		res = s.post(fmt.Sprintf("/residents/%d/reveal", h.HeadID), url.Values{"reason": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("reveal without a reason: %d", res.StatusCode)
		}
		res = s.post(fmt.Sprintf("/residents/%d/reveal", h.HeadID), url.Values{"reason": {"低保核对"}})
		if body := s.body(res); !strings.Contains(body, headID) || !strings.Contains(body, "13800001111") {
			t.Fatalf("reveal: %d\n%s", res.StatusCode, body)
		}
		auditor := &access.Actor{Grants: []access.Grant{{Role: access.AuditAdmin, Region: "150000000000"}}}
		s.auditHas(auditor, "personal.reveal", "低保核对")

		// The household card: a QR code on a page, and the token opens a
		// masked, read-only view without signing in.
		s.page(fmt.Sprintf("/households/%d/card", h.ID), http.StatusOK, "data:image/png;base64,")
		anon := &http.Client{}
		token, err := db.Registry().CardToken(ctx, seed, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A child of the household is on no public page, the card's
		// included.
		if _, err := db.Registry().AddResident(ctx, seed, h.ID, registry.ResidentInput{Name: "王小宝", Ethnicity: "汉族", IDNumber: idFor("20150601", 12),
			Relation: "子", Political: "群众"}, "出生"); err != nil {
			t.Fatal(err)
		}
		res, _ = anon.Get(s.srv.URL + "/card/" + token)
		if body := s.body(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "王建国") || strings.Contains(body, "1522**") || strings.Contains(body, "王小宝") {
			t.Fatalf("card view: %d\n%s", res.StatusCode, body)
		}
		if res, _ := anon.Get(s.srv.URL + "/card/AAAAAAAAAAAAAAAAAAAAAA"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a forged card token: %d", res.StatusCode)
		}

		// A full export needs the permission and a reason.
		res = s.post("/export/residents.xlsx?region="+pingan, url.Values{"reason": {"上报"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("full export by a clerk without the right: %d", res.StatusCode)
		}
		s.user("leader", access.Grant{Role: access.Leader, Region: pingan})
		res = s.post("/export/residents.xlsx?region="+pingan, url.Values{"reason": {"民政局核查"}})
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("full export: %d %s", res.StatusCode, raw)
		}
		if !sheetHas(t, raw, headID) {
			t.Fatal("the full export lacks the full ID number")
		}
		if !sheetHas(t, raw, "关系代码") || !sheetHas(t, raw, "02") {
			t.Fatal("the export lacks the head's GB/T 4761 relation code")
		}
		res = s.get("/export/residents.xlsx?region=" + pingan)
		raw, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if sheetHas(t, raw, headID) || !sheetHas(t, raw, registry.MaskID(headID)) {
			t.Fatal("the default export is not masked")
		}
		s.auditHas(auditor, "registry.export_full", "民政局核查")
	})
}

func sheetHas(t *testing.T, xlsx []byte, want string) bool {
	t.Helper()
	r, err := sheet.Open("x.xlsx", bytes.NewReader(xlsx), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		row, err := r.Next()
		if err != nil {
			return false
		}
		for _, c := range row.Cells {
			if c == want {
				return true
			}
		}
	}
}

func (s *site) auditHas(auditor *access.Actor, action, detail string) {
	s.t.Helper()
	entries, _, err := s.db.Audit().Entries(context.Background(), auditor, audit.Filter{Action: action, Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Detail, detail) {
			return
		}
	}
	s.t.Fatalf("no %s audit entry with %q", action, detail)
}

func TestStatementPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "007", VillageCode: pingan},
			registry.ResidentInput{Name: "李秀兰", Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1967-08-20", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range []points.Posting{{Kind: points.Award, Points: 20, Item: "庭院整洁"}, {Kind: points.Spend, Points: 5, Item: "肥皂"}} {
			p.Key, p.Household = fmt.Sprint("s", i), h.ID
			if _, err := db.Ledger().Post(ctx, seed, p); err != nil {
				t.Fatal(err)
			}
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		s.page(fmt.Sprintf("/households/%d", h.ID), http.StatusOK, ">15<")
		s.page(fmt.Sprintf("/households/%d/points", h.ID), http.StatusOK, "庭院整洁", "+20", "-5", "兑换", "积分流水")
		s.page(fmt.Sprintf("/households/%d/points", h.ID+1000), http.StatusNotFound)
		res := s.get(fmt.Sprintf("/households/%d/points.xlsx", h.ID))
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !sheetHas(t, raw, "庭院整洁") {
			t.Fatalf("statement export: %d", res.StatusCode)
		}
	})
}
