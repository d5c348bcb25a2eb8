package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestTalentBulk decides, scores and sets quotas in batches: a scoring
// sheet with one bad row keeps nothing and says which row; a township
// with room for two that ticks three approves none and names the third;
// two go up together; a quota sheet with one bad row sets none.
func TestTalentBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		var ids []int64
		for i, name := range []string{"赵一", "钱二", "孙三"} {
			c := w.submitted(t, tlOp, w.application(pingan, name, 30+i, 10))
			w.pass(t, c.ID, tlVillage, 80, "")
			ids = append(ids, c.ID)
		}
		// Quotas from one sheet: a bad row (a village quota's region
		// outside the round) refuses the whole sheet.
		rows := []talent.QuotaRow{{Line: 2, Quota: talent.Quota{Region: keerqin, Kind: talent.QuotaPass, N: 2}},
			{Line: 3, Quota: talent.Quota{Region: "150100000000", Kind: talent.QuotaPass, N: 1}}}
		err := w.svc.SetQuotas(ctx, tlLeague, w.round.ID, rows)
		if !fault.Is(err, fault.Invalid) || rows[0].Err != nil || rows[1].Err == nil {
			t.Fatalf("a quota sheet with a bad row: %v %v %v", err, rows[0].Err, rows[1].Err)
		}
		if r, _ := w.svc.Round(ctx, tlLeague, w.round.ID); len(r.Quotas) != 0 {
			t.Fatalf("a refused sheet set %v", r.Quotas)
		}
		if err := w.svc.SetQuotas(ctx, tlLeague, w.round.ID, rows[:1]); err != nil {
			t.Fatal(err)
		}

		// A scoring sheet: the third row names someone else, so nothing
		// is kept; corrected, all three are scored.
		sheet := []talent.ScoreRow{{Line: 2, Candidate: ids[0], Name: "赵一", Points: []int{16, 16, 16, 16, 16}},
			{Line: 3, Candidate: ids[1], Name: "钱二", Points: []int{15, 15, 15, 15, 15}},
			{Line: 4, Candidate: ids[2], Name: "钱二", Points: []int{14, 14, 14, 14, 14}}}
		if err := w.svc.ScoreMany(ctx, tlTown1, sheet, true); !fault.Is(err, fault.Invalid) || sheet[2].Err == nil || sheet[0].Err != nil {
			t.Fatalf("a sheet with a wrong name: %v %v", err, sheet[2].Err)
		}
		if c, _ := w.svc.Candidate(ctx, tlLeague, ids[0]); len(c.Levels[1].Scores) != 0 {
			t.Fatal("a refused sheet kept scores")
		}
		sheet[2].Name = "孙三"
		if err := w.svc.ScoreMany(ctx, tlTown1, sheet, false); err != nil {
			t.Fatal(err)
		}
		if c, _ := w.svc.Candidate(ctx, tlLeague, ids[0]); len(c.Levels[1].Scores) != 0 {
			t.Fatal("a check kept scores")
		}
		if err := w.svc.ScoreMany(ctx, tlTown1, sheet, true); err != nil {
			t.Fatal(err)
		}

		// Three ticked, room for two: none goes up, and the refusal
		// names the third.
		_, err = w.svc.DecideMany(ctx, tlTown1, ids, talent.Decision{Decision: review.Approve})
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.Conflict || len(fe.Msg.Args) == 0 || !strings.Contains(fe.Msg.Args[0].(string), "孙三") {
			t.Fatalf("over quota: %v", err)
		}
		for _, id := range ids {
			if c, _ := w.svc.Candidate(ctx, tlLeague, id); c.Step != 1 {
				t.Fatalf("%s moved on in a refused batch", c.Name)
			}
		}
		got, err := w.svc.DecideMany(ctx, tlTown1, ids[:2], talent.Decision{Decision: review.Approve})
		if err != nil || len(got) != 2 || got[0].Step != 2 || got[1].Step != 2 {
			t.Fatalf("two within quota: %v %+v", err, got)
		}
		// Return the third with one reason.
		got, err = w.svc.DecideMany(ctx, tlTown1, ids[2:], talent.Decision{Decision: review.Return, Reason: "补充营业执照"})
		if err != nil || got[0].Status != talent.Returned {
			t.Fatalf("return: %v %+v", err, got)
		}
		// A reviewer of another township sees none of them.
		if _, err := w.svc.DecideMany(ctx, tlOutsider, ids[:1], talent.Decision{Decision: review.Approve}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("outsider: %v", err)
		}
	})
}
