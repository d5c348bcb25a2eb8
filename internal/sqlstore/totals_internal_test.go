package sqlstore

import "testing"

// TestPeriodNum checks the totals' period form (migration 0045) both
// ways, and that text which is no period is refused rather than stored
// as some other period.
func TestPeriodNum(t *testing.T) {
	for p, want := range map[string]int64{"2026": 2026, "2026-05": 202605, "2026-12": 202612, "1999-01": 199901} {
		n, err := periodNum(p)
		if err != nil || n != want || periodText(n) != p {
			t.Errorf("periodNum(%q) = %d, %v (back: %q); want %d", p, n, err, periodText(n), want)
		}
	}
	for _, p := range []string{"", "26", "2026-5", "2026-13", "2026-00", "2026/05", "+026", "2026-Q2", "202605", "2026-05-01", "-2026"} {
		if n, err := periodNum(p); err == nil {
			t.Errorf("periodNum(%q) = %d, want an error", p, n)
		}
		if periodArg(p) != -1 {
			t.Errorf("periodArg(%q) = %d, want -1 (matches nothing)", p, periodArg(p))
		}
	}
}

// TestVillageSpan checks that the integer range of a region holds the
// same villages as its text range.
func TestVillageSpan(t *testing.T) {
	for region, want := range map[string][2]int64{
		"152221100210": {152221100210, 152221100211},
		"152221100000": {152221100000, 152221101000},
		"152200000000": {152200000000, 152300000000},
		"150000000000": {150000000000, 160000000000},
		"":             {0, 0},
		"abc":          {0, 0},
	} {
		if lo, hi := villageSpan(region); lo != want[0] || hi != want[1] {
			t.Errorf("villageSpan(%q) = [%d, %d), want [%d, %d)", region, lo, hi, want[0], want[1])
		}
	}
}
