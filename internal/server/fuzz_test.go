package server

import "testing"

// FuzzParseTrusted reads arbitrary trusted-proxy lists, which come from a
// hand-edited setting: a list is taken or refused, never a panic, and what
// is taken is one valid prefix per entry.
func FuzzParseTrusted(f *testing.F) {
	for _, s := range []string{"", "127.0.0.1", "10.0.0.0/8, 192.168.1.1", "::1,fd00::/8", "10.0.0.0/33", "1.2.3.4/24", "x", ",", "192.168.001.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseTrusted(s)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.IsValid() {
				t.Fatalf("ParseTrusted(%q) took invalid prefix %v", s, p)
			}
		}
	})
}
