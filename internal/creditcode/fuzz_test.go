package creditcode

import (
	"strings"
	"testing"
)

// FuzzValid checks the 统一社会信用代码 check on arbitrary input, as
// typed into an application form: a code is valid exactly when its first
// 17 characters complete to it, and then no other 18th character is.
func FuzzValid(f *testing.F) {
	for _, s := range []string{"91150000MA0N000000", "91152200MA0N12345", "12150000011601418X", "915222017014526531", "", "ioszv", "9115222170145265３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := Valid(s)
		if len(s) >= 17 {
			if want := Complete(s[:17]) == s; ok != want {
				t.Fatalf("Valid(%q) = %v, Complete of its first 17 says %v", s, ok, want)
			}
		} else if ok {
			t.Fatalf("Valid(%q) accepts %d characters", s, len(s))
		}
		if !ok {
			return
		}
		for _, c := range chars {
			if other := s[:17] + string(c); other != s && Valid(other) {
				t.Fatalf("%q and %q both valid", s, other)
			}
		}
		if strings.ToUpper(s) != s {
			t.Fatalf("%q valid with lower case", s)
		}
	})
}
