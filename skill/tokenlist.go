package skill

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// StoredToken is one token file, default or a profile's, and what is known of its token:
// never the token itself.
type StoredToken struct {
	// Environment is production or sandbox; Profile is "" for the default file.
	Environment, Profile string
	// Path is the token file read, or where the token would be when Missing.
	Path string
	// Missing says no file is there; Problem says why the file cannot be used.
	Missing bool
	Problem string
	// Name, ExpiresAt, DaysLeft and Organizations are as Gandi last described the token
	// (the expiry book), or as it answered just now with verify; zero when unknown.
	Name          string
	ExpiresAt     *time.Time
	DaysLeft      *int
	Organizations []string
	// Checked says Gandi was asked now (ListTokens with verify); Accepted is its verdict,
	// Verdict says it in words ("accepted", "refused: ...", "could not be checked: ...").
	Checked, Accepted bool
	Verdict           string
	// Alert says the token needs attention: refused, not checkable, or expiring within 7 days.
	Alert bool
}

// soonDays is how close an expiry must be to be reported.
const soonDays = 7

// verifyConcurrency bounds how many tokens are checked with Gandi at once.
const verifyConcurrency = 4

// ListTokens lists every token file of both environments, the default one and each
// profile's, with what the expiry book knows of its token. Nothing is sent to Gandi
// unless verify, which checks every stored token with verify_token, a few at a time.
func ListTokens(ctx context.Context, o Options, verify bool) ([]StoredToken, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	// Files only: the variables would hide them, and each environment is listed in turn.
	o.Getenv = func(name string) string {
		switch name {
		case auth.EnvToken, auth.EnvAPIKey, auth.EnvProfile, "GANDI_SANDBOX":
			return ""
		}
		return getenv(name)
	}
	o.Profile, o.newProfile = "", true
	type entry struct {
		o    Options // of the token's environment
		cred *auth.Credential
	}
	var list []StoredToken
	var entries []entry
	for _, sandbox := range []bool{false, true} {
		o.Sandbox = sandbox
		deps, err := DepsFromEnv(o)
		if err != nil {
			return nil, err
		}
		profiles, err := auth.Profiles(deps.Auth)
		if err != nil {
			return nil, err
		}
		for _, p := range append([]string{""}, profiles...) {
			a := deps.Auth
			a.Profile = p
			st, cred := storedToken(deps, a)
			list = append(list, st)
			entries = append(entries, entry{o, cred})
		}
	}
	if !verify {
		return list, nil
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, verifyConcurrency)
	for i, e := range entries {
		if e.cred == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			check(ctx, e.o, e.cred, &list[i])
		}()
	}
	wg.Wait()
	return list, nil
}

// storedToken describes the token file of a, and returns its credential when it is usable.
func storedToken(deps *tools.Deps, a auth.Options) (StoredToken, *auth.Credential) {
	st := StoredToken{Environment: string(deps.Endpoints.Env), Profile: a.Profile, Path: auth.WritePath(a), Missing: true}
	for _, p := range auth.TokenPaths(a) {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			st.Path, st.Missing = p, false
			break
		}
	}
	if st.Missing {
		return st, nil
	}
	cred, err := auth.Load(a)
	if err != nil {
		st.Problem = err.Error()
		return st, nil
	}
	if rec, ok := tools.KnownToken(deps.ExpiryFile, cred.Secret()); ok {
		st.Name, st.Organizations = rec.Name, rec.Organizations
		st.setExpiry(rec.ExpiresAt)
	}
	return st, cred
}

func (st *StoredToken) setExpiry(t time.Time) {
	days := int(math.Floor(time.Until(t).Hours() / 24))
	st.ExpiresAt, st.DaysLeft = &t, &days
	st.Alert = st.Alert || days <= soonDays
}

// check asks Gandi about the token of st, through verify_token, with deps of its own.
func check(ctx context.Context, o Options, cred *auth.Credential, st *StoredToken) {
	st.Checked, st.Alert = true, true
	deps, err := DepsFromEnv(o)
	var out *tools.VerifyTokenOutput
	if err == nil {
		out, err = checkCredential(ctx, deps, cred)
	}
	switch {
	case err != nil:
		st.Verdict = "could not be checked: " + err.Error()
		return
	case out.Troubleshooting != nil && slices.Contains(unchecked, out.Troubleshooting.Diagnosis):
		st.Verdict = "could not be checked (" + string(out.Troubleshooting.Diagnosis) + "): " + out.Troubleshooting.Summary
		return
	case !out.Valid && out.Troubleshooting != nil:
		st.Verdict = "refused (" + string(out.Troubleshooting.Diagnosis) + "): " + out.Troubleshooting.Summary
		return
	case !out.Valid:
		st.Verdict = "refused"
		return
	}
	st.Accepted, st.Alert, st.Verdict = true, false, "accepted"
	if out.Name != "" {
		st.Name = out.Name
	}
	if out.ExpiresAt != nil {
		st.setExpiry(*out.ExpiresAt)
	}
	st.Organizations = nil
	for _, org := range out.Organizations {
		st.Organizations = append(st.Organizations, org.Name)
	}
}
