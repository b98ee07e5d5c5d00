package skill

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

// flushWait bounds how long a result waits for its notifications to be written.
const flushWait = 2 * time.Second

// settle is how long a result trails the last notification, so that a client
// reads them apart: TypeScript SDK 1.x clients handle a notification after a
// result that came in the same read, and drop progress for a finished call
// (modelcontextprotocol/typescript-sdk#2580).
const settle = 25 * time.Millisecond

// notifier sends notifications to the client and lets a tool's result wait
// until they are written (over stdio; mcp-go writes them from another
// goroutine) and have had time to be read.
type notifier struct {
	mu       sync.Mutex
	sent     int64         // notifications handed to mcp-go
	written  int64         // notifications written to stdout
	changed  chan struct{} // closed and replaced whenever written grows
	stdio    bool          // only stdio's writes are counted
	last     time.Time     // when the last notification was written (stdio) or sent
	now      func() time.Time
	deadline func(time.Duration) <-chan time.Time
}

func (n *notifier) clock() time.Time {
	if n.now != nil {
		return n.now()
	}
	return time.Now()
}

func (n *notifier) after(d time.Duration) <-chan time.Time {
	if n.deadline != nil {
		return n.deadline(d)
	}
	return time.After(d)
}

// send hands one notification to the client of ctx's session.
func (n *notifier) send(ctx context.Context, method string, params map[string]any) {
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return
	}
	if err := srv.SendNotificationToClient(ctx, method, params); err == nil {
		n.mu.Lock()
		n.sent++
		if !n.stdio {
			if c := callOf(ctx); c != nil {
				c.last = n.clock()
			} else {
				n.last = n.clock()
			}
		}
		n.mu.Unlock()
	}
}

// flush returns once every notification sent so far is written (or after
// flushWait) and the last one is settle old.
func (n *notifier) flush(ctx context.Context) {
	n.mu.Lock()
	target, stdio := n.sent, n.stdio
	n.mu.Unlock()
	var deadline <-chan time.Time // only stdio writes from another goroutine: only it waits for writes
	if stdio {
		deadline = n.after(flushWait)
	}
	for stdio {
		n.mu.Lock()
		done, ch := n.written >= target, n.changed
		n.mu.Unlock()
		if done {
			break
		}
		select {
		case <-ch:
		case <-deadline:
			return
		case <-ctx.Done():
			return
		}
	}
	n.mu.Lock()
	last := n.last
	if c := callOf(ctx); c != nil && !stdio {
		last = c.last
	}
	n.mu.Unlock()
	if last.IsZero() {
		return
	}
	if wait := settle - n.clock().Sub(last); wait > 0 {
		select {
		case <-n.after(wait):
		case <-ctx.Done():
		}
	}
}

// callNotes is one tool call's last notification over HTTP, where the calls of many
// clients run at once: a result trails its own notifications, not another client's.
// notifier.mu guards last.
type callNotes struct{ last time.Time }

type callNotesKey struct{}

func callOf(ctx context.Context) *callNotes {
	c, _ := ctx.Value(callNotesKey{}).(*callNotes)
	return c
}

// perCall gives each tool call its own callNotes.
func perCall(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return next(context.WithValue(ctx, callNotesKey{}, &callNotes{}), req)
	}
}

// wrap counts the notification lines written to out.
func (n *notifier) wrap(out io.Writer) io.Writer {
	n.mu.Lock()
	n.stdio = true
	n.changed = make(chan struct{})
	n.mu.Unlock()
	return &countingWriter{out: out, n: n}
}

type countingWriter struct {
	out io.Writer
	n   *notifier
}

var notificationPrefix = []byte(`{"jsonrpc":"2.0","method":`)

// Write sees one whole JSON-RPC message per call (mcp-go writes each line at once).
func (w *countingWriter) Write(p []byte) (int, error) {
	k, err := w.out.Write(p)
	if bytes.HasPrefix(p, notificationPrefix) {
		w.n.mu.Lock()
		w.n.written++
		w.n.last = w.n.clock()
		close(w.n.changed)
		w.n.changed = make(chan struct{})
		w.n.mu.Unlock()
	}
	return k, err
}

// mcpLogHandler passes records to the stderr handler and, inside a client
// session that asked for that level, to the client as notifications/message.
// redact, when set, scrubs the secrets the process holds (and those of the record's
// context: a hosted caller's token) from both. A record made in a hosted caller's context
// carries the token's fingerprint, never the token.
type mcpLogHandler struct {
	next   slog.Handler
	notes  *notifier
	attrs  []slog.Attr
	redact func(context.Context, string) string
}

func (h *mcpLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return true
}

func (h *mcpLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.redact != nil {
		redact := func(s string) string { return h.redact(ctx, s) }
		clean := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
		r.Attrs(func(a slog.Attr) bool {
			clean.AddAttrs(redactAttr(a, redact))
			return true
		})
		r = clean
	}
	if fp := tools.CallerFingerprint(ctx); fp != "" {
		r.AddAttrs(slog.String("token_fingerprint", fp))
	}
	var err error
	if h.next.Enabled(ctx, r.Level) {
		err = h.next.Handle(ctx, r)
	}
	level := mcpLevel(r.Level)
	if min := clientLogLevel(ctx); min == "" || !level.ShouldSendTo(min) {
		return err
	}
	data := map[string]any{"message": r.Message}
	for _, a := range h.attrs {
		data[a.Key] = redactAttr(a, h.redactIn(ctx)).Value.Resolve().Any()
	}
	r.Attrs(func(a slog.Attr) bool {
		data[a.Key] = a.Value.Resolve().Any()
		return true
	})
	h.notes.send(ctx, string(mcp.MethodNotificationMessage), map[string]any{
		"level": level, "logger": Name, "data": data,
	})
	return err
}

// redactIn is h.redact for records made in ctx; nil when h redacts nothing.
func (h *mcpLogHandler) redactIn(ctx context.Context) func(string) string {
	if h.redact == nil {
		return nil
	}
	return func(s string) string { return h.redact(ctx, s) }
}

func (h *mcpLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a, h.redactIn(context.Background()))
	}
	return &mcpLogHandler{next: h.next.WithAttrs(clean), notes: h.notes, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...), redact: h.redact}
}

func (h *mcpLogHandler) WithGroup(name string) slog.Handler {
	return &mcpLogHandler{next: h.next.WithGroup(name), notes: h.notes, attrs: h.attrs, redact: h.redact}
}

// redactAttr scrubs a's value: strings, groups, and any other value as it would print.
func redactAttr(a slog.Attr, redact func(string) string) slog.Attr {
	if redact == nil {
		return a
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = redactAttr(g, redact)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		printed := fmt.Sprint(v.Any())
		if clean := redact(printed); clean != printed {
			return slog.String(a.Key, clean)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// clientLogLevel is the least severe level the client asked for in this
// context: per request since protocol 2026-07-28 (none asked: ""), per
// session (logging/setLevel) before.
func clientLogLevel(ctx context.Context) mcp.LoggingLevel {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.LogLevel
	}
	sess := server.ClientSessionFromContext(ctx)
	logging, ok := sess.(server.SessionWithLogging)
	if !ok || !sess.Initialized() {
		return ""
	}
	return logging.GetLogLevel()
}

func mcpLevel(l slog.Level) mcp.LoggingLevel {
	switch {
	case l >= slog.LevelError:
		return mcp.LoggingLevelError
	case l >= slog.LevelWarn:
		return mcp.LoggingLevelWarning
	case l >= slog.LevelInfo:
		return mcp.LoggingLevelInfo
	}
	return mcp.LoggingLevelDebug
}
