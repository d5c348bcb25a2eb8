package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/regiondata"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// The programme's actors: one per level of the chain of 平安村, and a
// reviewer of the sibling township 大石寨镇.
var (
	tlOp       = &access.Actor{UserID: 201, Username: "op", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}
	tlVillage  = &access.Actor{UserID: 202, Username: "village", Grants: []access.Grant{{Role: access.Reviewer, Region: pingan}}}
	tlTown1    = &access.Actor{UserID: 203, Username: "town1", Grants: []access.Grant{{Role: access.Reviewer, Region: keerqin}}}
	tlTown2    = &access.Actor{UserID: 204, Username: "town2", Grants: []access.Grant{{Role: access.Reviewer, Region: keerqin}}}
	tlBanner   = &access.Actor{UserID: 205, Username: "banner", Grants: []access.Grant{{Role: access.Leader, Region: qianqi}}}
	tlLeague   = &access.Actor{UserID: 206, Username: "league", Grants: []access.Grant{{Role: access.Leader, Region: xingan}}}
	tlOutsider = &access.Actor{UserID: 207, Username: "dashizhai", Grants: []access.Grant{{Role: access.Reviewer, Region: daShiZai}}}
	tlOp2      = &access.Actor{UserID: 208, Username: "op2", Grants: []access.Grant{{Role: access.Operator, Region: keerqin}}}
)

// yuanfeng is another village of 科尔沁镇.
const yuanfeng = "152221100201"

type talentWorld struct {
	db    *sqlstore.DB
	rev   *sqlstore.ReviewService
	svc   *sqlstore.TalentService
	round *talent.Round
}

func newTalentWorld(t *testing.T, db *sqlstore.DB) *talentWorld {
	t.Helper()
	flows, err := review.NewFlows(talent.ReviewFlow())
	if err != nil {
		t.Fatal(err)
	}
	rev := db.Review(flows, map[string]sqlstore.ReviewApplier{talent.Flow: db.TalentApplier()})
	w := &talentWorld{db: db, rev: rev, svc: db.Talent(rev)}
	w.round, err = w.svc.CreateRound(context.Background(), tlLeague, talent.Round{Region: xingan, Name: "2026年晓景计划", StartYear: 2026, Years: 3,
		Trajectory: []int{40, 70, 100}, Opens: "2026-05-01", Closes: "2026-06-30"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func tlID(seq int) string {
	first := fmt.Sprintf("15222119800101%03d", seq)
	return first + string(registry.CheckChar(first))
}

func (w *talentWorld) application(village, name string, seq, households int) talent.CandidateInput {
	return talent.CandidateInput{Round: w.round.ID, Village: village, Channel: talent.FromLocals, Name: name, Gender: "男", BirthDate: "1980-01-01",
		Ethnicity: "蒙古族", Political: "中共党员", Education: "高中", IDNumber: tlID(seq), Phone: "13912345678", EntityType: talent.Coop,
		EntityName: name + "种养殖合作社", CreditCode: creditcode.Complete(fmt.Sprintf("93152221MA0N%05d", seq)), Industry: "肉牛养殖",
		Revenue: 1200000, Employees: 12, Households: households, IncomeRise: 3000, Summary: "带动农户发展肉牛养殖"}
}

// submitted enters and submits an application as op.
func (w *talentWorld) submitted(t *testing.T, op *access.Actor, in talent.CandidateInput) *talent.Candidate {
	t.Helper()
	ctx := context.Background()
	c, err := w.svc.Save(ctx, op, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = w.svc.Submit(ctx, op, c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// pass scores and recommends an application at its current level.
func (w *talentWorld) pass(t *testing.T, id int64, by *access.Actor, total int, tier talent.Tier) {
	t.Helper()
	ctx := context.Background()
	pts := []int{total / 5, total / 5, total / 5, total / 5, total - 4*(total/5)}
	if err := w.svc.Score(ctx, by, id, pts, "材料齐全"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Decide(ctx, by, id, talent.Decision{Decision: review.Approve, Tier: tier}); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, what string, err error, code fault.Code) {
	t.Helper()
	if fault.CodeOf(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func TestTalentChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)

		// A draft saves half done; submission checks completeness.
		d, err := w.svc.Save(ctx, tlOp, 0, talent.CandidateInput{Round: w.round.ID, Village: pingan, Name: "王晓景"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Submit(ctx, tlOp, d.ID)
		wantCode(t, "incomplete submission", err, fault.Invalid)
		_, err = w.svc.Save(ctx, tlOp, 0, talent.CandidateInput{Round: w.round.ID, Village: yuanfeng, Name: "外村"})
		wantCode(t, "a village clerk entering for another village", err, fault.NotFound)
		in := w.application(pingan, "王晓景", 1, 30)
		in.CreditCode = "91350100M000100Y44"
		_, err = w.svc.Save(ctx, tlOp, d.ID, in)
		wantCode(t, "a wrong credit code", err, fault.Invalid)
		in = w.application(pingan, "王晓景", 1, 30)
		if _, err := w.svc.Save(ctx, tlOp, d.ID, in); err != nil {
			t.Fatal(err)
		}
		c, err := w.svc.Submit(ctx, tlOp, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != talent.InReview || c.Step != 0 || c.IDMasked == "" || c.IDMasked == in.IDNumber {
			t.Fatalf("submitted: %+v", c)
		}
		_, err = w.svc.Save(ctx, tlOp, c.ID, in)
		wantCode(t, "editing in review", err, fault.Conflict)

		// Nobody skips a level: the township and the league cannot act at
		// the village's step, and the sibling township sees nothing.
		err = w.svc.Score(ctx, tlTown1, c.ID, []int{10, 10, 10, 10, 10}, "")
		wantCode(t, "township scoring at the village step", err, fault.Forbidden)
		_, err = w.svc.Decide(ctx, tlLeague, c.ID, talent.Decision{Decision: review.Approve, Tier: talent.TierLeague})
		wantCode(t, "league deciding at the village step", err, fault.Forbidden)
		err = w.svc.Score(ctx, tlOutsider, c.ID, []int{10, 10, 10, 10, 10}, "")
		wantCode(t, "a reviewer of another township", err, fault.NotFound)
		_, err = w.svc.Decide(ctx, tlVillage, c.ID, talent.Decision{Decision: review.Approve})
		wantCode(t, "recommending unscored", err, fault.Conflict)
		err = w.svc.Score(ctx, tlVillage, c.ID, []int{10, 10, 10, 10, 21}, "")
		wantCode(t, "a score above the criterion's top", err, fault.Invalid)
		err = w.svc.Score(ctx, tlOp, c.ID, []int{10, 10, 10, 10, 10}, "")
		wantCode(t, "a clerk scoring", err, fault.Forbidden)
		w.pass(t, c.ID, tlVillage, 90, "")
		err = w.svc.Score(ctx, tlVillage, c.ID, []int{10, 10, 10, 10, 10}, "")
		wantCode(t, "scoring a level already passed", err, fault.Forbidden)

		// The township returns it; the village edits and resubmits, and
		// the first submission stays on record.
		if err := w.svc.Score(ctx, tlTown1, c.ID, []int{18, 17, 16, 19, 15}, "经营数据需核实"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "scoring twice", w.svc.Score(ctx, tlTown1, c.ID, []int{18, 17, 16, 19, 15}, ""), fault.Conflict)
		_, err = w.svc.Decide(ctx, tlTown2, c.ID, talent.Decision{Decision: review.Return})
		wantCode(t, "returning without a reason", err, fault.Invalid)
		if c, err = w.svc.Decide(ctx, tlTown2, c.ID, talent.Decision{Decision: review.Return, Reason: "补充营业执照"}); err != nil {
			t.Fatal(err)
		}
		if c.Status != talent.Returned {
			t.Fatalf("returned: %s", c.Status)
		}
		in.Revenue, in.IDNumber, in.Phone = 1500000, "", "" // kept as stored
		if _, err := w.svc.Save(ctx, tlOp, c.ID, in); err != nil {
			t.Fatal(err)
		}
		if c, err = w.svc.Submit(ctx, tlOp, c.ID); err != nil {
			t.Fatal(err)
		}
		if c.Submissions != 2 || c.Step != 0 || c.Revenue != 1500000 {
			t.Fatalf("resubmitted: %+v", c)
		}
		full, err := w.svc.Candidate(ctx, tlTown1, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.History) != 2 || full.History[0].Outcome != talent.Returned {
			t.Fatalf("history %+v", full.History)
		}

		// Up the chain, the league gives a tier, the notice runs.
		w.pass(t, c.ID, tlVillage, 90, "")
		w.pass(t, c.ID, tlTown1, 86, "")
		w.pass(t, c.ID, tlBanner, 88, "")
		_, err = w.svc.Decide(ctx, tlLeague, c.ID, talent.Decision{Decision: review.Approve})
		wantCode(t, "league approval without a tier", err, fault.Conflict) // unscored first
		if err := w.svc.Score(ctx, tlLeague, c.ID, []int{18, 18, 18, 18, 18}, ""); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Decide(ctx, tlLeague, c.ID, talent.Decision{Decision: review.Approve})
		wantCode(t, "league approval without a tier", err, fault.Invalid)
		if c, err = w.svc.Decide(ctx, tlLeague, c.ID, talent.Decision{Decision: review.Approve, Tier: talent.TierBanner}); err != nil {
			t.Fatal(err)
		}
		if c.Step != talent.NoticeStep || c.Tier != talent.TierBanner || c.Status != talent.InReview {
			t.Fatalf("in notice: %+v", c)
		}
		cov, err := w.svc.Coverage(ctx, tlLeague, w.round.ID, keerqin)
		if err != nil {
			t.Fatal(err)
		}
		if cov.Total.Covered != 0 {
			t.Fatal("nobody leads before the notice ends")
		}
		if n, err := w.rev.FinaliseDue(ctx, time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
			t.Fatalf("finalise: %d %v", n, err)
		}
		if c, err = w.svc.Candidate(ctx, tlOp, c.ID); err != nil || c.Status != talent.Approved || c.LeaderID == 0 {
			t.Fatalf("approved: %+v %v", c, err)
		}
		if c.Levels[1].Scores[0].Comment != "" {
			t.Error("a clerk reads reviewers' comments")
		}
		l, err := w.svc.Leader(ctx, tlOp, c.LeaderID)
		if err != nil || l.Tier != talent.TierBanner || len(l.Tiers) != 1 {
			t.Fatalf("leader %+v %v", l, err)
		}
		if _, err := w.svc.Leader(ctx, tlOutsider, c.LeaderID); fault.CodeOf(err) != fault.NotFound {
			t.Fatalf("outsider reads a leader: %v", err)
		}

		// Coverage: one village of 科尔沁镇 covered, counted the same way an
		// independent count of the regions table gives.
		cov, err = w.svc.Coverage(ctx, tlLeague, w.round.ID, xingan)
		if err != nil {
			t.Fatal(err)
		}
		var villages int
		for _, a := range cov.Areas {
			villages += a.Villages
		}
		if cov.Total.Covered != 1 || villages != cov.Total.Villages || cov.Total.Villages < 800 || cov.ByTier[talent.TierBanner] != 1 || cov.ByChannel[talent.FromLocals] != 1 {
			t.Fatalf("coverage total %+v tiers %v channels %v", cov.Total, cov.ByTier, cov.ByChannel)
		}
		// An independent count from the embedded source data: gacha and
		// villages of 兴安盟, per banner.
		all, err := regiondata.All()
		if err != nil {
			t.Fatal(err)
		}
		perBanner := map[string]int{}
		for _, r := range all {
			if r.Level == 5 && strings.HasPrefix(r.Code, "1522") && slices.Contains(talent.RuralKinds, r.Kind) {
				perBanner[r.Code[:6]+"000000"]++
			}
		}
		for _, a := range cov.Areas {
			if a.Villages != perBanner[a.Code] {
				t.Errorf("%s: %d villages, the source data has %d", a.Name, a.Villages, perBanner[a.Code])
			}
			delete(perBanner, a.Code)
		}
		if len(perBanner) != 0 {
			t.Errorf("banners missing from the coverage: %v", perBanner)
		}
		if cov.Targets[2].Villages != cov.Total.Villages {
			t.Errorf("the last target is every village: %+v", cov.Targets)
		}

		// Three lists: measures, logs, overdue flags.
		_, err = w.svc.AddMeasure(ctx, tlOp, l.ID, talent.MeasureInput{List: talent.Industry, Title: "肉牛托管", Owner: "王晓景", Deadline: "2026-12-31"})
		wantCode(t, "an industry project without a household", err, fault.Invalid)
		m, err := w.svc.AddMeasure(ctx, tlOp, l.ID, talent.MeasureInput{List: talent.Pairing, Title: "结对帮带青年创业者", Partner: "李青年", Owner: "王晓景", Deadline: "2026-05-31"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.LogMeasure(ctx, tlOp, l.ID, talent.LogInput{Measure: m.ID, Day: "2026-05-20", Note: "入户指导"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "logging another leader's measure", w.svc.LogMeasure(ctx, tlOp, l.ID+99, talent.LogInput{Measure: m.ID, Day: "2026-05-20", Note: "x"}), fault.NotFound)
		over, err := w.svc.Overdue(ctx, tlTown1, keerqin)
		if err != nil || len(over) != 1 || over[0].Status != talent.Ongoing {
			t.Fatalf("overdue %+v %v", over, err)
		}
		l, _ = w.svc.Leader(ctx, tlOp, l.ID)
		if l.Progress[0].Total != 1 || l.Progress[0].Overdue != 1 {
			t.Errorf("progress %+v", l.Progress)
		}
		p, err := w.svc.Profile(ctx, l.ID)
		if err != nil || p.Name != "王晓景" || p.EntityName == "" {
			t.Fatalf("profile %+v %v", p, err)
		}
	})
}

func TestTalentQuotasRankingObjections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		// The township sets no quota of its own; the banner sets it.
		wantCode(t, "a township setting its own quota", w.svc.SetQuota(ctx, &access.Actor{UserID: 9, Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}},
			w.round.ID, talent.Quota{Region: keerqin, Kind: talent.QuotaPass, N: 5}), fault.Forbidden)
		if err := w.svc.SetQuota(ctx, tlBanner, w.round.ID, talent.Quota{Region: keerqin, Kind: talent.QuotaPass, N: 1}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetQuota(ctx, tlLeague, w.round.ID, talent.Quota{Region: qianqi, Kind: talent.TierQuota(talent.TierLeague), N: 0}); err != nil {
			t.Fatal(err)
		}
		a := w.submitted(t, tlOp2, w.application(pingan, "甲山河", 11, 10))
		b := w.submitted(t, tlOp2, w.application(yuanfeng, "乙", 12, 20))
		c := w.submitted(t, tlOp2, w.application(yuanfeng, "丙", 13, 20))
		vy := &access.Actor{UserID: 220, Username: "yf", Grants: []access.Grant{{Role: access.Reviewer, Region: yuanfeng}}}
		w.pass(t, a.ID, tlVillage, 80, "")
		w.pass(t, b.ID, vy, 80, "")
		w.pass(t, c.ID, vy, 80, "")

		// Ranking at the township: equal means share a rank; more
		// households driven lists first, then the earlier application.
		for _, id := range []int64{a.ID, b.ID, c.ID} {
			if err := w.svc.Score(ctx, tlTown1, id, []int{17, 17, 17, 17, 17}, ""); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := w.svc.Ranking(ctx, tlTown1, w.round.ID, keerqin, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 3 || rs[0].Candidate != b.ID || rs[1].Candidate != c.ID || rs[2].Candidate != a.ID || rs[2].Rank != 1 || rs[0].Mean != 8500 {
			t.Fatalf("ranking %+v", rs)
		}
		if _, err := w.svc.Ranking(ctx, tlOutsider, w.round.ID, keerqin, 1); fault.CodeOf(err) != fault.NotFound {
			t.Fatalf("another township's ranking: %v", err)
		}
		if err := w.svc.SetOrder(ctx, tlTown1, a.ID, 1); err != nil {
			t.Fatal(err)
		}
		rs, _ = w.svc.Ranking(ctx, tlTown1, w.round.ID, keerqin, 1)
		if talent.ByPosition(rs)[0].Candidate != a.ID {
			t.Fatalf("recommendation order %+v", rs)
		}

		// The quota of one: the second recommendation is refused.
		if _, err := w.svc.Decide(ctx, tlTown1, a.ID, talent.Decision{Decision: review.Approve}); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Decide(ctx, tlTown1, b.ID, talent.Decision{Decision: review.Approve})
		wantCode(t, "over the township's quota", err, fault.Conflict)
		if _, err := w.svc.Decide(ctx, tlTown1, b.ID, talent.Decision{Decision: review.Reject, Reason: "名额已满"}); err != nil {
			t.Fatal(err)
		}

		// A tier quota of zero refuses that tier; another tier goes to
		// notice, where an objection blocks the end until resolved.
		w.pass(t, a.ID, tlBanner, 85, "")
		if err := w.svc.Score(ctx, tlLeague, a.ID, []int{18, 18, 18, 18, 18}, ""); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Decide(ctx, tlLeague, a.ID, talent.Decision{Decision: review.Approve, Tier: talent.TierLeague})
		wantCode(t, "a tier over its quota", err, fault.Conflict)
		if _, err := w.svc.Decide(ctx, tlLeague, a.ID, talent.Decision{Decision: review.Approve, Tier: talent.TierTownship}); err != nil {
			t.Fatal(err)
		}
		full, _ := w.svc.Candidate(ctx, tlLeague, a.ID)
		// The notice names the business without naming the person the
		// masked name hides.
		ns, err := w.rev.PublicNotices(ctx, full.Village)
		if err != nil || len(ns) != 1 || strings.Contains(ns[0].Summary.Title, full.Name[3:]) || !strings.Contains(ns[0].Summary.Title, "种养殖合作社") {
			t.Fatalf("notice of %q: %+v %v", full.Name, ns, err)
		}
		ob, err := w.rev.Object(ctx, nil, full.Village, full.ReviewID, "经营主体存在欠薪")
		if err != nil {
			t.Fatal(err)
		}
		later := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
		if n, _ := w.rev.FinaliseDue(ctx, later); n != 0 {
			t.Fatal("an open objection must block the decision")
		}
		if _, err := w.rev.ResolveObjection(ctx, tlLeague, ob.ID, true, "经核实属实"); err != nil {
			t.Fatal(err)
		}
		// A cancelled application shows no tier: the league's proposal
		// stays in its decisions only.
		if full, _ = w.svc.Candidate(ctx, tlLeague, a.ID); full.Status != talent.Cancelled || full.LeaderID != 0 || full.Tier != "" {
			t.Fatalf("upheld objection: %+v", full)
		}
		cov, _ := w.svc.Coverage(ctx, tlLeague, w.round.ID, keerqin)
		if cov.Total.Covered != 0 || cov.Applied[talent.Cancelled] != 1 || cov.Applied[talent.Rejected] != 1 {
			t.Fatalf("coverage after cancellation %+v %v", cov.Total, cov.Applied)
		}
	})
}

// TestTalentTierRisesAcrossRotation moves a leader up a tier in a later
// round after the personal-data key was rotated: the application finds
// the same leader (a tier no higher is refused), the new tier is added
// beside the old one, and no second leader appears.
func TestTalentTierRisesAcrossRotation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			base := storetest.MustOpenUnkeyed(t, engine)
			k1, k2 := secret.NewKey(secret.AES), secret.NewKey(secret.AES)
			w := newTalentWorld(t, rotOpen(t, base, k1))
			walk := func(w *talentWorld, tier talent.Tier) (*talent.Candidate, error) {
				c := w.submitted(t, tlOp, w.application(pingan, "王晓景", 5, 30))
				for _, by := range []*access.Actor{tlVillage, tlTown1, tlBanner} {
					w.pass(t, c.ID, by, 85, "")
				}
				if err := w.svc.Score(ctx, tlLeague, c.ID, []int{17, 17, 17, 17, 17}, ""); err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.Decide(ctx, tlLeague, c.ID, talent.Decision{Decision: review.Approve, Tier: tier}); err != nil {
					return c, err
				}
				if _, err := w.rev.FinaliseDue(ctx, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)); err != nil {
					t.Fatal(err)
				}
				return w.svc.Candidate(ctx, tlLeague, c.ID)
			}
			first, err := walk(w, talent.TierVillage)
			if err != nil || first.LeaderID == 0 {
				t.Fatalf("first round: %+v %v", first, err)
			}
			db2 := rotOpen(t, base, k2, k1)
			if _, err := db2.RotateKey(ctx, tlLeague, sqlstore.RotateOptions{}); err != nil {
				t.Fatal(err)
			}
			w2 := newTalentWorld(t, db2)
			_, err = walk(w2, talent.TierVillage)
			wantCode(t, "the same tier again", err, fault.Conflict)
			// The refused one is still at the league; the village withdraws
			// nothing, the league returns it, and a new submission rises.
			c, _, _ := w2.svc.Candidates(ctx, tlLeague, talent.Filter{Round: w2.round.ID, Status: talent.InReview})
			if _, err := w2.svc.Decide(ctx, tlLeague, c[0].ID, talent.Decision{Decision: review.Reject, Reason: "层级未提升"}); err != nil {
				t.Fatal(err)
			}
			second, err := walk(w2, talent.TierBanner)
			if err != nil || second.LeaderID != first.LeaderID {
				t.Fatalf("second round made leader %d, want %d: %v", second.LeaderID, first.LeaderID, err)
			}
			l, err := w2.svc.Leader(ctx, tlLeague, first.LeaderID)
			if err != nil || l.Tier != talent.TierBanner || len(l.Tiers) != 2 || l.Tiers[0].Tier != talent.TierVillage {
				t.Fatalf("leader after the rise: %+v %v", l, err)
			}
			all, _ := w2.svc.Leaders(ctx, tlLeague, xingan)
			if len(all) != 1 {
				t.Fatalf("%d leaders, want 1", len(all))
			}
		})
	}
}
