package points

import "testing"

func TestSortRegions(t *testing.T) {
	units := func() []Ranked {
		return []Ranked{
			{Village: "152221100000", Points: 30, Households: 10, Total: 20}, // 1.5 a household, 50%
			{Village: "152221103000", Points: 10, Households: 10, Total: 10}, // 1.0, 100%
			{Village: "152221104000", Points: 0, Households: 0, Total: 0},    // no households at all
			{Village: "152221105000", Points: -4, Households: 2, Total: 8},   // deductions outweigh
			{Village: "152221106000", Points: 60, Households: 20, Total: 40}, // ties 1.5 and 50% with the first
		}
	}
	for _, tc := range []struct {
		order RegionOrder
		want  []string
	}{
		{ByPerHousehold, []string{"152221100000", "152221106000", "152221103000", "152221104000", "152221105000"}},
		{ByParticipation, []string{"152221103000", "152221100000", "152221106000", "152221105000", "152221104000"}},
	} {
		us := units()
		SortRegions(us, tc.order)
		for i, u := range us {
			if u.Village != tc.want[i] || u.Rank != i+1 {
				t.Errorf("%s: place %d is %s (rank %d), want %s", tc.order, i+1, u.Village, u.Rank, tc.want[i])
			}
		}
	}
	for _, tc := range []struct {
		x    Ranked
		want string
	}{{Ranked{Points: 30, Total: 20}, "1.5"}, {Ranked{Points: 2, Total: 3}, "0.6"}, {Ranked{}, "0.0"}, {Ranked{Points: -4, Total: 8}, "-0.5"}} {
		if got := tc.x.PerHousehold(); got != tc.want {
			t.Errorf("PerHousehold(%+v) = %s, want %s", tc.x, got, tc.want)
		}
	}
}
