package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestAdminResetEndsEverything resets a reviewer's password: their
// sessions and API tokens stop at once, the one-time password only leads
// to setting a new one and only for a day, the sessions after it carry the
// reset's time for the pages to tell the user, and the administrator
// cannot reset their own password.
func TestAdminResetEndsEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := authClockOn(db)
		policy := access.DefaultPolicy()
		auth, users := db.Auth(policy), db.Users(policy)
		g := access.Grant{Role: access.Reviewer, Region: pingan}
		uid := authUser(t, db, "shenhe", g)
		me := &access.Actor{UserID: uid, Username: "shenhe", Grants: []access.Grant{g}}
		sess := authLogin(t, auth, "shenhe", authPW)
		if s := authSession(t, auth, sess, "before the reset"); !s.ResetAt.IsZero() {
			t.Fatalf("a session before any reset carries %v", s.ResetAt)
		}
		tok, err := users.CreateToken(ctx, me, "对接", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		authSession(t, auth, tok, "token before the reset")

		clock.advance(time.Minute)
		otp, err := users.ResetPassword(ctx, authSys, uid)
		if err != nil {
			t.Fatal(err)
		}
		authGone(t, auth, sess, "session after the reset")
		authGone(t, auth, tok, "API token after the reset")
		if list, err := users.Tokens(ctx, me); err != nil || len(list) != 1 || !list[0].Revoked {
			t.Fatalf("tokens after the reset: %+v, %v", list, err)
		}
		s := authSession(t, auth, authLogin(t, auth, "shenhe", otp), "one-time password")
		if !s.MustChange || !s.ResetAt.Equal(clock.now) {
			t.Fatalf("session on the one-time password = %+v", s)
		}
		// Set once: the one-time password is spent by the change.
		if err := auth.ChangePassword(ctx, me, otp, authPW2); err != nil {
			t.Fatal(err)
		}
		_, err = auth.Login(ctx, "shenhe", otp)
		authRefused(t, err, "one-time password after the change")
		s = authSession(t, auth, authLogin(t, auth, "shenhe", authPW2), "own new password")
		if s.MustChange || s.ResetAt.IsZero() {
			t.Fatalf("session after the change = %+v; the reset must still be told", s)
		}

		// Good for a day only.
		otp, err = users.ResetPassword(ctx, authSys, uid)
		if err != nil {
			t.Fatal(err)
		}
		clock.advance(access.ResetValid + time.Minute)
		_, err = auth.Login(ctx, "shenhe", otp)
		authRefused(t, err, "one-time password a day later")
		if n, _ := authActions(t, db, audit.Filter{Action: "auth.login_reset_expired"}); n["auth.login_reset_expired"] != 1 {
			t.Errorf("expired one-time password not audited: %v", n)
		}
		if n, es := authActions(t, db, audit.Filter{Action: "user.password_reset"}); n["user.password_reset"] != 2 || es[len(es)-1].Detail != "tokens=1" {
			t.Errorf("resets audited as %v %+v", n, es)
		}

		// An administrator's own password needs the current one.
		admin := authUser(t, db, "xitong2", access.Grant{Role: access.SysAdmin, Region: xingan})
		self := &access.Actor{UserID: admin, Username: "xitong2", Grants: []access.Grant{{Role: access.SysAdmin, Region: xingan}}}
		if _, err := users.ResetPassword(ctx, self, admin); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("self reset: %v", err)
		}
	})
}
