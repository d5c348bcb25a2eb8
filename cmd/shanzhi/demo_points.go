package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
)

// demoNoticeDays is the demo scheme's public notice: one day, so a visitor
// who approves an award sees its notice close the next day.
const demoNoticeDays = 1

// demoHistoryMonths is how far back the demo's finished awards go.
const demoHistoryMonths = 12

// demoHistoryItems are the items the demo's past awards use: items that
// need no photo, so the history needs no uploads, and one deduction.
var demoHistoryItems = []string{"env-03", "pub-04", "law-04", "pub-02", "fil-03", "fil-05", "law-02", "env-03", "pub-04", "law-06"}

// demoCommittee is the village committee of the demo township, who
// decides the demo's awards.
func demoCommittee() *access.Actor {
	return &access.Actor{UserID: 990020, Username: "demo-committee", Grants: []access.Grant{{Role: access.Reviewer, Region: demoTownship}}}
}

// seedPointsHistory adopts the template at the township as it was a year
// ago, with the demo's short notice, and walks a year of awards through
// the real path month by month with the store's clock set to that month:
// recorded by the township's clerk, decided by the committee (some
// rejected), their notice closed by the same finalisation the scheduler
// runs, and so posted to the ledger. Rankings, boards, statements and the
// villager's page then show real figures.
func seedPointsHistory(ctx context.Context, db *sqlstore.DB, rev *sqlstore.ReviewService, official *access.Actor, stdout io.Writer) error {
	clock := db.Now
	defer func() { db.Now = clock }()
	now := clock()
	y, m, _ := now.Date()
	// Eleven months back, so the year fits inside the audit trail's
	// shortest retention and no row of it is purged at the first start.
	first := time.Date(y, m-demoHistoryMonths+1, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Inner Mongolia
	at := first
	db.Now = func() time.Time { return at }
	if _, err := db.Schemes().Create(ctx, official, scheme.FromTemplate, scheme.Scheme{Region: demoTownship, NoticeDays: demoNoticeDays,
		EffectiveFrom: scheme.Today(first)}); err != nil {
		return err
	}
	villages, err := db.Regions().Children(ctx, official, demoTownship)
	if err != nil {
		return err
	}
	var households [][]registry.Household
	for _, v := range villages {
		list, _, err := db.Registry().Households(ctx, official, registry.ListFilter{Region: v.Code, ByNumber: true, Limit: 500})
		if err != nil {
			return err
		}
		households = append(households, list)
	}
	awards, committee := db.Awards(rev), demoCommittee()
	posted := 0
	for k := range demoHistoryMonths {
		at = first.AddDate(0, k, 9+k%7)
		if k == demoHistoryMonths-1 {
			// This month's finished ones were decided three days ago, so
			// the rankings open on the current month with figures in them.
			at = now.Add(-3 * 24 * time.Hour)
		}
		for vi, list := range households {
			every := 10 // 平安村 is the busy one; the others award now and then
			if villages[vi].Code == demoVillage {
				every = 3
			}
			for i, h := range list {
				if (i+k)%every != 0 {
					continue
				}
				item := demoHistoryItems[(i*7+k)%len(demoHistoryItems)]
				if item == "law-06" && i%3 != 0 {
					item = "pub-04" // deductions stay rare
				}
				w, err := awards.Record(ctx, official, points.AwardInput{Key: fmt.Sprintf("demo-history-%d-%d", k, h.ID), Household: h.ID, Item: item,
					Evidence: "村委会检查记录", Witness: "网格员"})
				if err != nil {
					return fmt.Errorf("demo history award %s: %w", item, err)
				}
				d, reason := review.Approve, ""
				if (i+k)%17 == 0 {
					d, reason = review.Reject, "材料不全，请补充后重新申报"
				}
				if _, err := rev.Decide(ctx, committee, w.ReviewID, d, reason); err != nil {
					return err
				}
			}
		}
		at = at.Add((demoNoticeDays*24 + 1) * time.Hour)
		n, err := rev.FinaliseDue(ctx, at)
		if err != nil {
			return err
		}
		posted += n
	}
	fmt.Fprintf(stdout, "loaded demo points history: %d awards posted over %d months\n", posted, demoHistoryMonths)
	return nil
}
