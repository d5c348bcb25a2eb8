package regioncode

import "testing"

func TestLevelOf(t *testing.T) {
	for _, c := range []struct {
		code string
		want Level
	}{
		{"150000000000", Province},
		{"152200000000", League},
		{"152221000000", Banner},
		{"152221100000", Township},
		{"152221100201", Village},
		{"152221000201", 0}, // village under no township
		{"150021000000", 0}, // banner under no league
		{"000000000000", 0},
		{"15222110020", 0},
		{"15222110020x", 0},
	} {
		if got := LevelOf(c.code); got != c.want {
			t.Errorf("LevelOf(%s) = %d, want %d", c.code, got, c.want)
		}
		if ValidCode(c.code) != (c.want != 0) {
			t.Errorf("ValidCode(%s) disagrees with LevelOf", c.code)
		}
	}
}

func TestCoversAndRange(t *testing.T) {
	town, village, sibling := "152221100000", "152221100201", "152221101201"
	if !Covers(town, village) || !Covers(village, village) {
		t.Fatal("a township must cover its village and a village itself")
	}
	if Covers(town, sibling) || Covers(village, town) {
		t.Fatal("a township must not cover a sibling's village, nor a village its parent")
	}
	lo, hi := Range(town)
	for _, c := range []struct {
		code string
		in   bool
	}{{village, true}, {town, true}, {sibling, false}, {"152221099999", false}, {"152221100999", true}} {
		if got := c.code >= lo && c.code < hi; got != c.in {
			t.Errorf("%s in Range(%s) = %v", c.code, town, got)
		}
	}
}
