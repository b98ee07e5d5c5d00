package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// reasons is every reason an InvalidTokenError may give: a closed vocabulary,
// so that no part of the refused value can be in it.
var reasons = regexp.MustCompile(`^(` + strings.Join([]string{
	`it is empty or holds only white space`,
	`it has several lines; put the token alone on one line`,
	`it contains white space`,
	`it starts with a byte order mark; save it as plain text without BOM`,
	`it contains a NUL byte \(a UTF-16 file\? save it as plain ASCII text\)`,
	`it contains a control character`,
	`it contains a non-ASCII character`,
	`it is \d+ characters long, (shorter|longer) than \d+`,
	`the file is larger than \d+ bytes`,
}, "|") + `)$`)

// checkToken asserts what holds of any value read as a token: an accepted one
// is the trimmed value, of valid shape, and stays accepted; a refused one is
// an InvalidTokenError from origin whose message is input-independent.
func checkToken(t *testing.T, origin, raw, got string, err error) {
	t.Helper()
	if err != nil {
		var ite *InvalidTokenError
		if !errors.As(err, &ite) {
			t.Fatalf("error %T %v, want *InvalidTokenError", err, err)
		}
		if ite.Origin != origin || !reasons.MatchString(ite.Reason) {
			t.Fatalf("origin %q reason %q: not from %q, or not in the closed vocabulary", ite.Origin, ite.Reason, origin)
		}
		if want := (&InvalidTokenError{Origin: origin, Reason: ite.Reason}).Error(); err.Error() != want {
			t.Fatalf("message %q, want %q", err.Error(), want)
		}
		return
	}
	if got != strings.TrimSpace(raw) {
		t.Fatalf("token %q, want the trimmed value %q", got, strings.TrimSpace(raw))
	}
	if len(got) < MinTokenLen || len(got) > MaxTokenLen {
		t.Fatalf("accepted a token of %d bytes, outside [%d, %d]", len(got), MinTokenLen, MaxTokenLen)
	}
	for i := 0; i < len(got); i++ {
		if got[i] < 0x21 || got[i] > 0x7e {
			t.Fatalf("accepted byte %#x at %d", got[i], i)
		}
	}
	if again, err := ValidateToken(origin, got); err != nil || again != got {
		t.Fatalf("an accepted token is refused or changed once more: %q, %v", again, err)
	}
}

// FuzzValidateToken: any value from a variable is accepted cleaned, or refused
// with a message that holds nothing of it.
func FuzzValidateToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := ValidateToken(EnvToken, raw)
		checkToken(t, EnvToken, raw, got, err)
	})
}

// FuzzLoadTokenFile: any content of the token file loads as the token
// ValidateToken accepts, or is refused naming the file and nothing of the
// content; neither the credential's printed nor its JSON form holds the secret.
func FuzzLoadTokenFile(f *testing.F) {
	dir := f.TempDir()
	o := Options{Getenv: func(string) string { return "" }, ConfigHome: dir, Home: dir}
	path := TokenPaths(o)[0]
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(o)
		if len(content) > maxFileSize {
			var ite *InvalidTokenError
			if !errors.As(err, &ite) || !strings.HasPrefix(ite.Reason, "the file is larger than") {
				t.Fatalf("a file of %d bytes: %v, want refused as too large", len(content), err)
			}
		}
		secret := ""
		if c != nil {
			if c.Kind != KindPAT || c.Source != SourceFile || c.Origin != path {
				t.Fatalf("credential %v, want a PAT from %s", c, path)
			}
			secret = c.Secret()
		}
		checkToken(t, path, string(content), secret, err)
		if c == nil {
			return
		}
		// Every printed and encoded form is the same with another secret: it holds none of it.
		other := *c
		otherSecret := "another-secret"
		other.secret = &otherSecret
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			if a, b := fmt.Sprintf(verb, c), fmt.Sprintf(verb, other); a != b {
				t.Fatalf("%s depends on the secret: %q vs %q", verb, a, b)
			}
		}
		ja, _ := json.Marshal(c)
		jb, _ := json.Marshal(other)
		if string(ja) != string(jb) {
			t.Fatalf("JSON depends on the secret: %s vs %s", ja, jb)
		}
	})
}
