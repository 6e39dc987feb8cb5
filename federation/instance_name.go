package federation

import (
	"net/url"
	"strings"
)

// instanceUsername is the instance actor's preferredUsername. FEP-2677
// names it after the host (acct:host@host), but a host with a port
// (127.0.0.1:7100) is no username: GoToSocial's WebFinger lookup of the
// requester refuses the ":" and it then answers 500 to every request we
// sign. So the name is the host without its port, with any character
// that usernames do not allow (an IPv6 literal's colons) made a dash;
// WebFinger still answers the old acct:host@host too.
func (f *Federation) instanceUsername() string {
	host := f.urls.Host()
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

// isInstanceName reports whether a WebFinger name is the instance actor's.
func (f *Federation) isInstanceName(name string) bool {
	return strings.EqualFold(name, f.instanceUsername()) || strings.EqualFold(name, f.urls.Host())
}
