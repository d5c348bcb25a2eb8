package storetest

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
)

// AwardHousehold gives an award test a household of village, headed by
// head, under the default scheme adopted at the village's township (once
// per township: a second call finds it there).
func AwardHousehold(tb testing.TB, db *sqlstore.DB, village, number, head string) *registry.Household {
	tb.Helper()
	ctx := context.Background()
	town := village[:9] + "000"
	lead := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: town}, {Role: access.Operator, Region: town}}}
	if _, err := db.Schemes().Create(ctx, lead, scheme.FromTemplate, scheme.Scheme{Region: town}); err != nil && !fault.Is(err, fault.Conflict) {
		tb.Fatal(err)
	}
	h, err := db.Registry().CreateHousehold(ctx, lead, registry.HouseholdInput{Number: number, VillageCode: village},
		registry.ResidentInput{Name: head, Ethnicity: "汉族", Gender: registry.Female, BirthDate: "1970-02-02", Political: "群众"})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// AwardFlows is the review flows an award service runs under.
func AwardFlows(tb testing.TB) review.Flows {
	tb.Helper()
	flows, err := review.NewFlows(points.Flow(), points.AppealReviewFlow())
	if err != nil {
		tb.Fatal(err)
	}
	return flows
}
