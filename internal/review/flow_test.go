package review

import (
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

const (
	pingan  = "152221100210"
	keerqin = "152221100000"
)

var award = Flow{Name: "points.award", Submit: access.RegistryWrite, Steps: []Step{
	{Kind: StepApprove, Name: "review.step.approve", Permission: access.RegionManage, Level: regioncode.Village},
	{Kind: StepNotice, Name: "review.step.notice", Permission: access.RegionManage, Days: 7},
}}

func TestFlowValidate(t *testing.T) {
	notice := Step{Kind: StepNotice, Name: "n", Permission: access.RegionManage, Days: 7}
	for _, tc := range []struct {
		name string
		f    Flow
		ok   bool
	}{
		{"award", award, true},
		{"no name", Flow{Submit: access.RegistryWrite, Steps: []Step{notice}}, false},
		{"no submit", Flow{Name: "x", Steps: []Step{notice}}, false},
		{"no steps", Flow{Name: "x", Submit: access.RegistryWrite}, false},
		{"zero-day notice", Flow{Name: "x", Submit: access.RegistryWrite, Steps: []Step{{Kind: StepNotice, Name: "n", Permission: access.RegionManage}}}, false},
		{"unknown kind", Flow{Name: "x", Submit: access.RegistryWrite, Steps: []Step{{Kind: "vote", Name: "n", Permission: access.RegionManage}}}, false},
		{"no permission", Flow{Name: "x", Submit: access.RegistryWrite, Steps: []Step{{Kind: StepApprove, Name: "n"}}}, false},
	} {
		if err := tc.f.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := NewFlows(award, award); err == nil {
		t.Error("a flow defined twice was accepted")
	}
}

func TestCanDecide(t *testing.T) {
	committee := &access.Actor{UserID: 1, Grants: []access.Grant{{Role: access.Leader, Region: pingan}}}
	township := &access.Actor{UserID: 2, Grants: []access.Grant{{Role: access.Leader, Region: keerqin}}}
	pending := &Item{Region: pingan, State: Pending, Step: 0}
	notice := &Item{Region: pingan, State: InNotice, Step: 1}
	for _, tc := range []struct {
		name   string
		a      *access.Actor
		it     *Item
		d      Decision
		reason string
		want   fault.Code
	}{
		{"approve", committee, pending, Approve, "", ""},
		{"reject with reason", committee, pending, Reject, "不属实", ""},
		{"reject without reason", committee, pending, Reject, " ", fault.Invalid},
		{"return without reason", committee, pending, Return, "", fault.Invalid},
		{"unknown decision", committee, pending, "abstain", "", fault.Invalid},
		{"wrong level", township, pending, Approve, "", fault.Forbidden},
		{"nobody", nil, pending, Approve, "", fault.Forbidden},
		{"notice step", committee, notice, Approve, "", fault.Conflict},
		{"ended", committee, &Item{Region: pingan, State: Approved, Step: 2}, Approve, "", fault.Conflict},
	} {
		if got := fault.CodeOf(award.CanDecide(tc.a, tc.it, tc.d, tc.reason)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEnterAndOutcome(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if st, _, _ := award.Enter(0, now); st != Pending {
		t.Errorf("step 0: %s", st)
	}
	if st, ws, we := award.Enter(1, now); st != InNotice || !ws.Equal(now) || !we.Equal(now.AddDate(0, 0, 7)) {
		t.Errorf("step 1: %s %v %v", st, ws, we)
	}
	if st, _, _ := award.Enter(2, now); st != Approved {
		t.Errorf("past the end: %s", st)
	}
	if st, act, _, _ := award.Outcome(0, Return, now); st != Returned || act != ActReturn {
		t.Errorf("return: %s %s", st, act)
	}
}

func TestCanObject(t *testing.T) {
	now := time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC)
	it := &Item{Region: pingan, State: InNotice, Step: 1, WindowEnd: now.Add(time.Hour)}
	villager := &access.Actor{UserID: 5, Grants: []access.Grant{{Role: access.Villager, Region: pingan, Household: 1}}}
	official := &access.Actor{UserID: 6, Grants: []access.Grant{{Role: access.Leader, Region: pingan}}}
	for _, tc := range []struct {
		name   string
		a      *access.Actor
		reason string
		at     time.Time
		want   fault.Code
	}{
		{"villager", villager, "不属实", now, ""},
		{"anonymous", nil, "不属实", now, ""},
		{"official", official, "不属实", now, fault.Forbidden},
		{"no reason", nil, "", now, fault.Invalid},
		{"phone", nil, "联系13812345678", now, fault.Invalid},
		{"at the close", nil, "不属实", it.WindowEnd, fault.Conflict},
	} {
		if got := fault.CodeOf(CanObject(tc.a, it, tc.reason, tc.at)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSummaryIsPublicSafe(t *testing.T) {
	for _, tc := range []struct {
		s  Summary
		ok bool
	}{
		{Summary{Title: "孝老爱亲 加5分", Person: "张**", Points: 5}, true},
		{Summary{Title: "集体项目"}, true},
		{Summary{Title: "  "}, false},
		{Summary{Title: "好人好事", Person: "张三"}, false},
		{Summary{Title: "好人好事", Person: "**"}, false},
		{Summary{Title: "好人好事", Person: "张"}, false},
		{Summary{Title: "身份证 15222119700101001X"}, false},
		{Summary{Title: "好人好事", Note: "电话 138-1234-5678"}, false},
		{Summary{Title: "好人好事", Note: "电话 １３８１２３４５６７８"}, false},
		{Summary{Title: "好人好事", Note: "2026-05-30 村民代表会议"}, true},
	} {
		if err := tc.s.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.s, err)
		}
	}
	for in, want := range map[string]string{"张三丰": "张**", "巴特尔": "巴**", "李四": "李*", "王": "王*", "": ""} {
		if got := MaskName(in); got != want || (want != "" && !Masked(got)) {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWithNotice gives an item's own notice length to every notice step
// and leaves the flow alone for 0.
func TestWithNotice(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, _, we := award.WithNotice(2).Enter(1, now); !we.Equal(now.AddDate(0, 0, 2)) {
		t.Errorf("two-day notice ends %v", we)
	}
	if _, _, we := award.WithNotice(0).Enter(1, now); !we.Equal(now.AddDate(0, 0, 7)) {
		t.Errorf("the flow's own notice ends %v", we)
	}
	if _, _, we := award.Enter(1, now); !we.Equal(now.AddDate(0, 0, 7)) {
		t.Errorf("WithNotice changed the flow it was called on: %v", we)
	}
}

// TestMaskNameIn checks a business named after its owner does not give
// the masked name away, whole or by the given name.
func TestMaskNameIn(t *testing.T) {
	for _, c := range []struct{ text, name, want string }{
		{"王晓景家庭农场", "王晓景", "王**家庭农场"},
		{"晓景山野菌专业合作社", "王晓景", "**山野菌专业合作社"},
		{"平安村山野菌专业合作社", "王晓景", "平安村山野菌专业合作社"},
		{"王五养殖场", "王五", "王*养殖场"},
		{"五谷丰合作社", "王五", "五谷丰合作社"},
		{"巴特尔牧业", "巴特尔", "巴**牧业"},
	} {
		if got := MaskNameIn(c.text, c.name); got != c.want {
			t.Errorf("MaskNameIn(%q, %q) = %q, want %q", c.text, c.name, got, c.want)
		}
	}
}
