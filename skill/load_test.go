package skill

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

const loadCalls = 1000

// TestLoad makes 1000 concurrent calls on one session, cycling through every
// registered tool, and checks each answer: a read-only tool must answer what
// it answered alone (times may move by a minute, e.g. a renewed token's
// expiry); a tool that changes things must succeed or say another call holds
// the token's renewal. Run with -race, it also proves there is no data race.
func TestLoad(t *testing.T) {
	h, _ := newFaultHarness(t, credential{name: "pat", secret: "pat_load0123456789abcdef0123456789ab"}, withDeps(func(d *tools.Deps) {
		d.Timeout = 20 * time.Second // the machine is busy with 1000 calls; a timeout here would be noise
	}))
	res, err := h.client.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	type expectation struct {
		name      string
		readOnly  bool
		reference any
	}
	var cycle []expectation
	for _, tool := range res.Tools {
		e := expectation{name: tool.Name, readOnly: tool.Annotations.ReadOnlyHint != nil && *tool.Annotations.ReadOnlyHint}
		if e.readOnly {
			r, err := h.callWithin(tool.Name, h.argsFor(tool.Name))
			if err != nil || r.IsError {
				t.Fatalf("%s alone: %v %s", tool.Name, err, textOfResult(r))
			}
			if err := json.Unmarshal(r.RawStructuredContent, &e.reference); err != nil {
				t.Fatal(err)
			}
		}
		cycle = append(cycle, e)
	}

	var wg sync.WaitGroup
	failures := make(chan string, loadCalls)
	for i := range loadCalls {
		e := cycle[i%len(cycle)]
		wg.Go(func() {
			r, err := h.callWithin(e.name, h.argsFor(e.name))
			if err != nil {
				failures <- fmt.Sprintf("call %d (%s): protocol error %v", i, e.name, err)
				return
			}
			var got any
			if err := json.Unmarshal(r.RawStructuredContent, &got); err != nil {
				failures <- fmt.Sprintf("call %d (%s): structured content: %v", i, e.name, err)
				return
			}
			switch {
			case e.readOnly && r.IsError:
				failures <- fmt.Sprintf("call %d (%s): error %s", i, e.name, textOfResult(r))
			case e.readOnly:
				if path, ok := sameAnswer(e.reference, got, ""); !ok {
					failures <- fmt.Sprintf("call %d (%s): answer differs at %s from the answer alone", i, e.name, path)
				}
			case r.IsError:
				var out struct{ Troubleshooting *tools.Troubleshooting }
				_ = json.Unmarshal(r.RawStructuredContent, &out)
				if out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.RenewalInProgress {
					failures <- fmt.Sprintf("call %d (%s): error %s", i, e.name, textOfResult(r))
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	n := 0
	for f := range failures {
		if n++; n <= 10 {
			t.Error(f)
		}
	}
	if n > 10 {
		t.Errorf("... and %d more failed calls", n-10)
	}
	t.Logf("%d calls, %d requests to the fake, at most %d at once; mcp-go ran %d calls on its read loop (queue full)",
		loadCalls, len(h.fake.Requests()), h.fake.MaxInFlight(), strings.Count(h.stderr.String(), "queue full"))
	h.assertWorks(t)
}

// sameAnswer compares two decoded JSON values; strings that are both RFC 3339
// times may differ by up to a minute. It returns where they first differ.
func sameAnswer(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for k, v := range w {
			if p, ok := sameAnswer(v, g[k], path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := sameAnswer(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	case string:
		g, ok := got.(string)
		if !ok {
			return path, false
		}
		if g == w {
			return "", true
		}
		tw, errW := time.Parse(time.RFC3339, w)
		tg, errG := time.Parse(time.RFC3339, g)
		if errW == nil && errG == nil && math.Abs(float64(tw.Sub(tg))) <= float64(time.Minute) {
			return "", true
		}
		return path, false
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			return path, false
		}
		return "", true
	}
}

func textOfResult(r *mcp.CallToolResult) string {
	if r == nil {
		return "<nil>"
	}
	return textOf(r)
}
