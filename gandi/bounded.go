package gandi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// boundedList decodes a JSON array keeping at most max items and counting the
// rest, so that an answer of millions of tiny items cannot grow memory beyond
// what was asked for. null decodes as no items.
type boundedList[T any] struct {
	max     int
	items   []T
	dropped int // items past max, decoded only to be counted
}

func (l *boundedList[T]) UnmarshalJSON(data []byte) error {
	l.items, l.dropped = l.items[:0], 0
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '[' {
		return fmt.Errorf("want a JSON array, not %s", jsonKind(data))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the '['
		return err
	}
	var skip json.RawMessage // reused: one item's bytes at a time
	for dec.More() {
		if len(l.items) < l.max {
			var zero T
			l.items = append(l.items, zero)
			if err := dec.Decode(&l.items[len(l.items)-1]); err != nil {
				return err
			}
			continue
		}
		if err := dec.Decode(&skip); err != nil {
			return err
		}
		l.dropped++
	}
	_, err := dec.Token() // the ']'
	return err
}

// jsonKind names the kind of JSON value data starts with, for an error message.
func jsonKind(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch c := data[0]; {
	case c == '{':
		return "an object"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// clipBytes cuts s to at most n bytes on a UTF-8 boundary, ending with "…"
// when it cut; n counts the ellipsis.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := max(0, n-len(ellipsis))
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
