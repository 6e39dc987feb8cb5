// Package clientip tells a request's client address, looking through the
// reverse proxies the operator trusts. Rate limits key on it: behind a
// proxy every connection comes from the proxy, and a limit per connection
// address would let one client lock everybody out.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds client addresses. The zero Resolver trusts no proxy: the
// connection's address is the client's and X-Forwarded-For is ignored
// (anyone can write it).
type Resolver struct {
	trusted []netip.Prefix
}

// Parse reads a comma-separated list of addresses and CIDR ranges of
// trusted proxies ("" trusts none).
func Parse(list string) (Resolver, error) {
	var r Resolver
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return Resolver{}, fmt.Errorf("trusted proxy %q: not an address or CIDR range", s)
			}
			r.trusted = append(r.trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return Resolver{}, fmt.Errorf("trusted proxy %q: not an address or CIDR range", s)
		}
		r.trusted = append(r.trusted, p.Masked())
	}
	return r, nil
}

// Of is the client's address: the connection's, unless that is a trusted
// proxy; then the last address in X-Forwarded-For that is not a trusted
// proxy (proxies append, so addresses further left are the client's word
// and can be forged).
func (r Resolver) Of(req *http.Request) string {
	peer := hostOnly(req.RemoteAddr)
	if !r.isTrusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		a, err := netip.ParseAddr(hostOnly(hop))
		if err != nil {
			return peer // a malformed chain: keep what we know
		}
		if !r.isTrusted(a.Unmap().String()) {
			return a.Unmap().String()
		}
	}
	return peer
}

func (r Resolver) isTrusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// hostOnly drops a port, if any.
func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
