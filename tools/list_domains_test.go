package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func ptr[T any](v T) *T { return &v }

func TestListDomainsInputAcceptsWhatGandiAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   ListDomainsInput
	}{
		{"nothing", ListDomainsInput{}},
		{"bounds of per_page", ListDomainsInput{Page: ptr(1), PerPage: ptr(100)}},
		{"smallest page", ListDomainsInput{PerPage: ptr(1)}},
		{"bounds of the window", ListDomainsInput{ExpiringWithinDays: ptr(0)}},
		{"ten years", ListDomainsInput{ExpiringWithinDays: ptr(3650), SortBy: "-expires_at"}},
		{"patterns", ListDomainsInput{FQDN: "shop-*.example.*"}},
		{"Latin letters with accents", ListDomainsInput{FQDN: "café-*.fr"}},
		{"Devanagari, with combining marks", ListDomainsInput{FQDN: "हिन्दी.*"}},
		{"Arabic-Indic digits", ListDomainsInput{FQDN: "٣٤*"}},
		{"tld with its dot", ListDomainsInput{TLD: ".fr"}},
		{"IDN tld", ListDomainsInput{TLD: "рф"}},
		{"organization id", ListDomainsInput{SharingID: "2d2bbd04-c882-48b4-9fa4-84d49febed04", All: true, SortBy: "-fqdn"}},
		{"autorenew off, with expiry", ListDomainsInput{AutoRenew: ptr(false), ExpiringWithinDays: ptr(365)}},
		{"statuses in any case", ListDomainsInput{Status: "SERVERHOLD", StatusAbsent: "clienttransferprohibited"}},
		{"grace period status", ListDomainsInput{Status: "redemptionPeriod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.in.validate(); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}

func TestListDomainsInputRefusals(t *testing.T) {
	tests := []struct {
		name string
		in   ListDomainsInput
		want string
	}{
		{"per_page past 100", ListDomainsInput{PerPage: ptr(101)}, "per_page must be between 1 and 100, not 101"},
		{"negative page", ListDomainsInput{Page: ptr(-3)}, "page must be between 1 and 1000000, not -3"},
		{"window past ten years", ListDomainsInput{ExpiringWithinDays: ptr(3651)}, "between 0 and 3650"},
		{"emoji", ListDomainsInput{FQDN: "🙂.fr"}, `has '🙂'`},
		{"underscore", ListDomainsInput{FQDN: "my_shop.fr"}, `has '_'`},
		{"too long", ListDomainsInput{FQDN: strings.Repeat("a", 254)}, "at most 253 characters"},
		{"tld with a star", ListDomainsInput{TLD: "f*"}, `not '*'`},
		{"long value is clipped in the message", ListDomainsInput{SharingID: strings.Repeat("z", 100)}, `"` + strings.Repeat("z", 63) + `…"`},
		{"expiry sort with page", ListDomainsInput{SortBy: "-expires_at", Page: ptr(2)}, "sort_by -expires_at reads every page"},
		{"made-up status", ListDomainsInput{Status: "locked"}, `status "locked" is not an EPP status: give one of clientDeleteProhibited, clientHold`},
		{"negated absent status", ListDomainsInput{StatusAbsent: "!clientHold"}, `status_absent "!clientHold" is not an EPP status`},
		{"status filter with page", ListDomainsInput{StatusAbsent: "ok", Page: ptr(1)}, "take neither page nor per_page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.validate()
			var f *Failure
			if !errors.As(err, &f) || f.T.Diagnosis != InvalidInput || f.T.Status != 0 {
				t.Fatalf("err = %v, want an invalid_input failure", err)
			}
			if !strings.Contains(f.T.Summary, tc.want) {
				t.Errorf("summary %q does not say %q", f.T.Summary, tc.want)
			}
		})
	}
}

func TestDomainFilterKeeps(t *testing.T) {
	d := func(autorenew bool, status ...string) DomainSummary {
		return DomainSummary{AutoRenew: autorenew, Status: status}
	}
	tests := []struct {
		name string
		in   ListDomainsInput
		keep []DomainSummary
		drop []DomainSummary
	}{
		{"autorenew on", ListDomainsInput{AutoRenew: ptr(true)}, []DomainSummary{d(true), d(true, "clientHold")}, []DomainSummary{d(false)}},
		{"status, normalised", ListDomainsInput{Status: "clientupdateprohibited"},
			[]DomainSummary{d(false, "clientTransferProhibited", "clientUpdateProhibited")}, []DomainSummary{d(false), d(true, "clientTransferProhibited")}},
		{"Gandi's case differs", ListDomainsInput{Status: "clientHold"}, []DomainSummary{d(false, "CLIENTHOLD")}, nil},
		{"absent", ListDomainsInput{StatusAbsent: "clientTransferProhibited"}, []DomainSummary{d(false), d(true, "clientHold")},
			[]DomainSummary{d(false, "clientTransferProhibited")}},
		{"ok: none or ok alone", ListDomainsInput{Status: "ok"}, []DomainSummary{d(false), d(true, "ok")}, []DomainSummary{d(false, "ok", "pendingRenew")}},
		{"not ok", ListDomainsInput{StatusAbsent: "ok"}, []DomainSummary{d(false, "pendingDelete")}, []DomainSummary{d(false), d(false, "ok")}},
		{"all at once", ListDomainsInput{AutoRenew: ptr(false), Status: "clientHold", StatusAbsent: "clientTransferProhibited"},
			[]DomainSummary{d(false, "clientHold")}, []DomainSummary{d(true, "clientHold"), d(false, "clientHold", "clientTransferProhibited"), d(false)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.in.filter()
			if !f.any() {
				t.Fatal("no filter")
			}
			for _, x := range tc.keep {
				if !f.keeps(&x) {
					t.Errorf("dropped %+v", x)
				}
			}
			for _, x := range tc.drop {
				if f.keeps(&x) {
					t.Errorf("kept %+v", x)
				}
			}
		})
	}
}

func TestSummarizeLeavesEmptyFieldsOut(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	end := time.Date(2026, 3, 11, 11, 59, 59, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		in   gandi.Domain
		want string
	}{
		{"bare", gandi.Domain{FQDN: "a.fr", FQDNUnicode: "a.fr", Status: []string{}, Tags: []string{}}, `{"fqdn":"a.fr"}`},
		{"unicode differs", gandi.Domain{FQDN: "xn--caf-dma.fr", FQDNUnicode: "café.fr"}, `{"fqdn":"xn--caf-dma.fr","fqdn_unicode":"café.fr"}`},
		{"expiry in UTC, days rounded down", gandi.Domain{FQDN: "a.fr", Dates: gandi.DomainDates{RegistryEndsAt: &end}},
			`{"fqdn":"a.fr","expires_at":"2026-03-11T10:59:59Z","days_left":9}`},
		{"organization from sharing_space", gandi.Domain{FQDN: "a.fr", SharingSpace: &gandi.SharingSpace{ID: "org1"}}, `{"fqdn":"a.fr","sharing_id":"org1"}`},
		{"everything", gandi.Domain{ID: "id1", FQDN: "a.fr", TLD: "fr", Status: []string{"clientHold"}, AutoRenew: true, Tags: []string{"prod"},
			Nameserver: gandi.Nameserver{Current: "livedns"}, Owner: "alice", SharingID: "org1", Href: "https://api.gandi.net/v5/domain/domains/a.fr", DomainOwner: "Alice"},
			`{"fqdn":"a.fr","tld":"fr","status":["clientHold"],"autorenew":true,"nameserver":"livedns","sharing_id":"org1","owner":"alice","tags":["prod"],"id":"id1"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(summarize(tc.in, now))
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != tc.want {
				t.Errorf("got  %s\nwant %s", raw, tc.want)
			}
		})
	}
}

func TestParallel(t *testing.T) {
	t.Run("never more than the bound, and up to it", func(t *testing.T) {
		const n, limit = 20, 3
		var running, most atomic.Int32
		full := make(chan struct{})
		var once sync.Once
		err := parallel(context.Background(), n, limit, func(ctx context.Context, i int) error {
			now := running.Add(1)
			defer running.Add(-1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			if now == limit {
				once.Do(func() { close(full) })
			}
			<-full // the first calls wait until the bound is reached once
			return nil
		})
		if err != nil || most.Load() != limit {
			t.Errorf("err %v, at most %d at once, want nil and %d", err, most.Load(), limit)
		}
	})
	t.Run("the first error cancels the others", func(t *testing.T) {
		boom := errors.New("boom")
		var started, cancelled atomic.Int32
		err := parallel(context.Background(), 10, 4, func(ctx context.Context, i int) error {
			started.Add(1)
			if i == 0 {
				return boom
			}
			<-ctx.Done() // only cancellation ends these
			cancelled.Add(1)
			return ctx.Err()
		})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want the first error", err)
		}
		if started.Load() > 4 || cancelled.Load() != started.Load()-1 {
			t.Errorf("%d started, %d cancelled: the calls after the error must not start", started.Load(), cancelled.Load())
		}
	})
	t.Run("the caller's cancellation", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		err := parallel(ctx, 10, 2, func(ctx context.Context, i int) error {
			cancel()
			<-ctx.Done()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

// fakeAccount is a ganditest fake with n seeded domains and a client of a
// whole-organization token that may list them.
func fakeAccount(t *testing.T, n int) (*ganditest.Server, *gandi.Client) {
	t.Helper()
	fake := ganditest.NewTestServer(t)
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	fake.SeedDomains(org.ID, n, time.Now())
	tok := fake.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	return fake, fake.Client(gandi.SchemeBearer, tok.Secret)
}

func TestScanDomainsBounds(t *testing.T) {
	tests := []struct {
		name      string
		in        ListDomainsInput
		bounds    listBounds
		omitTotal bool
		wantPages int
		wantCount int
		wantScan  int
		wantNotes []string
	}{
		{name: "scan cap with the filter", in: ListDomainsInput{ExpiringWithinDays: ptr(3650)}, bounds: listBounds{listed: 1000, pages: 3},
			wantPages: 3, wantCount: 300, wantScan: 300, wantNotes: []string{"Only the first 300 of 450 domains were read (at most 3 pages of 100 a call)"}},
		{name: "scan cap following links", in: ListDomainsInput{SortBy: "expires_at"}, bounds: listBounds{listed: 1000, pages: 2}, omitTotal: true,
			wantPages: 2, wantCount: 200, wantScan: 200, wantNotes: []string{"Only the first 200 domains were read"}},
		{name: "output cap after the filter", in: ListDomainsInput{ExpiringWithinDays: ptr(3650)}, bounds: listBounds{listed: 120, pages: 100},
			wantPages: 5, wantCount: 120, wantScan: 450, wantNotes: []string{"450 domains match; the first 120 are listed"}},
		{name: "all stops at the output cap", in: ListDomainsInput{All: true}, bounds: listBounds{listed: 200, pages: 100},
			wantPages: 2, wantCount: 200, wantScan: 200, wantNotes: []string{"read on with page=3 and per_page=100"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeAccount(t, 450)
			fake.OmitTotalCount(tc.omitTotal)
			out, err := scanDomains(context.Background(), &Deps{}, c, gandi.DomainsQuery{}, tc.in, tc.bounds)
			if err != nil {
				t.Fatal(err)
			}
			if len(fake.Requests()) != tc.wantPages || out.Scanned != tc.wantScan || len(out.Domains) != tc.wantCount || !out.Truncated {
				t.Errorf("%d requests, scanned %d, listed %d, truncated %v; want %d, %d, %d, true",
					len(fake.Requests()), out.Scanned, len(out.Domains), out.Truncated, tc.wantPages, tc.wantScan, tc.wantCount)
			}
			for _, want := range tc.wantNotes {
				found := false
				for _, n := range out.Notes {
					found = found || strings.Contains(n, want)
				}
				if !found {
					t.Errorf("notes %q lack %q", out.Notes, want)
				}
			}
		})
	}
}

// TestReadPagesWithSmallerServerPages: a server that serves fewer domains a page
// than asked must still be read to the end, counting pages its way.
func TestReadPagesWithSmallerServerPages(t *testing.T) {
	const total, size = 95, 40
	var asked []int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		mu.Lock()
		asked = append(asked, page)
		mu.Unlock()
		var items []map[string]any
		for i := (page - 1) * size; i < min(total, page*size); i++ {
			items = append(items, map[string]any{"id": fmt.Sprint(i), "fqdn": fmt.Sprintf("d%03d.fr", i)})
		}
		w.Header().Set("Total-Count", strconv.Itoa(total))
		_ = json.NewEncoder(w).Encode(items)
	}))
	t.Cleanup(srv.Close)
	c, err := gandi.New(gandi.Config{Endpoints: gandi.Endpoints{APIURL: srv.URL, IDURL: srv.URL}, Token: "pat_x"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := readPages(context.Background(), &Deps{}, c, gandi.DomainsQuery{}, 100, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.domains) != total || !sc.complete || sc.pages != 3 {
		t.Errorf("%d domains, complete %v, %d pages; want %d, true, 3 (asked %v)", len(sc.domains), sc.complete, sc.pages, total, asked)
	}
	for i, d := range sc.domains {
		if d.FQDN != fmt.Sprintf("d%03d.fr", i) {
			t.Fatalf("domain %d is %s: out of order", i, d.FQDN)
		}
	}
}

func TestDedupeKeepsTheFirstOfEachDomain(t *testing.T) {
	ds := dedupe([]DomainSummary{{ID: "1", FQDN: "a.fr"}, {ID: "2", FQDN: "b.fr"}, {ID: "1", FQDN: "a.fr"}, {FQDN: "c.fr"}, {FQDN: "c.fr"}})
	var got []string
	for _, d := range ds {
		got = append(got, d.FQDN)
	}
	if strings.Join(got, " ") != "a.fr b.fr c.fr" {
		t.Errorf("dedupe = %v", got)
	}
}

// BenchmarkReadPages reads 1000 domains (10 pages) from a fake answering each
// request in 20ms, one page at a time and with the default bound.
func BenchmarkReadPages(b *testing.B) {
	for _, bound := range []int{1, defaultConcurrentPages} {
		b.Run(fmt.Sprintf("concurrency=%d", bound), func(b *testing.B) {
			fake := ganditest.NewServer()
			defer fake.Close()
			org := fake.AddOrganization(gandi.Organization{Name: "acme"})
			fake.SeedDomains(org.ID, 1000, time.Now())
			tok := fake.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			c := fake.Client(gandi.SchemeBearer, tok.Secret)
			fake.SetLatency(20 * time.Millisecond)
			d := &Deps{MaxConcurrentPages: bound}
			for b.Loop() {
				sc, err := readPages(context.Background(), d, c, gandi.DomainsQuery{}, 100, time.Now())
				if err != nil || len(sc.domains) != 1000 {
					b.Fatalf("%v, %d domains", err, len(sc.domains))
				}
			}
		})
	}
}

func TestHoist(t *testing.T) {
	owner := func(d *DomainSummary) *string { return &d.Owner }
	tests := []struct {
		name       string
		owners     []string
		want       string
		wantOwners []string // each domain's owner after hoisting
	}{
		{"all the same", []string{"alice", "alice", "alice"}, "alice", []string{"", "", ""}},
		{"one differs", []string{"alice", "bob", "alice"}, "", []string{"alice", "bob", "alice"}},
		{"the last differs", []string{"alice", "alice", "bob"}, "", []string{"alice", "alice", "bob"}},
		{"none has one", []string{"", ""}, "", []string{"", ""}},
		{"some have none", []string{"alice", ""}, "", []string{"alice", ""}},
		{"a single domain", []string{"alice"}, "alice", []string{""}},
		{"no domain", nil, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ds []DomainSummary
			for _, o := range tc.owners {
				ds = append(ds, DomainSummary{FQDN: "a.fr", Owner: o})
			}
			if got := hoist(ds, owner); got != tc.want {
				t.Errorf("hoist = %q, want %q", got, tc.want)
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.Owner)
			}
			if !slices.Equal(got, tc.wantOwners) {
				t.Errorf("owners after = %q, want %q", got, tc.wantOwners)
			}
		})
	}
}

func TestListDomainsText(t *testing.T) {
	end := time.Date(2027, 2, 13, 10, 4, 18, 0, time.UTC)
	days := 83
	total := 2
	tests := []struct {
		name string
		out  ListDomainsOutput
		want string
	}{
		{"one page, hoisted organization and owner, empty columns left out",
			ListDomainsOutput{Count: 2, TotalCount: &total, Page: 1, PerPage: 2, NextPage: 2, SharingID: "org1", Owner: "alice",
				Domains: []DomainSummary{
					{FQDN: "a.fr", TLD: "fr", ExpiresAt: &end, DaysLeft: &days, AutoRenew: true, Nameserver: "livedns", ID: "id1"},
					{FQDN: "b.com", TLD: "com", Nameserver: "other", ID: "id2"},
				}},
			"count: 2\ntotal_count: 2\npage: 1\nper_page: 2\nnext_page: 2\n" +
				"sharing_id: org1 (every listed domain's organization)\nowner: alice (every listed domain's owner)\n" +
				"domains, tab-separated (status and tags comma-separated; an empty cell is an absent field):\n" +
				"fqdn\ttld\texpires_at\tdays_left\tautorenew\tnameserver\tid\n" +
				"a.fr\tfr\t2027-02-13T10:04:18Z\t83\ttrue\tlivedns\tid1\n" +
				"b.com\tcom\t\t\tfalse\tother\tid2"},
		{"every column, lists, and cells kept on one line",
			ListDomainsOutput{Count: 1, Scanned: 1, Truncated: true, Notes: []string{"first note", "second\tnote"},
				Domains: []DomainSummary{{FQDN: "xn--caf-dma.fr", FQDNUnicode: "café.fr", TLD: "fr", Status: []string{"clientHold", "clientTransferProhibited"},
					ExpiresAt: &end, DaysLeft: &days, Nameserver: "abc", SharingID: "org1", Owner: "bob", Tags: []string{"prod", "a\tb\nc"}, ID: "id1"}}},
			"count: 1\nscanned: 1\ntruncated: true\nnote: first note\nnote: second note\n" +
				"domains, tab-separated (status and tags comma-separated; an empty cell is an absent field):\n" +
				"fqdn\tfqdn_unicode\ttld\tstatus\texpires_at\tdays_left\tautorenew\tnameserver\tsharing_id\towner\ttags\tid\n" +
				"xn--caf-dma.fr\tcafé.fr\tfr\tclientHold,clientTransferProhibited\t2027-02-13T10:04:18Z\t83\tfalse\tabc\torg1\tbob\tprod,a b c\tid1"},
		{"expiring within, nothing matches",
			ListDomainsOutput{Scanned: 300, Matching: new(int), ExpiringBy: &end, TotalCount: &total},
			"count: 0\ntotal_count: 2\nmatching: 0\nexpiring_by: 2027-02-13T10:04:18Z\nscanned: 300\ndomains: none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			tc.out.writeText(&b)
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

// forge returns a fault rewrite that sets (or, for "", drops) each header of
// every domain page, with {next} in a value standing for the page after the
// one asked and {url} for the fake's base URL.
func forge(fake *ganditest.Server, headers map[string]string) func(*http.Request, http.Header, []byte) []byte {
	return func(r *http.Request, h http.Header, _ []byte) []byte {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		for k, v := range headers {
			if v == "" {
				h.Del(k)
				continue
			}
			v = strings.ReplaceAll(v, "{next}", strconv.Itoa(max(page, 1)+1))
			h.Set(k, strings.ReplaceAll(v, "{url}", fake.URL))
		}
		return nil
	}
}

// padded makes every domain page hold n domains, whatever per_page asked.
func padded(n int) func(*http.Request, http.Header, []byte) []byte {
	return func(_ *http.Request, _ http.Header, _ []byte) []byte {
		var b strings.Builder
		b.WriteByte('[')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"x%d","fqdn":"x%d.fr"}`, i, i)
		}
		b.WriteByte(']')
		return []byte(b.String())
	}
}

// TestScanDomainsWhateverGandiAnswers: forged counts, links and page sizes
// cannot make a scan ask for more than our page size, read past its bound,
// loop, or silently stop early.
func TestScanDomainsWhateverGandiAnswers(t *testing.T) {
	noCount := map[string]string{"Total-Count": ""}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for mk, mv := range m {
			out[mk] = mv
		}
		return out
	}
	tests := []struct {
		name    string
		domains int
		bounds  listBounds
		headers map[string]string                               // forged on every page
		rewrite func(*http.Request, http.Header, []byte) []byte // instead of headers
		// What the scan must come to.
		wantDomains   int
		maxRequests   int
		wantTruncated bool
		wantNote      string
	}{
		{name: "Link asking a huge per_page", domains: 250, headers: with(noCount, "Link", `<{url}/v5/domain/domains?page={next}&per_page=100000>; rel="next"`),
			wantDomains: 250, maxRequests: 4},
		{name: "Link dropping per_page", domains: 250, headers: with(noCount, "Link", `</v5/domain/domains?page={next}>; rel="next"`),
			wantDomains: 250, maxRequests: 4},
		{name: "Link looping to page 1", domains: 250, headers: with(noCount, "Link", `</v5/domain/domains?page=1&per_page=100>; rel="next"`),
			wantDomains: 250, maxRequests: 4, wantNote: "pointed to page 1 after page 1"},
		{name: "Link to page 999999", domains: 250, headers: with(noCount, "Link", `</v5/domain/domains?page=999999&per_page=100>; rel="next"`),
			wantDomains: 250, maxRequests: 4, wantNote: "pointed to page 999999 after page 1"},
		{name: "Link loop, bounded", domains: 250, bounds: listBounds{listed: 10000, pages: 2}, headers: with(noCount, "Link", `</v5/domain/domains?page=1>; rel="next"`),
			wantDomains: 200, maxRequests: 2, wantTruncated: true},
		{name: "Total-Count of 10^12", domains: 250, headers: map[string]string{"Total-Count": "1000000000000", "Link": ""},
			wantDomains: 250, maxRequests: 2 + 2*defaultConcurrentPages, wantNote: "Gandi counted 1000000000000 domains but 250 were read"},
		{name: "Total-Count of the largest int", domains: 250, headers: map[string]string{"Total-Count": "9223372036854775807"},
			wantDomains: 250, maxRequests: 2 + 2*defaultConcurrentPages, wantNote: "Gandi counted 9223372036854775807 domains but 250 were read"},
		{name: "Total-Count of 10^12 on an empty list", domains: 0, headers: map[string]string{"Total-Count": "1000000000000"},
			wantDomains: 0, maxRequests: 1, wantNote: "Gandi counted 1000000000000 domains but 0 were read"},
		{name: "Total-Count of 10^12 past the bound", domains: 450, bounds: listBounds{listed: 10000, pages: 3}, headers: map[string]string{"Total-Count": "1000000000000"},
			wantDomains: 300, maxRequests: 3, wantTruncated: true, wantNote: "Only the first 300 of 1000000000000 domains"},
		{name: "full pages without Total-Count or Link", domains: 250, headers: map[string]string{"Total-Count": "", "Link": ""},
			wantDomains: 250, maxRequests: 3, wantNote: "neither Total-Count nor Link"},
		{name: "exactly full pages without Total-Count or Link", domains: 200, headers: map[string]string{"Total-Count": "", "Link": ""},
			wantDomains: 200, maxRequests: 3, wantNote: "neither Total-Count nor Link"},
		{name: "no headers, bounded", domains: 450, bounds: listBounds{listed: 10000, pages: 2}, headers: map[string]string{"Total-Count": "", "Link": ""},
			wantDomains: 200, maxRequests: 2, wantTruncated: true, wantNote: "Only the first 200 domains"},
		{name: "pages holding 10,000 domains", domains: 250, rewrite: padded(10000),
			wantDomains: 100, maxRequests: 3, wantTruncated: true, wantNote: "the 29700 beyond were dropped"},
		{name: "pages holding 10,000 domains, no headers", domains: 250, bounds: listBounds{listed: 10000, pages: 5}, rewrite: func(r *http.Request, h http.Header, b []byte) []byte {
			h.Del("Total-Count")
			h.Del("Link")
			return padded(10000)(r, h, b)
		}, wantDomains: 100, maxRequests: 5, wantTruncated: true, wantNote: "on 5 page(s): the 49500 beyond were dropped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeAccount(t, tc.domains)
			rw := tc.rewrite
			if rw == nil {
				rw = forge(fake, tc.headers)
			}
			fake.Inject(ganditest.Fault{Path: "/v5/domain/domains", Rewrite: rw})
			b := tc.bounds
			if b.pages == 0 {
				b = defaultBounds
			}
			out, err := scanDomains(context.Background(), &Deps{}, c, gandi.DomainsQuery{}, ListDomainsInput{All: true}, b)
			if err != nil {
				t.Fatal(err)
			}
			reqs := fake.Requests()
			var asked []string
			for i, r := range reqs {
				asked = append(asked, r.Query.Get("page"))
				if r.Query.Get("per_page") != "100" || len(r.Query["per_page"]) != 1 {
					t.Errorf("request %d asked per_page %v, want 100", i, r.Query["per_page"])
				}
			}
			if len(reqs) > tc.maxRequests {
				t.Errorf("%d requests (pages %v), want at most %d", len(reqs), asked, tc.maxRequests)
			}
			t.Logf("%d requests, pages %v", len(reqs), asked)
			if len(out.Domains) != tc.wantDomains || out.Truncated != tc.wantTruncated {
				t.Errorf("%d domains, truncated %v; want %d, %v (pages %v, notes %q)", len(out.Domains), out.Truncated, tc.wantDomains, tc.wantTruncated, asked, out.Notes)
			}
			if tc.wantNote != "" && !slices.ContainsFunc(out.Notes, func(n string) bool { return strings.Contains(n, tc.wantNote) }) {
				t.Errorf("notes %q lack %q", out.Notes, tc.wantNote)
			}
		})
	}
}

// TestScanDomainsRefusesALinkOffTheAPI: a Link to another host, or another
// route, is bad_response naming the host, and nothing is asked there.
func TestScanDomainsRefusesALinkOffTheAPI(t *testing.T) {
	tests := []struct{ name, link, want string }{
		{"another host", `<https://user:pw@evil.example/v5/domain/domains?page=2&key=s3cr3t>; rel="next"`, "https://evil.example"},
		{"another route", `</v5/organization/user-info?page=2>; rel="next"`, "/v5/organization/user-info"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeAccount(t, 250)
			fake.Inject(ganditest.Fault{Path: "/v5/domain/domains", Rewrite: forge(fake, map[string]string{"Total-Count": "", "Link": tc.link})})
			_, err := scanDomains(context.Background(), &Deps{}, c, gandi.DomainsQuery{}, ListDomainsInput{All: true}, defaultBounds)
			tr := diagnose(err, situation{})
			if tr.Diagnosis != BadResponse || !strings.Contains(tr.Summary, tc.want) {
				t.Fatalf("diagnosis %s: %s; want bad_response naming %s", tr.Diagnosis, tr.Summary, tc.want)
			}
			for _, leak := range []string{"user:", ":pw", "s3cr3t"} {
				if strings.Contains(tr.Summary, leak) {
					t.Errorf("the summary repeats %q: %s", leak, tr.Summary)
				}
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("%d requests, want the first page only", n)
			}
		})
	}
}

// TestPageOfDomainsWhateverGandiAnswers: one page keeps per_page domains, and
// a full page that says nothing of the rest offers the next one.
func TestPageOfDomainsWhateverGandiAnswers(t *testing.T) {
	tests := []struct {
		name     string
		domains  int
		perPage  int
		rewrite  func(fake *ganditest.Server) func(*http.Request, http.Header, []byte) []byte
		wantLen  int
		wantNext int
		wantNote string
	}{
		{"full page without Total-Count or Link", 250, 100, func(f *ganditest.Server) func(*http.Request, http.Header, []byte) []byte {
			return forge(f, map[string]string{"Total-Count": "", "Link": ""})
		}, 100, 2, "there may be more: ask page=2"},
		{"short page without Total-Count or Link", 30, 100, func(f *ganditest.Server) func(*http.Request, http.Header, []byte) []byte {
			return forge(f, map[string]string{"Total-Count": "", "Link": ""})
		}, 30, 0, ""},
		{"a page holding 10,000 domains", 250, 10, func(*ganditest.Server) func(*http.Request, http.Header, []byte) []byte { return padded(10000) },
			10, 2, "the 9990 beyond were dropped"},
		{"Total-Count of the largest int", 250, 100, func(f *ganditest.Server) func(*http.Request, http.Header, []byte) []byte {
			return forge(f, map[string]string{"Total-Count": "9223372036854775807"})
		}, 100, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeAccount(t, tc.domains)
			fake.Inject(ganditest.Fault{Path: "/v5/domain/domains", Rewrite: tc.rewrite(fake)})
			out, err := pageOfDomains(context.Background(), &Deps{}, c, gandi.DomainsQuery{}, ListDomainsInput{PerPage: ptr(tc.perPage)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Domains) != tc.wantLen || out.NextPage != tc.wantNext {
				t.Errorf("%d domains, next page %d; want %d, %d (notes %q)", len(out.Domains), out.NextPage, tc.wantLen, tc.wantNext, out.Notes)
			}
			if tc.wantNote == "" && len(out.Notes) > 0 || tc.wantNote != "" && !slices.ContainsFunc(out.Notes, func(n string) bool { return strings.Contains(n, tc.wantNote) }) {
				t.Errorf("notes %q, want one saying %q", out.Notes, tc.wantNote)
			}
		})
	}
}
