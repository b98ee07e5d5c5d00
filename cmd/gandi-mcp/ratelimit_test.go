package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// TestRateLimitSetting: --rate-limit and GANDI_MCP_RATE_LIMIT take a whole
// number of requests a minute, or off; anything else stops serve before any
// request, naming the setting and what is valid.
func TestRateLimitSetting(t *testing.T) {
	tests := []struct {
		name, flag, env string
		wantErr         string // "" when serve starts
		warn            bool   // serve warns that Gandi may answer 429
	}{
		{name: "default"},
		{name: "flag", flag: "120"},
		{name: "variable", env: "120"},
		{name: "off", flag: "OFF"},
		{name: "above Gandi's limit", flag: "5000", warn: true},
		{name: "at Gandi's limit", env: "1000"},
		{name: "flag over variable", flag: "120", env: "abc"},
		{name: "not a number", flag: "fast", wantErr: `--rate-limit "fast" is not a whole number`},
		{name: "variable not a number", env: "10/s", wantErr: `GANDI_MCP_RATE_LIMIT="10/s" is not a whole number`},
		{name: "zero", env: "0", wantErr: `GANDI_MCP_RATE_LIMIT="0" would let no request through`},
		{name: "negative", flag: "-5", wantErr: `--rate-limit "-5" is out of range`},
		{name: "too large", flag: "5000000", wantErr: `--rate-limit "5000000" is out of range`},
		{name: "fraction", flag: "1.5", wantErr: `--rate-limit "1.5" is not a whole number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := home(t)
			fake := withFake(t, env)
			env["GANDI_API_TOKEN"] = fake.AddToken(ganditest.Token{Name: "ci"}).Secret
			if tc.env != "" {
				env["GANDI_MCP_RATE_LIMIT"] = tc.env
			}
			args := []string{"serve"}
			if tc.flag != "" {
				args = append(args, "--rate-limit="+tc.flag)
			}
			code, _, stderr := invocation{env: env}.run(t, args...)
			if tc.wantErr == "" {
				if code != exitOK {
					t.Errorf("exit %d, stderr %q: want serve to start (and end with its empty input)", code, stderr)
				}
				if warned := strings.Contains(stderr, "above Gandi's published 1000 per IP address"); warned != tc.warn {
					t.Errorf("stderr %q: warned %v, want %v", stderr, warned, tc.warn)
				}
				return
			}
			if code != exitUsage || !strings.Contains(stderr, tc.wantErr) || !strings.Contains(stderr, "or off for no limit") || !strings.Contains(stderr, "1000000") {
				t.Errorf("exit %d, stderr %q: want %d and %q with what is valid", code, stderr, exitUsage, tc.wantErr)
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("%d requests made with a bad setting", n)
			}
		})
	}
}

// TestServeLimitsRequests: serve's limiter is there for every call: with one
// request a minute (and so a burst of one), the second call's request is not
// sent but answered with rate_limited and a retry time.
func TestServeLimitsRequests(t *testing.T) {
	vars, _ := home(t)
	fake := withFake(t, vars)
	vars["GANDI_API_TOKEN"] = fake.AddToken(ganditest.Token{Name: "ci"}).Secret
	vars["GANDI_MCP_RATE_LIMIT"] = "1"
	const (
		initialize  = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
		initialized = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
		call        = `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"verify_token","arguments":{}}}`
	)
	in := strings.Join([]string{initialize, initialized, strings.Replace(call, "%d", "2", 1), strings.Replace(call, "%d", "3", 1)}, "\n") + "\n"
	// Input stays open until the three answers are read: its end would cancel the calls.
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	e := &env{stdin: inR, stdout: outW, stderr: &stderr, getenv: func(k string) string { return vars[k] }}
	codec := make(chan int, 1)
	go func() {
		codec <- run(context.Background(), []string{"serve"}, e)
		outW.Close()
	}()
	go io.WriteString(inW, in)
	sc := bufio.NewScanner(outR)
	sc.Buffer(nil, 1<<20)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	inW.Close()
	go io.Copy(io.Discard, outR)
	if code := <-codec; code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	stdout := strings.Join(lines, "\n")
	limited := 0
	for _, line := range lines {
		var msg struct {
			ID     int
			Result struct {
				StructuredContent struct {
					Troubleshooting *tools.Troubleshooting
				}
			}
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			t.Fatalf("stdout line %q: %v", line, err)
		}
		tr := msg.Result.StructuredContent.Troubleshooting
		if msg.ID < 2 || tr == nil {
			continue
		}
		if tr.Diagnosis != tools.RateLimited || tr.RetryAfterSeconds < 50 || tr.Status != 0 ||
			!strings.Contains(tr.Summary, "gandi-mcp's own limit of 1 requests a minute to Gandi is reached for this server; retry in") {
			t.Errorf("call %d: %+v, want gandi-mcp's own rate_limited with a retry time of about a minute", msg.ID, tr)
		}
		limited++
	}
	// Each verify_token asks two things: of the four requests, one went, and the calls said so.
	if n := len(fake.Requests()); n != 1 || limited != 2 {
		t.Errorf("%d requests reached Gandi and %d calls were held back; want 1 and 2\n%s", n, limited, stdout)
	}
}
