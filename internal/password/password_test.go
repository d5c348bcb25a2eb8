package password

import (
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
	if r1, r2 := Random(), Random(); r1 == r2 || len(r1) != 19 {
		t.Fatalf("Random: %q %q", r1, r2)
	}
}
