package tools

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestInvalidArgumentsEchoLittle: an argument's name or value of any size is
// echoed in a few dozen characters, not whole.
func TestInvalidArgumentsEchoLittle(t *testing.T) {
	long := strings.Repeat("a", 5000)
	tests := []struct {
		name string
		args string
		into any
	}{
		{"unknown name", `{"` + long + `": 1}`, &struct{}{}},
		{"number too large", `{"n": 1` + strings.Repeat("0", 5000) + `}`, &struct {
			N int `json:"n"`
		}{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := mcp.CallToolRequest{}
			req.Params.Arguments = json.RawMessage(tc.args)
			var f *Failure
			if err := decodeArguments(req, tc.into); !errors.As(err, &f) || f.T.Diagnosis != InvalidInput {
				t.Fatalf("decodeArguments = %v, want invalid_input", err)
			}
			if len(f.T.Summary) > 300 || !strings.Contains(f.T.Summary, "…") {
				t.Errorf("summary of %d bytes, want a clipped echo: %.200s", len(f.T.Summary), f.T.Summary)
			}
		})
	}
}

// closedDeps is a Deps with no credential and Gandi on a closed port: a call that
// gets past its arguments answers no_token, and nothing can be sent anywhere.
func closedDeps(t *testing.T) *Deps {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	return &Deps{
		Endpoints: gandi.Endpoints{Env: gandi.Production, APIURL: closed, IDURL: closed},
		Auth:      auth.Options{Getenv: func(string) string { return "" }, ConfigHome: dir, Home: dir},
		Retry:     gandi.RetryPolicy{MaxAttempts: 1},
	}
}

// callTool runs a tool's handler on raw arguments and returns its troubleshooting.
func callTool(t *testing.T, tool Tool, args string) Troubleshooting {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool.Definition.Name
	req.Params.Arguments = json.RawMessage(args)
	res, err := tool.Handler(context.Background(), req)
	if err != nil {
		t.Fatalf("%s(%s): Go error %v", tool.Definition.Name, args, err)
	}
	var out struct{ Troubleshooting *Troubleshooting }
	if err := json.Unmarshal(res.StructuredContent.(json.RawMessage), &out); err != nil || out.Troubleshooting == nil {
		t.Fatalf("%s(%s): no troubleshooting (%v)", tool.Definition.Name, args, err)
	}
	return *out.Troubleshooting
}

// sampleValue is a value of the schema type of a tool's argument, which the
// decoder alone would accept.
func sampleValue(t *testing.T, tool Tool, name string) string {
	t.Helper()
	var s struct {
		Properties map[string]struct {
			Type string   `json:"type"`
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(tool.Definition.RawInputSchema, &s); err != nil {
		t.Fatal(err)
	}
	p := s.Properties[name]
	switch {
	case len(p.Enum) > 0:
		return strconv.Quote(p.Enum[0])
	case p.Type == "boolean":
		return "true"
	case p.Type == "integer", p.Type == "number":
		return "1"
	case p.Type == "string":
		return `"x"`
	case p.Type == "array":
		return "[]"
	case p.Type == "object":
		return "{}"
	}
	t.Fatalf("%s.%s: no sample for schema type %q", tool.Definition.Name, name, p.Type)
	return ""
}

// TestEveryToolReadsArgumentsExactly: for every tool, a name given twice, in another
// case or unknown, and arguments that are not one JSON object, are refused as
// invalid_input before any request, with a message that names the tool's arguments.
func TestEveryToolReadsArgumentsExactly(t *testing.T) {
	for _, tool := range All(closedDeps(t)) {
		name := tool.Definition.Name
		args := schemaProperties(tool.Definition.RawInputSchema)
		listing := name + " takes no arguments"
		if len(args) > 0 {
			listing = "the arguments of " + name + " are: " + strings.Join(args, ", ")
		}
		type refusal struct {
			label, args string
			want        []string // in the summary
			listed      bool     // the summary lists the tool's arguments too
		}
		cases := []refusal{
			{"unknown name", `{"frobnicate": 1}`, []string{`unknown argument "frobnicate"`}, true},
			{"unknown name given twice", `{"frobnicate": 1, "frobnicate": 1}`, []string{`unknown argument "frobnicate"`}, true},
			{"array", `[]`, []string{"must be a JSON object, not an array"}, true},
			{"array of an object", `[{}]`, []string{"must be a JSON object, not an array"}, true},
			{"string", `"{}"`, []string{"must be a JSON object, not a string"}, true},
			{"number", `42`, []string{"must be a JSON object, not a number"}, true},
			{"boolean", `true`, []string{"must be a JSON object, not a boolean"}, true},
			{"trailing object", `{} {"frobnicate": 1}`, []string{"not valid JSON", "more data starts at byte 4"}, false},
			{"trailing bracket", `{}]`, []string{"not valid JSON", "byte 3"}, false},
			{"cut short", `{"a":`, []string{"not valid JSON"}, false},
			{"bad syntax", `{"a" 1}`, []string{"not valid JSON", "at byte 6"}, false},
			{"bad syntax after white space", "\n\t {\"a\" 1}", []string{"not valid JSON", "at byte 9"}, false},
			{"trailing after white space", "  {}\n}", []string{"not valid JSON", "more data starts at byte 6"}, false},
			{"no-break space is not JSON's", "\u00a0{}", []string{"not valid JSON", "at byte 1"}, false},
		}
		for _, a := range args {
			v := sampleValue(t, tool, a)
			title, upper := strings.ToUpper(a[:1])+a[1:], strings.ToUpper(a)
			cases = append(cases,
				refusal{"duplicate " + a, `{"` + a + `": ` + v + `, "` + a + `": ` + v + `}`, []string{`argument "` + a + `" is given twice`}, true},
				refusal{"other case " + a, `{"` + title + `": ` + v + `}`, []string{`unknown argument "` + title + `"`, `did you mean "` + a + `"?`}, true},
				refusal{"exact then other case " + a, `{"` + a + `": ` + v + `, "` + upper + `": ` + v + `}`, []string{`unknown argument "` + upper + `"`, `did you mean "` + a + `"?`}, true},
				refusal{"duplicate inside an array item " + a, `{"` + a + `": [{"k": 1, "k": 2}]}`, []string{`argument "` + a + `[0].k"`}, false}, // given twice, or unknown where items are objects of a struct
			)
		}
		for _, tc := range cases {
			t.Run(name+"/"+tc.label, func(t *testing.T) {
				got := callTool(t, tool, tc.args)
				if got.Diagnosis != InvalidInput {
					t.Fatalf("diagnosis %s, want invalid_input: %s", got.Diagnosis, got.Summary)
				}
				want := tc.want
				if tc.listed {
					want = append(want, listing)
				}
				for _, w := range want {
					if !strings.Contains(got.Summary, w) {
						t.Errorf("summary %q does not say %q", got.Summary, w)
					}
				}
			})
		}
		t.Run(name+"/exact names accepted", func(t *testing.T) {
			// Each name alone, exactly: no refusal of the name (a value may still be refused).
			for _, a := range args {
				got := callTool(t, tool, `{"`+a+`": `+sampleValue(t, tool, a)+`}`)
				if strings.Contains(got.Summary, "unknown argument") || strings.Contains(got.Summary, "given twice") {
					t.Errorf("%s refused: %s", a, got.Summary)
				}
			}
		})
	}
}

// TestCallAndMCPSayTheSame: what `call` refuses itself (Tool.CheckArguments) reads
// exactly as the tool's own refusal over MCP, argument names included.
func TestCallAndMCPSayTheSame(t *testing.T) {
	for _, tool := range All(closedDeps(t)) {
		for _, args := range []string{`[1, 2]`, `"x"`, `3.5`, `false`, `{"a": 1} {}`, `{"a":`, `{,}`} {
			t.Run(tool.Definition.Name+"/"+args, func(t *testing.T) {
				_, err := tool.CheckArguments([]byte(args))
				if err == nil {
					t.Fatal("CheckArguments accepted it")
				}
				got := callTool(t, tool, args)
				if want := "Invalid arguments: " + err.Error() + "."; got.Summary != want {
					t.Errorf("MCP says %q, call says %q", got.Summary, want)
				}
			})
		}
		for args, want := range map[string]string{``: `{}`, "\v": `{}`, "\v null ": `{}`, `null`: `{}`, ` {"frobnicate": 1} `: `{"frobnicate": 1}`} {
			got, err := tool.CheckArguments([]byte(args))
			if err != nil || string(got) != want || !json.Valid(got) {
				t.Errorf("%s: CheckArguments(%q) = %s, %v; want %s, left to the tool", tool.Definition.Name, args, got, err, want)
			}
		}
	}
}

// testChange and testChangesInput stand for the write tools' inputs to come, with
// objects nested in arrays, maps and pointers.
type testChange struct {
	Op     string   `json:"op"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	TTL    int      `json:"ttl,omitempty"`
	Values []string `json:"values"`
}

type testTarget struct {
	Zone string `json:"zone"`
}

type testOptions struct {
	Force bool `json:"force"`
}

type testChangesInput struct {
	testTarget                           // promoted: zone
	Changes    []testChange              `json:"changes"`
	Batches    [][]testChange            `json:"batches,omitempty"`
	Options    *testOptions              `json:"options,omitempty"`
	ByName     map[string]testChange     `json:"by_name,omitempty"`
	Extra      any                       `json:"extra,omitempty"`
	Skipped    string                    `json:"-"`
	Untagged   int                       // encoding/json reads it as "Untagged"
	When       *time.Time                `json:"when,omitempty"`
	Labels     map[string]map[string]int `json:"labels,omitempty"`
}

func TestDecodeArgumentsNested(t *testing.T) {
	tests := []struct {
		name, args string
		want       string // "" when accepted
	}{
		{"exact", `{"zone":"example.com","changes":[{"op":"add","name":"www","type":"A","ttl":300,"values":["192.0.2.1"]}]}`, ""},
		{"promoted, untagged, time, any", `{"zone":"z","Untagged":1,"when":"2026-01-01T00:00:00Z","extra":{"Free":{"form":1}}}`, ""},
		{"miscased in the third item", `{"changes":[{},{},{"Name":"www"}]}`,
			`unknown argument "changes[2].Name" (argument names are case-sensitive: did you mean "changes[2].name"?); the fields of changes[2] are: op, name, type, ttl, values`},
		{"unknown in an item", `{"changes":[{"op":"add","priority":1}]}`, `unknown argument "changes[0].priority"; the fields of changes[0] are: op, name, type, ttl, values`},
		{"duplicate in an item", `{"changes":[{"op":"add","op":"delete"}]}`, `argument "changes[0].op" is given twice`},
		{"exact and miscased in an item", `{"changes":[{"ttl":300,"TTL":1}]}`, `unknown argument "changes[0].TTL"`},
		{"in an array of arrays", `{"batches":[[],[{"op":"add"},{"Op":"add"}]]}`, `unknown argument "batches[1][1].Op"`},
		{"in a pointer to a struct", `{"options":{"Force":true}}`, `unknown argument "options.Force" (argument names are case-sensitive: did you mean "options.force"?); the fields of options are: force`},
		{"in a map's value", `{"by_name":{"www":{"vaLues":[]}}}`, `unknown argument "by_name.www.vaLues"`},
		{"a map's keys are free", `{"by_name":{"WWW":{},"www":{}}}`, ""},
		{"duplicate map key", `{"by_name":{"www":{},"www":{}}}`, `argument "by_name.www" is given twice`},
		{"duplicate deep in any", `{"extra":[[{"a":{"b":1,"b":2}}]]}`, `argument "extra[0][0].a.b" is given twice`},
		{"duplicate in a map of maps", `{"labels":{"x":{"n":1,"n":2}}}`, `argument "labels.x.n" is given twice`},
		{"skipped field", `{"Skipped":"x"}`, `unknown argument "Skipped"`},
		{"the embedded struct's own name", `{"testTarget":{}}`, `unknown argument "testTarget"`},
		{"miscased top level", `{"Zone":"z"}`, `did you mean "zone"?`},
		{"Unicode case folding", `{"zone":"z","changes":[{"ttl":1,"valueſ":["a"]}]}`, `unknown argument "changes[0].valueſ" (argument names are case-sensitive: did you mean "changes[0].values"?)`},
		{"escaped duplicate", `{"zone":"a","zo\u006ee":"b"}`, `argument "zone" is given twice`},
		{"type error says where", `{"changes":[{},{"ttl":"300"}]}`, `argument "changes[1].ttl" must be of type integer, not string`},
		{"type error in an array of strings", `{"changes":[{"values":["a",2]}]}`, `argument "changes[0].values[1]" must be of type string, not number`},
		{"object for a string", `{"zone":{"a":1}}`, `argument "zone" must be of type string, not object`},
		{"array for a struct", `{"options":[1]}`, `argument "options" must be of type object, not array`},
		{"top-level listing", `{"frob":1}`, `the arguments of change_records are: zone, changes, batches, options, by_name, extra, Untagged, when, labels`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := mcp.CallToolRequest{}
			req.Params.Name = "change_records"
			req.Params.Arguments = json.RawMessage(tc.args)
			var in testChangesInput
			err := decodeArguments(req, &in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				var std testChangesInput
				if err := json.Unmarshal([]byte(tc.args), &std); err != nil || !reflect.DeepEqual(in, std) {
					t.Errorf("decoded %+v, encoding/json reads %+v (%v)", in, std, err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) || f.T.Diagnosis != InvalidInput {
				t.Fatalf("decodeArguments = %v, want invalid_input", err)
			}
			if !strings.Contains(f.T.Summary, tc.want) {
				t.Errorf("summary %q\ndoes not say %q", f.T.Summary, tc.want)
			}
		})
	}
}

// TestShapeFollowsEncodingJSON: the names a struct is checked against are the ones
// encoding/json reads: promoted fields, the shallower of two, and neither of two
// fields of one name at one depth.
func TestShapeFollowsEncodingJSON(t *testing.T) {
	type A struct {
		X int `json:"x"`
		Y int
	}
	type B struct {
		X int `json:"x"`
		Z int `json:"z"`
	}
	type C struct {
		Y int
	}
	type conflicts struct {
		A
		*B
		C
		Own    int `json:"own,omitempty"`
		Z      int `json:"z2"`
		hidden int
	}
	got := slices.Sorted(slices.Values(shapeOf(reflect.TypeFor[conflicts]()).names))
	if want := []string{"own", "z", "z2"}; !slices.Equal(got, want) {
		t.Fatalf("names %v, want %v", got, want)
	}
	for _, name := range got {
		v := conflicts{B: &B{}}
		if err := json.Unmarshal([]byte(`{"`+name+`": 7}`), &v); err != nil || reflect.DeepEqual(v, conflicts{B: &B{}}) {
			t.Errorf("%q is accepted but encoding/json does not read it into a field (%v)", name, err)
		}
	}
	_ = conflicts{}.hidden
}

// BenchmarkDecodeArguments measures reading arguments exactly, against encoding/json
// alone (what decodeArguments did before it checked names): a typical small call and
// ten thousand items of the nested test input.
func BenchmarkDecodeArguments(b *testing.B) {
	items := `{"changes":[` + strings.Repeat(`{"op":"add","name":"www","type":"A","ttl":300,"values":["192.0.2.1"]},`, 10000) + `{}]}`
	cases := []struct {
		name, args string
		into       func() any
	}{
		{"renew_token", `{"name":"ci-bot 2026","expires_at":"2026-12-31T00:00:00Z","dry_run":true}`, func() any { return &RenewTokenInput{} }},
		{"10000_items", items, func() any { return &testChangesInput{} }},
	}
	for _, tc := range cases {
		b.Run(tc.name+"/exact", func(b *testing.B) {
			req := mcp.CallToolRequest{}
			req.Params.Arguments = json.RawMessage(tc.args)
			b.SetBytes(int64(len(tc.args)))
			b.ReportAllocs()
			for b.Loop() {
				if err := decodeArguments(req, tc.into()); err != nil && !strings.Contains(err.Error(), "expires_at") {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/encoding_json", func(b *testing.B) {
			b.SetBytes(int64(len(tc.args)))
			b.ReportAllocs()
			for b.Loop() {
				dec := json.NewDecoder(strings.NewReader(tc.args))
				dec.DisallowUnknownFields()
				if err := dec.Decode(tc.into()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
