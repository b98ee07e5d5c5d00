package ganditest

// LiveDNS routes, base /v5/livedns, with the shapes of Gandi's reference:
//
//   - GET /domains/{fqdn}: the zone's description; 404 for a domain whose DNS
//     is not on LiveDNS or that the token cannot see.
//   - /domains/{fqdn}/records: GET (JSON, or the zone file with Accept:
//     text/plain; rrset_type, sort_by, page and per_page), POST one set, PUT
//     {"items"} replacing the zone, DELETE all.
//   - /domains/{fqdn}/records/{name}: GET, POST, PUT {"items"} (every type of
//     the name), DELETE.
//   - /domains/{fqdn}/records/{name}/{type}: GET, PUT {"rrset_values",
//     "rrset_ttl"?} (201), PATCH {"add_rrset_values", "remove_rrset_values",
//     "rrset_ttl"}, DELETE (204).
//   - /domains/{fqdn}/snapshots: GET (newest first; automatic, sort_by, page,
//     per_page), POST {"name"?} (201 {"id", "message"} and Location).
//   - /domains/{fqdn}/snapshots/{id}: GET with zone_data (text/plain: the zone
//     file), PATCH {"name"}, DELETE.
//   - GET /dns/rrtypes.
//
// And on /v5/domain: GET /domains/{fqdn}/livedns and /domains/{fqdn}/nameservers.
//
// A domain is on LiveDNS when its nameserver.current is "livedns"; its zone
// is made on first use (see SetZone) and kept by fqdn.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

// liveDNS is the fake's DNS state. Its fields are guarded by Server.mu.
type liveDNS struct {
	zones    map[string]*dnsState // by lower-case fqdn
	pageSize int                  // default per_page of LiveDNS lists; 0 serves all
	seq      int                  // orders snapshots made within one second
}

type dnsState struct {
	records     []gandi.RecordSet // names lower-case, types upper-case, TTLs filled
	snapshots   []snapshot
	nameservers []string // nil: the defaults of the domain's nameserver.current
	automatic   bool
}

type snapshot struct {
	gandi.Snapshot
	seq int
}

// wireSet is a record set as LiveDNS answers it.
type wireSet struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    int      `json:"rrset_ttl"`
	Values []string `json:"rrset_values"`
	Href   string   `json:"rrset_href"`
}

type wireSnapshot struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	CreatedAt string     `json:"created_at"`
	Automatic bool       `json:"automatic"`
	Href      string     `json:"snapshot_href"`
	ZoneData  *[]wireSet `json:"zone_data,omitempty"`
}

// Scopes of the LiveDNS routes. Our assumption, as the reference leaves it
// unconfirmed: writes need domain:tech, reads domain:view or domain:tech.
func canReadDNS(t Token) bool  { return hasScope(t, "domain:view") || hasScope(t, "domain:tech") }
func canWriteDNS(t Token) bool { return hasScope(t, "domain:tech") }

// routeDNS answers the LiveDNS routes and the domain's DNS routes; ok is
// false for any other path.
func (s *Server) routeDNS(r *http.Request, t Token, body []byte) (reply, bool) {
	segs, err := segments(r.URL.EscapedPath())
	if err != nil || len(segs) < 3 || segs[0] != "v5" {
		return reply{}, false
	}
	switch {
	case segs[1] == "livedns" && len(segs) == 4 && segs[2] == "dns" && segs[3] == "rrtypes":
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet), true
		}
		return jsonReply(http.StatusOK, zone.Types), true
	case segs[1] == "livedns" && segs[2] == "domains" && len(segs) >= 4 && len(segs) <= 7:
		return s.routeZone(r, t, body, segs[3], segs[4:]), true
	case segs[1] == "domain" && segs[2] == "domains" && len(segs) == 5 && (segs[4] == "livedns" || segs[4] == "nameservers"):
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet), true
		}
		if !canReadDNS(t) {
			return errorReply(http.StatusForbidden), true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		i, ok := s.visibleDomain(t, segs[3])
		if !ok {
			return errorReply(http.StatusNotFound), true
		}
		current, hosts := s.nameservers(i)
		if segs[4] == "nameservers" {
			return jsonReply(http.StatusOK, hosts), true
		}
		return jsonReply(http.StatusOK, map[string]any{"current": current, "nameservers": hosts,
			"dnssec_available": true, "livednssec_available": current == "livedns"}), true
	}
	return reply{}, false
}

// segments splits an escaped path and unescapes each segment, so that an
// escaped "/" stays inside its segment.
func segments(escaped string) ([]string, error) {
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, err
		}
		parts[i] = u
	}
	return parts, nil
}

// routeZone serves /v5/livedns/domains/{fqdn}/rest...
func (s *Server) routeZone(r *http.Request, t Token, body []byte, fqdn string, rest []string) reply {
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	if (write && !canWriteDNS(t)) || (!write && !canReadDNS(t)) {
		return errorReply(http.StatusForbidden)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.visibleDomain(t, fqdn)
	if !ok || s.domains[i].Nameserver.Current != "livedns" {
		return errorReply(http.StatusNotFound)
	}
	fqdn = s.domains[i].FQDN
	st := s.dnsState(i)
	text := strings.Contains(r.Header.Get("Accept"), "text/plain")
	switch {
	case len(rest) == 0:
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		base := s.URL + liveDNSPath(fqdn)
		return jsonReply(http.StatusOK, map[string]any{"fqdn": fqdn, "domain_href": base,
			"domain_records_href": base + "/records", "domain_keys_href": base + "/keys", "automatic_snapshots": st.automatic})
	case rest[0] == "records" && len(rest) == 1:
		return s.zoneRecords(r, st, fqdn, body, text)
	case rest[0] == "records" && len(rest) == 2:
		return s.nameRecords(r, st, fqdn, strings.ToLower(rest[1]), body)
	case rest[0] == "records" && len(rest) == 3:
		return s.recordSet(r, st, fqdn, strings.ToLower(rest[1]), strings.ToUpper(rest[2]), body)
	case rest[0] == "snapshots" && len(rest) == 1:
		return s.snapshotList(r, st, fqdn, body)
	case rest[0] == "snapshots" && len(rest) == 2:
		return s.snapshotOne(r, st, fqdn, rest[1], body, text)
	}
	return errorReply(http.StatusNotFound)
}

func liveDNSPath(fqdn string, segs ...string) string {
	p := "/v5/livedns/domains/" + url.PathEscape(fqdn)
	for _, s := range segs {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// visibleDomain finds the domain named fqdn among those t can see. Call with s.mu held.
func (s *Server) visibleDomain(t Token, fqdn string) (int, bool) {
	idx := s.visibleIndexes(t, func(d *gandi.Domain) bool { return strings.EqualFold(d.FQDN, fqdn) })
	if len(idx) == 0 {
		return 0, false
	}
	return idx[0], true
}

// domainIndex finds a stored domain by fqdn, whoever can see it. Call with s.mu held.
func (s *Server) domainIndex(fqdn string) (int, error) {
	i := slices.IndexFunc(s.domains, func(d gandi.Domain) bool { return strings.EqualFold(d.FQDN, fqdn) })
	if i < 0 {
		return 0, fmt.Errorf("ganditest: no domain %q: add it with AddDomains first", fqdn)
	}
	return i, nil
}

// dnsState returns the DNS state of s.domains[i], made with its default zone
// on first use. Call with s.mu held.
func (s *Server) dnsState(i int) *dnsState {
	key := strings.ToLower(s.domains[i].FQDN)
	if s.livedns.zones == nil {
		s.livedns.zones = map[string]*dnsState{}
	}
	st := s.livedns.zones[key]
	if st == nil {
		st = &dnsState{records: DefaultZone(s.domains[i].FQDN), automatic: true}
		s.livedns.zones[key] = st
	}
	return st
}

// nameservers returns what /livedns says of s.domains[i]. Call with s.mu held.
func (s *Server) nameservers(i int) (current string, hosts []string) {
	d := s.domains[i]
	switch d.Nameserver.Current {
	case "livedns":
		current = "livedns"
		n := 1 + int(uuidFrom(d.FQDN)[0])%9*20
		hosts = []string{fmt.Sprintf("ns-%d-a.gandi.net", n), fmt.Sprintf("ns-%d-b.gandi.net", n+1), fmt.Sprintf("ns-%d-c.gandi.net", n+2)}
	case "abc":
		current, hosts = "classic", []string{"a.dns.gandi.net", "b.dns.gandi.net", "c.dns.gandi.net"}
	default:
		current, hosts = "other", []string{"ns1.dns-host.example", "ns2.dns-host.example"}
	}
	if st := s.livedns.zones[strings.ToLower(d.FQDN)]; st != nil && st.nameservers != nil {
		hosts = st.nameservers
	}
	return current, slices.Clone(hosts)
}

// find returns the index of the set of name and type, or -1.
func (st *dnsState) find(name, rtype string) int {
	return slices.IndexFunc(st.records, func(r gandi.RecordSet) bool { return r.Name == name && r.Type == rtype })
}

// upsert puts rs at index i (as find returned it), or adds it when i is -1.
func (st *dnsState) upsert(i int, rs gandi.RecordSet) {
	if i >= 0 {
		st.records[i] = rs
		return
	}
	st.records = append(st.records, rs)
	st.sort()
}

func (st *dnsState) sort() {
	slices.SortStableFunc(st.records, func(a, b gandi.RecordSet) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
}

func (s *Server) wire(fqdn string, rs gandi.RecordSet) wireSet {
	return wireSet{Name: rs.Name, Type: rs.Type, TTL: rs.TTL, Values: nonNil(slices.Clone(rs.Values)),
		Href: s.URL + liveDNSPath(fqdn, "records", rs.Name, rs.Type)}
}

func (s *Server) wireAll(fqdn string, sets []gandi.RecordSet) []wireSet {
	out := make([]wireSet, 0, len(sets))
	for _, rs := range sets {
		out = append(out, s.wire(fqdn, rs))
	}
	return out
}

// checkSet validates and normalises a set as LiveDNS would store it.
func checkSet(rs gandi.RecordSet) (gandi.RecordSet, *reply) {
	bad := func(name, desc string) (gandi.RecordSet, *reply) {
		rep := validationReply("body", name, desc)
		return rs, &rep
	}
	rs.Name, rs.Type = strings.ToLower(strings.TrimSpace(rs.Name)), strings.ToUpper(strings.TrimSpace(rs.Type))
	if rs.Name == "" || strings.ContainsAny(rs.Name, "/ \t") {
		return bad("rrset_name", fmt.Sprintf("invalid name %q", rs.Name))
	}
	if !slices.Contains(zone.Types, rs.Type) {
		return bad("rrset_type", fmt.Sprintf("%q is not a served type: see /v5/livedns/dns/rrtypes", rs.Type))
	}
	if rs.TTL == 0 {
		rs.TTL = zone.DefaultTTL
	}
	if rs.TTL < zone.MinTTL || rs.TTL > zone.MaxTTL {
		return bad("rrset_ttl", fmt.Sprintf("must be between %d and %d", zone.MinTTL, zone.MaxTTL))
	}
	if len(rs.Values) == 0 {
		return bad("rrset_values", "must hold at least one value")
	}
	for _, v := range rs.Values {
		if v == "" || len(v) > zone.MaxValueLen || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r > '~' }) {
			return bad("rrset_values", fmt.Sprintf("values are printable ASCII, 1 to %d characters", zone.MaxValueLen))
		}
	}
	rs.Values = slices.Clone(rs.Values)
	return rs, nil
}

func decode(body []byte, v any) *reply {
	if err := json.Unmarshal(bytes.TrimSpace(body), v); err != nil {
		rep := validationReply("body", "", "invalid JSON body: "+err.Error())
		return &rep
	}
	return nil
}

var (
	created = map[string]any{"message": "DNS Record Created"}
	noBody  = reply{status: http.StatusNoContent, header: http.Header{}}
)

// zoneRecords serves /records.
func (s *Server) zoneRecords(r *http.Request, st *dnsState, fqdn string, body []byte, text bool) reply {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		sets := slices.Clone(st.records)
		if t := q.Get("rrset_type"); t != "" {
			sets = slices.DeleteFunc(sets, func(rs gandi.RecordSet) bool { return !strings.EqualFold(rs.Type, t) })
		}
		if text {
			return zoneText(fqdn, sets)
		}
		switch q.Get("sort_by") {
		case "", "rrset_name":
		case "rrset_type":
			slices.SortStableFunc(sets, func(a, b gandi.RecordSet) int { return strings.Compare(a.Type, b.Type) })
		case "-rrset_name":
			slices.Reverse(sets)
		default:
			return validationReply("querystring", "sort_by", "must be rrset_name, -rrset_name or rrset_type")
		}
		return paged(s, r, s.wireAll(fqdn, sets))
	case http.MethodPost:
		var in gandi.RecordSet
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		return s.addSet(st, in)
	case http.MethodPut:
		var in struct {
			Items []gandi.RecordSet `json:"items"`
		}
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		sets, rep := checkItems(in.Items, "")
		if rep != nil {
			return *rep
		}
		st.records = sets
		st.sort()
		return jsonReply(http.StatusCreated, map[string]any{"message": "DNS Zone Created"})
	case http.MethodDelete:
		st.records = nil
		return noBody
	}
	return notAllowed("GET, POST, PUT, DELETE")
}

// checkItems validates a PUT's items; name, when set, is the name they must have.
func checkItems(items []gandi.RecordSet, name string) ([]gandi.RecordSet, *reply) {
	out := make([]gandi.RecordSet, 0, len(items))
	for _, it := range items {
		if name != "" {
			if it.Name != "" && !strings.EqualFold(it.Name, name) {
				rep := validationReply("body", "rrset_name", fmt.Sprintf("%q is not the name of the route, %q", it.Name, name))
				return nil, &rep
			}
			it.Name = name
		}
		rs, rep := checkSet(it)
		if rep != nil {
			return nil, rep
		}
		if slices.ContainsFunc(out, func(o gandi.RecordSet) bool { return o.Name == rs.Name && o.Type == rs.Type }) {
			rep := validationReply("body", "items", fmt.Sprintf("record set %s %s is given twice", rs.Name, rs.Type))
			return nil, &rep
		}
		out = append(out, rs)
	}
	return out, nil
}

func (s *Server) addSet(st *dnsState, in gandi.RecordSet) reply {
	rs, rep := checkSet(in)
	if rep != nil {
		return *rep
	}
	if st.find(rs.Name, rs.Type) >= 0 {
		return errorReplyMsg(http.StatusConflict, "A record set with that name and type already exists.")
	}
	st.records = append(st.records, rs)
	st.sort()
	return jsonReply(http.StatusCreated, created)
}

// nameRecords serves /records/{name}.
func (s *Server) nameRecords(r *http.Request, st *dnsState, fqdn, name string, body []byte) reply {
	ofName := func() []gandi.RecordSet {
		var out []gandi.RecordSet
		for _, rs := range st.records {
			if rs.Name == name {
				out = append(out, rs)
			}
		}
		return out
	}
	switch r.Method {
	case http.MethodGet:
		sets := ofName()
		if len(sets) == 0 {
			return errorReply(http.StatusNotFound)
		}
		return jsonReply(http.StatusOK, s.wireAll(fqdn, sets))
	case http.MethodPost:
		var in gandi.RecordSet
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		in.Name = name
		return s.addSet(st, in)
	case http.MethodPut:
		var in struct {
			Items []gandi.RecordSet `json:"items"`
		}
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		sets, rep := checkItems(in.Items, name)
		if rep != nil {
			return *rep
		}
		st.records = append(slices.DeleteFunc(st.records, func(rs gandi.RecordSet) bool { return rs.Name == name }), sets...)
		st.sort()
		return jsonReply(http.StatusCreated, created)
	case http.MethodDelete:
		if len(ofName()) == 0 {
			return errorReply(http.StatusNotFound)
		}
		st.records = slices.DeleteFunc(st.records, func(rs gandi.RecordSet) bool { return rs.Name == name })
		return noBody
	}
	return notAllowed("GET, POST, PUT, DELETE")
}

// recordSet serves /records/{name}/{type}.
func (s *Server) recordSet(r *http.Request, st *dnsState, fqdn, name, rtype string, body []byte) reply {
	i := st.find(name, rtype)
	switch r.Method {
	case http.MethodGet:
		if i < 0 {
			return errorReply(http.StatusNotFound)
		}
		return jsonReply(http.StatusOK, s.wire(fqdn, st.records[i]))
	case http.MethodPut:
		var in struct {
			Values []string `json:"rrset_values"`
			TTL    int      `json:"rrset_ttl"`
		}
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		rs, rep := checkSet(gandi.RecordSet{Name: name, Type: rtype, TTL: in.TTL, Values: in.Values})
		if rep != nil {
			return *rep
		}
		st.upsert(i, rs)
		return jsonReply(http.StatusCreated, created)
	case http.MethodPatch:
		var in struct {
			Add    []string `json:"add_rrset_values"`
			Remove []string `json:"remove_rrset_values"`
			TTL    int      `json:"rrset_ttl"`
		}
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		cur := gandi.RecordSet{Name: name, Type: rtype}
		if i >= 0 {
			cur = st.records[i]
		} else if len(in.Add) == 0 {
			return errorReply(http.StatusNotFound)
		}
		vals := slices.DeleteFunc(slices.Clone(cur.Values), func(v string) bool { return slices.Contains(in.Remove, v) })
		for _, v := range in.Add {
			if !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if in.TTL != 0 {
			cur.TTL = in.TTL
		}
		if len(vals) == 0 {
			st.records = slices.Delete(st.records, i, i+1)
			return jsonReply(http.StatusOK, map[string]any{"message": "DNS Record Deleted"})
		}
		cur.Values = vals
		rs, rep := checkSet(cur)
		if rep != nil {
			return *rep
		}
		st.upsert(i, rs)
		return jsonReply(http.StatusCreated, created)
	case http.MethodDelete:
		if i < 0 {
			return errorReply(http.StatusNotFound)
		}
		st.records = slices.Delete(st.records, i, i+1)
		return noBody
	}
	return notAllowed("GET, PUT, PATCH, DELETE")
}

func zoneText(fqdn string, sets []gandi.RecordSet) reply {
	text := zone.Text(fqdn, zone.FromLiveDNS(toZone(sets)))
	return reply{status: http.StatusOK, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: []byte(text)}
}

func toZone(sets []gandi.RecordSet) []zone.LiveDNS {
	out := make([]zone.LiveDNS, 0, len(sets))
	for _, rs := range sets {
		out = append(out, zone.LiveDNS{Name: rs.Name, Type: rs.Type, TTL: rs.TTL, Values: rs.Values})
	}
	return out
}

// paged serves a page of items with Total-Count and Link, as /v5/domain/domains
// does; without page or per_page it serves everything, or the server's page size.
func paged[T any](s *Server, r *http.Request, all []T) reply {
	q := r.URL.Query()
	all = nonNil(all)
	total := len(all)
	page, perPage := 1, s.livedns.pageSize
	if q.Has("page") {
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil || n < 1 {
			return validationReply("querystring", "page", "must be an integer of at least 1")
		}
		page = n
	}
	if q.Has("per_page") {
		n, err := strconv.Atoi(q.Get("per_page"))
		if err != nil || n < 1 || n > 1000 {
			return validationReply("querystring", "per_page", "must be an integer between 1 and 1000")
		}
		perPage = n
	}
	if perPage <= 0 {
		perPage = max(total, 1)
	}
	from, to := min(total, (page-1)*perPage), min(total, page*perPage)
	rep := jsonReply(http.StatusOK, all[from:to])
	rep.header.Set("Total-Count", strconv.Itoa(total))
	last := max(1, (total+perPage-1)/perPage)
	link := func(p int, rel string) string {
		lq := cloneValues(q)
		lq.Set("page", strconv.Itoa(p))
		lq.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", s.URL, r.URL.EscapedPath(), lq.Encode(), rel)
	}
	links := []string{}
	if page < last {
		links = append(links, link(page+1, "next"))
	}
	rep.header.Set("Link", strings.Join(append(links, link(last, "last")), ", "))
	return rep
}

// newestFirst orders snapshots by creation, newest first; ties by the order made.
func newestFirst(a, b snapshot) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return b.seq - a.seq
}

func (s *Server) wireSnapshot(fqdn string, sn snapshot, withZone bool) wireSnapshot {
	w := wireSnapshot{ID: sn.ID, Name: sn.Name, CreatedAt: sn.CreatedAt.UTC().Format(time.RFC3339), Automatic: sn.Automatic,
		Href: s.URL + liveDNSPath(fqdn, "snapshots", sn.ID)}
	if withZone {
		z := s.wireAll(fqdn, sn.ZoneData)
		w.ZoneData = &z
	}
	return w
}

// takeSnapshot records the zone as it is now. Call with s.mu held.
func (s *Server) takeSnapshot(st *dnsState, sn gandi.Snapshot) gandi.Snapshot {
	if sn.ID == "" {
		sn.ID = newUUID()
	}
	if sn.CreatedAt.IsZero() {
		sn.CreatedAt = time.Now().UTC().Truncate(time.Second)
	}
	if sn.ZoneData == nil {
		sn.ZoneData = slices.Clone(st.records)
	}
	sn.ZoneData = cloneSets(sn.ZoneData)
	s.livedns.seq++
	st.snapshots = append(st.snapshots, snapshot{Snapshot: sn, seq: s.livedns.seq})
	return sn
}

// snapshotList serves /snapshots.
func (s *Server) snapshotList(r *http.Request, st *dnsState, fqdn string, body []byte) reply {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		snaps := slices.Clone(st.snapshots)
		switch q.Get("sort_by") {
		case "", "-date_created":
			slices.SortStableFunc(snaps, newestFirst)
		case "date_created":
			slices.SortStableFunc(snaps, func(a, b snapshot) int { return newestFirst(b, a) })
		default:
			return validationReply("querystring", "sort_by", "must be date_created or -date_created")
		}
		if a := q.Get("automatic"); a != "" {
			want, err := strconv.ParseBool(a)
			if err != nil {
				return validationReply("querystring", "automatic", "must be true or false")
			}
			snaps = slices.DeleteFunc(snaps, func(sn snapshot) bool { return sn.Automatic != want })
		}
		out := make([]wireSnapshot, 0, len(snaps))
		for _, sn := range snaps {
			out = append(out, s.wireSnapshot(fqdn, sn, false))
		}
		return paged(s, r, out)
	case http.MethodPost:
		var in struct {
			Name string `json:"name"`
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if rep := decode(body, &in); rep != nil {
				return *rep
			}
		}
		sn := s.takeSnapshot(st, gandi.Snapshot{Name: in.Name})
		rep := jsonReply(http.StatusCreated, map[string]any{"id": sn.ID, "message": "Zone Snapshot Created"})
		rep.header.Set("Location", s.URL+liveDNSPath(fqdn, "snapshots", sn.ID))
		return rep
	}
	return notAllowed("GET, POST")
}

// snapshotOne serves /snapshots/{id}.
func (s *Server) snapshotOne(r *http.Request, st *dnsState, fqdn, id string, body []byte, text bool) reply {
	i := slices.IndexFunc(st.snapshots, func(sn snapshot) bool { return sn.ID == id })
	if i < 0 {
		if r.Method == http.MethodGet || r.Method == http.MethodPatch || r.Method == http.MethodDelete {
			return errorReply(http.StatusNotFound)
		}
		return notAllowed("GET, PATCH, DELETE")
	}
	switch r.Method {
	case http.MethodGet:
		if text {
			return zoneText(fqdn, st.snapshots[i].ZoneData)
		}
		return jsonReply(http.StatusOK, s.wireSnapshot(fqdn, st.snapshots[i], true))
	case http.MethodPatch:
		var in struct {
			Name string `json:"name"`
		}
		if rep := decode(body, &in); rep != nil {
			return *rep
		}
		st.snapshots[i].Name = in.Name
		return jsonReply(http.StatusOK, map[string]any{"message": "Zone Snapshot Updated"})
	case http.MethodDelete:
		st.snapshots = slices.Delete(st.snapshots, i, i+1)
		return noBody
	}
	return notAllowed("GET, PATCH, DELETE")
}

func cloneSets(sets []gandi.RecordSet) []gandi.RecordSet {
	out := make([]gandi.RecordSet, len(sets))
	for i, rs := range sets {
		rs.Values = slices.Clone(rs.Values)
		out[i] = rs
	}
	return out
}

// Test and demo controls. Each takes the fqdn of a stored domain.

// SetZone makes the domain's DNS served by LiveDNS (nameserver.current
// "livedns") with exactly sets as its zone; names are lowercased, types
// upper-cased, a zero TTL becomes 10800. Snapshots are kept.
func (s *Server) SetZone(fqdn string, sets []gandi.RecordSet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil {
		return err
	}
	clean, rep := checkItems(sets, "")
	if rep != nil {
		return fmt.Errorf("ganditest: SetZone %s: %s", fqdn, rep.body)
	}
	s.domains[i].Nameserver.Current = "livedns"
	st := s.dnsState(i)
	st.records = clean
	st.sort()
	return nil
}

// Zone returns the domain's record sets, sorted by name then type, and
// whether its DNS is on LiveDNS.
func (s *Server) Zone(fqdn string) ([]gandi.RecordSet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil || s.domains[i].Nameserver.Current != "livedns" {
		return nil, false
	}
	return cloneSets(s.dnsState(i).records), true
}

// EditZone changes the zone of a domain on LiveDNS behind the API's back (as
// someone editing it in Gandi's admin would), e.g. for stale-plan tests.
// The edited sets are normalised as SetZone does.
func (s *Server) EditZone(fqdn string, edit func(sets *[]gandi.RecordSet)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil {
		return err
	}
	if s.domains[i].Nameserver.Current != "livedns" {
		return fmt.Errorf("ganditest: EditZone %s: its DNS is not on LiveDNS: use SetZone", fqdn)
	}
	st := s.dnsState(i)
	sets := cloneSets(st.records)
	edit(&sets)
	clean, rep := checkItems(sets, "")
	if rep != nil {
		return fmt.Errorf("ganditest: EditZone %s: %s", fqdn, rep.body)
	}
	st.records = clean
	st.sort()
	return nil
}

// SetRecordSet creates or replaces one record set behind the API's back; a
// set with no values removes that name and type.
func (s *Server) SetRecordSet(fqdn string, set gandi.RecordSet) error {
	return s.EditZone(fqdn, func(sets *[]gandi.RecordSet) {
		i := slices.IndexFunc(*sets, func(rs gandi.RecordSet) bool {
			return strings.EqualFold(rs.Name, set.Name) && strings.EqualFold(rs.Type, set.Type)
		})
		switch {
		case len(set.Values) == 0 && i >= 0:
			*sets = slices.Delete(*sets, i, i+1)
		case len(set.Values) == 0:
		case i >= 0:
			(*sets)[i] = set
		default:
			*sets = append(*sets, set)
		}
	})
}

// SetNameservers says who serves the domain's DNS: current is "livedns",
// "abc" or "other" (its nameserver.current in domain lists), hosts the
// nameservers /livedns and /nameservers show (nil: defaults for current).
// A domain moved off LiveDNS keeps its zone, unserved, for a move back.
func (s *Server) SetNameservers(fqdn, current string, hosts []string) error {
	if current != "livedns" && current != "abc" && current != "other" {
		return fmt.Errorf("ganditest: SetNameservers %s: current %q: want livedns, abc or other", fqdn, current)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil {
		return err
	}
	s.domains[i].Nameserver.Current = current
	s.dnsState(i).nameservers = slices.Clone(hosts)
	return nil
}

// AddSnapshot stores a snapshot of the domain's zone as if Gandi had taken
// it: empty ID and zero CreatedAt are filled, nil ZoneData is the zone now.
func (s *Server) AddSnapshot(fqdn string, sn gandi.Snapshot) (gandi.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil {
		return gandi.Snapshot{}, err
	}
	sn = s.takeSnapshot(s.dnsState(i), sn)
	sn.ZoneData = cloneSets(sn.ZoneData)
	return sn, nil
}

// Snapshots returns the domain's snapshots with their zone data, newest first.
func (s *Server) Snapshots(fqdn string) []gandi.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil {
		return nil
	}
	snaps := slices.Clone(s.dnsState(i).snapshots)
	slices.SortStableFunc(snaps, newestFirst)
	out := make([]gandi.Snapshot, 0, len(snaps))
	for _, sn := range snaps {
		c := sn.Snapshot
		c.ZoneData = cloneSets(c.ZoneData)
		out = append(out, c)
	}
	return out
}

// SetLiveDNSPageSize sets how many items LiveDNS lists (records, snapshots)
// serve per page when the request gives no per_page; 0 (the default) serves all.
func (s *Server) SetLiveDNSPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.livedns.pageSize = n
}

// DefaultZone is the zone a domain on LiveDNS starts with in the fake:
// real-looking records on documentation addresses, in one of three shapes
// chosen by fqdn. Web and mail: A and AAAA at the apex, www as a CNAME, MX
// of Gandi Mail, SPF, DKIM, DMARC and CAA. Web only: A and AAAA at the apex
// and www, CAA, an SPF and DMARC that refuse all mail, a blog CNAME. Parked:
// Gandi's own default zone (web redirection, Gandi Mail and its SRV records).
func DefaultZone(fqdn string) []gandi.RecordSet {
	return zoneShape(fqdn, -1)
}

// WebAndMailZone is DefaultZone's web-and-mail shape for fqdn, whatever its name:
// the demo gives it to a domain it shows, so that the tour always has mail records.
func WebAndMailZone(fqdn string) []gandi.RecordSet { return zoneShape(fqdn, 0) }

// zoneShape builds the zone of the given shape (0 web and mail, 1 web only, 2
// parked), or of the one fqdn picks when shape is negative.
func zoneShape(fqdn string, shape int) []gandi.RecordSet {
	fqdn = strings.ToLower(strings.TrimSuffix(fqdn, "."))
	h := uuidFrom("zone/" + fqdn)
	n := 1 + int(h[1])%200 // hex digits: enough variety for addresses
	if c := h[2]; c >= 'a' {
		n += int(c - 'a')
	}
	if shape < 0 {
		shape = int(h[0]) % 3
	}
	spf := `"v=spf1 include:_mailcust.gandi.net ?all"`
	gandiMX := []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}
	var sets []gandi.RecordSet
	switch shape {
	case 0: // web and mail
		sets = []gandi.RecordSet{
			{Name: "@", Type: "A", TTL: 1800, Values: []string{fmt.Sprintf("203.0.113.%d", n)}},
			{Name: "@", Type: "AAAA", TTL: 1800, Values: []string{fmt.Sprintf("2001:db8:%x::1", n)}},
			{Name: "@", Type: "CAA", TTL: 10800, Values: []string{`0 issue "letsencrypt.org"`}},
			{Name: "@", Type: "MX", TTL: 10800, Values: gandiMX},
			{Name: "@", Type: "TXT", TTL: 10800, Values: []string{spf}},
			{Name: "_dmarc", Type: "TXT", TTL: 10800, Values: []string{`"v=DMARC1; p=quarantine; rua=mailto:dmarc@` + fqdn + `"`}},
			{Name: "gm1._domainkey", Type: "CNAME", TTL: 10800, Values: []string{"gm1.gandimail.net."}},
			{Name: "webmail", Type: "CNAME", TTL: 10800, Values: []string{"webmail.gandi.net."}},
			{Name: "www", Type: "CNAME", TTL: 1800, Values: []string{fqdn + "."}},
		}
	case 1: // web only
		sets = []gandi.RecordSet{
			{Name: "@", Type: "A", TTL: 300, Values: []string{fmt.Sprintf("198.51.100.%d", n), fmt.Sprintf("198.51.100.%d", n+1)}},
			{Name: "@", Type: "AAAA", TTL: 300, Values: []string{fmt.Sprintf("2001:db8:%x::10", n)}},
			{Name: "@", Type: "CAA", TTL: 10800, Values: []string{`0 iodef "mailto:security@` + fqdn + `"`, `0 issue "letsencrypt.org"`}},
			{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 -all"`}},
			{Name: "_dmarc", Type: "TXT", TTL: 10800, Values: []string{`"v=DMARC1; p=reject"`}},
			{Name: "blog", Type: "CNAME", TTL: 10800, Values: []string{"hosting.example.net."}},
			{Name: "www", Type: "A", TTL: 300, Values: []string{fmt.Sprintf("198.51.100.%d", n), fmt.Sprintf("198.51.100.%d", n+1)}},
			{Name: "www", Type: "AAAA", TTL: 300, Values: []string{fmt.Sprintf("2001:db8:%x::10", n)}},
		}
	default: // parked: Gandi's default zone
		sets = []gandi.RecordSet{
			{Name: "@", Type: "A", TTL: 10800, Values: []string{fmt.Sprintf("192.0.2.%d", n)}},
			{Name: "@", Type: "MX", TTL: 10800, Values: gandiMX},
			{Name: "@", Type: "TXT", TTL: 10800, Values: []string{spf}},
			{Name: "_imap._tcp", Type: "SRV", TTL: 10800, Values: []string{"0 0 0 ."}},
			{Name: "_imaps._tcp", Type: "SRV", TTL: 10800, Values: []string{"0 1 993 mail.gandi.net."}},
			{Name: "_pop3._tcp", Type: "SRV", TTL: 10800, Values: []string{"0 0 0 ."}},
			{Name: "_pop3s._tcp", Type: "SRV", TTL: 10800, Values: []string{"10 1 995 mail.gandi.net."}},
			{Name: "_submission._tcp", Type: "SRV", TTL: 10800, Values: []string{"0 1 465 mail.gandi.net."}},
			{Name: "webmail", Type: "CNAME", TTL: 10800, Values: []string{"webmail.gandi.net."}},
			{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"webredir.vip.gandi.net."}},
		}
	}
	for _, rs := range sets {
		slices.Sort(rs.Values) // in the order zone.NormalizeValues keeps them
	}
	return sets
}
