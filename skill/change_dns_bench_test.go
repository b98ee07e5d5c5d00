package skill

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// BenchmarkChangeDNSRecords plans and applies 50 record-set changes in a zone of 1,000
// record sets, with 20 ms of latency per request, over an MCP stdio session. It reports
// the requests each makes, the most in flight, and the apply's floor: the rounds of
// requests it must make one after the other at the write concurrency, times the latency.
func BenchmarkChangeDNSRecords(b *testing.B) {
	const (
		sets    = 1000
		changed = 50
		latency = 20 * time.Millisecond
	)
	var tok ganditest.Token
	h := newHarness(b, withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		h.fake.AddDomains(gandi.Domain{FQDN: dnsZone, SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "livedns"}})
		zone := make([]gandi.RecordSet, sets)
		for i := range zone {
			zone[i] = gandi.RecordSet{Name: fmt.Sprintf("h%04d", i), Type: "A", TTL: 10800, Values: []string{fmt.Sprintf("198.51.100.%d", i%250)}}
		}
		if err := h.fake.SetZone(dnsZone, zone); err != nil {
			b.Fatal(err)
		}
		tok = h.fake.AddToken(ganditest.Token{Name: "bench", Scopes: allDNSScopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	}), withDeps(func(d *tools.Deps) { d.Timeout = 10 * time.Second }))
	h.fake.SetLatency(latency)
	args := func(round int) dnsArgs {
		cs := make([]map[string]any, changed)
		for i := range cs {
			cs[i] = change("set", fmt.Sprintf("h%04d", i*(sets/changed)), "A", 0, fmt.Sprintf("203.0.113.%d", round%250))
		}
		return dnsArgs{FQDN: dnsZone, Changes: cs}
	}
	call := func(b *testing.B, a dnsArgs) tools.ChangeDNSRecordsOutput {
		var out tools.ChangeDNSRecordsOutput
		res := h.call("change_dns_records", a, &out)
		if res.IsError {
			b.Fatalf("change_dns_records: %s", textOf(res))
		}
		return out
	}
	count := func() (reads, writes int) {
		for _, r := range h.fake.Requests() {
			if r.Method == http.MethodGet {
				reads++
			} else {
				writes++
			}
		}
		return
	}
	b.Run("plan", func(b *testing.B) {
		h.fake.ResetRequests()
		round := 0
		for b.Loop() {
			round++
			call(b, args(round))
		}
		reads, writes := count()
		b.ReportMetric(float64(reads)/float64(round), "GET/op")
		b.ReportMetric(float64(writes)/float64(round), "writes/op")
	})
	b.Run("apply", func(b *testing.B) {
		var total time.Duration
		var reads, writes, inflight, rounds int
		round := 0
		for b.Loop() {
			b.StopTimer()
			round++
			a := args(round)
			a.PlanID = call(b, a).PlanID
			a.Apply = true
			h.fake.ResetRequests()
			b.StartTimer()
			start := time.Now()
			out := call(b, a)
			total += time.Since(start)
			b.StopTimer()
			if !out.Applied || strings.Contains(fmt.Sprint(out.Changes), "mismatch") {
				b.Fatalf("apply: %+v", out)
			}
			r, w := count()
			reads, writes, inflight = reads+r, writes+w, max(inflight, h.fake.MaxInFlight())
			rounds++
			b.StartTimer()
		}
		// One after the other: the re-read, the snapshot, the writes in rounds of 4, the read-back
		// (/tokeninfo runs beside the writes).
		floor := time.Duration(1+1+(changed+3)/4+1) * latency
		b.ReportMetric(float64(reads)/float64(rounds), "GET/op")
		b.ReportMetric(float64(writes)/float64(rounds), "writes/op")
		b.ReportMetric(float64(inflight), "max-in-flight")
		b.ReportMetric(float64(floor.Milliseconds()), "floor-ms")
		b.ReportMetric(float64((total / time.Duration(rounds)).Milliseconds()), "apply-ms")
	})
}
