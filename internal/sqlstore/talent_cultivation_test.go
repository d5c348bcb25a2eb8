package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestTalentCultivation follows a selected person after selection: a
// cultivation target with a plan and support, summed per area and tier;
// not shown publicly until recognised; recognised with its day, counted
// apart on the coverage; then shown in the public showcase with a photo
// stripped of its EXIF, and hidden again when consent is withdrawn.
func TestTalentCultivation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		c := w.submitted(t, tlOp, w.application(pingan, "王晓景", 71, 30))
		for _, by := range []*access.Actor{tlVillage, tlTown1, tlBanner} {
			w.pass(t, c.ID, by, 80, "")
		}
		w.pass(t, c.ID, tlLeague, 80, talent.TierTownship)
		if _, err := w.rev.FinaliseDue(ctx, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		full, _ := w.svc.Candidate(ctx, tlLeague, c.ID)
		id := full.LeaderID
		l, err := w.svc.Leader(ctx, tlLeague, id)
		if err != nil || l.Stage != talent.StageTarget || l.StageDay == "" {
			t.Fatalf("a new leader: %+v %v", l, err)
		}
		if err := w.svc.AddPlan(ctx, tlOp, id, talent.PlanInput{Kind: talent.PlanIncubation, Title: "第一期孵化班", Provider: "科尔沁镇乡土人才孵化中心", Day: "2026-05-20", Hours: 40}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []talent.SupportInput{{Kind: talent.Subsidy, Amount: 20000, Source: "旗农牧局", Day: "2026-05-21"},
			{Kind: talent.Loan, Amount: 300000, Source: "农商行创业贷", Day: "2026-05-22"}, {Kind: talent.Subsidy, Amount: -5000, Source: "旗农牧局", Day: "2026-05-23", Note: "更正5月21日补贴"}} {
			if err := w.svc.AddSupport(ctx, tlOp, id, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.svc.AddSupport(ctx, tlOp, id, talent.SupportInput{Kind: talent.Subsidy, Amount: -1, Source: "x", Day: "2026-05-23"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a correction without its note: %v", err)
		}
		if err := w.svc.AddSupport(ctx, tlOutsider, id, talent.SupportInput{Kind: talent.Subsidy, Amount: 1, Source: "x", Day: "2026-05-23"}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("another township's support: %v", err)
		}
		sums, err := w.svc.SupportSums(ctx, tlLeague, qianqi)
		if err != nil || len(sums) != 1 || sums[0].Code != keerqin || sums[0].Tier != talent.TierTownship || sums[0].Total != 315000 ||
			sums[0].ByKind[talent.Subsidy] != 15000 || sums[0].ByKind[talent.Loan] != 300000 || sums[0].People != 1 || sums[0].Entries != 3 {
			t.Fatalf("sums %+v %v", sums, err)
		}
		if err := w.svc.SetShowcase(ctx, tlOp, id, talent.Showcase{Published: true, ConsentDay: "2026-05-30"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a target shown publicly: %v", err)
		}
		cov, _ := w.svc.Coverage(ctx, tlLeague, w.round.ID, keerqin)
		if cov.Total.Covered != 1 || cov.Total.Recognised != 0 {
			t.Fatalf("coverage of a target: %+v", cov.Total)
		}
		if err := w.svc.Recognise(ctx, tlOp, id, talent.RecognitionInput{Decision: talent.Recognise, Day: "2026-05-31"}); !fault.Is(err, fault.Forbidden) && !fault.Is(err, fault.NotFound) {
			t.Fatalf("a clerk recognising: %v", err)
		}
		if err := w.svc.Recognise(ctx, tlBanner, id, talent.RecognitionInput{Decision: talent.Extend, Day: "2026-05-30"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("continued without a reason: %v", err)
		}
		if err := w.svc.Recognise(ctx, tlBanner, id, talent.RecognitionInput{Decision: talent.Recognise, Day: "2026-05-31", Reason: "培育期满，考核合格"}); err != nil {
			t.Fatal(err)
		}
		l, _ = w.svc.Leader(ctx, tlLeague, id)
		if l.Stage != talent.StageRecognised || l.StageDay != "2026-05-31" || len(l.Recognitions) != 1 || len(l.Plan) != 1 || len(l.Support) != 3 {
			t.Fatalf("recognised: %+v", l)
		}
		cov, _ = w.svc.Coverage(ctx, tlLeague, w.round.ID, keerqin)
		if cov.Total.Covered != 1 || cov.Total.Recognised != 1 || cov.Total.RecognisedPeople != 1 {
			t.Fatalf("coverage of a recognised leader: %+v", cov.Total)
		}
		if err := w.svc.SetShowcase(ctx, tlOp, id, talent.Showcase{Published: true, ConsentDay: "2026-05-30", LiveChannels: "抖音直播", Cities: "北京、沈阳", Fairs: "红色文旅嘉年华", People: 210}); err != nil {
			t.Fatal(err)
		}
		pid, err := w.svc.AddShowcasePhoto(ctx, tlOp, id, "榛蘑", photo.Swatch(3))
		if err != nil {
			t.Fatal(err)
		}
		list, err := w.svc.Showcase(ctx, qianqi, "肉牛")
		if err != nil || len(list) != 1 || list[0].People != 210 || list[0].BannerName == "" || len(list[0].Photos) != 1 {
			t.Fatalf("showcase %+v %v", list, err)
		}
		if list, _ := w.svc.Showcase(ctx, qianqi, "山野菌"); len(list) != 0 {
			t.Fatal("an industry filter let another industry through")
		}
		if _, data, err := w.svc.ShowcasePhoto(ctx, pid); err != nil || len(data) == 0 {
			t.Fatalf("photo: %v", err)
		}
		if err := w.svc.SetShowcase(ctx, tlOp, id, talent.Showcase{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.ShowcasePhoto(ctx, pid); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a withdrawn leader's photo: %v", err)
		}
	})
}
