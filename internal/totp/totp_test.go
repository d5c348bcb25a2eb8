package totp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the ASCII key "12345678901234567890" of RFC 6238 Appendix B
// in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestRFC6238Vectors(t *testing.T) {
	if got := base32.StdEncoding.EncodeToString([]byte("12345678901234567890")); got != rfcSecret {
		t.Fatalf("rfcSecret = %s, want %s", rfcSecret, got)
	}
	// The SHA1 column of Appendix B has eight digits; six-digit codes are
	// its last six, since both are the same number modulo 10^6.
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		at := time.Unix(tc.unix, 0)
		want := tc.want[2:]
		got, err := Code(rfcSecret, at)
		if err != nil || got != want {
			t.Errorf("Code(%d) = %q, %v; want %q", tc.unix, got, err, want)
		}
		step, ok := Verify(rfcSecret, want, at, 0)
		if !ok || step != tc.unix/30 {
			t.Errorf("Verify(%d) = %d, %v; want %d, true", tc.unix, step, ok, tc.unix/30)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if len(a) != 32 || strings.ToUpper(a) != a || strings.Contains(a, "=") {
		t.Fatalf("secret %q is not 32 upper-case unpadded base32 characters", a)
	}
	key, err := base32.StdEncoding.DecodeString(a)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret %q decodes to %d bytes, %v", a, len(key), err)
	}
	now := time.Now()
	c, err := Code(a, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Verify(a, c, now, 1); !ok {
		t.Fatal("own code rejected")
	}
}

func TestVerifySkew(t *testing.T) {
	now := time.Unix(1234567890, 0) // step 41152263
	const step = 1234567890 / 30
	code := func(offset int64) string {
		c, err := Code(rfcSecret, now.Add(time.Duration(offset)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		offset int64
		skew   int
		ok     bool
	}{
		{0, 0, true},
		{-1, 0, false},
		{1, 0, false},
		{-1, 1, true},
		{1, 1, true},
		{-2, 1, false},
		{2, 1, false},
		{-2, 2, true},
		{2, 2, true},
		{1, -5, false},      // negative skew means 0
		{0, -5, true},       //
		{10, 1 << 40, true}, // huge skew is cut to 10
		{11, 1 << 40, false},
		{-11, 1 << 40, false},
	} {
		got, ok := Verify(rfcSecret, code(tc.offset), now, tc.skew)
		if ok != tc.ok {
			t.Errorf("offset %d skew %d: ok = %v, want %v", tc.offset, tc.skew, ok, tc.ok)
			continue
		}
		if ok && got != step+tc.offset {
			t.Errorf("offset %d skew %d: step = %d, want %d", tc.offset, tc.skew, got, step+tc.offset)
		}
		if !ok && got != 0 {
			t.Errorf("offset %d skew %d: rejected code returned step %d", tc.offset, tc.skew, got)
		}
	}
}

// TestVerifyLatestStep checks that a code valid for two steps in the window
// reports the later one, so a caller refusing steps ≤ the stored one can
// never accept the same digits twice.
func TestVerifyLatestStep(t *testing.T) {
	// Steps 37079356 and 37079357 both give 186519 for the RFC key; found
	// by search.
	for _, s := range []int64{37079356, 37079357} {
		if c, _ := Code(rfcSecret, time.Unix(s*30, 0)); c != "186519" {
			t.Fatalf("step %d code = %s, want 186519", s, c)
		}
	}
	step, ok := Verify(rfcSecret, "186519", time.Unix(37079356*30, 0), 1)
	if !ok || step != 37079357 {
		t.Fatalf("Verify = %d, %v; want 37079357, true", step, ok)
	}
}

func TestVerifyTolerance(t *testing.T) {
	at := time.Unix(59, 0) // code 287082
	lower := strings.ToLower(rfcSecret)
	grouped := "gezd gnbv gy3t qojq gezd gnbv gy3t qojq"
	for _, tc := range []struct {
		name, secret, code string
		ok                 bool
	}{
		{"plain", rfcSecret, "287082", true},
		{"lower-case secret", lower, "287082", true},
		{"grouped secret", grouped, "287082", true},
		{"padded secret", rfcSecret + "====", "287082", true},
		{"ideographic space in secret", "GEZDGNBVGY3TQOJQ\u3000GEZDGNBVGY3TQOJQ", "287082", true},
		{"spaced code", rfcSecret, " 287 082 ", true},
		{"full-width code", rfcSecret, "２８７　０８２", true},
		{"wrong code", rfcSecret, "287083", false},
		{"five digits", rfcSecret, "28708", false},
		{"seven digits", rfcSecret, "2870820", false},
		{"eight-digit RFC form", rfcSecret, "94287082", false},
		{"letters", rfcSecret, "28708a", false},
		{"all letters", rfcSecret, "abcdef", false},
		{"sign", rfcSecret, "+287082", false},
		{"other script digits", rfcSecret, "٢٨٧٠٨٢", false},
		{"empty code", rfcSecret, "", false},
		{"bad base32", "GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJ8", "287082", false},
		{"bad base32 length", rfcSecret + "G", "287082", false},
		{"spare bits set", rfcSecret + "GF", "287082", false},
		{"short secret", "GEZDGNBVGY3TQOJQ", "287082", false}, // 80 bits
		{"empty secret", "", "287082", false},
	} {
		if _, ok := Verify(tc.secret, tc.code, at, 1); ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.name, ok, tc.ok)
		}
	}
}

func TestCodeErrors(t *testing.T) {
	for _, secret := range []string{"", "not base32!", "GEZDGNBVGY3TQOJQ", rfcSecret + "G"} {
		if c, err := Code(secret, time.Unix(59, 0)); err == nil {
			t.Errorf("Code(%q) = %q, want error", secret, c)
		}
	}
	if c, err := Code(rfcSecret, time.Unix(-1, 0)); err == nil {
		t.Errorf("Code before 1970 = %q, want error", c)
	}
	if _, ok := Verify(rfcSecret, "287082", time.Unix(-1, 0), 1); ok {
		t.Error("Verify before 1970 accepted a code")
	}
}

func TestURI(t *testing.T) {
	for _, tc := range []struct {
		issuer, account, secret, want string
	}{
		{
			"善治", "zhangsan", rfcSecret,
			"otpauth://totp/%E5%96%84%E6%B2%BB:zhangsan?secret=" + rfcSecret +
				"&issuer=%E5%96%84%E6%B2%BB&algorithm=SHA1&digits=6&period=30",
		},
		{
			"A&B Co", "张三:1/2+3@x", "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
			"otpauth://totp/A%26B%20Co:%E5%BC%A0%E4%B8%89%3A1%2F2%2B3%40x?secret=" + rfcSecret +
				"&issuer=A%26B%20Co&algorithm=SHA1&digits=6&period=30",
		},
		{
			"", "li si", rfcSecret,
			"otpauth://totp/li%20si?secret=" + rfcSecret + "&algorithm=SHA1&digits=6&period=30",
		},
	} {
		got := URI(tc.issuer, tc.account, tc.secret)
		if got != tc.want {
			t.Errorf("URI(%q, %q) =\n %s\nwant\n %s", tc.issuer, tc.account, got, tc.want)
			continue
		}
		// What an app's URI parser sees must be the original strings.
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		label := tc.account
		if tc.issuer != "" {
			label = tc.issuer + ":" + tc.account
		}
		q := u.Query()
		if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/"+label ||
			q.Get("issuer") != tc.issuer || q.Get("secret") != rfcSecret {
			t.Errorf("URI(%q, %q) parses to host %q path %q query %v", tc.issuer, tc.account, u.Host, u.Path, q)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(rfcSecret, "287082", int64(59), 1)
	f.Add("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "２８７　０８２", int64(59), 0)
	f.Add("", "", int64(-1), -1)
	f.Add("====", "0000000", int64(1)<<62, 1<<62)
	f.Add(rfcSecret+"G", "\xff\xfe", int64(-1)<<62, -(1 << 62))
	f.Fuzz(func(t *testing.T, secret, code string, unix int64, skew int) {
		at := time.Unix(unix, 0)
		step, ok := Verify(secret, code, at, skew)
		if !ok {
			return
		}
		// An accepted code must be the one Code gives for the step Verify
		// reports, and that step must lie in the clamped window.
		key, err := decodeSecret(secret)
		if err != nil {
			t.Fatalf("accepted with a secret Code refuses: %v", err)
		}
		want := hotp(key, uint64(step))
		got, _ := normalizeCode(code)
		if string(got) != want {
			t.Fatalf("accepted %q for step %d, whose code is %s", code, step, want)
		}
		now := at.Unix() / 30
		s := int64(min(max(skew, 0), maxSkew))
		if step < now-s || step > now+s {
			t.Fatalf("step %d outside %d±%d", step, now, s)
		}
	})
}
