package auth

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestReadTokenFromPipe(t *testing.T) {
	const token = "pat_0123456789abcdef0123456789abcdef"
	tests := []struct {
		name, input string
		want        string // the token, or "" for an error
		wantReason  string
	}{
		{"token and newline", token + "\n", token, ""},
		{"CRLF and spaces", "  " + token + "\r\n", token, ""},
		{"empty", "", "", "empty"},
		{"two lines", token + "\n" + token + "\n", "", "several lines"},
		{"inner space", "pat_0123 456789abcdef", "", "white space"},
		{"too short", "pat_1\n", "", "shorter than"},
		{"too much", strings.Repeat("a", 9000), "", "more than 8192 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A real pipe, as a shell gives `echo ... | gandi-mcp token set`.
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				io.WriteString(w, tt.input)
				w.Close()
			}()
			defer r.Close()
			var prompt strings.Builder
			got, err := ReadToken(context.Background(), r, &prompt, "Token: ")
			if prompt.Len() != 0 {
				t.Errorf("prompted %q on a pipe", prompt.String())
			}
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("ReadToken = %q, %v; want the token", got, err)
				}
				return
			}
			var bad *InvalidTokenError
			if !errors.As(err, &bad) || !strings.Contains(err.Error(), tt.wantReason) || bad.Origin != StdinOrigin {
				t.Fatalf("ReadToken error = %v; want an InvalidTokenError from standard input saying %q", err, tt.wantReason)
			}
			if strings.Contains(err.Error(), "0123") {
				t.Errorf("the error shows part of the input: %v", err)
			}
		})
	}
}

func TestReadTokenFromReader(t *testing.T) {
	// Not an *os.File at all (tests, embedding): read as a pipe.
	got, err := ReadToken(context.Background(), strings.NewReader("pat_abcdefgh12345678\n"), io.Discard, "")
	if err != nil || got != "pat_abcdefgh12345678" {
		t.Fatalf("ReadToken = %q, %v", got, err)
	}
}
