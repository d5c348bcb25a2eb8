package password

import (
	"shanzhi/internal/access"
	"strings"
	"testing"
)

func TestHashCheck(t *testing.T) {
	h := Hash("Correct-Horse-9")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash = %s", h)
	}
	if ok, err := Check(h, "Correct-Horse-9"); !ok || err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if ok, _ := Check(h, "correct-horse-9"); ok {
		t.Fatal("wrong password accepted")
	}
	if h == Hash("Correct-Horse-9") {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if _, err := Check("$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("a foreign hash was accepted")
	}
	if r1, r2 := Random(), Random(); r1 == r2 || len(r1) != 17 {
		t.Fatalf("Random: %q %q", r1, r2)
	}
}

// TestRandomEveryCharacter draws many one-time passwords: each meets the
// sign-in policy, and no position holds a character every password shares,
// as the last three once did.
func TestRandomEveryCharacter(t *testing.T) {
	seen := make([]map[rune]bool, 17)
	for i := range seen {
		seen[i] = map[rune]bool{}
	}
	for range 300 {
		pw := Random()
		if p := access.PasswordProblem(pw, "admin"); p != "" {
			t.Fatalf("%q breaks the policy: %s", pw, p)
		}
		for i, r := range pw {
			seen[i][r] = true
		}
	}
	for i, s := range seen {
		if i == 5 || i == 11 {
			continue // the dashes between the groups
		}
		if len(s) < 20 {
			t.Errorf("position %d took only %d distinct characters in 300 passwords", i, len(s))
		}
	}
}
