package fetch

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Blocklist is the node's list of blocked instances. The client asks it
// before every request, redirect hops and deliveries included, so no path
// of the node can reach a blocked host; it is asked often and should
// answer from memory.
type Blocklist interface {
	// Blocked reports whether host is blocked, or a domain it is a
	// subdomain of. host is in canonical form (see CanonicalHost): the
	// name, with ":port" when the URL names a port.
	Blocked(ctx context.Context, host string) (bool, error)
}

// Blocks is a set of blocked instances, as an admin names them: a domain
// (spam.example), a host with a port (spam.example:8443), an IP address.
// It holds the one rule of what a block covers (Covers).
type Blocks map[string]bool

// NewBlocks builds the set from block entries, each put in canonical form.
func NewBlocks(entries []string) Blocks {
	b := make(Blocks, len(entries))
	for _, e := range entries {
		if e = canonicalEntry(e); e != "" {
			b[e] = true
		}
	}
	return b
}

// canonicalEntry is a block entry or a host[:port] in the form CanonicalHost
// gives; "" if it has none.
func canonicalEntry(s string) string {
	s = strings.TrimSpace(s)
	if name, port, err := net.SplitHostPort(s); err == nil {
		if name, err = canonicalName(name); err != nil {
			return ""
		}
		return net.JoinHostPort(name, port)
	}
	name, err := canonicalName(s)
	if err != nil {
		return ""
	}
	return name
}

// canonicalName is a host name in lower case, without a trailing dot, and
// in its ASCII (punycode) form.
func canonicalName(name string) (string, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if isASCII(name) {
		return name, nil
	}
	return idna.Lookup.ToASCII(name)
}

// Covers reports whether the set blocks host (host[:port], as
// CanonicalHost gives it): when it holds the host as given, its bare name
// without the port, or a parent domain of either. Blocking spam.example
// therefore blocks a.spam.example and spam.example:8443 too, but not
// notspam.example; blocking spam.example:8443 leaves other ports alone. An
// IP address has no parent domains.
func (b Blocks) Covers(host string) bool {
	if len(b) == 0 {
		return false
	}
	host = canonicalEntry(host)
	if b.coversName(host) {
		return true
	}
	if name, _, err := net.SplitHostPort(host); err == nil && name != "" {
		return b.coversName(name)
	}
	return false
}

// coversName walks from d up through its parent domains.
func (b Blocks) coversName(d string) bool {
	if b[d] {
		return true
	}
	name := d
	if n, _, err := net.SplitHostPort(d); err == nil {
		name = n
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for {
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
		if d == "" || d[0] == ':' {
			return false
		}
		if b[d] {
			return true
		}
	}
}

// CanonicalHost is the host of u as the block list compares it: lower
// case, without a trailing dot, an internationalised name in its ASCII
// (punycode) form — the name the transport resolves and dials — and
// ":port" when u names a port (an IPv6 address is then in brackets, as
// blocks write it: [2001:db8::1]:8443). A name that has no
// ASCII form is refused with ErrForbiddenURL: it could not be dialled.
func CanonicalHost(u *url.URL) (string, error) {
	name, err := canonicalName(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("%w: host %q: %v", ErrForbiddenURL, u.Hostname(), err)
	}
	if port := u.Port(); port != "" {
		return net.JoinHostPort(name, port), nil
	}
	return name, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkBlocked refuses a request to a blocked host with ErrBlocked. A
// block list that cannot answer refuses the request too (fail closed),
// with its own error: that failure is ours, and passes.
func checkBlocked(ctx context.Context, bl Blocklist, u *url.URL) error {
	if bl == nil {
		return nil
	}
	host, err := CanonicalHost(u)
	if err != nil {
		return err
	}
	blocked, err := bl.Blocked(ctx, host)
	if err != nil {
		return fmt.Errorf("fetch: block list unavailable for %s: %w", host, err)
	}
	if blocked {
		return fmt.Errorf("%w: %s", ErrBlocked, host)
	}
	return nil
}
