package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// These benchmarks drive the real binary over stdio, as an MCP client does.
// bench/run.sh builds it and sets GANDI_MCP_BIN; otherwise it is built once here.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func binary(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv("GANDI_MCP_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gandi-mcp-bench-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "gandi-mcp")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return builtBin
}

// session is one gandi-mcp process spoken to over its stdin and stdout.
type session struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func start(bin string, env []string) (*session, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stderr = io.Discard
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &session{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}, nil
}

func (s *session) send(msg string) error {
	_, err := io.WriteString(s.in, msg+"\n")
	return err
}

// await reads messages until the response with this id, skipping notifications.
func (s *session) await(id int) ([]byte, error) {
	want := `"id":` + strconv.Itoa(id) + `,`
	for {
		line, err := s.out.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("waiting for response %d: %w", id, err)
		}
		if strings.Contains(string(line[:min(len(line), 64)]), want) {
			return line, nil
		}
	}
}

// initialize does the MCP handshake.
func (s *session) initialize() error {
	if err := s.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`); err != nil {
		return err
	}
	if _, err := s.await(1); err != nil {
		return err
	}
	return s.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
}

// pid returns the process id.
func (s *session) pid() int { return s.cmd.Process.Pid }

func (s *session) close() {
	s.in.Close()
	_ = s.cmd.Wait()
}

// peakRSS reads the process's high-water resident set (VmHWM, Linux only) in bytes.
func peakRSS(pid int) (int64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkStartToToolsList times, per iteration, a fresh `gandi-mcp serve`
// (empty environment: no token, a private HOME) from process start to its
// tools/list answer, the handshake included. ms-median is the figure to quote.
func BenchmarkStartToToolsList(b *testing.B) {
	bin := binary(b)
	home := b.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		s, err := start(bin, env)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.initialize(); err != nil {
			b.Fatal(err)
		}
		if err := s.send(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`); err != nil {
			b.Fatal(err)
		}
		line, err := s.await(2)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
		if !strings.Contains(string(line), `"verify_token"`) {
			b.Fatalf("tools/list without verify_token: %s", line)
		}
		s.close()
	}
	b.ReportMetric(float64(median(took))/1e6, "ms-median")
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*9/10])/1e6, "ms-p90")
}

// Run 3 of issue 7: list_domains {"all": true} over 10,000 domains, 20 ms per request.
const (
	benchDomains = 10000
	benchLatency = 20 * time.Millisecond
)

// BenchmarkListDomainsAll times list_domains {"all": true} through the real
// binary against the fake with 10,000 domains and 20 ms per request, and
// reports the requests made, the most in flight, the structured output's bytes
// per domain and the process's peak RSS. It skips until list_domains exists.
func BenchmarkListDomainsAll(b *testing.B) {
	bin := binary(b)
	fake := ganditest.NewServer()
	defer fake.Close()
	org := fake.AddOrganization(gandi.Organization{Name: "bench", Type: "company"})
	fake.SeedDomains(org.ID, benchDomains, time.Now())
	tok := fake.AddToken(ganditest.Token{Name: "bench", Scopes: []string{"domain:view", "organization:view"},
		Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	home := b.TempDir()
	s, err := start(bin, []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GANDI_API_URL=" + fake.URL, "GANDI_ID_URL=" + fake.URL, "GANDI_API_TOKEN=" + tok.Secret})
	if err != nil {
		b.Fatal(err)
	}
	defer s.close()
	if err := s.initialize(); err != nil {
		b.Fatal(err)
	}
	if err := s.send(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`); err != nil {
		b.Fatal(err)
	}
	list, err := s.await(2)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(string(list), `"name":"list_domains"`) {
		b.Skip("list_domains is not registered in this build: run this benchmark once it lands (bench/run.sh)")
	}
	fake.SetLatency(benchLatency)
	var requests, inFlight, perDomain float64
	id := 2
	for b.Loop() {
		id++
		fake.ResetRequests()
		if err := s.send(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/call","params":{"name":"list_domains","arguments":{"all":true}}}`); err != nil {
			b.Fatal(err)
		}
		line, err := s.await(id)
		if err != nil {
			b.Fatal(err)
		}
		var resp struct {
			Result struct {
				IsError           bool            `json:"isError"`
				StructuredContent json.RawMessage `json:"structuredContent"`
			} `json:"result"`
		}
		if err := json.Unmarshal(line, &resp); err != nil || resp.Result.IsError {
			b.Fatalf("list_domains: %v %.500s", err, line)
		}
		requests = float64(len(fake.Requests()))
		inFlight = float64(fake.MaxInFlight())
		perDomain = float64(len(resp.Result.StructuredContent)) / benchDomains
	}
	b.ReportMetric(requests, "requests/op")
	b.ReportMetric(inFlight, "max-in-flight")
	b.ReportMetric(perDomain, "bytes/domain")
	if rss, ok := peakRSS(s.pid()); ok {
		b.ReportMetric(float64(rss)/(1<<20), "MB-peak-RSS")
	}
}

// BenchmarkVerifyTokenLatency times verify_token through the real binary
// against the fake with 20 ms per request, so that what counts is how many
// round trips a call waits for. With GANDI_MCP_BIN_BEFORE set (bench/run.sh
// verify_token builds it from an earlier commit), the same benchmark also runs
// that binary, so one run shows before and after side by side.
func BenchmarkVerifyTokenLatency(b *testing.B) {
	bins := []struct{ name, path string }{{"after", binary(b)}}
	if before := os.Getenv("GANDI_MCP_BIN_BEFORE"); before != "" {
		bins = append([]struct{ name, path string }{{"before", before}}, bins...)
	}
	for _, bin := range bins {
		b.Run(bin.name, func(b *testing.B) {
			fake := ganditest.NewServer()
			defer fake.Close()
			org := fake.AddOrganization(gandi.Organization{Name: "bench", Type: "company"})
			tok := fake.AddToken(ganditest.Token{Name: "bench", Scopes: []string{"domain:view", "organization:view"},
				Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			home := b.TempDir()
			s, err := start(bin.path, []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
				"GANDI_API_URL=" + fake.URL, "GANDI_ID_URL=" + fake.URL, "GANDI_API_TOKEN=" + tok.Secret})
			if err != nil {
				b.Fatal(err)
			}
			defer s.close()
			if err := s.initialize(); err != nil {
				b.Fatal(err)
			}
			fake.SetLatency(benchLatency)
			var requests, inFlight float64
			id := 1
			for b.Loop() {
				id++
				fake.ResetRequests()
				if err := s.send(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/call","params":{"name":"verify_token","arguments":{}}}`); err != nil {
					b.Fatal(err)
				}
				line, err := s.await(id)
				if err != nil {
					b.Fatal(err)
				}
				if !strings.Contains(string(line), `"valid":true`) {
					b.Fatalf("verify_token: %.500s", line)
				}
				requests = float64(len(fake.Requests()))
				inFlight = float64(fake.MaxInFlight())
			}
			b.ReportMetric(requests, "requests/op")
			b.ReportMetric(inFlight, "max-in-flight")
		})
	}
}
