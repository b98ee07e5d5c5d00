package tools

import (
	"context"
	"time"
)

// ListDNSSnapshotsInput names the zone whose snapshots to list.
type ListDNSSnapshotsInput struct {
	FQDN string `json:"fqdn" jsonschema:"minLength=1,maxLength=253" jsonschema_description:"The domain whose zone's snapshots to list, e.g. example.com; a unicode name (café.fr) is accepted and converted."`
}

func (in ListDNSSnapshotsInput) validate() error {
	if _, err := parseFQDN(in.FQDN); err != nil {
		return invalidInput(err.Error())
	}
	return nil
}

// ListDNSSnapshotsOutput is a zone's snapshots, newest first.
type ListDNSSnapshotsOutput struct {
	FQDN        string        `json:"fqdn,omitempty" jsonschema_description:"The zone, as LiveDNS names it (punycode for a unicode name)."`
	FQDNUnicode string        `json:"fqdn_unicode,omitempty" jsonschema_description:"The zone's name in unicode, only when it differs from fqdn."`
	Snapshots   []DNSSnapshot `json:"snapshots,omitempty" jsonschema_description:"Newest first."`
	Count       int           `json:"count,omitempty" jsonschema_description:"How many snapshots are listed; absent when none."`
	Common
}

// DNSSnapshot is a saved copy of a zone, a restore point.
type DNSSnapshot struct {
	ID        string     `json:"id" jsonschema_description:"The snapshot's id, for restore_dns_snapshot."`
	Name      string     `json:"name,omitempty" jsonschema_description:"Its name; gandi-mcp's restore points are named \"gandi-mcp: before ...\"."`
	CreatedAt *time.Time `json:"created_at,omitempty" jsonschema_description:"When it was taken; absent when Gandi did not say it readably."`
	Automatic bool       `json:"automatic" jsonschema_description:"True for a snapshot LiveDNS took by itself, false for one asked for."`
}

// ListDNSSnapshots is the list_dns_snapshots tool.
func ListDNSSnapshots(d *Deps) Tool {
	return define[ListDNSSnapshotsInput, ListDNSSnapshotsOutput](d, spec{
		name:  "list_dns_snapshots",
		title: "List a domain's DNS snapshots",
		description: "Lists the snapshots (restore points) of a domain's zone on Gandi's LiveDNS, newest first: id, name, " +
			"created_at, and whether LiveDNS took it automatically. Use it to find the restore point of an earlier change, " +
			"e.g. to undo it. Needs domain:view (or domain:tech).",
		profile: readProfile,
		scopes:  dnsRead,
	}, func(ctx context.Context, in ListDNSSnapshotsInput) (*ListDNSSnapshotsOutput, error) {
		return listDNSSnapshots(ctx, d, in)
	})
}

func listDNSSnapshots(ctx context.Context, d *Deps, in ListDNSSnapshotsInput) (*ListDNSSnapshotsOutput, error) {
	dom, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	snaps, err := s.client.Snapshots(ctx, dom.ascii)
	if err != nil {
		return nil, s.liveDNSFail(ctx, err, dom, false)
	}
	out := &ListDNSSnapshotsOutput{FQDN: dom.ascii, FQDNUnicode: dom.unicode, Count: len(snaps)}
	for _, sn := range snaps {
		ds := DNSSnapshot{ID: sn.ID, Name: sn.Name, Automatic: sn.Automatic}
		if !sn.CreatedAt.IsZero() {
			at := sn.CreatedAt.UTC()
			ds.CreatedAt = &at
		}
		out.Snapshots = append(out.Snapshots, ds)
	}
	return out, nil
}
