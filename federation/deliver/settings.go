package deliver

import "time"

// Settings tunes the delivery queue. Zero values take the defaults.
type Settings struct {
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

// WithDefaults returns s with its zero values set to the defaults.
func (s Settings) WithDefaults() Settings {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if s.Workers == 0 {
		s.Workers = 128
	}
	if s.PerHost == 0 {
		s.PerHost = 32
	}
	if s.SlowSends == 0 {
		s.SlowSends = 512
	}
	def(&s.SlowAfter, 2*time.Second)
	if s.BreakerAfter == 0 {
		s.BreakerAfter = 8
	}
	def(&s.Lease, 2*time.Minute)
	def(&s.Poll, time.Second)
	def(&s.MaxAge, 4*24*time.Hour)
	def(&s.BaseBackoff, 30*time.Second)
	def(&s.BreakerPeriod, 10*time.Minute)
	return s
}
