package access

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is an account.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	MustChange  bool
	Disabled    bool
	Grants      []Grant
}

// Session is a signed-in browser or client: the actor it acts for and the
// token its forms must echo back.
type Session struct {
	Actor      *Actor
	CSRF       string
	MustChange bool
	Created    time.Time
}

// Timeouts of a session: idle and absolute, as the level-3 baseline asks.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
)

// AuthService signs users in and out. Login returns fault.Unauthorized with
// one message for an unknown user and a wrong password alike, so the
// answer does not reveal which usernames exist.
type AuthService interface {
	Login(ctx context.Context, username, password, client string) (token string, err error)
	Session(ctx context.Context, token string) (*Session, error)
	Logout(ctx context.Context, token string) error
	ChangePassword(ctx context.Context, a *Actor, old, new string) error
}

// PasswordProblem names what is wrong with a new password as a catalogue
// key, or returns "". At least 8 characters from at least three of the four
// classes (lower, upper, digit, other), as GB/T 22239 level 3 expects, and
// not one of the passwords every guessing list starts with.
func PasswordProblem(pw, username string) string {
	if utf8.RuneCountInString(pw) < 8 {
		return "auth.password.short"
	}
	if utf8.RuneCountInString(pw) > 128 {
		return "auth.password.long"
	}
	var lower, upper, digit, other int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return "auth.password.classes"
	}
	l := strings.ToLower(pw)
	if username != "" && strings.Contains(l, strings.ToLower(username)) {
		return "auth.password.username"
	}
	for _, c := range commonPasswords {
		if l == c {
			return "auth.password.common"
		}
	}
	return ""
}

// commonPasswords are passwords that pass the class rule yet lead every
// guessing list, Chinese keyboard habits included.
var commonPasswords = []string{
	"password1!", "password@1", "p@ssw0rd", "p@ssw0rd1", "passw0rd!", "admin@123", "admin123!", "admin@1234", "abc@1234", "abc123!@#",
	"qwer1234!", "qwe123!@#", "1qaz@wsx", "1qaz2wsx!", "1qaz!qaz", "zaq1@wsx", "aa123456!", "a123456!", "a1234567!", "woaini1314!",
	"huawei@123", "root@123", "test@123", "welcome1!", "changeme1!", "shanzhi@123", "iloveyou1!", "123qwe!@#", "asd123!@#", "5201314@a",
}

type sessionKey struct{}

// WithSession stores the request's session in its context.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the request's session, or nil for an anonymous one.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// ActorFrom returns the acting user of the request, or nil.
func ActorFrom(ctx context.Context) *Actor {
	if s := SessionFrom(ctx); s != nil {
		return s.Actor
	}
	return nil
}
