package deploy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// BenchmarkHostedBalancer is bench/run.sh hosted: 200 callers, each with its
// own token and organization, make 5 list_domains calls each at once through
// haproxy to 3 replicas, with 20 ms of latency on every Gandi request. Every
// call must list exactly its caller's domains (checked once the call's timer has
// stopped: that check against all 200 callers is the bench's work). Then the same callers make the
// same Gandi requests directly (plain net/http, same concurrency): the
// overhead per call is the difference of the two distributions, at the median
// and at p99. Peak RSS is each replica's VmHWM at the end.
//
// The callers run twice each way: in a burst (all 200 at once, each call right
// after the one before: on 2 CPUs that measures queueing for the CPU, the
// saturation), and paced (each caller makes a call every `pace`, the 200 spread
// evenly over it: 100 calls a second, the overhead of the path itself). The
// targets (median overhead under 2 ms, p99 under 10 ms) are read on the paced run.
//
// GANDI_MCP_RATE_LIMIT is raised far above the 1000 calls, so that the bench
// measures the path through the balancer, not the limiter. GOMEMLIMIT is the
// Deployment's memory limit, as Kubernetes sets it.
func BenchmarkHostedBalancer(b *testing.B) {
	const (
		callers  = 200
		calls    = 5
		replicas = 3
		latency  = 20 * time.Millisecond
		pace     = 2 * time.Second // each paced caller's interval between the starts of its calls
	)
	haproxy := haproxyPath(b)
	_, dep := readDeployment(b)
	fake := ganditest.NewTestServer(b)
	people := seedCallers(fake, "client", callers, 3)
	args := append(serveArgs(b), dep.container.Args...)
	var rs []*replica
	for i := range replicas {
		env := append(replicaEnv(b, fake, "", 1_000_000), dep.goMemLimit(b))
		rs = append(rs, startReplica(b, fmt.Sprintf("r%d", i), args, env))
	}
	lb := startBalancer(b, haproxy, dep.ready, rs)
	ctx := context.Background()
	fake.SetLatency(latency)

	// The Gandi requests one list_domains call makes, recorded from a first call.
	fake.ResetRequests()
	if err := checkIsolationOnce(ctx, lb.url, people[0], people); err != nil {
		b.Fatal(err)
	}
	template := fake.Requests()
	if len(template) == 0 {
		b.Fatal("list_domains made no Gandi request")
	}
	for _, r := range template {
		b.Logf("list_domains makes %s %s?%s", r.Method, r.Path, r.Query.Encode())
	}

	// One caller alone first: the path's own cost, without 200 callers queueing for 2 CPUs.
	alone := people[:1]
	viaBalancer := func(ctx context.Context, c caller) (call, func() error, error) {
		cl, err := connect(ctx, lb.url, c.token.Secret)
		if err != nil {
			return nil, nil, err
		}
		return func() (func() error, error) {
			res, err := callTool(ctx, cl, "list_domains", map[string]any{"all": true})
			if err != nil {
				return nil, err
			}
			return func() error { return checkAnswer(res, c, people, true) }, nil
		}, cl.Close, nil
	}
	direct := func(ctx context.Context, c caller) (call, func() error, error) {
		return func() (func() error, error) {
			return nil, replay(ctx, fake.URL, c.token.Secret, template)
		}, func() error { return nil }, nil
	}
	serialMCP, err := runCallers(ctx, alone, 40, 0, viaBalancer)
	if err != nil {
		b.Fatal(err)
	}
	serialDirect, err := runCallers(ctx, alone, 40, 0, direct)
	if err != nil {
		b.Fatal(err)
	}

	cpu := func() (replicas, balancer time.Duration) {
		for _, r := range rs {
			d, err := cpuTime(r.pid())
			if err != nil {
				b.Fatal(err)
			}
			replicas += d
		}
		d, err := cpuTime(lb.pid)
		if err != nil {
			b.Fatal(err)
		}
		return replicas, d
	}
	var (
		mcpTimes, directTimes, pacedMCP, pacedDirect []time.Duration
		replicaCPU, lbCPU                            time.Duration
	)
	run := func(into *[]time.Duration, pace time.Duration, open func(context.Context, caller) (call, func() error, error)) {
		times, err := runCallers(ctx, people, calls, pace, open)
		if err != nil {
			b.Fatal(err)
		}
		*into = append(*into, times...)
	}
	for b.Loop() {
		r0, l0 := cpu()
		run(&mcpTimes, 0, viaBalancer)
		r1, l1 := cpu()
		replicaCPU, lbCPU = replicaCPU+r1-r0, lbCPU+l1-l0
		run(&directTimes, 0, direct)
		run(&pacedMCP, pace, viaBalancer)
		run(&pacedDirect, pace, direct)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	report := func(prefix string, through, plain []time.Duration) {
		slices.Sort(through)
		slices.Sort(plain)
		b.ReportMetric(ms(percentile(through, 50)), prefix+"mcp-p50-ms")
		b.ReportMetric(ms(percentile(through, 99)), prefix+"mcp-p99-ms")
		b.ReportMetric(ms(percentile(plain, 50)), prefix+"direct-p50-ms")
		b.ReportMetric(ms(percentile(plain, 99)), prefix+"direct-p99-ms")
		b.ReportMetric(ms(percentile(through, 50)-percentile(plain, 50)), prefix+"overhead-p50-ms")
		b.ReportMetric(ms(percentile(through, 99)-percentile(plain, 99)), prefix+"overhead-p99-ms")
		b.Logf("%s%d calls through haproxy: p50 %v p99 %v; the same Gandi requests directly: p50 %v p99 %v; load average %s",
			prefix, len(through), percentile(through, 50), percentile(through, 99), percentile(plain, 50), percentile(plain, 99), loadAverage())
	}
	report("burst-", mcpTimes, directTimes)
	report("paced-", pacedMCP, pacedDirect)
	slices.Sort(serialMCP)
	slices.Sort(serialDirect)
	b.ReportMetric(ms(percentile(serialMCP, 50)-percentile(serialDirect, 50)), "alone-overhead-p50-ms")
	b.ReportMetric(ms(percentile(serialMCP, 99)-percentile(serialDirect, 99)), "alone-overhead-p99-ms")
	b.ReportMetric(ms(replicaCPU)/float64(len(mcpTimes)), "replica-cpu-ms/call")
	b.ReportMetric(ms(lbCPU)/float64(len(mcpTimes)), "haproxy-cpu-ms/call")
	var peak int64
	for _, r := range rs {
		rss, err := peakRSS(r.pid())
		if err != nil {
			b.Skipf("peak RSS: %v", err)
		}
		b.Logf("%s peak RSS %.1f MB", r.name, float64(rss)/1e6)
		peak = max(peak, rss)
	}
	b.ReportMetric(float64(peak)/1e6, "max-replica-rss-MB")
	b.ReportMetric(0, "ns/op")
}

// call makes one timed call and returns the check of its answer, which runs after the
// timer: judging an answer against every caller is the bench's work, not the caller's.
type call func() (check func() error, err error)

// runCallers runs every caller at once; each opens with open, then makes calls
// timed calls one after the other: right after each other when pace is 0, else
// one every pace, the callers' first calls spread evenly over the first pace. It returns the durations of all calls, and
// the first error (a wrong answer is an error).
func runCallers(ctx context.Context, people []caller, calls int, pace time.Duration,
	open func(context.Context, caller) (c call, closeFn func() error, err error)) ([]time.Duration, error) {
	var (
		mu    sync.Mutex
		times []time.Duration
		first error
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	record := func(d []time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, d...)
		if first == nil {
			first = err
		}
	}
	for i, c := range people {
		offset := pace * time.Duration(i) / time.Duration(len(people))
		wg.Add(1)
		go func() {
			defer wg.Done()
			call, closeFn, err := open(ctx, c)
			if err != nil {
				record(nil, fmt.Errorf("%s: %w", c.org.Name, err))
				return
			}
			defer closeFn()
			<-start // every caller is connected before the first call is timed
			begin := time.Now()
			var d []time.Duration
			for k := range calls {
				if pace > 0 {
					time.Sleep(time.Until(begin.Add(offset + time.Duration(k)*pace)))
				}
				t0 := time.Now()
				check, err := call()
				elapsed := time.Since(t0)
				if err == nil && check != nil {
					err = check()
				}
				if err != nil {
					record(d, fmt.Errorf("%s: %w", c.org.Name, err))
					return
				}
				d = append(d, elapsed)
			}
			record(d, nil)
		}()
	}
	close(start)
	wg.Wait()
	if first == nil && len(times) != len(people)*calls {
		first = fmt.Errorf("%d calls answered, want %d", len(times), len(people)*calls)
	}
	return times, first
}

// replay makes the template's requests with token, one after the other, as plain net/http.
func replay(ctx context.Context, base, token string, template []ganditest.Request) error {
	for _, r := range template {
		u := base + r.Path
		if q := r.Query.Encode(); q != "" {
			u += "?" + q
		}
		req, err := http.NewRequestWithContext(ctx, r.Method, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := directClient.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s %v", r.Path, res.Status, err)
		}
	}
	return nil
}

var directClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}}

// checkIsolationOnce connects as c, makes one list_domains call and checks it.
func checkIsolationOnce(ctx context.Context, url string, c caller, all []caller) error {
	cl, err := connect(ctx, url, c.token.Secret)
	if err != nil {
		return err
	}
	defer cl.Close()
	return checkIsolation(ctx, cl, c, all, true)
}

// loadAverage is the machine's 1-minute load average, for reading the figures.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// percentile is the p-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}
