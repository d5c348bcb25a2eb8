package server

import (
	"net/url"
	"strings"
	"unicode"
)

// LocalPath returns next when a browser sent there stays on this site, and
// "/" otherwise. Only a path is taken: a leading "/" not followed by "/" or
// "\" (which browsers read as another host), no scheme, and no control
// character, whitespace or backslash anywhere, also once percent-decoded,
// since browsers drop a tab or newline inside a URL and "/\t/host" becomes
// "//host". Every post-login and post-language redirect goes through it.
func LocalPath(next string) string {
	if len(next) > 2048 {
		return "/"
	}
	s := next
	// Decoding is repeated until nothing changes, so a value encoded twice
	// is checked as what a careless intermediary might turn it into.
	for range 4 {
		if !localLayer(s) {
			return "/"
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "/"
		}
		if d == s {
			break
		}
		s = d
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// localLayer checks one decoding of a redirect target.
func localLayer(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}
