package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

// longToken is n printable characters shaped like a PAT.
func longToken(n int) string {
	return ("pat_" + strings.Repeat("Zq9-x7Lm_", n/9+1))[:n]
}

// A token of MaxTokenLen characters travels every path: read by `token set`, written,
// loaded from the file and from the variable. One more character is refused everywhere,
// with a message that gives the bound.
func TestTokenLengthBoundHoldsOnEveryPath(t *testing.T) {
	paths := []struct {
		name string
		run  func(t *testing.T, token string) (string, error)
	}{
		{"token set reading a pipe", func(t *testing.T, token string) (string, error) {
			return auth.ReadToken(context.Background(), strings.NewReader(token+"\r\n"), nil, "")
		}},
		{"write then load", func(t *testing.T, token string) (string, error) {
			h := newHome(t)
			if err := auth.WriteToken(h.tokenPath(), token); err != nil {
				return "", err
			}
			c, err := auth.Load(h.options())
			if err != nil {
				return "", err
			}
			return c.Secret(), nil
		}},
		{"load a file with white space", func(t *testing.T, token string) (string, error) {
			h := newHome(t)
			writeFile(t, h.tokenPath(), "  "+token+"\r\n\n", 0o600)
			c, err := auth.Load(h.options())
			if err != nil {
				return "", err
			}
			return c.Secret(), nil
		}},
		{"environment variable", func(t *testing.T, token string) (string, error) {
			h := newHome(t)
			h.env[auth.EnvToken] = token
			c, err := auth.Load(h.options())
			if err != nil {
				return "", err
			}
			return c.Secret(), nil
		}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			token := longToken(auth.MaxTokenLen)
			got, err := p.run(t, token)
			if err != nil || got != token {
				t.Fatalf("a %d-character token: got %d characters, %v; want it accepted", len(token), len(got), err)
			}
			_, err = p.run(t, longToken(auth.MaxTokenLen+1))
			var ite *auth.InvalidTokenError
			if !errors.As(err, &ite) || !strings.Contains(err.Error(), "4097 characters long, longer than 4096") {
				t.Fatalf("a %d-character token: error %v; want an InvalidTokenError giving its length and the bound", auth.MaxTokenLen+1, err)
			}
		})
	}
}
