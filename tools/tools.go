// Package tools holds gandi-mcp's tools: one file per tool, plus what they share,
// the troubleshooting diagnosis and the schema helper.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// Deps is what the tools need from the world; the skill package fills it once.
type Deps struct {
	// Endpoints is where Gandi is; Other, when set, is the other environment,
	// asked only to tell a wrong-environment token from a bad one.
	Endpoints gandi.Endpoints
	Other     *gandi.Endpoints
	// Auth says where credentials are looked for.
	Auth auth.Options
	// Credential, when set, is used instead of auth.Load(Auth): `token set --verify`
	// checks the token it read before storing it.
	Credential func() (*auth.Credential, error)
	// Hosted serves many callers: each call's credential is the one its request carries
	// (WithCaller), used for that call only; no token file or variable is read, nothing of a
	// token is written down, and what needs local storage (renew_token) is not offered.
	Hosted bool
	// HTTPClient is shared by every call; nil means gandi's default.
	HTTPClient *http.Client
	UserAgent  string
	// Retry overrides the client's retry policy when non-zero (tests shorten it).
	Retry gandi.RetryPolicy
	// Timeout is the per-request timeout; zero means gandi's default. The call's
	// deadline cuts it shorter when less time is left.
	Timeout time.Duration
	// CallTimeout bounds a whole tool call, its requests, retries and waits
	// included; zero means DefaultCallTimeout.
	CallTimeout time.Duration
	// MaxBodyBytes caps one answer's body; zero means gandi's default (tests lower it).
	MaxBodyBytes int64
	// Logger writes to stderr; messages also reach the MCP client as log notifications.
	Logger *slog.Logger
	// Notify sends a notification to the client of ctx's session; Flush, when set,
	// returns once every notification sent so far has been written to the client
	// (stdio writes them from another goroutine). The skill package sets both.
	Notify func(ctx context.Context, method string, params map[string]any)
	Flush  func(ctx context.Context)
	// Demo marks every result as coming from the embedded fake account.
	Demo bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ExpiryFile remembers token expiries (by fingerprint, never the token) so
	// that a later refusal can be diagnosed as expiry; "" disables it.
	ExpiryFile string
	// JournalFile is where applied changes are recorded ($XDG_STATE_HOME/gandi-mcp/journal.jsonl);
	// Journal, when set, is used instead (hosted mode writes audit lines elsewhere).
	JournalFile string
	Journal     Journal
	// MaxConcurrentWrites bounds how many record sets one apply writes at once; zero means 4.
	MaxConcurrentWrites int
	// MaxConcurrentPages bounds list_domains' parallel page fetches; zero means 8.
	MaxConcurrentPages int
	// RenewLockWait bounds how long renew_token waits for another renewal of the same
	// token to finish; zero means 10s.
	RenewLockWait time.Duration
	// secrets is every secret the process has used or received, scrubbed from results and logs.
	secrets secretBook
	// BeforeRenewStep, when set, runs before each step of renew_token's rotation
	// ("check_writable", "lock", "tokeninfo", "reserve", "renew", "check_new", "store", "store_new")
	// and an error it returns stands for that step's failure. Tests only: nil in production.
	BeforeRenewStep func(ctx context.Context, step string) error
	// Rotations tracks renewals whose new token is not stored yet, for a shutdown to
	// wait on; nil tracks none. The skill package sets it.
	Rotations *Rotations
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// expiry turns /tokeninfo's seconds-from-now into a date, to the second.
func (d *Deps) expiry(info *gandi.TokenInfo) time.Time {
	return d.now().Add(time.Duration(info.ExpiresIn) * time.Second).UTC().Truncate(time.Second)
}

// DefaultCallTimeout is the time one tool call may take: under the 60s after which
// common MCP clients give up, so that the diagnosis reaches the assistant.
const DefaultCallTimeout = 25 * time.Second

// CallLimit is the time one tool call may take (CallTimeout, or the default).
func (d *Deps) CallLimit() time.Duration { return d.callTimeout() }

func (d *Deps) callTimeout() time.Duration {
	if d.CallTimeout > 0 {
		return d.CallTimeout
	}
	return DefaultCallTimeout
}

// replyMargin is the part of a call's time kept, at its end, to build and send
// the diagnosis once Gandi's requests have run out of time.
func replyMargin(limit time.Duration) time.Duration { return min(limit/10, time.Second) }

type limitKey struct{}

// withCallLimit bounds ctx by the call's time limit less the reply margin, and
// remembers the limit for the diagnosis to name.
func withCallLimit(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, limitKey{}, limit)
	return context.WithTimeout(ctx, limit-replyMargin(limit))
}

// callLimit is the time limit of the call ctx belongs to; 0 outside a call.
func callLimit(ctx context.Context) time.Duration {
	l, _ := ctx.Value(limitKey{}).(time.Duration)
	return l
}

func (d *Deps) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Tool is one tool of the server: its MCP definition, the PAT scopes it needs
// (none when empty; `gandi-mcp scopes` and README show them), the toolset it
// belongs to (see Toolsets), and its handler.
type Tool struct {
	Definition mcp.Tool
	Scopes     []string
	Toolset    string
	Handler    server.ToolHandlerFunc
}

// All returns every tool, in the order they are listed.
func All(d *Deps) []Tool {
	return []Tool{VerifyToken(d), ListDomains(d), ListSharing(d), GetDomain(d), CheckAvailability(d), RenewToken(d), ListDNSRecords(d), ListDNSSnapshots(d), ChangeDNSRecords(d), RestoreDNSSnapshot(d)}
}

// Common is embedded in every tool's output, so that error results (which carry
// only troubleshooting) validate against every output schema.
type Common struct {
	Demo            bool             `json:"demo,omitempty" jsonschema_description:"True when the result comes from gandi-mcp's built-in demo account, not a real Gandi account."`
	Troubleshooting *Troubleshooting `json:"troubleshooting,omitempty" jsonschema_description:"Present when something went wrong: what and what to do."`
}

func (c *Common) common() *Common { return c }

// profile is a named set of annotation hints, so that no tool repeats four booleans.
type profile struct{ readOnly, destructive, idempotent, openWorld bool }

var (
	readProfile   = profile{readOnly: true, destructive: false, idempotent: true, openWorld: true}
	rotateProfile = profile{readOnly: false, destructive: false, idempotent: false, openWorld: true}
	// recordsProfile is a change of records: it replaces or removes what was there.
	recordsProfile = profile{readOnly: false, destructive: true, idempotent: false, openWorld: true}
)

type spec struct {
	name, title, description string
	profile                  profile
	scopes                   []string
}

// validator is implemented by inputs that check themselves before any request.
type validator interface{ validate() error }

// define builds a Tool whose schemas and results come from the same Go types,
// so that what is declared and what is sent cannot drift.
func define[In any, Out any, PO interface {
	*Out
	common() *Common
}](d *Deps, s spec, run func(ctx context.Context, in In) (*Out, error)) Tool {
	def := mcp.NewToolWithRawSchema(s.name, s.description, schemaFor[In]())
	def.RawOutputSchema = schemaFor[Out]()
	def.Title = s.title
	def.Annotations = mcp.ToolAnnotation{
		Title:           s.title,
		ReadOnlyHint:    mcp.ToBoolPtr(s.profile.readOnly),
		DestructiveHint: mcp.ToBoolPtr(s.profile.destructive),
		IdempotentHint:  mcp.ToBoolPtr(s.profile.idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(s.profile.openWorld),
	}
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if d.Flush != nil {
			// Deferred, so the "tool failed" log line is written before the result too.
			defer d.Flush(ctx)
		}
		ctx = withProgressToken(ctx, req)
		ctx = withRoundTrip(ctx, req.Params.MultiRoundTripParams)
		ctx, cancel := withCallLimit(ctx, d.callTimeout())
		defer cancel()
		var in In
		var out *Out
		err := decodeArguments(req, &in)
		if err == nil {
			out, err = run(ctx, in)
		}
		var ni *needInput
		if errors.As(err, &ni) {
			return ni.result, nil // the client asks the person, then calls again
		}
		if err != nil {
			var f *Failure
			if !errors.As(err, &f) {
				f = &Failure{T: diagnose(err, situation{ep: d.Endpoints, limit: callLimit(ctx)})}
			}
			d.logger().WarnContext(ctx, "tool failed", "tool", s.name, "diagnosis", f.T.Diagnosis, "status", f.T.Status)
			if out == nil {
				out = new(Out) // a tool may return what it did along with its failure
			}
			c := PO(out).common()
			c.Troubleshooting = &f.T
			c.Demo = d.Demo
			return respond[Out, PO](ctx, d, out, true), nil
		}
		PO(out).common().Demo = d.Demo
		return respond[Out, PO](ctx, d, out, false), nil
	}
	return Tool{Definition: def, Scopes: s.scopes, Toolset: toolsetOf(s.name), Handler: handler}
}

// texter is an output whose text content is a compact form of its own rather
// than its JSON; writeText appends it to b.
type texter interface{ writeText(b *strings.Builder) }

// respond is the one way out of the process for a tool's output: its structured content
// and its text are scrubbed of every secret the process holds, whatever field an upstream
// echoed one in, and its troubleshooting leads the text.
func respond[Out any, PO interface {
	*Out
	common() *Common
}](ctx context.Context, d *Deps, out *Out, isError bool) *mcp.CallToolResult {
	raw, err := json.Marshal(out)
	if err != nil {
		return mcp.NewToolResultError("gandi-mcp could not encode its result: " + err.Error())
	}
	red := d.redactorFor(ctx)
	raw = scrubOutput(red, out, raw)
	summary := ""
	if t := PO(out).common().Troubleshooting; t != nil {
		summary = t.text()
	}
	res := result(out, raw, summary, d.Demo, isError)
	if tc, ok := res.Content[0].(mcp.TextContent); ok && red.HoldsString(tc.Text) {
		res.Content[0] = mcp.NewTextContent(red.Redact(tc.Text))
	}
	return res
}

// result builds a tool result whose text holds the same facts as its structured
// content raw: its JSON, or the output's own compact form.
func result(out any, raw []byte, summary string, demo, isError bool) *mcp.CallToolResult {
	var text strings.Builder
	if demo {
		text.WriteString("DEMO ACCOUNT (built-in fake, not your Gandi account).\n")
	}
	text.WriteString(summary)
	if !isError {
		if summary != "" {
			text.WriteString("\n")
		}
		if t, ok := out.(texter); ok {
			t.writeText(&text)
		} else {
			text.Grow(len(raw)) // one allocation: a result's JSON can be megabytes
			text.Write(raw)
		}
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(text.String())},
		StructuredContent: json.RawMessage(raw),
		IsError:           isError,
	}
}

// decodeArguments reads a call's arguments exactly: one JSON object whose names, at
// every depth, are the input type's own, each once; unknown names and wrong types are
// refused with a message saying what is valid.
func decodeArguments(req mcp.CallToolRequest, in any) error {
	var raw []byte
	switch a := req.GetRawArguments().(type) {
	case json.RawMessage:
		raw = a
	case nil:
	default:
		b, err := json.Marshal(a)
		if err != nil {
			return invalidInput("the arguments are not a JSON object")
		}
		raw = b
	}
	s := shapeOf(reflect.TypeOf(in))
	var names []string
	if s != nil {
		names = s.names
	}
	obj, err := readObject(raw, req.Params.Name, names)
	if err == nil {
		err = checkNames(obj, s, req.Params.Name)
	}
	if err != nil {
		return invalidInput(err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.DisallowUnknownFields() // checkNames refused them already; this is a second lock
	if err := dec.Decode(in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := pathAt(obj, int(te.Offset)-1) // the offset is within the value refused
			if field == "" {
				field = clip(te.Field)
			}
			return invalidInput(fmt.Sprintf("argument %q must be of type %s, not %s", field, jsonType(te.Type.Kind().String()), clip(te.Value)))
		}
		return invalidInput("the arguments could not be read: " + clip(err.Error()))
	}
	if v, ok := in.(validator); ok {
		return v.validate()
	}
	return nil
}

// clip shortens what an error echoes of the caller's arguments, which may be of any size.
func clip(s string) string {
	const limit = 64
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}

func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "integer"
	case strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean"
	case kind == "slice":
		return "array"
	case kind == "struct", kind == "map":
		return "object"
	}
	return kind
}

// invalidInput is a Failure for arguments refused before any request is made.
func invalidInput(msg string) *Failure {
	return &Failure{T: Troubleshooting{
		Diagnosis: InvalidInput,
		Summary:   "Invalid arguments: " + msg + ".",
		NextSteps: []string{"Call the tool again with corrected arguments; nothing was sent to Gandi."},
	}}
}

// session is one tool call's view of the account: the credential and a client using it.
type session struct {
	d      *Deps
	cred   *auth.Credential
	client *gandi.Client

	info    *gandi.TokenInfo // /tokeninfo's answer, once asked
	infoErr error
	asked   bool
}

// tokenInfo asks /tokeninfo once per call and remembers the answer.
func (s *session) tokenInfo(ctx context.Context) (*gandi.TokenInfo, error) {
	if !s.asked {
		s.info, s.infoErr = s.client.TokenInfo(ctx)
		s.asked = true
		if s.infoErr == nil && s.info.ExpiresIn > 0 {
			expiryBook{s.d.ExpiryFile}.remember(s.cred.Secret(), s.d.Redact(s.info.PATName), s.d.expiry(s.info), s.d.now())
		}
	}
	return s.info, s.infoErr
}

// open loads the credential and builds a client; a failure is already troubleshooting.
// The credential's warnings are logged, for tools whose result does not show them.
func (d *Deps) open(ctx context.Context) (*session, error) {
	s, err := d.openShowingWarnings(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range s.cred.Warnings {
		d.logger().WarnContext(ctx, w.Message, "code", w.Code)
	}
	return s, nil
}

// openShowingWarnings is open for a tool whose every result carries the credential's
// warnings: logging them as well would say each twice to a person running `call`.
func (d *Deps) openShowingWarnings(ctx context.Context) (*session, error) {
	var cred *auth.Credential
	if d.Hosted {
		// The caller's token is scrubbed through the request's own redactor: held in the
		// process's book, it would outlive the request and be one among every caller's.
		c, f := callerCredential(ctx, string(d.Endpoints.Env))
		if f != nil {
			return nil, f
		}
		cred = c
	} else {
		load := d.Credential
		if load == nil {
			load = func() (*auth.Credential, error) { return auth.Load(d.Auth) }
		}
		c, err := load()
		if err != nil {
			t := credentialTrouble(err, d.Endpoints, auth.Looked(d.Auth), d.Auth.Profile)
			return nil, &Failure{T: t}
		}
		cred = c
		d.secrets.hold(cred.Secret())
	}
	c, err := d.client(ctx, d.Endpoints, schemeOf(cred), cred.Secret())
	if err != nil {
		return nil, err
	}
	return &session{d: d, cred: cred, client: c}, nil
}

func (d *Deps) client(ctx context.Context, ep gandi.Endpoints, scheme gandi.Scheme, secret string) (*gandi.Client, error) {
	c, err := gandi.New(gandi.Config{
		Endpoints:  ep,
		Scheme:     scheme,
		Token:      secret,
		HTTPClient: d.HTTPClient,
		UserAgent:  d.UserAgent,
		Timeout:    d.Timeout,
		Retry:      d.Retry,
		OnRetry: func(ctx context.Context, ev gandi.RetryEvent) {
			d.logger().WarnContext(ctx, "retrying Gandi request", "method", ev.Method, "host", ev.Host, "path", ev.Path,
				"attempt", ev.Attempt, "status", ev.Status, "delay", ev.Delay.String())
		},
		MaxBodyBytes: d.MaxBodyBytes,
	})
	if err != nil {
		return nil, &Failure{T: Troubleshooting{
			Diagnosis:   GandiUnavailable,
			Summary:     "gandi-mcp's Gandi endpoints are not usable: " + err.Error(),
			NextSteps:   []string{"Fix or unset GANDI_API_URL and GANDI_ID_URL."},
			Environment: string(ep.Env),
		}}
	}
	return c, nil
}

// fail diagnoses err for this session, asking Gandi what the token is when a 401
// or 403 needs it explained (and the other environment, when the token is unknown here).
func (s *session) fail(ctx context.Context, err error, scopes []string, target string) error {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	sit := situation{cred: s.cred, ep: s.d.Endpoints, scopes: scopes, target: target, limit: callLimit(ctx)}
	var ge *gandi.Error
	if errors.As(err, &ge) && (ge.Status == 401 || ge.Status == 403) && s.cred.Kind == auth.KindPAT {
		if info, ierr := s.tokenInfo(ctx); ierr == nil {
			sit.info = info
		} else if sit.expiredAt = (expiryBook{s.d.ExpiryFile}).expired(s.cred.Secret(), s.d.now()); sit.expiredAt == nil {
			sit.other = s.probeOther(ctx)
		}
	}
	return &Failure{T: diagnose(err, sit)}
}

// probeOther asks the other environment's /tokeninfo about the token; nil when
// it does not know it either, or when no other environment is configured.
func (s *session) probeOther(ctx context.Context) *gandi.TokenInfo {
	if s.d.Other == nil {
		return nil
	}
	c, err := s.d.client(ctx, *s.d.Other, gandi.SchemeBearer, s.cred.Secret())
	if err != nil {
		return nil
	}
	info, err := c.TokenInfo(ctx)
	if err != nil {
		return nil
	}
	return info
}

type progressKey struct{}

func withProgressToken(ctx context.Context, req mcp.CallToolRequest) context.Context {
	if req.Params.Meta != nil && req.Params.Meta.ProgressToken != nil {
		return context.WithValue(ctx, progressKey{}, req.Params.Meta.ProgressToken)
	}
	return ctx
}

// progress tells a client that sent a progress token how far a call has got.
func (d *Deps) progress(ctx context.Context, done, total int, message string) {
	tok := ctx.Value(progressKey{})
	if tok == nil || d.Notify == nil {
		return
	}
	params := map[string]any{"progressToken": tok, "progress": done, "message": message}
	if total > 0 {
		params["total"] = total
	}
	d.Notify(ctx, string(mcp.MethodNotificationProgress), params)
}
