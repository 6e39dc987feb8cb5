package federation

import "time"

// DeliveryConfig tunes the delivery queue. Zero values take the defaults.
type DeliveryConfig struct {
	Workers       int           // concurrent sends; default 128
	PerHost       int           // concurrent sends to one host; default 32
	SlowAfter     time.Duration // a send still unanswered then gives its worker back; default 2 s
	SlowSends     int           // sends that may do so at once (each holds a connection); default 512
	Lease         time.Duration // how long a claimed delivery is ours; default 2 min
	Poll          time.Duration // how often to look for due work when idle; default 1 s
	MaxAge        time.Duration // give up after; default 4 days (Mastodon: ~2–3)
	BaseBackoff   time.Duration // first retry after; default 30 s
	BreakerAfter  int           // consecutive failures that open a host's circuit; default 8
	BreakerPeriod time.Duration // how long it stays open; default 10 min
}

func (c DeliveryConfig) withDefaults() DeliveryConfig {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Workers == 0 {
		c.Workers = 128
	}
	if c.PerHost == 0 {
		c.PerHost = 32
	}
	if c.SlowSends == 0 {
		c.SlowSends = 512
	}
	def(&c.SlowAfter, 2*time.Second)
	if c.BreakerAfter == 0 {
		c.BreakerAfter = 8
	}
	def(&c.Lease, 2*time.Minute)
	def(&c.Poll, time.Second)
	def(&c.MaxAge, 4*24*time.Hour)
	def(&c.BaseBackoff, 30*time.Second)
	def(&c.BreakerPeriod, 10*time.Minute)
	return c
}
