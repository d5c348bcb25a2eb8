package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/server"
)

// TestSignInClearsOwnMistakes: an account's own failed attempts are
// forgotten once its password is given right, so it again has the whole
// allowance; the address's count keeps the other failures made from it,
// and a name typed in another width or case is the same account.
func TestSignInClearsOwnMistakes(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	set := server.LimitSettings{LoginPerIP: 100, LoginPerUser: 3, CodePerIP: 3, Window: 15 * time.Minute}
	l := server.NewLimits(func() time.Time { return now }, set)
	ctx := access.WithRequest(context.Background(), access.Request{Client: "192.0.2.7"})
	wrong := errors.New("wrong password")
	attempt := func(name string, ok bool) error {
		_, err := l.SignIn(ctx, name, func() (string, error) {
			if ok {
				return "token", nil
			}
			return "", wrong
		})
		return err
	}
	for range set.LoginPerUser - 1 {
		if err := attempt("Pingan", false); !errors.Is(err, wrong) {
			t.Fatalf("failure before the limit: %v", err)
		}
	}
	if err := attempt("ｐｉｎｇａｎ", true); err != nil {
		t.Fatalf("right password under the limit: %v", err)
	}
	for i := range set.LoginPerUser {
		if err := attempt("pingan", false); !errors.Is(err, wrong) {
			t.Fatalf("failure %d after a success was refused by the limit: %v", i+1, err)
		}
	}
	if err := attempt("pingan", true); fault.CodeOf(err) != fault.TooMany {
		t.Fatalf("attempt over the account's limit: %v; want too many", err)
	}
}
