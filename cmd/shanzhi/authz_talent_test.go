package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/photo"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/talent"
)

// azTalents are the programme's objects of the authorisation test: a round
// of the own banner and one of another banner, and in the own and the
// sibling village an application that went all the way to a leader, each
// with a licence attached.
type azTalents struct{ round1, round2, cand1, cand2, leader1, leader2, file1, file2 int64 }

// azTalent builds them through the real service, every level decided by
// an official of that level, and the notice closed by the scheduler's
// call. The sibling's applicant carries the sibling's marker name, so a
// refused response that leaks it is caught.
func azTalent(t *testing.T, db *sqlstore.DB) azTalents {
	t.Helper()
	ctx := context.Background()
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	svc := db.Talent(rev)
	sys := &access.Actor{UserID: 9000, Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: province}, {Role: access.Leader, Region: province}}}
	var out azTalents
	for _, c := range []struct {
		banner string
		out    *int64
	}{{azB, &out.round1}, {"152222000000", &out.round2}} {
		r, err := svc.CreateRound(ctx, sys, talent.Round{Region: c.banner, Name: "晓景计划", StartYear: 2026, Years: 3, Trajectory: []int{40, 70, 100},
			Opens: "2026-01-01", Closes: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		*c.out = r.ID
	}
	for i, c := range []struct {
		village, name      string
		cand, leader, file *int64
	}{{azV, "本村能人", &out.cand1, &out.leader1, &out.file1}, {azV2, "外村户主", &out.cand2, &out.leader2, &out.file2}} {
		in := talent.CandidateInput{Round: out.round1, Village: c.village, Channel: talent.FromLocals, Name: c.name, Gender: "男", BirthDate: "1980-01-01",
			Ethnicity: "汉族", Political: "群众", IDNumber: azID("19800101", 41+i), Phone: "13812340000", EntityType: talent.Farm, EntityName: c.name + "家庭农场",
			CreditCode: creditcode.Complete(fmt.Sprintf("92152221MA0N%05d", i)), Industry: "杂粮", Summary: "种植杂粮"}
		cand, err := svc.Save(ctx, sys, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.Attach(ctx, sys, cand.ID, talent.LicenceAttachment, false, photo.Swatch(byte(i)))
		if err != nil {
			t.Fatal(err)
		}
		*c.file = f.ID
		if _, err := svc.Submit(ctx, sys, cand.ID); err != nil {
			t.Fatal(err)
		}
		for step, l := range talent.Levels {
			at := talent.Ancestor(c.village, l)
			official := &access.Actor{UserID: int64(9100 + 10*i + step), Username: fmt.Sprint("level-", step), Grants: []access.Grant{{Role: access.Leader, Region: at}}}
			if err := svc.Score(ctx, official, cand.ID, []int{15, 15, 15, 15, 15}, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Decide(ctx, official, cand.ID, talent.Decision{Decision: review.Approve, Tier: talent.TierVillage}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := rev.FinaliseDue(ctx, db.Now().Add(10*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		done, err := svc.Candidate(ctx, sys, cand.ID)
		if err != nil || done.LeaderID == 0 {
			t.Fatalf("application %d did not make a leader: %+v %v", cand.ID, done, err)
		}
		*c.cand, *c.leader = cand.ID, done.LeaderID
	}
	return out
}
