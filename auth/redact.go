package auth

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// minRedactLen is the shortest secret Redact replaces: a shorter one would blank out
// ordinary words.
const minRedactLen = 4

// Redact replaces every occurrence of each secret in s by "[redacted]", as Redactor.Redact
// does. Secrets shorter than 4 bytes are ignored. It is defence in depth for logs and error
// messages, which should not hold a secret in the first place.
func Redact(s string, secrets ...string) string {
	return NewRedactor(secrets...).Redact(s)
}

// Redactor finds and replaces a set of secrets, as written and in every form a server or a
// careless print could give them: escaped for a URL, a JSON or Go string, or HTML, in base64
// (as a Basic credential carries it), and hidden
// under any mix of those encodings (each character a numeric entity, a %XX or a \uXXXX).
// Build one per set of secrets and reuse it; a nil *Redactor holds no secret. It is safe for
// concurrent use.
type Redactor struct {
	forms    []string // longest first, so that a secret containing a shorter one is replaced whole
	replacer *strings.Replacer
	span     int // how far from an escape an encoded secret can reach
}

// encodedWidth bounds the bytes one character of a secret takes once encoded, in up to two
// layers (%26%23112; is ten): what lies further from an escape is not searched for one.
const encodedWidth = 16

// NewRedactor returns a Redactor of secrets, ignoring those shorter than 4 bytes; nil when
// none is left.
func NewRedactor(secrets ...string) *Redactor {
	var forms []string
	for _, secret := range secrets {
		if len(secret) >= minRedactLen {
			forms = append(forms, secretForms(secret)...)
		}
	}
	if len(forms) == 0 {
		return nil
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	return &Redactor{forms: forms, replacer: strings.NewReplacer(pairs...), span: encodedWidth * len(forms[0])}
}

// secretForms is secret as written and as each escaping writes it.
func secretForms(secret string) []string {
	quoted := strconv.Quote(secret)
	escaped, _ := json.Marshal(secret)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	unescaped := bytes.TrimSpace(plain.Bytes())
	// Unpadded base64 is also the start of the padded form, so these two cover four.
	return []string{secret, url.QueryEscape(secret), url.PathEscape(secret), quoted[1 : len(quoted)-1],
		string(escaped[1 : len(escaped)-1]), string(unescaped[1 : len(unescaped)-1]), html.EscapeString(secret),
		base64.RawStdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(secret))}
}

// Redact returns s with every secret replaced by "[redacted]". Where a secret is hidden under
// encodings that a plain replacement cannot see, that stretch of s comes back decoded, with
// the secret replaced: what it says stays readable, and the secret is gone.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	if r.contains(s) {
		s = r.replacer.Replace(s)
	}
	s, _ = uncover(r, s, true)
	return s
}

// Holds reports whether b holds a secret, in any form Redact replaces.
func (r *Redactor) Holds(b []byte) bool {
	if r == nil {
		return false
	}
	for _, f := range r.forms {
		if bytes.Contains(b, []byte(f)) {
			return true
		}
	}
	if !encodedBytes(b) {
		return false
	}
	_, hidden := uncover(r, b, false)
	return hidden
}

// HoldsString is Holds for a string.
func (r *Redactor) HoldsString(s string) bool {
	if r == nil {
		return false
	}
	if r.contains(s) {
		return true
	}
	_, hidden := uncover(r, s, false)
	return hidden
}

func (r *Redactor) contains(s string) bool {
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// uncover looks for secrets hidden under encodings, decoding only the stretches of s within
// span of an escape (a hidden secret holds one): a large result with a few escapes costs a
// scan. With fix, each stretch that hides one is replaced by its decoded, redacted text.
func uncover[T string | []byte](r *Redactor, s T, fix bool) (T, bool) {
	var b strings.Builder
	last, found := 0, false
	next := escapeFinder(s)
	for p := next(0); p >= 0; {
		start, end := max(p-r.span, last), p+r.span
		// Merge the stretches of escapes closer than span, so that none is cut in two.
		for p = next(p + 1); p >= 0 && p < end; p = next(p + 1) {
			end = p + r.span
		}
		end = min(end, len(s))
		stretch := string(s[start:end])
		plain := reveal(stretch)
		if plain == stretch || !r.contains(plain) {
			continue
		}
		if found = true; !fix {
			return s, true
		}
		b.WriteString(string(s[last:start]))
		b.WriteString(r.replacer.Replace(plain))
		last = end
	}
	if !found {
		return s, false
	}
	b.WriteString(string(s[last:]))
	return T(b.String()), true
}

// escapeFinder returns a function giving the index of the first backslash, % or & in s at or
// after i, or -1; called with growing i, it scans s once.
func escapeFinder[T string | []byte](s T) func(i int) int {
	const marks = "\\%&"
	var at [3]int // the next index of each mark not before the last i asked, or len(s)
	for k := range at {
		at[k] = -1
	}
	return func(i int) int {
		best := len(s)
		for k := range at {
			if at[k] < i && at[k] != len(s) {
				if j := indexByte(s[min(i, len(s)):], marks[k]); j >= 0 {
					at[k] = i + j
				} else {
					at[k] = len(s)
				}
			}
			best = min(best, at[k])
		}
		if best == len(s) {
			return -1
		}
		return best
	}
}

func indexByte[T string | []byte](s T, c byte) int {
	switch s := any(s).(type) {
	case string:
		return strings.IndexByte(s, c)
	case []byte:
		return bytes.IndexByte(s, c)
	}
	return -1
}

// encodedBytes reports whether b may hold an escape: a backslash, a % or an entity's &.
func encodedBytes(b []byte) bool {
	return bytes.IndexByte(b, '\\') >= 0 || bytes.IndexByte(b, '%') >= 0 || bytes.IndexByte(b, '&') >= 0
}

// revealRounds bounds how many layers of encoding reveal takes off.
const revealRounds = 4

// reveal undoes, leniently and layer after layer, backslash escapes, %XX escapes and HTML
// entities: what an upstream could wrap a secret in so that no fixed form of it matches.
func reveal(s string) string {
	for range revealRounds {
		t := html.UnescapeString(unpercent(unbackslash(s)))
		if t == s {
			break
		}
		s = t
	}
	return s
}

// unbackslash decodes \uXXXX, \xXX and the one-character escapes of JSON and Go, leaving
// anything else as it is.
func unbackslash(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch e := s[i+1]; e {
		case 'u', 'x':
			n := 4
			if e == 'x' {
				n = 2
			}
			if i+2+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+2+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += 1 + n
					continue
				}
			}
			b.WriteByte(c)
		case '\\', '"', '/', '\'':
			b.WriteByte(e)
			i++
		case 'n':
			b.WriteByte('\n')
			i++
		case 't':
			b.WriteByte('\t')
			i++
		case 'r':
			b.WriteByte('\r')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unpercent decodes every valid %XX, leaving a lone % as it is, and keeps the result valid UTF-8.
func unpercent(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}
