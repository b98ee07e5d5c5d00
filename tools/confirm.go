package tools

import (
	"context"
	"crypto/hmac"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// confirmID names the confirmation among a call's input requests.
const confirmID = "confirm"

// confirmSchema is what the person is asked: one boolean, true to go on.
var confirmSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		confirmID: map[string]any{
			"type":        "boolean",
			"title":       "Apply these changes",
			"description": "true to make the changes at Gandi now.",
			"default":     true,
		},
	},
	"required": []string{confirmID},
}

type roundTripKey struct{}

// withRoundTrip keeps a call's multi round-trip answers for confirm to read.
func withRoundTrip(ctx context.Context, rt mcp.MultiRoundTripParams) context.Context {
	return context.WithValue(ctx, roundTripKey{}, rt)
}

func roundTrip(ctx context.Context) mcp.MultiRoundTripParams {
	rt, _ := ctx.Value(roundTripKey{}).(mcp.MultiRoundTripParams)
	return rt
}

// needInput is a call that cannot finish before the client has asked the person
// something: define returns its result as it is (an input_required result, which
// mcp-go turns into elicitation/create for clients of protocol 2025-11-25).
type needInput struct{ result *mcp.CallToolResult }

func (n *needInput) Error() string { return "the person's confirmation is needed" }

// canElicit says whether the client of ctx's call can ask the person a question in a
// form: from the request's own capabilities (protocol 2026-07-28) or the session's.
func canElicit(ctx context.Context) bool {
	var caps *mcp.ClientCapabilities
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		caps = info.ClientCapabilities
	} else if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		if _, ok := s.(server.SessionWithElicitation); !ok {
			return false // mcp-go could not send elicitation/create on it
		}
		c := s.GetClientCapabilities()
		caps = &c
	}
	if caps == nil || caps.Elicitation == nil {
		return false
	}
	e := caps.Elicitation
	// An empty elicitation capability means form mode, as before modes existed.
	return e.Form != nil || e.URL == nil
}

// confirm asks the person, when the client can, whether to make the change of plan id;
// nil means go on. Without elicitation the plan_id is the safeguard, so it is nil too.
// The first time it returns a needInput; the client asks and calls again with the
// answer, which is taken only with the request state bound to this plan.
func confirm(ctx context.Context, key []byte, id, message string) error {
	if !canElicit(ctx) {
		return nil
	}
	state := "c1." + mac(key, "confirm", id)[:22]
	rt := roundTrip(ctx)
	if ans := server.ElicitationResponse(rt.InputResponses, confirmID); ans != nil && hmac.Equal([]byte(rt.RequestState), []byte(state)) {
		if ans.Action == mcp.ElicitationResponseActionAccept && confirmed(ans.Content) {
			return nil
		}
		return declined(ans.Action)
	}
	res := server.NewInputRequestBuilder(state).Elicit(confirmID, mcp.ElicitationParams{
		Message:         message,
		RequestedSchema: confirmSchema,
	}).ToolResult()
	return &needInput{result: res}
}

// confirmed reads the form's answer: an accept counts only with confirm true.
func confirmed(content any) bool {
	m, ok := content.(map[string]any)
	if !ok {
		return false
	}
	v, ok := m[confirmID].(bool)
	return ok && v
}

func declined(action mcp.ElicitationResponseAction) *Failure {
	how := "declined"
	switch action {
	case mcp.ElicitationResponseActionCancel:
		how = "cancelled"
	case mcp.ElicitationResponseActionAccept:
		how = "did not confirm"
	}
	return &Failure{T: Troubleshooting{
		Diagnosis: Declined,
		Summary:   "The person " + how + " the change when asked, so nothing was changed.",
		NextSteps: []string{"Ask the person what they want instead; plan again with other arguments if they want another change."},
	}}
}
