package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

const printedSecret = "pat-S3cr3tNeverPrinted"

func loadedCredential(t *testing.T) *auth.Credential {
	t.Helper()
	h := newHome(t)
	writeFile(t, h.tokenPath(), printedSecret+"\n", 0o644)
	c, err := auth.Load(h.options())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCredentialNeverPrintsItsSecret(t *testing.T) {
	c := loadedCredential(t)
	if c.Secret() != printedSecret {
		t.Fatalf("Secret = %q, want %q", c.Secret(), printedSecret)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("loaded", "cred", c, "value", *c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("loaded", "cred", c, "value", *c)
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	outputs := map[string]string{
		"%v":            fmt.Sprintf("%v", c),
		"%+v":           fmt.Sprintf("%+v", c),
		"%#v":           fmt.Sprintf("%#v", c),
		"%s":            fmt.Sprintf("%s", c),
		"%q":            fmt.Sprintf("%q", c),
		"%x":            fmt.Sprintf("%x", c),
		"%d":            fmt.Sprintf("%d", c),
		"value %v":      fmt.Sprintf("%v", *c),
		"value %+v":     fmt.Sprintf("%+v", *c),
		"value %#v":     fmt.Sprintf("%#v", *c),
		"in struct %+v": fmt.Sprintf("%+v", struct{ C auth.Credential }{*c}),
		"in struct %#v": fmt.Sprintf("%#v", struct{ C *auth.Credential }{c}),
		"in slice %v":   fmt.Sprint([]*auth.Credential{c}),
		"Println":       fmt.Sprintln(c),
		"error %w":      fmt.Errorf("using %w", fmt.Errorf("%v", c)).Error(),
		"json":          marshal(c),
		"json value":    marshal(*c),
		"json in map":   marshal(map[string]any{"c": c}),
		"slog text":     text.String(),
		"slog json":     js.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, printedSecret) || strings.Contains(out, "S3cr3t") {
			t.Errorf("%s shows the secret: %s", name, out)
		}
		if !strings.Contains(out, c.Origin) && name != "%x" && name != "%d" && name != "%q" {
			t.Errorf("%s does not show the origin: %s", name, out)
		}
	}
	t.Logf("%%+v: %+v\n%%#v: %#v\njson: %s\nslog: %s", c, c, outputs["json"], text.String())
}

func TestCredentialDescriptions(t *testing.T) {
	file := auth.NewCredential(auth.KindPAT, auth.SourceFile, "/home/x/.config/gandi/api_token", printedSecret)
	key := auth.NewCredential(auth.KindAPIKey, auth.SourceEnv, auth.EnvAPIKey, printedSecret)
	key.Sandbox = true
	key.Warnings = []auth.Warning{{Code: auth.WarnLegacyKey, Message: "migrate"}}
	tests := []struct {
		format string
		c      *auth.Credential
		want   string
	}{
		{"%v", file, "PAT from /home/x/.config/gandi/api_token"},
		{"%s", key, "sandbox legacy API key from GANDI_API_KEY"},
		{"%q", file, `"PAT from /home/x/.config/gandi/api_token"`},
		{"%+v", key, "sandbox legacy API key from GANDI_API_KEY (source=env sandbox=true warnings=[legacy_key])"},
		{"%#v", file, `auth.Credential{Kind:"pat", Source:"file", Origin:"/home/x/.config/gandi/api_token", Sandbox:false, Warnings:[]auth.Warning(nil), secret:"[redacted]"}`},
		{"%v", &auth.Credential{}, "credential"},
		{"%v", (*auth.Credential)(nil), "<nil>"},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.format, tt.c); got != tt.want {
			t.Errorf("Sprintf(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
	b, err := json.Marshal(key)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"api_key","source":"env","origin":"GANDI_API_KEY","sandbox":true,"warnings":[{"code":"legacy_key","message":"migrate"}]}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	if (auth.Credential{}).Secret() != "" {
		t.Error("the zero Credential has a secret")
	}
}
