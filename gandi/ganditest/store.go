package ganditest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// Token is a credential the fake accepts.
type Token struct {
	Secret string // generated when empty: "pat_" + 32 hex digits, or 24 letters and digits for an Apikey
	ID     string // generated (uuid-like) when empty
	Name   string
	Scopes []string
	// Entities are the token's resources: one {Type: "organization"} entity
	// is the whole organization; otherwise listed products, e.g. {Type:
	// "domain", ID: domain id, Name: fqdn}.
	Entities  []gandi.Entity
	CreatedAt time.Time // zero: now; with ExpiresAt, the TTL a renewal keeps
	ExpiresAt time.Time // zero: 30 days from now
	// Apikey makes a legacy API key: accepted with the Apikey scheme on GET
	// API routes (as if with every view scope on the whole organization, or
	// every organization when it has no entities), 403 on writes, 401 on /tokeninfo.
	Apikey  bool
	Revoked bool
}

func (t Token) clone() Token {
	t.Scopes = slices.Clone(t.Scopes)
	t.Entities = slices.Clone(t.Entities)
	return t
}

// AddToken registers t and returns it with Secret, ID, CreatedAt and ExpiresAt filled.
func (s *Server) AddToken(t Token) Token {
	now := time.Now()
	if t.Secret == "" {
		if t.Apikey {
			t.Secret = randomAlnum(24)
		} else {
			t.Secret = "pat_" + randomHex(16)
		}
	}
	if t.ID == "" {
		t.ID = newUUID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	if t.ExpiresAt.IsZero() {
		t.ExpiresAt = now.Add(30 * 24 * time.Hour)
	}
	t = t.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = append(s.tokens, t)
	return t.clone()
}

// Revoke marks the token with this secret revoked; it reports whether it exists.
func (s *Server) Revoke(secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.tokens {
		if s.tokens[i].Secret == secret {
			s.tokens[i].Revoked = true
			return true
		}
	}
	return false
}

// Tokens returns the current tokens, including those issued by renewal, in
// the order they were added.
func (s *Server) Tokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Token, len(s.tokens))
	for i, t := range s.tokens {
		out[i] = t.clone()
	}
	return out
}

// TokenBySecret returns the token with this secret.
func (s *Server) TokenBySecret(secret string) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookup(secret)
}

// lookup finds a token by secret. Call with s.mu held.
func (s *Server) lookup(secret string) (Token, bool) {
	for _, t := range s.tokens {
		if t.Secret == secret {
			return t.clone(), true
		}
	}
	return Token{}, false
}

// AddOrganization registers o, generating its ID when empty, and returns it.
func (s *Server) AddOrganization(o gandi.Organization) gandi.Organization {
	if o.ID == "" {
		o.ID = newUUID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs = append(s.orgs, o)
	return o
}

// OrganizationEntity is the token entity granting the whole of o.
func OrganizationEntity(o gandi.Organization) gandi.Entity {
	return gandi.Entity{ID: o.ID, Name: o.Name, Type: "organization"}
}

// DomainEntity is the token entity granting the one domain d.
func DomainEntity(d gandi.Domain) gandi.Entity {
	return gandi.Entity{ID: d.ID, Name: d.FQDN, Type: "domain"}
}

// AddDomains stores ds in insertion order, filling an empty ID, Href, TLD,
// FQDNUnicode, Status and Tags.
func (s *Server) AddDomains(ds ...gandi.Domain) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range ds {
		s.domains = append(s.domains, s.fill(d))
	}
}

func (s *Server) fill(d gandi.Domain) gandi.Domain {
	if d.ID == "" {
		d.ID = newUUID()
	}
	if d.FQDNUnicode == "" {
		d.FQDNUnicode = d.FQDN
	}
	if d.TLD == "" {
		d.TLD = d.FQDN[strings.LastIndexByte(d.FQDN, '.')+1:]
	}
	if d.Href == "" {
		d.Href = s.URL + "/v5/domain/domains/" + d.FQDN
	}
	d.Status = nonNil(slices.Clone(d.Status))
	d.Tags = nonNil(slices.Clone(d.Tags))
	for _, t := range []**time.Time{&d.Dates.CreatedAt, &d.Dates.RegistryCreatedAt, &d.Dates.RegistryEndsAt, &d.Dates.UpdatedAt,
		&d.Dates.RenewBeginsAt, &d.Dates.HoldBeginsAt, &d.Dates.HoldEndsAt, &d.Dates.DeletesAt} {
		if *t != nil {
			v := **t
			*t = &v // the caller keeps its own copy
		}
	}
	if d.SharingSpace != nil {
		ss := *d.SharingSpace
		d.SharingSpace = &ss
	}
	return d
}

// SeedDomains adds n deterministic domains owned by orgID and returns them:
// d0001.example-<hash of orgID>.<com|net|fr|org>, ..., with registry_ends_at
// spread over the two years after start, some on autorenew, some tagged,
// some with nameserver "other" instead of "livedns", some with EPP statuses
// (clientTransferProhibited, clientUpdateProhibited, clientHold), whatever their autorenew.
func (s *Server) SeedDomains(orgID string, n int, start time.Time) []gandi.Domain {
	s.mu.Lock()
	owner := gandi.Organization{ID: orgID, Name: "owner"}
	for _, o := range s.orgs {
		if o.ID == orgID {
			owner = o
		}
	}
	s.mu.Unlock()
	holder := strings.TrimSpace(owner.Firstname + " " + owner.Lastname)
	if owner.Orgname != "" {
		holder = owner.Orgname
	}
	if holder == "" {
		holder = owner.Name
	}
	sum := sha256.Sum256([]byte(orgID))
	label := hex.EncodeToString(sum[:3])
	tlds := []string{"com", "net", "fr", "org"}
	const span = 730 * 24 * time.Hour
	start = start.UTC().Truncate(time.Second)
	ds := make([]gandi.Domain, 0, n)
	for i := 1; i <= n; i++ {
		fqdn := fmt.Sprintf("d%04d.example-%s.%s", i, label, tlds[(i-1)%len(tlds)])
		// Divide first: span*i overflows a Duration from i = 146.
		ends := start.Add(span / time.Duration(n+1) * time.Duration(i)).Truncate(time.Second)
		created := ends.AddDate(-1-i%5, 0, 0)
		updated := created.AddDate(0, 1+i%11, 0)
		holdBegins, holdEnds, deletes := ends, ends.AddDate(0, 0, 45), ends.AddDate(0, 0, 75)
		renewBegins := ends.AddDate(-1, 0, 0)
		d := gandi.Domain{
			ID:          uuidFrom(orgID + "/" + fqdn),
			FQDN:        fqdn,
			Status:      []string{},
			AutoRenew:   i%3 == 0,
			Tags:        []string{},
			Nameserver:  gandi.Nameserver{Current: "livedns"},
			Owner:       owner.Name,
			OrgaOwner:   owner.Name,
			DomainOwner: holder,
			SharingID:   orgID,
			Dates: gandi.DomainDates{
				CreatedAt: &created, RegistryCreatedAt: &created, RegistryEndsAt: &ends, UpdatedAt: &updated,
				RenewBeginsAt: &renewBegins, HoldBeginsAt: &holdBegins, HoldEndsAt: &holdEnds, DeletesAt: &deletes,
			},
			SharingSpace: &gandi.SharingSpace{ID: orgID, Name: owner.Name, Type: "organization"},
		}
		if i%4 == 0 {
			d.Nameserver.Current = "other"
		}
		if i%5 == 0 {
			d.Tags = append(d.Tags, "prod")
		}
		if i%7 == 0 {
			d.Tags = append(d.Tags, "client-x")
		}
		// Statuses independent of autorenew (every third), so each combination of the two occurs.
		if i%4 == 2 {
			d.Status = append(d.Status, "clientTransferProhibited")
		}
		if i%8 == 2 {
			d.Status = append(d.Status, "clientUpdateProhibited")
		}
		if i%10 == 5 {
			d.Status = append(d.Status, "clientHold")
		}
		ds = append(ds, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range ds {
		ds[i] = s.fill(ds[i])
		s.domains = append(s.domains, s.fill(ds[i]))
	}
	return ds
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return formatUUID(b)
}

// uuidFrom derives a stable uuid-like id from seed.
func uuidFrom(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return formatUUID(sum[:16])
}

func formatUUID(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
