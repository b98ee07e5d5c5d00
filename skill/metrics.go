package skill

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Metrics counts what a server does for Prometheus, on a registry of its own so
// that nothing else a process links in can add to it. No label carries a token,
// a domain, a record name or an organization: tools, diagnoses, HTTP methods,
// statuses and route templates only. Set it as tools.Deps.Metrics.
type Metrics struct {
	reg            *prometheus.Registry
	httpRequests   *prometheus.CounterVec
	toolCalls      *prometheus.CounterVec
	inFlight       prometheus.Gauge
	gandiRequests  *prometheus.HistogramVec
	limiterWait    prometheus.Histogram
	limiterRefused prometheus.Counter
}

// NewMetrics returns metrics on a new registry, with the Go runtime's and the
// process's collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gandi_mcp_http_requests_total",
			Help: "Requests to the MCP endpoint, by HTTP method and status code.",
		}, []string{"method", "code"}),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gandi_mcp_tool_calls_total",
			Help: "Tool calls that ended, by tool and diagnosis (ok for a success).",
		}, []string{"tool", "diagnosis"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gandi_mcp_tool_calls_in_flight",
			Help: "Tool calls running now.",
		}),
		gandiRequests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gandi_mcp_gandi_request_duration_seconds",
			Help:    "Requests sent to Gandi (each attempt), by method, route template and status code (error when no answer came).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "code"}),
		limiterWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gandi_mcp_rate_limiter_wait_seconds",
			Help:    "How long requests to Gandi waited for their turn at gandi-mcp's own rate limiter.",
			Buckets: []float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		limiterRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gandi_mcp_rate_limiter_refusals_total",
			Help: "Requests to Gandi that gandi-mcp's own rate limiter refused (the call got rate_limited), not sent.",
		}),
	}
	m.reg.MustRegister(m.httpRequests, m.toolCalls, m.inFlight, m.gandiRequests, m.limiterWait, m.limiterRefused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format (for GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// InstrumentHTTP counts the requests h answers, by method and status code.
func (m *Metrics) InstrumentHTTP(h http.Handler) http.Handler {
	return promhttp.InstrumentHandlerCounter(m.httpRequests, h)
}

// CallStarted implements tools.Observer.
func (m *Metrics) CallStarted(string) { m.inFlight.Inc() }

// CallEnded implements tools.Observer.
func (m *Metrics) CallEnded(tool string, diagnosis tools.Diagnosis) {
	m.inFlight.Dec()
	d := string(diagnosis)
	if d == "" {
		d = "ok"
	}
	m.toolCalls.WithLabelValues(tool, d).Inc()
}

// GandiRequest implements tools.Observer.
func (m *Metrics) GandiRequest(ev gandi.RequestEvent) {
	var rl *gandi.RateLimitError
	switch {
	case errors.As(ev.Err, &rl):
		m.limiterRefused.Inc()
		return
	case ev.Limited && ev.Sent:
		m.limiterWait.Observe(ev.Wait.Seconds())
	}
	if !ev.Sent {
		return // cancelled while it waited its turn
	}
	code := "error"
	if ev.Status > 0 {
		code = strconv.Itoa(ev.Status)
	}
	m.gandiRequests.WithLabelValues(ev.Method, ev.Route, code).Observe(ev.Duration.Seconds())
}
