package tools

import (
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

func TestAvailabilityOf(t *testing.T) {
	name := dnsDomain{ascii: "shop.fr"}
	tests := []struct {
		name      string
		in        gandi.Availability
		available bool
		status    string
		price     *Price
		premium   bool
	}{
		{"shortest period wins, after taxes", gandi.Availability{Currency: "EUR", Products: []gandi.AvailabilityProduct{{Name: "shop.fr", Status: "available", Prices: []gandi.AvailabilityPrice{
			{DurationUnit: "y", MinDuration: 2, MaxDuration: 10, PriceAfterTaxes: ptr(20.0)},
			{DurationUnit: "y", MinDuration: 1, MaxDuration: 1, PriceBeforeTaxes: ptr(10.0), PriceAfterTaxes: ptr(12.0)},
		}}}}, true, "available", &Price{Amount: 12, Currency: "EUR", PeriodYears: 1, TaxesIncluded: true}, false},
		{"before taxes only", gandi.Availability{Currency: "USD", Products: []gandi.AvailabilityProduct{{Name: "shop.fr", Status: "available", Prices: []gandi.AvailabilityPrice{
			{DurationUnit: "y", MinDuration: 1, PriceBeforeTaxes: ptr(9.5)},
		}}}}, true, "available", &Price{Amount: 9.5, Currency: "USD", PeriodYears: 1}, false},
		{"premium by price type", gandi.Availability{Currency: "EUR", Products: []gandi.AvailabilityProduct{{Name: "SHOP.FR.", Status: "available", Prices: []gandi.AvailabilityPrice{
			{DurationUnit: "y", MinDuration: 1, PriceAfterTaxes: ptr(999.0), Type: "premium"},
		}}}}, true, "available", &Price{Amount: 999, Currency: "EUR", PeriodYears: 1, TaxesIncluded: true}, true},
		{"unavailable premium", gandi.Availability{Products: []gandi.AvailabilityProduct{{Name: "shop.fr", Status: "unavailable_premium"}}}, false, "unavailable_premium", nil, true},
		{"reserved is not available", gandi.Availability{Products: []gandi.AvailabilityProduct{{Name: "shop.fr", Status: "available_reserved"}}}, false, "available_reserved", nil, false},
		{"an unknown status is not available", gandi.Availability{Products: []gandi.AvailabilityProduct{{Name: "shop.fr", Status: "maybe"}}}, false, "maybe", nil, false},
		{"monthly prices are not years", gandi.Availability{Products: []gandi.AvailabilityProduct{{Name: "shop.fr", Status: "available", Prices: []gandi.AvailabilityPrice{
			{DurationUnit: "m", MinDuration: 1, PriceAfterTaxes: ptr(1.0)},
		}}}}, true, "available", nil, false},
		{"no product", gandi.Availability{}, false, "unknown", nil, false},
		{"another name's product first", gandi.Availability{Products: []gandi.AvailabilityProduct{{Name: "other.fr", Status: "available"}, {Name: "shop.fr", Status: "unavailable"}}}, false, "unavailable", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := availabilityOf(name, &tc.in)
			if r.Name != "shop.fr" || r.Available != tc.available || r.Status != tc.status || r.Premium != tc.premium {
				t.Errorf("got %+v, want available %v status %q premium %v", r, tc.available, tc.status, tc.premium)
			}
			switch {
			case tc.price == nil && r.Price != nil:
				t.Errorf("price %+v, want none", *r.Price)
			case tc.price != nil && (r.Price == nil || *r.Price != *tc.price):
				t.Errorf("price %+v, want %+v", r.Price, *tc.price)
			}
		})
	}
}

func TestOnLiveDNS(t *testing.T) {
	tests := []struct {
		name string
		det  gandi.DomainDetails
		want bool
	}{
		{"LiveDNS hosts", gandi.DomainDetails{Nameservers: []string{"ns-1-a.gandi.net", "NS-2-B.gandi.net."}}, true},
		{"one host elsewhere", gandi.DomainDetails{Nameservers: []string{"ns-1-a.gandi.net", "ns1.cloudflare.com"}}, false},
		{"classic DNS", gandi.DomainDetails{Nameservers: []string{"a.dns.gandi.net", "b.dns.gandi.net"}}, false},
		{"none", gandi.DomainDetails{}, false},
		{"Gandi's word wins", gandi.DomainDetails{Nameserver: &gandi.Nameserver{Current: "livedns"}, Nameservers: []string{"ns.vanity.example"}}, true},
		{"Gandi says other", gandi.DomainDetails{Nameserver: &gandi.Nameserver{Current: "other"}, Nameservers: []string{"ns-1-a.gandi.net"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := onLiveDNS(&tc.det); got != tc.want {
				t.Errorf("onLiveDNS = %v, want %v", got, tc.want)
			}
		})
	}
}
