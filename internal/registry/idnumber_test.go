package registry

import (
	"testing"
	"time"
)

func TestIDProblem(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	valid := "152221199003071" + "23"
	valid += string(CheckChar(valid))
	for _, c := range []struct {
		id, want string
	}{
		{valid, ""},
		{"11010519491231002X", ""}, // the standard's own example
		{"110105194912310021", "registry.id.check"},
		{"11010519491231002", "registry.id.length"},
		{"110105491231002", "registry.id.old15"},
		{"1101051949123100AX", "registry.id.digits"},
		{withCheck("15222119900230123"), "registry.id.birth"}, // 30 February
		{withCheck("15222120300101123"), "registry.id.birth"}, // future
	} {
		if got := IDProblem(c.id, now); got != c.want {
			t.Errorf("IDProblem(%s) = %q, want %q", c.id, got, c.want)
		}
	}
	if NormalizeID(" 11010519491231002x　") != "11010519491231002X" {
		t.Error("NormalizeID must trim and upper-case")
	}
	if GenderFromID("11010519491231002X") != Female || GenderFromID("110105194912310010") != Male {
		t.Error("GenderFromID")
	}
}

func withCheck(s string) string { return s + string(CheckChar(s)) }

func TestPhoneAndMasks(t *testing.T) {
	for in, want := range map[string]bool{"13812341234": true, "+86 138-1234-1234": true, "12812341234": false, "1381234123": false, "0471-1234567": false} {
		if got := ValidMobile(NormalizePhone(in)); got != want {
			t.Errorf("ValidMobile(%q) = %v", in, got)
		}
	}
	if MaskPhone("13812341234") != "138****1234" {
		t.Error(MaskPhone("13812341234"))
	}
	if MaskID("15222119900307123X") != "1522**********123X" {
		t.Error(MaskID("15222119900307123X"))
	}
}

func FuzzIDProblem(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("15222119900230123X")
	f.Add("")
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		id := NormalizeID(s)
		if IDProblem(id, now) == "" {
			if len(id) != 18 || id[17] != CheckChar(id[:17]) {
				t.Fatalf("accepted %q", id)
			}
			if m := MaskID(id); len(m) != 18 || m[:4] != id[:4] || m[14:] != id[14:] || m[4:14] != "**********" {
				t.Fatalf("mask of %q is %q", id, m)
			}
		}
	})
}
