package skill

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestEnvelopeIsReadExactly: a request whose envelope names a member twice, or in
// another case, is refused before any tool runs, on every transport (they all go
// through HandleMessage); the approved call cannot be swapped for another.
func TestEnvelopeIsReadExactly(t *testing.T) {
	d, err := StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv := New(d.Deps(nil, 0))
	tests := []struct {
		name, msg string
		refused   bool
		says      string
	}{
		{"arguments twice", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"renew_token","arguments":{"dry_run":true},"arguments":{"dry_run":false}}}`, true, `"arguments" twice`},
		{"Arguments beside arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"renew_token","arguments":{"dry_run":true},"Arguments":{"dry_run":false}}}`, true, `write "arguments"`},
		{"Name beside name", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_domains","Name":"renew_token","arguments":{}}}`, true, `write "name"`},
		{"Method beside method", `{"jsonrpc":"2.0","id":1,"method":"tools/list","Method":"tools/call","params":{"name":"renew_token","arguments":{}}}`, true, `write "method"`},
		{"params twice", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_domains"},"params":{"name":"renew_token"}}`, true, `"params" twice`},
		{"folded letter", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"renew_token","argumentſ":{"dry_run":false}}}`, true, `write "arguments"`},
		{"an escaped name beside arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"renew_token","arguments":{"dry_run":true},"\u0061rguments":{"dry_run":false}}}`, true, `"arguments" twice`},
		{"an escaped Name", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_domains","\u004eame":"renew_token","arguments":{}}}`, true, `write "name"`},
		{"spaces and nesting everywhere", "{ \"jsonrpc\" : \"2.0\" ,\n\"id\":1, \"method\":\"tools/call\", \"params\" : { \"name\" : \"verify_token\" , \"arguments\" : { \"x\" : [ { \"arguments\" : 1 } ] } , \"arguments\" : {} } }", true, `"arguments" twice`},
		{"a plain call", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"verify_token","arguments":{}}}`, false, ""},
		{"an unknown member passes", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"verify_token","arguments":{},"extra":1}}`, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d.Fake.ResetRequests()
			tokens := len(d.Fake.Tokens())
			resp := srv.MCP.HandleMessage(context.Background(), json.RawMessage(tc.msg))
			raw, _ := json.Marshal(resp)
			var env struct {
				Result json.RawMessage
				Error  *struct{ Message string }
			}
			if err := json.Unmarshal(raw, &env); err != nil {
				t.Fatal(err)
			}
			if !tc.refused {
				if env.Error != nil || env.Result == nil {
					t.Fatalf("refused: %s", raw)
				}
				return
			}
			if env.Error == nil || !strings.Contains(env.Error.Message, tc.says) {
				t.Fatalf("answer %s; want an error saying %s", raw, tc.says)
			}
			if n := len(d.Fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Gandi", n)
			}
			if len(d.Fake.Tokens()) != tokens {
				t.Error("a token was issued")
			}
		})
	}
}

// BenchmarkCheckEnvelope is the envelope check of a typical hosted tools/call, which every
// request goes through before mcp-go reads it.
func BenchmarkCheckEnvelope(b *testing.B) {
	msg := json.RawMessage(typicalCall)
	for b.Loop() {
		if err := checkEnvelope(context.Background(), nil, msg); err != nil {
			b.Fatal(err)
		}
	}
}

const typicalCall = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_domains","arguments":{"all":true},` +
	`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"roots":{"listChanged":true}},` +
	`"io.modelcontextprotocol/clientInfo":{"name":"an MCP client","version":"1.2.3"}}}}`

// The envelope check reads a request in one pass without copying it: its allocations are
// the names of the members and their lists, a few whatever the request's size.
func TestCheckEnvelopeAllocations(t *testing.T) {
	tests := []struct{ name, msg string }{
		{"a typical call", typicalCall},
		{"long arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"change_dns_records","arguments":{"changes":[` +
			strings.Repeat(`{"name":"www","type":"A","values":["192.0.2.1"]},`, 50) + `{}]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := json.RawMessage(tt.msg)
			if err := checkEnvelope(context.Background(), nil, msg); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(50, func() { _ = checkEnvelope(context.Background(), nil, msg) }); n > 24 {
				t.Errorf("checkEnvelope allocates %v times a request, want at most 24", n)
			}
		})
	}
}

// FuzzObjectMembers: the one-pass scan lists the same members, names and values, as
// encoding/json's decoder walking the object token by token.
func FuzzObjectMembers(f *testing.F) {
	f.Add(typicalCall)
	f.Add(`{"a":1,"a":[1,{"b":"}"}],"\u0041":"x\"y", "c" : true ,"d":null,"é":-1.5e3}`)
	f.Add(`{}`)
	f.Add(`{"a":{"a":{}}}`)
	f.Fuzz(func(t *testing.T, msg string) {
		got, err := objectMembers(json.RawMessage(msg))
		if err != nil {
			t.Fatalf("objectMembers(%q): %v", msg, err)
		}
		want, werr := decoderMembers(json.RawMessage(msg))
		if werr != nil || want == nil {
			if got != nil {
				t.Fatalf("objectMembers(%q) = %v, the decoder reads no object (%v)", msg, got, werr)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("objectMembers(%q): %d members, the decoder reads %d", msg, len(got), len(want))
		}
		for i := range got {
			if got[i].name != want[i].name || string(got[i].value) != string(want[i].value) {
				t.Fatalf("objectMembers(%q) member %d = %q: %s, the decoder reads %q: %s", msg, i, got[i].name, got[i].value, want[i].name, want[i].value)
			}
		}
	})
}

// decoderMembers is objectMembers as encoding/json's decoder reads an object: the reference.
func decoderMembers(raw json.RawMessage) ([]member, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' || !json.Valid(raw) {
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
