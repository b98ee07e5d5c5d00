package auth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

// Load reads the token file; a renewal locks it, writes the new token and unlocks.
func Example() {
	home, err := os.MkdirTemp("", "gandi-home")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)
	o := auth.Options{
		Home:       home,
		ConfigHome: filepath.Join(home, ".config"),
		Getenv:     func(string) string { return "" }, // ignore this process's GANDI_* variables
	}
	if _, err := auth.Load(o); err != nil {
		fmt.Println(err == nil, len(auth.Looked(o)), "places looked at")
	}

	path := auth.WritePath(o)
	unlock, err := auth.Lock(context.Background(), path)
	if err != nil {
		log.Fatal(err)
	}
	if err := auth.WriteToken(path, "pat-example-0123456789\n"); err != nil {
		log.Fatal(err)
	}
	unlock()

	c, err := auth.Load(o)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Kind, c.Source, c.Origin == path, c.Secret())
	// Output:
	// false 3 places looked at
	// pat file true pat-example-0123456789
}

func ExampleRedact() {
	fmt.Println(auth.Redact(`POST /v5/organization/access-tokens: {"access_token":"pat-new-0123456789"}`, "pat-new-0123456789"))
	// Output: POST /v5/organization/access-tokens: {"access_token":"[redacted]"}
}
