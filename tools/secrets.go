package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sync"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

// maxHeldSecrets bounds the secrets a long-running server keeps scrubbing: the token in
// use and the ones its renewals issued, a handful in a lifetime.
const maxHeldSecrets = 16

// secretBook is every secret this process has used or received, so that no result or log
// repeats one, whatever field an upstream echoed it in.
type secretBook struct {
	mu      sync.Mutex
	secrets []string
	red     *auth.Redactor
}

// hold adds secret to the book.
func (b *secretBook) hold(secret string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if secret == "" || slices.Contains(b.secrets, secret) {
		return
	}
	b.secrets = append(b.secrets, secret)
	if len(b.secrets) > maxHeldSecrets {
		b.secrets = slices.Delete(b.secrets, 0, len(b.secrets)-maxHeldSecrets)
	}
	b.red = auth.NewRedactor(b.secrets...)
}

// redactor is the book's Redactor; nil while it holds nothing.
func (b *secretBook) redactor() *auth.Redactor {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.red
}

// Hold adds a secret of the process's own, beyond the tokens the tools use and receive
// (which they add themselves), such as the HTTP endpoint's bearer secret, to those scrubbed
// from every result and log.
func (d *Deps) Hold(secret string) { d.secrets.hold(secret) }

// redactorFor is the redactor of a call in ctx: the process's secrets and, in a hosted
// server, the token of ctx's caller.
func (d *Deps) redactorFor(ctx context.Context) *auth.Redactor {
	c := callerOf(ctx)
	if c == nil {
		return d.secrets.redactor()
	}
	d.secrets.mu.Lock()
	held := slices.Clone(d.secrets.secrets)
	d.secrets.mu.Unlock()
	if len(held) == 0 {
		return c.red
	}
	return auth.NewRedactor(append(held, c.cred.Secret())...)
}

// RedactContext is Redact for a log record made in ctx: it also scrubs the token of ctx's
// caller in a hosted server.
func (d *Deps) RedactContext(ctx context.Context, s string) string {
	return d.redactorFor(ctx).Redact(s)
}

// Redact replaces in s every secret this process has used or received (the token in use,
// renewed ones) by "[redacted]", in any encoding: for logs, which must not carry them.
func (d *Deps) Redact(s string) string {
	return d.secrets.redactor().Redact(s)
}

// scrubOutput redacts, in place, every string field of out that holds a secret (raw is
// out's JSON), so that the text built from out is scrubbed too, and returns out's JSON
// again. A secret the fields do not show (in a value that marshals itself) is then
// redacted in every string of the JSON, keeping it valid. out and raw themselves when raw
// holds no secret, which is the case nearly always and costs one scan.
func scrubOutput(red *auth.Redactor, out any, raw []byte) []byte {
	if !red.Holds(raw) {
		return raw
	}
	redactFields(red, reflect.ValueOf(out))
	clean, err := json.Marshal(out)
	if err != nil {
		clean = raw
	}
	if !red.Holds(clean) {
		return clean
	}
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return clean
	}
	if again, err := json.Marshal(redactValue(red, v)); err == nil {
		return again
	}
	return clean
}

// redactFields redacts the strings reachable from v through exported fields, pointers,
// interfaces, slices, arrays and maps.
func redactFields(red *auth.Redactor, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			redactFields(red, v.Elem())
		}
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.New(v.Elem().Type()).Elem() // what an interface holds cannot be set in place
		c.Set(v.Elem())
		redactFields(red, c)
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				redactFields(red, v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := range v.Len() {
			redactFields(red, v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			redactFields(red, e)
			nk := reflect.New(k.Type()).Elem()
			nk.Set(k)
			redactFields(red, nk)
			if !nk.Equal(k) {
				v.SetMapIndex(k, reflect.Value{})
			}
			v.SetMapIndex(nk, e)
		}
	case reflect.String:
		if s := v.String(); v.CanSet() {
			if r := red.Redact(s); r != s {
				v.SetString(r)
			}
		}
	}
}

// redactValue redacts every string, key or value, of a decoded JSON value.
func redactValue(red *auth.Redactor, v any) any {
	switch v := v.(type) {
	case string:
		return red.Redact(v)
	case []any:
		for i := range v {
			v[i] = redactValue(red, v[i])
		}
	case map[string]any:
		for k, e := range v {
			e = redactValue(red, e)
			if rk := red.Redact(k); rk != k {
				delete(v, k)
				k = rk
			}
			v[k] = e
		}
	}
	return v
}
