package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrNoCredential is what a NotFoundError matches with errors.Is.
var ErrNoCredential = errors.New("no Gandi credential found")

// NotFoundError says that no source held a credential, and lists every place looked at.
type NotFoundError struct {
	// Looked describes each place looked at, in order (see the Looked function).
	Looked []string
}

// Error lists the places looked at.
func (e *NotFoundError) Error() string {
	return ErrNoCredential.Error() + "; looked at: " + strings.Join(e.Looked, ", ")
}

// Is reports whether target is ErrNoCredential.
func (e *NotFoundError) Is(target error) bool { return target == ErrNoCredential }

// InvalidTokenError says that a token does not have the shape of a Gandi token. Its
// message names where the token came from and what is wrong, never the token or any part
// of it.
type InvalidTokenError struct {
	// Origin is where the token came from: a variable's name, a file's path, or another
	// description chosen by the caller of ValidateToken.
	Origin string
	// Reason says what is wrong, e.g. "it contains white space".
	Reason string
}

// Error names the origin, the reason, and what a valid token looks like.
func (e *InvalidTokenError) Error() string {
	return fmt.Sprintf("invalid token from %s: %s; a token is a single line of %d to %d printable ASCII characters, without spaces",
		describeOrigin(e.Origin), e.Reason, MinTokenLen, MaxTokenLen)
}

// InsecureFileError refuses a token file that users other than its owner can write,
// since whoever can write it chooses the credential the server acts with.
type InsecureFileError struct {
	// Path is the token file's path.
	Path string
	// Mode is the file's mode.
	Mode fs.FileMode
	// OtherOwner says the file belongs to another user, OwnerUID.
	OtherOwner bool
	OwnerUID   int
}

// Error says who can write the file and gives the command that fixes it.
func (e *InsecureFileError) Error() string {
	if e.OtherOwner {
		return fmt.Sprintf("refusing token file %s: it belongs to another user (uid %d), who can change it; "+
			"store your own token there with gandi-mcp token set, or run: chown $(id -u) %s && chmod 600 %s",
			e.Path, e.OwnerUID, shellQuote(e.Path), shellQuote(e.Path))
	}
	who := "other users"
	if e.Mode.Perm()&0o002 == 0 {
		who = "its group"
	}
	return fmt.Sprintf("refusing token file %s: it is writable by %s (mode %04o); run: chmod 600 %s",
		e.Path, who, uint32(e.Mode.Perm()), shellQuote(e.Path))
}

// ReadError says that a token file exists but cannot be read: a directory in its place,
// a permission denied, an I/O error. Err is the cause and is matched by errors.Is/As.
type ReadError struct {
	// Path is the token file's path.
	Path string
	// Err is why it cannot be read.
	Err error
}

// Error names the path and the cause.
func (e *ReadError) Error() string {
	return fmt.Sprintf("cannot read token file %s: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *ReadError) Unwrap() error { return e.Err }

var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// describeOrigin says "file /x" for a path and "environment variable X" for a variable.
func describeOrigin(origin string) string {
	switch {
	case filepath.IsAbs(origin):
		return "file " + origin
	case envName.MatchString(origin):
		return "environment variable " + origin
	default:
		return origin
	}
}
