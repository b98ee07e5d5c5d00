package gandi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

func TestSecretIsRedacted(t *testing.T) {
	const value = "pat_s3cr3t"
	s := gandi.Secret(value)
	rt := gandi.RenewedToken{AccessToken: s, ID: "id1", Name: "ci", ExpiresAt: time.Unix(0, 0)}

	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "secret", s, "token", rt)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "secret", s, "token", rt)
	marshalled, err := json.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	bare, _ := json.Marshal(s)

	outs := map[string]string{"slog text": text.String(), "slog json": js.String(), "json struct": string(marshalled), "json bare": string(bare)}
	for _, verb := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%d", "%10s"} {
		outs[verb] = fmt.Sprintf(verb, s)
		outs[verb+" struct"] = fmt.Sprintf(verb, rt)
		outs[verb+" pointer"] = fmt.Sprintf(verb, &rt)
	}
	outs["Sprint"] = fmt.Sprint(s, rt)
	outs["Sprintln"] = fmt.Sprintln(s)
	for name, out := range outs {
		if strings.Contains(out, value) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", value)) {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("%s does not say [redacted]: %s", name, out)
		}
	}
	if s.Reveal() != value {
		t.Errorf("Reveal() = %q", s.Reveal())
	}

	var back gandi.RenewedToken
	if err := json.Unmarshal([]byte(`{"access_token": "pat_new"}`), &back); err != nil || back.AccessToken.Reveal() != "pat_new" {
		t.Errorf("decoding access_token: %q, %v", back.AccessToken.Reveal(), err)
	}
}

// The expiry book keeps fingerprints on disk: the formula must not change, or a book
// written before would no longer be read.
func TestFingerprintIsStable(t *testing.T) {
	if got, want := gandi.Fingerprint("pat_example"), "e0c9ea1fe5e99f40"; got != want {
		t.Errorf("Fingerprint(pat_example) = %s, want %s", got, want)
	}
	if gandi.Fingerprint("pat_example") == gandi.Fingerprint("pat_exampl3") {
		t.Error("two tokens share a fingerprint")
	}
}
