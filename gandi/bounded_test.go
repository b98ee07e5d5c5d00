package gandi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkDecodePage decodes a page of 100 domains shaped like Gandi's, into
// a plain slice (what json.Unmarshal alone costs) and through boundedList
// (what attempt does with a page, now that its size is bounded).
func BenchmarkDecodePage(b *testing.B) {
	end := time.Date(2027, 2, 13, 10, 4, 18, 0, time.UTC)
	var ds []Domain
	for i := range 100 {
		ds = append(ds, Domain{ID: fmt.Sprintf("ba1167be-0000-4000-8000-%012d", i), FQDN: fmt.Sprintf("example-%d.net", i),
			FQDNUnicode: fmt.Sprintf("example-%d.net", i), TLD: "net", Status: []string{"clientTransferProhibited"}, Tags: []string{},
			Dates:      DomainDates{CreatedAt: &end, RegistryCreatedAt: &end, RegistryEndsAt: &end, UpdatedAt: &end},
			Nameserver: Nameserver{Current: "livedns"}, Owner: "alice_doe", OrgaOwner: "alice_doe", DomainOwner: "Alice Doe",
			SharingID: "2d2bbd04-c882-48b4-9fa4-84d49febed04", Href: "https://api.gandi.net/v5/domain/domains/example.net"})
	}
	data, err := json.Marshal(ds)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("slice", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			out := make([]Domain, 0, 100)
			if err := json.Unmarshal(data, &out); err != nil || len(out) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("bounded", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			out := boundedList[Domain]{max: 100}
			if err := decodeJSON(data, &out); err != nil || len(out.items) != 100 {
				b.Fatal(err)
			}
		}
	})
}

func TestClipBytes(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefg…"},
		{strings.Repeat("é", 10), 10, "ééé…"}, // 7 bytes of room: 3 whole é, not half of a fourth
		{"日本語テキスト", 8, "日…"},
	}
	for _, tt := range tests {
		if got := clipBytes(tt.s, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("clipBytes(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// FuzzBoundedList: for any valid JSON array, a boundedList keeps its first
// max items, in order, and counts the rest; anything else is an error.
func FuzzBoundedList(f *testing.F) {
	for _, seed := range []string{`[]`, ` [ 1 , "a,]" , {"k":[1,2]} , [[]] ]`, `["\\\"]", "\\"]`, `[null,true,false,-1.5e3]`, `null`, `{}`, `[1,]`, `[1`} {
		f.Add(seed, uint8(2))
	}
	f.Fuzz(func(t *testing.T, data string, max uint8) {
		var all []json.RawMessage
		err := json.Unmarshal([]byte(data), &all)
		l := boundedList[json.RawMessage]{max: int(max)}
		lerr := decodeJSON([]byte(data), &l)
		if (err != nil) != (lerr != nil) {
			t.Fatalf("json.Unmarshal: %v; boundedList: %v", err, lerr)
		}
		if err != nil {
			return
		}
		keep := min(len(all), int(max))
		if len(l.items) != keep || l.dropped != len(all)-keep {
			t.Fatalf("kept %d, dropped %d of %d items (max %d)", len(l.items), l.dropped, len(all), max)
		}
		for i := range l.items {
			if string(l.items[i]) != string(all[i]) {
				t.Fatalf("item %d is %s, want %s", i, l.items[i], all[i])
			}
		}
	})
}
