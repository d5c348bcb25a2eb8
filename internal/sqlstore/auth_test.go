package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/totp"
)

// Passwords that meet the policy and contain none of the usernames below.
const (
	authPW  = "Caoyuan#Lan7"
	authPW2 = "Hulun#Buir88"
	authPW3 = "Xilin#Gol2026"
)

// The three administrators of 兴安盟, as actors only: their ids name no
// account, so no account they manage is their own.
var (
	authSys     = &access.Actor{UserID: 9001, Username: "sys", Grants: []access.Grant{{Role: access.SysAdmin, Region: xingan}}}
	authSec     = &access.Actor{UserID: 9002, Username: "sec", Grants: []access.Grant{{Role: access.SecAdmin, Region: xingan}}}
	authAuditor = &access.Actor{UserID: 9003, Username: "auditor", Grants: []access.Grant{{Role: access.AuditAdmin, Region: xingan}}}
)

// authClock replaces the store's clock with one the test moves.
type authClock struct{ now time.Time }

func authClockOn(db *sqlstore.DB) *authClock {
	c := &authClock{now: db.Now()}
	db.Now = func() time.Time { return c.now }
	return c
}

func (c *authClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// authKey returns the message key of a service error, or "".
func authKey(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Msg.Key
	}
	return ""
}

// authFieldKey returns the message key of the problem reported on field.
func authFieldKey(err error, field string) string {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return ""
	}
	for _, f := range fe.Fields {
		if f.Name == field {
			return f.Msg.Key
		}
	}
	return ""
}

// authRefused fails unless err is the one answer every refused sign-in
// shares, which tells an unknown user from a wrong password from a locked
// account in nothing.
func authRefused(t *testing.T, err error, what string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.Unauthorized || fe.Msg.Key != "auth.login.failed" || len(fe.Msg.Args) != 0 || len(fe.Fields) != 0 || fe.Err != nil {
		t.Fatalf("%s: %#v, want exactly unauthorized auth.login.failed", what, err)
	}
}

// authUser creates an account with password authPW and grants.
func authUser(t *testing.T, db *sqlstore.DB, username string, grants ...access.Grant) int64 {
	t.Helper()
	id, err := db.CreateUser(context.Background(), nil, username, username, authPW, grants)
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return id
}

func authLogin(t *testing.T, auth *sqlstore.AuthService, login, pw string) string {
	t.Helper()
	tok, err := auth.Login(context.Background(), login, pw)
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	if tok == "" {
		t.Fatalf("login %s: empty token", login)
	}
	return tok
}

func authSession(t *testing.T, auth *sqlstore.AuthService, tok, what string) *access.Session {
	t.Helper()
	s, err := auth.Session(context.Background(), tok)
	if err != nil {
		t.Fatalf("%s: session refused: %v", what, err)
	}
	return s
}

func authGone(t *testing.T, auth *sqlstore.AuthService, tok, what string) {
	t.Helper()
	if s, err := auth.Session(context.Background(), tok); !fault.Is(err, fault.Unauthorized) || s != nil {
		t.Fatalf("%s: session %+v, %v; want unauthorized", what, s, err)
	}
}

// authActions counts the audit trail's entries by action, as the audit
// administrator reads them.
func authActions(t *testing.T, db *sqlstore.DB, f audit.Filter) (map[string]int, []audit.Entry) {
	t.Helper()
	f.Limit = 500
	es, total, err := db.Audit().Entries(context.Background(), authAuditor, f)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(es) {
		t.Fatalf("audit: %d of %d entries on one page", len(es), total)
	}
	n := map[string]int{}
	for _, e := range es {
		n[e.Action]++
	}
	return n, es
}

func grantsString(gs []access.Grant) string {
	var parts []string
	for _, g := range gs {
		parts = append(parts, fmt.Sprintf("%s@%s/%d", g.Role, g.Region, g.Household))
	}
	return strings.Join(parts, ",")
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := authClockOn(db)
		policy := access.DefaultPolicy()
		auth, users := db.Auth(policy), db.Users(policy)
		id, pw, err := users.CreateUser(ctx, authSys, access.NewUser{Username: "bateer", DisplayName: "巴特尔", Phone: "139 1234 5678"})
		if err != nil {
			t.Fatal(err)
		}
		if access.PasswordProblem(pw, "bateer") != "" {
			t.Fatalf("one-time password %q breaks the policy", pw)
		}
		s := authSession(t, auth, authLogin(t, auth, "bateer", pw), "by username")
		if s.Actor.UserID != id || s.Actor.Username != "bateer" || !s.MustChange || s.CSRF == "" || !s.Created.Equal(clock.now) {
			t.Fatalf("session by username = %+v, actor %+v", s, s.Actor)
		}
		for _, login := range []string{"13912345678", " +86 139-1234-5678 "} {
			if s := authSession(t, auth, authLogin(t, auth, login, pw), login); s.Actor.UserID != id || s.Actor.Username != "bateer" {
				t.Fatalf("login by mobile %q is user %+v, want %d", login, s.Actor, id)
			}
		}

		_, err = auth.Login(ctx, "nobody", pw)
		authRefused(t, err, "unknown username")
		_, err = auth.Login(ctx, "13800000000", pw)
		authRefused(t, err, "unknown mobile")
		_, err = auth.Login(ctx, "", "")
		authRefused(t, err, "empty")

		// Four failures, then the right password, which clears the count:
		// four more do not lock, the fifth in a row does.
		for i := 0; i < 4; i++ {
			_, err := auth.Login(ctx, "bateer", "Wrong#Pass"+fmt.Sprint(i))
			authRefused(t, err, "wrong password")
		}
		authLogin(t, auth, "bateer", pw)
		for i := 0; i < 4; i++ {
			_, err := auth.Login(ctx, "13912345678", "Wrong#Pass"+fmt.Sprint(i))
			authRefused(t, err, "wrong password by mobile")
		}
		if u, err := users.User(ctx, authSys, id); err != nil || u.Locked {
			t.Fatalf("locked after 4 failures that followed a success: %+v, %v", u, err)
		}
		_, err = auth.Login(ctx, "bateer", "Wrong#Pass9")
		authRefused(t, err, "fifth wrong password")
		if u, err := users.User(ctx, authSys, id); err != nil || !u.Locked {
			t.Fatalf("not locked after 5 failures: %+v, %v", u, err)
		}
		_, err = auth.Login(ctx, "bateer", pw)
		authRefused(t, err, "right password while locked")
		clock.advance(29 * time.Minute)
		_, err = auth.Login(ctx, "13912345678", pw)
		authRefused(t, err, "right password 29 minutes into the lock")
		clock.advance(2 * time.Minute)
		authLogin(t, auth, "bateer", pw)
		if u, err := users.User(ctx, authSys, id); err != nil || u.Locked {
			t.Fatalf("still locked after a sign-in: %+v, %v", u, err)
		}

		if err := users.SetDisabled(ctx, authSys, id, true); err != nil {
			t.Fatal(err)
		}
		_, err = auth.Login(ctx, "bateer", pw)
		authRefused(t, err, "right password of a disabled account")

		n, es := authActions(t, db, audit.Filter{Action: "auth."})
		want := map[string]int{"auth.login": 5, "auth.login_failed": 3 + 9, "auth.lockout": 1, "auth.login_locked": 2, "auth.login_disabled": 1}
		for action, w := range want {
			if n[action] != w {
				t.Errorf("%d %s entries, want %d (all: %v)", n[action], action, w, n)
			}
		}
		target := fmt.Sprintf("user:%d", id)
		for _, e := range es {
			if strings.Contains(e.Detail, "13912345678") {
				t.Errorf("entry %d %s keeps the mobile number in clear: %q", e.ID, e.Action, e.Detail)
			}
			switch e.Action {
			case "auth.lockout":
				if e.Target != target || e.Outcome != "locked" || e.ActorID != id || e.Actor != "bateer" {
					t.Errorf("lockout entry = %+v", e)
				}
			case "auth.login_locked", "auth.login_disabled":
				if e.Target != target || e.Outcome != "failed" || e.ActorID != id {
					t.Errorf("%s entry = %+v", e.Action, e)
				}
			case "auth.login_failed":
				if e.Outcome != "failed" || e.Target != target && e.Target != "user:?" {
					t.Errorf("failed sign-in entry = %+v", e)
				}
			}
		}
		if _, total, _ := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "auth.login_failed", Outcome: "failed"}); total != want["auth.login_failed"] {
			t.Errorf("filter by action and outcome: %d entries", total)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clock := authClockOn(db)
		auth := db.Auth(access.DefaultPolicy())
		authUser(t, db, "nongmin", access.Grant{Role: access.Operator, Region: pingan})
		authUser(t, db, "xitong", access.Grant{Role: access.SysAdmin, Region: xingan})

		// A village official: 30 minutes idle.
		a, b := authLogin(t, auth, "nongmin", authPW), authLogin(t, auth, "nongmin", authPW)
		clock.advance(29 * time.Minute)
		if s := authSession(t, auth, a, "29 minutes idle"); s.Actor.IsAdmin() || s.SecondFactor != "" {
			t.Fatalf("village operator session = %+v", s)
		}
		clock.advance(2 * time.Minute)
		_, err := auth.Session(context.Background(), b)
		if !fault.Is(err, fault.Unauthorized) || authKey(err) != "auth.session.expired" {
			t.Fatalf("31 minutes idle: %v, want auth.session.expired", err)
		}
		authGone(t, auth, b, "an expired session, again")
		authSession(t, auth, a, "2 minutes after its last use")

		// An administrator: 15 minutes idle.
		c, d := authLogin(t, auth, "xitong", authPW), authLogin(t, auth, "xitong", authPW)
		clock.advance(14 * time.Minute)
		if s := authSession(t, auth, c, "administrator 14 minutes idle"); !s.Actor.IsAdmin() {
			t.Fatalf("administrator session = %+v", s.Actor)
		}
		clock.advance(2 * time.Minute)
		authGone(t, auth, d, "administrator 16 minutes idle")
		authSession(t, auth, c, "administrator 2 minutes after its last use")

		// Twelve hours at most, however busy.
		e := authLogin(t, auth, "nongmin", authPW)
		for i := 1; i <= 71; i++ {
			clock.advance(10 * time.Minute)
			authSession(t, auth, e, fmt.Sprintf("in use, %v after sign-in", time.Duration(i)*10*time.Minute))
		}
		clock.advance(20 * time.Minute)
		authGone(t, auth, e, "12h10m after sign-in")
	})
}

func TestSessionEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		policy := access.DefaultPolicy()
		auth, users := db.Auth(policy), db.Users(policy)
		uid := authUser(t, db, "gaoshan", access.Grant{Role: access.Operator, Region: pingan})

		// Signing out on one device signs out on all.
		a, b := authLogin(t, auth, "gaoshan", authPW), authLogin(t, auth, "gaoshan", authPW)
		if err := auth.Logout(ctx, a); err != nil {
			t.Fatal(err)
		}
		authGone(t, auth, a, "the session signed out")
		authGone(t, auth, b, "another session of the user who signed out")
		if err := auth.Logout(ctx, "no-such-token"); err != nil {
			t.Fatalf("logout of an unknown token: %v", err)
		}
		n, es := authActions(t, db, audit.Filter{Action: "auth.logout"})
		if n["auth.logout"] != 1 || es[0].Target != fmt.Sprintf("user:%d", uid) || es[0].ActorID != uid {
			t.Fatalf("logout entries = %+v", es)
		}
		// The audit administrator's filter by user matches the actor's
		// name, so a sign-out must carry it.
		if _, total, _ := db.Audit().Entries(ctx, authAuditor, audit.Filter{Actor: "gaoshan", Action: "auth.logout"}); es[0].Actor != "gaoshan" || total != 1 {
			t.Errorf("logout entry names actor %q; %d found by user", es[0].Actor, total)
		}

		// Changing the password ends every session, this one included.
		a, b = authLogin(t, auth, "gaoshan", authPW), authLogin(t, auth, "gaoshan", authPW)
		me := authSession(t, auth, a, "before the change").Actor
		if err := auth.ChangePassword(ctx, me, authPW, authPW2); err != nil {
			t.Fatal(err)
		}
		authGone(t, auth, a, "the session that changed the password")
		authGone(t, auth, b, "another session after a password change")
		_, err := auth.Login(ctx, "gaoshan", authPW)
		authRefused(t, err, "the old password")
		if s := authSession(t, auth, authLogin(t, auth, "gaoshan", authPW2), "new password"); s.MustChange {
			t.Fatal("a password the user chose must still be changed")
		}

		// Disabling ends the sessions and refuses sign-in; enabling
		// restores the account as it was.
		c := authLogin(t, auth, "gaoshan", authPW2)
		if err := users.SetDisabled(ctx, authSys, uid, true); err != nil {
			t.Fatal(err)
		}
		authGone(t, auth, c, "a session of a disabled account")
		_, err = auth.Login(ctx, "gaoshan", authPW2)
		authRefused(t, err, "a disabled account")
		if err := users.SetDisabled(ctx, authSys, uid, false); err != nil {
			t.Fatal(err)
		}

		// Grants are read on every request.
		d := authLogin(t, auth, "gaoshan", authPW2)
		if s := authSession(t, auth, d, "re-enabled"); grantsString(s.Actor.Grants) != "operator@"+pingan+"/0" {
			t.Fatalf("grants = %v", s.Actor.Grants)
		}
		if err := users.Revoke(ctx, authSec, uid, access.Grant{Role: access.Operator, Region: pingan}); err != nil {
			t.Fatal(err)
		}
		if s := authSession(t, auth, d, "after revoke"); len(s.Actor.Grants) != 0 || s.Actor.Can(access.RegistryRead, pingan) {
			t.Fatalf("revoked grant still held: %v", s.Actor.Grants)
		}
		if err := users.Grant(ctx, authSec, uid, access.Grant{Role: access.Reviewer, Region: keerqin}); err != nil {
			t.Fatal(err)
		}
		s := authSession(t, auth, d, "after grant")
		if grantsString(s.Actor.Grants) != "reviewer@"+keerqin+"/0" || s.SecondFactor != "enrol" {
			t.Fatalf("after a township grant: grants %v, second factor %q", s.Actor.Grants, s.SecondFactor)
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := authClockOn(db)
		auth := db.Auth(access.DefaultPolicy())
		authUser(t, db, "wulan")
		tok := authLogin(t, auth, "wulan", authPW)
		me := authSession(t, auth, tok, "wulan").Actor
		for _, c := range []struct{ pw, key string }{
			{"Ab1!xyz", "auth.password.short"},
			{"abcdefgh12", "auth.password.classes"},
			{"ABCDEFGH!!", "auth.password.classes"},
			{"Admin@123", "auth.password.common"},
			{"Wulan#2026x", "auth.password.username"},
			{authPW, "auth.password.same"},
		} {
			err := auth.ChangePassword(ctx, me, authPW, c.pw)
			if !fault.Is(err, fault.Invalid) || authFieldKey(err, "new") != c.key {
				t.Errorf("new password %q: %v, want %s on field new", c.pw, err, c.key)
			}
		}
		err := auth.ChangePassword(ctx, me, "Wrong#Old99", authPW2)
		if !fault.Is(err, fault.Invalid) || authFieldKey(err, "old") != "auth.password.wrong" {
			t.Fatalf("wrong old password: %v", err)
		}
		authSession(t, auth, tok, "after refused changes")
		_, err = auth.Login(ctx, "wulan", authPW2)
		authRefused(t, err, "a new password that was refused")

		if err := auth.ChangePassword(ctx, me, authPW, authPW2); err != nil {
			t.Fatal(err)
		}
		clock.advance(89 * 24 * time.Hour)
		if s := authSession(t, auth, authLogin(t, auth, "wulan", authPW2), "89 days"); s.MustChange {
			t.Fatal("an 89-day-old password must be changed")
		}
		clock.advance(2 * 24 * time.Hour)
		s := authSession(t, auth, authLogin(t, auth, "wulan", authPW2), "91 days")
		if !s.MustChange {
			t.Fatal("a 91-day-old password need not be changed")
		}
		if err := auth.ChangePassword(ctx, s.Actor, authPW2, authPW3); err != nil {
			t.Fatal(err)
		}
		if s := authSession(t, auth, authLogin(t, auth, "wulan", authPW3), "after the change"); s.MustChange {
			t.Fatal("must still change a password just changed")
		}
	})
}

// authWrongCode returns a well-formed code that is not valid now.
func authWrongCode(secret string, now time.Time) string {
	for i := 123456; ; i++ {
		c := fmt.Sprintf("%06d", i%1000000)
		if _, ok := totp.Verify(secret, c, now, 2); !ok {
			return c
		}
	}
}

func TestSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := authClockOn(db)
		auth := db.Auth(access.DefaultPolicy())
		authUser(t, db, "zhenli", access.Grant{Role: access.Operator, Region: keerqin})
		authUser(t, db, "cunli", access.Grant{Role: access.Operator, Region: pingan})
		authUser(t, db, "xitong", access.Grant{Role: access.SysAdmin, Region: xingan})

		village := authLogin(t, auth, "cunli", authPW)
		if s := authSession(t, auth, village, "village operator"); s.SecondFactor != "" {
			t.Fatalf("village operator is asked %q", s.SecondFactor)
		}
		sys := authLogin(t, auth, "xitong", authPW)
		if s := authSession(t, auth, sys, "administrator"); s.SecondFactor != "enrol" {
			t.Fatalf("administrator is asked %q, want enrol", s.SecondFactor)
		}
		tok := authLogin(t, auth, "zhenli", authPW)
		if s := authSession(t, auth, tok, "township official"); s.SecondFactor != "enrol" {
			t.Fatalf("township official is asked %q, want enrol", s.SecondFactor)
		}
		if err := auth.VerifySecondFactor(ctx, tok, "123456"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("a code before enrolment: %v, want conflict", err)
		}
		secret, err := auth.EnrolSecondFactor(ctx, tok)
		if err != nil || secret == "" {
			t.Fatalf("enrol: %q, %v", secret, err)
		}
		if s := authSession(t, auth, tok, "enrolment started"); s.SecondFactor != "enrol" {
			t.Fatalf("an unconfirmed enrolment counts: %q", s.SecondFactor)
		}
		code, err := totp.Code(secret, clock.now)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.VerifySecondFactor(ctx, tok, code); err != nil {
			t.Fatalf("first code: %v", err)
		}
		if s := authSession(t, auth, tok, "verified"); s.SecondFactor != "" {
			t.Fatalf("after the first code: %q", s.SecondFactor)
		}
		if _, err := auth.EnrolSecondFactor(ctx, tok); !fault.Is(err, fault.Conflict) {
			t.Fatalf("enrolling again replaces the authenticator: %v", err)
		}

		// A new session must verify, and the code just used is spent.
		tok2 := authLogin(t, auth, "zhenli", authPW)
		if s := authSession(t, auth, tok2, "second session"); s.SecondFactor != "verify" {
			t.Fatalf("second session is asked %q, want verify", s.SecondFactor)
		}
		if err := auth.VerifySecondFactor(ctx, tok2, code); !fault.Is(err, fault.Invalid) || authFieldKey(err, "code") != "auth.mfa.used" {
			t.Fatalf("replayed code: %v, want invalid auth.mfa.used", err)
		}
		if s := authSession(t, auth, tok2, "after a replay"); s.SecondFactor != "verify" {
			t.Fatalf("a replayed code passed: %q", s.SecondFactor)
		}
		next, _ := totp.Code(secret, clock.now.Add(30*time.Second))
		if err := auth.VerifySecondFactor(ctx, tok2, next); err != nil {
			t.Fatalf("the next step's code: %v", err)
		}
		if s := authSession(t, auth, tok2, "verified again"); s.SecondFactor != "" {
			t.Fatalf("after the next code: %q", s.SecondFactor)
		}

		// Five wrong codes in a row end the session.
		tok3 := authLogin(t, auth, "zhenli", authPW)
		clock.advance(5 * time.Minute)
		wrong := authWrongCode(secret, clock.now)
		for i := 1; i <= 5; i++ {
			if err := auth.VerifySecondFactor(ctx, tok3, wrong); !fault.Is(err, fault.Invalid) || authFieldKey(err, "code") != "auth.mfa.wrong" {
				t.Fatalf("wrong code %d: %v, want invalid auth.mfa.wrong", i, err)
			}
			if i == 4 {
				authSession(t, auth, tok3, "after four wrong codes")
			}
		}
		authGone(t, auth, tok3, "after five wrong codes")
		good, _ := totp.Code(secret, clock.now)
		if err := auth.VerifySecondFactor(ctx, tok3, good); !fault.Is(err, fault.Unauthorized) {
			t.Fatalf("a code for an ended session: %v", err)
		}
		// Wrong codes count toward the account's lockout too (six with
		// the replay), which ends the user's other sessions as well.
		authGone(t, auth, tok2, "another session, after the account locked on wrong codes")

		n, _ := authActions(t, db, audit.Filter{Action: "auth.mfa"})
		if n["auth.mfa_enrol"] != 1 || n["auth.mfa"] != 1 || n["auth.mfa_failed"] != 6 {
			t.Errorf("second-factor audit entries = %v", n)
		}

		if _, err := auth.Login(ctx, "zhenli", authPW); !fault.Is(err, fault.Unauthorized) {
			t.Fatalf("login while locked by wrong codes: %v", err)
		}
		clock.advance(31 * time.Minute)

		// The demo asks nobody.
		skip := access.DefaultPolicy()
		skip.SkipMFA = true
		demo := db.Auth(skip)
		for _, tk := range []string{authLogin(t, auth, "xitong", authPW), authLogin(t, auth, "zhenli", authPW)} {
			if s := authSession(t, demo, tk, "SkipMFA"); s.SecondFactor != "" {
				t.Fatalf("with SkipMFA %s is asked %q", s.Actor.Username, s.SecondFactor)
			}
		}
	})
}

func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		policy := access.DefaultPolicy()
		users, auth := db.Users(policy), db.Auth(policy)
		secID := authUser(t, db, "anquan", access.Grant{Role: access.SecAdmin, Region: xingan})
		secSelf := &access.Actor{UserID: secID, Username: "anquan", Grants: []access.Grant{{Role: access.SecAdmin, Region: xingan}}}
		home := mustHousehold(t, db, pingan, "001", person("巴特尔", 1, "1980-05-06", registry.Male))
		away := mustHousehold(t, db, "152221100200", "001", person("其其格", 2, "1982-07-08", registry.Female))

		// The system administrator manages accounts, never roles.
		id, pw, err := users.CreateUser(ctx, authSys, access.NewUser{Username: "cunmin", DisplayName: "村民"})
		if err != nil || pw == "" {
			t.Fatalf("sysadmin creates an account: %v", err)
		}
		if _, _, err := users.CreateUser(ctx, authSys, access.NewUser{Username: "cunmin"}); !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate username: %v", err)
		}
		pw2, err := users.ResetPassword(ctx, authSys, id)
		if err != nil || pw2 == "" || pw2 == pw {
			t.Fatalf("sysadmin resets a password: %q, %v", pw2, err)
		}
		if err := users.SetDisabled(ctx, authSys, id, true); err != nil {
			t.Fatalf("sysadmin disables: %v", err)
		}
		if err := users.SetDisabled(ctx, authSys, id, false); err != nil {
			t.Fatalf("sysadmin enables: %v", err)
		}
		if _, err := users.Users(ctx, authSys); err != nil {
			t.Fatalf("sysadmin lists accounts: %v", err)
		}
		op := access.Grant{Role: access.Operator, Region: pingan}
		if err := users.Grant(ctx, authSys, id, op); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("sysadmin grants a role: %v", err)
		}
		if err := users.Grant(ctx, authSys, id, access.Grant{Role: access.SysAdmin, Region: xingan}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("sysadmin grants sysadmin: %v", err)
		}

		// The security administrator manages roles within their region,
		// never accounts, never their own.
		if err := users.Grant(ctx, authSec, id, op); err != nil {
			t.Fatalf("secadmin grants in their region: %v", err)
		}
		if u, err := users.User(ctx, authSec, id); err != nil || grantsString(u.Grants) != "operator@"+pingan+"/0" {
			t.Fatalf("granted user = %+v, %v", u, err)
		}
		if err := users.Grant(ctx, authSec, id, access.Grant{Role: access.Operator, Region: "150100000000"}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin of 兴安盟 grants at 呼和浩特市: %v", err)
		}
		if err := users.Grant(ctx, authSec, id, access.Grant{Role: access.Operator, Region: "150000000000"}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin of 兴安盟 grants at the region above: %v", err)
		}
		if err := users.Grant(ctx, secSelf, secID, op); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin grants to themselves: %v", err)
		}
		if err := users.Revoke(ctx, secSelf, secID, access.Grant{Role: access.SecAdmin, Region: xingan}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin revokes their own role: %v", err)
		}
		if err := users.Grant(ctx, authSec, id, access.Grant{Role: "superuser", Region: pingan}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("unknown role: %v", err)
		}
		if err := users.Grant(ctx, authSec, id, access.Grant{Role: access.Operator, Region: "152221100999"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("grant at a region that does not exist: %v", err)
		}
		if err := users.Grant(ctx, authSec, 99999, op); !fault.Is(err, fault.NotFound) {
			t.Fatalf("grant to no account: %v", err)
		}
		if err := users.Revoke(ctx, authSec, id, access.Grant{Role: access.Operator, Region: "150100000000"}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin of 兴安盟 revokes at 呼和浩特市: %v", err)
		}
		if err := users.Revoke(ctx, authSec, id, op); err != nil {
			t.Fatalf("secadmin revokes: %v", err)
		}
		if err := users.Revoke(ctx, authSec, id, op); !fault.Is(err, fault.NotFound) {
			t.Fatalf("revoke of a grant not held: %v", err)
		}
		if _, _, err := users.CreateUser(ctx, authSec, access.NewUser{Username: "other"}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin creates an account: %v", err)
		}
		if _, err := users.ResetPassword(ctx, authSec, id); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin resets a password: %v", err)
		}
		if err := users.SetDisabled(ctx, authSec, id, true); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("secadmin disables an account: %v", err)
		}

		// The audit administrator and an official do neither.
		for _, a := range []*access.Actor{authAuditor, operatorAt(pingan), admin} {
			if _, _, err := users.CreateUser(ctx, a, access.NewUser{Username: "x" + a.Username}); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s creates an account: %v", a.Username, err)
			}
			if _, err := users.ResetPassword(ctx, a, id); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s resets a password: %v", a.Username, err)
			}
			if err := users.SetDisabled(ctx, a, id, true); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s disables an account: %v", a.Username, err)
			}
			if err := users.Grant(ctx, a, id, op); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s grants a role: %v", a.Username, err)
			}
			if err := users.Revoke(ctx, a, secID, access.Grant{Role: access.SecAdmin, Region: xingan}); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s revokes a role: %v", a.Username, err)
			}
			if _, err := users.Users(ctx, a); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s lists accounts: %v", a.Username, err)
			}
			if _, err := users.User(ctx, a, id); !fault.Is(err, fault.Forbidden) {
				t.Errorf("%s reads an account: %v", a.Username, err)
			}
		}
		if _, _, err := db.Audit().Entries(ctx, authSys, audit.Filter{}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("sysadmin reads the audit trail: %v", err)
		}
		if _, _, err := db.Audit().Entries(ctx, authSec, audit.Filter{}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("secadmin reads the audit trail: %v", err)
		}

		// A villager's grant names a household of that very village.
		for _, g := range []access.Grant{
			{Role: access.Villager, Region: pingan},
			{Role: access.Villager, Region: pingan, Household: away.ID},
			{Role: access.Villager, Region: pingan, Household: 99999},
			{Role: access.Operator, Region: pingan, Household: home.ID},
		} {
			if err := users.Grant(ctx, authSec, id, g); !fault.Is(err, fault.Invalid) || authFieldKey(err, "household") != "role.household" {
				t.Errorf("grant %+v: %v, want invalid role.household", g, err)
			}
		}
		villager := access.Grant{Role: access.Villager, Region: pingan, Household: home.ID}
		if err := users.Grant(ctx, authSec, id, villager); err != nil {
			t.Fatalf("villager grant: %v", err)
		}
		s := authSession(t, auth, authLogin(t, auth, "cunmin", pw2), "villager")
		if s.Actor.Household() != home.ID || grantsString(s.Actor.Grants) != fmt.Sprintf("villager@%s/%d", pingan, home.ID) || s.SecondFactor != "" || !s.MustChange {
			t.Fatalf("villager session = %+v, grants %v", s, s.Actor.Grants)
		}

		n, _ := authActions(t, db, audit.Filter{Action: "role."})
		if n["role.grant"] != 3 || n["role.revoke"] != 1 {
			t.Errorf("role audit entries = %v (secadmin's own grant, operator, villager; one revoke)", n)
		}
	})
}

// TestAdminRolesStaySeparate: 三权分立 means three people, not three roles
// one person may collect, and no administrator is also an official.
func TestAdminRolesStaySeparate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		users := db.Users(access.DefaultPolicy())
		sys := authUser(t, db, "xitong", access.Grant{Role: access.SysAdmin, Region: xingan})
		official := authUser(t, db, "guanyuan", access.Grant{Role: access.Operator, Region: pingan})
		for _, c := range []struct {
			id int64
			g  access.Grant
		}{
			{sys, access.Grant{Role: access.AuditAdmin, Region: xingan}},
			{sys, access.Grant{Role: access.SecAdmin, Region: xingan}},
			{sys, access.Grant{Role: access.Operator, Region: pingan}},
			{official, access.Grant{Role: access.AuditAdmin, Region: xingan}},
			{official, access.Grant{Role: access.SysAdmin, Region: qianqi}},
		} {
			if err := users.Grant(ctx, authSec, c.id, c.g); !fault.Is(err, fault.Conflict) || authFieldKey(err, "role") != "role.admin_exclusive" {
				t.Errorf("grant %+v to user %d: %v, want conflict role.admin_exclusive", c.g, c.id, err)
			}
		}
		// The same role at another region, and another official role,
		// mix no duties.
		if err := users.Grant(ctx, authSec, sys, access.Grant{Role: access.SysAdmin, Region: qianqi}); err != nil {
			t.Errorf("sysadmin at a second region: %v", err)
		}
		if err := users.Grant(ctx, authSec, official, access.Grant{Role: access.Reviewer, Region: keerqin}); err != nil {
			t.Errorf("a second official role: %v", err)
		}
		u, err := users.User(ctx, authSec, sys)
		if err != nil || grantsString(u.Grants) != "sysadmin@"+xingan+"/0,sysadmin@"+qianqi+"/0" {
			t.Fatalf("system administrator's grants = %+v, %v", u, err)
		}

		// An account that mixes duties already (made before the rule, or
		// by the store-level CreateUser, which grants unchecked) must be
		// put right by revoking one side.
		mixed := authUser(t, db, "hunhe", access.Grant{Role: access.SysAdmin, Region: xingan}, access.Grant{Role: access.Operator, Region: pingan})
		// The exclusivity rule applies to Grant only: run from Revoke (as it
		// once was, through checkGrant) it would refuse to touch either
		// role of a mixed account.
		for _, g := range []access.Grant{{Role: access.Operator, Region: pingan}, {Role: access.SysAdmin, Region: xingan}} {
			if err := users.Revoke(ctx, authSec, mixed, g); err != nil {
				t.Errorf("revoking %s from an account that mixes duties: %v", g.Role, err)
			}
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := authClockOn(db)
		policy := access.DefaultPolicy()
		auth, users := db.Auth(policy), db.Users(policy)
		uid := authUser(t, db, "duijie", access.Grant{Role: access.Operator, Region: pingan})
		me := &access.Actor{UserID: uid, Username: "duijie", Grants: []access.Grant{{Role: access.Operator, Region: pingan}}}

		for _, c := range []struct {
			name string
			ttl  time.Duration
		}{{"对接", policy.TokenMaxAge + time.Hour}, {"对接", 0}, {"对接", -time.Hour}, {" ", 24 * time.Hour}, {strings.Repeat("长", 61), 24 * time.Hour}} {
			if _, err := users.CreateToken(ctx, me, c.name, c.ttl); !fault.Is(err, fault.Invalid) {
				t.Errorf("token %q for %v: %v, want invalid", c.name, c.ttl, err)
			}
		}
		secret, err := users.CreateToken(ctx, me, "省平台对接", policy.TokenMaxAge)
		if err != nil || !strings.HasPrefix(secret, "szt_") || len(secret) < 40 {
			t.Fatalf("token %q, %v", secret, err)
		}
		s := authSession(t, auth, secret, "API token")
		if s.Actor.UserID != uid || s.Actor.Username != "duijie" || grantsString(s.Actor.Grants) != "operator@"+pingan+"/0" || s.CSRF != "" || !s.MustChange {
			t.Fatalf("token session = %+v, actor %+v", s, s.Actor)
		}
		for _, bad := range []string{"szt_", "szt_" + strings.Repeat("A", 43), secret + "x", strings.TrimPrefix(secret, "szt_")} {
			if _, err := auth.Session(ctx, bad); !fault.Is(err, fault.Unauthorized) {
				t.Errorf("forged token %q: %v", bad, err)
			}
		}
		list, err := users.Tokens(ctx, me)
		if err != nil || len(list) != 1 || list[0].Name != "省平台对接" || list[0].Revoked || !list[0].Expires.Equal(clock.now.Add(policy.TokenMaxAge)) {
			t.Fatalf("tokens = %+v, %v", list, err)
		}
		if err := users.RevokeToken(ctx, authSys, list[0].ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("someone else revokes the token: %v", err)
		}
		if err := users.RevokeToken(ctx, me, list[0].ID); err != nil {
			t.Fatal(err)
		}
		authGone(t, auth, secret, "a revoked token")
		if err := users.RevokeToken(ctx, me, list[0].ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("revoked twice: %v", err)
		}

		day, err := users.CreateToken(ctx, me, "一天", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		clock.advance(23 * time.Hour)
		authSession(t, auth, day, "a token 23 hours old")
		clock.advance(time.Hour)
		authGone(t, auth, day, "a token at its expiry")

		long, err := users.CreateToken(ctx, me, "长期", 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := users.SetDisabled(ctx, authSys, uid, true); err != nil {
			t.Fatal(err)
		}
		authGone(t, auth, long, "a token of a disabled user")
		if err := users.SetDisabled(ctx, authSys, uid, false); err != nil {
			t.Fatal(err)
		}
		authSession(t, auth, long, "a token of a re-enabled user")

		n, _ := authActions(t, db, audit.Filter{Action: "token."})
		if n["token.create"] != 3 || n["token.revoke"] != 1 {
			t.Errorf("token audit entries = %v", n)
		}
	})
}
