package regioncode

import "testing"

// FuzzCode checks the code arithmetic on arbitrary strings, since codes
// arrive in URLs and sheets: a valid code lies inside its own range and
// covers itself, and nothing panics.
func FuzzCode(f *testing.F) {
	for _, s := range []string{"150000000000", "152200000000", "152221100000", "152221100210", "152221100999", "150000000001", "15000000000", "1500000000000", "15x000000000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		lo, hi := Range(code)
		if !ValidCode(code) {
			return
		}
		if len(code) != 12 || LevelOf(code) < Province || LevelOf(code) > Village {
			t.Fatalf("%q valid at level %d", code, LevelOf(code))
		}
		if code < lo || code >= hi || !Covers(code, code) {
			t.Fatalf("%q outside its range [%q, %q)", code, lo, hi)
		}
	})
}
