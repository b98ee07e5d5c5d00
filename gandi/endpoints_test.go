package gandi_test

import (
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

func TestEndpointsValidate(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		wantErr string // substring; "" means valid
	}{
		{"https", "https://api.gandi.net", ""},
		{"https with path", "https://proxy.example.com/gandi", ""},
		{"http loopback v4", "http://127.0.0.1:8080", ""},
		{"http loopback 127/8", "http://127.1.2.3", ""},
		{"http localhost", "http://localhost:9999", ""},
		{"http LOCALHOST", "http://LOCALHOST", ""},
		{"http loopback v6", "http://[::1]:8080", ""},
		{"http remote", "http://example.com", "clear text"},
		{"http private ip", "http://10.0.0.1", "clear text"},
		{"http localhost lookalike", "http://localhost.example.com", "clear text"},
		{"relative", "/v5", "not an absolute URL"},
		{"garbage", "::not a url", "not an absolute URL"},
		{"empty", "", "not an absolute URL"},
		{"no host", "https://", "not an absolute URL"},
		{"ftp", "ftp://api.gandi.net", "scheme"},
		{"credentials", "https://user:pw@api.gandi.net", "credentials"},
		{"query", "https://api.gandi.net?x=1", "query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, e := range []gandi.Endpoints{
				{Env: gandi.Production, APIURL: tt.url, IDURL: gandi.ProductionIDURL},
				{Env: gandi.Sandbox, APIURL: gandi.SandboxAPIURL, IDURL: tt.url},
			} {
				err := e.Validate()
				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("Validate(%+v) = %v, want nil", e, err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("Validate(%+v) = %v, want error containing %q", e, err, tt.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "pw") {
					t.Errorf("error repeats URL credentials: %v", err)
				}
			}
		})
	}
	if err := (gandi.Endpoints{Env: "staging", APIURL: gandi.ProductionAPIURL, IDURL: gandi.ProductionIDURL}).Validate(); err == nil {
		t.Error("unknown environment accepted")
	}
}

func TestEndpointsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		flag    bool
		env     map[string]string
		want    gandi.Endpoints
		wantErr string
	}{
		{name: "defaults", want: gandi.EndpointsFor(gandi.Production)},
		{name: "flag", flag: true, want: gandi.EndpointsFor(gandi.Sandbox)},
		{name: "env true", env: map[string]string{"GANDI_SANDBOX": "true"}, want: gandi.EndpointsFor(gandi.Sandbox)},
		{name: "env 1", env: map[string]string{"GANDI_SANDBOX": "1"}, want: gandi.EndpointsFor(gandi.Sandbox)},
		{name: "env YES", env: map[string]string{"GANDI_SANDBOX": "YES"}, want: gandi.EndpointsFor(gandi.Sandbox)},
		{name: "env on", env: map[string]string{"GANDI_SANDBOX": "on"}, want: gandi.EndpointsFor(gandi.Sandbox)},
		{name: "env 0", env: map[string]string{"GANDI_SANDBOX": "0"}, want: gandi.EndpointsFor(gandi.Production)},
		{name: "flag wins over env off", flag: true, env: map[string]string{"GANDI_SANDBOX": "off"}, want: gandi.EndpointsFor(gandi.Sandbox)},
		{name: "env garbage", env: map[string]string{"GANDI_SANDBOX": "maybe"}, wantErr: "GANDI_SANDBOX"},
		{
			name: "overrides",
			env:  map[string]string{"GANDI_API_URL": "http://127.0.0.1:8080/", "GANDI_ID_URL": "https://id.example.com"},
			want: gandi.Endpoints{Env: gandi.Production, APIURL: "http://127.0.0.1:8080", IDURL: "https://id.example.com"},
		},
		{
			name: "sandbox keeps its ID host when only the API is overridden",
			env:  map[string]string{"GANDI_SANDBOX": "1", "GANDI_API_URL": "https://proxy.example.com"},
			want: gandi.Endpoints{Env: gandi.Sandbox, APIURL: "https://proxy.example.com", IDURL: gandi.SandboxIDURL},
		},
		{name: "override in clear text", env: map[string]string{"GANDI_API_URL": "http://api.example.com"}, wantErr: "clear text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := gandi.EndpointsFromEnv(tt.flag, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestEndpointsFromProcessEnv(t *testing.T) {
	t.Setenv("GANDI_SANDBOX", "true")
	t.Setenv("GANDI_API_URL", "")
	t.Setenv("GANDI_ID_URL", "")
	got, err := gandi.EndpointsFromEnv(false, nil)
	if err != nil || got != gandi.EndpointsFor(gandi.Sandbox) {
		t.Fatalf("got %+v, %v; want sandbox defaults", got, err)
	}
}

func TestAdminURLs(t *testing.T) {
	tests := []struct {
		env                 gandi.Environment
		admin, pat, sharing string
	}{
		{gandi.Production, "https://admin.gandi.net", "https://admin.gandi.net/organizations/account/pat", "https://admin.gandi.net/organizations/"},
		{gandi.Sandbox, "https://admin.sandbox.gandi.net", "https://admin.sandbox.gandi.net/organizations/account/pat", "https://admin.sandbox.gandi.net/organizations/"},
	}
	for _, tt := range tests {
		e := gandi.EndpointsFor(tt.env)
		if e.Env != tt.env || e.AdminURL() != tt.admin || e.PATPageURL() != tt.pat || e.SharingURL() != tt.sharing {
			t.Errorf("%s: got %+v %s %s %s", tt.env, e, e.AdminURL(), e.PATPageURL(), e.SharingURL())
		}
	}
}

// TestEndpointErrorsShowSchemeAndHostOnly: a refused endpoint URL is named by
// its scheme and host; its userinfo, path, query and fragment may be secrets.
func TestEndpointErrorsShowSchemeAndHostOnly(t *testing.T) {
	secrets := []string{"alice", "hunter2", "p4th", "v4lue", "fr4g", "t0ken"}
	tests := []struct{ name, url, shown string }{
		{"userinfo, path and query", "https://alice:hunter2@example.test/p4th?q=v4lue", "https://example.test"},
		{"userinfo only", "https://alice:hunter2@example.test", "https://example.test"},
		{"path and query", "https://example.test/p4th?q=v4lue", "https://example.test"},
		{"fragment", "https://example.test/p4th#fr4g", "https://example.test"},
		{"empty query", "https://example.test/p4th?", "https://example.test"},
		{"plain http with path", "http://example.test:8080/p4th?q=v4lue", "http://example.test:8080"},
		{"other scheme", "ftp://alice:hunter2@example.test/p4th", "ftp://example.test"},
		{"no scheme", "alice:hunter2@example.test/p4th?q=v4lue", ""},
		{"unparsable", "https://alice:hunter2@example.test/p4th?q=v4lue%zz t0ken", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "GANDI_API_URL" {
					return tc.url
				}
				return ""
			}
			_, err := gandi.EndpointsFromEnv(false, getenv)
			if err == nil {
				t.Fatalf("%s accepted", tc.url)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q repeats %q of the URL", err, s)
				}
			}
			if tc.shown != "" && !strings.Contains(err.Error(), tc.shown) {
				t.Errorf("error %q does not name %s", err, tc.shown)
			}
		})
	}
}
