package ganditest

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests misbehave. Faults are tried in the order
// injected, before normal handling; the first one that fires applies.
type Fault struct {
	Method string // "" matches any method
	Path   string // prefix of URL.Path, e.g. "/v5/domain" or "/tokeninfo"; "" matches any

	Skip  int // let this many matching requests through first
	Times int // fire this many times, then never; 0 fires every time

	Status      int         // answer this status instead of handling the request
	Body        string      // with this body; default Gandi's standard JSON body for Status
	ContentType string      // default application/json
	Header      http.Header // added to the answer (e.g. Retry-After)

	Delay     time.Duration // wait before answering (cut short when the request ends)
	Hang      bool          // never answer until the request's context ends
	Truncate  bool          // declare the full Content-Length, send half the body, close the connection (the client sees ErrBadResponse)
	Trickle   time.Duration // send the body one byte per Trickle
	Oversize  int64         // answer 200 with a valid JSON body of this many bytes (for ErrBodyTooLarge)
	CloseConn bool          // close the connection without answering

	// Rewrite, when set, edits the answer before it is written (the route's,
	// or the one Status made): its headers in place, and its body by
	// returning a new one (nil keeps it). Tests use it to make a page hold
	// more domains than asked, or to forge Total-Count and Link.
	Rewrite func(r *http.Request, h http.Header, body []byte) []byte

	// Fired, when set, receives the request's path each time the fault fires,
	// before it applies: tests wait on it instead of sleeping.
	Fired chan<- string
}

type fault struct {
	Fault
	seen, fired int
}

// Inject adds f after the faults already injected.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Header = f.Header.Clone()
	s.faults = append(s.faults, &fault{Fault: f})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault returns a copy of the fault that fires for r, or nil.
func (s *Server) matchFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if (f.Method != "" && !strings.EqualFold(f.Method, r.Method)) || !strings.HasPrefix(r.URL.Path, f.Path) {
			continue
		}
		f.seen++
		if f.seen <= f.Skip || (f.Times > 0 && f.fired >= f.Times) {
			continue
		}
		f.fired++
		c := f.Fault
		return &c
	}
	return nil
}

// handle answers r, applying latency and faults; it reports whether the
// request's context ended before the answer was complete.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, body []byte, latency time.Duration) (canceled bool) {
	if latency > 0 {
		if ok, c := s.wait(r, latency); !ok {
			return c
		}
	}
	f := s.matchFault(r)
	if f == nil {
		return s.write(w, r, s.route(r, body))
	}
	if f.Fired != nil {
		select {
		case f.Fired <- r.URL.Path:
		case <-r.Context().Done():
		case <-s.closing:
		}
	}
	for k, vs := range f.Header {
		w.Header()[k] = append(w.Header()[k], vs...)
	}
	if f.Delay > 0 {
		if ok, c := s.wait(r, f.Delay); !ok {
			return c
		}
	}
	switch {
	case f.Hang:
		_, c := s.wait(r, -1)
		return c
	case f.CloseConn:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return r.Context().Err() != nil
	case f.Oversize > 0:
		return s.writeOversize(w, r, f.Oversize)
	}
	var rep reply
	if f.Status == 0 {
		rep = s.route(r, body)
	} else {
		rep = errorReply(f.Status)
		if f.Body != "" {
			rep.body = []byte(f.Body)
		}
		if f.ContentType != "" {
			rep.header.Set("Content-Type", f.ContentType)
		}
	}
	if f.Rewrite != nil {
		if b := f.Rewrite(r, rep.header, rep.body); b != nil {
			rep.body = b
		}
	}
	switch {
	case f.Truncate:
		return s.writeTruncated(w, r, rep)
	case f.Trickle > 0:
		return s.writeTrickle(w, r, rep, f.Trickle)
	}
	return s.write(w, r, rep)
}

// reply is an answer built before it is written, so faults can mangle it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, rep reply) (canceled bool) {
	if r.Context().Err() != nil {
		return true
	}
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
	return false
}

func (s *Server) writeTruncated(w http.ResponseWriter, r *http.Request, rep reply) (canceled bool) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body[:len(rep.body)/2])
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		conn.Close()
	}
	return r.Context().Err() != nil
}

func (s *Server) writeTrickle(w http.ResponseWriter, r *http.Request, rep reply, every time.Duration) (canceled bool) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	rc := http.NewResponseController(w)
	for i := range rep.body {
		if i > 0 {
			if ok, c := s.wait(r, every); !ok {
				return c
			}
		}
		if _, err := w.Write(rep.body[i : i+1]); err != nil {
			return r.Context().Err() != nil
		}
		_ = rc.Flush()
	}
	return false
}

// writeOversize answers 200 with n bytes of JSON shaped like the route's answer.
func (s *Server) writeOversize(w http.ResponseWriter, r *http.Request, n int64) (canceled bool) {
	head, tail := `{"pad":"`, `"}`
	if strings.HasPrefix(r.URL.Path, "/v5/domain/domains") {
		head, tail = `[{"fqdn":"`, `"}]`
	}
	pad := max(0, n-int64(len(head)+len(tail)))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(int64(len(head))+pad+int64(len(tail)), 10))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(head))
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for pad > 0 {
		if r.Context().Err() != nil {
			return true
		}
		k := min(pad, int64(len(chunk)))
		if _, err := w.Write(chunk[:k]); err != nil {
			return r.Context().Err() != nil
		}
		pad -= k
	}
	_, _ = w.Write([]byte(tail))
	return false
}
