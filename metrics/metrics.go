// Package metrics exposes a node's Prometheus metrics: HTTP latency by
// route, the federation queues and what the inbox accepted or refused. It
// owns its registry (no global default registry), so several nodes in one
// test process keep separate counts.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// QueueDepth is the number of items of one queue in one state.
type QueueDepth struct {
	Queue string // "delivery" or "inbox"
	State string // "pending", "failed", …
	Count int
}

// Config is what the metrics are built from.
type Config struct {
	// Queues reads the depth of the durable queues at scrape time; nil
	// leaves the queue gauge out.
	Queues func(ctx context.Context) ([]QueueDepth, error)
	Logger *slog.Logger
}

// Metrics holds the node's collectors and their registry.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
	inbox      *prometheus.CounterVec
	refused    *prometheus.CounterVec
	limited    *prometheus.CounterVec
	log        *slog.Logger
}

// New builds the metrics on a registry of their own, with the Go runtime
// and process collectors.
func New(cfg Config) *Metrics {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		log:      log,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agora_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern, method and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "code"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_deliveries_total",
			Help: "Delivery attempts by outcome: done, retry, failed, dropped, postponed.",
		}, []string{"outcome"}),
		inbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_inbox_activities_total",
			Help: "Activities POSTed to the inboxes, by result (accepted, rejected) and reason.",
		}, []string{"result", "reason"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_inbox_refused_total",
			Help: "Activities accepted by the inboxes, then refused when applied, by reason code (malformed, gone, gave_up, …).",
		}, []string{"reason"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_rate_limited_total",
			Help: "Requests answered 429 by a rate limit, by limit.",
		}, []string{"limit"}),
	}
	reg.MustRegister(m.requests, m.deliveries, m.inbox, m.refused, m.limited,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cfg.Queues != nil {
		reg.MustRegister(&queueCollector{read: cfg.Queues, log: log})
	}
	return m
}

// Registry is the registry the metrics are registered on.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling:     promhttp.ContinueOnError,
		Timeout:           10 * time.Second,
		EnableOpenMetrics: false,
	})
}

// Delivery counts one delivery attempt's outcome. It implements
// federation.Observer.
func (m *Metrics) Delivery(outcome string) { m.deliveries.WithLabelValues(outcome).Inc() }

// InboxAccepted counts an activity stored by an inbox.
func (m *Metrics) InboxAccepted() { m.inbox.WithLabelValues("accepted", "").Inc() }

// InboxRejected counts an activity an inbox refused, with a short reason
// from a fixed set (blocked, signature, too_large, …).
func (m *Metrics) InboxRejected(reason string) { m.inbox.WithLabelValues("rejected", reason).Inc() }

// InboxRefused counts an activity accepted by an inbox and refused when
// applied, with its reason code (federation.RefusalReasons). It
// implements federation.Observer.
func (m *Metrics) InboxRefused(reason string) { m.refused.WithLabelValues(reason).Inc() }

// RateLimited counts a request refused by the named limit.
func (m *Metrics) RateLimited(limit string) { m.limited.WithLabelValues(limit).Inc() }

// queueCollector reads queue depths from the database at scrape time, so
// every process reports the same shared queue.
type queueCollector struct {
	read func(ctx context.Context) ([]QueueDepth, error)
	log  *slog.Logger
}

var queueDesc = prometheus.NewDesc("agora_queue_depth",
	"Items in the durable federation queues, by queue and state.", []string{"queue", "state"}, nil)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	depths, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: read queue depths", "err", err)
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
		return
	}
	for _, d := range depths {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(d.Count), d.Queue, d.State)
	}
}
