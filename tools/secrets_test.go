package tools

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// benchListing is a list_domains output of n domains, as an all=true listing returns it.
func benchListing(n int) *ListDomainsOutput {
	out := &ListDomainsOutput{Count: n, Scanned: n, SharingID: "8d3b1c2e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", Owner: "acme"}
	end := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		days := 90 + i%365
		out.Domains = append(out.Domains, DomainSummary{FQDN: "d" + strconv.Itoa(i) + ".example.com", TLD: "com",
			Status: []string{"clientTransferProhibited"}, ExpiresAt: &end, DaysLeft: &days, AutoRenew: i%2 == 0,
			Nameserver: "livedns", Tags: []string{"prod"}, ID: "3f2b1c4d-5e6f-4a7b-8c9d-" + strconv.Itoa(100000000000+i)})
	}
	return out
}

// BenchmarkRespondListDomains measures what scrubbing costs on a 10,000-domain result:
// no secret held (what a result cost before scrubbing), the token held and absent (every
// call), and the token echoed in one domain's tag (the slow path that rewrites the result).
func BenchmarkRespondListDomains(b *testing.B) {
	const secret = "pat_0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e"
	cases := []struct {
		name    string
		held    bool
		echoed  bool
		redacts bool
	}{
		{"no_secret_held", false, false, false},
		{"secret_held", true, false, false},
		{"secret_echoed", true, true, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := &Deps{}
			if c.held {
				d.secrets.hold(secret)
			}
			out := benchListing(10000)
			if c.echoed {
				out.Domains[5000].Tags = []string{secret}
			}
			b.ReportAllocs()
			for b.Loop() {
				res := respond[ListDomainsOutput](context.Background(), d, out, false) // reads out, never changes it
				if text := res.Content[0].(mcp.TextContent).Text; strings.Contains(text, "[redacted]") != c.redacts || strings.Contains(text, secret) {
					b.Fatalf("redacted: %v, want %v", strings.Contains(text, "[redacted]"), c.redacts)
				}
			}
		})
	}
}

// The scrubbed result keeps its shape: valid JSON of the output's type, fields in their
// declared order, the text built from the scrubbed output.
func TestRespondScrubsEveryField(t *testing.T) {
	const secret = "pat_S3cr+t/Tok=en&Val<ue>"
	d := &Deps{}
	d.Hold(secret)
	out := benchListing(3)
	out.Domains[1].Tags = []string{"prod", secret}
	out.Owner = "owner " + secret
	out.Notes = []string{"Gandi said: bad token " + strings.ReplaceAll(secret, "_", "&#95;")}
	res := respond[ListDomainsOutput](context.Background(), d, out, false)
	raw := res.StructuredContent.(json.RawMessage)
	var back ListDomainsOutput
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("structured content does not decode: %v\n%s", err, raw)
	}
	if back.Domains[1].Tags[1] != "[redacted]" || back.Owner != "owner [redacted]" || back.Notes[0] != "Gandi said: bad token [redacted]" || back.Count != 3 {
		t.Errorf("scrubbed output = %+v", back)
	}
	if !strings.HasPrefix(string(raw), `{"domains":[{"fqdn":"d0.example.com"`) {
		t.Errorf("fields lost their order: %.60s", raw)
	}
	text := res.Content[0].(mcp.TextContent).Text
	if strings.Contains(text, "Tok=en") || strings.Contains(string(raw), "Tok=en") || !strings.Contains(text, "owner: owner [redacted]") {
		t.Errorf("text:\n%s", text)
	}
}

// BenchmarkScanListDomains is the part of scrubbing every result pays: looking for the
// held secrets in a 10,000-domain result's JSON and text.
func BenchmarkScanListDomains(b *testing.B) {
	d := &Deps{}
	d.secrets.hold("pat_0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e")
	red := d.secrets.redactor()
	out := benchListing(10000)
	out.Notes = []string{`A note that "quotes" & escapes: 100% of the domains.`} // escapes make the scan decode
	res := respond[ListDomainsOutput](context.Background(), &Deps{}, out, false)
	raw := []byte(res.StructuredContent.(json.RawMessage))
	text := res.Content[0].(mcp.TextContent).Text
	b.SetBytes(int64(len(raw) + len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if red.Holds(raw) || red.HoldsString(text) {
			b.Fatal("found a secret that is not there")
		}
	}
}
