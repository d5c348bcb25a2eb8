package server

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"shanzhi/internal/access"
)

func TestClientIP(t *testing.T) {
	const proxies = "127.0.0.1, ::1, 10.0.0.0/8, fd00::/8"
	type hdr struct{ name, value string }
	xff := func(v string) hdr { return hdr{"X-Forwarded-For", v} }
	xri := func(v string) hdr { return hdr{"X-Real-IP", v} }
	tests := []struct {
		name    string
		remote  string
		trusted string
		headers []hdr
		want    string
	}{
		// No proxy.
		{"direct", "203.0.113.5:51000", "", nil, "203.0.113.5"},
		{"direct, proxies configured", "203.0.113.5:51000", proxies, nil, "203.0.113.5"},
		{"nothing trusted ignores headers", "127.0.0.1:51000", "", []hdr{xff("198.51.100.7")}, "127.0.0.1"},

		// Headers from an untrusted peer are forgeries.
		{"spoofed XFF from untrusted peer", "203.0.113.5:51000", proxies, []hdr{xff("198.51.100.7")}, "203.0.113.5"},
		{"spoofed trusted-looking XFF", "203.0.113.5:51000", proxies, []hdr{xff("10.0.0.1")}, "203.0.113.5"},
		{"spoofed X-Real-IP from untrusted peer", "203.0.113.5:51000", proxies, []hdr{xri("198.51.100.7")}, "203.0.113.5"},

		// One trusted proxy.
		{"one proxy", "127.0.0.1:40000", proxies, []hdr{xff("198.51.100.7")}, "198.51.100.7"},
		{"one proxy, client-forged prefix", "127.0.0.1:40000", proxies, []hdr{xff("6.6.6.6, 198.51.100.7")}, "198.51.100.7"},
		{"one proxy, client-forged trusted prefix", "127.0.0.1:40000", proxies, []hdr{xff("10.9.9.9, 198.51.100.7")}, "198.51.100.7"},
		{"trusted proxy without headers", "127.0.0.1:40000", proxies, nil, "127.0.0.1"},

		// A chain of trusted proxies.
		{"chain", "10.0.0.2:40000", proxies, []hdr{xff("198.51.100.7, 10.0.0.1")}, "198.51.100.7"},
		{"chain with forged prefix", "10.0.0.3:40000", proxies, []hdr{xff("6.6.6.6, 198.51.100.7, 10.0.0.2, 10.0.0.1")}, "198.51.100.7"},
		{"chain all trusted returns leftmost", "10.0.0.3:40000", proxies, []hdr{xff("10.0.0.9, 10.0.0.1")}, "10.0.0.9"},

		// Spacing, empty elements and repeated lines.
		{"spaces and tabs", "10.0.0.2:40000", proxies, []hdr{xff("  198.51.100.7 ,\t10.0.0.1\t")}, "198.51.100.7"},
		{"empty elements ignored", "10.0.0.2:40000", proxies, []hdr{xff(",198.51.100.7,, 10.0.0.1, ,")}, "198.51.100.7"},
		{"two lines joined in order", "10.0.0.2:40000", proxies, []hdr{xff("6.6.6.6, 198.51.100.7"), xff("10.0.0.1")}, "198.51.100.7"},
		{"later line is nearer", "127.0.0.1:40000", proxies, []hdr{xff("198.51.100.7"), xff("203.0.113.9")}, "203.0.113.9"},
		{"chain split over lines", "127.0.0.1:40000", proxies, []hdr{xff("198.51.100.7"), xff("10.0.0.1"), xff(""), xff("10.0.0.2")}, "198.51.100.7"},

		// IPv6.
		{"IPv6 direct", "[2001:db8::1]:443", proxies, []hdr{xff("198.51.100.7")}, "2001:db8::1"},
		{"IPv6 loopback proxy", "[::1]:8080", proxies, []hdr{xff("2001:db8::5")}, "2001:db8::5"},
		{"IPv6 chain", "[fd00::2]:8080", proxies, []hdr{xff("2001:db8::5, fd00::1")}, "2001:db8::5"},
		{"IPv6 element bracketed with port", "[::1]:8080", proxies, []hdr{xff("[2001:db8::5]:1234")}, "2001:db8::5"},
		{"IPv6 element bracketed", "[::1]:8080", proxies, []hdr{xff("[2001:db8::5]")}, "2001:db8::5"},
		{"IPv6 canonical form", "[::1]:8080", proxies, []hdr{xff("2001:DB8:0:0::5")}, "2001:db8::5"},
		{"IPv4 element with port", "127.0.0.1:40000", proxies, []hdr{xff("198.51.100.7:5555")}, "198.51.100.7"},
		{"IPv4-mapped peer is trusted as IPv4", "[::ffff:10.0.0.1]:40000", proxies, []hdr{xff("198.51.100.7")}, "198.51.100.7"},
		{"IPv4-mapped peer untrusted unmapped", "[::ffff:203.0.113.5]:40000", proxies, nil, "203.0.113.5"},
		{"IPv4-mapped element unmapped", "127.0.0.1:40000", proxies, []hdr{xff("::ffff:198.51.100.7")}, "198.51.100.7"},
		{"zoned peer never trusted", "[fe80::1%eth0]:40000", "fe80::/10", []hdr{xff("198.51.100.7")}, "fe80::1"},
		{"zone in element dropped", "127.0.0.1:40000", proxies, []hdr{xff("fe80::1%anything-the-client-likes")}, "fe80::1"},
		{"zoned element not trusted", "127.0.0.1:40000", "127.0.0.1, fe80::/10", []hdr{xff("198.51.100.7, fe80::1%eth0")}, "fe80::1"},

		// Garbage stops the walk at the last trusted hop.
		{"garbage only", "127.0.0.1:40000", proxies, []hdr{xff("garbage")}, "127.0.0.1"},
		{"unknown behind chain", "10.0.0.1:40000", proxies, []hdr{xff("198.51.100.7, unknown, 10.0.0.3")}, "10.0.0.3"},
		{"garbage left of client irrelevant", "127.0.0.1:40000", proxies, []hdr{xff("<script>, 198.51.100.7")}, "198.51.100.7"},
		{"leading zeros are not an address", "127.0.0.1:40000", proxies, []hdr{xff("010.0.0.1")}, "127.0.0.1"},
		{"hostname is not an address", "127.0.0.1:40000", proxies, []hdr{xff("evil.example")}, "127.0.0.1"},
		{"RFC 7239 token is not an address", "127.0.0.1:40000", proxies, []hdr{xff("_hidden")}, "127.0.0.1"},
		{"half-open bracket", "127.0.0.1:40000", proxies, []hdr{xff("[2001:db8::5")}, "127.0.0.1"},
		{"bracketed IPv4", "127.0.0.1:40000", proxies, []hdr{xff("[198.51.100.7]")}, "127.0.0.1"},

		// X-Real-IP fallback.
		{"X-Real-IP", "127.0.0.1:40000", proxies, []hdr{xri("198.51.100.7")}, "198.51.100.7"},
		{"X-Real-IP spaced", "127.0.0.1:40000", proxies, []hdr{xri(" 198.51.100.7 ")}, "198.51.100.7"},
		{"X-Real-IP IPv6", "[::1]:40000", proxies, []hdr{xri("2001:db8::5")}, "2001:db8::5"},
		{"X-Real-IP garbage", "127.0.0.1:40000", proxies, []hdr{xri("nope")}, "127.0.0.1"},
		{"XFF wins over X-Real-IP", "127.0.0.1:40000", proxies, []hdr{xri("6.6.6.6"), xff("198.51.100.7")}, "198.51.100.7"},
		{"empty XFF falls back", "127.0.0.1:40000", proxies, []hdr{xff(" , "), xri("198.51.100.7")}, "198.51.100.7"},
		{"X-Real-IP list walked from the right", "127.0.0.1:40000", proxies, []hdr{xri("6.6.6.6, 198.51.100.7")}, "198.51.100.7"},

		// Peers that are not IP addresses.
		{"unix socket", "@", proxies, []hdr{xff("198.51.100.7")}, "@"},
		{"host without port", "198.51.100.7", proxies, nil, "198.51.100.7"},
		{"named host", "localhost:80", proxies, []hdr{xff("198.51.100.7")}, "localhost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trusted, err := ParseTrusted(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, h := range tc.headers {
				r.Header.Add(h.name, h.value)
			}
			if got := ClientIP(r, trusted); got != tc.want {
				t.Errorf("ClientIP = %q; want %q", got, tc.want)
			}
		})
	}
}

// TestClientIPWireHeaders checks the walk on headers as net/http parses
// them off the wire, where repeated lines stay separate values.
func TestClientIPWireHeaders(t *testing.T) {
	trusted, err := ParseTrusted("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = ClientIP(r, trusted)
	}))
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Add("X-Forwarded-For", "6.6.6.6")
	req.Header.Add("X-Forwarded-For", "198.51.100.7 , ")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "198.51.100.7" {
		t.Fatalf("ClientIP over the wire = %q; want 198.51.100.7", got)
	}
}

func TestClientIPParseTrusted(t *testing.T) {
	good := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"127.0.0.1, 10.0.0.0/8, ::1", []string{"127.0.0.1/32", "10.0.0.0/8", "::1/128"}},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}},          // host bits masked
		{"::ffff:10.0.0.1", []string{"10.0.0.1/32"}},    // mapped single address
		{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}}, // mapped prefix
		{" fd00::/8 ,192.168.1.0/24", []string{"fd00::/8", "192.168.1.0/24"}},
	}
	for _, tc := range good {
		ps, err := ParseTrusted(tc.in)
		if err != nil {
			t.Errorf("ParseTrusted(%q): %v", tc.in, err)
			continue
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseTrusted(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
	bad := []struct{ in, mention string }{
		{"127.0.0.1, 10.0.0.0/33", `entry 2 "10.0.0.0/33"`},
		{"localhost", `entry 1 "localhost"`},
		{"10.0.0.1,", `entry 2 ""`},
		{"10.0.0.1,,::1", `entry 2 ""`},
		{"fe80::1%eth0", `entry 1 "fe80::1%eth0"`},
		{"10.0.0.1, 0.0.0.0/0", `entry 2 "0.0.0.0/0"`},
		{"::/0", `entry 1 "::/0"`},
		{"10.0.0.1-10.0.0.9", `entry 1 "10.0.0.1-10.0.0.9"`},
		{"010.0.0.1", `entry 1 "010.0.0.1"`},
	}
	for _, tc := range bad {
		_, err := ParseTrusted(tc.in)
		if err == nil {
			t.Errorf("ParseTrusted(%q) succeeded; want an error", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseTrusted(%q) error %q does not name %s", tc.in, err, tc.mention)
		}
	}
}

func TestClientIPRawPrefixes(t *testing.T) {
	// Callers may build prefixes by hand; unmasked ones still match.
	trusted := []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.200.0.1:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	if got := ClientIP(r, trusted); got != "198.51.100.7" {
		t.Fatalf("ClientIP = %q; want 198.51.100.7", got)
	}
}

func BenchmarkClientIP(b *testing.B) {
	trusted, _ := ParseTrusted("127.0.0.1, 10.0.0.0/8")
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.3:40000"
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.2, 10.0.0.1")
	for b.Loop() {
		ClientIP(r, trusted)
	}
}

func TestClientIPLimitKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"::ffff:198.51.100.1":  "::ffff:198.51.100.1",
		"not an address":       "not an address",
	} {
		if got := (access.Request{Client: in}).ClientKey(); got != want {
			t.Errorf("Request{Client: %q}.ClientKey() = %q, want %q", in, got, want)
		}
	}
}
