package talent

import (
	"testing"
	"time"

	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
)

func TestNormalizeCreditCode(t *testing.T) {
	in := CandidateInput{CreditCode: "９１３５０１００ｍ０００１００ｙ４３"}
	in.Normalize()
	if in.CreditCode != "91350100M000100Y43" {
		t.Errorf("normalised %q", in.CreditCode)
	}
}

func TestMeanAndRanking(t *testing.T) {
	if got := Mean([]int{85, 86, 86}); got != 8567 {
		t.Errorf("Mean = %d, want 8567", got)
	}
	if got := Mean([]int{85, 86}); got != 8550 {
		t.Errorf("Mean = %d, want 8550", got)
	}
	if Mean(nil) != 0 {
		t.Error("no scores make 0")
	}
	rs := []Ranked{
		{Candidate: 4, Mean: 8000, Households: 10},
		{Candidate: 2, Mean: 9000, Households: 5},
		{Candidate: 3, Mean: 9000, Households: 5},
		{Candidate: 1, Mean: 9000, Households: 30},
		{Candidate: 5, Mean: 7000},
	}
	RankAll(rs)
	want := []struct {
		id   int64
		rank int
	}{{1, 1}, {2, 1}, {3, 1}, {4, 4}, {5, 5}}
	for i, w := range want {
		if rs[i].Candidate != w.id || rs[i].Rank != w.rank {
			t.Fatalf("ranking[%d] = %d rank %d, want %d rank %d (%+v)", i, rs[i].Candidate, rs[i].Rank, w.id, w.rank, rs)
		}
	}
	rs[3].Position, rs[4].Position = 1, 2
	by := ByPosition(rs)
	if by[0].Candidate != 4 || by[1].Candidate != 5 || by[2].Candidate != 1 {
		t.Errorf("recommendation order %+v", by)
	}
}

func TestRoundValidateAndTargets(t *testing.T) {
	r := Round{Region: "152200000000", Name: "2026年晓景计划", StartYear: 2026, Years: 3, Trajectory: []int{40, 70, 100},
		Opens: "2026-03-01", Closes: "2026-04-30", Criteria: DefaultCriteria()}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	got := r.Targets(850)
	if got[0].Villages != 340 || got[1].Villages != 595 || got[2].Villages != 850 || got[2].Year != 2028 {
		t.Errorf("targets %+v", got)
	}
	if r.Targets(3)[0].Villages != 2 { // 40% of 3 is 1.2: two villages, not one
		t.Errorf("targets round up: %+v", r.Targets(3))
	}
	bad := r
	bad.Trajectory = []int{70, 40, 100}
	bad.Closes = "2026-02-01"
	bad.Criteria = bad.Criteria[:4]
	var fe *fault.Error
	if err := bad.Validate(); err == nil || !asFault(err, &fe) || !fault.Fields(fe.Fields).Has("trajectory") || !fault.Fields(fe.Fields).Has("closes") || !fault.Fields(fe.Fields).Has("criteria") {
		t.Errorf("bad round: %v", err)
	}
	if !r.OpenOn("2026-03-01") || !r.OpenOn("2026-04-30") || r.OpenOn("2026-05-01") {
		t.Error("window bounds")
	}
}

func asFault(err error, fe **fault.Error) bool {
	e, ok := err.(*fault.Error)
	*fe = e
	return ok
}

func TestQuotaValidate(t *testing.T) {
	league := "152200000000"
	for _, c := range []struct {
		q  Quota
		ok bool
	}{
		{Quota{Region: "152221100000", Kind: QuotaPass, N: 5}, true},
		{Quota{Region: "152221000000", Kind: TierQuota(TierBanner), N: 20}, true},
		{Quota{Region: league, Kind: QuotaPass, N: 5}, false},         // the league passes nobody upward
		{Quota{Region: "150100000000", Kind: QuotaPass, N: 5}, false}, // outside the round
		{Quota{Region: "152221100000", Kind: "tier:mayor", N: 5}, false},
		{Quota{Region: "152221100000", Kind: QuotaPass, N: -1}, false},
	} {
		if err := c.q.Validate(league); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.q, err)
		}
	}
}

func TestCandidateChecks(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	in := CandidateInput{Village: "152221100210", Name: "王晓景"}
	if err := in.Validate(now); err != nil {
		t.Fatalf("a draft with a name is valid: %v", err)
	}
	err := in.Complete()
	var fe *fault.Error
	if !asFault(err, &fe) || !fault.Fields(fe.Fields).Has("entity_name") || !fault.Fields(fe.Fields).Has("id_number") {
		t.Fatalf("an empty application is incomplete: %v", err)
	}
	in.CreditCode, in.Phone, in.Gender = "91350100M000100Y44", "1381234", "M"
	if err := in.Validate(now); !asFault(err, &fe) || !fault.Fields(fe.Fields).Has("credit_code") || !fault.Fields(fe.Fields).Has("phone") || !fault.Fields(fe.Fields).Has("gender") {
		t.Errorf("bad fields: %v", err)
	}
}

func TestFlowAndLevels(t *testing.T) {
	if _, err := review.NewFlows(ReviewFlow()); err != nil {
		t.Fatal(err)
	}
	f := ReviewFlow()
	for i, l := range Levels {
		if f.Steps[i].Level != l || StepLevel(i) != l {
			t.Errorf("step %d level %d", i, f.Steps[i].Level)
		}
	}
	if f.Steps[NoticeStep].Kind != review.StepNotice {
		t.Error("the last step is the notice")
	}
	v := "152221100210"
	for l, want := range map[regioncode.Level]string{regioncode.Township: "152221100000", regioncode.Banner: "152221000000", regioncode.League: "152200000000", regioncode.Village: v} {
		if got := Ancestor(v, l); got != want {
			t.Errorf("Ancestor(%d) = %s", l, got)
		}
	}
	if TierLeague.Rank() <= TierBanner.Rank() || TierVillage.Rank() != 1 || Tier("x").Valid() {
		t.Error("tier order")
	}
}

func TestMeasures(t *testing.T) {
	ms := []Measure{
		{MeasureInput: MeasureInput{List: Pairing, Deadline: "2026-05-01"}, Status: Ongoing},
		{MeasureInput: MeasureInput{List: Pairing, Deadline: "2026-05-01"}, Status: Done},
		{MeasureInput: MeasureInput{List: Industry, Deadline: "2026-07-01"}, Status: Planned, Amount: 3000},
	}
	p := Summarise(ms, "2026-06-01")
	if p[0].Total != 2 || p[0].Done != 1 || p[0].Overdue != 1 || p[1].Amount != 3000 || p[1].Overdue != 0 || p[2].Total != 0 {
		t.Errorf("progress %+v", p)
	}
	if err := (MeasureInput{List: Industry, Title: "肉牛养殖", Owner: "王", Deadline: "2026-12-31"}).Validate(); err == nil {
		t.Error("an industry project without its household is refused")
	}
	if err := (LogInput{Measure: 1, Day: "2026-06-02", Note: "走访"}).Validate("2026-06-01"); err == nil {
		t.Error("a log in the future is refused")
	}
}
