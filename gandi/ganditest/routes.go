package ganditest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// Gandi's messages for the statuses whose wording the reference records.
const (
	msgMissingAuth  = "You must provide an access token or an API Key. See https://api.gandi.net/docs/authentication/"
	msgUnauthorized = "The server could not verify that you authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad api key), or your access token has expired"
	msgForbidden    = "Access was denied to this resource."
	msgNotFound     = "The resource could not be found."
	msgNotAllowed   = "The method is not allowed for the requested URL."
)

// StandardErrorBody returns Gandi's standard JSON error body for status,
// e.g. {"code": 403, "message": "Access was denied to this resource.", "object": "HTTPForbidden", "cause": "Forbidden"}.
func StandardErrorBody(status int) string {
	return string(errorReply(status).body)
}

func errorReply(status int) reply {
	msg := map[int]string{
		http.StatusUnauthorized:     msgUnauthorized,
		http.StatusForbidden:        msgForbidden,
		http.StatusNotFound:         msgNotFound,
		http.StatusMethodNotAllowed: msgNotAllowed,
	}[status]
	return errorReplyMsg(status, msg)
}

func errorReplyMsg(status int, msg string) reply {
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	if msg == "" {
		msg = text + "."
	}
	object := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, text)
	return jsonReply(status, map[string]any{"code": status, "message": msg, "object": "HTTP" + object, "cause": text})
}

// validationReply is Gandi's 400: location is header, path, querystring or body.
func validationReply(location, name, description string) reply {
	return jsonReply(http.StatusBadRequest, map[string]any{
		"status": "error",
		"errors": []gandi.FieldError{{Location: location, Name: name, Description: description}},
	})
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the fake's own types are marshalled
	}
	return reply{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: b}
}

// route answers r as Gandi would, faults aside.
func (s *Server) route(r *http.Request, body []byte) reply {
	p := r.URL.Path
	if p == "/tokeninfo" {
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		return s.tokenInfo(r)
	}
	if !strings.HasPrefix(p, "/v5/") {
		return errorReply(http.StatusNotFound)
	}
	tok, rep, ok := s.authenticate(r, true)
	if !ok {
		return rep
	}
	if tok.Apikey && r.Method != http.MethodGet {
		return errorReply(http.StatusForbidden) // legacy keys only read
	}
	if rep, ok := s.routeDomainSettings(r, tok, body); ok {
		return rep
	}
	if rep, ok := s.routeDNS(r, tok, body); ok {
		return rep
	}
	if rep, ok := s.routeRenew(r, tok, body); ok {
		return rep
	}
	if rep, ok := s.routeDomain(r, tok); ok {
		return rep
	}
	const orgPrefix = "/v5/organization/organizations/"
	switch {
	case p == "/v5/domain/domains":
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		if !hasScope(tok, "domain:view") {
			return errorReply(http.StatusForbidden)
		}
		return s.listDomains(r, tok)
	case p == "/v5/organization/organizations":
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		return s.listOrganizations(r, tok)
	case strings.HasPrefix(p, orgPrefix) && !strings.Contains(p[len(orgPrefix):], "/") && len(p) > len(orgPrefix):
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		return s.getOrganization(p[len(orgPrefix):], tok)
	case p == "/v5/organization/user-info":
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		if !hasScope(tok, "organization:view") || !wholeOrganization(tok) {
			return errorReply(http.StatusForbidden)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return jsonReply(http.StatusOK, s.user)
	case p == "/v5/organization/access-tokens":
		if r.Method != http.MethodPost {
			return notAllowed(http.MethodPost)
		}
		return s.renew(tok, body)
	}
	return errorReply(http.StatusNotFound)
}

func notAllowed(allow string) reply {
	rep := errorReply(http.StatusMethodNotAllowed)
	rep.header.Set("Allow", allow)
	return rep
}

// authenticate finds the token of r's Authorization header. Apikey
// credentials are looked up only when apikeyOK.
func (s *Server) authenticate(r *http.Request, apikeyOK bool) (Token, reply, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return Token{}, errorReplyMsg(http.StatusUnauthorized, msgMissingAuth), false
	}
	scheme, secret, _ := strings.Cut(h, " ")
	secret = strings.TrimSpace(secret)
	apikey := strings.EqualFold(scheme, string(gandi.SchemeApikey))
	if (!apikey && !strings.EqualFold(scheme, string(gandi.SchemeBearer))) || (apikey && !apikeyOK) || secret == "" {
		return Token{}, errorReply(http.StatusUnauthorized), false
	}
	s.mu.Lock()
	unknown := s.unknownStatus
	tok, found := s.lookup(secret)
	s.mu.Unlock()
	if !found || tok.Apikey != apikey {
		return Token{}, errorReply(unknown), false
	}
	if tok.Revoked || !time.Now().Before(tok.ExpiresAt) {
		return Token{}, errorReply(http.StatusUnauthorized), false
	}
	return tok, reply{}, true
}

func hasScope(t Token, scope string) bool {
	if t.Apikey && strings.HasSuffix(scope, ":view") {
		return true
	}
	return slices.Contains(t.Scopes, scope)
}

// wholeOrganization says the token's resources are an organization rather
// than a list of products.
func wholeOrganization(t Token) bool {
	if t.Apikey {
		return true
	}
	return slices.ContainsFunc(t.Entities, func(e gandi.Entity) bool { return e.Type == "organization" })
}

func (s *Server) tokenInfo(r *http.Request) reply {
	tok, rep, ok := s.authenticate(r, false)
	if !ok {
		return rep
	}
	return jsonReply(http.StatusOK, map[string]any{
		"pat_name":   tok.Name,
		"scope":      nonNil(tok.Scopes),
		"entities":   nonNil(tok.Entities),
		"expires_in": int64(time.Until(tok.ExpiresAt) / time.Second),
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// visibleIndexes returns the indexes in s.domains of the domains t can see
// and keep accepts, in order. Call with s.mu held.
func (s *Server) visibleIndexes(t Token, keep func(*gandi.Domain) bool) []int {
	all := t.Apikey && len(t.Entities) == 0
	orgs := map[string]bool{}
	for _, e := range t.Entities {
		if e.Type == "organization" {
			orgs[e.ID] = true
		}
	}
	var out []int
	for i := range s.domains {
		d := &s.domains[i]
		if (all || orgs[d.SharingID] || slices.ContainsFunc(t.Entities, func(e gandi.Entity) bool { return productMatches(e, *d) })) && keep(d) {
			out = append(out, i)
		}
	}
	return out
}

// visibleDomains returns the domains t can see, in insertion order. Call with s.mu held.
func (s *Server) visibleDomains(t Token) []gandi.Domain {
	idx := s.visibleIndexes(t, func(*gandi.Domain) bool { return true })
	out := make([]gandi.Domain, 0, len(idx))
	for _, i := range idx {
		out = append(out, s.domains[i])
	}
	return out
}

func productMatches(e gandi.Entity, d gandi.Domain) bool {
	if e.Type != "domain" {
		return false
	}
	return (e.ID != "" && (e.ID == d.ID || strings.EqualFold(e.ID, d.FQDN))) || (e.Name != "" && strings.EqualFold(e.Name, d.FQDN))
}

// visibleOrganizations returns the organizations t can act on, in insertion
// order. Call with s.mu held.
func (s *Server) visibleOrganizations(t Token) []gandi.Organization {
	if t.Apikey && len(t.Entities) == 0 {
		return slices.Clone(s.orgs)
	}
	ids := map[string]bool{}
	for _, e := range t.Entities {
		if e.Type == "organization" {
			ids[e.ID] = true
		}
	}
	for _, d := range s.visibleDomains(t) {
		ids[d.SharingID] = true
	}
	var out []gandi.Organization
	for _, o := range s.orgs {
		if ids[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

func (s *Server) listOrganizations(r *http.Request, t Token) reply {
	q := r.URL.Query()
	s.mu.Lock()
	orgs := s.visibleOrganizations(t)
	s.mu.Unlock()
	orgs = slices.DeleteFunc(orgs, func(o gandi.Organization) bool {
		return (q.Has("name") && !strings.EqualFold(o.Name, q.Get("name"))) ||
			(q.Has("~name") && !glob(strings.ToLower(q.Get("~name")), strings.ToLower(o.Name))) ||
			(q.Has("type") && o.Type != q.Get("type"))
	})
	if sortBy := q.Get("sort_by"); sortBy != "" {
		key := map[string]func(gandi.Organization) string{
			"name": func(o gandi.Organization) string { return strings.ToLower(o.Name) },
			"type": func(o gandi.Organization) string { return o.Type },
			"id":   func(o gandi.Organization) string { return o.ID },
		}[strings.TrimPrefix(sortBy, "-")]
		if key == nil {
			return validationReply("querystring", "sort_by", "must be one of name, type, id (optionally prefixed by -)")
		}
		desc := strings.HasPrefix(sortBy, "-")
		slices.SortStableFunc(orgs, func(a, b gandi.Organization) int { return order(key(a), key(b), desc) })
	}
	return jsonReply(http.StatusOK, nonNil(orgs))
}

func order(a, b string, desc bool) int {
	c := strings.Compare(a, b)
	if desc {
		return -c
	}
	return c
}

func (s *Server) getOrganization(id string, t Token) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.orgs, func(o gandi.Organization) bool { return o.ID == id }) {
		return errorReply(http.StatusNotFound)
	}
	for _, o := range s.visibleOrganizations(t) {
		if o.ID == id {
			return jsonReply(http.StatusOK, o)
		}
	}
	return errorReply(http.StatusForbidden)
}

// listDomains serves GET /v5/domain/domains with Gandi's filters, sorting,
// pagination and headers.
func (s *Server) listDomains(r *http.Request, t Token) reply {
	q := r.URL.Query()
	page, perPage := 1, 100
	if v := q.Get("page"); q.Has("page") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return validationReply("querystring", "page", "must be an integer of at least 1")
		}
		page = n
	}
	if v := q.Get("per_page"); q.Has("per_page") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return validationReply("querystring", "per_page", "must be an integer between 1 and 1000")
		}
		perPage = n
	}
	fqdn := strings.ToLower(q.Get("fqdn"))
	for _, c := range fqdn {
		if !unicode.IsLetter(c) && !(c >= '0' && c <= '9') && !strings.ContainsRune(".*-", c) {
			return validationReply("querystring", "fqdn", fmt.Sprintf("invalid character %q: use letters, digits, '.', '-' and '*'", c))
		}
	}
	ns := q.Get("nameserver")
	if ns != "" && ns != "abc" && ns != "livedns" && ns != "other" {
		return validationReply("querystring", "nameserver", "must be one of abc, livedns, other")
	}
	sortBy := q.Get("sort_by")
	key := map[string]func(gandi.Domain) string{
		"":                       nil,
		"fqdn":                   func(d gandi.Domain) string { return d.FQDN },
		"dates.registry_ends_at": registryEnds,
		"registry_ends_at":       registryEnds,
	}
	sortKey, known := key[strings.TrimPrefix(sortBy, "-")]
	if !known {
		return validationReply("querystring", "sort_by", "must be fqdn or dates.registry_ends_at, optionally prefixed by -")
	}
	tld := strings.TrimPrefix(strings.ToLower(q.Get("tld")), ".")
	sharing := q.Get("sharing_id")
	filtered := fqdn != "" || tld != "" || sharing != "" || ns != "" || q.Get("resellee_id") != ""

	keep := func(d *gandi.Domain) bool {
		return (fqdn == "" || fqdnMatches(fqdn, *d)) &&
			(tld == "" || strings.EqualFold(d.TLD, tld)) &&
			(sharing == "" || d.SharingID == sharing) &&
			(ns == "" || d.Nameserver.Current == ns)
	}
	s.mu.Lock()
	// Filter by index and copy only the page served: a seeded account holds
	// thousands of domains, and copying them all per request would make the
	// fake, not the client, the bottleneck of a benchmark.
	idx := s.visibleIndexes(t, keep)
	if sortKey != nil {
		desc := strings.HasPrefix(sortBy, "-")
		slices.SortStableFunc(idx, func(a, b int) int { return order(sortKey(s.domains[a]), sortKey(s.domains[b]), desc) })
	}
	total := len(idx)
	var match []gandi.Domain
	if from := (page - 1) * perPage; from < total {
		for _, i := range idx[from:min(total, from+perPage)] {
			match = append(match, s.domains[i])
		}
	}
	omitTotal := s.omitTotal
	s.mu.Unlock()

	last := max(1, (total+perPage-1)/perPage)
	items := append([]gandi.Domain{}, match...)
	var rep reply
	if strings.Contains(r.Header.Get("Accept"), "text/csv") {
		rep = csvReply(items)
	} else {
		rep = jsonReply(http.StatusOK, items)
	}
	if !omitTotal {
		rep.header.Set("Total-Count", strconv.Itoa(total))
	}
	if filtered {
		rep.header.Set("Filtered-Count", strconv.Itoa(total))
	}
	link := func(p int, rel string) string {
		lq := cloneValues(q)
		lq.Set("page", strconv.Itoa(p))
		lq.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", s.URL, r.URL.Path, lq.Encode(), rel)
	}
	links := []string{}
	if page < last {
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(last, "last"))
	rep.header.Set("Link", strings.Join(links, ", "))
	return rep
}

func registryEnds(d gandi.Domain) string {
	if d.Dates.RegistryEndsAt == nil {
		return ""
	}
	return d.Dates.RegistryEndsAt.UTC().Format(time.RFC3339)
}

func fqdnMatches(pattern string, d gandi.Domain) bool {
	return glob(pattern, strings.ToLower(d.FQDN)) || glob(pattern, strings.ToLower(d.FQDNUnicode))
}

// glob matches s against a pattern where * stands for any run of characters.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func csvReply(ds []gandi.Domain) reply {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"fqdn", "fqdn_unicode", "tld", "status", "autorenew", "registry_ends_at", "nameserver", "sharing_id"})
	for _, d := range ds {
		_ = w.Write([]string{d.FQDN, d.FQDNUnicode, d.TLD, strings.Join(d.Status, " "), strconv.FormatBool(d.AutoRenew),
			registryEnds(d), d.Nameserver.Current, d.SharingID})
	}
	w.Flush()
	return reply{status: http.StatusOK, header: http.Header{"Content-Type": {"text/csv"}}, body: b.Bytes()}
}

// renew serves POST /v5/organization/access-tokens: a new token with the
// old one's scopes and entities; the old one stays valid.
func (s *Server) renew(old Token, body []byte) reply {
	var req struct {
		Name      *string `json:"name"`
		ExpiresAt *string `json:"expires_at"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return validationReply("body", "", "invalid JSON body")
		}
	}
	now := time.Now()
	expires := now.Add(old.ExpiresAt.Sub(old.CreatedAt))
	if req.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *req.ExpiresAt)
		if err != nil {
			return validationReply("body", "expires_at", "must be an RFC 3339 date-time")
		}
		if !t.After(now) || t.After(now.AddDate(1, 0, 0)) {
			return validationReply("body", "expires_at", "must be in the future and at most one year ahead")
		}
		expires = t
	}
	name := old.Name
	if req.Name != nil && *req.Name != "" {
		name = *req.Name
	}
	nt := s.AddToken(Token{
		Name: name, Scopes: slices.Clone(old.Scopes), Entities: slices.Clone(old.Entities),
		CreatedAt: now, ExpiresAt: expires.UTC().Truncate(time.Second),
	})
	return jsonReply(http.StatusCreated, map[string]any{
		"access_token": nt.Secret,
		"id":           nt.ID,
		"name":         nt.Name,
		"expires_at":   nt.ExpiresAt.Format(time.RFC3339),
		"scopes":       nonNil(nt.Scopes),
		"entities":     nonNil(nt.Entities),
	})
}
