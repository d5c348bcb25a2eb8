package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestTalentAPI reads applications and coverage and reviews through the
// API: a malformed body is refused before anything else, a reviewer of
// the wrong level is refused, the right one moves the application on,
// and a region above the caller's is refused rather than answered empty.
func TestTalentAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		_, login := setup(t, db)
		sys := &access.Actor{UserID: 7000, Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: "150000000000"}, {Role: access.Operator, Region: "150000000000"}}}
		flows, err := review.NewFlows(talent.ReviewFlow())
		if err != nil {
			t.Fatal(err)
		}
		svc := db.Talent(db.Review(flows, map[string]sqlstore.ReviewApplier{talent.Flow: db.TalentApplier()}))
		round, err := svc.CreateRound(ctx, sys, talent.Round{Region: "152200000000", Name: "晓景计划", StartYear: 2026, Years: 3, Trajectory: []int{40, 70, 100},
			Opens: "2026-01-01", Closes: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		first := "15222119800101077"
		c, err := svc.Save(ctx, sys, 0, talent.CandidateInput{Round: round.ID, Village: pingan, Channel: talent.FromLocals, Name: "王晓景", Gender: "男",
			BirthDate: "1980-01-01", Ethnicity: "汉族", Political: "群众", IDNumber: first + string(registry.CheckChar(first)), Phone: "13912345678",
			EntityType: talent.OtherType, EntityName: "晓景种植", Industry: "杂粮", Summary: "种植杂粮"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Submit(ctx, sys, c.ID); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/talent/candidates/%d", c.ID)

		town := login("town", access.Grant{Role: access.Reviewer, Region: keerqin})
		if code, body := town.do("GET", "/api/v1/talent/candidates", ""); code != 200 || body["total"].(float64) != 1 {
			t.Fatalf("list: %d %v", code, body)
		}
		if res, pdf := town.raw("GET", path+"/review.pdf", "", nil); res.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("review form PDF: %d", res.StatusCode)
		}
		if code, _ := town.do("GET", "/api/v1/talent/candidates?region=152221000000", ""); code != 404 {
			t.Fatalf("the banner's list to a township reviewer: %d", code)
		}
		if code, body := town.do("POST", path+"/scores", `{"points":[1,2]}`); code != 422 || body["code"] != "invalid" {
			t.Fatalf("two scores of five: %d %v", code, body)
		}
		if code, body := town.do("POST", path+"/scores", `{"points":[18,18,18,18,18]}`); code != 403 {
			t.Fatalf("township scoring at the village step: %d %v", code, body)
		}
		village := login("village", access.Grant{Role: access.Reviewer, Region: pingan})
		if code, body := village.do("POST", path+"/scores", `{"points":[18,17,16,19,15],"comment":"好"}`); code != 200 {
			t.Fatalf("score: %d %v", code, body)
		}
		code, body := village.do("POST", path+"/decision", `{"decision":"approve"}`)
		if code != 200 || body["step"].(float64) != 1 {
			t.Fatalf("decision: %d %v", code, body)
		}
		if code, body := town.do("GET", "/api/v1/talent/coverage?region="+keerqin, ""); code != 200 || body["total"].(map[string]any)["covered"].(float64) != 0 {
			t.Fatalf("coverage: %d %v", code, body)
		}
		if code, body := town.do("GET", path, ""); code != 200 || body["id_number_masked"] == "" || body["phone_masked"] == "13912345678" {
			t.Fatalf("application: %d %v", code, body)
		}
	})
}
