package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// RenewTokenInput says how to renew; every field is optional.
type RenewTokenInput struct {
	Name      string `json:"name,omitempty" jsonschema:"minLength=1,maxLength=128" jsonschema_description:"New name for the renewed token: 1 to 128 printable characters (a label, never a secret). Omit it to keep the current name."`
	ExpiresAt string `json:"expires_at,omitempty" jsonschema:"format=date-time" jsonschema_description:"When the new token expires: an RFC 3339 date-time (e.g. 2026-12-31T00:00:00Z) between one day and one year from now. Gandi's admin offers 7, 30, 60, 90 days or 1 year. Omit it to keep the current token's lifetime."`
	DryRun    bool   `json:"dry_run,omitempty" jsonschema_description:"Only report what would happen: which token, where the new one would be stored and whether that place is writable, the current expiry, and the request that would be sent. Nothing is changed, at Gandi or on disk."`
}

// Bounds on renew_token's input. Gandi documents neither the name's limits nor a minimum
// lifetime: a name is kept to a label, and a token living less than a day would be stored
// in place of one that lives longer, which is never what a person renewing wants.
const (
	maxTokenNameLen  = 128
	minTokenLifetime = 24 * time.Hour
)

func (in *RenewTokenInput) validate() error {
	if in.Name != "" {
		name := strings.TrimSpace(in.Name)
		switch {
		case name == "":
			return invalidInput("name is blank; omit it to keep the current name")
		case utf8.RuneCountInString(name) > maxTokenNameLen:
			return invalidInput(fmt.Sprintf("name is %d characters long; it must be at most %d", utf8.RuneCountInString(name), maxTokenNameLen))
		case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
			return invalidInput("name contains a line break, a tab or another control character; use letters, digits, punctuation and spaces")
		case looksLikePAT(name) && len(name) >= 20 && !strings.ContainsRune(name, ' '):
			return invalidInput(`name looks like a token (it starts with "pat_"); a name is a label such as "ci-bot 2026", never a secret`)
		}
	}
	if in.ExpiresAt != "" {
		if _, err := time.Parse(time.RFC3339, in.ExpiresAt); err != nil {
			return invalidInput("expires_at must be an RFC 3339 date-time with a time zone, such as 2026-12-31T00:00:00Z")
		}
	}
	return nil
}

// renewRequest is the request Gandi gets; expires_at is checked against now here,
// since validate has no clock.
func (in RenewTokenInput) renewRequest(now time.Time) (gandi.RenewRequest, error) {
	req := gandi.RenewRequest{Name: strings.TrimSpace(in.Name)}
	if in.ExpiresAt == "" {
		return req, nil
	}
	t, err := time.Parse(time.RFC3339, in.ExpiresAt)
	if err != nil {
		return req, invalidInput("expires_at must be an RFC 3339 date-time with a time zone, such as 2026-12-31T00:00:00Z")
	}
	earliest, latest := now.Add(minTokenLifetime), now.AddDate(1, 0, 0)
	allowed := fmt.Sprintf("it must be between one day and one year from now (%s to %s); Gandi's admin offers 7, 30, 60, 90 days or 1 year; omit expires_at to keep the current token's lifetime",
		earliest.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339))
	switch {
	case !t.After(now):
		return req, invalidInput("expires_at is in the past: " + allowed)
	case t.Before(earliest):
		return req, invalidInput("expires_at is less than a day away: " + allowed)
	case t.After(latest):
		return req, invalidInput("expires_at is more than one year ahead: " + allowed)
	}
	t = t.UTC()
	req.ExpiresAt = &t
	return req, nil
}

// RenewTokenOutput is the renewed token (never its secret) and where it went.
type RenewTokenOutput struct {
	Renewed           *bool          `json:"renewed,omitempty" jsonschema_description:"Whether Gandi issued a new token. false in a dry run; absent when the call failed before asking Gandi."`
	DryRun            bool           `json:"dry_run,omitempty" jsonschema_description:"True when nothing was renewed because dry_run was asked."`
	ID                string         `json:"id,omitempty" jsonschema_description:"The new token's id, as Gandi's admin lists it."`
	Name              string         `json:"name,omitempty" jsonschema_description:"The new token's name (in a dry run, the name it would have)."`
	ExpiresAt         *time.Time     `json:"expires_at,omitempty" jsonschema_description:"When the new token expires."`
	DaysLeft          *int           `json:"days_left,omitempty" jsonschema_description:"Whole days until the new token expires."`
	Scopes            []string       `json:"scopes,omitempty" jsonschema_description:"What the new token may do; a renewal keeps the current token's scopes."`
	Resources         *Resources     `json:"resources,omitempty" jsonschema_description:"What the new token may act on; a renewal keeps the current token's resources."`
	Source            string         `json:"source,omitempty" jsonschema_description:"Where the renewed (previous) token was read: a variable's name or a file's path."`
	Profile           string         `json:"profile,omitempty" jsonschema_description:"The profile whose token file receives the new token; absent for the default file."`
	PreviousName      string         `json:"previous_name,omitempty" jsonschema_description:"The previous token's name."`
	PreviousExpiresAt *time.Time     `json:"previous_expires_at,omitempty" jsonschema_description:"When the previous token expires (in a dry run, the current token); it may keep working until then."`
	StoredAt          string         `json:"stored_at,omitempty" jsonschema_description:"The file now holding the new token (mode 0600); never the token itself."`
	WouldStoreAt      string         `json:"would_store_at,omitempty" jsonschema_description:"Dry run: the file the new token would replace or create."`
	Writable          *bool          `json:"writable,omitempty" jsonschema_description:"Dry run: whether gandi-mcp can write that file."`
	WouldSend         *RenewPreview  `json:"would_send,omitempty" jsonschema_description:"Dry run: the renewal request that would be sent."`
	NextSteps         []string       `json:"next_steps,omitempty" jsonschema_description:"What to do now, in order."`
	Warnings          []auth.Warning `json:"warnings,omitempty"`
	Common
}

// RenewPreview is the renewal request a dry run would send; the token goes in the
// Authorization header, never here.
type RenewPreview struct {
	Method    string     `json:"method"`
	URL       string     `json:"url"`
	Name      string     `json:"name,omitempty" jsonschema_description:"The new name; absent: Gandi keeps the current one."`
	ExpiresAt *time.Time `json:"expires_at,omitempty" jsonschema_description:"The new expiry; absent: Gandi keeps the current token's lifetime."`
}

// RenewToken is the renew_token tool.
func RenewToken(d *Deps) Tool {
	return define[RenewTokenInput, RenewTokenOutput](d, spec{
		name:  "renew_token",
		title: "Renew the Gandi token",
		description: "Renews the Personal Access Token gandi-mcp uses, before it expires: Gandi issues a new token with " +
			"the same scopes and resources, gandi-mcp checks it, then stores it where the current one was read from " +
			"(atomically, mode 0600). The secret never appears in the result. A token from GANDI_API_TOKEN is renewed " +
			"into the token file and the result says how to update the variable. Call it with dry_run first to see " +
			"which token would be renewed, where the new one would go and whether that place is writable. Optional: " +
			"a new name, and expires_at (one day to one year ahead). The previous token may keep working until its own expiry.",
		profile: rotateProfile,
		// Gandi documents no scope for renewal: a PAT renews itself, whatever its scopes.
		scopes: nil,
	}, func(ctx context.Context, in RenewTokenInput) (*RenewTokenOutput, error) {
		return renewToken(ctx, d, in)
	})
}

// The steps of a rotation, in order, as Deps.BeforeRenewStep names them.
const (
	stepCheckWritable = "check_writable" // CheckWritable on the token file
	stepLock          = "lock"           // taking the renewal lock
	stepTokenInfo     = "tokeninfo"      // GET /tokeninfo with the current token
	stepReserve       = "reserve"        // auth.Reserve: room on disk for the new token
	stepRenew         = "renew"          // POST /v5/organization/access-tokens
	stepCheckNew      = "check_new"      // GET /tokeninfo with the new token
	stepStore         = "store"          // the reserved file renamed over the token file
	stepStoreNew      = "store_new"      // the reserved spare renamed to the .new file beside it
)

// defaultLockWait bounds how long a renewal waits for another one; a renewal is three
// requests, so a longer wait means the other one is stuck.
const defaultLockWait = 10 * time.Second

func (d *Deps) step(ctx context.Context, name string) error {
	if d.BeforeRenewStep == nil {
		return nil
	}
	return d.BeforeRenewStep(ctx, name)
}

func (d *Deps) lockWait() time.Duration {
	if d.RenewLockWait > 0 {
		return d.RenewLockWait
	}
	return defaultLockWait
}

// rotation is one renewal: the credential in use, where the new token goes, and the
// output as it fills.
type rotation struct {
	d    *Deps
	s    *session
	req  gandi.RenewRequest
	path string // the token file the new token replaces or creates
	// before is what the token file held when this call looked, before the lock; a
	// different content after the lock means another renewal ran meanwhile.
	before string
	// room is the disk space taken, before the request, for the new token.
	room *auth.Reservation
	out  *RenewTokenOutput
}

func renewToken(ctx context.Context, d *Deps, in RenewTokenInput) (*RenewTokenOutput, error) {
	req, err := in.renewRequest(d.now())
	if err != nil {
		return nil, err
	}
	s, err := d.openShowingWarnings(ctx)
	if err != nil {
		return nil, err
	}
	out, err := renewWith(ctx, d, in, req, s)
	if out == nil && err != nil {
		// A failure still shows the credential's warnings: they are not logged.
		out = &RenewTokenOutput{Source: s.cred.Origin, Warnings: s.cred.Warnings}
	}
	return out, err
}

func renewWith(ctx context.Context, d *Deps, in RenewTokenInput, req gandi.RenewRequest, s *session) (*RenewTokenOutput, error) {
	if s.cred.Kind != auth.KindPAT {
		return nil, &Failure{T: legacyKeyRenewal(s.cred, d.Endpoints)}
	}
	if req.Name != "" && strings.Contains(req.Name, s.cred.Secret()) {
		return nil, invalidInput("name contains the token itself; a name is a label, never a secret")
	}
	r := &rotation{d: d, s: s, req: req, out: &RenewTokenOutput{Source: s.cred.Origin, Profile: d.Auth.Profile, Warnings: s.cred.Warnings}}
	r.path = s.cred.Origin
	if s.cred.Source != auth.SourceFile {
		r.path = auth.WritePath(d.Auth)
	}
	// The secrets are scrubbed from whatever comes out by define, as from every tool's result.
	switch {
	case r.path == "":
		return nil, &Failure{T: r.storeTrouble(errors.New("neither the XDG configuration directory nor the home directory is known, so there is no token file to write"))}
	case in.DryRun:
		return r.dryRun(ctx)
	default:
		return r.run(ctx)
	}
}

// run is the rotation: every local check before the one request that changes anything,
// then the new token checked and stored, never lost.
func (r *rotation) run(ctx context.Context) (*RenewTokenOutput, error) {
	if err := r.checkWritable(ctx); err != nil {
		return nil, &Failure{T: r.storeTrouble(err)}
	}
	if t := r.checkHeld(); t != nil {
		return nil, &Failure{T: *t}
	}
	unlock, err := r.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := r.replacedMeanwhile(); err != nil {
		return nil, err
	}
	r.d.progress(ctx, 1, 4, "Checking the current token")
	info, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, &Failure{T: diagnose(context.Canceled, situation{cred: r.s.cred, ep: r.d.Endpoints})}
	}
	// A full disk must strike now, when nothing has been asked of Gandi, not once it issued a token.
	err = r.d.step(ctx, stepReserve)
	if err == nil {
		r.room, err = auth.Reserve(r.path)
	}
	if err != nil {
		return nil, &Failure{T: r.reserveTrouble(err)}
	}
	defer r.room.Release()

	// From the request on, the rotation runs to its end even if the call is cancelled:
	// a token Gandi issues must be stored.
	end, ok := r.d.Rotations.begin()
	if !ok {
		t := diagnose(context.Canceled, situation{cred: r.s.cred, ep: r.d.Endpoints})
		t.Summary = "gandi-mcp is shutting down, so no renewal was asked of Gandi: nothing changed."
		return nil, &Failure{T: t}
	}
	defer end()
	bg := context.WithoutCancel(ctx)
	r.d.progress(ctx, 2, 4, "Asking Gandi for a new token")
	err = r.d.step(ctx, stepRenew)
	var rt *gandi.RenewedToken
	if err == nil {
		rt, err = r.s.client.RenewToken(bg, r.req)
	}
	if err != nil {
		return nil, r.renewFailed(bg, err, info)
	}
	secret := rt.AccessToken.Reveal()
	r.d.secrets.hold(secret)
	r.d.logger().InfoContext(ctx, "Gandi issued a renewed token", "id", rt.ID, "name", rt.Name)
	r.describe(rt)

	r.d.progress(ctx, 3, 4, "Checking the new token")
	if err := r.checkNew(bg, secret); err != nil {
		return r.keepBeside(ctx, rt, RenewedTokenInvalid, err)
	}
	r.d.progress(ctx, 4, 4, "Storing the new token")
	err = r.d.step(bg, stepStore)
	if err == nil {
		err = r.room.Store(secret)
	}
	if err != nil {
		return r.keepBeside(ctx, rt, TokenStoreFailed, err)
	}
	r.d.logger().InfoContext(ctx, "renewed token stored", "id", rt.ID, "path", r.path)
	r.out.StoredAt = r.path
	r.out.NextSteps = r.successSteps()
	return r.out, nil
}

// dryRun reports what run would do, stopping before the renewal request; a local
// problem run would stop at is reported as troubleshooting in a normal result.
func (r *rotation) dryRun(ctx context.Context) (*RenewTokenOutput, error) {
	out := r.out
	out.Renewed, out.DryRun, out.WouldStoreAt = new(bool), true, r.path
	werr := r.checkWritable(ctx)
	writable := werr == nil
	out.Writable = &writable
	var problem *Troubleshooting
	if werr != nil {
		t := r.storeTrouble(werr)
		problem = &t
	} else {
		problem = r.checkHeld()
	}
	if problem == nil {
		// Only a probe: released at once, so that a dry run never holds the lock while it asks Gandi.
		unlock, t := r.renewalRunning()
		unlock()
		problem = t
	}
	info, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	out.Name = r.req.Name
	if out.Name == "" {
		out.Name = info.PATName
	}
	out.Scopes = info.Scope
	out.Resources = &Resources{WholeOrganization: wholeOrganization(info.Entities), Entities: info.Entities}
	out.WouldSend = &RenewPreview{Method: "POST", URL: strings.TrimRight(r.d.Endpoints.APIURL, "/") + "/v5/organization/access-tokens",
		Name: r.req.Name, ExpiresAt: r.req.ExpiresAt}
	if problem != nil {
		out.Troubleshooting = problem
		out.NextSteps = problem.NextSteps
		return out, nil
	}
	out.NextSteps = []string{
		"Call renew_token again without dry_run to renew: the new token will be stored in " + r.path + ".",
	}
	if r.s.cred.Source == auth.SourceEnv {
		out.NextSteps = append(out.NextSteps, "GANDI_API_TOKEN itself cannot be changed by gandi-mcp: after the renewal, update it (or your CI secret) from "+r.path+".")
	}
	return out, nil
}

func (r *rotation) checkWritable(ctx context.Context) error {
	if err := r.d.step(ctx, stepCheckWritable); err != nil {
		return err
	}
	return auth.CheckWritable(r.path)
}

// checkHeld reads what the token file holds. A file that a token from GANDI_API_TOKEN
// would be written over must hold nothing or that same token: anything else may be the
// only copy of another token (often the one a previous renewal stored there).
func (r *rotation) checkHeld() *Troubleshooting {
	held, err := peekToken(r.path)
	if err != nil {
		t := r.storeTrouble(err)
		return &t
	}
	r.before = held
	if r.s.cred.Source != auth.SourceEnv || held == "" || held == r.s.cred.Secret() {
		return nil
	}
	return &Troubleshooting{
		Diagnosis: TokenStoreFailed,
		Summary: "Gandi was not asked to renew the token from GANDI_API_TOKEN: its new token would go to " + r.path +
			", which already holds a different token, and writing over it could lose that one.",
		LikelyCauses: []string{
			"A previous renewal stored its new token in " + r.path + " and GANDI_API_TOKEN was not updated from it.",
			"That file holds another token of yours, used when GANDI_API_TOKEN is unset.",
		},
		NextSteps: []string{
			"If a previous renewal stored it there, update GANDI_API_TOKEN (or your CI secret) from that file, e.g. " + exportCommand(r.path) + ", or unset GANDI_API_TOKEN so that gandi-mcp reads the file; then call verify_token.",
			"Otherwise move that file elsewhere (it may hold a token you need), then call renew_token again.",
		},
		Token:       r.facts(),
		Environment: string(r.d.Endpoints.Env),
	}
}

// peekToken returns the trimmed content of the token file at path, "" when there is none.
func peekToken(path string) (string, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("cannot read %s: %w", path, err)
	case !info.Mode().IsRegular():
		return "", fmt.Errorf("cannot read %s: it is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, err)
	}
	return strings.TrimSpace(string(data)), nil
}

// lock takes the renewal lock, waiting a bounded time for another renewal to finish.
func (r *rotation) lock(ctx context.Context) (unlock func(), err error) {
	err = r.d.step(ctx, stepLock)
	if err == nil {
		lctx, cancel := context.WithTimeout(ctx, r.d.lockWait())
		unlock, err = auth.Lock(lctx, r.path)
		cancel()
	}
	switch {
	case err == nil:
		return unlock, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		t := r.inProgress(fmt.Sprintf("Another renewal of the token in %s outlasted this call's time limit (%s), so this call asked Gandi for nothing.", r.path, callLimit(ctx)))
		t.Retryable = true
		return nil, &Failure{T: t}
	case ctx.Err() != nil:
		return nil, &Failure{T: diagnose(context.Canceled, situation{cred: r.s.cred, ep: r.d.Endpoints})}
	case errors.Is(err, auth.ErrLocked):
		t := r.inProgress(fmt.Sprintf("Another renewal of the token in %s has been running for over %s, so this call asked Gandi for nothing.", r.path, r.d.lockWait().Round(time.Second)))
		t.Retryable = true
		return nil, &Failure{T: t}
	default:
		return nil, &Failure{T: r.storeTrouble(err)}
	}
}

// renewalRunning is the dry run's look at the lock, without waiting and without creating
// anything: the lock file exists once a renewal has run.
func (r *rotation) renewalRunning() (unlock func(), t *Troubleshooting) {
	if _, err := os.Stat(auth.LockPath(r.path)); err != nil {
		return func() {}, nil
	}
	unlock, err := auth.TryLock(r.path)
	if errors.Is(err, auth.ErrLocked) {
		t := r.inProgress("Another renewal of the token in " + r.path + " is running now; a renewal now would wait for it, then ask Gandi for nothing.")
		return func() {}, &t
	}
	if err != nil {
		return func() {}, nil // the real run reports it; a dry run changes nothing
	}
	return unlock, nil
}

// replacedMeanwhile stops a renewal whose token file changed after this call read it:
// another renewal replaced the token, and renewing the old one again would be stale.
func (r *rotation) replacedMeanwhile() error {
	held, err := peekToken(r.path)
	if err != nil {
		return &Failure{T: r.storeTrouble(err)}
	}
	want := r.before
	if r.s.cred.Source == auth.SourceFile {
		want = r.s.cred.Secret()
	}
	if held == want {
		return nil
	}
	t := r.inProgress("Another renewal replaced the token in " + r.path + " while this call waited, so this call asked Gandi for nothing: it would have renewed a token that is no longer the current one.")
	if r.s.cred.Source == auth.SourceEnv {
		t.NextSteps = append([]string{"Update GANDI_API_TOKEN (or your CI secret) from " + r.path + ", e.g. " + exportCommand(r.path) + "."}, t.NextSteps...)
	}
	return &Failure{T: t}
}

func (r *rotation) inProgress(summary string) Troubleshooting {
	return Troubleshooting{
		Diagnosis:    RenewalInProgress,
		Summary:      summary,
		LikelyCauses: []string{"Two assistants, or two gandi-mcp processes, renewed the same token at the same time."},
		NextSteps: []string{
			"Call verify_token to see the token in use and its expiry.",
			"Call renew_token again only if that token still needs renewing.",
		},
		Token:       r.facts(),
		Environment: string(r.d.Endpoints.Env),
	}
}

// current asks /tokeninfo about the token in use: the renewal's "previous" side.
func (r *rotation) current(ctx context.Context) (*gandi.TokenInfo, error) {
	err := r.d.step(ctx, stepTokenInfo)
	var info *gandi.TokenInfo
	if err == nil {
		info, err = r.s.tokenInfo(ctx)
	}
	if err != nil {
		return nil, r.s.fail(ctx, err, nil, "")
	}
	exp := r.d.expiry(info)
	if !info.ExpiryKnown() {
		r.out.PreviousName = info.PATName
		return info, nil
	}
	if info.ExpiresIn <= 0 {
		t := diagnose(&gandi.Error{Status: 401, Method: "GET", Path: "/tokeninfo"}, situation{cred: r.s.cred, ep: r.d.Endpoints, expiredAt: &exp})
		t.Status = 0
		return nil, &Failure{T: t}
	}
	r.out.PreviousName = info.PATName
	r.out.PreviousExpiresAt = &exp
	return info, nil
}

// renewFailed diagnoses a failed renewal request, saying when a token may have been
// issued all the same (the answer was lost, or unreadable).
func (r *rotation) renewFailed(ctx context.Context, err error, info *gandi.TokenInfo) error {
	f := r.s.fail(ctx, err, nil, "").(*Failure)
	t := &f.T
	pat := r.d.Endpoints.PATPageURL()
	unchanged := "The previous token is unchanged in " + r.path + " and keeps working until " + r.out.PreviousExpiresAt.Format("2006-01-02") + "."
	var ge *gandi.Error
	var te *gandi.TransportError
	switch {
	case errors.As(err, &te) || errors.Is(err, gandi.ErrBadResponse) || errors.Is(err, gandi.ErrBodyTooLarge):
		t.Retryable = false
		t.Summary += " Gandi may have issued a new token all the same: its answer was lost, so its secret never reached gandi-mcp."
		t.NextSteps = []string{
			"Open " + pat + ": if a token named " + quoted(renamed(r.req.Name, info.PATName)) + " was created just now besides the current one, delete it (nobody has its secret).",
			unchanged,
			"Then call renew_token again.",
		}
	case errors.As(err, &ge) && ge.Status >= 500:
		t.NextSteps = append(t.NextSteps, unchanged, "Before calling renew_token again, check "+pat+" for a token created just now (a failed renewal should not have issued one), and delete it if so.")
	case errors.As(err, &ge) && (ge.Status == 401 || ge.Status == 403) && r.s.info != nil:
		t.Diagnosis = AccessDenied
		t.Summary = fmt.Sprintf("Gandi refused to renew the token %s (%d), although it accepts the token otherwise.", quoted(info.PATName), ge.Status)
		t.LikelyCauses = []string{
			"Gandi may refuse a renewal long before the token's expiry (reported, not documented).",
			"Your user's rights in the organization may not allow managing tokens.",
			"A token limited to some products may not be allowed to renew itself.",
		}
		t.NextSteps = []string{
			unchanged,
			"Renew it closer to its expiry, or create a new PAT at " + pat + " and store it with `gandi-mcp token set" + sandboxFlag(r.d.Endpoints) + "`.",
		}
	}
	return f
}

// renamed is the name the new token gets: the requested one, or the current one.
func renamed(requested, current string) string {
	if requested != "" {
		return requested
	}
	return current
}

// describe fills the output with what Gandi says of the new token.
func (r *rotation) describe(rt *gandi.RenewedToken) {
	out := r.out
	out.Renewed = new(bool)
	*out.Renewed = true
	out.ID, out.Name, out.Scopes = rt.ID, rt.Name, rt.Scopes
	out.Resources = &Resources{WholeOrganization: wholeOrganization(rt.Entities), Entities: rt.Entities}
	if !rt.ExpiresAt.IsZero() {
		exp := rt.ExpiresAt.UTC()
		days := daysLeft(r.d.now(), exp)
		out.ExpiresAt, out.DaysLeft = &exp, &days
	}
}

// checkNew asks /tokeninfo about the new token before it replaces the old one.
func (r *rotation) checkNew(ctx context.Context, secret string) error {
	if err := r.d.step(ctx, stepCheckNew); err != nil {
		return err
	}
	info, err := r.s.client.WithToken(gandi.SchemeBearer, secret).TokenInfo(ctx)
	if err != nil {
		return err
	}
	if info.ExpiryKnown() && info.ExpiresIn <= 0 {
		return errors.New("the new token has already expired, by Gandi's /tokeninfo")
	}
	if r.out.ExpiresAt == nil && info.ExpiryKnown() {
		exp := r.d.expiry(info)
		days := daysLeft(r.d.now(), exp)
		r.out.ExpiresAt, r.out.DaysLeft = &exp, &days
	}
	if len(r.out.Scopes) == 0 && len(r.out.Resources.Entities) == 0 {
		r.out.Scopes = info.Scope
		r.out.Resources = &Resources{WholeOrganization: wholeOrganization(info.Entities), Entities: info.Entities}
	}
	return nil
}

// keepBeside stores the new token next to the old file when it cannot replace it (its
// check failed, or the file could not be written), so that an issued token is never lost.
func (r *rotation) keepBeside(ctx context.Context, rt *gandi.RenewedToken, diag Diagnosis, cause error) (*RenewTokenOutput, error) {
	spare := sparePath(r.path, rt.ID)
	err := r.d.step(context.WithoutCancel(ctx), stepStoreNew)
	if err == nil {
		err = r.room.StoreSpare(spare, rt.AccessToken.Reveal())
	}
	if err != nil {
		first := "Replacing " + r.path + " failed: " + cause.Error() + "."
		if diag == RenewedTokenInvalid {
			first = "The check of the new token failed: " + cause.Error() + "."
		}
		return r.lost(ctx, rt, first, "Writing it to "+spare+" failed too: "+err.Error()+".")
	}
	r.d.logger().WarnContext(ctx, "renewed token kept beside the token file", "id", rt.ID, "path", spare, "diagnosis", diag)
	r.out.StoredAt = spare
	t := Troubleshooting{
		Diagnosis:   diag,
		Token:       r.facts(),
		Environment: string(r.d.Endpoints.Env),
		Docs:        []string{docsAuth},
	}
	var ge *gandi.Error
	if errors.As(cause, &ge) {
		t.Status = ge.Status
	}
	issued := fmt.Sprintf("Gandi issued a new token (id %s, name %s)", rt.ID, quoted(rt.Name))
	move := "move it in place: mv " + shQuote(spare) + " " + shQuote(r.path)
	if diag == RenewedTokenInvalid {
		t.Summary = issued + " but it did not pass its check, so the previous token stays in " + r.path + " and the new one was saved beside it, in " + spare + "."
		t.LikelyCauses = []string{"The check of the new token failed: " + cause.Error() + ".", "Gandi may take a moment before a new token is usable."}
		t.NextSteps = []string{
			"Call verify_token: gandi-mcp still uses the previous token.",
			"Check the new token in Gandi's admin (" + r.d.Endpoints.PATPageURL() + ", id " + rt.ID + "); if it is listed and valid, " + move + ", then call verify_token.",
			"If you do not want it, delete it there and remove " + spare + ".",
		}
	} else {
		t.Summary = issued + " and checked it, but " + r.path + " could not be replaced, so the new token was saved beside it, in " + spare + "; the previous token is unchanged."
		t.LikelyCauses = []string{"Replacing " + r.path + " failed: " + cause.Error() + "."}
		t.NextSteps = []string{
			"Fix what the message above says, then " + move + ".",
			"Call verify_token to confirm the token in use.",
		}
	}
	if r.s.cred.Source == auth.SourceEnv {
		t.NextSteps = append(t.NextSteps, "GANDI_API_TOKEN still holds the previous token: once the new one is in "+r.path+", update the variable (or your CI secret) from it.")
	}
	return r.out, &Failure{T: t}
}

// lost is the last resort: a token was issued and could be stored nowhere. The result
// names it so that the person can delete it; its secret is gone.
func (r *rotation) lost(ctx context.Context, rt *gandi.RenewedToken, causes ...string) (*RenewTokenOutput, error) {
	r.d.logger().ErrorContext(ctx, "renewed token could not be stored anywhere", "id", rt.ID, "name", rt.Name)
	r.out.StoredAt = ""
	expiry := "its expiry"
	if r.out.PreviousExpiresAt != nil {
		expiry = r.out.PreviousExpiresAt.Format("2006-01-02")
	}
	return r.out, &Failure{T: Troubleshooting{
		Diagnosis: TokenStoreFailed,
		Summary: fmt.Sprintf("Gandi issued a new token (id %s, name %s) but gandi-mcp could not store it anywhere, so its secret is lost; the previous token is unchanged in %s.",
			rt.ID, quoted(rt.Name), r.path),
		LikelyCauses: causes,
		NextSteps: []string{
			"Delete the new token (id " + rt.ID + ", name " + quoted(rt.Name) + ") in Gandi's admin: " + r.d.Endpoints.PATPageURL() + ". Gandi shows a token's secret only once, so it cannot be recovered, and nobody holds it.",
			"The previous token keeps working until " + expiry + ": fix the problem above, then call renew_token again.",
		},
		Token:       r.facts(),
		Environment: string(r.d.Endpoints.Env),
		Docs:        []string{docsAuth},
	}}
}

// sparePath is where a new token goes when it cannot replace the old one: api_token.new,
// or, when one is already there (perhaps the only copy of another token), a name
// carrying the new token's id.
func sparePath(path, id string) string {
	p := path + ".new"
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		suffix := strings.Map(func(r rune) rune {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return r
			}
			return -1
		}, id)
		if suffix == "" {
			suffix = time.Now().UTC().Format("20060102T150405Z")
		}
		p += "-" + suffix
	}
	return p
}

// successSteps tells what to do once the new token is in place.
func (r *rotation) successSteps() []string {
	prev := quoted(r.out.PreviousName) + ", valid until " + r.out.PreviousExpiresAt.Format("2006-01-02")
	remove := "Once nothing uses the previous token (" + prev + "), you may delete it in Gandi's admin: " + r.d.Endpoints.PATPageURL() + "."
	if r.s.cred.Source != auth.SourceEnv {
		return []string{
			"The new token replaced the previous one in " + r.path + "; gandi-mcp uses it from the next call. Call verify_token to check it.",
			remove,
		}
	}
	return []string{
		"The new token is in " + r.path + ". gandi-mcp cannot change GANDI_API_TOKEN, which still holds the previous token (" + prev + ").",
		"Update GANDI_API_TOKEN, or the CI secret that sets it, from that file, e.g. " + exportCommand(r.path) +
			"; or unset GANDI_API_TOKEN so that gandi-mcp reads the file, and later renewals replace it in place.",
		"Then restart the assistant and call verify_token. " + remove,
	}
}

// storeTrouble explains why the new token cannot be stored, before anything is asked of Gandi.
func (r *rotation) storeTrouble(err error) Troubleshooting {
	t := Troubleshooting{
		Diagnosis:   TokenStoreFailed,
		Summary:     "Gandi was not asked to renew the token, because the new one could not be stored: " + err.Error() + ".",
		Token:       r.facts(),
		Environment: string(r.d.Endpoints.Env),
	}
	dir := filepath.Dir(r.path)
	if r.s.cred.Source == auth.SourceEnv {
		t.LikelyCauses = []string{"A token from GANDI_API_TOKEN is renewed into the token file " + r.path + " (under XDG_CONFIG_HOME), and that place cannot be written."}
		t.NextSteps = []string{
			"Make " + dir + " a directory the user running gandi-mcp can write (or set XDG_CONFIG_HOME to one), then call renew_token again.",
		}
	} else {
		t.LikelyCauses = []string{"The renewed token replaces " + r.path + " in place, through a temporary file in " + dir + ", which cannot be written."}
		t.NextSteps = []string{
			"Make " + dir + " writable by the user running gandi-mcp (the token file itself stays 0600), then call renew_token again.",
		}
	}
	t.NextSteps = append(t.NextSteps, "Call renew_token with dry_run to check where the token would go and whether it is writable.")
	return t
}

// reserveTrouble explains that the room for the new token could not be taken, so that
// nothing was asked of Gandi.
func (r *rotation) reserveTrouble(err error) Troubleshooting {
	t := r.storeTrouble(err)
	t.Summary = "Gandi was not asked to renew the token: gandi-mcp reserves room on disk for the new token before asking, and that failed: " + err.Error() + ". The previous token is unchanged in " + r.path + "."
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		dir := filepath.Dir(r.path)
		t.LikelyCauses = []string{"The disk (or your quota) holding " + dir + " is full."}
		t.NextSteps = append([]string{"Free some space where " + dir + " is, then call renew_token again."}, t.NextSteps[len(t.NextSteps)-1:]...)
	}
	return t
}

// legacyKeyRenewal explains that only a PAT can be renewed, and how to move to one.
func legacyKeyRenewal(c *auth.Credential, ep gandi.Endpoints) Troubleshooting {
	return Troubleshooting{
		Diagnosis: LegacyKeyRejected,
		Summary:   "Only a Personal Access Token can be renewed, and the credential in " + c.Origin + " is a legacy API key, which Gandi has deprecated and never renews; nothing was sent.",
		LikelyCauses: []string{
			"No PAT was found (GANDI_API_TOKEN or the token file), so gandi-mcp fell back to GANDI_API_KEY.",
		},
		NextSteps: []string{
			"Create a Personal Access Token at " + ep.PATPageURL() + " " + scopeAdvice() + ".",
			"Store it with `gandi-mcp token set" + sandboxFlag(ep) + "` (it reads standard input; never paste a token into a chat), then unset GANDI_API_KEY.",
			"Call verify_token; from then on renew_token renews the PAT before it expires.",
		},
		Token:       situation{cred: c, ep: ep}.facts(),
		Environment: string(ep.Env),
		Docs:        []string{docsAuth},
	}
}

func (r *rotation) facts() *TokenFacts {
	f := situation{cred: r.s.cred, ep: r.d.Endpoints}.facts()
	f.Name = r.out.PreviousName
	f.ExpiresAt = r.out.PreviousExpiresAt
	return f
}

// exportCommand is the shell line that puts the token file's content in GANDI_API_TOKEN.
func exportCommand(path string) string {
	return `export GANDI_API_TOKEN="$(cat ` + shQuote(path) + `)"`
}

// shQuote quotes a path for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
