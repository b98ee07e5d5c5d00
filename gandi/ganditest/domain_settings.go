package ganditest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/zone"
)

// A domain's settings, on /v5/domain/domains/{fqdn}:
//
//   - PATCH /autorenew {"enabled", "duration"?, "org_id"?}: turns automatic renewal on or
//     off; duration is 1 to 9 years (kept when absent, 1 when never set). Needs
//     domain:renew: our assumption, as the admin groups automatic renewal with "See and
//     renew domain names" and the reference names no scope. 200 {"message"}.
//   - PUT /nameservers {"nameservers": [1 to 13 host names]}: the name servers at the
//     registry; GET /nameservers and /livedns and the details show them afterwards. The
//     domain is then on LiveDNS when every host is one of LiveDNS's (ns-N-x.gandi.net),
//     on "abc" when every one is *.dns.gandi.net, "other" otherwise; a zone left unserved
//     is kept for a move back. Needs domain:tech. 202 {"message"}.
//
// A body that does not parse or breaks a rule is Gandi's 400 (location body); a domain the
// token cannot see is 404; a missing scope 403.

// maxNameservers is the most name servers the fake takes for one domain.
const maxNameservers = 13

// fakeLiveDNSHost and fakeClassicHost tell which of Gandi's DNS a name server set is.
var (
	fakeLiveDNSHost = regexp.MustCompile(`^ns-\d+-[a-z]\.gandi\.net$`)
	fakeClassicHost = regexp.MustCompile(`^[a-z]\.dns\.gandi\.net$`)
)

// routeDomainSettings answers writes of a domain's autorenew and name servers; ok is
// false for any other request (GET /nameservers is routeDNS's).
func (s *Server) routeDomainSettings(r *http.Request, t Token, body []byte) (reply, bool) {
	segs, err := segments(r.URL.EscapedPath())
	if err != nil || len(segs) != 5 || segs[0] != "v5" || segs[1] != "domain" || segs[2] != "domains" || segs[3] == "" {
		return reply{}, false
	}
	switch {
	case segs[4] == "autorenew":
		if r.Method != http.MethodPatch {
			return notAllowed(http.MethodPatch), true
		}
		if !hasScope(t, "domain:renew") {
			return errorReply(http.StatusForbidden), true
		}
		return s.patchAutoRenew(t, segs[3], body), true
	case segs[4] == "nameservers" && r.Method != http.MethodGet:
		if r.Method != http.MethodPut {
			return notAllowed("GET, PUT"), true
		}
		if !hasScope(t, "domain:tech") {
			return errorReply(http.StatusForbidden), true
		}
		return s.putNameservers(t, segs[3], body), true
	}
	return reply{}, false
}

// decodeObject decodes a JSON object body into fields; a body that is not one is a 400.
func decodeObject(body []byte) (map[string]json.RawMessage, *reply) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(body), &fields); err != nil || fields == nil {
		rep := validationReply("body", "", "the body must be a JSON object")
		return nil, &rep
	}
	return fields, nil
}

func (s *Server) patchAutoRenew(t Token, fqdn string, body []byte) reply {
	fields, rep := decodeObject(body)
	if rep != nil {
		return *rep
	}
	var enabled bool
	if raw, ok := fields["enabled"]; !ok {
		return validationReply("body", "enabled", "is required")
	} else if err := json.Unmarshal(raw, &enabled); err != nil || bytes.Equal(raw, []byte("null")) {
		return validationReply("body", "enabled", "must be a boolean")
	}
	duration := 0
	if raw, ok := fields["duration"]; ok {
		if err := json.Unmarshal(raw, &duration); err != nil || duration < 1 || duration > 9 {
			return validationReply("body", "duration", "must be an integer between 1 and 9")
		}
	}
	if raw, ok := fields["org_id"]; ok {
		var org string
		if err := json.Unmarshal(raw, &org); err != nil {
			return validationReply("body", "org_id", "must be a string")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.visibleDomain(t, fqdn)
	if !ok {
		return errorReply(http.StatusNotFound)
	}
	s.setAutoRenew(i, enabled, duration)
	return jsonReply(http.StatusOK, map[string]any{"message": "The autorenew settings were updated."})
}

// setAutoRenew stores s.domains[i]'s autorenew; duration 0 keeps the current one, which the
// details go on showing once autorenew is off. Call with s.mu held.
func (s *Server) setAutoRenew(i int, enabled bool, duration int) {
	if duration == 0 && s.domains[i].AutoRenew {
		duration = s.autoRenewYears(i)
	}
	s.domains[i].AutoRenew = enabled
	if duration > 0 {
		if s.autorenewYears == nil {
			s.autorenewYears = map[string]int{}
		}
		s.autorenewYears[strings.ToLower(s.domains[i].FQDN)] = duration
	}
}

// autoRenewYears is the duration of s.domains[i]'s autorenew: 1 when never set. Call with s.mu held.
func (s *Server) autoRenewYears(i int) int {
	if n := s.autorenewYears[strings.ToLower(s.domains[i].FQDN)]; n > 0 {
		return n
	}
	return 1
}

func (s *Server) putNameservers(t Token, fqdn string, body []byte) reply {
	fields, rep := decodeObject(body)
	if rep != nil {
		return *rep
	}
	raw, ok := fields["nameservers"]
	if !ok {
		return validationReply("body", "nameservers", "is required")
	}
	var hosts []string
	if err := json.Unmarshal(raw, &hosts); err != nil || hosts == nil {
		return validationReply("body", "nameservers", "must be a list of host names")
	}
	if len(hosts) == 0 || len(hosts) > maxNameservers {
		return validationReply("body", "nameservers", fmt.Sprintf("must hold 1 to %d host names", maxNameservers))
	}
	clean := make([]string, 0, len(hosts))
	for _, h := range hosts {
		z, err := zone.CanonicalZone(h)
		if err != nil || !strings.Contains(z, ".") || strings.ContainsAny(z, "_*") {
			return validationReply("body", "nameservers", fmt.Sprintf("%q is not a host name", h))
		}
		if !slices.Contains(clean, z) {
			clean = append(clean, z)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.visibleDomain(t, fqdn)
	if !ok {
		return errorReply(http.StatusNotFound)
	}
	s.domains[i].Nameserver.Current = nameserverKind(clean)
	s.dnsState(i).nameservers = clean
	return jsonReply(http.StatusAccepted, map[string]any{"message": "The name servers are being updated."})
}

// nameserverKind is the nameserver.current of a domain served by hosts.
func nameserverKind(hosts []string) string {
	all := func(re *regexp.Regexp) bool {
		return !slices.ContainsFunc(hosts, func(h string) bool { return !re.MatchString(h) })
	}
	switch {
	case all(fakeLiveDNSHost):
		return "livedns"
	case all(fakeClassicHost):
		return "abc"
	}
	return "other"
}

// SetAutoRenew changes a stored domain's autorenew behind the API's back (as someone in
// Gandi's admin would), e.g. for stale-plan tests; duration 0 keeps the current one.
func (s *Server) SetAutoRenew(fqdn string, enabled bool, duration int) error {
	if duration < 0 || duration > 9 {
		return fmt.Errorf("ganditest: SetAutoRenew %s: duration %d: want 0 to 9", fqdn, duration)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil {
		return err
	}
	s.setAutoRenew(i, enabled, duration)
	return nil
}
