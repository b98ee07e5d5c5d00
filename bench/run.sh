#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md: builds the binary once, then runs
# each benchmark. Benchmarks only: nothing here is a pass/fail test.
# Usage: bench/run.sh [startup|overhead|list_domains|verify_token|dns|availability|hosted]...   (default: the first four)
# verify_token runs the same benchmark on this tree's binary and on one built
# from BEFORE (default 8b73b16, the last commit whose verify_token sent its two
# requests one after the other), so that one run shows before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$(mktemp -d)/gandi-mcp"
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/gandi-mcp
export GANDI_MCP_BIN="$bin"

echo "== $(go version), $(nproc) CPU(s), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
for what in "${@:-startup overhead list_domains verify_token}"; do
  for w in $what; do
    case "$w" in
    startup) # 1. process start to a tools/list answer, median of 200 runs
      go test -run='^$' -bench='^BenchmarkStartToToolsList$' -benchtime=200x ./cmd/gandi-mcp ;;
    overhead) # 2. verify_token over MCP against the same requests by plain net/http, one fake
      go test -run='^$' -bench='^BenchmarkVerifyTokenOverhead$' -benchtime=2s -count=3 ./skill ;;
    list_domains) # 3-5. list_domains {"all": true}: 10,000 domains, 20 ms per request
      go test -v -run='^$' -bench='^BenchmarkListDomainsAll$' -benchtime=5x ./cmd/gandi-mcp | grep -E '^(Benchmark|--- SKIP|    bench_test|ok|FAIL)' ;;
    verify_token) # 6. verify_token through the binary, 20 ms per request: before and after, one run
      before="${BEFORE:-8b73b16}"
      src="$(dirname "$bin")/before"
      mkdir -p "$src"
      git archive "$before" | tar -x -C "$src"
      (cd "$src" && go build -o "$(dirname "$bin")/gandi-mcp-before" ./cmd/gandi-mcp)
      GANDI_MCP_BIN_BEFORE="$(dirname "$bin")/gandi-mcp-before" \
        go test -run='^$' -bench='^BenchmarkVerifyTokenLatency$' -benchtime=100x -count=3 ./cmd/gandi-mcp ;;
    dns) # change_dns_records: plan and apply of 50 set changes in a 1,000-set zone, 20 ms per request
      go test -run='^$' -bench='^BenchmarkChangeDNSRecords$' -benchtime=10x -count=3 ./skill ;;
    availability) # check_availability of 10 names, 20 ms per request: x-one-request is the call over one /check request
      go test -run='^$' -bench='^BenchmarkCheckAvailability$' -benchtime=20x -count=3 ./skill | grep -E '^(Benchmark|ok|FAIL)' ;;
    hosted) # serve --hosted: 200 callers x 5 list_domains through haproxy to 3 replicas, 20 ms per Gandi request
      # (needs haproxy; GANDI_MCP_RATE_LIMIT is raised inside so that the limiter does not throttle the 1000 calls)
      go test -run='^$' -bench='^BenchmarkHostedBalancer$' -benchtime=1x -count=3 ./deploy ;;
    *) echo "unknown benchmark $w: use startup, overhead, list_domains, verify_token, dns, availability or hosted" >&2; exit 2 ;;
    esac
  done
done
