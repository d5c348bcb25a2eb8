package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client behind r, the value that
// rate limits and the audit log key on, so it must be one the client
// cannot choose.
//
// It is the host of r.RemoteAddr unless that peer lies in trusted, the
// configured reverse proxies; only then are forwarding headers read,
// because anyone can send them. X-Forwarded-For lines are joined in the
// order received into one list, as RFC 9110 §5.3 reads repeated fields,
// and walked from the right, the end the nearest proxy appended to:
// trusted addresses are proxies and are skipped, and the first other
// address is the client. When no X-Forwarded-For element is present,
// X-Real-IP is walked the same way. When every hop is trusted, the
// leftmost is the client.
//
// An element that is not an IP address — "unknown", a hostname, an
// obfuscated RFC 7239 token, garbage — ends the walk, and the last
// trusted hop is returned instead: the element was written or passed on
// by a proxy whose own client is then unknown, and neither returning the
// text, which the sender may vary at will to dodge rate limits, nor
// skipping past it to addresses that sender could have written, is safe.
// Empty list elements are ignored, as RFC 9110 §5.6.1 requires.
//
// Elements may carry a port ("192.0.2.1:5555", "[2001:db8::1]:443") or
// brackets, as some proxies write them. Results are canonical: IPv4-mapped
// IPv6 addresses are unmapped, so one client has one key, and IPv6 zones
// are dropped, because a zone in a header is arbitrary sender-chosen text
// and in RemoteAddr only names a local interface. Following netip, an
// address with a zone is never trusted. A RemoteAddr that is not an IP
// address (a Unix socket, a test double) is returned as is and its
// headers are ignored.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			return host
		}
		return r.RemoteAddr
	}
	if !isTrusted(peer, trusted) {
		return canonical(peer)
	}
	hops := r.Header.Values("X-Forwarded-For")
	if !hasElement(hops) {
		hops = r.Header.Values("X-Real-IP")
	}
	last := peer // the nearest trusted hop so far
	for i := len(hops) - 1; i >= 0; i-- {
		rest := hops[i]
		for rest != "" {
			var elem string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				elem, rest = rest[j+1:], rest[:j]
			} else {
				elem, rest = rest, ""
			}
			elem = strings.Trim(elem, " \t")
			if elem == "" {
				continue
			}
			a, ok := parseHop(elem)
			if !ok {
				return canonical(last)
			}
			if !isTrusted(a, trusted) {
				return canonical(a)
			}
			last = a
		}
	}
	return canonical(last)
}

// ParseTrusted parses the configured reverse proxies, a comma-separated
// list of IP addresses and CIDR prefixes such as "127.0.0.1, 10.0.0.0/8,
// ::1", for ClientIP. A blank list means no proxy is trusted. Because a
// wrongly trusted address lets clients forge their address, it rejects
// rather than guesses: an empty element, a zone and a /0 prefix are
// errors that name the entry.
func ParseTrusted(list string) ([]netip.Prefix, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for i, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		p, err := parsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: entry %d %q: %w", i+1, s, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// parsePrefix parses one trusted entry into a masked prefix, unmapping
// IPv4-mapped forms so that they match the unmapped addresses ClientIP
// compares.
func parsePrefix(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, errors.New("empty entry (stray comma?)")
	}
	if strings.Contains(s, "%") {
		return netip.Prefix{}, errors.New("IPv6 zones are not supported")
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, errors.New("not a CIDR prefix such as 10.0.0.0/8")
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, errors.New("not an IP address or CIDR prefix such as 10.0.0.0/8")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	if p.Bits() == 0 {
		return netip.Prefix{}, errors.New("a /0 prefix would trust every client to name its own address")
	}
	return p.Masked(), nil
}

// parseHop parses an address as RemoteAddr or a forwarding header writes
// it: bare, bracketed, or with a port.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// isTrusted reports whether a is one of the configured proxies. A zoned
// address never is, as netip.Prefix.Contains holds, since the same
// link-local address on another interface is another host.
func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	if a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// canonical formats a as ClientIP returns it: unmapped and without zone,
// so that one client always yields one string.
func canonical(a netip.Addr) string {
	return a.Unmap().WithZone("").String()
}

// hasElement reports whether a header's lines hold any non-empty list
// element, so that an empty X-Forwarded-For does not hide X-Real-IP.
func hasElement(lines []string) bool {
	for _, s := range lines {
		if strings.Trim(s, " \t,") != "" {
			return true
		}
	}
	return false
}
