package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestSessionCacheBounds runs two servers on one database. Each change to
// what a session or token may do — a role taken away, a token revoked, an
// account disabled, a password reset — applies on the server that made it
// to the very next request, and on the other server within a second (the
// cache's bound), never later.
func TestSessionCacheBounds(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			a, b := storetest.MustOpenTwice(t, engine)
			policy := access.DefaultPolicy()
			sec := &access.Actor{UserID: 2, Username: "security", Grants: []access.Grant{{Role: access.SecAdmin, Region: "150000000000"}}}
			sys := &access.Actor{UserID: 3, Username: "admin", Grants: []access.Grant{{Role: access.SysAdmin, Region: "150000000000"}}}
			grants := []access.Grant{{Role: access.Operator, Region: pingan}, {Role: access.Reviewer, Region: pingan}}
			uid, err := a.CreateUser(ctx, nil, "wangli", "王丽", "First-Pass-1", grants)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetPassword(ctx, nil, "wangli", "Second-Pass-2", false); err != nil {
				t.Fatal(err)
			}
			cookie, err := a.Auth(policy).Login(ctx, "wangli", "Second-Pass-2")
			if err != nil {
				t.Fatal(err)
			}
			me := &access.Actor{UserID: uid, Username: "wangli", Grants: grants}
			token, err := a.Users(policy).CreateToken(ctx, me, "手机", 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			resolve := func(db *sqlstore.DB, tok string) *access.Session {
				t.Helper()
				s, err := db.Auth(policy).Session(ctx, tok)
				if fault.Is(err, fault.Unauthorized) {
					return nil
				}
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			// Both servers have resolved both, so both have them cached.
			for _, db := range []*sqlstore.DB{a, b} {
				for _, tok := range []string{cookie, token} {
					if s := resolve(db, tok); s == nil || !s.Actor.Can(access.PointsApprove, pingan) {
						t.Fatalf("%s before any change: %+v", engine, s)
					}
				}
			}
			// settle waits until server b sees what pass says, failing
			// past the bound.
			settle := func(what string, pass func() bool) {
				t.Helper()
				deadline := time.Now().Add(time.Second + 200*time.Millisecond)
				for !pass() {
					if time.Now().After(deadline) {
						t.Fatalf("the other server still ignored %s after a second", what)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			canReview := func(db *sqlstore.DB, tok string) bool {
				s := resolve(db, tok)
				return s != nil && s.Actor.Can(access.PointsApprove, pingan)
			}

			if err := a.Users(policy).Revoke(ctx, sec, uid, access.Grant{Role: access.Reviewer, Region: pingan}); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{cookie, token} {
				if canReview(a, tok) {
					t.Fatal("the server that took the role away still grants it")
				}
				settle("a role taken away", func() bool { return !canReview(b, tok) })
			}

			if err := a.Users(policy).RevokeToken(ctx, me, tokenID(t, a, me)); err != nil {
				t.Fatal(err)
			}
			if resolve(a, token) != nil {
				t.Fatal("the server that revoked the token still accepts it")
			}
			settle("a revoked token", func() bool { return resolve(b, token) == nil })

			if err := a.Users(policy).SetDisabled(ctx, sys, uid, true); err != nil {
				t.Fatal(err)
			}
			if resolve(a, cookie) != nil {
				t.Fatal("the server that disabled the account still lets it in")
			}
			settle("a disabled account", func() bool { return resolve(b, cookie) == nil })

			// A password reset ends the sessions made before it.
			if err := a.Users(policy).SetDisabled(ctx, sys, uid, false); err != nil {
				t.Fatal(err)
			}
			again, err := a.Auth(policy).Login(ctx, "wangli", "Second-Pass-2")
			if err != nil {
				t.Fatal(err)
			}
			if resolve(b, again) == nil {
				t.Fatal("a new session is refused by the other server")
			}
			if _, err := a.Users(policy).ResetPassword(ctx, sys, uid); err != nil {
				t.Fatal(err)
			}
			if resolve(a, again) != nil {
				t.Fatal("the server that reset the password keeps the old session")
			}
			settle("a password reset", func() bool { return resolve(b, again) == nil })
		})
	}
}

func tokenID(t *testing.T, db *sqlstore.DB, me *access.Actor) int64 {
	t.Helper()
	ts, err := db.Users(access.DefaultPolicy()).Tokens(context.Background(), me)
	if err != nil || len(ts) != 1 {
		t.Fatalf("tokens %+v %v", ts, err)
	}
	return ts[0].ID
}
