package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestLockoutUnderConcurrency sends a burst of wrong passwords at once,
// the mobile number typed in different shapes: the account locks exactly
// as the same failures in a row would, and the right password is then
// refused.
func TestLockoutUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		policy := access.DefaultPolicy()
		auth, users := db.Auth(policy), db.Users(policy)
		id, pw, err := users.CreateUser(ctx, authSys, access.NewUser{Username: "suhe", DisplayName: "苏和", Phone: "17000000001"})
		if err != nil {
			t.Fatal(err)
		}
		shapes := []string{"1-7000000001", "17 000000001", "１７００００００００１", " 170-0000-0001 ", "suhe"}
		const burst = 20
		var wg sync.WaitGroup
		errs := make([]error, burst)
		for i := range burst {
			wg.Go(func() {
				_, errs[i] = auth.Login(ctx, shapes[i%len(shapes)], fmt.Sprintf("Wrong#Pass%d", i))
			})
		}
		wg.Wait()
		for i, err := range errs {
			authRefused(t, err, fmt.Sprintf("wrong password %d", i))
		}
		if u, err := users.User(ctx, authSys, id); err != nil || !u.Locked {
			t.Fatalf("not locked after %d concurrent failures: %+v, %v", burst, u, err)
		}
		_, err = auth.Login(ctx, "1-7000000001", pw)
		authRefused(t, err, "right password after the burst")

		n, es := authActions(t, db, audit.Filter{Action: "auth."})
		want := map[string]int{"auth.login_failed": policy.MaxFailures, "auth.lockout": 1, "auth.login_locked": burst - policy.MaxFailures + 1}
		for action, w := range want {
			if n[action] != w {
				t.Errorf("%d %s entries, want %d (all: %v)", n[action], action, w, n)
			}
		}
		for _, e := range es {
			if strings.Contains(e.Detail, "7000000001") || strings.Contains(e.Detail, "０００１") {
				t.Errorf("entry %s keeps the typed number in clear: %q", e.Action, e.Detail)
			}
		}
	})
}

// TestLoginSuccessesDoNotCount signs in more often than the failure
// allowance: successes reset nothing they should not and use nothing up,
// and a failure count built before a success starts again after it.
func TestLoginSuccessesDoNotCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		policy := access.DefaultPolicy()
		auth := db.Auth(policy)
		authUser(t, db, "wuyun")
		for i := range 3 * policy.MaxFailures {
			if i%2 == 1 {
				_, err := auth.Login(ctx, "wuyun", "Wrong#Pass1")
				authRefused(t, err, "one wrong password between successes")
			}
			authLogin(t, auth, " ｗｕｙｕｎ ", authPW)
		}
	})
}

// TestSignInNameNotInAudit types an ID number into the sign-in field: the
// audit trail keeps it masked, beside its keyed hash.
func TestSignInNameNotInAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		auth := db.Auth(access.DefaultPolicy())
		const id = "152221199001011234"
		for _, typed := range []string{id, "1522 2119 9001 0112 34", "１５２２２１１９９００１０１１２３４"} {
			_, err := auth.Login(ctx, typed, "Wrong#Pass1")
			authRefused(t, err, "ID number as the name")
		}
		_, es := authActions(t, db, audit.Filter{Action: "auth.login_failed"})
		if len(es) != 3 {
			t.Fatalf("%d entries", len(es))
		}
		for _, e := range es {
			if strings.Contains(strings.ReplaceAll(e.Detail, " ", ""), "19900101") || !strings.HasPrefix(e.Detail, "1522**********1234 #") || e.Detail != es[0].Detail {
				t.Errorf("ID number typed as a name recorded as %q", e.Detail)
			}
		}
	})
}
