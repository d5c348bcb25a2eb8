package creditcode

import "testing"

func TestValid(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},  // a published example of GB 32100
		{"91350100M000100Y44", false}, // wrong check character
		{"91350100M000100Y4", false},  // too short
		{"91350100I000100Y43", false}, // I is not in the alphabet
		{Complete("93152221MA0N00001"), true},
	} {
		if got := Valid(c.code); got != c.ok {
			t.Errorf("Valid(%q) = %v, want %v", c.code, got, c.ok)
		}
	}
	if got := Normalize(" ９１３５０１００ｍ０００１００ｙ４３ "); got != "91350100M000100Y43" {
		t.Errorf("normalised %q", got)
	}
}
