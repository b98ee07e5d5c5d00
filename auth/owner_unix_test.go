//go:build unix

package auth_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

// A token file another user owns is refused whatever its mode: its owner could
// replace the token at will. Changing a file's owner needs root, as the tests run here.
func TestLoadRefusesAFileOwnedByAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	h := newHome(t)
	path := h.tokenPath()
	writeFile(t, path, filePAT, 0o600)
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Skip("chown:", err)
	}
	_, err := auth.Load(h.options())
	var ife *auth.InsecureFileError
	if !errors.As(err, &ife) || !ife.OtherOwner || ife.OwnerUID != 65534 {
		t.Fatalf("Load error = %v, want *InsecureFileError naming uid 65534", err)
	}
	if !strings.Contains(err.Error(), "another user") || strings.Contains(err.Error(), filePAT[4:16]) {
		t.Errorf("message %q", err)
	}
}

// Only a file owned by the user the server runs as is used: a file of any other user, root
// included, is refused, and a root server refuses a user's file too.
func TestLoadAcceptsOnlyAFileOwnedByTheServersUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	tests := []struct {
		name        string
		owner, euid int
		refused     bool
	}{
		{"root's file, server runs as a user", 0, 1000, true},
		{"a user's file, server runs as root", 65534, 0, true},
		{"a user's file, server runs as another user", 65534, 1000, true},
		{"a user's file, server runs as that user", 65534, 65534, false},
		{"root's file, server runs as root", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			path := h.tokenPath()
			writeFile(t, path, filePAT, 0o600)
			if err := os.Chown(path, tt.owner, tt.owner); err != nil {
				t.Skip("chown:", err)
			}
			defer auth.SetEUID(tt.euid)()
			c, err := auth.Load(h.options())
			if !tt.refused {
				if err != nil || c.Secret() != filePAT {
					t.Fatalf("Load = %v; want the token of the server's own file", err)
				}
				return
			}
			var ife *auth.InsecureFileError
			if !errors.As(err, &ife) || !ife.OtherOwner || ife.OwnerUID != tt.owner {
				t.Fatalf("Load error = %v, want *InsecureFileError naming uid %d", err, tt.owner)
			}
		})
	}
}

// A directory others can write into lets them swap the token file: a warning with the fix.
func TestLoadWarnsOfADirectoryOthersCanWrite(t *testing.T) {
	for mode, want := range map[os.FileMode]bool{0o700: false, 0o755: false, 0o777: true, 0o775: true} {
		h := newHome(t)
		path := h.tokenPath()
		writeFile(t, path, filePAT, 0o600)
		dir := filepath.Dir(path)
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		c, err := auth.Load(h.options())
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		got := len(c.Warnings) == 1 && strings.HasSuffix(c.Warnings[0].Message, "chmod 700 "+dir)
		if got != want || (!want && len(c.Warnings) != 0) {
			t.Errorf("directory %v: warnings %v, want a chmod 700 warning: %v", mode, c.Warnings, want)
		}
	}
}
