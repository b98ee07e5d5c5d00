package gandi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// boundedList decodes a JSON array keeping at most max items and counting the
// rest, so that an answer of millions of tiny items cannot grow memory beyond
// what was asked for. null decodes as no items.
type boundedList[T any] struct {
	max     int
	items   []T
	dropped int // items past max, counted but not decoded
}

// UnmarshalJSON makes a boundedList a field of a decoded struct.
func (l *boundedList[T]) UnmarshalJSON(data []byte) error { return l.decodeJSON(data) }

// decodeJSON decodes data, which attempt passes here directly: going through
// json.Unmarshal first would scan the whole page twice more.
func (l *boundedList[T]) decodeJSON(data []byte) error {
	l.items, l.dropped = l.items[:0], 0
	data = bytes.Trim(data, " \t\r\n") // JSON's white space only: bytes.TrimSpace also drops \f and \v
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '[' {
		return fmt.Errorf("want a JSON array, not %s", jsonKind(data))
	}
	n, cut := countItems(data, l.max)
	if n > l.max {
		if !json.Valid(data) {
			return errors.New("the array is not valid JSON")
		}
		l.dropped = n - l.max
		data = append(data[:cut:cut], ']') // a copy: data is the caller's
	}
	if kept := min(n, l.max); cap(l.items) < kept {
		// Sized to the items answered: decoding would grow it by doubling, and a
		// capacity guessed from the page size asked is mostly empty on a short page.
		l.items = make([]T, 0, kept)
	}
	return json.Unmarshal(data, &l.items)
}

// countItems counts the items of the JSON array data, and returns where to cut
// it to keep n items: at the comma that ends item n (just past the '[' when n
// is 0; 0 when there are at most n). It only tracks
// nesting and strings: json.Unmarshal or json.Valid judges the syntax after.
func countItems(data []byte, n int) (count, cut int) {
	depth, inString, escaped, item := 0, false, false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			inString, item = true, item || depth == 1
		case '[', '{':
			if depth == 0 && n == 0 {
				cut = i + 1 // no item kept: "[" then "]"
			}
			item = item || depth == 1
			depth++
		case ']', '}':
			if depth--; depth == 0 {
				if item {
					count++
				}
				return count, cut
			}
		case ',':
			if depth == 1 {
				if count++; count == n {
					cut = i
				}
				item = false
			}
		default:
			item = item || depth == 1
		}
	}
	return count, cut
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

// decodeJSON decodes a 2xx answer into out, letting a boundedList read the
// bytes itself.
func decodeJSON(data []byte, out any) error {
	if l, ok := out.(interface{ decodeJSON([]byte) error }); ok {
		return l.decodeJSON(data)
	}
	return json.Unmarshal(data, out)
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
