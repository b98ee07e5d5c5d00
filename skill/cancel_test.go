package skill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// TestCancelledCallStopsItsGandiRequests checks that notifications/cancelled
// (which mcp-go's client sends when a call's context ends) ends the call's
// request to Gandi, and that the session goes on working.
func TestCancelledCallStopsItsGandiRequests(t *testing.T) {
	for _, protocol := range []string{mcp.LATEST_LEGACY_PROTOCOL_VERSION, mcp.LATEST_PROTOCOL_VERSION} {
		t.Run(protocol, func(t *testing.T) {
			hanging := make(chan string, 1)
			// A per-request timeout longer than the wait below: only the cancellation can end the request.
			long := withDeps(func(d *tools.Deps) { d.Timeout = time.Minute })
			h := newHarness(t, withProtocol(protocol), long, withSetup(func(h *harness) {
				org := h.fake.AddOrganization(gandi.Organization{Name: "acme"})
				tok := h.fake.AddToken(ganditest.Token{Name: "ci", Scopes: []string{"domain:view"},
					Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
				h.storeToken(tok.Secret, 0o600)
				h.fake.Inject(ganditest.Fault{Path: "/tokeninfo", Hang: true, Times: 1, Fired: hanging})
			}))

			ctx, cancel := context.WithCancel(context.Background())
			called := make(chan error, 1)
			go func() {
				req := mcp.CallToolRequest{}
				req.Params.Name = "verify_token"
				_, err := h.client.CallTool(ctx, req)
				called <- err
			}()
			<-hanging // the fake holds /tokeninfo until its request ends
			cancel()
			if err := <-called; !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled call returned %v, want context.Canceled", err)
			}

			// The hanging request ends only when the server cancels it.
			wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			if err := h.fake.WaitCanceled(wait, 1); err != nil {
				t.Fatalf("the fake never saw the cancelled call's request end: %v", err)
			}
			var out tools.VerifyTokenOutput
			if res := h.call("verify_token", nil, &out); res.IsError || !out.Valid {
				t.Fatalf("the session after a cancelled call: %s", textOf(res))
			}
			h.fake.Close() // waits for every handler, so the counts are final
			// The cancelled call's organizations listing, sent beside /tokeninfo, may have been
			// answered, cut or never sent by the time the cancellation came: only /tokeninfo is exact.
			if n := h.fake.Canceled(); n < 1 || n > 2 {
				t.Errorf("the fake saw %d requests end early, want the cancelled call's ones", n)
			}
			var seen []string
			listed := 0
			for _, r := range h.fake.Requests() {
				if r.Path != "/tokeninfo" {
					listed++
					continue
				}
				seen = append(seen, fmt.Sprintf("%s canceled=%v", r.Path, r.Canceled))
			}
			want := []string{"/tokeninfo canceled=true", "/tokeninfo canceled=false"}
			if !slices.Equal(seen, want) || listed < 1 || listed > 2 {
				t.Errorf("requests = %q and %d listings, want %q and one or two", seen, listed, want)
			}
		})
	}
}
