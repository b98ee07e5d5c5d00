package auth_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

func TestProfilePaths(t *testing.T) {
	tests := []struct {
		name    string
		sandbox bool
		profile string
		want    string // relative to the config home
	}{
		{"default production", false, "", "gandi/api_token"},
		{"default sandbox", true, "", "gandi/sandbox/api_token"},
		{"profile production", false, "acme", "gandi/profiles/acme/api_token"},
		{"profile sandbox", true, "acme", "gandi/sandbox/profiles/acme/api_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := auth.Options{Home: dir, ConfigHome: filepath.Join(dir, "xdg"), Sandbox: tt.sandbox, Profile: tt.profile,
				Getenv: func(string) string { return "" }}
			paths := auth.TokenPaths(o)
			want := []string{filepath.Join(dir, "xdg", tt.want), filepath.Join(dir, ".config", tt.want)}
			if !reflect.DeepEqual(paths, want) {
				t.Fatalf("TokenPaths = %q, want %q", paths, want)
			}
			if got := auth.WritePath(o); got != want[0] {
				t.Errorf("WritePath = %q, want %q", got, want[0])
			}
			looked := strings.Join(auth.Looked(o), "\n")
			if !strings.Contains(looked, "file "+want[0]) {
				t.Errorf("Looked does not name %s:\n%s", want[0], looked)
			}
			writeFile(t, want[1], filePAT, 0o600)
			c, err := auth.Load(o)
			if err != nil {
				t.Fatal(err)
			}
			if c.Origin != want[1] || c.Profile != tt.profile || c.Secret() != filePAT {
				t.Errorf("loaded %v with profile %q, want the file %s, profile %q", c, c.Profile, want[1], tt.profile)
			}
		})
	}
}

func TestValidateProfile(t *testing.T) {
	tests := []struct {
		name  string
		valid bool
	}{
		{"", true}, {"acme", true}, {"0", true}, {"perso-2", true}, {"a_b", true},
		{strings.Repeat("a", 32), true}, {strings.Repeat("a", 33), false},
		{"Acme", false}, {"-acme", false}, {"_acme", false}, {"ac me", false}, {"../x", false}, {"a/b", false}, {"é", false},
	}
	for _, tt := range tests {
		err := auth.ValidateProfile(tt.name)
		var pe *auth.ProfileNameError
		if (err == nil) != tt.valid || (err != nil && !errors.As(err, &pe)) {
			t.Errorf("ValidateProfile(%q) = %v, want valid %t", tt.name, err, tt.valid)
		}
	}
	// A token given as a profile name by mistake is not repeated.
	err := auth.ValidateProfile(filePAT)
	if err == nil || strings.Contains(err.Error(), filePAT) {
		t.Errorf("ValidateProfile(a token) = %v", err)
	}
}

func TestCheckProfile(t *testing.T) {
	dir := t.TempDir()
	o := auth.Options{Home: dir, ConfigHome: filepath.Join(dir, "xdg"), Getenv: func(string) string { return "" }}
	mk := func(rel string) {
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	mk("xdg/gandi/profiles/perso")
	mk(".config/gandi/profiles/acme")      // the second place TokenPaths looks at counts too
	mk("xdg/gandi/profiles/Not-A-Profile") // not a valid name: not listed
	mk("xdg/gandi/sandbox/profiles/test")
	if err := os.WriteFile(filepath.Join(dir, "xdg/gandi/profiles/file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		profile string
		sandbox bool
		known   []string // nil: no error
		badName bool
	}{
		{name: "no profile", profile: ""},
		{name: "first place", profile: "perso"},
		{name: "second place", profile: "acme"},
		{name: "sandbox", profile: "test", sandbox: true},
		{name: "unknown", profile: "work", known: []string{"acme", "perso"}},
		{name: "other environment's", profile: "perso", sandbox: true, known: []string{"test"}},
		{name: "a file is no profile", profile: "file", known: []string{"acme", "perso"}},
		{name: "bad name", profile: "Acme", badName: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := o
			o.Profile, o.Sandbox = tt.profile, tt.sandbox
			err := auth.CheckProfile(o)
			var unknown *auth.UnknownProfileError
			var bad *auth.ProfileNameError
			switch {
			case tt.badName:
				if !errors.As(err, &bad) {
					t.Fatalf("CheckProfile = %v, want a *ProfileNameError", err)
				}
			case tt.known == nil:
				if err != nil {
					t.Fatalf("CheckProfile = %v", err)
				}
			case !errors.As(err, &unknown):
				t.Fatalf("CheckProfile = %v, want an *UnknownProfileError", err)
			default:
				if !reflect.DeepEqual(unknown.Known, tt.known) {
					t.Errorf("known = %q, want %q", unknown.Known, tt.known)
				}
				msg := err.Error()
				for _, want := range append(tt.known, tt.profile, "token set") {
					if !strings.Contains(msg, want) {
						t.Errorf("%q does not say %q", msg, want)
					}
				}
			}
		})
	}
}
