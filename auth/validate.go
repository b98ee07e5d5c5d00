package auth

import (
	"fmt"
	"strings"
	"unicode"
)

// Bounds on a token's length, after trimming. Gandi does not document its token format;
// these only catch a truncated paste or the wrong file, and MaxTokenLen is far above any
// token Gandi issues, so that a token it issues and /tokeninfo accepts is never refused.
const (
	MinTokenLen = 8
	MaxTokenLen = 4096
)

// ValidateToken trims the white space around raw (a trailing newline, CRLF, spaces) and
// checks the shape of what remains: not empty, one line, no white space inside, only
// printable ASCII (0x21 to 0x7e), between MinTokenLen and MaxTokenLen characters long.
// It returns the cleaned token, or an *InvalidTokenError whose Origin is origin and whose
// message never contains the token.
func ValidateToken(origin, raw string) (string, error) {
	token := strings.TrimSpace(raw)
	if reason := shapeProblem(token); reason != "" {
		return "", &InvalidTokenError{Origin: origin, Reason: reason}
	}
	return token, nil
}

// shapeProblem says what is wrong with a trimmed token, in words that reveal no part of it.
func shapeProblem(token string) string {
	if token == "" {
		return "it is empty or holds only white space"
	}
	if strings.ContainsAny(token, "\n\r") {
		return "it has several lines; put the token alone on one line"
	}
	if strings.IndexFunc(token, unicode.IsSpace) >= 0 {
		return "it contains white space"
	}
	if strings.HasPrefix(token, "\uFEFF") {
		return "it starts with a byte order mark; save it as plain text without BOM"
	}
	if strings.IndexByte(token, 0) >= 0 {
		return "it contains a NUL byte (a UTF-16 file? save it as plain ASCII text)"
	}
	for i := 0; i < len(token); i++ {
		switch c := token[i]; {
		case c < 0x21 || c == 0x7f:
			return "it contains a control character"
		case c > 0x7e:
			return "it contains a non-ASCII character"
		}
	}
	if n := len(token); n < MinTokenLen {
		return fmt.Sprintf("it is %d characters long, shorter than %d", n, MinTokenLen)
	} else if n > MaxTokenLen {
		return fmt.Sprintf("it is %d characters long, longer than %d", n, MaxTokenLen)
	}
	return ""
}
