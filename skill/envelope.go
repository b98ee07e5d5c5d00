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
			// A value of a valid object is valid: it is not checked again.
			params, err := validObjectMembers(bytes.TrimSpace(m.value))
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

// objectMembers lists the members of a JSON object in order, duplicates kept, each
// value a slice of raw (not a copy); nil when raw is not an object or not valid JSON
// (mcp-go answers that itself). One pass over the bytes: every request goes through it.
func objectMembers(raw json.RawMessage) ([]member, error) {
	raw = bytes.TrimSpace(raw)
	if !json.Valid(raw) {
		return nil, nil
	}
	return validObjectMembers(raw)
}

// validObjectMembers is objectMembers of raw known to be valid JSON with no white space
// around it; nil when it is not an object.
func validObjectMembers(raw json.RawMessage) ([]member, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, nil
	}
	var out []member
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] == '"' {
		end := skipValue(raw, i)
		key := raw[i:end]
		name := string(key[1 : len(key)-1])
		if bytes.IndexByte(key, '\\') >= 0 || !isASCII(key) {
			// An escaped name ("\u0061rguments") or one not in ASCII is what encoding/json reads it as.
			if err := json.Unmarshal(key, &name); err != nil {
				return nil, err
			}
		}
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // the colon
		end = skipValue(raw, i)
		out = append(out, member{name: name, value: raw[i:end]})
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value that starts at b[i].
func skipValue(b []byte, i int) int {
	depth, inString, escaped := 0, false, false
	for j := i; j < len(b); j++ {
		c := b[j]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 0 {
					return j + 1
				}
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth <= 0 {
				if depth < 0 {
					return j // the end of the enclosing object: a literal ran up to it
				}
				return j + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return j // the end of a literal
			}
		}
	}
	return len(b)
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
