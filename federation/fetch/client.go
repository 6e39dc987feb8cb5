package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Resolver resolves host names; *net.Resolver implements it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Config configures a Client. Zero values take the defaults given.
type Config struct {
	// AllowLoopback permits 127.0.0.0/8 and ::1 peers, on any port (tests,
	// local demos). Private, link-local and the other ranges stay refused.
	AllowLoopback bool
	// AllowedPorts are the ports non-loopback peers may use; default 80, 443.
	AllowedPorts []int
	// ConnectTimeout bounds name resolution plus dial, and the TLS
	// handshake; default 5 s.
	ConnectTimeout time.Duration
	// Timeout bounds a whole GetObject or Post: redirects and body included;
	// default 30 s.
	Timeout time.Duration
	// MaxBody caps response bodies and outgoing request bodies; default 1 MiB.
	MaxBody int64
	// MaxRedirects is the number of redirects GetObject follows; default 3,
	// negative follows none.
	MaxRedirects int
	// MaxJSONDepth caps the nesting of fetched documents; default 32.
	MaxJSONDepth int
	// UserAgent is sent with every request; default "agora".
	UserAgent string
	// Wrap wraps the base transport, e.g. with the signing transport. It sees
	// every request, redirect hops included, after the URL and budget checks.
	Wrap func(http.RoundTripper) http.RoundTripper
	// Resolver resolves host names; default net.DefaultResolver.
	Resolver Resolver
	// Dial replaces the raw dialer (tests: a port-less host such as
	// http://gts.test served by a loopback listener on another port). It
	// is called only with an IP address and port that passed every
	// address rule above, so the SSRF guard stays in front of it; nil
	// dials the address as given, which is what production does.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Blocklist is asked before every request, redirect hops included:
	// a blocked host is refused with ErrBlocked before anything is sent
	// or resolved. Nil blocks nothing.
	Blocklist Blocklist
	// IdleConnsPerHost is how many idle keep-alive connections to one host
	// are kept; default 8. MaxIdleConns bounds them over all hosts;
	// default 100.
	IdleConnsPerHost int
	MaxIdleConns     int
}

// Defaults.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultMaxBody        = 1 << 20
	DefaultMaxRedirects   = 3
	DefaultMaxJSONDepth   = 32
	DefaultUserAgent      = "agora"
)

func (cfg Config) withDefaults() Config {
	if cfg.AllowedPorts == nil {
		cfg.AllowedPorts = []int{80, 443}
	} else {
		cfg.AllowedPorts = append([]int(nil), cfg.AllowedPorts...)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	switch {
	case cfg.MaxRedirects == 0:
		cfg.MaxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		cfg.MaxRedirects = 0
	}
	if cfg.MaxJSONDepth <= 0 {
		cfg.MaxJSONDepth = DefaultMaxJSONDepth
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.IdleConnsPerHost <= 0 {
		cfg.IdleConnsPerHost = 8
	}
	if cfg.MaxIdleConns <= 0 {
		cfg.MaxIdleConns = 100
	}
	return cfg
}

// Client fetches and delivers. It is safe for concurrent use; make one per
// node (or per signing key) and share it: it holds the connection pool.
type Client struct {
	cfg       Config
	transport *http.Transport
	get       *http.Client // follows redirects, re-checking each hop
	post      *http.Client // never follows redirects
	dialFunc  func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New returns a Client for cfg.
func New(cfg Config) *Client { return newClient(cfg, cfg.Dial, nil) }

// newClient lets tests replace the raw dialer (which receives only checked
// IP addresses) and the TLS configuration (to trust a test certificate).
func newClient(cfg Config, dial func(ctx context.Context, network, addr string) (net.Conn, error), tlsConfig *tls.Config) *Client {
	c := &Client{cfg: cfg.withDefaults()}
	if dial == nil {
		d := &net.Dialer{Timeout: c.cfg.ConnectTimeout, Control: c.control}
		dial = d.DialContext
	}
	c.dialFunc = dial
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	c.transport = &http.Transport{
		Proxy:                  nil, // never: a proxy would resolve names itself
		DialContext:            c.dial,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        tlsConfig,
		TLSHandshakeTimeout:    c.cfg.ConnectTimeout,
		ResponseHeaderTimeout:  c.cfg.Timeout,
		MaxIdleConns:           c.cfg.MaxIdleConns,
		MaxIdleConnsPerHost:    c.cfg.IdleConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	var rt http.RoundTripper = c.transport
	if c.cfg.Wrap != nil {
		rt = c.cfg.Wrap(rt)
	}
	rt = &guard{next: rt, blocks: c.cfg.Blocklist}
	c.get = &http.Client{Transport: rt, CheckRedirect: c.checkRedirect}
	c.post = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return c
}

// CloseIdleConnections closes pooled connections.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// dial is the transport's DialContext: it resolves and checks the address,
// then dials the checked IPs (never the name) in turn.
func (c *Client) dial(ctx context.Context, network, hostport string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ConnectTimeout)
	defer cancel()
	addrs, err := c.vet(ctx, hostport)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		conn, err := c.dialFunc(ctx, network, a.String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// control checks the socket address once more, just before connect: a
// second line of defence should any path reach the dialer unchecked.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	_, err = c.checkAddr(address, ap.Addr(), int(ap.Port()))
	return err
}

// checkURL applies the URL rules (the address rules run in the dialer).
func checkURL(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q", ErrForbiddenURL, u.Scheme)
	case u.User != nil:
		return fmt.Errorf("%w: userinfo in URL", ErrForbiddenURL)
	case u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrForbiddenURL)
	case u.Opaque != "":
		return fmt.Errorf("%w: opaque URL", ErrForbiddenURL)
	}
	return nil
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.cfg.MaxRedirects {
		return fmt.Errorf("%w (%d)", ErrTooManyRedirects, c.cfg.MaxRedirects)
	}
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme == "http" {
		return fmt.Errorf("%w: redirect from https to http", ErrForbiddenURL)
	}
	return checkURL(req.URL)
}

// guard is the outermost RoundTripper: every request, redirect hops
// included, passes the URL rules and the block list, and spends one unit
// of the context's budget, before anything (signing, resolving, dialling)
// happens.
type guard struct {
	next   http.RoundTripper
	blocks Blocklist
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		closeBody(req)
		return nil, err
	}
	if err := checkBlocked(req.Context(), g.blocks, req.URL); err != nil {
		closeBody(req)
		return nil, err
	}
	if err := spend(req.Context()); err != nil {
		closeBody(req)
		return nil, err
	}
	return g.next.RoundTrip(req)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// newRequest builds a request for rawURL after checking it.
func (c *Client) newRequest(ctx context.Context, method, rawURL string, body []byte) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrForbiddenURL, err)
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	u.Fragment, u.RawFragment = "", "" // never sent; not part of the id
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytesReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrForbiddenURL, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	return req, nil
}
