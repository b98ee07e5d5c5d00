package gandi

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadBody: whatever Content-Length says, the body is read whole up to the
// limit, a short one fails as cut short, and a declared length fills one buffer.
func TestReadBody(t *testing.T) {
	body := strings.Repeat("0123456789", 300) // 3000 bytes, past the 512 guessed without a length
	tests := []struct {
		name     string
		length   int64 // Content-Length; -1 when unknown
		reader   io.Reader
		limit    int64
		want     string
		wantErr  error
		exactCap bool // the buffer is the declared length plus one
	}{
		{"declared length", 3000, strings.NewReader(body), 1 << 20, body, nil, true},
		{"unknown length", -1, strings.NewReader(body), 1 << 20, body, nil, false},
		{"in small reads", -1, iotest.OneByteReader(strings.NewReader(body)), 1 << 20, body, nil, false},
		{"over the limit", 3000, strings.NewReader(body), 100, body[:100], nil, false},
		{"shorter than declared", 3000, io.MultiReader(strings.NewReader(body[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)), 1 << 20, body[:10], io.ErrUnexpectedEOF, false},
		{"empty", 0, strings.NewReader(""), 1 << 20, "", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := readBody(&http.Response{ContentLength: tc.length, Body: io.NopCloser(tc.reader)}, tc.limit)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if string(b) != tc.want {
				t.Errorf("read %d bytes, want %d", len(b), len(tc.want))
			}
			if tc.exactCap && cap(b) != int(tc.length)+1 {
				t.Errorf("buffer of %d bytes for a %d-byte body: grown while reading", cap(b), tc.length)
			}
		})
	}
}
