package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestStatementPrint: the printed statement holds every entry of the
// chosen period (not the newest 50) from its opening balance, with the
// village, township, signature lines and page numbers; its PDF is the same
// document; the workbook does not stop at 500 entries; a bad date is
// refused in Chinese and a user of another village sees nothing.
func TestStatementPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "008", VillageCode: pingan},
			registry.ResidentInput{Name: "王桂芝", Ethnicity: "蒙古族", Gender: registry.Female, BirthDate: "1960-02-03", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC) }
		if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: "old", Household: h.ID, Kind: points.Award, Points: 40, Item: "上月加分"}); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) }
		const n = 510
		for i := 1; i <= n; i++ {
			if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: fmt.Sprint("e", i), Household: h.ID, Kind: points.Award, Points: 1, Item: fmt.Sprintf("义务劳动第%d次", i)}); err != nil {
				t.Fatal(err)
			}
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		base := fmt.Sprintf("/households/%d/points", h.ID)
		body := s.page(base+"/print?from=2026-03-01&to=2026-03-31", http.StatusOK, "积分明细账", "期初余额", ">40<", "义务劳动第1次", fmt.Sprintf("义务劳动第%d次", n),
			">550<", "经办人", "审核人", "平安村", "科尔沁镇", "008", "document.css", "points.pdf?from=2026-03-01")
		if strings.Contains(body, "上月加分") {
			t.Error("an entry before the period is printed")
		}
		res := s.get(base + ".pdf?from=2026-03-01&to=2026-03-31")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(raw), "%PDF-") {
			t.Fatalf("statement PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if text := pdfText(t, raw); text != "" && (!strings.Contains(text, fmt.Sprintf("义务劳动第%d次", n)) || !strings.Contains(text, "期初余额")) {
			t.Errorf("PDF lacks the last entry or the opening balance")
		}
		res = s.get(base + ".xlsx")
		raw, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !sheetHas(t, raw, fmt.Sprintf("义务劳动第%d次", n)) || !sheetHas(t, raw, "上月加分") {
			t.Fatalf("statement export stops before its last entry: %d", res.StatusCode)
		}
		s.page(base+"/print?from=2026-13-01", http.StatusUnprocessableEntity, "2026-13-01")
		s.page(base+"/print?from=2026-03-31&to=2026-03-01", http.StatusUnprocessableEntity, "截止日期早于开始日期")
		s.user("other", access.Grant{Role: access.Operator, Region: "152221103212"})
		for _, p := range []string{base + "/print", base + ".pdf"} {
			if b := s.page(p, http.StatusNotFound); strings.Contains(b, "王桂芝") {
				t.Errorf("%s leaks the head's name", p)
			}
		}
	})
}
