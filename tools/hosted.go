package tools

import (
	"context"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// HeaderOrigin is the Origin of a credential a hosted server's caller sent.
const HeaderOrigin = "the Authorization header"

// caller is the credential one request of a hosted server carries, with its redactor, so
// that nothing of it is kept beyond the request or reaches another caller.
type caller struct {
	cred *auth.Credential
	red  *auth.Redactor
	fp   string
}

type callerKey struct{}

// WithCaller returns ctx carrying cred as the credential of every tool call made in it: a
// hosted server (Deps.Hosted) uses it for that request only, never stores it, and scrubs it
// from what the request's results and logs say.
func WithCaller(ctx context.Context, cred *auth.Credential) context.Context {
	return context.WithValue(ctx, callerKey{}, &caller{cred: cred, red: auth.NewRedactor(cred.Secret()), fp: gandi.Fingerprint(cred.Secret())})
}

func callerOf(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// CallerFingerprint is a short fingerprint of the token of ctx's caller, for logs; "" when
// ctx carries none. It is the one the expiry book keys tokens by, and reveals nothing.
func CallerFingerprint(ctx context.Context) string {
	if c := callerOf(ctx); c != nil {
		return c.fp
	}
	return ""
}

// callerCredential is a hosted call's credential: the caller's, never one of the process.
func callerCredential(ctx context.Context, ep string) (*auth.Credential, *Failure) {
	if c := callerOf(ctx); c != nil {
		return c.cred, nil
	}
	return nil, &Failure{T: Troubleshooting{
		Diagnosis:   NoToken,
		Environment: ep,
		Summary:     "This hosted gandi-mcp received no Gandi token with the request, so nothing could be asked of Gandi.",
		NextSteps: []string{
			"Configure your MCP client to send your own Personal Access Token with every request, as the header \"Authorization: Bearer YOUR_PAT\".",
			"Never paste a token into the chat.",
		},
	}}
}

// NeedsLocalStorage says whether t needs files of the person's own machine (renew_token
// stores the token it is issued in the token file): a hosted server does not offer it.
func (t Tool) NeedsLocalStorage() bool { return t.Definition.Name == "renew_token" }
