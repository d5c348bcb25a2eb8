package server

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
)

func TestLocalPath(t *testing.T) {
	for _, c := range []struct {
		in   string
		keep bool
	}{
		{"/", true},
		{"/households", true},
		{"/households?page=2&q=%E5%BC%A0", true},
		{"/awards/12#top", true},
		{"", false},
		{"households", false},
		{"//evil.example", false},
		{"/\\evil.example", false},
		{"/\t/evil.example", false},
		{"/%09/evil.example", false},
		{"/%0a/evil.example", false},
		{"/%2509/evil.example", false},
		{"/%2F/evil.example", false},
		{"/%5Cevil.example", false},
		{"/a b", false},
		{"/a\u3000b", false},
		{"/a\nb", false},
		{"/a\x7fb", false},
		{"https://evil.example/", false},
		{"javascript:alert(1)", false},
		{"/x\\y", false},
		{" /households", false},
		{"/%zz", false},
	} {
		got := LocalPath(c.in)
		if want := map[bool]string{true: c.in, false: "/"}[c.keep]; got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", c.in, got, want)
		}
	}
}

// FuzzLocalPath checks that whatever a query string carries, the redirect
// target is "/" or a path a browser resolves on this host.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\\x", "/%09/x", "/\t/x", "http://x", "/%252F%252Fx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := LocalPath(s)
		if got == "/" {
			return
		}
		if got != s {
			t.Fatalf("LocalPath(%q) = %q, neither the input nor /", s, got)
		}
		// What a browser does: drop tabs and newlines, read "\" as "/".
		b := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			if r == '\\' {
				return '/'
			}
			return r
		}, s)
		if d, err := url.PathUnescape(b); err == nil {
			b = d
		}
		if strings.HasPrefix(b, "//") || !strings.HasPrefix(b, "/") || strings.IndexFunc(b, unicode.IsSpace) >= 0 {
			t.Fatalf("LocalPath(%q) kept a target a browser reads as %q", s, b)
		}
		u, err := url.Parse("https://self.example" + s)
		if err != nil || u.Host != "self.example" {
			t.Fatalf("LocalPath(%q) kept a target that leaves the host", s)
		}
	})
}
