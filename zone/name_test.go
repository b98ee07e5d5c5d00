package zone

import (
	"errors"
	"strings"
	"testing"
)

func TestRelative(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name, zone string
		want       string
		wantErr    string // a part of the reason
	}{
		{name: "www", zone: "example.com", want: "www"},
		{name: "@", zone: "example.com", want: "@"},
		{name: "WWW", zone: "Example.COM", want: "www"},
		{name: "www.example.com.", zone: "example.com", want: "www"},
		{name: "www.example.com", zone: "example.com", want: "www"},
		{name: "WWW.EXAMPLE.COM.", zone: "example.com.", want: "www"},
		{name: "example.com.", zone: "example.com", want: "@"},
		{name: "example.com", zone: "EXAMPLE.com", want: "@"},
		{name: "_dmarc", zone: "example.com", want: "_dmarc"},
		{name: "google._domainkey", zone: "example.com", want: "google._domainkey"},
		{name: "_acme-challenge.www", zone: "example.com", want: "_acme-challenge.www"},
		{name: "*", zone: "example.com", want: "*"},
		{name: "*.dev.example.com.", zone: "example.com", want: "*.dev"},
		{name: "mail.com.example.com.", zone: "example.com", want: "mail.com"},
		{name: long63, zone: "example.com", want: long63},
		{name: "café", zone: "example.com", want: "xn--caf-dma"},
		{name: "www.bücher.de.", zone: "Bücher.de", want: "www"},
		{name: "www", zone: "bücher.de", want: "www"},
		{name: "", zone: "example.com", wantErr: `use "@" for the apex`},
		{name: "www.other.org.", zone: "example.com", wantErr: "www.other.org. is not in the zone example.com"},
		{name: "example.com.au.", zone: "example.com", wantErr: "is not in the zone example.com"},
		{name: ".", zone: "example.com", wantErr: "is not in the zone"},
		{name: "www.other.org", zone: "example.com", wantErr: "looks like a name outside the zone example.com"},
		{name: "www.example.co", zone: "example.com", wantErr: "looks like a name outside"},
		{name: long63 + "a", zone: "example.com", wantErr: "the most is 63"},
		{name: strings.TrimSuffix(strings.Repeat(long63+".", 4), "."), zone: "example.com", wantErr: "the most is 253"},
		{name: "www..a", zone: "example.com", wantErr: "empty label"},
		{name: "w w", zone: "example.com", wantErr: "the character ' '"},
		{name: "mail!", zone: "example.com", wantErr: "the character '!'"},
		{name: "a*", zone: "example.com", wantErr: "the character '*'"},
		{name: "www.*", zone: "example.com", wantErr: `"*" is only allowed as the whole leftmost label`},
		{name: "-www", zone: "example.com", wantErr: "starts or ends with '-'"},
		{name: "www", zone: "", wantErr: "the zone is empty"},
		{name: "www", zone: "exa mple.com", wantErr: "the character ' '"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.zone, func(t *testing.T) {
			got, err := Relative(tt.name, tt.zone)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Relative(%q, %q) = %q, %v; want %q", tt.name, tt.zone, got, err, tt.want)
				}
				return
			}
			var ne *NameError
			if !errors.As(err, &ne) {
				t.Fatalf("Relative(%q, %q) = %q, %v; want a *NameError", tt.name, tt.zone, got, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
		})
	}
}

func TestCanonicalZoneAndFqdn(t *testing.T) {
	z, err := CanonicalZone("Bücher.DE.")
	if err != nil || z != "xn--bcher-kva.de" {
		t.Fatalf("CanonicalZone = %q, %v", z, err)
	}
	if got := Fqdn("@", z); got != "xn--bcher-kva.de." {
		t.Errorf("Fqdn(@) = %q", got)
	}
	if got := Fqdn("www", "example.com"); got != "www.example.com." {
		t.Errorf("Fqdn(www) = %q", got)
	}
}
