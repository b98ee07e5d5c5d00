package tools

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/invopop/jsonschema"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// Diagnosis is a stable code naming what went wrong; README documents each one.
type Diagnosis string

// The diagnoses a tool can return. They are part of the tools' contract: add, never rename.
const (
	NoToken             Diagnosis = "no_token"
	InvalidTokenFormat  Diagnosis = "invalid_token_format"
	InsecureTokenFile   Diagnosis = "insecure_token_file"
	TokenRejected       Diagnosis = "token_rejected"
	TokenExpired        Diagnosis = "token_expired"
	WrongScheme         Diagnosis = "wrong_scheme"
	LegacyKeyRejected   Diagnosis = "legacy_key_rejected"
	MissingScope        Diagnosis = "missing_scope"
	ResourceNotInScope  Diagnosis = "resource_not_in_scope"
	AccessDenied        Diagnosis = "access_denied"
	WrongEnvironment    Diagnosis = "wrong_environment"
	NotFound            Diagnosis = "not_found"
	InvalidInput        Diagnosis = "invalid_input"
	RequestRejected     Diagnosis = "request_rejected"
	RateLimited         Diagnosis = "rate_limited"
	GandiUnavailable    Diagnosis = "gandi_unavailable"
	BadResponse         Diagnosis = "bad_response"
	Cancelled           Diagnosis = "cancelled"
	RenewalInProgress   Diagnosis = "renewal_in_progress"
	TokenStoreFailed    Diagnosis = "token_store_failed"
	RenewedTokenInvalid Diagnosis = "renewed_token_unverified"
	StalePlan           Diagnosis = "stale_plan"
	Declined            Diagnosis = "declined"
	RestorePointFailed  Diagnosis = "restore_point_failed"
	DNSNotHosted        Diagnosis = "dns_not_hosted"
	JournalUnavailable  Diagnosis = "journal_unavailable"
	Internal            Diagnosis = "internal_error"
)

// Diagnoses lists every diagnosis with what it means for a person, in the order README shows them.
var Diagnoses = []struct {
	Code    Diagnosis
	Meaning string
	Action  string
}{
	{NoToken, "No credential was found in the environment or the token file.", "Create a PAT in Gandi's admin and store it with `gandi-mcp token set`."},
	{InvalidTokenFormat, "The stored value cannot be a token (empty, several lines, inner spaces or control characters).", "Store the token again with `gandi-mcp token set`."},
	{InsecureTokenFile, "The token file can be written by other users, so it is refused.", "Run the `chmod 600 PATH` the result gives, then check the file's content."},
	{TokenRejected, "Gandi does not accept the token: unknown, revoked, expired or mistyped.", "Check the token in the admin's PAT page; create a new one if it is gone."},
	{TokenExpired, "The token has passed its expiry date.", "Create a new PAT (an expired one cannot be renewed) and store it."},
	{WrongScheme, "The value was sent with the wrong scheme: a PAT as an API key or a key as a PAT.", "Put a PAT in GANDI_API_TOKEN or the token file, and a legacy key only in GANDI_API_KEY."},
	{LegacyKeyRejected, "A deprecated API key was refused, or was used where only a PAT works.", "Create a PAT with the scopes you need and remove GANDI_API_KEY."},
	{MissingScope, "The token is valid but lacks a scope the operation needs.", "Create a PAT that has the scope named in required_scopes."},
	{ResourceNotInScope, "The token is limited to some products and this one is not among them.", "Create a PAT for the whole organization or one that lists this product."},
	{AccessDenied, "Gandi refused the operation for this account although the token has the scope.", "Ask the organization's owner for the right permission."},
	{WrongEnvironment, "The token belongs to the other environment (production vs sandbox).", "Run with or without --sandbox (GANDI_SANDBOX=1) to match the token."},
	{NotFound, "Gandi does not know the requested object.", "Check the name or id; list what the token sees first."},
	{InvalidInput, "The tool's arguments are not valid; nothing was sent to Gandi.", "Call the tool again with the values the message says are valid."},
	{RequestRejected, "Gandi refused the request's values (HTTP 400).", "Correct the fields listed in gandi_error.errors."},
	{RateLimited, "Gandi's rate limit was reached (1000 requests a minute per IP).", "Wait retry_after_seconds (or a minute) and call again."},
	{GandiUnavailable, "Gandi could not be reached or answered with a server error.", "Call again later; check Gandi's status page if it lasts."},
	{BadResponse, "Gandi's answer could not be read (truncated, malformed or too large), or pointed elsewhere (a redirect or page link to another host, a redirect loop).", "Call again; narrow the request (smaller per_page) if it repeats; for a redirect, check GANDI_API_URL, GANDI_ID_URL and any proxy."},
	{Cancelled, "The call was cancelled before it finished.", "Nothing to do unless the cancellation was unintended."},
	{RenewalInProgress, "Another renewal of the same token is running, or replaced it while this call waited; nothing was sent.", "Wait for it to finish, then run verify_token."},
	{TokenStoreFailed, "The token file cannot be written (or would overwrite another token), so no renewal was asked for; or a renewed token could not be stored in place.", "Fix the file's directory permissions as the message says, then retry."},
	{RenewedTokenInvalid, "Gandi issued a new token that did not pass its check; the old token was kept.", "Look at the .new file the result names; run verify_token."},
	{DNSNotHosted, "The domain's DNS is not served by Gandi's LiveDNS, so its records are not edited here.", "Edit the records where its nameservers point (the summary names them), or switch the domain to LiveDNS in Gandi's admin."},
	{StalePlan, "What the plan read has changed at Gandi since it was made (someone edited it in between); nothing was changed.", "Plan again without apply, show the new plan to the person, and apply with its plan_id."},
	{Declined, "The person declined or cancelled the change when asked to confirm it; nothing was changed.", "Ask the person what they want instead."},
	{RestorePointFailed, "The restore point (a LiveDNS snapshot of the zone) could not be taken before the change, so nothing was changed.", "Call again later; or, if the person accepts a change without a restore point, plan and apply with no_snapshot=true."},
	{JournalUnavailable, "The journal of changes ($XDG_STATE_HOME/gandi-mcp/journal.jsonl) cannot be written, so nothing was changed.", "Make the directory the message names writable (mode 0700), or set XDG_STATE_HOME, then apply again."},
	{Internal, "An unexpected error inside gandi-mcp.", "Report it with the stderr log; nothing secret is in it."},
}

// JSONSchema lists the codes in the schema, so that clients know them all.
func (Diagnosis) JSONSchema() *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "string", Description: "Stable code naming the problem (see README's table)."}
	for _, d := range Diagnoses {
		s.Enum = append(s.Enum, string(d.Code))
	}
	return s
}

// Troubleshooting tells an assistant, and the person behind it, what went wrong and what to do.
// Every tool's output schema carries it, so that error results validate too.
type Troubleshooting struct {
	Status            int         `json:"status" jsonschema_description:"HTTP status Gandi answered with; 0 when no request was made."`
	Diagnosis         Diagnosis   `json:"diagnosis"`
	Summary           string      `json:"summary" jsonschema_description:"One sentence for a person."`
	LikelyCauses      []string    `json:"likely_causes,omitempty" jsonschema_description:"Most likely first."`
	NextSteps         []string    `json:"next_steps" jsonschema_description:"Concrete steps, in order."`
	RequiredScopes    []string    `json:"required_scopes,omitempty" jsonschema_description:"PAT scopes the operation needs, when known."`
	Token             *TokenFacts `json:"token,omitempty" jsonschema_description:"What is known of the credential (never the secret)."`
	Environment       string      `json:"environment,omitempty" jsonschema_description:"production or sandbox."`
	GandiError        *GandiError `json:"gandi_error,omitempty" jsonschema_description:"Gandi's error as it answered."`
	Retryable         bool        `json:"retryable" jsonschema_description:"Whether calling again unchanged may succeed."`
	RetryAfterSeconds int         `json:"retry_after_seconds,omitempty"`
	Docs              []string    `json:"docs,omitempty"`
}

// TokenFacts is what is known of a credential: never its value.
type TokenFacts struct {
	Kind      string     `json:"kind,omitempty" jsonschema_description:"pat or api_key."`
	Scheme    string     `json:"scheme,omitempty" jsonschema_description:"Authorization scheme sent: Bearer or Apikey."`
	Source    string     `json:"source,omitempty" jsonschema_description:"Where it was read: the variable's name or the file's path."`
	Profile   string     `json:"profile,omitempty" jsonschema_description:"The profile whose token file it is; absent for the default file and for a variable."`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// GandiError is Gandi's error body, as far as it could be read.
type GandiError struct {
	Method  string             `json:"method,omitempty"`
	Path    string             `json:"path,omitempty"`
	Code    int                `json:"code,omitempty"`
	Message string             `json:"message,omitempty"`
	Object  string             `json:"object,omitempty"`
	Cause   string             `json:"cause,omitempty"`
	Errors  []gandi.FieldError `json:"errors,omitempty"`
	Excerpt string             `json:"excerpt,omitempty" jsonschema_description:"Start of a non-JSON error page, sanitised."`
}

// Failure is an error that already carries its troubleshooting; tools return it
// for problems the person can act on, and the result becomes isError.
type Failure struct{ T Troubleshooting }

func (f *Failure) Error() string { return string(f.T.Diagnosis) + ": " + f.T.Summary }

const (
	docsAuth    = "https://api.gandi.net/docs/authentication/"
	docsDomains = "https://api.gandi.net/docs/domains/"
	docsOrg     = "https://api.gandi.net/docs/organization/"
)

// situation is everything known when a call failed: diagnosis uses all of it.
type situation struct {
	cred      *auth.Credential
	ep        gandi.Endpoints
	scopes    []string         // scopes the failed operation needs
	info      *gandi.TokenInfo // the token's own grant, when /tokeninfo answered
	other     *gandi.TokenInfo // the token seen by the other environment, when it was asked
	expiredAt *time.Time       // a past expiry known from earlier answers
	target    string           // the organization or product the call aimed at, if any
	limit     time.Duration    // the call's time limit, when known
}

func (s situation) facts() *TokenFacts {
	if s.cred == nil {
		return nil
	}
	f := &TokenFacts{Kind: string(s.cred.Kind), Scheme: string(schemeOf(s.cred)), Source: s.cred.Origin, Profile: s.cred.Profile}
	if s.info != nil {
		f.Name = s.info.PATName
		f.Scopes = s.info.Scope
	}
	if s.expiredAt != nil {
		f.ExpiresAt = s.expiredAt
	}
	return f
}

// fileProfile is profile when origin is one of the token files looked at, "" otherwise
// (a variable belongs to no profile).
func fileProfile(origin string, looked []string, profile string) string {
	if profile != "" && slices.Contains(looked, "file "+origin) {
		return profile
	}
	return ""
}

func schemeOf(c *auth.Credential) gandi.Scheme {
	if c != nil && c.Kind == auth.KindAPIKey {
		return gandi.SchemeApikey
	}
	return gandi.SchemeBearer
}

// hostedCaller says whether the credential is a hosted server's caller's, sent with the
// request: a new token goes into the caller's client, not a token file.
func hostedCaller(s situation) bool { return s.cred != nil && s.cred.Source == auth.SourceHeader }

// hostedStore is how a hosted server's caller puts a new token in place.
const hostedStore = "put it in your MCP client's configuration of this server, as the header \"Authorization: Bearer NEW_PAT\" (never in the chat)"

// credentialTrouble explains why no usable credential could be loaded from the token
// files of profile ("" for the default ones).
func credentialTrouble(err error, ep gandi.Endpoints, looked []string, profile string) Troubleshooting {
	t := Troubleshooting{Environment: string(ep.Env), Docs: []string{docsAuth}}
	flags := sandboxFlag(ep)
	if profile != "" {
		flags += " --profile " + profile
	}
	store := "store it with `gandi-mcp token set" + flags + "` (it reads the token from standard input; never paste a token into a chat)"
	var nf *auth.NotFoundError
	var bad *auth.InvalidTokenError
	var loose *auth.InsecureFileError
	var unreadable *auth.ReadError
	var broken *auth.BrokenLinkError
	switch {
	case errors.As(err, &nf) || errors.Is(err, auth.ErrNoCredential):
		t.Diagnosis = NoToken
		t.Summary = "No Gandi token was found, so nothing could be asked of Gandi."
		causes := []string{"No Personal Access Token has been stored yet."}
		for _, l := range looked {
			causes = append(causes, "Looked at "+l+": nothing there.")
		}
		t.LikelyCauses = causes
		if profile != "" {
			t.Summary = "No Gandi token was found for the profile " + profile + ", so nothing could be asked of Gandi."
			t.Token = &TokenFacts{Profile: profile}
		}
		t.NextSteps = []string{
			"Create a Personal Access Token at " + ep.PATPageURL() + " " + scopeAdvice() + ".",
			"Then " + store + ", or set GANDI_API_TOKEN in the environment of the assistant.",
			"Call verify_token to check it.",
		}
	case errors.As(err, &bad):
		t.Diagnosis = InvalidTokenFormat
		t.Summary = "The credential in " + bad.Origin + " cannot be a token: " + bad.Reason + "."
		t.LikelyCauses = []string{"The file or variable holds something else than one token (a copy with extra text, a second line, or nothing)."}
		t.NextSteps = []string{"Copy the token again from the page where you created it, then " + store + "."}
		t.Token = &TokenFacts{Source: bad.Origin, Profile: fileProfile(bad.Origin, looked, profile)}
	case errors.As(err, &loose):
		t.Diagnosis = InsecureTokenFile
		t.Summary = "The token file " + loose.Path + " can be changed by other users, so it is not used."
		t.LikelyCauses = []string{fmt.Sprintf("Its mode is %v: anyone who can write it can make gandi-mcp send their token.", loose.Mode)}
		t.NextSteps = []string{"Run: chmod 600 " + loose.Path, "Check that the file still holds your token (another user could have changed it), then call verify_token."}
		if loose.OtherOwner {
			t.LikelyCauses = []string{fmt.Sprintf("It belongs to another user (uid %d), who can replace the token at will.", loose.OwnerUID)}
			t.NextSteps = []string{"Store your own token there with `gandi-mcp token set" + sandboxFlag(ep) + "`, or take the file over: chown $(id -u) " + loose.Path + " && chmod 600 " + loose.Path + ".", "Then call verify_token."}
		}
		t.Token = &TokenFacts{Source: loose.Path, Profile: fileProfile(loose.Path, looked, profile)}
	case errors.As(err, &broken):
		t.Diagnosis = InvalidTokenFormat
		t.Summary = "The token file " + broken.Path + " is a symbolic link to " + broken.Target + ", which does not exist."
		t.LikelyCauses = []string{"The file it points to was moved or deleted, or is on a disk or mount that is not there now."}
		t.NextSteps = []string{"Put the token back at " + broken.Target + ", or remove the link (rm " + broken.Path + ") and " + store + ".", "Then call verify_token."}
		t.Token = &TokenFacts{Source: broken.Path, Profile: fileProfile(broken.Path, looked, profile)}
	case errors.As(err, &unreadable):
		t.Diagnosis = InvalidTokenFormat
		t.Summary = "The token file " + unreadable.Path + " exists but cannot be read."
		t.LikelyCauses = []string{"It is a directory or special file, or belongs to another user.", "A path component is not a directory."}
		t.NextSteps = []string{"Replace it with a regular file only you can read: " + store + ".", "Or check its owner and run: chmod 600 " + unreadable.Path}
		t.Token = &TokenFacts{Source: unreadable.Path, Profile: fileProfile(unreadable.Path, looked, profile)}
	default:
		t.Diagnosis = InvalidTokenFormat
		t.Summary = "The credential could not be read: " + err.Error()
		t.NextSteps = []string{"Fix what the message says, or " + store + "."}
	}
	return t
}

// declared is every tool's name and the scopes it declares, read once from All.
var declared struct {
	once  sync.Once
	tools []Tool
}

// scopeAdvice says which scopes to give a new PAT, e.g. "with the scopes of the tools
// you want an assistant to use: domain:view for list_domains; verify_token and
// renew_token need none". It is made from the scopes the tools declare, as `gandi-mcp
// scopes` shows them, so that the advice cannot recommend a scope no tool needs.
func scopeAdvice() string {
	declared.once.Do(func() { declared.tools = All(&Deps{}) })
	var scopes, none []string
	users := map[string][]string{}
	for _, t := range declared.tools {
		if len(t.Scopes) == 0 {
			none = append(none, t.Definition.Name)
		}
		for _, sc := range t.Scopes {
			if users[sc] == nil {
				scopes = append(scopes, sc)
			}
			users[sc] = append(users[sc], t.Definition.Name)
		}
	}
	var parts []string
	for _, sc := range scopes {
		parts = append(parts, sc+" for "+andList(users[sc]))
	}
	advice := "with the scopes of the tools you want an assistant to use"
	if len(parts) > 0 {
		advice += ": " + strings.Join(parts, ", ")
	}
	switch {
	case len(none) > 0 && len(parts) == 0:
		advice += ": " + andList(none) + " need none"
	case len(none) == 1:
		advice += "; " + none[0] + " needs none"
	case len(none) > 1:
		advice += "; " + andList(none) + " need none"
	}
	return advice
}

// andList joins words as a person would: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func sandboxFlag(ep gandi.Endpoints) string {
	if ep.Env == gandi.Sandbox {
		return " --sandbox"
	}
	return ""
}

func otherEnv(env gandi.Environment) gandi.Environment {
	if env == gandi.Sandbox {
		return gandi.Production
	}
	return gandi.Sandbox
}

// diagnose turns a failed Gandi call into troubleshooting, using all that is known.
func diagnose(err error, s situation) Troubleshooting {
	t := Troubleshooting{Environment: string(s.ep.Env), Token: s.facts(), RequiredScopes: s.scopes}
	var ge *gandi.Error
	var te *gandi.TransportError
	switch {
	case errors.Is(err, context.Canceled):
		t.Diagnosis = Cancelled
		t.Summary = "The call was cancelled before Gandi answered."
		t.NextSteps = []string{"Call the tool again if the cancellation was not intended."}
		return t
	case errors.As(err, &ge):
		t.Status = ge.Status
		t.GandiError = &GandiError{Method: ge.Method, Path: ge.Path, Code: ge.Code, Message: ge.Message,
			Object: ge.Object, Cause: ge.Cause, Errors: ge.Errors, Excerpt: ge.Excerpt}
		if ge.RetryAfter > 0 {
			t.RetryAfterSeconds = int((ge.RetryAfter + time.Second - 1) / time.Second)
		}
		switch {
		case ge.Status >= 300 && ge.Status <= 399:
			redirectTrouble(&t, ge, s.ep)
		case ge.Status == 401 || ge.Status == 403:
			authTrouble(&t, ge, s)
		case ge.Status == 404 && ge.Path == "/tokeninfo":
			t.Diagnosis = NotFound
			t.Summary = "Gandi's identity host (" + gandi.Origin(s.ep.IDURL) + ") has no /tokeninfo, so the token could not be checked."
			t.LikelyCauses = []string{"GANDI_ID_URL points at the wrong host.", "The sandbox identity host (id.sandbox.gandi.net) is inferred from Gandi's naming, not documented: it may differ."}
			t.NextSteps = []string{"Check or unset GANDI_ID_URL; in sandbox mode, set GANDI_ID_URL to the sandbox's identity host if Gandi names another one.", "The other tools may still work: /tokeninfo is only used to describe the token."}
		case ge.Status == 404:
			t.Diagnosis = NotFound
			t.Summary = "Gandi does not know the requested object (" + ge.Method + " " + ge.Path + ")."
			t.LikelyCauses = []string{"A mistyped name or id.", "The object belongs to an organization this token cannot see."}
			t.NextSteps = []string{"List what the token sees (list_domains, list_sharing) and use a name or id from there."}
		case ge.Status == 400 || ge.Status == 422:
			t.Diagnosis = RequestRejected
			t.Summary = "Gandi refused the request's values" + fieldSummary(ge.Errors) + "."
			t.NextSteps = []string{"Correct the fields listed in gandi_error.errors and call again."}
		case ge.Status == 429:
			t.Diagnosis = RateLimited
			t.Retryable = true
			t.Summary = "Gandi's rate limit was reached (1000 requests a minute for one IP address)."
			t.LikelyCauses = []string{"Many calls in a short time from this machine or this network."}
			wait := "about a minute"
			if t.RetryAfterSeconds > 0 {
				wait = fmt.Sprintf("%d seconds", t.RetryAfterSeconds)
			}
			t.NextSteps = []string{"Wait " + wait + ", then call again."}
		case ge.Status >= 500:
			t.Diagnosis = GandiUnavailable
			t.Retryable = true
			t.Summary = fmt.Sprintf("%s answered with a server error (%d) after retries (%s %s).", hostOf(ge.Host), ge.Status, ge.Method, ge.Path)
			t.LikelyCauses = []string{"A temporary problem at Gandi or a gateway in front of it."}
			t.NextSteps = []string{"Call again in a minute.", "If it lasts, check https://status.gandi.net/."}
		default:
			t.Diagnosis = RequestRejected
			t.Summary = fmt.Sprintf("Gandi refused the request (%d).", ge.Status)
			t.NextSteps = []string{"Read gandi_error for Gandi's reason."}
		}
	// Before transport errors: a body cut short arrives as a TransportError wrapping ErrBadResponse.
	case errors.Is(err, gandi.ErrBodyTooLarge), errors.Is(err, gandi.ErrBadResponse):
		t.Diagnosis = BadResponse
		t.Retryable = true
		t.Summary = badResponseSummary(err)
		t.NextSteps = []string{"Call again; if it repeats, ask for less (a smaller per_page)."}
	case errors.As(err, &te):
		transportTrouble(&t, te, s)
	case errors.Is(err, context.DeadlineExceeded):
		// The limit passed between requests (a page, a wait), not during one.
		t.Diagnosis = GandiUnavailable
		t.Retryable = true
		t.Summary = "The call ran out of time before Gandi had answered all its requests."
		if s.limit > 0 {
			t.Summary = fmt.Sprintf("The call reached gandi-mcp's time limit for one call (%s) before Gandi had answered all its requests.", gandi.RoundDuration(s.limit))
		}
		t.LikelyCauses = []string{"Gandi is slow.", "The call asks for much (all domains of a large account)."}
		t.NextSteps = []string{"Call again, asking for less if the tool allows it.", "If Gandi is only slow, give calls more time with GANDI_MCP_CALL_TIMEOUT (at most 10m)."}
	default:
		t.Diagnosis = Internal
		t.Summary = "Unexpected error: " + err.Error()
		t.NextSteps = []string{"Call verify_token; if the problem stays, report it with gandi-mcp's stderr log."}
	}
	if len(t.NextSteps) == 0 {
		t.NextSteps = []string{"Call verify_token to see what the token can do."}
	}
	return t
}

// redirectTrouble diagnoses a redirect gandi-mcp did not follow: Gandi's API
// does not redirect, so it is a proxy, a wrong URL or a loop.
func redirectTrouble(t *Troubleshooting, ge *gandi.Error, ep gandi.Endpoints) {
	t.Diagnosis = BadResponse
	t.LikelyCauses = []string{"GANDI_API_URL or GANDI_ID_URL points at something else than Gandi's API.", "A proxy or captive portal between this machine and Gandi."}
	t.NextSteps = []string{"Check GANDI_API_URL and GANDI_ID_URL (unset them to use Gandi's hosts), and the network's proxy.", "Then call again."}
	if ge.Redirect != "" && !sameOrigin(ge.Redirect, ep.APIURL) && !sameOrigin(ge.Redirect, ep.IDURL) {
		t.Summary = fmt.Sprintf("Gandi's answer to %s %s redirected to %s, another host: gandi-mcp does not follow it, so the token was not sent there.", ge.Method, ge.Path, ge.Redirect)
		return
	}
	t.Summary = fmt.Sprintf("Gandi's answer to %s %s kept redirecting on the same host: gandi-mcp stopped after a few redirects.", ge.Method, ge.Path)
}

// sameOrigin says whether the origin o (scheme://host) is that of the URL u.
func sameOrigin(o, u string) bool {
	pu, err := url.Parse(u)
	return err == nil && strings.EqualFold(o, pu.Scheme+"://"+pu.Host)
}

// hostOf names the host a request went to, or Gandi when it is not known.
func hostOf(host string) string {
	if host == "" {
		return "Gandi"
	}
	return host
}

// transportTrouble says which host failed to answer and how: timed out (after
// how long), refused, not resolved, TLS, reset or closed.
func transportTrouble(t *Troubleshooting, te *gandi.TransportError, s situation) {
	t.Diagnosis = GandiUnavailable
	t.Retryable = true
	host, req := hostOf(te.Host), te.Method+" "+te.Path
	check := "If GANDI_API_URL or GANDI_ID_URL is set, check that it is right."
	t.NextSteps = []string{"Check the network of the machine running gandi-mcp, then call again.", check}
	switch te.Kind {
	case gandi.KindTimeout:
		if te.CallerDeadline && s.limit > 0 {
			t.Summary = fmt.Sprintf("%s did not answer within %s, gandi-mcp's time limit for one call (%s).", host, gandi.RoundDuration(s.limit), req)
			t.NextSteps = append(t.NextSteps, fmt.Sprintf("If Gandi is only slow, give calls more time with GANDI_MCP_CALL_TIMEOUT (now %s; at most 10m).", gandi.RoundDuration(s.limit)))
		} else {
			t.Summary = fmt.Sprintf("%s did not answer within %s (%s%s).", host, gandi.RoundDuration(te.After), req, attempts(te.Attempts))
		}
		t.LikelyCauses = []string{"Gandi is slow or down.", "A proxy or firewall holds the connection without passing it on."}
	case gandi.KindRefused:
		t.Summary = fmt.Sprintf("Connection to %s refused (%s): nothing answers on that port.", host, req)
		t.LikelyCauses = []string{"GANDI_API_URL or GANDI_ID_URL names a wrong host or port.", "A firewall refuses the connection.", "An outage at Gandi."}
	case gandi.KindDNS:
		t.Summary = fmt.Sprintf("The name %s could not be resolved (%s).", hostName(te.Host), req)
		t.LikelyCauses = []string{"No network or no DNS on this machine.", "GANDI_API_URL or GANDI_ID_URL names a host that does not exist."}
	case gandi.KindTLS:
		t.Summary = fmt.Sprintf("The TLS connection to %s failed (%s): %v.", host, req, te.Err)
		t.LikelyCauses = []string{"A proxy intercepts HTTPS with a certificate this machine does not trust.", "GANDI_API_URL or GANDI_ID_URL names a host whose certificate is for another name.", "This machine's clock or its trusted certificates are wrong."}
		t.Retryable = false
	case gandi.KindReset:
		t.Summary = fmt.Sprintf("%s reset the connection (%s%s).", host, req, attempts(te.Attempts))
		t.LikelyCauses = []string{"A proxy or firewall cuts the connection.", "A temporary problem at Gandi."}
	case gandi.KindClosed:
		t.Summary = fmt.Sprintf("%s closed the connection without answering (%s%s).", host, req, attempts(te.Attempts))
		t.LikelyCauses = []string{"A proxy or firewall cuts the connection.", "A temporary problem at Gandi."}
	default:
		t.Summary = fmt.Sprintf("%s could not be reached (%s): %v.", host, req, te.Err)
		t.LikelyCauses = []string{"No network, a proxy or firewall in the way, or an outage at Gandi."}
	}
}

// hostName is host without its port, for a name that did not resolve.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return hostOf(host)
}

func attempts(n int) string {
	if n > 1 {
		return fmt.Sprintf(", %d attempts", n)
	}
	return ""
}

// badResponseSummary says whose answer could not be read, and why: cut short,
// too large or not the JSON expected.
func badResponseSummary(err error) string {
	var te *gandi.TransportError
	var be *gandi.BadResponseError
	switch {
	case errors.As(err, &te) && te.Kind == gandi.KindTruncated:
		return fmt.Sprintf("The answer of %s was cut short (%s %s): the connection closed before the whole body arrived.", hostOf(te.Host), te.Method, te.Path)
	case errors.As(err, &be) && be.Kind == gandi.KindTooLarge:
		return fmt.Sprintf("The answer of %s is too large to read (%s %s): %v.", hostOf(be.Host), be.Method, be.Path, be.Err)
	case errors.As(err, &be) && be.Kind == gandi.KindNotJSON:
		return fmt.Sprintf("The answer of %s is not the JSON expected (%s %s): %v.", hostOf(be.Host), be.Method, be.Path, be.Err)
	case errors.As(err, &be):
		return fmt.Sprintf("The answer of %s could not be read (%s %s): %v.", hostOf(be.Host), be.Method, be.Path, be.Err)
	}
	return "Gandi's answer could not be read: " + err.Error() + "."
}

func fieldSummary(errs []gandi.FieldError) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, e.Name+": "+e.Description)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// authTrouble diagnoses a 401 or 403 from what the token is known to be.
func authTrouble(t *Troubleshooting, ge *gandi.Error, s situation) {
	t.Docs = []string{docsAuth}
	pat := s.ep.PATPageURL()
	source := "the token"
	if s.cred != nil {
		source = "the token from " + s.cred.Origin
	}
	switch {
	case s.cred != nil && s.cred.Kind == auth.KindAPIKey && looksLikePAT(s.cred.Secret()):
		t.Diagnosis = WrongScheme
		t.Summary = "The value in " + s.cred.Origin + " looks like a Personal Access Token but was sent as a legacy API key."
		t.LikelyCauses = []string{"A PAT was stored in GANDI_API_KEY, which is sent with the deprecated Apikey scheme."}
		t.NextSteps = []string{"Move the value to GANDI_API_TOKEN (or store it with `gandi-mcp token set" + sandboxFlag(s.ep) + "`) and unset GANDI_API_KEY."}
	case s.cred != nil && s.cred.Kind == auth.KindAPIKey:
		t.Diagnosis = LegacyKeyRejected
		t.Summary = "Gandi refused the legacy API key from " + s.cred.Origin + "."
		t.LikelyCauses = []string{
			"API keys are deprecated: Gandi stops accepting them and never accepts them for token operations.",
			"The key was regenerated or deleted.",
		}
		t.NextSteps = []string{
			"Create a Personal Access Token at " + pat + " with the scopes you need.",
			"Store it with `gandi-mcp token set" + sandboxFlag(s.ep) + "`, then unset GANDI_API_KEY.",
		}
	case s.info == nil && s.other != nil:
		t.Diagnosis = WrongEnvironment
		other := otherEnv(s.ep.Env)
		t.Summary = "The token belongs to Gandi's " + string(other) + " environment, but gandi-mcp talks to " + string(s.ep.Env) + "."
		t.LikelyCauses = []string{"A sandbox token used against production, or the reverse."}
		flag, run := " --sandbox", "Run gandi-mcp with --sandbox (or GANDI_SANDBOX=1)"
		if other == gandi.Production {
			flag, run = "", "Run gandi-mcp without --sandbox (and unset GANDI_SANDBOX)"
		}
		if hostedCaller(s) {
			t.NextSteps = []string{"This hosted gandi-mcp talks to Gandi's " + string(s.ep.Env) + " environment: send a " + string(s.ep.Env) +
				" token (create it at " + pat + "), or use a deployment of gandi-mcp for " + string(other) + "."}
		} else if s.cred != nil && s.cred.Source == auth.SourceFile {
			// Each environment has its own token file: switching modes alone would find no token.
			t.NextSteps = []string{
				"Move the token to the " + string(other) + " token file: gandi-mcp token set" + flag + " < " + s.cred.Origin + ", then delete " + s.cred.Origin + ".",
				run + " to use it; or keep this mode and store a " + string(s.ep.Env) + " token (create it at " + pat + ").",
			}
		} else {
			t.NextSteps = []string{run + " to use this token, or put a " + string(s.ep.Env) + " token in " + originOf(s) + " (create it at " + pat + ")."}
		}
	case s.info == nil && s.expiredAt != nil:
		t.Diagnosis = TokenExpired
		t.Summary = "The token from " + originOf(s) + " expired on " + s.expiredAt.Format("2006-01-02") + "."
		t.LikelyCauses = []string{"PATs live 7 days to 1 year and cannot be renewed once expired."}
		t.NextSteps = []string{"Create a new PAT at " + pat + " and store it with `gandi-mcp token set" + sandboxFlag(s.ep) + "`.", "Next time, renew before expiry with renew_token."}
		if hostedCaller(s) {
			t.NextSteps = []string{"Create a new PAT at " + pat + " and " + hostedStore + ".",
				"Next time, renew it before it expires: from your own machine (gandi-mcp renew_token with the token stored there) or in Gandi's admin."}
		}
	case s.info == nil:
		t.Diagnosis = TokenRejected
		t.Summary = "Gandi does not accept " + source + " (" + fmt.Sprint(ge.Status) + ")."
		causes := []string{"The token expired (PATs live 7 days to 1 year).", "The token was revoked or deleted in Gandi's admin.", "The stored value is incomplete or mistyped."}
		if ge.Status == 403 {
			causes = []string{"The token is unknown to Gandi: revoked, deleted or mistyped.", "The token expired.", "It was created in the other environment (production vs sandbox)."}
		}
		if s.cred != nil && s.cred.Kind == auth.KindPAT && looksLikeAPIKey(s.cred.Secret()) {
			t.Diagnosis = WrongScheme
			t.Summary = "The value in " + s.cred.Origin + " looks like a legacy API key, but it was sent as a Personal Access Token and refused."
			causes = append([]string{"A legacy API key was stored where a PAT is expected."}, causes...)
		}
		t.LikelyCauses = causes
		t.NextSteps = []string{
			"Open " + pat + " and check that the token exists and has not expired.",
			"If it is gone or expired, create a new one and store it with `gandi-mcp token set" + sandboxFlag(s.ep) + "`.",
			"Call verify_token to confirm.",
		}
		if hostedCaller(s) {
			t.NextSteps[1] = "If it is gone or expired, create a new one and " + hostedStore + "."
		}
	case len(s.scopes) > 0 && len(missing(s.scopes, s.info.Scope)) > 0:
		need := missing(s.scopes, s.info.Scope)
		t.Diagnosis = MissingScope
		t.RequiredScopes = need
		t.Summary = "The token " + quoted(s.info.PATName) + " is valid but lacks the scope " + strings.Join(need, ", ") + " that this operation needs."
		t.LikelyCauses = []string{"The PAT was created with fewer permissions than this operation needs."}
		t.NextSteps = []string{
			"Create a new PAT at " + pat + " with the scope " + strings.Join(need, ", ") + " (a PAT's scopes cannot be changed after creation).",
			"Store it with `gandi-mcp token set" + sandboxFlag(s.ep) + "` and call verify_token.",
		}
		if hostedCaller(s) {
			t.NextSteps[1] = "Then " + hostedStore + ", and call verify_token."
		}
	case !wholeOrganization(s.info.Entities):
		t.Diagnosis = ResourceNotInScope
		what := "this resource"
		if s.target != "" {
			what = s.target
		}
		t.Summary = "The token " + quoted(s.info.PATName) + " is limited to some products, and " + what + " is not among them."
		t.LikelyCauses = []string{"The PAT was created for a list of products rather than the whole organization."}
		t.NextSteps = []string{"Create a PAT at " + pat + " for the whole organization, or one whose resources include " + what + "."}
	default:
		t.Diagnosis = AccessDenied
		t.Summary = "Gandi refused " + ge.Method + " " + ge.Path + " although the token " + quoted(s.info.PATName) + " has the needed scopes."
		t.LikelyCauses = []string{"Your user's rights in the organization do not allow it (ask its owner).", "The object belongs to another organization."}
		t.NextSteps = []string{"Check your rights in the organization in Gandi's admin, or ask its owner."}
	}
	if t.Diagnosis == MissingScope || t.Diagnosis == ResourceNotInScope || t.Diagnosis == AccessDenied {
		t.Token = s.facts()
	}
}

func originOf(s situation) string {
	if s.cred == nil {
		return "the environment"
	}
	return s.cred.Origin
}

func quoted(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return fmt.Sprintf("%q", name)
}

func missing(need, have []string) []string {
	var out []string
	for _, n := range need {
		if !slices.Contains(have, n) {
			out = append(out, n)
		}
	}
	return out
}

func wholeOrganization(es []gandi.Entity) bool {
	if len(es) == 0 {
		return true
	}
	for _, e := range es {
		if e.Type == "organization" {
			return true
		}
	}
	return false
}

// looksLikePAT and looksLikeAPIKey are hints only: Gandi documents neither format.
func looksLikePAT(v string) bool { return strings.HasPrefix(v, "pat_") }

func looksLikeAPIKey(v string) bool {
	if len(v) != 24 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// text sums troubleshooting up in plain words for clients that show only text.
func (t Troubleshooting) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s]", t.Summary, t.Diagnosis)
	if len(t.LikelyCauses) > 0 {
		b.WriteString("\nLikely causes:")
		for _, c := range t.LikelyCauses {
			b.WriteString("\n- " + c)
		}
	}
	if len(t.NextSteps) > 0 {
		b.WriteString("\nNext steps:")
		for i, s := range t.NextSteps {
			fmt.Fprintf(&b, "\n%d. %s", i+1, s)
		}
	}
	return b.String()
}
