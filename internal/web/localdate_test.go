package web_test

import (
	"context"
	"fmt"
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

// TestStatementDateAt2330UTC posts an entry at 23:30 UTC on 30 June: in
// Inner Mongolia it is 07:30 on 1 July, and the statement says so, and
// the rankings page's default period is July.
func TestStatementDateAt2330UTC(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		at := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return at }
		seed := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
		h, err := db.Registry().CreateHousehold(ctx, seed, registry.HouseholdInput{Number: "001", VillageCode: pingan},
			registry.ResidentInput{Name: "乌云", Ethnicity: "蒙古族", Gender: registry.Female, BirthDate: "1980-01-01", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ledger().Post(ctx, seed, points.Posting{Key: "base", Household: h.ID, Kind: points.Base, Points: 100, Item: "基础分"}); err != nil {
			t.Fatal(err)
		}
		s := newSite(t, db)
		s.user("clerk", access.Grant{Role: access.Operator, Region: pingan})
		body := s.page(fmt.Sprintf("/households/%d/points", h.ID), http.StatusOK, "2026-07-01 07:30")
		if strings.Contains(body, "2026-06-30") {
			t.Error("the statement dates the entry by UTC")
		}
		s.page("/rankings?region="+pingan, http.StatusOK, "2026-07")
	})
}
