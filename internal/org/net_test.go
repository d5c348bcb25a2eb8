package org

import (
	"testing"
	"time"

	"shanzhi/internal/access"
)

// TestLevelChain checks the chain an issue climbs and who acts where: a
// grid worker at the two bottom levels of their grid only, the grid
// leader up to the party-group level, the branch's secretary at the top,
// a village clerk not for the branch.
func TestLevelChain(t *testing.T) {
	const village, grid = "152221100210", 7
	worker := &access.Actor{Grants: []access.Grant{{Role: access.GridWorker, Region: village, Grid: grid}}}
	leader := &access.Actor{Grants: []access.Grant{{Role: access.GridLeader, Region: village, Grid: grid}}}
	sec := &access.Actor{Grants: []access.Grant{{Role: access.Secretary, Region: village}}}
	clerk := &access.Actor{Grants: []access.Grant{{Role: access.Operator, Region: village}}}
	want := map[Level][4]bool{ // worker, leader, secretary, clerk
		LevelMember:  {true, true, true, true},
		LevelCentral: {true, true, true, true},
		LevelLeader:  {false, true, true, true},
		LevelBranch:  {false, false, true, false},
	}
	for l, w := range want {
		for i, a := range []*access.Actor{worker, leader, sec, clerk} {
			if got := l.MayAct(a, village, grid); got != w[i] {
				t.Errorf("%s, actor %d: %v, want %v", l, i, got, w[i])
			}
		}
		if l.MayAct(worker, village, grid+1) {
			t.Errorf("%s: the worker acts in a sibling grid", l)
		}
	}
	l, up := LevelMember, true
	var path []Level
	for up {
		path = append(path, l)
		l, up = l.Next()
	}
	if len(path) != 4 || path[3] != LevelBranch {
		t.Fatalf("chain %v", path)
	}
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for name, in := range map[string]ContactInput{
		"due without an issue": {Household: 1, Kind: ContactVisit, Date: "2026-12-01", Summary: "走访", Due: "2026-12-09"},
		"due before the date":  {Household: 1, Kind: ContactVisit, Date: "2026-12-01", Summary: "走访", Issue: "漏水", Due: "2026-11-30"},
		"in the future":        {Household: 1, Kind: ContactVisit, Date: "2027-01-01", Summary: "走访"},
		"no summary":           {Household: 1, Kind: ContactPhone, Date: "2026-12-01"},
		"unknown kind":         {Household: 1, Kind: "fax", Date: "2026-12-01", Summary: "传真"},
	} {
		if in.Validate(now) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
