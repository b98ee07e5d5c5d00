package tools

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Arguments are read exactly: encoding/json alone matches names case-insensitively
// and keeps the last of two equal names, so {"dry_run":true,"Dry_Run":false} would
// run what nobody approved. Every object of a call's arguments is first checked
// against the exact JSON names of the Go type it decodes into.

// shape is what a JSON value may hold where a Go type reads it; nil is any value,
// whose objects are only checked for duplicate names.
type shape struct {
	fields map[string]field // a struct: its exact JSON names; nil for other kinds
	names  []string         // the struct's names in declaration order, for messages
	elem   *shape           // a slice's or array's items, a map's values
	isMap  bool
}

// field is one of a struct's names: its place among the names, and what it holds.
type field struct {
	index int
	shape *shape
}

func (s *shape) isStruct() bool { return s != nil && s.fields != nil }

var (
	shapes   sync.Map // reflect.Type -> *shape
	shapesMu sync.Mutex

	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shapeOf returns the shape of t, built once per type.
func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	shapesMu.Lock()
	defer shapesMu.Unlock()
	built := map[reflect.Type]*shape{}
	s := buildShape(t, built)
	for bt, bs := range built {
		shapes.LoadOrStore(bt, bs)
	}
	return s
}

// buildShape reflects t; built holds the types in progress, so recursive types end.
func buildShape(t reflect.Type, built map[reflect.Type]*shape) *shape {
	if s, ok := built[t]; ok {
		return s
	}
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	// A type that reads itself decides what its objects hold.
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return buildShape(t.Elem(), built)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // bytes are a base64 string
		}
		s := &shape{}
		built[t] = s
		s.elem = buildShape(t.Elem(), built)
		return s
	case reflect.Map:
		s := &shape{isMap: true}
		built[t] = s
		s.elem = buildShape(t.Elem(), built)
		return s
	case reflect.Struct:
		s := &shape{fields: map[string]field{}}
		built[t] = s
		for i, f := range jsonFields(t) {
			s.names = append(s.names, f.name)
			s.fields[f.name] = field{index: i, shape: buildShape(f.typ, built)}
		}
		return s
	}
	return nil
}

type jsonField struct {
	name   string
	typ    reflect.Type
	depth  int
	tagged bool
}

// jsonFields lists the fields encoding/json reads in a struct, by its rules: exported
// fields, tag names, "-" skipped, embedded structs' fields promoted, and of two fields
// of one name the shallower, then the tagged one, and neither when that is a tie.
func jsonFields(t reflect.Type) []jsonField {
	var all []jsonField
	var walk func(t reflect.Type, depth int, visiting map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, visiting map[reflect.Type]bool) {
		if visiting[t] {
			return
		}
		visiting[t] = true
		defer delete(visiting, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			ft := sf.Type
			if sf.Anonymous {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if !validTagName(name) {
				name = ""
			}
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				walk(ft, depth+1, visiting)
				continue
			}
			tagged := name != ""
			if !tagged {
				name = sf.Name
			}
			all = append(all, jsonField{name: name, typ: sf.Type, depth: depth, tagged: tagged})
		}
	}
	walk(t, 0, map[reflect.Type]bool{})

	byName := map[string][]jsonField{}
	for _, f := range all {
		byName[f.name] = append(byName[f.name], f)
	}
	var out []jsonField
	for _, f := range all {
		if w, ok := dominant(byName[f.name]); ok && w == f {
			out = append(out, f)
		}
	}
	return out
}

// dominant picks the field that wins among fields of one name, as encoding/json does.
func dominant(fs []jsonField) (jsonField, bool) {
	if len(fs) == 1 {
		return fs[0], true
	}
	minDepth := fs[0].depth
	for _, f := range fs {
		minDepth = min(minDepth, f.depth)
	}
	var top []jsonField
	for _, f := range fs {
		if f.depth == minDepth {
			top = append(top, f)
		}
	}
	if len(top) == 1 {
		return top[0], true
	}
	var tagged []jsonField
	for _, f := range top {
		if f.tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return jsonField{}, false
}

// validTagName is encoding/json's rule: other names fall back to the field's own.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// readObject checks that raw is one JSON object and nothing else, and returns it;
// white space alone and null stand for {}. names are the tool's arguments, for messages.
func readObject(raw []byte, tool string, names []string) ([]byte, error) {
	if blank := bytes.TrimSpace(raw); len(blank) == 0 || string(blank) == "null" {
		return []byte("{}"), nil // no arguments, however it is said
	}
	lead := len(raw) - len(bytes.TrimLeft(raw, jsonSpace)) // so that byte numbers count from the caller's first
	raw = bytes.Trim(raw, jsonSpace)
	if json.Valid(raw) {
		if raw[0] != '{' {
			return nil, fmt.Errorf("the arguments must be a JSON object, not %s; %s", article(kindOf(raw)), argumentList(tool, names))
		}
		return raw, nil
	}
	// Invalid: read again, slower, to say where and how.
	dec := json.NewDecoder(bytes.NewReader(raw))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("the arguments are not valid JSON: %s at byte %d", se.Error(), se.Offset+int64(lead))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("the arguments are not valid JSON: they end at byte %d, before the JSON value is complete", lead+len(raw))
		default:
			return nil, fmt.Errorf("the arguments are not valid JSON: %w", err)
		}
	}
	if end := dec.InputOffset(); end < int64(len(raw)) {
		// raw is trimmed, so what follows the value is more than white space.
		rest := raw[end:]
		at := int64(lead) + end + int64(len(rest)-len(bytes.TrimLeft(rest, jsonSpace))) + 1
		return nil, fmt.Errorf("the arguments are not valid JSON: after the %s, more data starts at byte %d; give one JSON object", kindOf(v), at)
	}
	return nil, errors.New("the arguments are not valid JSON") // json.Valid and the decoder disagree: not expected
}

// jsonSpace is what JSON takes as white space; bytes.TrimSpace would take more.
const jsonSpace = " \t\r\n"

// kindOf names the kind of a valid JSON value.
func kindOf(v []byte) string {
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func article(kind string) string {
	if kind == "array" || kind == "object" {
		return "an " + kind
	}
	return "a " + kind
}

// argumentList says what a tool's arguments are.
func argumentList(tool string, names []string) string {
	who := "this tool"
	if tool != "" {
		who = tool
	}
	if len(names) == 0 {
		return who + " takes no arguments: give {}"
	}
	if tool == "" {
		return "the arguments are: " + strings.Join(names, ", ")
	}
	return "the arguments of " + tool + " are: " + strings.Join(names, ", ")
}

// step is one step of the path to a value: an object's name, as its raw JSON
// string (quotes included), or an array's index.
type step struct {
	key   []byte // nil for an index
	index int
}

// checker walks the bytes of a JSON value, already found valid, beside the shape
// that will read it; a name is decoded only when it holds an escape, so that
// checking costs less than the decoding that follows.
type checker struct {
	b    []byte
	i    int
	tool string
	path []step
	// locate asks for the path of the innermost value holding byte at, into found.
	locate bool
	at     int
	found  []step
}

// checkNames refuses, anywhere in the object v, a name given twice and, in the objects
// that a struct reads, a name the struct does not have exactly.
func checkNames(v []byte, s *shape, tool string) error {
	c := &checker{b: v, tool: tool}
	return c.value(s)
}

func (c *checker) space() {
	for c.i < len(c.b) {
		if !strings.ContainsRune(jsonSpace, rune(c.b[c.i])) {
			return
		}
		c.i++
	}
}

func (c *checker) value(s *shape) error {
	c.space()
	if c.locate && c.found == nil {
		// Children end before their parent, so the first value to hold c.at is the innermost.
		start := c.i
		defer func() {
			if c.found == nil && start <= c.at && c.at < c.i {
				c.found = append([]step{}, c.path...)
			}
		}()
	}
	switch c.b[c.i] {
	case '{':
		return c.object(s)
	case '[':
		var elem *shape
		if s != nil && !s.isStruct() && !s.isMap {
			elem = s.elem
		}
		c.i++
		for n := 0; ; n++ {
			c.space()
			switch c.b[c.i] {
			case ']':
				c.i++
				return nil
			case ',':
				c.i++
			}
			c.path = append(c.path, step{index: n})
			if err := c.value(elem); err != nil {
				return err
			}
			c.path = c.path[:len(c.path)-1]
		}
	case '"':
		c.str()
	default: // a number, true, false or null: up to what ends a value
		for c.i < len(c.b) && !strings.ContainsRune(",]}"+jsonSpace, rune(c.b[c.i])) {
			c.i++
		}
	}
	return nil
}

// str skips the string at c.i and returns it, quotes included, and whether it must
// be decoded to be compared: an escape, or bytes that are not UTF-8 (which the
// decoder reads as U+FFFD).
func (c *checker) str() (raw []byte, decode bool) {
	start := c.i
	for c.i++; ; c.i++ {
		switch b := c.b[c.i]; {
		case b == '\\':
			decode = true
			c.i++
		case b == '"':
			c.i++
			raw = c.b[start:c.i]
			return raw, decode || !utf8.Valid(raw)
		}
	}
}

func (c *checker) object(s *shape) error {
	var elem *shape
	if s != nil && s.isMap {
		elem = s.elem
	}
	var small [32]bool // which of a struct's fields were given, without allocating
	var given []bool
	if s.isStruct() {
		given = small[:]
		if len(s.names) > len(small) {
			given = make([]bool, len(s.names))
		}
	}
	var seen map[string]bool // the names given, where any name is allowed
	c.i++
	for {
		c.space()
		switch c.b[c.i] {
		case '}':
			c.i++
			return nil
		case ',':
			c.i++
			c.space()
		}
		raw, decode := c.str()
		c.path = append(c.path, step{key: raw})
		name := ""
		if decode {
			name = keyName(raw)
		}
		next := elem
		if s.isStruct() {
			var f field
			var ok bool
			if decode {
				f, ok = s.fields[name]
			} else {
				f, ok = s.fields[string(raw[1:len(raw)-1])]
			}
			if !ok {
				return c.unknown(s)
			}
			if given[f.index] {
				return c.duplicate(s)
			}
			given[f.index] = true
			next = f.shape
		} else {
			if !decode {
				name = string(raw[1 : len(raw)-1])
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			if seen[name] {
				return c.duplicate(s)
			}
			seen[name] = true
		}
		c.space()
		c.i++ // the colon
		if err := c.value(next); err != nil {
			return err
		}
		c.path = c.path[:len(c.path)-1]
	}
}

// pathAt renders the path to the innermost value of v that holds byte at, e.g.
// changes[2].ttl, where encoding/json's errors say only changes.ttl; "" when none does.
func pathAt(v []byte, at int) string {
	c := &checker{b: v, locate: true, at: at}
	if c.value(nil) != nil || len(c.found) == 0 {
		return ""
	}
	return where(c.found)
}

// keyName decodes a raw JSON string as encoding/json does.
func keyName(raw []byte) string {
	var name string
	_ = json.Unmarshal(raw, &name) // raw was found valid
	return name
}

// where renders a path, e.g. changes[2].name, each name clipped.
func where(path []step) string {
	var b strings.Builder
	for _, p := range path {
		if p.key == nil {
			b.WriteString("[" + strconv.Itoa(p.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(clip(keyName(p.key)))
	}
	return clip(b.String())
}

// fieldList says what names the object holding the current name takes.
func (c *checker) fieldList(s *shape) string {
	parent := c.path[:len(c.path)-1]
	if len(parent) == 0 {
		return argumentList(c.tool, s.names)
	}
	at := where(parent)
	if len(s.names) == 0 {
		return at + " takes no fields: give {}"
	}
	return "the fields of " + at + " are: " + strings.Join(s.names, ", ")
}

func (c *checker) duplicate(s *shape) error {
	msg := fmt.Sprintf("argument %q is given twice; give each name once", where(c.path))
	if s.isStruct() {
		msg += "; " + c.fieldList(s)
	}
	return errors.New(msg)
}

func (c *checker) unknown(s *shape) error {
	msg := fmt.Sprintf("unknown argument %q", where(c.path))
	name := keyName(c.path[len(c.path)-1].key)
	for _, n := range s.names {
		if strings.EqualFold(n, name) {
			meant := append(c.path[:len(c.path)-1:len(c.path)-1], step{key: []byte(strconv.Quote(n))})
			msg += fmt.Sprintf(" (argument names are case-sensitive: did you mean %q?)", where(meant))
			break
		}
	}
	return errors.New(msg + "; " + c.fieldList(s))
}

// CheckArguments checks what a call's arguments must be before they can be sent to the
// tool at all, one JSON object and nothing else, and returns that object ({} for none).
// The tool checks the rest (names, types, values) when called; for what both check,
// the error's text is the tool's own.
func (t Tool) CheckArguments(raw []byte) (json.RawMessage, error) {
	return readObject(raw, t.Definition.Name, schemaProperties(t.Definition.RawInputSchema))
}

// schemaProperties returns the names of an object schema's properties, in their order.
func schemaProperties(schema json.RawMessage) []string {
	var s struct {
		Properties json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil || len(s.Properties) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(s.Properties))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return names
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return names
		}
	}
	return names
}
