package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAPIStatementPrint: the period's entries with the opening and closing
// balance as data, and the printed statement as the page's PDF; a user of
// another village gets neither.
func TestAPIStatementPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "009", VillageCode: pingan},
			registry.ResidentInput{Name: "白音", Ethnicity: "蒙古族", Gender: registry.Male, BirthDate: "1971-03-04", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 70; i++ {
			if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: fmt.Sprint("p", i), Household: h.ID, Kind: points.Award, Points: 2, Item: fmt.Sprintf("第%d项", i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, login := setup(t, db)
		clerk := login("clerk", access.Grant{Role: access.Operator, Region: pingan})
		code, body := clerk.do("GET", fmt.Sprintf("/api/v1/households/%d/statement/period?from=2020-01-01&to=2099-12-31", h.ID), "")
		if code != 200 || body["opening"].(float64) != 0 || body["closing"].(float64) != 140 || len(body["items"].([]any)) != 70 {
			t.Fatalf("period: %d opening %v closing %v", code, body["opening"], body["closing"])
		}
		if code, body := clerk.do("GET", fmt.Sprintf("/api/v1/households/%d/statement/period?from=2020-02-30", h.ID), ""); code != 422 || body["details"] == nil {
			t.Fatalf("bad date: %d %v", code, body)
		}
		res, pdf := clerk.raw("GET", fmt.Sprintf("/api/v1/households/%d/statement.pdf?from=2020-01-01&to=2099-12-31", h.ID), "", nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("statement PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		res, pdf = clerk.raw("GET", "/api/v1/regions/"+pingan+"/notice.pdf?phone=0482-8123456", "", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("notice PDF: %d", res.StatusCode)
		}
		if code, body := clerk.do("GET", "/api/v1/regions/"+pingan+"/notice.pdf?phone=x", ""); code != 422 {
			t.Fatalf("notice PDF with a bad phone: %d %v", code, body)
		}
		if res, pdf := clerk.raw("GET", "/api/v1/regions/"+pingan+"/register.pdf", "", nil); res.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("register PDF: %d", res.StatusCode)
		}
		stranger := login("stranger", access.Grant{Role: access.Operator, Region: other})
		for _, p := range []string{fmt.Sprintf("/api/v1/households/%d/statement/period", h.ID), fmt.Sprintf("/api/v1/households/%d/statement.pdf", h.ID), "/api/v1/regions/" + pingan + "/notice.pdf", "/api/v1/regions/" + pingan + "/register.pdf"} {
			if res, _ := stranger.raw("GET", p, "", nil); res.StatusCode != 404 && res.StatusCode != 403 {
				t.Fatalf("stranger read %s: %d", p, res.StatusCode)
			}
		}
	})
}
