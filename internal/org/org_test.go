package org

import (
	"errors"
	"testing"
	"time"

	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
)

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestCanParent(t *testing.T) {
	for _, c := range []struct {
		k, parent Kind
		ok        bool
	}{
		{Committee, Committee, true}, // a township's under the banner's
		{Branch, Committee, true},
		{Branch, General, true},
		{General, Committee, true},
		{Group, Branch, true},
		{Group, JointBranch, true},
		{Branch, Branch, false},
		{JointBranch, Branch, false},
		{Committee, Branch, false},
		{Group, Committee, false},
		{Branch, Group, false},
		{Group, Group, false},
		{Branch, "", false},
	} {
		if got := c.k.CanParent(c.parent); got != c.ok {
			t.Errorf("%s under %s = %v, want %v", c.k, c.parent, got, c.ok)
		}
	}
}

func TestCycle(t *testing.T) {
	// The chain above the new parent 4 is 4 → 2 → 1.
	if !Cycle(2, []int64{4, 2, 1}) || !Cycle(4, []int64{4, 2, 1}) || Cycle(3, []int64{4, 2, 1}) || Cycle(3, nil) {
		t.Fatal("Cycle")
	}
}

func TestOrgInput(t *testing.T) {
	for name, c := range map[string]struct {
		in    OrgInput
		field string
	}{
		"attached to nothing":                 {OrgInput{Kind: Branch, Name: "x"}, "region"},
		"units only, no parent":               {OrgInput{Units: []int64{1}, Kind: Branch, Name: "x"}, "region"},
		"under a parent, no units nor region": {OrgInput{Parent: 1, Kind: Branch, Name: "x"}, "units"},
		"future founding":                     {OrgInput{Region: "152221100210", Kind: Branch, Name: "x", Founded: "2026-06-02"}, "founded"},
		"unknown kind":                        {OrgInput{Region: "152221100210", Kind: "cell", Name: "x"}, "kind"},
	} {
		var fe *fault.Error
		if err := c.in.Validate(now); !errors.As(err, &fe) || fe.Code != fault.Invalid {
			t.Errorf("%s: %v", name, err)
			continue
		}
		found := false
		for _, f := range fe.Fields {
			found = found || f.Name == c.field
		}
		if !found {
			t.Errorf("%s: fields %+v lack %s", name, fe.Fields, c.field)
		}
	}
	if err := (OrgInput{Parent: 1, Units: []int64{3}, Kind: Branch, Name: "快递站党支部", Founded: "2026-06-01"}).Validate(now); err != nil {
		t.Errorf("a unit branch founded today: %v", err)
	}
	in := OrgInput{Region: "152221100201"}
	if _, err := in.Home("152221100210"); !fault.Is(err, fault.Invalid) {
		t.Error("a region outside the parent's home")
	}
	if home, err := in.Home("152221100000"); err != nil || home != "152221100201" {
		t.Errorf("home %s %v", home, err)
	}
	if home, _ := (OrgInput{}).Home("152221100000"); home != "152221100000" {
		t.Errorf("a unit organisation's home %s", home)
	}
}

func TestMemberAndUnitInput(t *testing.T) {
	for name, c := range map[string]struct {
		in MemberInput
		ok bool
	}{
		"probationary":            {MemberInput{Name: "甲", Probation: "2025-07-01"}, true},
		"full":                    {MemberInput{Name: "甲", Applied: "1995-01-01", Probation: "1996-07-01", Full: "1997-07-01"}, true},
		"full before probation":   {MemberInput{Name: "甲", Probation: "1996-07-01", Full: "1995-07-01"}, false},
		"applied after probation": {MemberInput{Name: "甲", Applied: "1997-01-01", Probation: "1996-07-01"}, false},
		"no probation":            {MemberInput{Name: "甲"}, false},
		"before 1921":             {MemberInput{Name: "甲", Probation: "1920-07-01"}, false},
		"bad phone":               {MemberInput{Name: "甲", Probation: "2020-01-01", Phone: "123"}, false},
	} {
		if err := c.in.Validate(now); (err == nil) != c.ok {
			t.Errorf("%s: %v", name, err)
		}
	}
	if (MemberInput{Full: "2000-01-01"}).Standing() != FullMember || (MemberInput{}).Standing() != Probationary {
		t.Error("Standing")
	}
	good := UnitInput{Region: "152221100210", Name: "平安快递站", CreditCode: " " + creditcode.Complete("91152221MA0N00001") + " ", Type: PrivateFirm}
	good.Normalize()
	if err := good.Validate(); err != nil {
		t.Errorf("good unit: %v", err)
	}
	if err := (UnitInput{Region: "152221100210", Name: "文艺队", Type: OtherUnit}).Validate(); err != nil {
		t.Errorf("an unregistered body: %v", err)
	}
	if !PrivateFirm.TwoNew() || !SocialOrg.TwoNew() || StateFirm.TwoNew() {
		t.Error("TwoNew defaults")
	}
	if !Secretary.ValidFor(Branch) || Secretary.ValidFor(Group) || !GroupLeader.ValidFor(Group) || GroupLeader.ValidFor(Branch) {
		t.Error("posts")
	}
}
