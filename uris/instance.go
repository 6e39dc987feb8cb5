package uris

import (
	"net/url"
	"strings"
)

// InstanceUsername is the instance actor's preferredUsername. FEP-2677
// names it after the host (acct:host@host), but a host with a port
// (127.0.0.1:7100) is no username: GoToSocial's WebFinger lookup of a
// requester refuses the ":" and it then answers 500 to every request the
// node signs. So the name is the host without its port, with any
// character that usernames do not allow (an IPv6 literal's colons) made a
// dash; WebFinger answers the old acct:host@host too (IsInstanceName).
func (b *Builder) InstanceUsername() string {
	host := b.Host()
	if u, err := url.Parse("http://" + host); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '-'
	}, host)
}

// IsInstanceName reports whether a WebFinger name is the instance actor's.
func (b *Builder) IsInstanceName(name string) bool {
	return strings.EqualFold(name, b.InstanceUsername()) || strings.EqualFold(name, b.Host())
}
