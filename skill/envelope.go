package skill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// The JSON-RPC envelope of a request is read exactly too: mcp-go decodes it with
// encoding/json, which matches "Arguments" to arguments and keeps the last of two
// "arguments", so a message could carry an approved call and run another. Every
// transport hands requests to MCPServer.HandleMessage, whose first hook sees the
// raw message: checkEnvelope refuses such a message there, before any tool runs.

// envelopeNames are the names whose spelling decides what runs: at the top of a
// request, and in its params.
var envelopeNames = map[string][]string{
	"":       {"jsonrpc", "id", "method", "params"},
	"params": {"name", "arguments", "_meta", "cursor", "uri", "level", "task"},
}

// checkEnvelope refuses a request whose top level or params repeat a name, or
// spell one of envelopeNames in another case. Other names pass: the protocol
// grows, and mcp-go ignores what it does not know.
func checkEnvelope(_ context.Context, _ any, message any) error {
	raw, ok := message.(json.RawMessage)
	if !ok {
		return nil
	}
	top, err := objectMembers(raw)
	if err != nil || top == nil {
		return nil // mcp-go answers unreadable messages itself
	}
	if err := checkMembers(top, "", "the request"); err != nil {
		return err
	}
	for _, m := range top {
		if m.name == "params" {
			params, err := objectMembers(m.value)
			if err != nil {
				return nil
			}
			return checkMembers(params, "params", "the request's params")
		}
	}
	return nil
}

type member struct {
	name  string
	value json.RawMessage
}

// objectMembers lists the members of a JSON object in order, duplicates kept;
// nil when raw is not an object.
func objectMembers(raw json.RawMessage) ([]member, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{name: name, value: v})
	}
	return out, nil
}

func checkMembers(ms []member, level, where string) error {
	known := envelopeNames[level]
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.name] {
			return fmt.Errorf("%s gives %q twice: give each name once", where, clipName(m.name))
		}
		seen[m.name] = true
		for _, k := range known {
			if m.name != k && strings.EqualFold(m.name, k) {
				return fmt.Errorf("%s has %q: names are case-sensitive, write %q", where, clipName(m.name), k)
			}
		}
	}
	return nil
}

// clipName keeps an echoed name short: a message may be of any size.
func clipName(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}
