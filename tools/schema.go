package tools

import (
	"encoding/json"
	"fmt"

	"github.com/invopop/jsonschema"
)

// schemaFor reflects T into a self-contained JSON schema whose root is an object.
// DoNotReference and ExpandedStruct avoid the default "$ref" root, which
// TypeScript MCP clients reject (the whole tools/list then fails).
func schemaFor[T any]() json.RawMessage {
	r := jsonschema.Reflector{Anonymous: true, DoNotReference: true, ExpandedStruct: true}
	var v T
	s := r.Reflect(&v)
	s.Version = ""
	s.ID = ""
	raw, err := json.Marshal(s)
	if err != nil {
		// The types are ours and fixed at compile time: failing here is a programming error.
		panic(fmt.Sprintf("tools: schema of %T: %v", v, err))
	}
	return raw
}
