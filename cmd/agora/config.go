package main

import (
	"flag"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/metropolis/agora/clientip"
	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mail"
	"github.com/metropolis/agora/node"
	"github.com/metropolis/agora/uris"
)

// Config is everything the node is configured with. It is filled once, from
// flags, then environment variables, then defaults, and passed explicitly.
type Config struct {
	// Listen is the TCP address the HTTP server listens on.
	Listen string
	// BaseURL is the public URL used in links and ids. Empty means "derived
	// from the address actually listened on" (see PublicBaseURL).
	BaseURL string
	// DataDir holds the SQLite database (when DatabaseURL is empty).
	DataDir string
	// DatabaseURL is a postgres:// URL; empty means SQLite in DataDir.
	DatabaseURL string
	// RedisURL is optional: what several processes share (rate limits,
	// live updates, remote fetches); it must answer when serve starts.
	RedisURL string
	// DefaultLanguage is the UI language when neither the member nor the
	// browser says otherwise.
	DefaultLanguage string
	// DefaultCity is the node's city: members who name none belong to it.
	DefaultCity string
	// TimeZone is the IANA zone events are shown in to members who chose
	// none, and to visitors.
	TimeZone string
	// LogFormat is text or json.
	LogFormat string
	// AllowLoopbackPeers ("true"/"false") lets federation reach peers on
	// 127.0.0.0/8 and ::1: for tests and local demos only.
	AllowLoopbackPeers string
	// AuthorizedFetch ("true"/"false") makes the node answer ActivityPub
	// GETs of its documents only when they are signed.
	AuthorizedFetch string
	// MetricsListen, when set, serves /metrics on this address only (not
	// on the public listener).
	MetricsListen string
	// TrustedProxies lists the reverse proxies (addresses or CIDR ranges,
	// comma-separated) whose X-Forwarded-For names the client; empty
	// trusts none.
	TrustedProxies string
	// SMTPURL (smtp://user:pass@host:587 or smtps://…) turns email on;
	// MailFrom is the From address of what the node mails.
	SMTPURL  string
	MailFrom string
	// SMTPListen, when set, runs the built-in SMTP receiver of replies to
	// the node's mails on this address.
	SMTPListen string
	// DeliveryWorkers is how many sends one process makes at once; empty
	// means the default (128).
	DeliveryWorkers string
	// DeliveryLease is how long a claimed delivery stays this process's
	// (a Go duration); a process that dies leaves its claims to the others
	// when it ends. Empty means the default (2m).
	DeliveryLease string
	// InboxWorkers is how many received activities one process applies at
	// once; empty means the default (64).
	InboxWorkers string
	// InboxLease is how long a claimed received activity stays this
	// process's without renewal (a Go duration). Empty means 1m.
	InboxLease string
	// InboxLimit is how many activities one remote host may post to the
	// node's inboxes per minute (429 beyond); "0" means no limit, empty the
	// default (node.DefaultInboxLimit).
	InboxLimit string
}

// SignedFetchOnly reports whether authorized fetch is on.
func (c Config) SignedFetchOnly() bool { return c.AuthorizedFetch == "true" }

// LoopbackPeers reports whether loopback peers are allowed.
func (c Config) LoopbackPeers() bool { return c.AllowLoopbackPeers == "true" }

// setting describes one configuration value: its flag, environment
// variable, default and how to check it.
type setting struct {
	name, env, def string
	shownDef       string // the default as help shows it, when def is not it
	help           string
	field          func(*Config) *string
	check          func(v string) error
}

func settings() []setting {
	return []setting{
		{name: "listen", env: "AGORA_LISTEN", def: "127.0.0.1:8080",
			help:  "address to listen on (host:port; port 0 picks a free one)",
			field: func(c *Config) *string { return &c.Listen }, check: checkListen},
		{name: "base-url", env: "AGORA_BASE_URL", shownDef: "http://<listen address>, localhost for 0.0.0.0",
			help:  "public URL of the node, used in links and ids: http(s)://host[:port], no path",
			field: func(c *Config) *string { return &c.BaseURL }, check: checkBaseURL},
		{name: "data", env: "AGORA_DATA", def: "./data",
			help:  "data directory (holds forum.db when no database URL is set, and media/ with uploaded pictures)",
			field: func(c *Config) *string { return &c.DataDir }, check: checkNotEmpty},
		{name: "database-url", env: "AGORA_DATABASE_URL", shownDef: "empty: SQLite at <data>/forum.db",
			help:  "PostgreSQL URL, e.g. postgres://agora@localhost:5432/agora?sslmode=disable",
			field: func(c *Config) *string { return &c.DatabaseURL }, check: checkDatabaseURL},
		{name: "redis-url", env: "AGORA_REDIS_URL", shownDef: "empty: no Redis",
			help:  "Redis URL, e.g. redis://localhost:6379/0: rate limits, live updates and remote fetches shared by the processes",
			field: func(c *Config) *string { return &c.RedisURL }, check: checkRedisURL},
		{name: "default-language", env: "AGORA_DEFAULT_LANGUAGE", def: "en",
			help:  "interface language when neither the member nor the browser chooses: en, es, fr, pt or ar",
			field: func(c *Config) *string { return &c.DefaultLanguage }, check: oneOf("en", "es", "fr", "pt", "ar")},
		{name: "default-city", env: "AGORA_DEFAULT_CITY", shownDef: "empty: none",
			help:  "the node's city or organisation, e.g. \"Belo Horizonte\": members who name none belong to it",
			field: func(c *Config) *string { return &c.DefaultCity }, check: checkCityName},
		{name: "time-zone", env: "AGORA_TIME_ZONE", def: "UTC",
			help:  "IANA time zone events are shown in when the member chose none, e.g. Europe/Madrid",
			field: func(c *Config) *string { return &c.TimeZone }, check: checkTimeZone},
		{name: "log-format", env: "AGORA_LOG_FORMAT", def: "text",
			help:  "log format on stderr: text or json",
			field: func(c *Config) *string { return &c.LogFormat }, check: oneOf("text", "json")},
		{name: "allow-loopback-peers", env: "AGORA_ALLOW_LOOPBACK_PEERS", def: "false",
			help:  "let federation reach peers on 127.0.0.0/8 and ::1 (local demos and tests only): true or false",
			field: func(c *Config) *string { return &c.AllowLoopbackPeers }, check: oneOf("true", "false")},
		{name: "authorized-fetch", env: "AGORA_AUTHORIZED_FETCH", def: "false",
			help:  "answer ActivityPub GETs of this node's documents only when signed (blocked instances get 403): true or false",
			field: func(c *Config) *string { return &c.AuthorizedFetch }, check: oneOf("true", "false")},
		{name: "metrics-listen", env: "AGORA_METRICS_LISTEN", shownDef: "empty: /metrics on --listen",
			help:  "address for Prometheus /metrics alone (host:port), kept off the public listener",
			field: func(c *Config) *string { return &c.MetricsListen }, check: checkOptionalListen},
		{name: "trusted-proxies", env: "AGORA_TRUSTED_PROXIES", shownDef: "empty: none",
			help:  "reverse proxies whose X-Forwarded-For names the client, for rate limits: addresses or CIDR ranges, comma-separated",
			field: func(c *Config) *string { return &c.TrustedProxies }, check: checkTrustedProxies},
		{name: "smtp-url", env: "AGORA_SMTP_URL", shownDef: "empty: no email",
			help:  "SMTP server for the node's email: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465",
			field: func(c *Config) *string { return &c.SMTPURL }, check: checkSMTPURL},
		{name: "mail-from", env: "AGORA_MAIL_FROM", shownDef: "empty",
			help:  "From address of the node's email, e.g. agora@city.example (required with --smtp-url)",
			field: func(c *Config) *string { return &c.MailFrom }, check: checkMailFrom},
		{name: "smtp-listen", env: "AGORA_SMTP_LISTEN", shownDef: "empty: no receiver",
			help:  "address (host:port) of the built-in SMTP receiver of replies by email to the node's mails (or pipe them to `agora mail receive`)",
			field: func(c *Config) *string { return &c.SMTPListen }, check: checkOptionalListen},
		{name: "delivery-workers", env: "AGORA_DELIVERY_WORKERS", shownDef: "128",
			help:  "concurrent deliveries per process (several processes share the queue)",
			field: func(c *Config) *string { return &c.DeliveryWorkers }, check: checkOptionalCount},
		{name: "delivery-lease", env: "AGORA_DELIVERY_LEASE", shownDef: "2m",
			help:  "how long a claimed delivery stays one process's before another may send it (a Go duration, at least 1s)",
			field: func(c *Config) *string { return &c.DeliveryLease }, check: checkOptionalLease},
		{name: "inbox-workers", env: "AGORA_INBOX_WORKERS", shownDef: "64, 256 on PostgreSQL",
			help:  "received activities one process holds at once, applied in batches or alone (in order per object; several processes share the queue); batches are applied 2 at a time on SQLite, 8 on PostgreSQL",
			field: func(c *Config) *string { return &c.InboxWorkers }, check: checkOptionalCount},
		{name: "inbox-lease", env: "AGORA_INBOX_LEASE", shownDef: "1m",
			help:  "how long a claimed received activity stays one process's without renewal (a Go duration, at least 1s)",
			field: func(c *Config) *string { return &c.InboxLease }, check: checkOptionalLease},
		{name: "inbox-limit", env: "AGORA_INBOX_LIMIT", shownDef: strconv.Itoa(node.DefaultInboxLimit),
			help:  "activities one remote host may post to the inboxes per minute, answered 429 beyond (0: no limit); shared by the processes with --redis-url",
			field: func(c *Config) *string { return &c.InboxLimit }, check: checkInboxLimit},
	}
}

// configFlags holds the raw flag values until they are resolved.
type configFlags struct {
	values map[string]*string
}

// addConfigFlags registers the configuration flags on fs.
func addConfigFlags(fs *flag.FlagSet) *configFlags {
	cf := &configFlags{values: map[string]*string{}}
	for _, s := range settings() {
		def := s.def
		if s.shownDef != "" {
			def = s.shownDef
		}
		help := fmt.Sprintf("%s\n(env %s, default %s)", s.help, s.env, def)
		cf.values[s.name] = fs.String(s.name, "", help)
	}
	return cf
}

// resolve fills a Config: a flag given on the command line wins over the
// environment, which wins over the default. An empty environment variable
// counts as unset. Every value is checked; the first bad one is an error
// naming its flag.
func (cf *configFlags) resolve(fs *flag.FlagSet, env Env) (Config, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var cfg Config
	for _, s := range settings() {
		v, from := s.def, "default"
		if given[s.name] {
			v, from = *cf.values[s.name], ""
		} else if e, ok := env(s.env); ok && e != "" {
			v, from = e, s.env
		}
		v = strings.TrimSpace(v)
		if err := s.check(v); err != nil {
			if from != "" {
				return Config{}, usageErrorf("--%s: %v (from %s)", s.name, err, from)
			}
			return Config{}, usageErrorf("--%s: %v", s.name, err)
		}
		*s.field(&cfg) = v
	}
	if cfg.SMTPURL != "" && cfg.MailFrom == "" {
		return Config{}, usageErrorf("--mail-from: required with --smtp-url")
	}
	return cfg, nil
}

func checkSMTPURL(v string) error {
	if v == "" {
		return nil
	}
	_, err := mail.NewSMTP(v, "check@example.org", "example.org")
	return err
}

func checkMailFrom(v string) error {
	if v == "" {
		return nil
	}
	a, err := netmail.ParseAddress(v)
	if err != nil || a.Address != v {
		return fmt.Errorf("%q is not an email address", v)
	}
	return nil
}

// PublicBaseURL is the base URL for links: the configured one, else
// http://<addr> for the address actually listened on (an unspecified host
// such as 0.0.0.0 becomes localhost).
func (c Config) PublicBaseURL(addr string) string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// checkCityName takes what a member could type as their city.
func checkCityName(v string) error {
	if utf8.RuneCountInString(v) > forum.MaxNameLen {
		return fmt.Errorf("is longer than %d characters", forum.MaxNameLen)
	}
	return nil
}

func checkNotEmpty(v string) error {
	if v == "" {
		return fmt.Errorf("must not be empty")
	}
	return nil
}

func checkListen(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("want host:port, such as 127.0.0.1:8080 (got %q)", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port must be a number from 0 to 65535 (got %q)", port)
	}
	return nil
}

func checkBaseURL(v string) error {
	if v == "" {
		return nil // derived from the listen address
	}
	_, err := uris.New(v)
	return err
}

func checkDatabaseURL(v string) error {
	if v == "" {
		return nil // SQLite in the data directory
	}
	u, err := url.Parse(v)
	if err == nil {
		switch {
		case (u.Scheme == "postgres" || u.Scheme == "postgresql") && u.Host != "":
			return nil
		case u.Scheme == "sqlite" || u.Scheme == "file":
			return nil // SQLite at that path
		}
	}
	return fmt.Errorf("want postgres://user@host:port/db, sqlite://<path>, or empty for SQLite in --data")
}

func checkRedisURL(v string) error {
	if v == "" {
		return nil
	}
	if _, err := redis.ParseURL(v); err != nil {
		// go-redis errors may quote the URL, password included: keep it out.
		return fmt.Errorf("want redis://[user:password@]host:port[/db]")
	}
	return nil
}

func checkOptionalListen(v string) error {
	if v == "" {
		return nil
	}
	return checkListen(v)
}

func checkTrustedProxies(v string) error {
	_, err := clientip.Parse(v)
	return err
}

// ClientIP is the resolver of client addresses behind the trusted proxies
// (checked when the configuration was read).
func (c Config) ClientIP() clientip.Resolver {
	r, _ := clientip.Parse(c.TrustedProxies)
	return r
}

func checkOptionalCount(v string) error {
	if v == "" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 1024 {
		return fmt.Errorf("want a number from 1 to 1024 (got %q)", v)
	}
	return nil
}

func checkOptionalLease(v string) error {
	if v == "" {
		return nil
	}
	if d, err := time.ParseDuration(v); err != nil || d < time.Second {
		return fmt.Errorf("want a duration of at least 1s, such as 2m (got %q)", v)
	}
	return nil
}

// Delivery is the delivery settings; zero values take federation's
// defaults. Values were checked by resolve.
func (c Config) Delivery() federation.DeliveryConfig {
	var d federation.DeliveryConfig
	d.Workers, _ = strconv.Atoi(c.DeliveryWorkers)
	d.Lease, _ = time.ParseDuration(c.DeliveryLease)
	return d
}

// Inbox is the inbox worker's settings; zero values take federation's
// defaults. Values were checked by resolve.
func (c Config) Inbox() federation.InboxConfig {
	var in federation.InboxConfig
	in.Workers, _ = strconv.Atoi(c.InboxWorkers)
	in.Lease, _ = time.ParseDuration(c.InboxLease)
	return in
}

func checkInboxLimit(v string) error {
	if v == "" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return fmt.Errorf("want a number of activities per minute, 0 for no limit (got %q)", v)
	}
	return nil
}

// InboxLimitPerMinute is the inbox limit as node.Config takes it: 0 for
// the default, node.UnlimitedInbox for none. Checked by resolve.
func (c Config) InboxLimitPerMinute() int {
	if c.InboxLimit == "" {
		return 0
	}
	n, _ := strconv.Atoi(c.InboxLimit)
	if n == 0 {
		return node.UnlimitedInbox
	}
	return n
}

// checkTimeZone accepts an IANA zone name the system knows.
func checkTimeZone(v string) error {
	if _, err := forum.LoadTimeZone("time_zone", v); err != nil {
		return fmt.Errorf("%q is not a time zone such as Europe/Madrid", v)
	}
	return nil
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
		}
		return nil
	}
}
