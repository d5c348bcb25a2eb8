package access

import (
	"strings"
	"testing"
)

// FuzzPasswordProblem checks the password rules on arbitrary input: any
// password gets a verdict, never a panic, and a refusal names one of the
// password messages the catalogue holds.
func FuzzPasswordProblem(f *testing.F) {
	for _, s := range []string{"", "short", "Passw0rd!", "巴特尔Batu2024", "aaaaaaaaaaaaaaaa", "\xff\xfe\xfd12345678Aa", "admin123Admin"} {
		f.Add(s, "admin")
	}
	f.Fuzz(func(t *testing.T, pw, username string) {
		if p := PasswordProblem(pw, username); p != "" && !strings.HasPrefix(p, "auth.password.") {
			t.Fatalf("PasswordProblem(%q, %q) = %q", pw, username, p)
		}
	})
}
