package tools

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/zone"
)

// The formats list_dns_records answers in.
const (
	formatRecords = "records"
	formatZone    = "zone"
)

// ListDNSRecordsInput picks a zone and, optionally, one name or type in it.
type ListDNSRecordsInput struct {
	FQDN   string `json:"fqdn" jsonschema:"minLength=1,maxLength=253" jsonschema_description:"The domain whose zone to read, e.g. example.com; a unicode name (café.fr) is accepted and converted."`
	Name   string `json:"name,omitempty" jsonschema:"maxLength=253" jsonschema_description:"Only this record name, relative to the zone: @ for the apex, www, _dmarc, google._domainkey. www.example.com. is accepted and made relative; a name of another zone is refused."`
	Type   string `json:"type,omitempty" jsonschema:"maxLength=10" jsonschema_description:"Only this record type, any case: A AAAA ALIAS CAA CDS CNAME DNAME DS HTTPS KEY LOC MX NAPTR NS OPENPGPKEY PTR RP SOA SPF SRV SSHFP SVCB TLSA TXT WKS."`
	Format string `json:"format,omitempty" jsonschema:"enum=records,enum=zone" jsonschema_description:"records (the default): the record sets as data. zone: the whole zone file (RFC 1035 text) as Gandi renders it; not with name or type."`
}

// dnsQuery is list_dns_records' input once checked: the zone, the name and type (""
// for any) in LiveDNS's spelling, and the format.
type dnsQuery struct {
	domain     dnsDomain
	name, kind string
	format     string
}

func (in ListDNSRecordsInput) query() (dnsQuery, error) {
	var bad []string
	q := dnsQuery{format: in.Format}
	d, err := parseFQDN(in.FQDN)
	if err != nil {
		bad = append(bad, err.Error())
	}
	q.domain = d
	if in.Name != "" && err == nil {
		if q.name, err = zone.Relative(in.Name, d.ascii); err != nil {
			bad = append(bad, "name "+strings.TrimPrefix(err.Error(), "name "))
		}
	}
	if in.Type != "" {
		q.kind = strings.ToUpper(in.Type)
		if !slices.Contains(zone.Types, q.kind) {
			bad = append(bad, fmt.Sprintf("type %q is not a type Gandi serves: use one of %s", clip(in.Type), strings.Join(zone.Types, ", ")))
		}
	}
	switch in.Format {
	case "":
		q.format = formatRecords
	case formatRecords:
	case formatZone:
		if in.Name != "" || in.Type != "" {
			bad = append(bad, "format zone is the whole zone file: drop name and type, or use format records to narrow")
		}
	default:
		bad = append(bad, fmt.Sprintf("format must be records or zone, not %q", clip(in.Format)))
	}
	if len(bad) > 0 {
		return dnsQuery{}, invalidInput(strings.Join(bad, "; "))
	}
	return q, nil
}

func (in ListDNSRecordsInput) validate() error {
	_, err := in.query()
	return err
}

// ListDNSRecordsOutput is a zone's record sets, or its zone file.
type ListDNSRecordsOutput struct {
	FQDN        string      `json:"fqdn,omitempty" jsonschema_description:"The zone, as LiveDNS names it (punycode for a unicode name)."`
	FQDNUnicode string      `json:"fqdn_unicode,omitempty" jsonschema_description:"The zone's name in unicode, only when it differs from fqdn."`
	Records     []DNSRecord `json:"records,omitempty" jsonschema_description:"The record sets, sorted by name (the apex @ first) then type."`
	Count       int         `json:"count,omitempty" jsonschema_description:"How many record sets records lists; absent when none (and with format zone, whose sets are in the zone file)."`
	Zone        string      `json:"zone,omitempty" jsonschema_description:"With format zone: the zone file, as Gandi renders it."`
	Common
}

// DNSRecord is one record set: every value of one name and type.
type DNSRecord struct {
	Name   string   `json:"name" jsonschema_description:"Relative to the zone; @ is the apex."`
	Type   string   `json:"type"`
	TTL    int      `json:"ttl" jsonschema_description:"Seconds."`
	Values []string `json:"values" jsonschema_description:"As LiveDNS holds them; TXT values carry their quotes."`
}

// writeText writes list_dns_records' text content: a few "name: value" lines, then one
// line per record (name, type, ttl, value, tab-separated), as in a zone file; or the zone
// file itself. A zone goes into a model's context, and its JSON repeats every field name.
func (o *ListDNSRecordsOutput) writeText(b *strings.Builder) {
	line := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		writeCell(b, value)
		b.WriteByte('\n')
	}
	line("fqdn", o.FQDN)
	if o.FQDNUnicode != "" {
		line("fqdn_unicode", o.FQDNUnicode)
	}
	if o.Zone != "" {
		b.WriteString("zone file:\n")
		b.WriteString(o.Zone)
		return
	}
	line("count", strconv.Itoa(o.Count))
	if len(o.Records) == 0 {
		b.WriteString("records: none")
		return
	}
	size := 0
	for _, r := range o.Records {
		for _, v := range r.Values {
			size += len(r.Name) + len(r.Type) + len(v) + 12
		}
	}
	b.Grow(size + 96)
	b.WriteString("records, tab-separated, one line per value:\nname\ttype\tttl\tvalue")
	var scratch [64]byte
	for _, r := range o.Records {
		for _, v := range r.Values {
			b.WriteByte('\n')
			writeCell(b, r.Name)
			b.WriteByte('\t')
			writeCell(b, r.Type)
			b.WriteByte('\t')
			b.Write(strconv.AppendInt(scratch[:0], int64(r.TTL), 10))
			b.WriteByte('\t')
			writeCell(b, v)
		}
	}
}

// ListDNSRecords is the list_dns_records tool.
func ListDNSRecords(d *Deps) Tool {
	return define[ListDNSRecordsInput, ListDNSRecordsOutput](d, spec{
		name:  "list_dns_records",
		title: "List a domain's DNS records",
		description: "Reads the DNS records of a domain whose DNS Gandi's LiveDNS serves: every record set (name, type, ttl, values), " +
			"sorted by name (@, the apex, first) then type. name (@, www, _dmarc) and type (A, MX, TXT...) narrow it, e.g. " +
			"type MX for 'why does mail bounce'. format zone gives the zone file as Gandi renders it instead. " +
			"A domain whose DNS is elsewhere is diagnosed dns_not_hosted, naming its nameservers. Needs domain:view (or domain:tech).",
		profile: readProfile,
		scopes:  dnsRead,
	}, func(ctx context.Context, in ListDNSRecordsInput) (*ListDNSRecordsOutput, error) {
		return listDNSRecords(ctx, d, in)
	})
}

func listDNSRecords(ctx context.Context, d *Deps, in ListDNSRecordsInput) (*ListDNSRecordsOutput, error) {
	q, err := in.query()
	if err != nil {
		return nil, err
	}
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	out := &ListDNSRecordsOutput{FQDN: q.domain.ascii, FQDNUnicode: q.domain.unicode, Records: []DNSRecord{}}
	if q.format == formatZone {
		text, err := s.client.ZoneText(ctx, q.domain.ascii)
		if err != nil {
			return nil, s.liveDNSFail(ctx, err, q.domain, false)
		}
		out.Records, out.Zone = nil, text
		return out, nil
	}
	sets, err := s.client.Records(ctx, q.domain.ascii)
	if err != nil {
		return nil, s.liveDNSFail(ctx, err, q.domain, false)
	}
	for _, rs := range sets {
		name, kind := strings.ToLower(rs.Name), strings.ToUpper(rs.Type)
		if (q.name != "" && name != q.name) || (q.kind != "" && kind != q.kind) {
			continue
		}
		ttl := rs.TTL
		if ttl == 0 {
			ttl = zone.DefaultTTL // what LiveDNS applies when none is given
		}
		out.Records = append(out.Records, DNSRecord{Name: name, Type: kind, TTL: ttl, Values: rs.Values})
	}
	slices.SortFunc(out.Records, func(a, b DNSRecord) int {
		return zone.Compare(zone.RecordSet{Name: a.Name, Type: a.Type}, zone.RecordSet{Name: b.Name, Type: b.Type})
	})
	out.Count = len(out.Records)
	return out, nil
}
