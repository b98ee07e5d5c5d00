package auth

import (
	"cmp"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// minRedactLen is the shortest secret Redact replaces: a shorter one would blank out
// ordinary words.
const minRedactLen = 4

// Redact replaces every occurrence of each secret in s by "[redacted]", as written and as
// it appears once escaped for a URL, a JSON string or a Go quoted string. Secrets shorter
// than 4 bytes are ignored. It is defence in depth for logs and error messages, which
// should not hold a secret in the first place.
func Redact(s string, secrets ...string) string {
	var forms []string
	for _, secret := range secrets {
		if len(secret) < minRedactLen {
			continue
		}
		quoted := strconv.Quote(secret)
		encoded, _ := json.Marshal(secret)
		forms = append(forms, secret, url.QueryEscape(secret), url.PathEscape(secret),
			quoted[1:len(quoted)-1], string(encoded[1:len(encoded)-1]))
	}
	if len(forms) == 0 {
		return s
	}
	// Longest first, so that a secret containing a shorter one is replaced whole.
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
