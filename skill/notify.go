package skill

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// flushWait bounds how long a result waits for its notifications to be written.
const flushWait = 2 * time.Second

// notifier sends notifications to the client and, over stdio, lets a tool's
// result wait until they are written: mcp-go writes notifications from another
// goroutine, and TypeScript clients drop progress that arrives after the result.
type notifier struct {
	mu      sync.Mutex
	sent    int64         // notifications handed to mcp-go
	written int64         // notifications written to stdout
	changed chan struct{} // closed and replaced whenever written grows
	stdio   bool          // only stdio's writes are counted
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
		n.mu.Unlock()
	}
}

// flush returns once every notification sent so far is written, or after flushWait.
func (n *notifier) flush(ctx context.Context) {
	n.mu.Lock()
	if !n.stdio {
		n.mu.Unlock()
		return
	}
	target := n.sent
	n.mu.Unlock()
	deadline := time.NewTimer(flushWait)
	defer deadline.Stop()
	for {
		n.mu.Lock()
		done, ch := n.written >= target, n.changed
		n.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
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
		close(w.n.changed)
		w.n.changed = make(chan struct{})
		w.n.mu.Unlock()
	}
	return k, err
}

// mcpLogHandler passes records to the stderr handler and, inside a client
// session that asked for that level, to the client as notifications/message.
type mcpLogHandler struct {
	next  slog.Handler
	notes *notifier
	attrs []slog.Attr
}

func (h *mcpLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return true
}

func (h *mcpLogHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.next.Enabled(ctx, r.Level) {
		err = h.next.Handle(ctx, r)
	}
	level := mcpLevel(r.Level)
	if min, ok := clientLogLevel(ctx); !ok || !level.ShouldSendTo(min) {
		return err
	}
	data := map[string]any{"message": r.Message}
	for _, a := range h.attrs {
		data[a.Key] = a.Value.Resolve().Any()
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

// clientLogLevel is the least level the client of ctx asked for: per request
// since protocol 2026-07-28 (none asked, none sent), per session before it.
func clientLogLevel(ctx context.Context) (mcp.LoggingLevel, bool) {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.LogLevel, info.LogLevel != ""
	}
	sess := server.ClientSessionFromContext(ctx)
	logging, ok := sess.(server.SessionWithLogging)
	if !ok || !sess.Initialized() {
		return "", false
	}
	return logging.GetLogLevel(), true
}

func (h *mcpLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &mcpLogHandler{next: h.next.WithAttrs(attrs), notes: h.notes, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *mcpLogHandler) WithGroup(name string) slog.Handler {
	return &mcpLogHandler{next: h.next.WithGroup(name), notes: h.notes, attrs: h.attrs}
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
