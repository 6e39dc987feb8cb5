package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
)

// refusedV4 lists the IPv4 ranges never dialled. Loopback (127/8) is handled
// apart because Config.AllowLoopback may permit it.
var refusedV4 = prefixes(
	"0.0.0.0/8",          // "this network", unspecified
	"10.0.0.0/8",         // private
	"100.64.0.0/10",      // CGNAT shared address space
	"169.254.0.0/16",     // link-local, cloud metadata
	"172.16.0.0/12",      // private
	"192.0.0.0/24",       // IETF protocol assignments
	"192.0.2.0/24",       // documentation TEST-NET-1
	"192.88.99.0/24",     // 6to4 relay anycast
	"192.168.0.0/16",     // private
	"198.18.0.0/15",      // benchmarking
	"198.51.100.0/24",    // documentation TEST-NET-2
	"203.0.113.0/24",     // documentation TEST-NET-3
	"224.0.0.0/4",        // multicast
	"240.0.0.0/4",        // reserved, includes broadcast 255.255.255.255
	"255.255.255.255/32", // broadcast (already in 240/4; listed for the reader)
)

var (
	globalV6 = netip.MustParsePrefix("2000::/3") // IPv6 global unicast
	nat64    = netip.MustParsePrefix("64:ff9b::/96")
	// refusedV6 lists refused ranges inside 2000::/3; everything outside
	// 2000::/3 (ULA fc00::/7, link-local fe80::/10, multicast ff00::/8,
	// unspecified, IPv4-compatible ::/96, discard 100::/64 …) is refused
	// anyway, except ::1 (loopback) and NAT64 (judged by its IPv4 address).
	refusedV6 = prefixes(
		"2001::/23",     // IETF protocol assignments, includes Teredo 2001::/32
		"2001:db8::/32", // documentation
		"2002::/16",     // 6to4: carries an IPv4 address we do not unpack
		"3fff::/20",     // documentation
		"5f00::/16",     // SRv6 SIDs
	)
)

func prefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(ip) })
}

// classify reports whether ip is a loopback address, and why it is refused
// ("" when it is not refused on range grounds; loopback is refused or not by
// the caller). The returned address is the one to dial: IPv4-mapped IPv6 is
// unmapped.
func classify(ip netip.Addr) (dial netip.Addr, loopback bool, refused string) {
	if !ip.IsValid() {
		return ip, false, "invalid address"
	}
	if ip.Zone() != "" {
		return ip, false, "scoped address"
	}
	ip = ip.Unmap()
	if ip.Is4() {
		if ip.IsLoopback() {
			return ip, true, ""
		}
		if inAny(refusedV4, ip) {
			return ip, false, "non-public IPv4 range"
		}
		return ip, false, ""
	}
	if ip == netip.IPv6Loopback() {
		return ip, true, ""
	}
	if nat64.Contains(ip) {
		b := ip.As16()
		v4 := netip.AddrFrom4([4]byte(b[12:16]))
		if v4.IsLoopback() || inAny(refusedV4, v4) {
			return ip, false, "NAT64 form of a non-public IPv4 address"
		}
		return ip, false, ""
	}
	if !globalV6.Contains(ip) || inAny(refusedV6, ip) {
		return ip, false, "non-public IPv6 range"
	}
	return ip, false, ""
}

// checkAddr applies the address and port rules to one resolved address and
// returns the address to dial.
func (c *Client) checkAddr(host string, ip netip.Addr, port int) (netip.Addr, error) {
	dial, loopback, refused := classify(ip)
	switch {
	case refused != "":
		return dial, fmt.Errorf("%w: %s resolves to %s (%s)", ErrForbiddenAddress, host, ip, refused)
	case loopback && !c.cfg.AllowLoopback:
		return dial, fmt.Errorf("%w: %s resolves to %s (loopback)", ErrForbiddenAddress, host, ip)
	case !loopback && !slices.Contains(c.cfg.AllowedPorts, port):
		return dial, fmt.Errorf("%w: port %d not allowed for %s (%s)", ErrForbiddenAddress, port, host, ip)
	}
	return dial, nil
}

// vet resolves hostport's host (unless it is an IP literal) and checks every
// address. It returns the addresses to dial, all checked, or an error if any
// address is refused.
func (c *Client) vet(ctx context.Context, hostport string) ([]netip.AddrPort, error) {
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrForbiddenURL, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("%w: bad port %q", ErrForbiddenURL, portStr)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		addrs, err := c.cfg.Resolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			ip, ok := netip.AddrFromSlice(a.IP)
			if !ok {
				return nil, fmt.Errorf("%w: %s resolves to malformed address %v", ErrForbiddenAddress, host, a.IP)
			}
			ips = append(ips, ip.WithZone(a.Zone))
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("fetch: %s resolves to no address", host)
	}
	out := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		dial, err := c.checkAddr(host, ip, port)
		if err != nil {
			return nil, err // one refused address refuses the host
		}
		out = append(out, netip.AddrPortFrom(dial, uint16(port)))
	}
	return out, nil
}
